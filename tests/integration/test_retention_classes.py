"""Retention by record class (issue 17), with frozen time (``now`` is passed in): the 75th birthday, a child
never looked after, records of no child, safeguarding records, legal holds, erasure, the dry run, transcripts
and the purge run once across servers."""

from __future__ import annotations

import json
import threading
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select, update

from bot.db.engine import session_scope
from bot.db.models import AdvocacyReferral, AuditEvent, Child, SafeguardingAlert, WishesStatement
from bot.db.tracker_db import tracker_scope
from bot.services import alerts, legal_holds, referrals, retention, transcripts, wishes
from bot.usecases import retention as retention_cases

WORDS = "nobody listens to me about moving school"


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)


def _records(s, child_id: str, key: str) -> None:
    referrals.submit_referral(
        s, idempotency_key=f"r-{key}", conversation_id=f"conv-{key}", child_id=child_id, reason="other",
        words=WORDS, contact_how=None, contact_when=None, tell_social_worker=False,
    )
    wishes.submit_statement(
        s, idempotency_key=f"w-{key}", conversation_id=f"conv-{key}", child_id=child_id, review_date=None,
        review_label=None, answers=[("going_well", "What is going well?", WORDS)], share_with=["iro"],
        drafted_at=None,
    )


def _child(engine, make_child, *, born: date | None, status: str | None = "looked_after") -> str:
    child = make_child()
    with session_scope(engine) as s:
        s.execute(update(Child).where(Child.id == child.id).values(date_of_birth=born, legal_status=status))
        _records(s, child.id, child.id)
    return child.id


def _count(engine, model) -> int:
    with session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def _purge(engine, now: datetime) -> dict:
    with session_scope(engine) as s:
        return retention.purge(s, "system:test", now=now)


def test_case_records_go_the_day_after_the_75th_birthday_and_not_before(engine, make_child):
    today = date.today()
    seventy_fifth = today + timedelta(days=3)
    child_id = _child(engine, make_child, born=retention.add_years(seventy_fifth, -75))
    kept = _purge(engine, _noon(seventy_fifth))
    assert kept["Test Borough Council"]["advocacy_referrals"] == 0
    assert _count(engine, AdvocacyReferral) == 1 and _count(engine, Child) == 1
    gone = _purge(engine, _noon(seventy_fifth + timedelta(days=1)))
    counts = gone["Test Borough Council"]
    assert (counts["advocacy_referrals"], counts["wishes_statements"], counts["children"]) == (1, 1, 1)
    assert _count(engine, AdvocacyReferral) == 0 and _count(engine, WishesStatement) == 0
    with session_scope(engine) as s:
        assert s.get(Child, child_id) is None
        events = s.execute(select(AuditEvent).where(AuditEvent.action == "purge")).scalars().all()
    assert events and all(WORDS not in (e.detail or "") for e in events)
    assert json.loads(events[-1].detail)["advocacy_referrals (no child)"] == 0  # counts only


def test_a_child_turning_75_today_in_the_data_goes_tomorrow(engine, make_child):
    today = date.today()
    turning = _child(engine, make_child, born=retention.add_years(today, -75))
    younger = _child(engine, make_child, born=retention.add_years(today, -75) + timedelta(days=1))
    _purge(engine, _noon(today))
    assert _count(engine, Child) == 2
    _purge(engine, _noon(today + timedelta(days=1)))
    with session_scope(engine) as s:
        assert s.execute(select(Child.id)).scalars().all() == [younger]
        assert s.get(Child, turning) is None


def test_never_looked_after_uses_the_councils_age_and_no_birth_date_the_age_band(engine, make_child, people):
    today = date.today()
    never = _child(engine, make_child, born=retention.add_years(today, -25), status="child_in_need")
    unknown = _child(engine, make_child, born=None)  # added today aged 11-13: kept until 75 - 11 = 64 years
    _purge(engine, _noon(today))
    assert _count(engine, Child) == 2
    _purge(engine, _noon(today + timedelta(days=1)))
    with session_scope(engine) as s:
        assert s.execute(select(Child.id)).scalars().all() == [unknown]
        child = s.get(Child, unknown)
        assert retention.case_records_until(child, retention.policy(s, people["la"].id)) == retention.add_years(
            child.created_at.date(), 64
        )
        retention.set_policy(s, people["la"].id, "staff:admin", never_looked_after_until_age=30)
        with pytest.raises(Exception, match="from 18 to 75"):
            retention.set_policy(s, people["la"].id, "staff:admin", never_looked_after_until_age=5)
    assert never


def test_legal_hold_stops_purge_and_erasure_until_released(engine, make_child):
    today = date.today()
    child_id = _child(engine, make_child, born=retention.add_years(today, -80))
    with session_scope(engine) as s:
        hold = legal_holds.place_hold(s, child_id, "Court order 123", "staff:admin.test")
    after = _noon(today + timedelta(days=1))
    assert _purge(engine, after)["Test Borough Council"]["advocacy_referrals"] == 0
    with session_scope(engine) as s:
        assert retention.purge_expired(s, 0, "system")["advocacy_referrals"] == 0
    with pytest.raises(legal_holds.OnLegalHold):
        retention_cases.erase_child("staff:admin.test", child_id, "asked by the young person")
    assert _count(engine, AdvocacyReferral) == 1
    with session_scope(engine) as s:
        legal_holds.release_hold(s, child_id, hold.id, "order discharged", "staff:admin.test")
        actions = [json.loads(e.detail).get("legal_hold") for e in s.execute(
            select(AuditEvent).where(AuditEvent.entity_id == child_id, AuditEvent.detail.like("%legal_hold%"))
        ).scalars()]
    assert actions == ["placed", "released"]
    assert _purge(engine, after)["Test Borough Council"]["advocacy_referrals"] == 1


def test_erasure_keeps_safeguarding_alerts_with_the_council(engine, make_child, people):
    child_id = _child(engine, make_child, born=date(2012, 5, 1))
    with session_scope(engine) as s:
        alerts.raise_alert(s, conversation_id="c1", child_id=child_id, channel="web", text="he hits me",
                           category="physical", cue="hits")
    counts = retention_cases.erase_child("staff:admin.test", child_id, "the young person asked")
    assert counts["advocacy_referrals"] == 1 and counts["safeguarding_alerts kept"] == 1
    assert _count(engine, WishesStatement) == 0
    with session_scope(engine) as s:
        assert s.get(Child, child_id) is None
        alert = s.execute(select(SafeguardingAlert)).scalar_one()
        assert (alert.child_id, alert.routed_council_id, alert.text) == (None, people["la"].id, "he hits me")


def test_safeguarding_and_anonymous_records_by_their_own_periods(engine, people):
    now = datetime.now(timezone.utc)
    with session_scope(engine) as s:
        for key, acknowledged in (("seen", True), ("unseen", False)):
            alert = alerts.raise_alert(s, conversation_id=key, child_id=None, channel="web", text="unsafe",
                                       category="risk", cue=None)
            alert.routed_council_id = people["la"].id
            if acknowledged:
                alerts.acknowledge(s, alert.id, "staff:duty", None)
        referral = referrals.submit_referral(
            s, idempotency_key="anon", conversation_id="anon", child_id=None, reason="other", words=WORDS,
            contact_how=None, contact_when=None, tell_social_worker=False,
        )
        referral.status, referral.routed_council_id = "closed", people["la"].id
    lapse = timedelta(days=365.25 * 25)
    assert _purge(engine, now + timedelta(days=2554))["Test Borough Council"]["advocacy_referrals (no child)"] == 0
    before = _purge(engine, now + lapse - timedelta(days=1))["Test Borough Council"]
    assert before["advocacy_referrals (no child)"] == 1  # 2,555 days after its last change
    assert before["safeguarding_alerts (no child)"] == 0
    counts = _purge(engine, now + lapse + timedelta(days=1))["Test Borough Council"]
    assert counts["safeguarding_alerts (no child)"] == 1  # the acknowledged one; nobody saw the other yet
    assert _count(engine, SafeguardingAlert) == 1


def test_dry_run_counts_what_would_go_and_deletes_nothing(engine, make_child):
    _child(engine, make_child, born=date(1940, 1, 1))
    preview = retention_cases.dry_run()
    assert preview["Test Borough Council"]["advocacy_referrals"] == 1
    assert preview["Test Borough Council"]["children"] == 1
    assert _count(engine, AdvocacyReferral) == 1 and _count(engine, Child) == 1
    with session_scope(engine) as s:
        assert s.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "purge")
                         ).scalar_one() == 0


def _events(sender: str, at: datetime, words: str = "hi") -> None:
    with tracker_scope() as conn:
        transcripts.EVENTS.create(conn, checkfirst=True)
        conn.execute(insert(transcripts.EVENTS).values(
            sender_id=sender, type_name="user", timestamp=at.timestamp(),
            data=json.dumps({"event": "user", "text": words}),
        ))


def _senders() -> list[str]:
    with tracker_scope() as conn:
        return sorted(conn.execute(select(transcripts.EVENTS.c.sender_id).distinct()).scalars())


def test_transcripts_go_30_days_after_the_last_message_unless_held(engine, make_child):
    from bot.services import children

    now = datetime.now(timezone.utc)
    held = make_child(name="Held")
    with session_scope(engine) as s:
        children.link_conversation(s, "held-conv", held.id, "web")
        legal_holds.place_hold(s, held.id, "litigation", "staff:admin")
    _events("anon-old", now - timedelta(days=2))
    _events("anon-new", now)
    _events("held-conv", now - timedelta(days=2))
    assert retention_cases.purge_due("t1", now=now + timedelta(days=27))["(transcripts)"]["conversations"] == 0
    result = retention_cases.purge_due("t1", now=now + timedelta(days=29))  # anon-old: 31 days
    assert result["(transcripts)"] == {"conversations": 1}
    assert _senders() == ["anon-new", "held-conv"]


def test_the_purge_runs_once_across_two_servers(engine, make_child):
    _child(engine, make_child, born=date(1940, 1, 1))
    results: dict[str, object] = {}
    gap = timedelta(hours=20)

    def server(name: str) -> None:
        results[name] = retention_cases.purge_due(name, min_gap=gap)

    threads = [threading.Thread(target=server, args=(f"web-{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
        time.sleep(0.01)
    for thread in threads:
        thread.join()
    ran = [name for name, result in results.items() if result is not None]
    assert len(ran) == 1, results
    with session_scope(engine) as s:
        purges = s.execute(select(AuditEvent).where(AuditEvent.action == "purge",
                                                    AuditEvent.entity_type == "transcripts")).scalars().all()
    assert len(purges) == 1
    assert retention_cases.purge_due("web-3", min_gap=gap) is None  # later the same day: already done
