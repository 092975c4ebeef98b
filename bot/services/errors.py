"""Errors raised by the services. Each carries a plain message safe to log (never a child's words)."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class for rule violations reported by ``bot.services``."""


class NotFound(ServiceError, LookupError):
    """The record does not exist."""


class NotAllowed(ServiceError):
    """The staff member may not make this change to a record they can see (403), e.g. a social worker moving a
    child to another caseload. The message says who may; refused and audited like a refused read."""


class TextTooLong(ServiceError, ValueError):
    """A text is longer than ``settings.max_text`` characters. Nothing is truncated: ask the child to split it."""

    def __init__(self, field: str, length: int, limit: int) -> None:
        super().__init__(f"{field} is {length} characters; the limit is {limit}")
        self.field = field
        self.length = length
        self.limit = limit


class InvalidChoice(ServiceError, ValueError):
    """A value is not one of the allowed choices (reason, role, audience, ...)."""


class IdempotencyConflict(ServiceError):
    """An idempotency key was sent again from a different conversation (never return another child's record)."""


class InvalidTransition(ServiceError):
    """A status change that the workflow does not allow."""


class InvalidCode(ServiceError):
    """A sign-in code that is wrong, expired or already used (the child is not told which)."""


class RateLimited(ServiceError):
    """Too many failed sign-in attempts for this conversation/IP key; try again later."""


class NotYours(ServiceError):
    """A child's request names another child, or a record that is not the conversation's child's (or a visitor
    match no longer waiting for an answer): refused, with an audit event, and nothing stored."""


class MatchObjected(InvalidTransition):
    """The child objected to this visitor match: it is closed and can never be appointed."""


class MatchClosed(InvalidTransition):
    """The visitor match is objected or withdrawn: it can no longer be answered."""
