"""Insert-once by ``idempotency_key``: a retried submission returns the first record and creates nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.services.errors import IdempotencyConflict

T = TypeVar("T")


def find_by_key(s: Session, model: type[T], key: str) -> T | None:
    return s.execute(select(model).where(model.idempotency_key == key)).scalar_one_or_none()  # type: ignore[attr-defined]


def _same_conversation(existing: Any, conversation_ref: str) -> Any:
    if existing.conversation_ref != conversation_ref:
        raise IdempotencyConflict(
            f"idempotency key already used by another conversation ({type(existing).__name__})"
        )
    return existing


def insert_once(
    s: Session, model: type[T], key: str, conversation_ref: str, build: Callable[[], T]
) -> tuple[T, bool]:
    """Return ``(record, created)``. ``build()`` makes the new record (only called when the key is new).

    A concurrent insert of the same key (unique constraint) is caught inside a SAVEPOINT, so the caller's
    transaction survives and gets the first record.
    """
    if not key or len(key) > 128:
        raise ValueError("idempotency_key must be 1-128 characters")
    existing = find_by_key(s, model, key)
    if existing is not None:
        return _same_conversation(existing, conversation_ref), False
    record = build()
    try:
        with s.begin_nested():
            s.add(record)
            s.flush()
    except IntegrityError:
        existing = find_by_key(s, model, key)
        if existing is None:
            raise
        return _same_conversation(existing, conversation_ref), False
    return record, True
