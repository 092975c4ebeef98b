"""One transaction for a child's request, where a refusal still leaves its trace."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.services.errors import NotYours

T = TypeVar("T")


def in_one_transaction(work: Callable[[Session], T]) -> T:
    """Run ``work`` and commit. A refusal (``NotYours``) commits its audit event, then is passed on."""
    refused: NotYours
    with session_scope() as session:
        try:
            return work(session)
        except NotYours as error:
            refused = error  # leave the block normally: the refusal's audit event commits with it
    raise refused
