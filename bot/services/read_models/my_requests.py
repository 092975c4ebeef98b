"""What a child sees of their own requests (issue 15 item 5): "What's happening with my advocate?".

One row per open or recent request of the child: advocacy referrals, visitor or mentor requests, complaints and
their visitor match, each with its status, the first name of an allocated advocate or a proposed visitor, and the
date they aim to be in touch by. Only the child's own records (the caller passes the conversation's child).
No words of the child, nothing about who else saw what.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AdvocacyReferral, VisitorMatch, VisitorRequest
from bot.db.routing_models import Complaint

SHOWN = 5  # the newest few of each kind


def _first_name(name: str | None) -> str | None:
    return (name or "").strip().split(" ")[0] or None


def my_requests(s: Session, child_id: str) -> list[dict[str, Any]]:
    """The child's requests, newest first within each kind: {"kind", "status", "name", "due"}."""
    rows: list[dict[str, Any]] = []
    referrals = s.scalars(select(AdvocacyReferral).where(AdvocacyReferral.child_id == child_id)
                          .order_by(AdvocacyReferral.created_at.desc()).limit(SHOWN)).all()
    rows += [{"kind": "advocate", "status": r.status, "name": r.advocate_first_name, "due": r.response_due}
             for r in referrals]
    matches = s.scalars(select(VisitorMatch).where(VisitorMatch.child_id == child_id)
                        .order_by(VisitorMatch.created_at.desc()).limit(SHOWN)).all()
    rows += [{"kind": "match", "status": m.status, "name": _first_name(m.visitor_name), "due": None} for m in matches]
    visitors = s.scalars(select(VisitorRequest).where(VisitorRequest.child_id == child_id)
                         .order_by(VisitorRequest.created_at.desc()).limit(SHOWN)).all()
    rows += [{"kind": "visitor", "status": v.status, "name": None, "due": None} for v in visitors]
    complaints = s.scalars(select(Complaint).where(Complaint.child_id == child_id)
                           .order_by(Complaint.created_at.desc()).limit(SHOWN)).all()
    rows += [{"kind": "complaint", "status": c.status, "name": None, "due": c.acknowledge_due} for c in complaints]
    return rows


def due_in_words(day: date | None) -> str:
    return f"{day:%A} {day.day} {day:%B}" if day else "soon"
