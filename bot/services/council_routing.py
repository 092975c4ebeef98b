"""Which council a record from a child who is not signed in goes to.

A child not signed in may name their council ("Kent", "kent county council", "Lancshire"). Their referral,
visitor request, wishes statement or safeguarding alert is sent to that council only:

1. ``match_council``: the name the child typed, matched to one council's name, ignoring case, punctuation and
   the words "council", "county", "borough", "city", "district", "metropolitan", "of", "the"; a council's whole
   name inside a sentence ("I live in Kent") counts, and so does a small typo (a similarity of at least 0.85,
   names of 4 letters or more); so does a part of one council's name ("Hull" for Kingston upon Hull). Two
   councils equally likely: no match (never a guess between councils).
2. Else the council this conversation named before (an earlier referral or visitor request), so a disclosure
   after "I live in Kent" goes to Kent's duty team.
3. Else the record is *unrouted* (``routed_council_id`` None). Unrouted records are seen by the triage council
   (``triage_council_id``: ``HEARD_TRIAGE_COUNCIL``, or the only council when there is one); with several
   councils and none named for triage, by no team until an admin routes them (``route_record``).

A signed-in child's records are never routed: the child's own council counts.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.db.models import AdvocacyReferral, LocalAuthority, SafeguardingAlert, VisitorRequest, WishesStatement
from bot.db.routing_models import Complaint
from bot.services import audit
from bot.services.errors import NotFound

FILLER = frozenset(
    {"council", "county", "borough", "city", "district", "metropolitan", "of", "the", "cc", "mbc", "bc", "dc"}
)
SIMILAR_ENOUGH = 0.85
MIN_FUZZY_LENGTH = 4
MAX_TYPED = 200  # characters of what the child typed that are matched (a council's name is far shorter)
# Records a child not signed in can send; each is routed when stored.
ROUTED_MODELS = (AdvocacyReferral, SafeguardingAlert, VisitorRequest, WishesStatement)
# Those a team works from a queue (advocacy, duty): an admin routes these when they are unrouted.
QUEUED = {
    "advocacy_referral": AdvocacyReferral, "safeguarding_alert": SafeguardingAlert,
    # Issue 15: the IV co-ordinator's, the complaints team's and the advocacy service's anonymous queues.
    "visitor_request": VisitorRequest, "complaint": Complaint, "wishes_statement": WishesStatement,
}


def normalise(name: str) -> str:
    """Lower case, ``&`` as "and", no punctuation, without the filler words: "Kent County Council" -> "kent"."""
    words = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split()
    return " ".join(word for word in words if word not in FILLER)


def _best(scores: dict[int, float]) -> int | None:
    """The one council with the top score (None when none scored or two share it)."""
    if not scores:
        return None
    top = max(scores.values())
    winners = [council_id for council_id, score in scores.items() if score == top]
    return winners[0] if len(winners) == 1 else None


def _within(text: str, name: str) -> bool:
    return f" {name} " in f" {text} "


def _exact(text: str, names: dict[int, str]) -> dict[int, float]:
    return {council_id: 1.0 for council_id, name in names.items() if name == text}


def _named_inside(text: str, names: dict[int, str]) -> dict[int, float]:
    """Councils whose whole name is in the text; the longest wins ("north northamptonshire", not
    "northamptonshire")."""
    return {council_id: float(len(name)) for council_id, name in names.items() if _within(text, name)}


def _part_of_name(text: str, names: dict[int, str]) -> dict[int, float]:
    """Councils whose name has the text in it: "hull" is Kingston upon Hull; "north" is too many to say."""
    if len(text) < MIN_FUZZY_LENGTH:
        return {}
    return {council_id: 1.0 for council_id, name in names.items() if _within(name, text)}


def _similar(text: str, names: dict[int, str]) -> dict[int, float]:
    """Councils whose name is nearly the text (a typo: "lancshire")."""
    scores = {}
    for council_id, name in names.items():
        if min(len(name), len(text)) >= MIN_FUZZY_LENGTH:
            score = SequenceMatcher(None, text, name).ratio()
            if score >= SIMILAR_ENOUGH:
                scores[council_id] = score
    return scores


def match_council(typed: str | None, councils: dict[int, str]) -> int | None:
    """The id of the council ``typed`` names among ``councils`` (id -> name), or None. The first way of
    matching that finds any council decides: exactly, a whole name in the text, the text in one name, a typo."""
    text = normalise((typed or "")[:MAX_TYPED])
    names = {council_id: normalise(name) for council_id, name in councils.items()}
    names = {council_id: name for council_id, name in names.items() if name}
    if not text:
        return None
    for way in (_exact, _named_inside, _part_of_name, _similar):
        scores = way(text, names)
        if scores:
            return _best(scores)
    return None


def councils(s: Session) -> dict[int, str]:
    """Every council: id -> name."""
    return dict(s.execute(select(LocalAuthority.id, LocalAuthority.name)).all())


def _named_before(s: Session, conversation_ref: str) -> int | None:
    """The council this conversation's latest routed referral or visitor request went to."""
    latest: tuple[Any, int] | None = None
    for model in (AdvocacyReferral, VisitorRequest):
        row = s.execute(
            select(model.created_at, model.routed_council_id)
            .where(model.conversation_ref == conversation_ref, model.routed_council_id.is_not(None))
            .order_by(model.created_at.desc(), model.id.desc())
            .limit(1)
        ).first()
        if row is not None and (latest is None or row[0] > latest[0]):
            latest = (row[0], row[1])
    return latest[1] if latest else None


def route_anonymous(s: Session, named: str | None, conversation_ref: str) -> int | None:
    """The council a new record from a child not signed in goes to (None: unrouted; see the module)."""
    return match_council(named, councils(s)) or _named_before(s, conversation_ref)


def triage_council_id(s: Session) -> int | None:
    """The council that sees unrouted records: ``HEARD_TRIAGE_COUNCIL`` (a name, matched like a child's),
    else the only council when there is one, else None."""
    known = councils(s)
    configured = get_settings().review.triage_council
    if configured:
        return match_council(configured, known)
    return next(iter(known)) if len(known) == 1 else None


def route_record(s: Session, entity_type: str, record_id: int, council_id: int, actor: str) -> Any:
    """An admin sends an unrouted record to a council (``NotFound`` if it is not an unrouted record of a child
    not signed in, or the council does not exist); audited."""
    model = QUEUED.get(entity_type)
    record = s.get(model, record_id) if model is not None else None
    if record is None or record.child_id is not None or record.routed_council_id is not None:
        raise NotFound("no such unrouted record")
    if s.get(LocalAuthority, council_id) is None:
        raise NotFound("no such council")
    record.routed_council_id = council_id
    s.flush()
    audit.record(s, actor, "update", entity_type, record.id, {"routed_to_council": council_id})
    return record


def unrouted_count(s: Session) -> int:
    """How many referrals and alerts of children not signed in are waiting to be routed."""
    return sum(
        s.execute(
            select(func.count(model.id)).where(model.child_id.is_(None), model.routed_council_id.is_(None))
        ).scalar_one()
        for model in QUEUED.values()
    )
