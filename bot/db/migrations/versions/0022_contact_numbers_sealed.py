"""A child's phone number given as a contact is sealed at rest on every record, as the advocacy referral's
"Text me at this number" already was (0015).

* ``contact_phone_encrypted`` on ``visitor_requests`` and ``complaints`` (plain ADD COLUMN, no table copy):
  the number, sealed with the ``phone-vault`` key (``bot.services.phone_vault``), opened only on the record's
  own page for the team that reaches the child, each view audited.
* The rows already there: every phone number in ``visitor_requests.contact``, ``complaints.anon_contact`` and
  ``advocacy_referrals.contact_how`` (typed by a child, or put there by "Text me at this number" for a visitor
  request or a complaint: "this_number: +44...") is sealed into the row's ``contact_phone_encrypted`` by the same
  rule new records follow (``phone_vault.seal_contact``); the words keep the way only ("phone", "this_number",
  "call me on [number]"). A referral's number already sealed stays, first. Sealing needs ``HEARD_SECRET_KEY``
  when a row holds a number (as 0005 needed it to chain the audit rows); with no such row nothing is read.

Downgrade puts each sealed number back where it stood in the words ("phone: +447700900123", the form the code
before this migration reads), so no child's way to be reached is lost, and drops the two columns. A referral's
"Text me at this number" (``contact_how`` "this_number") keeps its number sealed, as before 0022.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, the column of the contact's words); each has contact_phone_encrypted after the upgrade.
CONTACTS = (
    ("visitor_requests", "contact"),
    ("complaints", "anon_contact"),
    ("advocacy_referrals", "contact_how"),
)
NEW_COLUMNS = ("visitor_requests", "complaints")  # advocacy_referrals has had it since 0015
THIS_NUMBER = "this_number"  # a referral's "Text me at this number": sealed before 0022 too
PAGE = 500


def _table(name: str, words: str) -> Any:
    return sa.table(name, sa.column("id", sa.Integer()), sa.column(words, sa.Text()),
                    sa.column("contact_phone_encrypted", sa.Text()))


def _rows(table: Any, words: str, where: Any) -> list[Any]:
    """Every row matching ``where``, in id order, a page at a time."""
    connection = op.get_bind()
    rows, last_id = [], 0
    while True:
        query = (sa.select(table.c.id, table.c[words], table.c.contact_phone_encrypted)
                 .where(where, table.c.id > last_id).order_by(table.c.id).limit(PAGE))
        page = connection.execute(query).all()
        if not page:
            return rows
        rows += page
        last_id = page[-1].id


def _seal_existing(name: str, words: str) -> int:
    """Seal every number in the words of ``name``'s rows; returns how many rows changed."""
    from bot.services import phone_vault

    table = _table(name, words)
    has_digits = sa.or_(*(table.c[words].like(f"%{d}%") for d in "0123456789"))  # a number needs digits
    changes = []
    for row in _rows(table, words, sa.and_(table.c[words].is_not(None), has_digits)):
        if not phone_vault.PHONE_IN_WORDS.search(row[1]):
            continue
        earlier = phone_vault.contact_phone(row.contact_phone_encrypted)  # a referral's "this number"
        if row.contact_phone_encrypted and earlier is None:
            raise RuntimeError(f"{name} {row.id}: its sealed number does not open with HEARD_SECRET_KEY")
        kept = phone_vault.seal_contact(row[1], earlier)
        changes.append({"row_id": row.id, "words": kept.words, "sealed": kept.phone_encrypted})
    if changes:
        op.get_bind().execute(
            table.update().where(table.c.id == sa.bindparam("row_id"))
            .values({words: sa.bindparam("words"), "contact_phone_encrypted": sa.bindparam("sealed")}),
            changes,
        )
    return len(changes)


def _unseal_existing(name: str, words: str) -> None:
    """Put sealed numbers back into the words (not a referral's "this number", sealed before 0022 too)."""
    from bot.services import phone_vault

    table = _table(name, words)
    where = table.c.contact_phone_encrypted.is_not(None)
    if name == "advocacy_referrals":
        where = sa.and_(where, sa.or_(table.c[words].is_(None), table.c[words] != THIS_NUMBER))
    changes = []
    for row in _rows(table, words, where):
        if phone_vault.contact_phone(row.contact_phone_encrypted) is None:
            raise RuntimeError(f"{name} {row.id}: its sealed number does not open with HEARD_SECRET_KEY")
        changes.append({"row_id": row.id, "words": phone_vault.unsealed_contact(row[1], row.contact_phone_encrypted),
                        "sealed": None})
    if changes:
        op.get_bind().execute(
            table.update().where(table.c.id == sa.bindparam("row_id"))
            .values({words: sa.bindparam("words"), "contact_phone_encrypted": sa.bindparam("sealed")}),
            changes,
        )


def upgrade() -> None:
    for name in NEW_COLUMNS:
        op.add_column(name, sa.Column("contact_phone_encrypted", sa.Text(), nullable=True))
    for name, words in CONTACTS:
        _seal_existing(name, words)


def downgrade() -> None:
    for name, words in CONTACTS:
        _unseal_existing(name, words)
    for name in reversed(NEW_COLUMNS):
        op.drop_column(name, "contact_phone_encrypted")
