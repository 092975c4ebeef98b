"""Subject access export: everything Heard holds about one child, as JSON-serialisable data (audited).

The named sections are written for a reader; every other table that holds a child's records (a ``child_id``
column, or rows of a record already exported, e.g. a complaint or a visitor's checks) is exported under
``other_records`` as its columns, keyed secrets left out. ``NOT_ABOUT_A_CHILD`` lists the tables that hold
nothing about a child, each with the reason; ``tests/integration/test_export_coverage.py`` fails on any
table that is in neither. Transcripts are in the tracker database: ``bot.usecases.subject_access`` adds them.

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
    metadata,
    utcnow,
)
from bot.db.concern_models import SafeguardingConcern
from bot.db.retention_models import LegalHold
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
        "legal_holds": _legal_holds(s, child_id),
        "safeguarding_concerns": _concerns(s, child_id, refs),
    }
    data["other_records"] = _other_records(s, child_id, refs, _exported_ids(data))
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


def _legal_holds(s: Session, child_id: str) -> list[dict[str, Any]]:
    fields = ["placed_at", "placed_by", "reason", "released_at", "released_by", "release_reason"]
    query = select(LegalHold).where(LegalHold.child_id == child_id).order_by(LegalHold.id)
    return [_fields(h, fields) for h in s.execute(query).scalars()]


def _concerns(s: Session, child_id: str, refs: list[str]) -> list[dict[str, Any]]:
    fields = ["id", "channel", "text", "tier", "category", "language", "answer", "answered_at", "created_at",
              "reviewed_by", "reviewed_at"]
    return [_fields(c, fields) for c in s.execute(_owned(SafeguardingConcern, child_id, refs)).scalars()]


# The sections above and the tables they include.
NAMED = {
    "children", "conversation_links", "advocacy_referrals", "referral_status_changes", "wishes_statements",
    "wishes_answers", "wishes_shares", "visitor_requests", "visitor_matches", "safeguarding_alerts",
    "sign_in_codes", "audit_events", "legal_holds", "safeguarding_concerns",
}
NOT_ABOUT_A_CHILD = {
    "local_authorities": "councils: no child's data",
    "staff_users": "staff accounts",
    "authority_settings": "a council's settings",
    "retention_policies": "a council's retention periods",
    "staff_api_tokens": "staff's API tokens (keyed hashes)",
    "security_alerts": "sign-in bursts across the deployment, no person named",
    "sign_in_attempts": "failed sign-ins by a keyed hash of an address, not linkable to a child",
    "sign_in_failures": "failed sign-ins by a keyed hash of an address, not linkable to a child",
    "sms_opt_outs": "STOP from numbers of no child (a keyed hash only)",
    "sms_inbound_messages": "Twilio message ids and a keyed hash of the number, to drop duplicates; no words",
    "job_leases": "when the scheduled jobs ran",
    "audit_checkpoints": "where old audit events were removed (ids, hashes and counts)",
    "notification_outbox": "delivery bookkeeping of alerts (where and when staff were told); no words",
}
SECRET_PARTS = ("hash", "encrypted", "idempotency", "conversation_ref", "token", "dedupe", "claimed_by")


def _exported_ids(data: dict[str, Any]) -> dict[str, set[Any]]:
    names = ("advocacy_referrals", "wishes_statements", "visitor_requests", "visitor_matches",
             "safeguarding_alerts", "safeguarding_concerns")
    return {name: {row["id"] for row in data[name]} for name in names}


def _generic_condition(table: Any, child_id: str, refs: list[str], ids: dict[str, set[Any]]) -> Any:
    """Which rows of ``table`` are the child's: by ``child_id`` (or a linked conversation), or by a foreign key
    to a record already exported; None when the table has neither."""
    if "child_id" in table.c:
        condition = table.c.child_id == child_id
        if refs and "conversation_ref" in table.c:
            condition = or_(condition, table.c.conversation_ref.in_(refs))
        return condition
    for fk in table.foreign_keys:
        if fk.column.table.name in ids:
            return fk.parent.in_(ids[fk.column.table.name] or [-1])
    return None


def generic_tables() -> list[Any]:
    """The tables exported under ``other_records`` (parents before children)."""
    return [t for t in metadata.sorted_tables if t.name not in NAMED and t.name not in NOT_ABOUT_A_CHILD]


def _other_records(s: Session, child_id: str, refs: list[str], ids: dict[str, set[Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for table in generic_tables():
        condition = _generic_condition(table, child_id, refs, ids)
        if condition is None:
            out[table.name] = "NOT COVERED"
            continue
        columns = [c for c in table.c if not any(part in c.name for part in SECRET_PARTS)]
        rows = [dict(r._mapping) for r in s.execute(select(*columns).where(condition))]
        out[table.name] = [{k: _value(v) for k, v in row.items()} for row in rows]
        if "id" in table.c:
            ids[table.name] = {row["id"] for row in rows}
    return out
