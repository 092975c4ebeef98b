"""Notifier: a real aiohttp webhook on 127.0.0.1 (down, then up), email and log targets, backoff, kick."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from datetime import timedelta

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.db.engine import session_factory, session_scope
from bot.db.models import AuditEvent, NotificationOutbox, utcnow
from bot.safeguarding import notifier
from bot.services import alerts, notification_outbox
from bot.usecases.alerts import raise_safeguarding_alert

WORDS = "my stepdad hits me 😢 please don't tell him"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _raise(engine) -> int:
    with session_scope(engine) as s:
        return alerts.raise_alert(
            s,
            conversation_id="conv-n",
            child_id=None,
            channel="sms",
            text=WORDS,
            category="physical_harm",
            cue="hits",
        ).id


def _rows(engine) -> list[NotificationOutbox]:
    with session_scope(engine) as s:
        return s.execute(select(NotificationOutbox).order_by(NotificationOutbox.id)).scalars().all()


class Hook:
    """A webhook receiver on 127.0.0.1."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[dict] = []
        self.raw: list[str] = []
        self.runner: web.AppRunner | None = None

    async def start(self) -> None:
        async def handle(request: web.Request) -> web.Response:
            body = await request.text()
            self.raw.append(body)
            self.received.append(json.loads(body))
            return web.json_response({"ok": True})

        app = web.Application()
        app.router.add_post("/hook", handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()


def test_backoff_doubles_and_caps():
    assert [notification_outbox.backoff(n).total_seconds() for n in range(1, 8)] == [5, 10, 20, 40, 60, 60, 60]


def test_webhook_down_then_up(engine, monkeypatch):
    port = _free_port()
    monkeypatch.setenv("HEARD_NOTIFY_WEBHOOK", f"http://127.0.0.1:{port}/hook")
    alert_id = _raise(engine)
    factory = session_factory(engine)
    now = utcnow()

    # Down: nothing listening. The row stays, one attempt recorded, retried 5 s later.
    assert asyncio.run(notifier.deliver_due(factory, now=now)) == 0
    [row] = _rows(engine)
    assert (row.target, row.attempts, row.delivered_at) == ("webhook", 1, None)
    assert row.last_error and WORDS not in row.last_error
    assert row.next_attempt_at == now + timedelta(seconds=5)
    # Not due yet: not tried again.
    assert asyncio.run(notifier.deliver_due(factory, now=now + timedelta(seconds=4))) == 0
    assert _rows(engine)[0].attempts == 1
    # Still down when due: second attempt, backoff doubles.
    assert asyncio.run(notifier.deliver_due(factory, now=now + timedelta(seconds=5))) == 0
    row = _rows(engine)[0]
    assert row.attempts == 2
    assert row.next_attempt_at == now + timedelta(seconds=15)

    hook = Hook(port)

    async def up() -> int:
        await hook.start()
        try:
            return await notifier.deliver_due(factory, now=now + timedelta(seconds=15))
        finally:
            await hook.stop()

    assert asyncio.run(up()) == 1
    row = _rows(engine)[0]
    assert row.attempts == 3 and row.delivered_at is not None and row.last_error is None
    assert hook.received == [
        {
            "alert_id": alert_id,
            "time": hook.received[0]["time"],
            "category": "physical_harm",
            "channel": "sms",
            "link": f"/review/alerts#alert-{alert_id}",
            "kind": "alert",
        }
    ]
    assert "hits" not in hook.raw[0] and "stepdad" not in hook.raw[0] and "conv-n" not in hook.raw[0]
    # Delivered rows are not sent again; the delivery is audited.
    assert asyncio.run(notifier.deliver_due(factory, now=now + timedelta(minutes=5))) == 0
    with session_scope(engine) as s:
        notify = s.execute(select(AuditEvent).where(AuditEvent.action == "notify")).scalar_one()
        assert notify.entity_id == str(alert_id)


def test_log_target_when_nothing_configured(engine, caplog):
    alert_id = _raise(engine)
    with caplog.at_level(logging.WARNING, logger="bot.safeguarding.notifier"):
        assert asyncio.run(notifier.deliver_due(session_factory(engine))) == 1
    assert f"/review/alerts#alert-{alert_id}" in caplog.text
    assert "stepdad" not in caplog.text and "hits" not in caplog.text
    assert _rows(engine)[0].delivered_at is not None


def test_email_target(engine, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            assert (host, port) == ("127.0.0.1", 2525)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append(message)

    monkeypatch.setenv("HEARD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HEARD_SMTP_PORT", "2525")
    monkeypatch.setenv("HEARD_SMTP_TO", "duty@example.org")
    monkeypatch.setattr(notifier.smtplib, "SMTP", FakeSMTP)
    alert_id = _raise(engine)
    assert asyncio.run(notifier.deliver_due(session_factory(engine))) == 1
    [message] = sent
    body = message.get_content()
    assert message["To"] == "duty@example.org"
    assert f"/review/alerts#alert-{alert_id}" in body
    assert "stepdad" not in body and "hits" not in body


def test_email_failure_is_retried(engine, monkeypatch):
    monkeypatch.setenv("HEARD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HEARD_SMTP_PORT", str(_free_port()))  # nothing listening
    monkeypatch.setenv("HEARD_SMTP_TO", "duty@example.org")
    _raise(engine)
    assert asyncio.run(notifier.deliver_due(session_factory(engine))) == 0
    [row] = _rows(engine)
    assert (row.target, row.attempts, row.delivered_at) == ("email", 1, None)


def test_kick_wakes_the_running_notifier_within_seconds(engine, monkeypatch):
    port = _free_port()
    monkeypatch.setenv("HEARD_NOTIFY_WEBHOOK", f"http://127.0.0.1:{port}/hook")
    factory = session_factory(engine)
    hook = Hook(port)

    async def scenario() -> float:
        await hook.start()
        task = asyncio.create_task(
            notifier.run_forever(interval=60, session_factory=factory, flush_spool=False)
        )
        try:
            await asyncio.sleep(0.3)  # first (empty) pass done; now sleeping for 60 s
            loop = asyncio.get_running_loop()
            started = loop.time()
            await asyncio.to_thread(_raise, engine)
            notifier.kick()
            while not hook.received and loop.time() - started < 10:
                await asyncio.sleep(0.05)
            return loop.time() - started
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await hook.stop()

    elapsed = asyncio.run(scenario())
    assert hook.received, "notifier was not woken"
    assert elapsed < 3


def test_raise_alert_and_kick_without_a_runner(engine):
    alert_id = raise_safeguarding_alert(
        conversation_id="c",
        child_id=None,
        channel="web",
        text=WORDS,
        category="neglect",
        cue=None,
    )
    notifier.kick(session_factory(engine))
    for _ in range(100):
        row = _rows(engine)[0]
        if row.delivered_at is not None:
            break
        asyncio.run(asyncio.sleep(0.05))
    assert row.alert_id == alert_id and row.delivered_at is not None


def test_run_forever_moves_spooled_alerts_in_and_delivers_them(engine, tmp_path, monkeypatch):
    from bot.safeguarding import alert_spool

    monkeypatch.setattr(alert_spool, "SPOOL_DIR", tmp_path)
    fields = {
        "conversation_id": "c",
        "child_id": None,
        "channel": "sms",
        "text": WORDS,
        "category": "x",
        "cue": None,
    }
    (tmp_path / "spooled.json").write_text(json.dumps(fields), encoding="utf-8")

    async def one_pass() -> None:
        task = asyncio.create_task(notifier.run_forever(interval=60, session_factory=session_factory(engine)))
        for _ in range(100):
            await asyncio.sleep(0.05)
            if await asyncio.to_thread(_done, engine):
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(one_pass())
    assert not list(tmp_path.glob("*.json"))
    assert _done(engine)


def _done(engine) -> bool:
    rows = _rows(engine)
    return len(rows) == 1 and rows[0].delivered_at is not None


def _child_in_council(engine, **settings) -> str:
    from bot.db.models import Child, LocalAuthority
    from bot.services import review_admin

    with session_scope(engine) as s:
        la = LocalAuthority(name="Escalateshire")
        s.add(la)
        s.flush()
        review_admin.update_council_settings(s, la.id, "staff:admin", **settings)
        child = Child(chosen_name="Kit", age_band="11-13", local_authority_id=la.id)
        s.add(child)
        s.flush()
        return child.id


def test_council_notifier_choice_is_used_when_the_server_can_deliver_it(engine, monkeypatch):
    monkeypatch.setenv("HEARD_NOTIFY_WEBHOOK", "http://127.0.0.1:9/hook")
    assert alerts.notification_targets() == ["webhook"]
    assert alerts.notification_targets(council_choice="log") == ["log"]
    assert alerts.notification_targets(council_choice="webhook+email") == ["webhook"]  # no SMTP here
    assert alerts.notification_targets(council_choice="email") == ["webhook"]  # cannot deliver: default
    child_id = _child_in_council(engine, notifier="log")
    with session_scope(engine) as s:
        alerts.raise_alert(s, conversation_id="c-k", child_id=child_id, channel="web", text=WORDS,
                           category="physical_harm", cue=None)
    assert [r.target for r in _rows(engine)] == ["log"]


def test_unacknowledged_alert_escalates_once_after_the_councils_time(engine, caplog):
    child_id = _child_in_council(engine, alert_escalation_minutes=5)
    with session_scope(engine) as s:
        alert = alerts.raise_alert(s, conversation_id="c-e", child_id=child_id, channel="web", text=WORDS,
                                   category="physical_harm", cue=None)
        alert_id, created = alert.id, alert.created_at
        other = alerts.raise_alert(s, conversation_id="c-f", child_id=child_id, channel="web", text="x",
                                   category="physical_harm", cue=None).id
    with session_scope(engine) as s:
        alerts.acknowledge(s, other, "staff:duty.erin", "called the carer")
    factory = session_factory(engine)
    assert asyncio.run(notifier.deliver_due(factory, now=created + timedelta(minutes=4))) == 2
    assert [r.kind for r in _rows(engine)] == ["alert", "alert"]
    with caplog.at_level(logging.WARNING, logger="bot.safeguarding.notifier"):
        assert asyncio.run(notifier.deliver_due(factory, now=created + timedelta(minutes=6))) == 1
    assert "still not picked up" in caplog.text and WORDS not in caplog.text
    rows = _rows(engine)
    assert [(r.alert_id, r.kind) for r in rows] == [(alert_id, "alert"), (other, "alert"), (alert_id, "escalation")]
    assert rows[-1].delivered_at is not None
    assert asyncio.run(notifier.deliver_due(factory, now=created + timedelta(minutes=30))) == 0  # only once
    with session_scope(engine) as s:
        from bot.db.models import SafeguardingAlert

        assert s.get(SafeguardingAlert, alert_id).escalated_at is not None
        assert s.get(SafeguardingAlert, other).escalated_at is None
