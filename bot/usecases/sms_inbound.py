"""What the SMS channel asks the case database about an incoming text (issue 19), one transaction each.

* ``accept_text``: is this ``MessageSid`` new (a replay gets nothing), and is the number within its rate limit?
* ``record_picture``: a picture arrived (recorded, never fetched); optionally an alert for a picture whose words
  point at harm.
* ``keep_number``: the number, encrypted, on the conversation's SMS alerts, so a person can call back.

Failures: if the database cannot say whether a text is new, it is handled (a lost text is worse than a
repeated one); if it cannot count, the text is within the limit. Nothing about a number is logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.db.engine import session_scope
from bot.db.models import utcnow
from bot.services import children, sms_inbound
from bot.services.phone_vault import encrypt_phone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    first: bool  # False: this MessageSid was handled before
    texts_last_minute: int  # including this one


def accept_text(message_sid: str, phone: str) -> Verdict:
    """Claim ``message_sid`` (once, on every server) and count the number's texts in the last minute."""
    phone_hash = children.any_phone_hash(phone)
    try:
        with session_scope() as session:
            now = utcnow()
            first = sms_inbound.claim_message(session, message_sid, phone_hash, now)
            count = sms_inbound.texts_since(session, phone_hash, now - timedelta(minutes=1))
            if first and count == 1:  # now and then, not on every text
                sms_inbound.forget_old(session, now)
            return Verdict(first, count)
    except Exception as error:  # noqa: BLE001 - never lose a text because the bookkeeping failed
        logger.error("could not check an SMS message id: %s", type(error).__name__)
        return Verdict(True, 0)


def record_picture(phone: str, num_media: int, content_types: list[str], with_words: bool) -> None:
    """Record that a picture arrived from ``phone`` (for its conversation, and its child when known)."""
    sender = children.sms_sender_id(phone)
    try:
        with session_scope() as session:
            child = children.match_sms_sender(session, sender)
            sms_inbound.record_media(session, sender, child.id if child else None, num_media, content_types,
                                     with_words)
    except Exception as error:  # noqa: BLE001 - the child is still answered
        logger.error("could not record an SMS picture: %s", type(error).__name__)


def keep_number(phone: str) -> int:
    """Keep the number (encrypted) on this SMS conversation's alerts that have none; returns how many."""
    try:
        token = encrypt_phone(phone)
        with session_scope() as session:
            return len(sms_inbound.keep_number_on_alerts(session, children.sms_sender_id(phone), token))
    except Exception as error:  # noqa: BLE001 - the alert itself stands
        logger.error("could not keep the number on an SMS alert: %s", type(error).__name__)
        return 0


def raise_picture_alert(phone: str, text: str, category: str | None, cue: str | None) -> int | None:
    """An alert for a picture whose words point at harm (the picture itself is never fetched): for a person to
    call back, with the number kept encrypted. Returns the alert's id (None when it was spooled to disk)."""
    from bot.usecases.alerts import raise_safeguarding_alert

    sender = children.sms_sender_id(phone)
    child_id = None
    try:
        with session_scope() as session:
            child = children.match_sms_sender(session, sender)
            child_id = child.id if child else None
    except Exception as error:  # noqa: BLE001 - the alert is raised whatever happens
        logger.error("could not look up an SMS child for an alert: %s", type(error).__name__)
    return raise_safeguarding_alert(conversation_id=sender, child_id=child_id, channel="sms", text=text,
                                    category=category or "picture", cue=cue)
