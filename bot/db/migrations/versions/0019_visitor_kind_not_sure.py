"""A child who is not sure whether they want an independent visitor or a mentor is recorded as not sure (issue 20).

``visitor_requests.kind`` may be ``not_sure`` (the CHECK constraint is relaxed; ``visitor_matches.kind`` keeps its
two values: a match is always one or the other). Before, "Not sure" was stored as ``independent_visitor``.

The table is not copied: ``visitor_considerations`` (0018) has a foreign key to it (ON DELETE SET NULL), so a copy
would drop every consideration's link to its request. PostgreSQL changes the constraint in place. SQLite cannot,
so it uses SQLite's own documented way to remove or loosen a CHECK constraint without touching any row
(https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes", the simpler procedure):
inside the migration's transaction, with ``writable_schema`` on, only the CHECK's text in the table's stored
CREATE TABLE is changed and ``schema_version`` is raised so every connection reads the schema again. Every row
already meets the looser constraint; the rest of the table (columns, keys, indexes) is untouched.

Downgrading makes a not-sure request ``independent_visitor`` (what the old schema stored) and tightens the
constraint back the same way.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "visitor_requests"
CONSTRAINT = "ck_visitor_requests_kind"
KINDS_BEFORE = ("independent_visitor", "mentor")
KINDS_AFTER = KINDS_BEFORE + ("not_sure",)


def _check(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _sqlite_change_check(old: str, new: str) -> None:
    """SQLite: the CHECK text ``old`` in the table's stored CREATE TABLE becomes ``new`` (no row is copied)."""
    conn = op.get_bind()
    create = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).scalar_one()
    if create.count(old) != 1:
        raise RuntimeError(f"{TABLE}: expected the constraint {old!r} once in {create!r}")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        conn.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                             (create.replace(old, new), TABLE))
        conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def _kinds(before: tuple[str, ...], after: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_change_check(f"CHECK ({_check(before)})", f"CHECK ({_check(after)})")
    else:
        op.drop_constraint(op.f(CONSTRAINT), TABLE, type_="check")
        op.create_check_constraint(op.f(CONSTRAINT), TABLE, _check(after))


def upgrade() -> None:
    _kinds(KINDS_BEFORE, KINDS_AFTER)


def downgrade() -> None:
    op.execute(f"UPDATE {TABLE} SET kind = 'independent_visitor' WHERE kind = 'not_sure'")  # noqa: S608
    _kinds(KINDS_AFTER, KINDS_BEFORE)
