"""A child's complaint, recorded as a complaint and routed to the council's complaints contact.

``submit_complaint`` stores what it is about and what the child wants to happen (verbatim), whether it is about
a children's home (the chat can then say "You can also tell Ofsted") or about the child's own social worker
(that social worker never sees it), and the date by which the council acknowledges it: the council's
``complaint_ack_working_days`` (admin settings; 10 working days by default, as the statutory children's
complaints procedure allows) from today. A child who wants an advocate's help also gets an advocacy referral
(reason "complaint"), which reaches the advocacy service. The complaints team is told through the outbox
(``bot.services.team_routing``), without the child's words or name.

Staff of the council's complaints team (role ``complaints``) and admins acknowledge and resolve it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.db.models import utcnow
from bot.db.routing_models import Complaint
from bot.services import audit, phone_vault, referrals, team_routing
from bot.services.children import known_child_id
from bot.services.council_routing import route_anonymous
from bot.services.errors import InvalidTransition, NotFound
from bot.services.idempotency import insert_once
from bot.services.review_admin import council_settings
from bot.services.text import check_text

NEXT_STATUS = {"new": ("acknowledged", "resolved"), "acknowledged": ("resolved",)}


def _council_for(s: Session, child_id: str | None, routed: int | None) -> int | None:
    from bot.db.models import Child

    child = s.get(Child, child_id) if child_id else None
    return child.local_authority_id if child is not None else routed


def submit_complaint(
    s: Session,
    *,
    idempotency_key: str,
    conversation_id: str,
    child_id: str | None,
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
) -> Complaint:
    """Store a complaint (the same ``idempotency_key`` again returns the first one, telling nobody twice),
    queue the complaints team's notification and, when ``wants_advocate``, an advocacy referral. A number in a
    child not signed in's ``contact``, or "Text me at this number" (``phone_token``), is kept sealed.

    Raises ``TextTooLong`` (any text over ``settings.max_text``; ``about`` is required),
    ``IdempotencyConflict`` (key used by another conversation)."""
    about = check_text(about, "about", required=True) or ""
    wants, anon_name, contact = (check_text(wants, "wants"), check_text(anon_name, "anon_name"),
                                 check_text(contact, "contact"))
    child_id = known_child_id(s, child_id)
    ref = audit.conversation_ref(conversation_id)
    routed = None if child_id else route_anonymous(s, local_authority, ref)
    kept = phone_vault.contact_to_keep(conversation_id, *((None, None) if child_id else (contact, phone_token)))
    now = utcnow()
    days = council_settings(s, _council_for(s, child_id, routed)).complaint_ack_working_days

    def build() -> Complaint:
        return Complaint(
            child_id=child_id, conversation_ref=ref, routed_council_id=routed, channel=channel or "web",
            anon_name=None if child_id else anon_name, anon_local_authority=None if child_id else local_authority,
            anon_contact=kept.words, contact_phone_encrypted=kept.phone_encrypted, about=about, wants=wants,
            about_children_home=bool(about_children_home), about_social_worker=bool(about_social_worker),
            wants_advocate=bool(wants_advocate), status="new",
            acknowledge_due=referrals.add_working_days(now.date(), days), idempotency_key=idempotency_key,
            created_at=now, updated_at=now,
        )

    complaint, created = insert_once(s, Complaint, idempotency_key, ref, build)
    if not created:
        return complaint
    audit.record(s, audit.actor_for(child_id, conversation_id), "create", "complaint", complaint.id,
                 {"children_home": complaint.about_children_home, "wants_advocate": complaint.wants_advocate})
    team_routing.notify_new(s, "complaint", complaint)
    if wants_advocate:
        referral = referrals.submit_referral(
            s, idempotency_key=f"{idempotency_key[:110]}:advocate", conversation_id=conversation_id,
            child_id=child_id, reason="complaint", words=about, contact_how=contact, contact_when=None,
            tell_social_worker=False, anon_name=anon_name, local_authority=local_authority, phone_token=phone_token,
        )
        complaint.referral_id = referral.id
        team_routing.notify_new(s, "advocacy_referral", referral)
    s.flush()
    return complaint


def change_status(s: Session, complaint_id: int, to_status: str, actor: str, note: str | None) -> Complaint:
    """Acknowledge or resolve a complaint (``InvalidTransition`` otherwise); audited (never the note's words)."""
    check_text(note, "note")
    complaint = s.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound("no such complaint")
    if to_status not in NEXT_STATUS.get(complaint.status, ()):
        raise InvalidTransition(f"A {complaint.status} complaint cannot become {to_status}.")
    now = utcnow()
    if to_status == "acknowledged" or complaint.acknowledged_at is None:
        complaint.acknowledged_at, complaint.acknowledged_by = now, actor
    if to_status == "resolved":
        complaint.resolved_at = now
    complaint.status, complaint.updated_at = to_status, now
    complaint.note = note or complaint.note
    s.flush()
    audit.record(s, actor, "update", "complaint", complaint.id, {"status": to_status})
    return complaint
