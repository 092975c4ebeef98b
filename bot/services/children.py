"""Children: who a conversation belongs to, phone matching (by HMAC only) and preferences."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AGE_BANDS, CHANNELS, READING_LEVELS, Child, ConversationLink, utcnow
from bot.services import audit, earlier_records
from bot.services.errors import InvalidChoice, NotFound

log = logging.getLogger(__name__)
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
PREFERENCE_KEYS = ("audio_on", "reading_level", "channel", "sms_opted_out")


def normalise_phone(phone: str) -> str:
    """E.164 form of a phone number (UK national numbers such as ``07700 900001`` become ``+447700900001``).

    Raises ``ValueError`` when it is not a plausible number. The error never repeats the number.
    """
    digits = re.sub(r"^(whatsapp|tel|sms):", "", (phone or "").strip(), flags=re.IGNORECASE)
    digits = re.sub(r"[\s\-().]", "", digits)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0") and len(digits) == 11:
        digits = "+44" + digits[1:]
    elif digits.startswith("44") and len(digits) == 12:
        digits = "+" + digits
    if not _E164.match(digits):
        raise ValueError("not a phone number")
    return digits


def hash_phone(phone: str) -> str:
    """HMAC-SHA256 (hex) of the E.164 number with the "phone" key (``bot.keys``): matched, never shown."""
    return audit.keyed_hash("phone", normalise_phone(phone))


def mask_phone(value: str | Child | None) -> str:
    """``•••• 123`` from a child, their stored last three digits, or a full number ('' when none)."""
    if isinstance(value, Child):
        value = value.phone_last3
    if not value:
        return ""
    last3 = value if re.fullmatch(r"\d{3}", value) else normalise_phone(value)[-3:]
    return f"•••• {last3}"


def get_child(s: Session, child_id: str) -> Child:
    child = s.get(Child, child_id)
    if child is None:
        raise NotFound("no such child")
    return child


def known_child_id(s: Session, child_id: str | None) -> str | None:
    """``child_id`` if that child exists, else None: a stale id (e.g. a purged record in an old conversation)
    must never make a child's submission or alert fail; it is then stored against the conversation only."""
    if not child_id:
        return None
    if s.get(Child, child_id) is None:
        log.warning("Unknown child id in a submission; storing it against the conversation only")
        return None
    return child_id


def create_child(
    s: Session,
    *,
    chosen_name: str,
    age_band: str,
    local_authority_id: int,
    actor: str,
    social_worker_id: int | None = None,
    iro_id: int | None = None,
    next_review_date: object | None = None,
    phone: str | None = None,
    reading_level: str | None = None,
    channel: str = "web",
) -> Child:
    """Add a child record (staff/admin action). ``phone`` is stored only as an HMAC and its last 3 digits."""
    if age_band not in AGE_BANDS:
        raise InvalidChoice("unknown age band")
    child = Child(
        chosen_name=chosen_name,
        age_band=age_band,
        local_authority_id=local_authority_id,
        social_worker_id=social_worker_id,
        iro_id=iro_id,
        next_review_date=next_review_date,
        reading_level=reading_level or ("younger" if age_band in ("8-10", "11-13") else "older"),
        channel=channel,
        audio_on=False,
        sms_opted_out=False,
        created_at=utcnow(),
    )
    if phone:
        child.phone_hash = hash_phone(phone)
        child.phone_last3 = normalise_phone(phone)[-3:]
    s.add(child)
    s.flush()
    audit.record(s, actor, "create", "child", child.id)
    return child


def set_phone(s: Session, child_id: str, phone: str | None, actor: str) -> Child:
    """Set (or clear, with None) the child's phone number for SMS matching."""
    child = get_child(s, child_id)
    if phone:
        child.phone_hash = hash_phone(phone)
        child.phone_last3 = normalise_phone(phone)[-3:]
    else:
        child.phone_hash = None
        child.phone_last3 = None
    audit.record(s, actor, "update", "child", child.id, {"fields": ["phone"]})
    return child


def child_for_conversation(s: Session, conversation_id: str) -> Child | None:
    """The child this conversation is linked to (web sign-in or SMS number match), or None."""
    ref = audit.conversation_ref(conversation_id)
    link = s.execute(
        select(ConversationLink).where(ConversationLink.conversation_ref == ref)
    ).scalar_one_or_none()
    return link.child if link is not None else None


SMS_SENDER_PREFIX = "sms-"


def any_phone_hash(phone: str) -> str:
    """``hash_phone`` for a number in any common format; a short code or odd sender id is hashed as it is."""
    try:
        return hash_phone(phone)
    except ValueError:
        return audit.keyed_hash("phone", phone.strip())


def sms_sender_id(phone: str) -> str:
    """The conversation id an SMS number is known by in Rasa: ``sms-`` and the number's keyed hash (the same
    HMAC as ``Child.phone_hash``), so no phone number is ever stored in the conversation store."""
    return SMS_SENDER_PREFIX + any_phone_hash(phone)


def channel_of_conversation(conversation_id: str) -> str:
    """The channel a record came in by (``sms`` for an SMS conversation id made by ``sms_sender_id``, else
    ``web``): stored on every referral, statement and visitor request (migration 0015)."""
    return "sms" if str(conversation_id).startswith(SMS_SENDER_PREFIX) else "web"


def match_sms_sender(s: Session, sender_id: str) -> Child | None:
    """The child whose phone matches an SMS conversation id made by ``sms_sender_id``, or None."""
    if not sender_id.startswith(SMS_SENDER_PREFIX):
        return match_phone(s, sender_id)
    phone_hash = sender_id[len(SMS_SENDER_PREFIX) :]
    return s.execute(select(Child).where(Child.phone_hash == phone_hash)).scalar_one_or_none()


def match_phone(s: Session, phone: str) -> Child | None:
    """The child whose stored phone HMAC matches ``phone`` (any common format), or None."""
    try:
        phone_hash = hash_phone(phone)
    except ValueError:
        return None
    return s.execute(select(Child).where(Child.phone_hash == phone_hash)).scalar_one_or_none()


def link_conversation(s: Session, conversation_id: str, child: Child | str, channel: str) -> ConversationLink:
    """Link a conversation to a child (idempotent; a conversation re-used by another child is re-linked)."""
    if channel not in CHANNELS:
        raise InvalidChoice("unknown channel")
    child_id = child.id if isinstance(child, Child) else child
    ref = audit.conversation_ref(conversation_id)
    link = s.execute(
        select(ConversationLink).where(ConversationLink.conversation_ref == ref)
    ).scalar_one_or_none()
    if link is not None and link.child_id == child_id:
        return link
    if link is None:
        link = ConversationLink(conversation_ref=ref, child_id=child_id, channel=channel, created_at=utcnow())
        s.add(link)
        s.flush()
        audit.record(
            s, audit.child_actor(child_id), "create", "conversation_link", link.id, {"channel": channel}
        )
    else:
        previous = link.child_id
        link.child_id = child_id
        link.channel = channel
        link.created_at = utcnow()
        s.flush()
        audit.record(
            s,
            audit.child_actor(child_id),
            "update",
            "conversation_link",
            link.id,
            {"relinked_from": previous},
        )
    earlier_records.give_to_child(s, ref, child_id, link.id)  # what it sent before sign-in is the child's too
    s.expire(link, ["child"])
    return link


def set_preferences(s: Session, child_id: str, **prefs: object) -> Child:
    """Change any of ``audio_on`` (bool), ``reading_level`` ('younger'|'older'), ``channel`` ('web'|'sms'),
    ``sms_opted_out`` (bool). Unknown keys or values raise ``InvalidChoice``."""
    unknown = set(prefs) - set(PREFERENCE_KEYS)
    if unknown:
        raise InvalidChoice(f"unknown preference {sorted(unknown)}")
    for key in ("audio_on", "sms_opted_out"):
        if key in prefs and not isinstance(prefs[key], bool):
            raise InvalidChoice(f"{key} must be true or false")
    if "reading_level" in prefs and prefs["reading_level"] not in READING_LEVELS:
        raise InvalidChoice("reading_level must be 'younger' or 'older'")
    if "channel" in prefs and prefs["channel"] not in CHANNELS:
        raise InvalidChoice("channel must be 'web' or 'sms'")
    child = get_child(s, child_id)
    changed = {k: v for k, v in prefs.items() if getattr(child, k) != v}
    for key, value in changed.items():
        setattr(child, key, value)
    if changed:
        audit.record(s, audit.child_actor(child.id), "update", "child", child.id, {"preferences": changed})
    return child
