"""Migration 0013 (team routing) on a filled database: the new roles and outbox subjects work after the upgrade,
the CHECKs refuse what they should, and no row of any other table is lost going up, down and up again."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from bot.db.engine import get_engine, session_scope
from bot.db.migrate import alembic_config, upgrade
from bot.services import alerts, referrals
from bot.services.seed import seed_demo


def _counts(url: str) -> dict[str, int]:
    engine = get_engine(url)
    names = sorted(set(inspect(engine).get_table_names()) - {"alembic_version"})
    with engine.connect() as conn:
        return {name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one() for name in names}  # noqa: S608


def _fill(url: str) -> None:
    with session_scope(get_engine(url)) as s:
        summary = seed_demo(s)
        child_id = summary["children"]["Jade"]
        referrals.submit_referral(
            s, idempotency_key="m13", conversation_id="c13", child_id=child_id, reason="review", words="hi",
            contact_how=None, contact_when=None, tell_social_worker=True,
        )
        alerts.raise_alert(s, conversation_id="c13", child_id=child_id, channel="web", text="t", category="c",
                           cue=None)


def _down_one(url: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(url), "0012")  # 0013 and everything after it


def test_0013_up_down_up_keeps_every_row(db_url: str) -> None:
    upgrade(db_url)
    _fill(db_url)
    engine = get_engine(db_url)
    before = _counts(db_url)
    assert before["staff_users"] > 0 and before["children"] > 0 and before["notification_outbox"] > 0
    with engine.begin() as conn:
        la = conn.execute(text("SELECT id FROM local_authorities ORDER BY id LIMIT 1")).scalar_one()
        conn.execute(text("INSERT INTO staff_users (username, display_name, role, local_authority_id, active, "
                          "created_at) VALUES ('iv.one', 'IV', 'iv_coordinator', :la, true, '2026-12-01')"),
                     {"la": la})
        conn.execute(text("INSERT INTO notification_outbox (target, kind, attempts, next_attempt_at, created_at, "
                          "record_type, record_id, team) VALUES ('log', 'record', 0, '2026-12-01', "
                          "'2026-12-01', 'complaint', 1, 'complaints')"))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE staff_users SET role = 'nobody' WHERE username = 'iv.one'"))
    with pytest.raises(IntegrityError), engine.begin() as conn:  # two subjects on one row
        conn.execute(text("UPDATE notification_outbox SET alert_id = (SELECT MIN(id) FROM safeguarding_alerts) "
                          "WHERE record_id IS NOT NULL"))
    _down_one(db_url)
    after_down = _counts(db_url)
    expected = {**before, "staff_users": before["staff_users"] + 1}  # iv.one stays, deactivated
    assert {t: n for t, n in after_down.items()} == {t: n for t, n in expected.items() if t in after_down}
    assert "complaints" not in after_down and "alert_callbacks" not in after_down
    with engine.connect() as conn:
        assert conn.execute(text("SELECT role, active FROM staff_users WHERE username = 'iv.one'")).one() == (
            "advocacy", False)
        assert conn.execute(text("SELECT COUNT(*) FROM notification_outbox")).scalar_one() == before[
            "notification_outbox"]
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE staff_users SET role = 'iv_coordinator' WHERE username = 'iv.one'"))
    upgrade(db_url)
    again = _counts(db_url)
    assert {t: again[t] for t in before} == {**before, "staff_users": before["staff_users"] + 1}
    with engine.begin() as conn:
        conn.execute(text("UPDATE staff_users SET role = 'complaints' WHERE username = 'iv.one'"))
