"""Alembic: upgrade -> downgrade -> upgrade on an empty and a filled database; models match migrations."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from bot.db.engine import get_engine, session_scope
from alembic.script import ScriptDirectory

from bot.db.migrate import alembic_config, current_revision, downgrade, upgrade
from bot.db.models import metadata
from bot.services import alerts, referrals, visitors
from bot.services.seed import seed_demo

TABLES = set(metadata.tables)
ADDED_AFTER_0004 = {"sign_in_failures", "security_alerts", "safeguarding_concerns",  # 0006, 0009
                    "referral_origins", "statement_plan_marks",  # 0012
                    "alert_callbacks", "alert_viewers", "complaints",  # 0013
                    "sms_inbound_messages", "sms_media_arrivals", "outbound_messages",  # 0015, 0016
                    "job_leases", "legal_holds", "retention_policies",  # 0017
                    "visitor_checks", "visitor_considerations", "visitor_contacts", "information_given",  # 0018
                    "audit_checkpoints"}  # 0020
HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()  # one head: no branches


def _tables(url: str) -> set[str]:
    return set(inspect(get_engine(url)).get_table_names()) - {"alembic_version"}


def _fill(url: str) -> str:
    engine = get_engine(url)
    with session_scope(engine) as s:
        summary = seed_demo(s)
        child_id = summary["children"]["Jade"]
        referrals.submit_referral(
            s,
            idempotency_key="m1",
            conversation_id="c",
            child_id=child_id,
            reason="review",
            words="hi 👋",
            contact_how=None,
            contact_when=None,
            tell_social_worker=True,
        )
        alerts.raise_alert(
            s, conversation_id="c", child_id=child_id, channel="web", text="t", category="c", cue=None
        )
        visitors.answer_match(s, match_id=summary["match_id"], idempotency_key="a", accept=False)
    return child_id


def _assert_rules_work(url: str) -> None:
    """After a fresh upgrade the triggers are back: objected cannot become appointed."""
    engine = get_engine(url)
    child_id = _fill(url)
    with engine.connect() as conn:
        match_id = conn.execute(text("SELECT id FROM visitor_matches WHERE status = 'objected'")).scalar_one()
        conn.rollback()
        with pytest.raises(IntegrityError, match="objected"), conn.begin():
            conn.execute(
                text("UPDATE visitor_matches SET status = 'appointed' WHERE id = :i"), {"i": match_id}
            )
    assert child_id


def test_empty_database_up_down_up(db_url):
    upgrade(db_url)
    assert _tables(db_url) == TABLES
    assert current_revision(db_url) == HEAD
    downgrade(db_url, "base")
    assert _tables(db_url) == set()
    assert current_revision(db_url) is None
    upgrade(db_url)
    assert _tables(db_url) == TABLES
    _assert_rules_work(db_url)


def test_filled_database_up_down_up(db_url):
    upgrade(db_url)
    _fill(db_url)
    downgrade(db_url, "base")
    assert _tables(db_url) == set()
    upgrade(db_url)
    assert _tables(db_url) == TABLES
    _assert_rules_work(db_url)


def test_upgrade_twice_is_harmless(db_url):
    upgrade(db_url)
    upgrade(db_url)
    assert current_revision(db_url) == HEAD


def test_models_match_migrations(db_url):
    upgrade(db_url)
    with get_engine(db_url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_filled_database_steps_down_to_0002_and_back_keeping_records(db_url):
    upgrade(db_url)
    child_id = _fill(db_url)
    downgrade(db_url, "0002")
    assert current_revision(db_url) == "0002"
    with get_engine(db_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM safeguarding_alerts")).scalar() == 1
    upgrade(db_url)
    with get_engine(db_url).connect() as conn:
        row = conn.execute(text("SELECT reviews_held FROM children WHERE id = :i"), {"i": child_id}).one()
        kinds = conn.execute(text("SELECT DISTINCT kind FROM notification_outbox")).scalars().all()
    assert row.reviews_held == 0 and kinds == ["alert"]
    _assert_rules_work(db_url)


def test_filled_database_steps_down_to_0003_and_back_keeping_records(db_url):
    from bot.services import children, sms_opt_outs

    upgrade(db_url)
    child_id = _fill(db_url)
    with session_scope(get_engine(db_url)) as s:
        sms_opt_outs.set_opted_out(s, children.any_phone_hash("+447700900555"), True)
    downgrade(db_url, "0003")
    assert current_revision(db_url) == "0003"
    assert _tables(db_url) == TABLES - {"sms_opt_outs"} - ADDED_AFTER_0004
    with get_engine(db_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM safeguarding_alerts")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM children WHERE id = :i"), {"i": child_id}).scalar() == 1
    upgrade(db_url)
    assert current_revision(db_url) == HEAD and _tables(db_url) == TABLES
    with get_engine(db_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sms_opt_outs")).scalar() == 0
        conn.execute(text("INSERT INTO sms_opt_outs (phone_hash, opted_out_at) VALUES (:h, :t)"),
                     {"h": "a" * 64, "t": "2026-12-01 10:00:00"})
        with pytest.raises(IntegrityError), conn.begin_nested():
            conn.execute(text("INSERT INTO sms_opt_outs (phone_hash, opted_out_at) VALUES (:h, :t)"),
                         {"h": "a" * 64, "t": "2026-12-02 10:00:00"})
        conn.rollback()
    _assert_rules_work(db_url)


def test_0010_keeps_referral_history_and_triggers_and_steps_back_to_0009(db_url):
    """Issue 20: "withdrawn" is a status (SQLite copies the tables); no referral history row is lost on the
    way down or up, the objection triggers stay, and stepping back makes a withdrawn record closed."""
    upgrade(db_url)
    child_id = _fill(db_url)
    engine = get_engine(db_url)
    history_query = text("SELECT id, referral_id, to_status FROM referral_status_changes ORDER BY id")
    with engine.connect() as conn:
        history = conn.execute(history_query).all()
        conn.rollback()
        with conn.begin():
            conn.execute(text("UPDATE advocacy_referrals SET status = 'withdrawn'"))
    assert history
    downgrade(db_url, "0009")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT DISTINCT status FROM advocacy_referrals")).scalars().all() == ["closed"]
        assert conn.execute(history_query).all() == history
        assert "withdrawn_at" not in {c["name"] for c in inspect(conn).get_columns("wishes_statements")}
        conn.rollback()
    upgrade(db_url)
    with engine.connect() as conn:
        assert conn.execute(history_query).all() == history
        conn.rollback()
        with conn.begin():
            conn.execute(text("UPDATE advocacy_referrals SET status = 'withdrawn'"))
        with pytest.raises(IntegrityError), conn.begin():
            conn.execute(text("UPDATE advocacy_referrals SET status = 'gone'"))
    downgrade(db_url, "0006")  # 0007's downgrade still drops routed_council_id (SQLite: a column REFERENCES)
    upgrade(db_url)
    assert current_revision(db_url) == HEAD and child_id
    with engine.connect() as conn:
        assert conn.execute(history_query).all() == history
        match_id = conn.execute(text("SELECT id FROM visitor_matches WHERE status = 'objected'")).scalar_one()
        conn.rollback()
        with pytest.raises(IntegrityError, match="objected"), conn.begin():
            conn.execute(text("UPDATE visitor_matches SET status = 'appointed' WHERE id = :i"), {"i": match_id})


def test_0019_lets_a_request_be_not_sure_without_copying_the_table(db_url):
    """Issue 20: a visitor request may be "not sure" (visitor or mentor). The table is not copied, so a
    consideration keeps the request it points to, on the way up and down; stepping back to 0018 makes a
    not-sure request an independent visitor (the old schema's value), and 0018 refuses "not sure" again."""
    upgrade(db_url)
    child_id = _fill(db_url)
    engine = get_engine(db_url)
    with session_scope(engine) as s:
        request = visitors.request_visitor(s, idempotency_key="unsure", conversation_id="c", child_id=child_id,
                                           kind="not_sure", wishes="someone funny")
        request_id = request.id
    link = text("SELECT request_id FROM visitor_considerations")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO visitor_considerations (child_id, request_id, should_have, reason, decided_by, decided_role,"
            " decided_at) VALUES (:c, :r, :y, 'talk it over', 'sw.amara', 'social_worker', '2026-12-01 10:00:00')"),
            {"c": child_id, "r": request_id, "y": True})
    downgrade(db_url, "0018")
    with engine.connect() as conn:
        kind = conn.execute(text("SELECT kind FROM visitor_requests WHERE id = :i"), {"i": request_id}).scalar_one()
        assert kind == "independent_visitor" and conn.execute(link).scalars().all() == [request_id]
        conn.rollback()
        with pytest.raises(IntegrityError), conn.begin():
            conn.execute(text("UPDATE visitor_requests SET kind = 'not_sure'"))
    upgrade(db_url)
    assert current_revision(db_url) == HEAD
    with engine.connect() as conn:
        assert conn.execute(link).scalars().all() == [request_id]
        conn.rollback()
        with conn.begin():
            conn.execute(text("UPDATE visitor_requests SET kind = 'not_sure'"))
        with pytest.raises(IntegrityError), conn.begin():
            conn.execute(text("UPDATE visitor_requests SET kind = 'friend'"))
        match_id = conn.execute(text("SELECT id FROM visitor_matches WHERE status = 'objected'")).scalar_one()
        conn.rollback()
        with pytest.raises(IntegrityError, match="objected"), conn.begin():
            conn.execute(text("UPDATE visitor_matches SET status = 'appointed' WHERE id = :i"), {"i": match_id})
