"""What the chat calls for issue 15 items 6 and 7: a complaint (``submit_complaint``), a call-back after a
disclosure (``request_call_back``), an alert about the child's own social worker (``mark_alert_about_social_worker``).

Each is one committed transaction. Whose request it is comes from the conversation alone
(``bot.services.requester``); ``claimed_child_id`` is only compared (``NotYours`` when it names another child,
after its audit event is committed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.services import call_backs, complaints, requester
from bot.usecases.transaction import in_one_transaction


@dataclass(frozen=True)
class ComplaintStored:
    """A stored complaint: its id, the date the council acknowledges it by, whether it is about a children's
    home (the chat may say "You can also tell Ofsted"), and the advocacy referral made for it (or None)."""

    complaint_id: int
    acknowledge_due: date
    about_children_home: bool
    referral_id: int | None


def _child(session: Session, conversation_id: str, claimed_child_id: str | None, what: str) -> str | None:
    return requester.requesting_child(session, conversation_id, claimed_child_id, what)


def submit_complaint(
    *,
    idempotency_key: str,
    conversation_id: str,
    claimed_child_id: str | None,
    channel: str,
    about: str,
    wants: str | None,
    about_children_home: bool = False,
    about_social_worker: bool = False,
    wants_advocate: bool = False,
    anon_name: str | None = None,
    local_authority: str | None = None,
    contact: str | None = None,
    phone_token: str | None = None,
) -> ComplaintStored:
    """Store a complaint (``bot.services.complaints.submit_complaint``): routed to the council's complaints
    contact, acknowledged by the council's due date, with an advocacy referral when ``wants_advocate``. A phone
    number in ``contact``, or "Text me at this number" by SMS (``phone_token``), is kept sealed.
    Raises ``TextTooLong``, ``IdempotencyConflict``, ``NotYours``."""
    def work(session: Session) -> ComplaintStored:
        complaint = complaints.submit_complaint(
            session, idempotency_key=idempotency_key, conversation_id=conversation_id,
            child_id=_child(session, conversation_id, claimed_child_id, "complaint"), channel=channel,
            about=about, wants=wants, about_children_home=about_children_home,
            about_social_worker=about_social_worker, wants_advocate=wants_advocate, anon_name=anon_name,
            local_authority=local_authority, contact=contact, phone_token=phone_token,
        )
        return ComplaintStored(complaint.id, complaint.acknowledge_due, complaint.about_children_home,
                               complaint.referral_id)

    return in_one_transaction(work)


def request_call_back(
    *,
    conversation_id: str,
    claimed_child_id: str | None,
    turns: Iterable[Mapping[str, Any] | tuple[str, str]],
    alert_id: int | None = None,
    wants_today: bool = True,
    reach_how: str | None = None,
    reach_when: str | None = None,
    anon_name: str | None = None,
    anon_contact: str | None = None,
    about_social_worker: bool = False,
    channel: str = "web",
) -> int:
    """Record a call-back on the conversation's safeguarding alert (``bot.services.call_backs``: what it stores)
    and tell the duty team; returns the alert id. Never refuses for length. Raises ``NotYours`` only when
    ``claimed_child_id`` names another child."""
    def work(session: Session) -> int:
        callback = call_backs.request_call_back(
            session, conversation_id=conversation_id,
            child_id=_child(session, conversation_id, claimed_child_id, "call-back"), turns=turns,
            alert_id=alert_id, wants_today=wants_today, reach_how=reach_how, reach_when=reach_when,
            anon_name=anon_name, anon_contact=anon_contact, about_social_worker=about_social_worker,
            channel=channel,
        )
        return int(callback.alert_id)

    return in_one_transaction(work)


def mark_alert_about_social_worker(conversation_id: str, alert_id: int | None = None) -> int | None:
    """The child said it is about their own social worker: the conversation's alert (``alert_id`` only if it is
    this conversation's, else its latest) is hidden from social workers. Returns the alert id or None."""
    with session_scope() as session:
        return call_backs.mark_about_social_worker(session, conversation_id=conversation_id, alert_id=alert_id)
