"""The SMS send queue (``outbound_messages``, migration 0016): rules on its rows. Takes a Session, never commits.

A turn (or a message Heard sends first) becomes one row per text message, in order. Workers
(``bot.channels.sms_sender``) claim rows through ``bot.usecases.sms_outbound``:

* **In order per number**: a row is claimable only when no earlier row for the same number (keyed hash) is
  still queued or being sent, so a part waiting for a retry holds back the later parts of that number only.
* **Once**: a claim sets ``status='sending'`` with a lease; on PostgreSQL the candidates are read with
  ``SELECT ... FOR UPDATE SKIP LOCKED`` and on both databases the claim is a compare-and-set ``UPDATE`` (a row
  another worker took first is skipped). A claim whose lease ran out (the worker died) is taken again, so a
  text is sent at least once; Twilio's message id is stored when it is accepted.
* **Retries**: 429 and 5xx (and timeouts) go back to ``queued`` with a later ``next_attempt_at`` (backoff);
  any other 4xx fails the row. After ``MAX_ATTEMPTS`` the row fails.
* **Nothing kept**: the sealed number and words are blanked once a row is settled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot import keys
from bot.db.outbound_models import OutboundMessage
from bot.db.base import utcnow
from bot.services import children, phone_vault

MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=60)  # longer than a Twilio call can take (10 s timeout)
ACTIVE = ("queued", "sending")


@dataclass(frozen=True)
class ClaimedText:
    """A claimed row, opened for sending (lives in memory only for the call to Twilio)."""

    id: int
    phone: str | None
    body: str
    options: list[dict[str, str]] | None  # None: leave the remembered options; []: forget them
    attempts: int
    opted_out: bool


def seal(text: str) -> str:
    return keys.fernet_for("sms-outbox").encrypt(text.encode()).decode()


def unseal(token: str | None) -> str:
    return keys.fernet_for("sms-outbox").decrypt(token.encode()).decode() if token else ""


def add_texts(
    s: Session,
    phone: str,
    parts: list[str],
    options: list[dict[str, str]] | None,
    *,
    kind: str,
    child_id: str | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> list[OutboundMessage]:
    """Queue `parts` (in order) to `phone`. The last part carries `options` (what "1", "2" will mean once it
    is accepted; ``[]`` forgets earlier ones). Raises ``ValueError`` when `phone` is not a phone number."""
    sealed_phone = phone_vault.encrypt_phone(phone)
    phone_hash = children.any_phone_hash(phone)
    when = not_before or utcnow()
    rows = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        rows.append(
            OutboundMessage(
                channel="sms",
                status="queued",
                kind=kind,
                dedupe_key=dedupe_key if i == 0 else None,
                child_id=child_id,
                phone_hash=phone_hash,
                phone_encrypted=sealed_phone,
                body_encrypted=seal(part),
                options_json=json.dumps(options or []) if last and options is not None else None,
                next_attempt_at=when,
            )
        )
    s.add_all(rows)
    s.flush()
    return rows


def _claimable(now: datetime, with_options: bool):
    earlier = aliased(OutboundMessage)
    # In order per number: an earlier text being sent, retried, or due blocks a later one. A text held for later
    # and never tried (quiet hours: an outreach message waiting for 08:00) does not: the answers to what the child
    # texts now must not wait for the morning behind it.
    held = and_(earlier.status == "queued", earlier.attempts == 0, earlier.next_attempt_at > now)
    blocked = exists().where(
        and_(
            earlier.phone_hash == OutboundMessage.phone_hash,
            earlier.id < OutboundMessage.id,
            earlier.channel == "sms",
            earlier.status.in_(ACTIVE),
            ~held,
        )
    )
    ready = or_(
        and_(OutboundMessage.status == "queued", OutboundMessage.next_attempt_at <= now),
        and_(OutboundMessage.status == "sending", OutboundMessage.lease_until < now),
    )
    query = select(OutboundMessage.id).where(OutboundMessage.channel == "sms", ready, ~blocked)
    if not with_options:
        query = query.where(OutboundMessage.options_json.is_(None))
    return query.order_by(OutboundMessage.id)


def claim(s: Session, worker: str, *, now: datetime | None = None, with_options: bool = True,
          limit: int = 1) -> list[ClaimedText]:
    """Claim up to `limit` rows that may be sent now, oldest first, at most one per number. `with_options=False`
    leaves rows that carry options to a worker that can remember them."""
    now = now or utcnow()
    query = _claimable(now, with_options).limit(limit * 4)
    if s.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=OutboundMessage)
    ids = list(s.execute(query).scalars())
    claimed: list[ClaimedText] = []
    numbers: set[str] = set()
    for row_id in ids:
        if len(claimed) >= limit:
            break
        row = s.get(OutboundMessage, row_id)
        if row is None or row.phone_hash in numbers:
            continue
        taken = s.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id == row_id, OutboundMessage.status == row.status,
                   OutboundMessage.attempts == row.attempts, OutboundMessage.claimed_by == row.claimed_by)
            .values(status="sending", claimed_by=worker, lease_until=now + LEASE)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            continue
        numbers.add(row.phone_hash or "")
        claimed.append(_opened(s, row))
    return claimed


def _opened(s: Session, row: OutboundMessage) -> ClaimedText:
    from bot.services import sms_opt_outs

    phone = phone_vault.decrypt_phone(row.phone_encrypted)
    return ClaimedText(
        id=row.id,
        phone=phone,
        body=unseal(row.body_encrypted),
        options=json.loads(row.options_json) if row.options_json is not None else None,
        attempts=row.attempts,
        opted_out=phone is None or sms_opt_outs.number_is_opted_out(s, phone),
    )


def _settle(s: Session, row_id: int, worker: str, **values: object) -> bool:
    """Change a row this worker holds; False when it no longer holds it (its lease ran out and another took it)."""
    return s.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == row_id, OutboundMessage.status == "sending", OutboundMessage.claimed_by == worker)
        .values(lease_until=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def mark_sent(s: Session, row_id: int, worker: str, *, provider_id: str | None, segments: int) -> bool:
    """Twilio accepted the text: blank the number and the words."""
    return _settle(s, row_id, worker, status="sent", sent_at=utcnow(), provider_id=(provider_id or "")[:64],
                   segments=segments, phone_encrypted=None, body_encrypted=None, error_code=None)


def mark_dropped(s: Session, row_id: int, worker: str) -> bool:
    """Not sent: the number opted out (STOP) or cannot be opened."""
    return _settle(s, row_id, worker, status="dropped", phone_encrypted=None, body_encrypted=None)


def mark_failed(s: Session, row_id: int, worker: str, *, error_code: str) -> bool:
    """Twilio refused it for good (a 4xx other than 429, or too many attempts)."""
    return _settle(s, row_id, worker, status="failed", error_code=error_code[:20], phone_encrypted=None,
                   body_encrypted=None, attempts=OutboundMessage.attempts + 1)


def mark_retry(s: Session, row_id: int, worker: str, *, error_code: str, delay: float) -> bool:
    """Try again after `delay` seconds (429, 5xx, a timeout); fails the row after MAX_ATTEMPTS."""
    row = s.get(OutboundMessage, row_id)
    if row is not None and row.attempts + 1 >= MAX_ATTEMPTS:
        return mark_failed(s, row_id, worker, error_code=error_code)
    return _settle(s, row_id, worker, status="queued", error_code=error_code[:20], claimed_by=None,
                   attempts=OutboundMessage.attempts + 1, next_attempt_at=utcnow() + timedelta(seconds=delay))


def pending_count(s: Session) -> int:
    """SMS rows still to send (queued or being sent), for tests and the bench."""
    from sqlalchemy import func

    return s.execute(
        select(func.count()).select_from(OutboundMessage).where(
            OutboundMessage.channel == "sms", OutboundMessage.status.in_(ACTIVE))
    ).scalar_one()
