"""The rules on incoming texts (issue 19): each Twilio ``MessageSid`` once, how many texts a number sent in the
last minute, a picture's arrival, and the number kept (encrypted) on an alert raised by SMS.

Functions take a ``Session`` and never commit (``bot.usecases.sms_inbound`` does). Numbers are never stored:
rows hold the number's keyed hash (``children.any_phone_hash``); the only place a number is kept is a Fernet token
(``bot.services.phone_vault``) on an alert, so a person can call back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import SafeguardingAlert, utcnow
from bot.db.sms_models import SmsInboundMessage, SmsMediaArrival
from bot.services import audit

KEEP_SIDS_FOR = timedelta(hours=48)


def claim_message(s: Session, message_sid: str, phone_hash: str, now: datetime | None = None) -> bool:
    """True the first time ``message_sid`` is seen (the row is added and flushed); False for a repeat, on every
    server (the primary key refuses a second row)."""
    if s.get(SmsInboundMessage, message_sid) is not None:
        return False
    try:
        with s.begin_nested():
            s.add(SmsInboundMessage(message_sid=message_sid, phone_hash=phone_hash, received_at=now or utcnow()))
    except IntegrityError:  # another server took it at the same moment
        return False
    return True


def texts_since(s: Session, phone_hash: str, since: datetime) -> int:
    """How many texts (each ``MessageSid`` once) the number sent since ``since``."""
    query = select(func.count()).select_from(SmsInboundMessage).where(
        SmsInboundMessage.phone_hash == phone_hash, SmsInboundMessage.received_at >= since
    )
    return int(s.execute(query).scalar_one())


def forget_old(s: Session, now: datetime | None = None) -> int:
    """Delete message ids older than 48 hours (Twilio never retries that late); returns how many."""
    cutoff = (now or utcnow()) - KEEP_SIDS_FOR
    return s.execute(delete(SmsInboundMessage).where(SmsInboundMessage.received_at < cutoff)).rowcount or 0


def record_media(
    s: Session, conversation_id: str, child_id: str | None, num_media: int, content_types: list[str],
    with_words: bool,
) -> SmsMediaArrival:
    """Record that a picture (or other media) arrived; the media is never fetched. Audited."""
    row = SmsMediaArrival(
        conversation_ref=audit.conversation_ref(conversation_id), child_id=child_id, num_media=num_media,
        content_types=", ".join(content_types)[:500] or None, with_words=1 if with_words else 0,
    )
    s.add(row)
    s.flush()
    audit.record(s, audit.actor_for(child_id, conversation_id), "create", "sms_media_arrival", row.id,
                 {"num_media": num_media})
    return row


def keep_number_on_alerts(s: Session, conversation_id: str, phone_token: str) -> list[int]:
    """Put the encrypted number on this SMS conversation's alerts that have none yet (an SMS conversation id is
    the number's keyed hash, so every alert of the conversation came from this number); returns their ids."""
    ref = audit.conversation_ref(conversation_id)
    ids = list(s.execute(select(SafeguardingAlert.id).where(
        SafeguardingAlert.conversation_ref == ref, SafeguardingAlert.channel == "sms",
        SafeguardingAlert.phone_encrypted.is_(None),
    )).scalars())
    if ids:
        s.execute(update(SafeguardingAlert).where(SafeguardingAlert.id.in_(ids)).values(phone_encrypted=phone_token))
        for alert_id in ids:
            audit.record(s, audit.conversation_actor(conversation_id), "update", "safeguarding_alert", alert_id,
                         {"phone_kept": True})
    return ids
