"""A child takes back what they sent; a child no longer wants their appointed visitor (issue 20).

* ``advocacy_referrals.status`` and ``visitor_requests.status`` may be ``withdrawn`` (the CHECK constraints
  change), and both tables get ``withdrawn_at``: when the child took it back.
* ``wishes_statements.withdrawn_at``: a statement the child took back. Its words stay for the record.
* ``visitor_matches.end_requested_at`` and ``end_request_words``: an appointed visitor the child no longer
  wants (when, and what they said, verbatim). Plain ADD COLUMN: the table is not rebuilt, so the triggers that
  keep an objection final (0001) stay exactly as they are.

SQLite cannot change a CHECK constraint in place, so the two tables are copied. Not with ``batch_alter_table``:
it writes the table anew from reflection, which turns 0007's column ``REFERENCES`` for ``routed_council_id``
into a table constraint that SQLite's DROP COLUMN (0007's downgrade) then refuses. The copy is made from the
table's own CREATE TABLE text with only the CHECK changed, so everything else stays exactly as it was (the
usual SQLite way: new table, copy the rows, drop the old one, rename, indexes again). Dropping the old
``advocacy_referrals`` would, with foreign keys on (they cannot be turned off inside the migration's
transaction), delete its ``referral_status_changes`` rows (ON DELETE CASCADE); they are kept aside and put back,
ids and all, in the same transaction. PostgreSQL changes the constraint in place.

Downgrading turns a withdrawn referral or visitor request into ``closed`` (the old schema has no "withdrawn").

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFERRAL_OLD = ("new", "acknowledged", "allocated", "closed")
REQUEST_OLD = ("new", "in_progress", "matched", "closed")
HISTORY_BACKUP = "heard_0010_referral_history"


def _in(values: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _keep_referral_history() -> None:
    if _sqlite():
        op.execute(f"CREATE TEMP TABLE {HISTORY_BACKUP} AS SELECT * FROM referral_status_changes")  # noqa: S608


def _restore_referral_history() -> None:
    if _sqlite():
        op.execute("DELETE FROM referral_status_changes")  # none are left; but never two of one row
        op.execute(f"INSERT INTO referral_status_changes SELECT * FROM {HISTORY_BACKUP}")  # noqa: S608
        op.execute(f"DROP TABLE {HISTORY_BACKUP}")


def _sqlite_copy_with_check(table: str, old: str, new: str) -> None:
    """SQLite: ``table`` made again from its own CREATE TABLE text with CHECK ``old`` changed to ``new``."""
    conn = op.get_bind()
    create = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar_one()
    indexes = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
    ).scalars().all()
    if create.count(old) != 1:
        raise RuntimeError(f"{table}: expected the constraint {old!r} once in {create!r}")
    copy = f"heard_0010_{table}"
    op.execute(f"CREATE TABLE {copy} " + create[create.index("("):].replace(old, new))
    op.execute(f"INSERT INTO {copy} SELECT * FROM {table}")  # noqa: S608 (our own table names)
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {copy} RENAME TO {table}")
    for statement in indexes:
        op.execute(statement)


def _statuses(table: str, old: tuple[str, ...], new: tuple[str, ...]) -> None:
    """Change ``table``'s status CHECK constraint from ``old`` to ``new`` values."""
    if _sqlite():
        _sqlite_copy_with_check(table, f"CHECK ({_in(old)})", f"CHECK ({_in(new)})")
    else:
        op.drop_constraint(op.f(f"ck_{table}_status"), table, type_="check")
        op.create_check_constraint(op.f(f"ck_{table}_status"), table, _in(new))


def upgrade() -> None:
    _keep_referral_history()
    _statuses("advocacy_referrals", REFERRAL_OLD, REFERRAL_OLD + ("withdrawn",))
    _restore_referral_history()
    _statuses("visitor_requests", REQUEST_OLD, REQUEST_OLD + ("withdrawn",))
    for table in ("advocacy_referrals", "visitor_requests", "wishes_statements"):
        op.add_column(table, sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("visitor_matches", sa.Column("end_requested_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("visitor_matches", sa.Column("end_request_words", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("visitor_matches", "end_request_words")
    op.drop_column("visitor_matches", "end_requested_at")
    for table in ("wishes_statements", "visitor_requests", "advocacy_referrals"):
        op.drop_column(table, "withdrawn_at")
    op.execute("UPDATE visitor_requests SET status = 'closed' WHERE status = 'withdrawn'")
    _statuses("visitor_requests", REQUEST_OLD + ("withdrawn",), REQUEST_OLD)
    op.execute("UPDATE advocacy_referrals SET status = 'closed' WHERE status = 'withdrawn'")
    _keep_referral_history()
    _statuses("advocacy_referrals", REFERRAL_OLD + ("withdrawn",), REFERRAL_OLD)
    _restore_referral_history()
