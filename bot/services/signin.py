"""Web sign-in: a member of staff makes a one-time code; the child types it into the chat once.

The code (``new_code``): 8 characters from ``ALPHABET``, digits and capital letters without look-alikes
(no 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V), shown grouped as ``K7QM-4TXR``. Typed in any case; spaces and dashes
are ignored, and a letter that looks like a digit in the code is read as that digit (``normalise_code``).
About 38 bits: 27^8 = 2.8e11 codes.

Stored only as a keyed hash and looked up by it (one indexed query, never a loop over live codes); valid
for 30 minutes; single use (claimed by a conditional UPDATE, so two servers cannot both use it).

Wrong codes (``SignInFailure`` rows, kept a day) are limited per client address (an HMAC of it; 10 in 15
minutes) and across the whole deployment (100 an hour: ``SignInPaused``), in the database so every server
shares the count. Nothing the browser chooses (a conversation id, a header other than the proxy's address) is a key.
A burst (20 wrong codes in 10 minutes across the deployment) tells the admins once
(``bot.services.security_alerts``).

A staff member can cancel an unused code, or end the link between the child and the conversation a code
signed in (``end_code``): that conversation is no longer the child (``conversation_ended`` says so to the
chat, which then starts a new, anonymous conversation).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.db.models import Child, ConversationLink, SignInCode, SignInFailure, StaffUser, utcnow
from bot.services import audit, security_alerts
from bot.services.children import get_child, link_conversation
from bot.services.errors import InvalidCode, InvalidTransition, NotFound, RateLimited

__all__ = [
    "ALPHABET",
    "CODE_LENGTH",
    "CODE_TTL",
    "InvalidCode",
    "RateLimited",
    "SignInPaused",
    "decide_earlier",
    "end_code",
    "format_code",
    "hold_earlier",
    "issue_code",
    "normalise_code",
    "redeem_code",
    "web_conversation_status",
]

ALPHABET = "23456789ACDEFGHJKMNPQRTUWXY"
CODE_LENGTH = 8
GROUP = 4
CODE_TTL = timedelta(minutes=30)
ADDRESS_LIMIT = 10  # wrong codes from one address (a children's home shares one) ...
ADDRESS_WINDOW = timedelta(minutes=15)
DEPLOYMENT_LIMIT = 100  # ... and from everywhere together (ASVS 2.2.1: at most 100 failures an hour)
DEPLOYMENT_WINDOW = timedelta(hours=1)
FAILURES_KEPT = timedelta(days=1)
# A look-alike typed for a character of the alphabet is read as it (they are never in a code themselves).
LOOK_ALIKES = str.maketrans({"B": "8", "S": "5", "Z": "2", "V": "U"})
CODE_RE = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")



class SignInPaused(RateLimited):
    """Too many wrong codes across the whole deployment: sign-in rests for everyone for a while."""


SIGNED_IN = "signed_in"
ANONYMOUS = "anonymous"
ENDED = "ended"


def new_code() -> str:
    """A fresh random code, not grouped (``format_code`` groups it for people)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """``K7QMTXR4`` -> ``K7QM-TXR4``: easier to read aloud and copy."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise_code(typed: object) -> str | None:
    """The code as stored, from what a child typed (any case, spaces and dashes); None when it cannot be one."""
    if not isinstance(typed, str) or len(typed) > 40:
        return None
    code = re.sub(r"[\s\-\u2010-\u2015]", "", typed).upper().translate(LOOK_ALIKES)
    return code if CODE_RE.fullmatch(code) else None


def _code_hash(code: str) -> str:
    return audit.keyed_hash("signin-code", code)


def _staff(s: Session, username: str) -> StaffUser:
    staff = s.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
    if staff is None or not staff.active:
        raise NotFound("no such active staff user")
    return staff


def issue_code(
    s: Session,
    child_id: str,
    issued_by: str | None,
    *,
    ttl: timedelta = CODE_TTL,
    now: datetime | None = None,
) -> str:
    """A new code for ``child_id``, grouped (``K7QM-4TXR``) to show once; only its keyed hash is stored.

    ``issued_by`` is a staff username (or None for the system/CLI)."""
    now = now or utcnow()
    child = get_child(s, child_id)
    staff = _staff(s, issued_by) if issued_by else None
    while True:  # a clash with any code ever made is astronomically rare; never reuse a hash
        code = new_code()
        code_hash = _code_hash(code)
        if s.execute(select(SignInCode.id).where(SignInCode.code_hash == code_hash)).first() is None:
            break
    row = SignInCode(
        code_hash=code_hash,
        child_id=child.id,
        issued_by_id=staff.id if staff else None,
        created_at=now,
        expires_at=now + ttl,
    )
    s.add(row)
    s.flush()
    actor = audit.staff_actor(staff.username) if staff else "system"
    audit.record(s, actor, "create", "sign_in_code", row.id, {"child": child.id})
    return format_code(code)


def address_key(address: str) -> str:
    """What is stored for a client address (an HMAC; the address itself is never kept)."""
    return audit.keyed_hash("signin-address", address)


def _failures_since(s: Session, since: datetime, key: str | None = None) -> int:
    query = select(func.count(SignInFailure.id)).where(SignInFailure.at > since)
    if key is not None:
        query = query.where(SignInFailure.address_key == key)
    return int(s.execute(query).scalar_one())


def check_limits(s: Session, key: str, now: datetime) -> None:
    """``RateLimited`` when this address, or the deployment as a whole, has had too many wrong codes."""
    if _failures_since(s, now - ADDRESS_WINDOW, key) >= ADDRESS_LIMIT:
        raise RateLimited("too many wrong codes from this address; wait 15 minutes")
    if _failures_since(s, now - DEPLOYMENT_WINDOW) >= DEPLOYMENT_LIMIT:
        raise SignInPaused("too many wrong codes everywhere; sign-in rests for up to an hour")


def _record_failure(s: Session, key: str, now: datetime) -> None:
    s.add(SignInFailure(address_key=key, at=now))
    audit.record(s, "system:web-signin", "signin_failed", "sign_in_code", None, {"address": key[:12]})
    s.flush()
    s.execute(delete(SignInFailure).where(SignInFailure.at < now - FAILURES_KEPT))
    security_alerts.note_signin_failure(s, now)


def _claim(s: Session, code: str | None, now: datetime) -> SignInCode | None:
    """The live code with this hash, marked used by this transaction; None if there is none."""
    if code is None:
        return None
    row = s.execute(select(SignInCode).where(SignInCode.code_hash == _code_hash(code))).scalars().first()
    if row is None or row.used_at is not None or row.ended_at is not None or row.expires_at <= now:
        return None
    claimed = s.execute(
        update(SignInCode)
        .where(SignInCode.id == row.id, SignInCode.used_at.is_(None), SignInCode.ended_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None  # another server used it a moment ago
    s.refresh(row)
    return row


def redeem_code(
    s: Session,
    code: str,
    conversation_id: str,
    address: str,
    *,
    channel: str = "web",
    now: datetime | None = None,
) -> Child:
    """Use a code: link ``conversation_id`` (a new, server-made id) to its child and return the child.

    Raises ``RateLimited`` while ``address`` (or ``SignInPaused`` while the deployment) is over its limit
    (even for the right code),
    ``InvalidCode`` for anything else that is not a live code (wrong, malformed, expired, used, cancelled).
    Before ``InvalidCode`` is raised the failure (and its audit event) is added to ``s``: the caller must
    still commit it, or the limits do not count it (``bot.usecases.signin.redeem_sign_in_code`` does)."""
    now = now or utcnow()
    key = address_key(address)
    check_limits(s, key, now)
    row = _claim(s, normalise_code(code), now)
    if row is None:
        _record_failure(s, key, now)
        raise InvalidCode("that code did not work")
    child = row.child
    link_conversation(s, conversation_id, child, channel)
    row.conversation_ref = audit.conversation_ref(conversation_id)
    s.flush()
    audit.record(s, audit.child_actor(child.id), "update", "sign_in_code", row.id, {"used": True})
    return child


def _code_of_conversation(s: Session, conversation_id: str) -> SignInCode | None:
    ref = audit.conversation_ref(conversation_id)
    return s.execute(
        select(SignInCode).where(SignInCode.conversation_ref == ref).order_by(SignInCode.id.desc())
    ).scalars().first()


def hold_earlier(s: Session, conversation_id: str, earlier_conversation_id: str) -> bool:
    """Keep the conversation from before sign-in aside until the child says whether it was theirs.

    True when there is something to ask: the earlier conversation is not linked to any child (one that is,
    e.g. another child's on a shared tablet, is never offered) and was not ended."""
    row = _code_of_conversation(s, conversation_id)
    if row is None or earlier_conversation_id == conversation_id:
        return False
    earlier_ref = audit.conversation_ref(earlier_conversation_id)
    linked = s.execute(
        select(ConversationLink.id).where(ConversationLink.conversation_ref == earlier_ref)
    ).first()
    if linked is not None or _ended(s, earlier_ref):
        return False
    row.earlier_ref = earlier_ref
    s.flush()
    return True


def decide_earlier(s: Session, conversation_id: str, earlier_conversation_id: str, keep: bool) -> bool:
    """The child's answer about the earlier conversation (once). With ``keep`` it is linked to the child and
    the signed-in one (never used) is let go; otherwise the earlier one stays anonymous. True when linked."""
    row = _code_of_conversation(s, conversation_id)
    earlier_ref = audit.conversation_ref(earlier_conversation_id)
    if row is None or row.earlier_ref != earlier_ref or row.ended_at is not None:
        return False
    other = s.execute(
        select(ConversationLink.child_id).where(ConversationLink.conversation_ref == earlier_ref)
    ).scalar_one_or_none()
    if other is not None and other != row.child_id:
        return False  # linked to someone else since: never move it
    decided = s.execute(
        update(SignInCode)
        .where(SignInCode.id == row.id, SignInCode.earlier_decided_at.is_(None))
        .values(earlier_decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:
        return False  # already answered
    s.refresh(row)
    actor = audit.child_actor(row.child_id)
    audit.record(s, actor, "update", "sign_in_code", row.id, {"kept_earlier_words": keep})
    if not keep:
        return False
    link_conversation(s, earlier_conversation_id, row.child_id, "web")
    s.execute(delete(ConversationLink).where(ConversationLink.conversation_ref == row.conversation_ref))
    row.conversation_ref = earlier_ref
    s.flush()
    return True


def _ended(s: Session, ref: str) -> bool:
    return s.execute(
        select(SignInCode.id).where(SignInCode.conversation_ref == ref, SignInCode.ended_at.is_not(None))
    ).first() is not None


def web_conversation_status(s: Session, conversation_id: str) -> str:
    """``signed_in`` (linked to a child), ``ended`` (its link was ended by staff: never continue it) or
    ``anonymous``."""
    ref = audit.conversation_ref(conversation_id)
    if _ended(s, ref):
        return ENDED
    linked = s.execute(select(ConversationLink.id).where(ConversationLink.conversation_ref == ref)).first()
    return SIGNED_IN if linked is not None else ANONYMOUS


def end_code(s: Session, child_id: str, code_id: int, actor: str, now: datetime | None = None) -> str:
    """Cancel an unused code, or end the link between the child and the conversation it signed in.

    Returns ``cancelled`` or ``ended``; ``NotFound`` when the code is not this child's, ``InvalidTransition``
    when there is nothing left to end (expired unused, or already ended). Audited."""
    now = now or utcnow()
    row = s.get(SignInCode, code_id)
    if row is None or row.child_id != child_id:
        raise NotFound("no such sign-in code")
    if row.ended_at is not None or (row.used_at is None and row.expires_at <= now):
        raise InvalidTransition("this code cannot be cancelled now")
    ended = s.execute(
        update(SignInCode)
        .where(SignInCode.id == row.id, SignInCode.ended_at.is_(None))
        .values(ended_at=now, ended_by=actor)
        .execution_options(synchronize_session=False)
    )
    if ended.rowcount != 1:
        raise InvalidTransition("this code cannot be cancelled now")
    s.refresh(row)
    outcome = "cancelled" if row.used_at is None else "ended"
    if row.conversation_ref is not None:
        links = s.execute(
            select(ConversationLink).where(
                ConversationLink.conversation_ref == row.conversation_ref, ConversationLink.child_id == child_id
            )
        ).scalars().all()
        for link in links:
            audit.record(s, actor, "update", "conversation_link", link.id, {"ended": True})
            s.delete(link)
    audit.record(s, actor, "update", "sign_in_code", row.id, {outcome: True})
    s.flush()
    return outcome
