"""Wishes and feelings statements for a child's Looked After Review, shared only with whom the child chose."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.db.models import SHARE_AUDIENCES, WishesAnswer, WishesShare, WishesStatement, utcnow
from bot.services import alert_visibility, audit, children
from bot.services.children import known_child_id
from bot.services.council_routing import route_anonymous
from bot.services.errors import InvalidChoice
from bot.services.idempotency import insert_once
from bot.services.text import check_text

# Staff role -> the share_with audience that role reads as. Roles not listed (duty, admin) see no answers.
ROLE_AUDIENCE = {"social_worker": "social_worker", "iro": "iro", "advocacy": "advocate"}
# Answers the child wrote "just for the IRO" (the wishes form's ``w_for_iro``): the IRO reads them (when the child
# shared the statement with the IRO); nobody else does, whoever else the statement is shared with.
IRO_ONLY_KEYS = frozenset({"w_for_iro"})


def submit_statement(
    s: Session,
    *,
    idempotency_key: str,
    conversation_id: str,
    child_id: str | None,
    review_date: date | None,
    review_label: str | None,
    answers: list[tuple[str, str, str]],
    share_with: list[str],
    drafted_at: datetime | None,
) -> WishesStatement:
    """Record a statement: ``answers`` are ``(question_key, question_text, answer)`` in order, verbatim.

    ``share_with`` is any of social_worker, iro, carer, parent, advocate. The same ``idempotency_key`` again
    returns the first statement. Raises ``TextTooLong``, ``InvalidChoice``, ``IdempotencyConflict``.
    """
    audiences = _checked(review_label, answers, share_with)
    child_id = known_child_id(s, child_id)
    ref = audit.conversation_ref(conversation_id)
    now = utcnow()
    routed = None if child_id else route_anonymous(s, None, ref)  # the council this conversation named

    def build() -> WishesStatement:
        statement = WishesStatement(
            child_id=child_id,
            routed_council_id=routed,
            conversation_ref=ref,
            channel=children.channel_of_conversation(conversation_id),
            review_date=review_date,
            review_label=check_text(review_label, "review_label"),  # NUL made safe
            drafted_at=drafted_at or now,
            sent_at=now,
            idempotency_key=idempotency_key,
            created_at=now,
        )
        statement.answers = [
            WishesAnswer(position=position, question_key=key, question_text=check_text(question, "question_text"),
                         answer=check_text(answer, "answer"))
            for position, (key, question, answer) in enumerate(answers)
        ]
        statement.shares = [WishesShare(audience=a) for a in audiences]
        return statement

    statement, created = insert_once(s, WishesStatement, idempotency_key, ref, build)
    if created:
        audit.record(
            s,
            audit.actor_for(child_id, conversation_id),
            "create",
            "wishes_statement",
            statement.id,
            {"answers": len(answers), "share_with": audiences},
        )
        alert_visibility.withhold_words_not_shared(s, ref, [answer for _, _, answer in answers], audiences,
                                                   audit.actor_for(child_id, conversation_id))
    return statement


def _checked(review_label: str | None, answers: list[tuple[str, str, str]], share_with: list[str]) -> list[str]:
    """Check every text and audience (nothing is truncated); the audiences, sorted and without repeats."""
    audiences = sorted(set(share_with))
    unknown = [a for a in audiences if a not in SHARE_AUDIENCES]
    if unknown:
        raise InvalidChoice(f"unknown share_with {unknown}")
    check_text(review_label, "review_label")
    for position, (key, question, answer) in enumerate(answers):
        if not key:
            raise ValueError("question_key is required")
        check_text(question, f"question_text[{position}]", required=True)
        check_text(answer, f"answer[{position}]", required=True)
    return audiences


def visible_answers(statement: WishesStatement, role: str) -> list[WishesAnswer]:
    """The answers someone in ``role`` may read: all of them if the child chose to share with that role's
    audience (but the "just for the IRO" answer only for the IRO: ``IRO_ONLY_KEYS``), else none. ``role`` is a
    staff role (social_worker, iro, advocacy, duty, admin) or an audience name (carer, parent, advocate, ...)."""
    audience = ROLE_AUDIENCE.get(role, role)
    if audience not in SHARE_AUDIENCES or audience not in statement.share_with:
        return []
    return [a for a in statement.answers if audience == "iro" or a.question_key not in IRO_ONLY_KEYS]


def withdraw_by_child(s: Session, statement: WishesStatement, actor: str) -> bool:
    """The child takes ``statement`` back (whose it is was checked by the caller: ``bot.services.withdrawals``).
    It is marked, never deleted: its words stay for the record. False when it was already taken back."""
    if statement.withdrawn_at is not None:
        return False
    statement.withdrawn_at = utcnow()
    s.flush()
    audit.record(s, actor, "update", "wishes_statement", statement.id, {"withdrawn": True})
    return True
