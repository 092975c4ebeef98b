"""The one way Heard speaks to a child first (a change in their request, a proposed match, a reminder).

Call ``queue_for_child`` inside your use case's transaction (it takes the Session and never commits); it is
delivered only if that transaction commits::

    with session_scope() as s:
        referral = referrals.allocate(s, ...)
        child_messages.queue_for_child(
            s, referral.child_id, render("progress_allocated", name="Sam")["text"],
            kind="progress", dedupe_key=f"progress:referral:{referral.id}:allocated",
        )

What it does:

* **The child's channel.** By SMS when the child's record has a phone number (``Child.phone_encrypted``) with
  the child's agreement recorded (``Child.sms_consent_at``) and the number has not opted out (STOP:
  ``bot.services.sms_opt_outs``); the text goes through the SMS send queue (``bot.services.outbound_queue``,
  sent by the workers of ``bot.channels.sms_sender``, retried, in order) and starts with the lock-screen-safe
  header, so nothing about the message shows on a shared phone. Otherwise it waits in the web widget and is
  shown the next time the child opens it (``take_waiting_for_web``). A child who said STOP gets nothing by SMS;
  the message still waits in the widget.
* **Quiet hours.** With ``quiet_hours=True`` (the default) an SMS is never sent between 21:00 and 08:00 UK time:
  one queued in that time is held until 08:00. Use ``quiet_hours=False`` only for an answer the child is waiting
  for right now.
* **Exactly once per ``dedupe_key``**, even when several servers run the same job at the same moment: the key is
  unique in the database; a second call with the same key does nothing and returns ``"duplicate"``. Make the key
  say what the message is about and which change ("progress:referral:12:allocated",
  "outreach:review:c_ab12:2027-01-15"), never a timestamp of "now".
* ``text`` must be Heard's own words (the message catalogue), never a child's words or a staff member's free
  text; ``buttons`` (``{"title", "payload"}`` as in the catalogue) become numbered options by SMS, remembered
  only once the text carrying them has been accepted by Twilio.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, Literal, Mapping, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.channels import sms_turn
from bot.db.base import utcnow
from bot.db.models import Child
from bot.db.outbound_models import OutboundMessage
from bot.services import outbound_queue, phone_vault, sms_opt_outs

LONDON = ZoneInfo("Europe/London")
QUIET_FROM_HOUR = 21  # 21:00 UK time
QUIET_UNTIL_HOUR = 8  # 08:00 UK time

Queued = Literal["sms", "sms_held", "web", "duplicate"]


def quiet_until(now: datetime) -> datetime | None:
    """When the quiet hours around `now` end (08:00 UK time), or None when `now` is not in them."""
    local = now.astimezone(LONDON)
    if QUIET_UNTIL_HOUR <= local.hour < QUIET_FROM_HOUR:
        return None
    day = local.date() if local.hour < QUIET_UNTIL_HOUR else local.date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, QUIET_UNTIL_HOUR, tzinfo=LONDON)


def sms_number(s: Session, child: Child) -> str | None:
    """The number Heard may text this child at: on the register, with consent recorded, not opted out."""
    if not child.phone_encrypted or child.sms_consent_at is None or child.sms_opted_out:
        return None
    phone = phone_vault.decrypt_phone(child.phone_encrypted)
    if phone is None or sms_opt_outs.number_is_opted_out(s, phone):
        return None
    return phone


def _already(s: Session, dedupe_key: str) -> bool:
    found = s.execute(select(OutboundMessage.id).where(OutboundMessage.dedupe_key == dedupe_key)).first()
    return found is not None


def _web_row(child_id: str, text: str, buttons: list[dict[str, str]], kind: str, dedupe_key: str) -> OutboundMessage:
    return OutboundMessage(
        channel="web", status="waiting", kind=kind, dedupe_key=dedupe_key, child_id=child_id,
        body_encrypted=outbound_queue.seal(text), options_json=json.dumps(buttons) if buttons else None,
    )


def queue_for_child(
    s: Session,
    child_id: str,
    text: str,
    *,
    kind: str,
    dedupe_key: str,
    quiet_hours: bool = True,
    buttons: Sequence[Mapping[str, Any]] | None = None,
    now: datetime | None = None,
) -> Queued:
    """Queue `text` for the child on their channel, once per `dedupe_key` (see the module docstring).

    Returns ``"sms"`` (queued to send now), ``"sms_held"`` (held until 08:00 UK time), ``"web"`` (waiting in the
    widget) or ``"duplicate"`` (this key was queued before: nothing done). Raises ``LookupError`` for an
    unknown child and ``ValueError`` for an empty text or key."""
    if not text.strip() or not dedupe_key.strip():
        raise ValueError("a message to a child needs words and a dedupe key")
    child = s.get(Child, child_id)
    if child is None:
        raise LookupError("no such child")
    if _already(s, dedupe_key):
        return "duplicate"
    now = now or utcnow()
    options = sms_turn.options_of(buttons)
    phone = sms_number(s, child)
    held = quiet_until(now) if quiet_hours and phone else None
    try:
        with s.begin_nested():
            if phone is None:
                s.add(_web_row(child.id, text, options, kind, dedupe_key))
                s.flush()
            else:
                turn = sms_turn.compose([(text, options)])
                outbound_queue.add_texts(s, phone, turn.parts, options or None, kind=kind, child_id=child.id,
                                         dedupe_key=dedupe_key, not_before=held or now)
    except IntegrityError:  # another server queued the same key at the same moment
        return "duplicate"
    if phone is None:
        return "web"
    return "sms_held" if held else "sms"


def take_waiting_messages(s: Session, child_id: str) -> list[dict[str, Any]]:
    """The messages waiting in the widget for this child, oldest first, as ``{"text", "buttons"}``; each is
    marked shown (and its sealed words blanked), so it is shown once."""
    rows = s.execute(
        select(OutboundMessage)
        .where(OutboundMessage.child_id == child_id, OutboundMessage.channel == "web",
               OutboundMessage.status == "waiting")
        .order_by(OutboundMessage.id)
        .with_for_update()
    ).scalars().all()
    out = []
    for row in rows:
        out.append({"text": outbound_queue.unseal(row.body_encrypted),
                    "buttons": json.loads(row.options_json) if row.options_json else []})
        row.status, row.sent_at, row.body_encrypted = "shown", utcnow(), None
    s.flush()
    return out


def take_waiting_for_web(s: Session, child_id: str) -> list[str]:
    """The words of the messages waiting in the widget for this child, oldest first; marks them shown."""
    return [m["text"] for m in take_waiting_messages(s, child_id)]
