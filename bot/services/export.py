"""Subject access export: everything Heard holds about one child, as JSON-serialisable data (audited).

Records are included when they carry the child's id or came from a conversation linked to the child
(e.g. sent before signing in). Hashes (phone, conversation, code) are never exported: they mean nothing
to the child and are keyed secrets.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.db.models import (
    AdvocacyReferral,
    AuditEvent,
    Child,
    ConversationLink,
    SafeguardingAlert,
    SignInCode,
    VisitorMatch,
    VisitorRequest,
    WishesStatement,
    utcnow,
)
from bot.services import audit
from bot.services.children import get_child, mask_phone


def _value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _fields(obj: Any, names: list[str]) -> dict[str, Any]:
    return {name: _value(getattr(obj, name)) for name in names}


def _owned(model: Any, child_id: str, refs: list[str]) -> Any:
    condition = model.child_id == child_id
    if refs:
        condition = or_(condition, model.conversation_ref.in_(refs))
    return select(model).where(condition).order_by(model.id)


def export_child(s: Session, child_id: str, actor: str) -> dict[str, Any]:
    """All records about ``child_id``. Adds an ``export`` audit event (the caller commits)."""
    child = get_child(s, child_id)
    links = s.execute(select(ConversationLink).where(ConversationLink.child_id == child_id)).scalars().all()
    refs = [link.conversation_ref for link in links]
    data = {
        "exported_at": utcnow().isoformat(),
        "child": _child(child),
        "conversations": [_fields(link, ["channel", "created_at"]) for link in links],
        "advocacy_referrals": _referrals(s, child_id, refs),
        "wishes_statements": _statements(s, child_id, refs),
        "visitor_requests": _visitor_requests(s, child_id, refs),
        "visitor_matches": _visitor_matches(s, child_id),
        "safeguarding_alerts": _alerts(s, child_id, refs),
        "sign_in_codes": _sign_in_codes(s, child_id),
        "audit_events": _audit_events(s, child_id),
    }
    audit.record(s, actor, "export", "child", child_id)
    return data


def _child(child: Child) -> dict[str, Any]:
    """The child's own details (the phone number masked)."""
    return {
        **_fields(
            child,
            ["id", "chosen_name", "age_band", "next_review_date", "audio_on", "reading_level", "channel"],
        ),
        "sms_opted_out": child.sms_opted_out,
        "phone": mask_phone(child) or None,
        "local_authority": child.local_authority.name if child.local_authority else None,
        "social_worker": child.social_worker.display_name if child.social_worker else None,
        "iro": child.iro.display_name if child.iro else None,
        "created_at": _value(child.created_at),
    }


REFERRAL_FIELDS = [
    "id",
    "reason",
    "words",
    "contact_how",
    "contact_when",
    "tell_social_worker",
    "anon_name",
    "anon_local_authority",
    "status",
    "response_due",
    "withdrawn_at",
    "created_at",
]


def _referrals(s: Session, child_id: str, refs: list[str]) -> list[dict[str, Any]]:
    """Advocacy referrals, each with its status history."""
    return [
        {
            **_fields(r, REFERRAL_FIELDS),
            "history": [_fields(h, ["from_status", "to_status", "at", "actor", "note"]) for h in r.history],
        }
        for r in s.execute(_owned(AdvocacyReferral, child_id, refs)).scalars().all()
    ]


def _statements(s: Session, child_id: str, refs: list[str]) -> list[dict[str, Any]]:
    """Wishes-and-feelings statements, each with every answer and who the child shared it with."""
    return [
        {
            **_fields(w, ["id", "review_date", "review_label", "drafted_at", "sent_at", "withdrawn_at"]),
            "share_with": w.share_with,
            "answers": [_fields(a, ["position", "question_key", "question_text", "answer"]) for a in w.answers],
        }
        for w in s.execute(_owned(WishesStatement, child_id, refs)).scalars().all()
    ]


def _visitor_requests(s: Session, child_id: str, refs: list[str]) -> list[dict[str, Any]]:
    fields = ["id", "kind", "wishes", "anon_name", "contact", "status", "created_at", "withdrawn_at"]
    return [_fields(v, fields) for v in s.execute(_owned(VisitorRequest, child_id, refs)).scalars().all()]


def _visitor_matches(s: Session, child_id: str) -> list[dict[str, Any]]:
    fields = [
        "id",
        "visitor_name",
        "description",
        "kind",
        "status",
        "reason",
        "preferences",
        "answered_at",
        "end_requested_at",
        "end_request_words",
        "created_at",
    ]
    query = select(VisitorMatch).where(VisitorMatch.child_id == child_id).order_by(VisitorMatch.id)
    return [_fields(m, fields) for m in s.execute(query).scalars()]


def _alerts(s: Session, child_id: str, refs: list[str]) -> list[dict[str, Any]]:
    fields = ["id", "channel", "text", "category", "created_at", "acknowledged_by", "acknowledged_at", "ack_note"]
    return [_fields(a, fields) for a in s.execute(_owned(SafeguardingAlert, child_id, refs)).scalars().all()]


def _sign_in_codes(s: Session, child_id: str) -> list[dict[str, Any]]:
    """When codes were issued, expired and used (never the code or its hash)."""
    query = select(SignInCode).where(SignInCode.child_id == child_id).order_by(SignInCode.id)
    return [_fields(c, ["created_at", "expires_at", "used_at"]) for c in s.execute(query).scalars()]


def _audit_events(s: Session, child_id: str) -> list[dict[str, Any]]:
    """Audit events about the child's record or done by the child."""
    query = (
        select(AuditEvent)
        .where(
            or_(
                (AuditEvent.entity_type == "child") & (AuditEvent.entity_id == child_id),
                AuditEvent.actor == audit.child_actor(child_id),
            )
        )
        .order_by(AuditEvent.id)
    )
    fields = ["at", "actor", "action", "entity_type", "entity_id", "detail"]
    return [_fields(e, fields) for e in s.execute(query).scalars()]
