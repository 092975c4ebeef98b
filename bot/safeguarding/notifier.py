"""Tell a person about safeguarding alerts: deliver the notification outbox, retrying until delivered.

``bot.usecases.alerts.raise_safeguarding_alert`` commits the alert and one outbox row per target together,
so an alert is never lost when the notifier, the webhook or the mail server is down: the row stays and is
retried with backoff (5 s, 10 s, 20 s, 40 s, then every 60 s; ``bot.services.notification_outbox``) until it
is delivered. The database steps are use cases (``bot.usecases.notifications``); this module sends.

Targets:

* ``webhook`` (``HEARD_NOTIFY_WEBHOOK``): an HTTP POST with JSON.
* ``email`` (``HEARD_SMTP_HOST``/``_PORT``/``_FROM``/``_TO``): a short plain-text mail.
* ``log``: a WARNING log line (used when nothing else is configured).

Every message carries ONLY the alert id, time, category, channel and a link path
(``/review/alerts#alert-<id>``: ``bot.services.review_links``). It never carries the child's words, the
detector's cue, the child's id or name: webhooks and mail leave the secure network, so a person follows the
link and signs in to the review app to read what the child said.

Use: ``run_forever()`` as a background task (the web app), ``kick()`` right after an alert is committed so
a reachable target is told within seconds, ``deliver_due()`` from the CLI
(``python -m bot.cli deliver-notifications``).
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import threading
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import aiohttp

from bot.config import Settings, get_settings
from bot.db.models import utcnow
from bot.services.team_routing import record_text
from bot.usecases import notifications
from bot.usecases.alerts import flush_alert_spool
from bot.usecases.concerns import flush_concern_spool
from bot.usecases.notifications import SessionFactory

log = logging.getLogger(__name__)

HTTP_TIMEOUT = 10.0
SMTP_TIMEOUT = 10.0


async def _send_webhook(url: str | None, payload: dict[str, Any]) -> None:
    if not url:
        raise RuntimeError("HEARD_NOTIFY_WEBHOOK is not set")
    timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as http, http.post(url, json=payload) as response:
        if response.status >= 300:
            raise RuntimeError(f"webhook answered HTTP {response.status}")


def _urgency(payload: dict[str, Any]) -> str:
    return "is still not picked up (ESCALATED)" if payload.get("kind") == "escalation" else "needs a person now"


def _is_security(payload: dict[str, Any]) -> bool:
    """A security alert for admins (``bot.services.security_alerts``), not a safeguarding alert."""
    return payload.get("kind") == "security"


def _security_text(payload: dict[str, Any]) -> str:
    return (
        f"Heard security alert: {payload['subject']} in a short time. Someone may be guessing codes. "
        f"Time: {payload['time']}. Look at the audit trail: {payload['link']}. This message holds no code."
    )


def _is_record(payload: dict[str, Any]) -> bool:
    """About another record for a team (``bot.services.team_routing``): a referral, request, complaint..."""
    return payload.get("kind") in ("record", "record_late")


def _email_message(settings: Settings, payload: dict[str, Any]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from or "heard@localhost"
    message["To"] = payload.get("destination") or settings.smtp_to or ""
    if _is_record(payload):
        late = " (ESCALATED)" if payload["kind"] == "record_late" else ""
        message["Subject"] = f"Heard: a {payload['what']} for the {payload['team']}{late}"
        message.set_content(record_text(payload) + "\n")
        return message
    if _is_security(payload):
        message["Subject"] = f"Heard: security alert, {payload['subject']}"
        message.set_content(_security_text(payload) + "\n")
        return message
    message["Subject"] = f"Heard: safeguarding alert {payload['alert_id']} {_urgency(payload)}"
    message.set_content(
        "A child may be at risk. Please read the alert in the Heard review app now and acknowledge it.\n\n"
        f"Alert: {payload['alert_id']}\nTime: {payload['time']}\nCategory: {payload['category']}\n"
        f"Open: {payload['link']}\n\nThis message does not contain what the child said.\n"
    )
    return message


def _send_email_sync(settings: Settings, payload: dict[str, Any]) -> None:
    if not settings.smtp_host or not (payload.get("destination") or settings.smtp_to):
        raise RuntimeError("HEARD_SMTP_HOST and HEARD_SMTP_TO (or the team's address) must be set")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
        smtp.send_message(_email_message(settings, payload))


async def _send(target: str, payload: dict[str, Any], settings: Settings) -> None:
    if target == "webhook":
        body = {k: v for k, v in payload.items() if k != "destination"}
        await _send_webhook(payload.get("destination") or settings.notify_webhook, body)
    elif target == "email":
        await asyncio.to_thread(_send_email_sync, settings, payload)
    elif target == "log" and _is_security(payload):
        log.warning("%s", _security_text(payload))
    elif target == "log" and _is_record(payload):
        log.warning("%s", record_text(payload))
    elif target == "log":
        log.warning(
            "Safeguarding alert %s (%s) %s: open %s",
            payload["alert_id"],
            payload["category"],
            _urgency(payload),
            payload["link"],
        )
    else:
        raise RuntimeError(f"unknown target {target!r}")


async def deliver_due(session_factory: SessionFactory | None = None, now: datetime | None = None) -> int:
    """Escalate alerts left unacknowledged too long, then try every due outbox row once; return how many
    were delivered. Failures are recorded and retried."""
    settings = get_settings()
    now = now or utcnow()
    escalated = await asyncio.to_thread(notifications.escalate_overdue_alerts, now, session_factory)
    if escalated:
        log.warning("Escalated %d safeguarding alert(s) not picked up in time", len(escalated))
    late = await asyncio.to_thread(notifications.escalate_overdue_records, now, session_factory)
    if late:
        log.warning("Escalated %d record(s) past their deadline", len(late))
    due = await asyncio.to_thread(notifications.claim_due_notifications, now, 50, session_factory)
    delivered = 0
    for outbox_id, target, payload in due:
        error: str | None = None
        try:
            await _send(target, payload, settings)
        except Exception as exc:  # noqa: BLE001 - any failure means "retry later"
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            log.warning(
                "Alert %s not yet delivered by %s (will retry): %s",
                payload.get("alert_id", payload.get("security_alert", payload.get("record"))), target, error,
            )
        else:
            delivered += 1
        await asyncio.to_thread(notifications.record_notification_attempt, outbox_id, now, error, session_factory)
    return delivered


class _Runner:
    def __init__(self, loop: asyncio.AbstractEventLoop, wake: asyncio.Event) -> None:
        self.loop = loop
        self.wake = wake


_runner: _Runner | None = None
_background: set[asyncio.Task] = set()


async def run_forever(
    interval: float = 5, session_factory: SessionFactory | None = None, *, flush_spool: bool = True
) -> None:
    """Deliver due rows every ``interval`` seconds, or at once after ``kick()``. Never raises (but can be
    cancelled). With ``flush_spool``, each pass first moves alerts and concerns spooled on disk into the database."""
    global _runner
    wake = asyncio.Event()
    runner = _Runner(asyncio.get_running_loop(), wake)
    _runner = runner
    try:
        while True:
            try:
                if flush_spool:
                    moved = await asyncio.to_thread(flush_alert_spool)
                    if moved:
                        log.warning("Moved %d spooled safeguarding alert(s) into the database", moved)
                    moved = await asyncio.to_thread(flush_concern_spool)
                    if moved:
                        log.warning("Moved %d spooled safeguarding concern(s) into the database", moved)
                await deliver_due(session_factory)
            except Exception as exc:  # noqa: BLE001 - keep the loop alive; the rows stay in the outbox
                log.error("Notifier pass failed (%s); will retry", type(exc).__name__)
            try:
                await asyncio.wait_for(wake.wait(), timeout=interval)
            except asyncio.TimeoutError:
                pass
            wake.clear()
    finally:
        if _runner is runner:
            _runner = None


async def _deliver_quietly(session_factory: SessionFactory | None) -> None:
    try:
        await deliver_due(session_factory)
    except Exception as exc:  # noqa: BLE001 - the row stays in the outbox for run_forever / the CLI
        log.error("Immediate notification attempt failed (%s); it will be retried", type(exc).__name__)


def kick(session_factory: SessionFactory | None = None) -> None:
    """Attempt delivery now, without blocking: wakes ``run_forever`` if it runs in this process, else starts
    one attempt (a task on the running loop, or a short daemon thread). Call after the alert is committed."""
    runner = _runner
    if runner is not None and not runner.loop.is_closed():
        runner.loop.call_soon_threadsafe(runner.wake.set)
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:
        task = loop.create_task(_deliver_quietly(session_factory))
        _background.add(task)
        task.add_done_callback(_background.discard)
    else:
        threading.Thread(
            target=lambda: asyncio.run(_deliver_quietly(session_factory)), name="heard-notify", daemon=True
        ).start()
