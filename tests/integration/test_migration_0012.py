"""Migration 0012 (staff referrals, wishes differ from the plan) upgrades, downgrades and upgrades again on its
own branch, keeping the rows of the tables it does not own; its tables match the models."""

from __future__ import annotations

from sqlalchemy import inspect, text

from bot.db.engine import dispose_engines, get_engine
from bot.db.migrate import downgrade, upgrade
from bot.db.worker_models import ReferralOrigin, StatementPlanMark


def _tables(url: str) -> set[str]:
    dispose_engines()
    return set(inspect(get_engine(url)).get_table_names())


def test_0012_up_down_up(db_url):
    upgrade(db_url, "0012")
    assert {"referral_origins", "statement_plan_marks"} <= _tables(db_url)
    columns = {c["name"] for c in inspect(get_engine(db_url)).get_columns("referral_origins")}
    assert columns == {c.name for c in ReferralOrigin.__table__.columns}
    marks = {c["name"] for c in inspect(get_engine(db_url)).get_columns("statement_plan_marks")}
    assert marks == {c.name for c in StatementPlanMark.__table__.columns}
    with get_engine(db_url).begin() as conn:
        conn.execute(text("INSERT INTO local_authorities (id, name, created_at) VALUES (1, 'X', CURRENT_TIMESTAMP)"))
    downgrade(db_url, "0011")
    tables = _tables(db_url)
    assert "referral_origins" not in tables and "statement_plan_marks" not in tables
    with get_engine(db_url).connect() as conn:
        assert conn.execute(text("SELECT name FROM local_authorities")).scalar_one() == "X"
    upgrade(db_url, "0012")
    assert {"referral_origins", "statement_plan_marks"} <= _tables(db_url)
