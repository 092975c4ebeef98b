"""SMS opt-outs (STOP) and opt-ins (START): which words they are, and where they are kept.

A known child's opt-out is ``Child.sms_opted_out`` (``children.set_preferences``); the ``sms_opt_outs`` table
holds every other number's, so it survives a restart and every server sees it (``number_is_opted_out`` and
``set_number_opted_out`` apply this to a phone number). The words are Twilio's standard keywords, a whole
message in any case (``keyword``); ``bot.usecases.sms_opt_outs`` decides what an incoming text does.

Table rows are keyed by the number's keyed hash (``children.any_phone_hash``): the number itself is never
stored, and the hash functions here refuse anything that is not such a hash.

Retention: a row is kept for as long as the number stays opted out (an opt-out must be honoured until the
person opts back in, PECR) and START deletes it, so the retention purge leaves this table alone. A row
belongs to no child, so a child's export does not include it (hashes are never exported anyway).

Each change (a new STOP, a START that ends one) adds an audit event by the SMS conversation's pseudonymous
actor (``conversation:<ref12>``, as for anything else that conversation does), with no hash in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import SmsOptOut, utcnow
from bot.services import audit, children
from bot.services.children import SMS_SENDER_PREFIX

_HASH = re.compile(r"[0-9a-f]{64}")

# Twilio's standard opt-out and opt-in keywords (a whole message, any case).
OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
OPT_IN_WORDS = frozenset({"start", "unstop"})
OPT_IN_IF_OUT = frozenset({"yes"})  # Twilio counts YES as opt-in; here only when the number had opted out


def keyword(reply: str) -> str:
    """A short message as a bare lowercase word ("Stop." -> "stop"); "" for anything over 20 characters."""
    return re.sub(r"[^a-z]", "", (reply or "").strip().lower()) if len(reply or "") <= 20 else ""


def is_phone_hash(value: object) -> bool:
    """Whether `value` looks like a keyed phone hash (64 lowercase hex digits), not a number."""
    return isinstance(value, str) and _HASH.fullmatch(value) is not None


def _checked(phone_hash: str) -> str:
    if not is_phone_hash(phone_hash):
        raise ValueError("expected the keyed hash of a phone number")  # never repeats the value
    return phone_hash


def is_opted_out(s: Session, phone_hash: str) -> bool:
    """True when the number with this keyed hash said STOP and has not said START since."""
    found = s.execute(select(SmsOptOut.phone_hash).where(SmsOptOut.phone_hash == _checked(phone_hash)))
    return found.first() is not None


def _audit(s: Session, phone_hash: str, opted_out: bool) -> None:
    actor = audit.conversation_actor(SMS_SENDER_PREFIX + phone_hash)  # the SMS conversation's actor
    audit.record(s, actor, "update", "sms_opt_out", None, {"sms_opted_out": opted_out})


def set_opted_out(s: Session, phone_hash: str, opted_out: bool) -> bool:
    """STOP (True) adds the hash (kept as it is if already there, with the time of the first STOP); START
    (False) deletes it. Safe when two servers store the same STOP at once. Audited, and True, when something
    changed."""
    phone_hash = _checked(phone_hash)
    if not opted_out:
        deleted = s.execute(delete(SmsOptOut).where(SmsOptOut.phone_hash == phone_hash)).rowcount
        if deleted:
            _audit(s, phone_hash, False)
        return bool(deleted)
    if s.get(SmsOptOut, phone_hash) is not None:
        return False
    try:
        with s.begin_nested():
            s.add(SmsOptOut(phone_hash=phone_hash, opted_out_at=utcnow()))
            s.flush()
    except IntegrityError:  # stored by another server in the meantime: opted out either way
        if s.get(SmsOptOut, phone_hash) is None:
            raise
        return False
    _audit(s, phone_hash, True)
    return True


def add_many(s: Session, phone_hashes: Iterable[str]) -> int:
    """Opt out every hash given (moving opt-outs from an older store); returns how many were new."""
    return sum(set_opted_out(s, phone_hash, True) for phone_hash in phone_hashes)


def number_is_opted_out(s: Session, phone: str) -> bool:
    """Whether the number said STOP: in the table (e.g. a STOP from before the number was added to a
    child's record), or on the record of the child with this number."""
    if is_opted_out(s, children.any_phone_hash(phone)):
        return True
    child = children.match_phone(s, phone)
    return child is not None and bool(child.sms_opted_out)


def set_number_opted_out(s: Session, phone: str, opted_out: bool) -> None:
    """STOP (True) or START (False) for a number: on the child with this number, else in the table. A known
    child's opt-out lives on their record only; START clears both."""
    child = children.match_phone(s, phone)
    if child is not None:
        children.set_preferences(s, child.id, sms_opted_out=opted_out)
    set_opted_out(s, children.any_phone_hash(phone), opted_out and child is None)
