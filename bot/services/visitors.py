"""Independent visitors and mentors: a child asks for one, staff propose a match, the child accepts or objects.

A child's objection closes the match for good: ``appoint`` raises ``MatchObjected`` and the database itself
refuses to set an objected match to appointed (triggers in migration 0001). A child may still say no after
saying yes, until the visitor is appointed (``answer_own_match``); once appointed, a child who no longer wants
them is recorded as asking to end it (``request_end_of_own_match``), for their social worker to talk over.
A child may take back a request for a visitor they sent (``withdraw_request_by_child``).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import VISITOR_KINDS, VISITOR_REQUEST_KINDS, StaffUser, VisitorMatch, VisitorRequest, utcnow
from bot.services import audit, children, phone_vault, requester
from bot.services.children import get_child, known_child_id
from bot.services.council_routing import route_anonymous
from bot.services.errors import (
    InvalidChoice,
    InvalidTransition,
    MatchClosed,
    MatchObjected,
    NotFound,
)
from bot.services.idempotency import insert_once
from bot.services.text import check_text
from bot.services.visitor_checks import require_checks

__all__ = [
    "MatchClosed",
    "MatchObjected",
    "answer_match",
    "answer_own_match",
    "appoint",
    "pending_match",
    "propose_match",
    "request_end_of_own_match",
    "request_visitor",
    "withdraw",
    "withdraw_request_by_child",
]
# Statuses of a request a child may still take back (a closed one is finished).
REQUEST_CHILD_MAY_WITHDRAW = ("new", "in_progress", "matched")


def _check_kind(kind: str, kinds: tuple[str, ...] = VISITOR_KINDS) -> None:
    if kind not in kinds:
        raise InvalidChoice("kind must be one of " + ", ".join(repr(k) for k in kinds))


def request_visitor(
    s: Session,
    *,
    idempotency_key: str,
    conversation_id: str,
    child_id: str | None,
    kind: str,
    wishes: str | None,
    anon_name: str | None = None,
    local_authority: str | None = None,
    contact: str | None = None,
    known_person: str | None = None,
    may_be_told: str | None = None,
    phone_token: str | None = None,
) -> VisitorRequest:
    """A child asks for an independent visitor or mentor, or is not sure which (``kind`` ``not_sure``: talked over
    with them); ``wishes`` (what kind of person), ``known_person``
    (someone they already know and would like) and ``may_be_told`` (what their visitor may be told about them)
    are verbatim.

    ``anon_name``, ``local_authority`` and ``contact`` are kept when the child is not signed in. Any phone number
    in ``contact``, and the number of "Text me at this number" by SMS (``phone_token``), is kept sealed for the
    IV co-ordinator (``phone_vault.contact_to_keep``): ``contact`` keeps the way only. The same
    ``idempotency_key`` again returns the first request.
    """
    _check_kind(kind, VISITOR_REQUEST_KINDS)
    for name, value in (("wishes", wishes), ("anon_name", anon_name), ("contact", contact),
                        ("known_person", known_person), ("may_be_told", may_be_told)):
        check_text(value, name)
    child_id = known_child_id(s, child_id)
    ref = audit.conversation_ref(conversation_id)
    routed = None if child_id else route_anonymous(s, local_authority, ref)  # the council the child named
    kept = phone_vault.contact_to_keep(conversation_id, check_text(contact, "contact"), phone_token)

    def build() -> VisitorRequest:
        return VisitorRequest(
            child_id=child_id,
            routed_council_id=routed,
            conversation_ref=ref,
            channel=children.channel_of_conversation(conversation_id),
            kind=kind,
            wishes=check_text(wishes, "wishes"),
            anon_name=None if child_id else anon_name,
            anon_local_authority=None if child_id else local_authority,
            contact=kept.words,  # the way; any number is sealed below
            contact_phone_encrypted=kept.phone_encrypted,
            known_person=known_person,
            may_be_told=may_be_told,
            idempotency_key=idempotency_key,
            status="new",
            created_at=utcnow(),
        )

    request, created = insert_once(s, VisitorRequest, idempotency_key, ref, build)
    if created:
        audit.record(s, audit.actor_for(child_id, conversation_id), "create", "visitor_request", request.id)
    return request


def propose_match(
    s: Session,
    child_id: str,
    proposed_by: str | None,
    visitor_name: str,
    description: str | None,
    kind: str = "independent_visitor",
) -> VisitorMatch:
    """Staff propose a visitor to a child (``proposed_by``: staff username, or None for the system)."""
    _check_kind(kind)
    if not visitor_name or not visitor_name.strip():
        raise ValueError("visitor_name is required")
    check_text(description, "description")
    child = get_child(s, child_id)
    staff = None
    if proposed_by:
        staff = s.execute(select(StaffUser).where(StaffUser.username == proposed_by)).scalar_one_or_none()
        if staff is None:
            raise NotFound("no such staff user")
    now = utcnow()
    match = VisitorMatch(
        child_id=child.id,
        proposed_by_id=staff.id if staff else None,
        visitor_name=visitor_name.strip(),
        description=description,
        kind=kind,
        status="proposed",
        created_at=now,
        updated_at=now,
    )
    s.add(match)
    s.flush()
    actor = audit.staff_actor(staff.username) if staff else "system"
    audit.record(s, actor, "create", "visitor_match", match.id, {"child": child.id, "kind": kind})
    return match


def pending_match(s: Session, child_id: str) -> VisitorMatch | None:
    """The newest match waiting for the child's answer, or None."""
    return s.execute(
        select(VisitorMatch)
        .where(VisitorMatch.child_id == child_id, VisitorMatch.status == "proposed")
        .order_by(VisitorMatch.created_at.desc(), VisitorMatch.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def latest_match(s: Session, child_id: str, statuses: tuple[str, ...]) -> VisitorMatch | None:
    """The child's newest match in one of ``statuses`` that has not ended, or None."""
    return s.execute(
        select(VisitorMatch)
        .where(VisitorMatch.child_id == child_id, VisitorMatch.status.in_(statuses),
               VisitorMatch.ended_at.is_(None))
        .order_by(VisitorMatch.created_at.desc(), VisitorMatch.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def current_match(s: Session, child_id: str) -> VisitorMatch | None:
    """The match a child means by "my visitor": one waiting for their answer first, else one they said yes to
    (not yet appointed), else their appointed visitor; None when there is none of these."""
    for statuses in (("proposed",), ("accepted",), ("appointed",)):
        match = latest_match(s, child_id, statuses)
        if match is not None:
            return match
    return None


def withdraw_request_by_child(s: Session, request: VisitorRequest, actor: str) -> bool:
    """The child takes ``request`` back (whose it is was checked by the caller: ``bot.services.withdrawals``).
    Returns False, changing nothing, when it is closed or already withdrawn."""
    if request.status not in REQUEST_CHILD_MAY_WITHDRAW:
        return False
    from_status = request.status
    request.status = "withdrawn"
    request.withdrawn_at = utcnow()
    s.flush()
    audit.record(s, actor, "update", "visitor_request", request.id, {"status": [from_status, "withdrawn"]})
    return True


def get_match(s: Session, match_id: int | str) -> VisitorMatch:
    try:
        match_id = int(match_id)
    except (TypeError, ValueError):
        raise NotFound("no such visitor match") from None
    match = s.get(VisitorMatch, match_id)
    if match is None:
        raise NotFound("no such visitor match")
    return match


def _keep_both(old: str | None, new: str | None) -> str | None:
    """Nothing a child says is lost: a later answer is added after the earlier one."""
    if old and new and new != old:
        return f"{old}\n---\n{new}"
    return new or old


def answer_match(
    s: Session,
    *,
    match_id: int | str,
    idempotency_key: str,
    accept: bool,
    reason: str | None = None,
    preferences: str | None = None,
) -> VisitorMatch:
    """The child accepts or objects. The same ``idempotency_key`` again changes nothing.

    A child may object to a proposed, accepted or even appointed match (an objection is final); accepting
    is only possible while proposed (saying yes again is a no-op). Saying no again to an objected match
    keeps the new words too. Earlier reasons/preferences are never overwritten, only added to.
    Raises ``MatchClosed`` for accepting an objected match or answering a withdrawn one, ``TextTooLong``.
    """
    check_text(reason, "reason")
    check_text(preferences, "preferences")
    match = get_match(s, match_id)
    if idempotency_key and match.answer_idempotency_key == idempotency_key:
        return match
    if match.status == "withdrawn" or (accept and match.status == "objected"):
        raise MatchClosed(f"this match is {match.status}")
    if accept and match.status in ("accepted", "appointed"):
        return match
    from_status = match.status
    now = utcnow()
    match.status = "accepted" if accept else "objected"
    match.reason = _keep_both(match.reason, reason)
    match.preferences = _keep_both(match.preferences, preferences)
    match.answered_at = now
    match.answer_idempotency_key = idempotency_key
    match.updated_at = now
    s.flush()
    audit.record(
        s,
        audit.child_actor(match.child_id),
        "update",
        "visitor_match",
        match.id,
        {"status": [from_status, match.status]},
    )
    return match


def _match_or_none(s: Session, match_id: object) -> VisitorMatch | None:
    """The match a conversation names: an id as a whole number or its ASCII digits, small enough for the
    column (never ``True``, which Python counts as 1, nor "²"), else None."""
    if isinstance(match_id, bool) or not isinstance(match_id, (int, str)):
        return None
    if not re.fullmatch(r"[0-9]{1,9}", str(match_id)):
        return None
    return s.get(VisitorMatch, int(match_id))


def answer_own_match(
    s: Session,
    *,
    conversation_id: str,
    match_id: object,
    idempotency_key: str,
    accept: bool,
    reason: str | None = None,
    preferences: str | None = None,
) -> VisitorMatch:
    """A child's own yes or no, from their conversation: refused (audited, ``NotYours``, nothing changed)
    unless the match is the conversation's child's and still waiting for their answer, or (a no only) one they
    said yes to that is not appointed yet: a child may change their mind, and the objection stops the
    appointment. The same answer sent again (same ``idempotency_key``) returns the match. ``match_id`` comes
    from the conversation, so it is checked, never trusted."""
    child_id = requester.requesting_child(s, conversation_id, None, "visitor match answer")
    match = _match_or_none(s, match_id)
    if match is None or child_id is None or match.child_id != child_id:
        requester.refuse(s, conversation_id, "visitor_match", match.id if match is not None else None,
                         "not this conversation's child's match", "visitor match answer")
    if idempotency_key and match.answer_idempotency_key == idempotency_key:
        return match
    if not (match.status == "proposed" or (not accept and match.status == "accepted")):
        requester.refuse(s, conversation_id, "visitor_match", match.id, "no longer waiting for an answer",
                         "visitor match answer")
    return answer_match(s, match_id=match.id, idempotency_key=idempotency_key, accept=accept, reason=reason,
                        preferences=preferences)


def request_end_of_own_match(s: Session, *, conversation_id: str, words: str | None) -> VisitorMatch | None:
    """The conversation's child no longer wants their appointed visitor: recorded on the match (when they first
    asked, and their words, verbatim, added to any earlier ones) and audited. Nothing else changes: their
    social worker talks it over with them. None (nothing recorded) when the child has no appointed visitor."""
    check_text(words, "words")
    child_id = requester.requesting_child(s, conversation_id, None, "end of visitor")
    match = latest_match(s, child_id, ("appointed",)) if child_id else None
    if match is None:
        return None
    now = utcnow()
    match.end_requested_at = match.end_requested_at or now
    match.end_request_words = _keep_both(match.end_request_words, words)
    match.updated_at = now
    s.flush()
    audit.record(s, audit.child_actor(child_id), "update", "visitor_match", match.id, {"end_requested": True})
    return match


def appoint(s: Session, match_id: int, actor: str) -> VisitorMatch:
    """Staff appoint an accepted match. Raises ``MatchObjected`` if the child objected (never appointable),
    ``InvalidTransition`` if the child has not accepted it or a check (DBS, references, children's services,
    probation: ``bot.services.visitor_checks``) is not recorded yet."""

    match = get_match(s, match_id)
    if match.status == "objected":
        raise MatchObjected("the child said no to this visitor; it cannot be appointed")
    if match.status == "appointed":
        return match
    if match.status != "accepted":
        raise InvalidTransition(f"a {match.status} match cannot be appointed; the child must accept it first")
    require_checks(s, match.id)
    match.status = "appointed"
    match.updated_at = utcnow()
    s.flush()
    audit.record(s, actor, "update", "visitor_match", match.id, {"status": ["accepted", "appointed"]})
    return match


def withdraw(s: Session, match_id: int, actor: str) -> VisitorMatch:
    """Staff withdraw a proposed, accepted or appointed match (an objected one is already closed)."""
    match = get_match(s, match_id)
    if match.status in ("objected", "withdrawn"):
        raise MatchClosed(f"this match is {match.status}")
    from_status = match.status
    match.status = "withdrawn"
    match.updated_at = utcnow()
    s.flush()
    audit.record(s, actor, "update", "visitor_match", match.id, {"status": [from_status, "withdrawn"]})
    return match
