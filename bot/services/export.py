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
    referrals = s.execute(_owned(AdvocacyReferral, child_id, refs)).scalars().all()
    statements = s.execute(_owned(WishesStatement, child_id, refs)).scalars().all()
    requests = s.execute(_owned(VisitorRequest, child_id, refs)).scalars().all()
    alerts = s.execute(_owned(SafeguardingAlert, child_id, refs)).scalars().all()
    matches = s.execute(
        select(VisitorMatch).where(VisitorMatch.child_id == child_id).order_by(VisitorMatch.id)
    )
    codes = s.execute(select(SignInCode).where(SignInCode.child_id == child_id).order_by(SignInCode.id))
    events = s.execute(
        select(AuditEvent)
        .where(
            or_(
                (AuditEvent.entity_type == "child") & (AuditEvent.entity_id == child_id),
                AuditEvent.actor == audit.child_actor(child_id),
            )
        )
        .order_by(AuditEvent.id)
    ).scalars()
    data = {
        "exported_at": utcnow().isoformat(),
        "child": {
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
        },
        "conversations": [_fields(link, ["channel", "created_at"]) for link in links],
        "advocacy_referrals": [
            {
                **_fields(
                    r,
                    [
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
                        "created_at",
                    ],
                ),
                "history": [
                    _fields(h, ["from_status", "to_status", "at", "actor", "note"]) for h in r.history
                ],
            }
            for r in referrals
        ],
        "wishes_statements": [
            {
                **_fields(w, ["id", "review_date", "review_label", "drafted_at", "sent_at"]),
                "share_with": w.share_with,
                "answers": [
                    _fields(a, ["position", "question_key", "question_text", "answer"]) for a in w.answers
                ],
            }
            for w in statements
        ],
        "visitor_requests": [
            _fields(v, ["id", "kind", "wishes", "anon_name", "contact", "status", "created_at"])
            for v in requests
        ],
        "visitor_matches": [
            _fields(
                m,
                [
                    "id",
                    "visitor_name",
                    "description",
                    "kind",
                    "status",
                    "reason",
                    "preferences",
                    "answered_at",
                    "created_at",
                ],
            )
            for m in matches.scalars()
        ],
        "safeguarding_alerts": [
            _fields(
                a,
                [
                    "id",
                    "channel",
                    "text",
                    "category",
                    "created_at",
                    "acknowledged_by",
                    "acknowledged_at",
                    "ack_note",
                ],
            )
            for a in alerts
        ],
        "sign_in_codes": [_fields(c, ["created_at", "expires_at", "used_at"]) for c in codes.scalars()],
        "audit_events": [
            _fields(e, ["at", "actor", "action", "entity_type", "entity_id", "detail"]) for e in events
        ],
    }
    audit.record(s, actor, "export", "child", child_id)
    return data
