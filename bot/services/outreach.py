"""Heard speaks first (issue 16): what a child should hear without having to open the chat, and when.

* **A proposed visitor match** waiting for the child's answer: "Someone might be your visitor. Do you want to
  hear about them?", leading into the match answer (``/check_match``).
* **Before each review** (the council's ``review_outreach_working_days``, default 10 working days, counted on
  England's working days): an invitation to share wishes and feelings and the offer of an advocate, and, if the
  child has a visitor or mentor, that they can say if they want to stop seeing them.
* **What an advocate is and how to get one**: with each review invitation, on entry to care (within
  ``ENTRY_WINDOW_DAYS``) and on a child protection plan; a record on the child's file says it was given
  (``InformationGiven``), as both procedures require.

By SMS a child has one question from Heard at a time (a reply "1" means the first option of the last text): a
second outreach text waits a day (``SMS_QUESTION_GAP``); in the widget each message keeps its own buttons.

Each message is Heard's own words from the message catalogue, sent through ``bot.services.child_messages`` (the
child's channel, STOP respected, held between 21:00 and 08:00, lock-screen-safe by SMS) with a dedupe key that
names the occasion, so a message is sent once however often the job runs and on however many servers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Child, VisitorMatch
from bot.db.outbound_models import OutboundMessage
from bot.db.outreach_models import InformationGiven
from bot.db.review_models import AuthoritySettings
from bot.services import child_messages
from bot.services.referrals import is_working_day

DEFAULT_REVIEW_WORKING_DAYS = 10
SMS_QUESTION_GAP = timedelta(hours=24)  # by SMS, one outreach question a day (see _an_earlier_text_is_open)
ENTRY_WINDOW_DAYS = 28  # a child who came into care in the last four weeks is told about advocacy


@dataclass(frozen=True)
class Due:
    """One message due to one child."""

    child_id: str
    message: str  # a name in bot/dialogue/messages.yml
    dedupe_key: str
    values: dict[str, Any] = field(default_factory=dict)
    info: tuple[str, date] | None = None  # (occasion, date) when this gives the advocacy information


def working_days_before(day: date, days: int) -> date:
    """The working day ``days`` working days before ``day`` (weekends and England's bank holidays skipped)."""
    current = day
    while days > 0:
        current -= timedelta(days=1)
        if is_working_day(current):
            days -= 1
    return current


def _review_days(s: Session, council_id: int) -> int:
    settings = s.get(AuthoritySettings, council_id)
    days = getattr(settings, "review_outreach_working_days", None) if settings else None
    return days or DEFAULT_REVIEW_WORKING_DAYS


def _active_visitor(s: Session, child_id: str) -> VisitorMatch | None:
    return s.execute(
        select(VisitorMatch).where(VisitorMatch.child_id == child_id, VisitorMatch.status == "appointed",
                                   VisitorMatch.ended_at.is_(None)).order_by(VisitorMatch.id.desc()).limit(1)
    ).scalar_one_or_none()


def _match_messages(s: Session) -> list[Due]:
    matches = s.execute(
        select(VisitorMatch).where(VisitorMatch.status == "proposed", VisitorMatch.ended_at.is_(None))
    ).scalars().all()
    return [Due(m.child_id, "outreach_match", f"outreach:match:{m.id}") for m in matches]


def _review_messages(s: Session, child: Child, today: date) -> list[Due]:
    review = child.next_review_date
    if review is None or not (working_days_before(review, _review_days(s, child.local_authority_id)) <= today
                              < review):
        return []
    when = f"{review.day} {review:%B}"
    due = [Due(child.id, "outreach_review", f"outreach:review:{child.id}:{review}", {"date": when},
               info=("review", review))]
    visitor = _active_visitor(s, child.id)
    if visitor is not None:
        due.append(Due(child.id, "outreach_review_visitor", f"outreach:visitor:{child.id}:{review}",
                       {"visitor": visitor.visitor_name}))
    return due


def _information_messages(child: Child, today: date) -> list[Due]:
    due = []
    came = child.entered_care_on
    if child.legal_status in (None, "looked_after") and came and 0 <= (today - came).days <= ENTRY_WINDOW_DAYS:
        due.append(Due(child.id, "outreach_advocacy", f"outreach:advocacy:entered_care:{child.id}:{came}",
                       info=("entered_care", came)))
    if child.legal_status == "child_protection":
        # The plan's start date is not on the register: the first day Heard sees the plan stands for it.
        due.append(Due(child.id, "outreach_advocacy", f"outreach:advocacy:cp_plan:{child.id}",
                       info=("cp_plan", today)))
    return due


def due_messages(s: Session, today: date) -> list[Due]:
    """Everything due today to every child on the register (already-sent ones are dropped by their key), the
    most pressing first: a proposed match, then the review, then the advocacy information."""
    due = _match_messages(s)
    children = s.execute(select(Child).where(Child.legal_status.is_distinct_from("care_leaver"))).scalars().all()
    for child in children:
        due += _review_messages(s, child, today)
        due += _information_messages(child, today)
    return due


def _record_information(s: Session, item: Due, channel: str) -> None:
    occasion, occasion_date = item.info  # type: ignore[misc]
    exists = s.execute(select(InformationGiven.id).where(
        InformationGiven.child_id == item.child_id, InformationGiven.topic == "advocacy",
        InformationGiven.occasion == occasion, InformationGiven.occasion_date == occasion_date)).first()
    if exists:
        return
    try:
        with s.begin_nested():
            s.add(InformationGiven(child_id=item.child_id, topic="advocacy", occasion=occasion,
                                   occasion_date=occasion_date, channel=channel))
    except IntegrityError:  # recorded by another server at the same moment
        pass


def _an_earlier_text_is_open(s: Session, item: Due, now: datetime) -> bool:
    """By SMS a reply of "1" means the first option of the LAST text, so a child has one question from Heard at a
    time: another outreach text due to go (or gone) in the last ``SMS_QUESTION_GAP`` keeps this one for a later
    run."""
    key = OutboundMessage.dedupe_key
    return s.execute(select(OutboundMessage.id).where(
        OutboundMessage.child_id == item.child_id, OutboundMessage.kind == "outreach",
        OutboundMessage.channel == "sms", OutboundMessage.next_attempt_at >= now - SMS_QUESTION_GAP,
        key.is_distinct_from(item.dedupe_key), ~key.like(f"{item.dedupe_key}#%"),
    ).limit(1)).first() is not None


def send(s: Session, item: Due, render: Any, now: datetime) -> str:
    """Queue one due message (``render(name, channel, **values)`` gives ``{"text", "buttons"}``); returns what
    ``child_messages.queue_for_child`` returned, or ``"later"`` when it waits for a later run (one question at a
    time by SMS: the most pressing first, as ``due_messages`` orders them). The advocacy information is recorded
    on the child's file when it was queued (not for a duplicate)."""
    child = s.get(Child, item.child_id)
    channel = "sms" if child is not None and child_messages.sms_number(s, child) else "web"
    message = render(item.message, channel, **item.values)
    if channel == "sms" and message["buttons"] and _an_earlier_text_is_open(s, item, now):
        return "later"
    result = child_messages.queue_for_child(s, item.child_id, message["text"], kind="outreach",
                                            dedupe_key=item.dedupe_key, buttons=message["buttons"], now=now)
    if item.info is not None and result != "duplicate":
        _record_information(s, item, "web" if result == "web" else "sms")
    return result


def information_given(s: Session, child_id: str) -> list[InformationGiven]:
    """The child's file: when they were told about advocacy, on which occasion, how."""
    return list(s.execute(select(InformationGiven).where(InformationGiven.child_id == child_id)
                          .order_by(InformationGiven.given_at)).scalars())
