"""``python -m bot.cli``: migrate, seed, issue-code, export, purge, propose-match, deliver-notifications."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db.engine import session_scope
from alembic.script import ScriptDirectory

from bot.db.migrate import alembic_config, current_revision
from bot.db.models import NotificationOutbox, VisitorMatch
from bot.services import alerts, signin

REPO = Path(__file__).resolve().parents[2]


def _seed(capsys) -> dict:
    assert main(["seed"]) == 0
    return json.loads(capsys.readouterr().out)


def test_migrate_as_a_module(db_url):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "migrate"],
        cwd=REPO,
        env=dict(os.environ),
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    head = ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
    assert f"revision {head}" in result.stdout
    assert current_revision(db_url) == head


def test_seed_issue_code_and_redeem(engine, capsys):
    summary = _seed(capsys)
    assert sorted(summary["children"]) == ["Jade", "Leo", "Mo", "Riya"]
    child_id = summary["children"]["Mo"]
    assert main(["issue-code", "--child", child_id, "--by", "sw.ben"]) == 0
    out = capsys.readouterr().out
    code = out.split(": ")[1].split()[0]
    assert len(code) == 9 and code[4] == "-" and code.replace("-", "").isalnum()  # like K7QM-4TXR
    with session_scope(engine) as s:
        assert signin.redeem_code(s, code, "web-1", "ip").id == child_id


def test_export_prints_json(engine, capsys):
    child_id = _seed(capsys)["children"]["Jade"]
    assert main(["export", "--child", child_id, "--by", "sw.amara"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["child"]["id"] == child_id and data["child"]["phone"] == "•••• 001"


def test_propose_match_and_purge(engine, capsys):
    child_id = _seed(capsys)["children"]["Riya"]
    assert (
        main(
            [
                "propose-match",
                "--child",
                child_id,
                "--visitor-name",
                "Alex",
                "--description",
                "plays chess",
                "--kind",
                "mentor",
                "--by",
                "sw.ben",
            ]
        )
        == 0
    )
    capsys.readouterr()
    with session_scope(engine) as s:
        match = s.execute(select(VisitorMatch).where(VisitorMatch.child_id == child_id)).scalar_one()
        assert (match.visitor_name, match.kind, match.proposed_by.username) == ("Alex", "mentor", "sw.ben")
    assert main(["purge", "--older-than-days", "3650"]) == 0
    assert json.loads(capsys.readouterr().out)["deleted"]["visitor_matches"] == 0
    assert main(["purge", "--dry-run"]) == 0  # what would go, by record class (issue 17)
    preview = json.loads(capsys.readouterr().out)["would_delete"]
    assert preview["Demo Borough Council"]["visitor_matches"] == 0 and "(no council)" in preview
    assert main(["purge"]) == 0  # each council's own policy by record class
    by_council = json.loads(capsys.readouterr().out)
    assert by_council["Demo Borough Council"]["visitor_matches"] == 0 and "(transcripts)" in by_council


def test_deliver_notifications(engine, capsys):
    with session_scope(engine) as s:
        alerts.raise_alert(
            s, conversation_id="c", child_id=None, channel="web", text="help", category="x", cue=None
        )
    assert main(["deliver-notifications"]) == 0
    assert "delivered 1" in capsys.readouterr().out
    with session_scope(engine) as s:
        assert s.execute(select(NotificationOutbox.delivered_at)).scalar_one() is not None


def test_errors_are_short_and_exit_1(engine, capsys):
    assert main(["issue-code", "--child", "c_nobody"]) == 1
    assert "no such child" in capsys.readouterr().err


def test_migrate_moves_sms_opt_outs_an_older_heard_kept_in_redis(db_url, capsys, monkeypatch):
    import redis

    from bot.channels.sms_state import LEGACY_OPT_OUT_KEY
    from bot.services import children, sms_opt_outs

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    phone_hash = children.any_phone_hash("+447700900555")
    client.delete(LEGACY_OPT_OUT_KEY)
    client.sadd(LEGACY_OPT_OUT_KEY, phone_hash)
    monkeypatch.setenv("HEARD_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        assert main(["migrate"]) == 0
        out = capsys.readouterr().out
        assert "moved 1 SMS opt-out(s)" in out and phone_hash not in out and "7700900555" not in out
        assert not client.exists(LEGACY_OPT_OUT_KEY)
        with session_scope() as s:
            assert sms_opt_outs.is_opted_out(s, phone_hash)
    finally:
        client.delete(LEGACY_OPT_OUT_KEY)
    monkeypatch.setenv("HEARD_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    assert main(["migrate"]) == 1, "opt-outs that cannot be moved are never dropped silently"
    assert "could not move SMS opt-outs" in capsys.readouterr().err
