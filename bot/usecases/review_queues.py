"""The advocacy service's referral queue and the duty team's safeguarding alert queue: what they see
(audited through ``bot.usecases.review_reads``) and what they do (each one committed transaction). A referral
or alert outside the staff member's council is refused (404) and audited as a ``refused_read``."""

from __future__ import annotations

from typing import Any

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.services import alerts, audit, referrals
from bot.services.read_models.access import alert_for_staff, referral_for_staff
from bot.services.read_models.alert_queue import duty_queue
from bot.services.read_models.referral_queue import referral_detail, referral_queue
from bot.usecases.review_reads import WEB, Asked, Seen, Via, guarded, nothing_seen, staff_read


def read_referral_queue(staff: StaffUser, show: str = "open", via: Via = WEB) -> list[dict[str, Any]]:
    """The advocacy queue (``show``: open | closed | all). Through the API every referral listed is audited
    as read; the web list is not (each referral is audited when opened)."""

    def seen(rows: list[dict[str, Any]]) -> list[Seen]:
        return [Seen("read", "advocacy_referral", row["id"]) for row in rows]

    return staff_read(
        staff, lambda s: referral_queue(s, staff, show=show), seen if via.api else nothing_seen, via=via
    )


def open_referral(staff: StaffUser, referral_id: int) -> dict[str, Any]:
    """One referral with the statuses it may move to next (``NotFound`` outside the council); audited."""
    return staff_read(
        staff,
        lambda s: referral_detail(s, staff, referral_id),
        lambda _view: [Seen("read", "advocacy_referral", referral_id)],
        asked=Asked("advocacy_referral", referral_id),
    )


def change_referral_status(staff: StaffUser, referral_id: int, to_status: str, note: str | None) -> None:
    """Acknowledge, allocate or close a referral (``InvalidTransition``, ``TextTooLong`` when refused)."""
    with guarded(staff, Asked("advocacy_referral", referral_id, {"change": to_status})), session_scope() as s:
        referral_for_staff(s, staff, referral_id)
        referrals.change_status(s, referral_id, to_status, audit.staff_actor(staff.username), note)


def read_alert_queue(staff: StaffUser) -> dict[str, Any]:
    """The duty queue (``rows``, ``escalation_minutes``); every alert shown is audited as read."""
    return staff_read(
        staff,
        lambda s: duty_queue(s, staff),
        lambda data: [Seen("read", "safeguarding_alert", row["id"]) for row in data["rows"]],
    )


def acknowledge_alert(staff: StaffUser, alert_id: int, note: str) -> None:
    """Acknowledge an alert with a note of what was done (``TextTooLong`` when the note is too long)."""
    with guarded(staff, Asked("safeguarding_alert", alert_id, {"change": "acknowledge"})), session_scope() as s:
        alert_for_staff(s, staff, alert_id)
        alerts.acknowledge(s, alert_id, audit.staff_actor(staff.username), note)
