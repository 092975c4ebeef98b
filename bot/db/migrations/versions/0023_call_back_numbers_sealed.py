"""A child's phone number given for a call-back after a disclosure is sealed at rest, as on every other record
(0022).

* ``alert_callbacks.contact_phone_encrypted`` (plain ADD COLUMN, no table copy): every phone number in the
  call-back's ``reach_how`` ("phone: 07700 900123") and ``anon_contact`` (a child not signed in: "07700 900123"),
  sealed together with the ``phone-vault`` key by the same rule new call-backs follow
  (``bot.services.phone_vault.seal_contacts``); the two keep the way only ("phone", "call me on [number]"), and
  the kept turns of the conversation say ``[number]`` where the child typed it or Heard read it back
  (``phone_vault.mark_sealed_numbers``). Opened only on the alert's own page for the duty lead, each view audited.
  Sealing needs ``HEARD_SECRET_KEY`` when a row holds a number; with no such row nothing is read.

Downgrade puts each sealed number back where it stood (``reach_how`` "phone: +447700900123", ``anon_contact``
"+447700900123" for a child not signed in, each ``[number]`` in the turns), the form the code before this
migration reads, so no child's way to be reached is lost, and drops the column.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02
"""

from __future__ import annotations

import json
from functools import partial
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAGE = 500
CALLBACKS = sa.table("alert_callbacks", sa.column("id", sa.Integer()), sa.column("alert_id", sa.Integer()),
                     sa.column("turns", sa.Text()), sa.column("reach_how", sa.Text()),
                     sa.column("anon_contact", sa.Text()), sa.column("contact_phone_encrypted", sa.Text()))
ALERTS = sa.table("safeguarding_alerts", sa.column("id", sa.Integer()), sa.column("child_id", sa.String()))


def _rows(where: Any) -> list[Any]:
    """Every call-back matching ``where`` (with whether its alert is about a child not signed in), in id order, a
    page at a time."""
    connection = op.get_bind()
    c = CALLBACKS.c
    rows, last_id = [], 0
    while True:
        query = (sa.select(c.id, c.turns, c.reach_how, c.anon_contact, c.contact_phone_encrypted,
                           ALERTS.c.child_id.is_(None).label("anonymous"))
                 .select_from(CALLBACKS.outerjoin(ALERTS, ALERTS.c.id == c.alert_id))
                 .where(where, c.id > last_id).order_by(c.id).limit(PAGE))
        page = connection.execute(query).all()
        if not page:
            return rows
        rows += page
        last_id = page[-1].id


def _turns(turns: str, change: Any) -> str:
    """The JSON turns with ``change`` applied to each turn's text."""
    try:
        kept = json.loads(turns)
    except ValueError:
        return turns
    if not isinstance(kept, list):
        return turns
    changed = [{**t, "text": change(str(t.get("text") or ""))} if isinstance(t, dict) else t for t in kept]
    return json.dumps(changed, ensure_ascii=False)


def _update(changes: list[dict[str, Any]]) -> None:
    if changes:
        c = CALLBACKS.c
        op.get_bind().execute(
            CALLBACKS.update().where(c.id == sa.bindparam("row_id")).values(
                {"reach_how": sa.bindparam("how"), "anon_contact": sa.bindparam("contact"),
                 "turns": sa.bindparam("kept_turns"), "contact_phone_encrypted": sa.bindparam("sealed")}),
            changes,
        )


def upgrade() -> None:
    from bot.services import phone_vault

    op.add_column("alert_callbacks", sa.Column("contact_phone_encrypted", sa.Text(), nullable=True))
    c = CALLBACKS.c
    has_digits = sa.or_(*(column.like(f"%{d}%") for column in (c.reach_how, c.anon_contact) for d in "0123456789"))
    changes = []
    for row in _rows(has_digits):
        (how, contact), sealed = phone_vault.seal_contacts(row.reach_how, row.anon_contact)
        if sealed is None:
            continue
        changes.append({"row_id": row.id, "how": how, "contact": contact, "sealed": sealed,
                        "kept_turns": _turns(row.turns, partial(phone_vault.mark_sealed_numbers, token=sealed))})
    _update(changes)


def downgrade() -> None:
    from bot.services import phone_vault

    changes = []
    for row in _rows(CALLBACKS.c.contact_phone_encrypted.is_not(None)):
        token = row.contact_phone_encrypted
        if phone_vault.contact_phone(token) is None:
            raise RuntimeError(f"alert_callbacks {row.id}: its sealed number does not open with HEARD_SECRET_KEY")
        # anon_contact is only ever kept for a child not signed in; there it may have been the number alone.
        contact = row.anon_contact
        if contact is not None or row.anonymous:
            contact = phone_vault.unsealed_contact(contact, token)
        changes.append({"row_id": row.id, "how": phone_vault.unsealed_contact(row.reach_how, token),
                        "contact": contact, "sealed": None,
                        "kept_turns": _turns(row.turns, partial(phone_vault.unmarked_numbers, token=token))})
    _update(changes)
    op.drop_column("alert_callbacks", "contact_phone_encrypted")
