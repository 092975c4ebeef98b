"""The phone number an SMS alert came from (issue 19), for the duty lead only: kept encrypted on the alert
(``SafeguardingAlert.phone_encrypted``, ``bot.services.phone_vault``) so a person can call back, opened here
for staff whose role is ``duty`` and nobody else. ``bot.usecases.review_queues.read_alert_queue`` audits each
number shown (``read`` of ``safeguarding_alert_phone``)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import SafeguardingAlert, StaffUser
from bot.services.phone_vault import decrypt_phone

ROLE = "duty"


def numbers_for(s: Session, staff: StaffUser, alert_ids: Iterable[int]) -> dict[int, str]:
    """``{alert id: number}`` for the alerts among ``alert_ids`` that kept one; empty unless ``staff`` is a duty
    lead."""
    ids = list(alert_ids)
    if staff.role != ROLE or not ids:
        return {}
    rows = s.execute(select(SafeguardingAlert.id, SafeguardingAlert.phone_encrypted).where(
        SafeguardingAlert.id.in_(ids), SafeguardingAlert.phone_encrypted.is_not(None))).all()
    numbers = {alert_id: decrypt_phone(token) for alert_id, token in rows}
    return {alert_id: number for alert_id, number in numbers.items() if number}
