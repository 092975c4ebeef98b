"""The audit log: who did what to which record. Append-only (database triggers refuse UPDATE/DELETE) and
chained by keyed hash, so a change made round the triggers is found (``bot.services.audit_chain``, which
fills in each new row's hashes as it is flushed; ``python -m bot.cli verify-audit`` checks the chain).

Actors are strings: ``child:<id>``, ``conversation:<ref12>``, ``staff:<username>``, ``system`` (or
``system:<job>``). ``detail`` must never hold a child's words, phone numbers or codes.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from bot import keys
from bot.db.models import AUDIT_ACTIONS, AuditEvent, utcnow
from bot.services import audit_chain  # noqa: F401 - chains every AuditEvent as it is flushed


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 (hex) of ``value`` with the key ``bot.keys`` derives for ``purpose`` (one of
    ``bot.keys.PURPOSES``)."""
    return keys.keyed_hash(purpose, value)


def conversation_ref(conversation_id: str) -> str:
    """What the database stores instead of a Rasa sender id (SMS sender ids are phone numbers)."""
    return keyed_hash("conversation", conversation_id)


def conversation_actor(conversation_id: str) -> str:
    return f"conversation:{conversation_ref(conversation_id)[:12]}"


def child_actor(child_id: str) -> str:
    return f"child:{child_id}"


def staff_actor(username: str) -> str:
    return username if username.startswith("staff:") else f"staff:{username}"


def actor_for(child_id: str | None, conversation_id: str) -> str:
    """``child:<id>`` when the child is known, else ``conversation:<ref12>``."""
    return child_actor(child_id) if child_id else conversation_actor(conversation_id)


def record(
    s: Session,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: object | None,
    detail: str | dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event to the session (committed with the caller's transaction)."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if isinstance(detail, dict):
        detail = json.dumps(detail, sort_keys=True, default=str)
    event = AuditEvent(
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        at=utcnow(),
        detail=detail,
    )
    s.add(event)
    return event
