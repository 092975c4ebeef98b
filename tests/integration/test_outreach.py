"""Heard speaks first (issue 16): the outreach job with frozen time — the review invitation on the right working
day (bank holidays skipped), a proposed match, advocacy information recorded on the child's file, nothing by
SMS at night (held until 08:00) or after STOP, and each message exactly once however often the job runs."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.db.engine import session_scope
from bot.db.models import Child, utcnow
from bot.db.outbound_models import OutboundMessage
from bot.db.outreach_models import InformationGiven
from bot.db.visitor_models import CHECK_KINDS
from bot.services import child_messages, outreach, phone_vault, sms_opt_outs, visitors
from bot.services.children import hash_phone
from bot.services.visitor_checks import record_checks
from bot.usecases.outreach import run_outreach

REVIEW = date(2027, 1, 14)  # a Thursday; 10 working days before it, skipping 28 Dec and 1 Jan: 30 Dec 2026
PHONE = "+447700900123"


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)  # winter: UK time is UTC


def _rows(engine, child_id: str) -> list[OutboundMessage]:
    with session_scope(engine) as s:
        return list(s.execute(select(OutboundMessage).where(OutboundMessage.child_id == child_id)
                              .order_by(OutboundMessage.id)).scalars())


def _keys(engine, child_id: str) -> set[str]:
    return {(r.dedupe_key or "").split("#")[0] for r in _rows(engine, child_id)}


@pytest.fixture
def sam(engine, make_child, session) -> str:
    child = make_child("Sam")
    child.next_review_date = REVIEW
    child.legal_status = "looked_after"
    session.commit()
    return child.id


def _texting(session, child_id: str) -> None:
    child = session.get(Child, child_id)
    child.phone_encrypted = phone_vault.encrypt_phone(PHONE)
    child.phone_hash = hash_phone(PHONE)
    child.sms_consent_at = utcnow()
    child.sms_consent_by = "staff:sw.test"
    session.commit()


def test_working_days_before_skip_weekends_and_bank_holidays():
    assert outreach.working_days_before(REVIEW, 10) == date(2026, 12, 30)
    assert outreach.working_days_before(date(2026, 12, 29), 1) == date(2026, 12, 24)  # not 28th (Boxing Day's)


def test_the_review_invitation_goes_on_the_right_working_day_once(engine, sam):
    assert run_outreach(_at(date(2026, 12, 29), 10)) == {}
    assert run_outreach(_at(date(2026, 12, 30), 10)) == {"web": 1}  # the invitation, with advocacy information
    assert _keys(engine, sam) == {f"outreach:review:{sam}:{REVIEW}"}
    assert run_outreach(_at(date(2026, 12, 31), 10)).get("web") is None  # already sent: nothing new
    assert run_outreach(_at(REVIEW, 10)) == {}  # on the day itself: too late to invite
    with session_scope(engine) as s:
        waiting = child_messages.take_waiting_messages(s, sam)
    assert "Your review meeting is on 14 January." in waiting[0]["text"]
    assert [b["payload"] for b in waiting[0]["buttons"]] == ["/share_wishes", "/request_advocate", "/deny"]
    with session_scope(engine) as s:
        given = s.execute(select(InformationGiven)).scalars().all()
        assert [(g.child_id, g.occasion, g.occasion_date, g.channel) for g in given] == [
            (sam, "review", REVIEW, "web")]


def test_a_child_with_a_visitor_is_asked_if_they_want_to_keep_seeing_them(engine, sam, session):
    match = visitors.propose_match(session, sam, "sw.test", "Priya", None)
    session.commit()
    run_outreach(_at(date(2026, 12, 1), 10))
    assert _keys(engine, sam) == {f"outreach:match:{match.id}"}
    with session_scope(engine) as s:
        (proposed,) = child_messages.take_waiting_messages(s, sam)
    assert proposed["text"].startswith("Someone might be your visitor.")
    assert proposed["buttons"][0]["payload"] == "/check_match"
    visitors.answer_match(session, match_id=match.id, idempotency_key="yes", accept=True)
    record_checks(session, match_id=match.id, completed={k: date(2026, 11, 2) for k in CHECK_KINDS},
                  actor="staff:iv.co")
    visitors.appoint(session, match.id, "staff:iv.co")
    session.commit()
    run_outreach(_at(date(2026, 12, 30), 10))
    with session_scope(engine) as s:
        texts = [m["text"] for m in child_messages.take_waiting_messages(s, sam)]
    assert any(t.startswith("Your visitor Priya is a grown-up friend") for t in texts)


def test_an_sms_child_gets_nothing_at_night_and_nothing_after_stop(engine, sam, session):
    _texting(session, sam)
    assert run_outreach(_at(date(2026, 12, 30), 22)) == {"sms_held": 1}
    rows = _rows(engine, sam)
    assert rows and all(r.channel == "sms" for r in rows)
    assert {r.next_attempt_at for r in rows} == {_at(date(2026, 12, 31), 8)}  # held until 08:00
    with session_scope(engine) as s:
        sms_opt_outs.set_opted_out(s, hash_phone(PHONE), True)
    match = visitors.propose_match(session, sam, "sw.test", "Priya", None)
    session.commit()
    # The review invitation was queued yesterday (a duplicate now); the match waits in the widget instead.
    assert run_outreach(_at(date(2026, 12, 31), 10)) == {"web": 1, "duplicate": 1}
    assert [r.channel for r in _rows(engine, sam) if f"match:{match.id}" in (r.dedupe_key or "")] == ["web"]


def test_by_sms_a_child_has_one_question_from_heard_at_a_time(engine, sam, session):
    """"1" means the first option of the last text: a match and a review invitation due together go a day apart,
    the match first; in the widget (each message with its own buttons) both wait at once."""
    _texting(session, sam)
    match = visitors.propose_match(session, sam, "sw.test", "Priya", None)
    session.commit()
    assert run_outreach(_at(date(2026, 12, 30), 10)) == {"sms": 1, "later": 1}
    assert _keys(engine, sam) == {f"outreach:match:{match.id}"}
    assert run_outreach(_at(date(2026, 12, 30), 16)) == {"duplicate": 1, "later": 1}  # still the same day
    assert run_outreach(_at(date(2026, 12, 31), 11)) == {"duplicate": 1, "sms": 1}  # a day on: the review
    assert _keys(engine, sam) == {f"outreach:match:{match.id}", f"outreach:review:{sam}:{REVIEW}"}


def test_in_the_widget_several_messages_wait_at_once(engine, sam, session):
    match = visitors.propose_match(session, sam, "sw.test", "Priya", None)
    session.commit()
    assert run_outreach(_at(date(2026, 12, 30), 10)) == {"web": 2}
    assert _keys(engine, sam) == {f"outreach:match:{match.id}", f"outreach:review:{sam}:{REVIEW}"}


def test_advocacy_information_on_entry_to_care_and_a_protection_plan_is_recorded(engine, make_child, session):
    today = date(2026, 11, 30)
    new = make_child("Ava")
    new.entered_care_on = today - timedelta(days=3)
    plan = make_child("Kai")
    plan.legal_status = "child_protection"
    long_ago = make_child("Leo")
    long_ago.entered_care_on = today - timedelta(days=400)
    session.commit()
    assert run_outreach(_at(today, 10)) == {"web": 2}
    run_outreach(_at(today + timedelta(days=1), 10))
    with session_scope(engine) as s:
        given = {(g.child_id, g.occasion) for g in s.execute(select(InformationGiven)).scalars()}
        assert given == {(new.id, "entered_care"), (plan.id, "cp_plan")}
        (text,) = child_messages.take_waiting_for_web(s, new.id)
    assert text.startswith("You can have an advocate.")
    assert _rows(engine, long_ago.id) == []


@pytest.mark.db
def test_two_servers_running_the_job_at_once_send_each_message_once(engine, sam, session, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("two servers against one PostgreSQL")
    match = visitors.propose_match(session, sam, "sw.test", "Priya", None)
    session.commit()
    now = _at(date(2026, 12, 30), 10)
    results: list[dict[str, int]] = []
    threads = [threading.Thread(target=lambda: results.append(run_outreach(now))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.get("web", 0) for r in results) == 2  # the match and the review invitation, once each
    assert sorted(r.dedupe_key for r in _rows(engine, sam)) == sorted(
        [f"outreach:match:{match.id}", f"outreach:review:{sam}:{REVIEW}"])
