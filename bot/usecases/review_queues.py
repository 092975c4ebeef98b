"""The advocacy service's referral queue and the duty team's safeguarding alert queue: what they see
(audited through ``bot.usecases.review_reads``) and what they do (each one committed transaction). A referral
or alert outside the staff member's council is refused (404) and audited as a ``refused_read``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.services import alerts, audit, referrals
from bot.services.read_models.access import alert_for_staff, referral_for_staff
from bot.services.read_models.alert_numbers import numbers_for
from bot.services.read_models.alert_queue import alert_detail, duty_queue
from bot.services.read_models.referral_queue import referral_detail, referral_queue
from bot.usecases.review_reads import WEB, Asked, Seen, Via, guarded, nothing_seen, staff_read
from bot.usecases.progress_news import tell_child


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
        lambda view: [Seen("read", "advocacy_referral", referral_id)]
        + ([Seen("read", "advocacy_referral_phone", referral_id)] if view.get("phone") else []),
        asked=Asked("advocacy_referral", referral_id),
    )


def change_referral_status(staff: StaffUser, referral_id: int, to_status: str, note: str | None,
                           advocate_first_name: str | None = None) -> None:
    """Acknowledge, allocate (with the advocate's first name, which the child is told) or close a referral
    (``InvalidTransition``, ``TextTooLong`` when refused); the child is told on their channel."""
    with guarded(staff, Asked("advocacy_referral", referral_id, {"change": to_status})), session_scope() as s:
        referral_for_staff(s, staff, referral_id)
        referral = referrals.change_status(s, referral_id, to_status, audit.staff_actor(staff.username), note,
                                           advocate_first_name=advocate_first_name)
        tell_child(s, referral.child_id, kind="advocate", record_id=referral.id, status=to_status,
                   name=referral.advocate_first_name, due=referral.response_due)


def read_alert_queue(staff: StaffUser) -> dict[str, Any]:
    """The duty queue (``rows``, ``escalation_minutes``); every alert shown is audited as read."""
    def load(s: Session) -> dict[str, Any]:
        data = duty_queue(s, staff)
        numbers = numbers_for(s, staff, [row["id"] for row in data["rows"]])  # SMS alerts: duty lead only
        for row in data["rows"]:
            row["phone"] = numbers.get(row["id"])
        return data

    return staff_read(
        staff,
        load,
        lambda data: [Seen("read", "safeguarding_alert", row["id"]) for row in data["rows"]]
        + [Seen("read", "safeguarding_alert_phone", row["id"]) for row in data["rows"] if row.get("phone")],
    )


def open_alert(staff: StaffUser, alert_id: int) -> dict[str, Any]:
    """One alert's own page, for the duty lead (``NotFound`` otherwise, audited as a refused read): audited as read,
    with the phone number the child gave for the call-back (``alert_callback_phone``) and the number an SMS alert
    came from (``safeguarding_alert_phone``), each audited every time it is shown."""
    def load(s: Session) -> dict[str, Any]:
        view = alert_detail(s, staff, alert_id)
        view["phone"] = numbers_for(s, staff, [alert_id]).get(alert_id)
        return view

    return staff_read(
        staff,
        load,
        lambda view: [Seen("read", "safeguarding_alert", alert_id)]
        + ([Seen("read", "alert_callback_phone", alert_id)] if view.get("callback_phone") else [])
        + ([Seen("read", "safeguarding_alert_phone", alert_id)] if view.get("phone") else []),
        asked=Asked("safeguarding_alert", alert_id),
    )


def acknowledge_alert(staff: StaffUser, alert_id: int, note: str) -> None:
    """Acknowledge an alert with a note of what was done (``TextTooLong`` when the note is too long)."""
    with guarded(staff, Asked("safeguarding_alert", alert_id, {"change": "acknowledge"})), session_scope() as s:
        alert_for_staff(s, staff, alert_id)
        alerts.acknowledge(s, alert_id, audit.staff_actor(staff.username), note)
