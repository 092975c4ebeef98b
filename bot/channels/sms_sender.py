"""The SMS send workers: take texts from the queue (``outbound_messages``) and give them to Twilio's REST API.

The webhook only queues a turn's texts and answers Twilio at once; these workers send them:

* a few asyncio workers (``HEARD_SMS_SEND_WORKERS``, default 4) per process, each holding one text at a time;
  Twilio's client (``twilio.rest.Client`` with a ``TwilioHttpClient(timeout=HEARD_SMS_SEND_TIMEOUT)``, default
  10 s) is called in this sender's OWN thread pool, one thread per worker, never the default executor, so a
  stalled Twilio call holds one worker and one number only;
* in order per number (the queue hands out a number's next text only when its earlier ones are settled), and
  several processes or servers share the queue safely (``bot.services.outbound_queue``);
* 429, 5xx, timeouts and network errors are retried with exponential backoff (the row waits in the database,
  no worker sleeps on it); any other 4xx fails the text; a number that said STOP since gets nothing;
* the options a text carries ("1" means ...) are remembered (``SmsState``) only AFTER Twilio accepted it;
* nothing about a text (number, words) is logged.

``SmsSender.start()`` runs the workers on the running loop; ``wake()`` tells them there is work (they also
look every ``poll`` seconds). Started by the SMS channel (the Rasa process) and by the web app.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.channels import sms_text
from bot.channels.sms_state import SmsState, shared_state
from bot.config import get_settings
from bot.services.outbound_queue import ClaimedText
from bot.usecases import sms_outbound

logger = logging.getLogger(__name__)
RETRY_STATUSES = {429} | set(range(500, 600))
MAX_BACKOFF = 300.0  # seconds


def retryable(status: int | None) -> bool:
    """Whether a text refused with this HTTP status is tried again (429, 5xx, or no answer at all)."""
    return status is None or status in RETRY_STATUSES


def backoff(attempts: int, base: float, status: int | None) -> float:
    """Seconds to wait before the next try: exponential with jitter; a 429 waits longer (Twilio is busy)."""
    factor = 4.0 if status == 429 else 1.0
    return min(MAX_BACKOFF, base * factor * (2 ** attempts)) * random.uniform(0.8, 1.2)


class SmsSender:
    """The workers of one process. Safe to create more than one per queue (several servers)."""

    def __init__(
        self,
        account_sid: str | None,
        auth_token: str | None,
        from_number: str | None,
        *,
        messaging_service_sid: str | None = None,
        api_base_url: str | None = None,
        state: SmsState | None = None,
        remembers_options: bool = True,
        workers: int | None = None,
        timeout: float | None = None,
        backoff_base: float = 2.0,
        poll: float = 1.0,
        database_url: str | None = None,
    ) -> None:
        sms = get_settings().sms
        self.workers = workers or sms.send_workers
        self.timeout = timeout or sms.send_timeout
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.state = state
        self.remembers_options = remembers_options
        self.backoff_base = backoff_base
        self.poll = poll
        self.database_url = database_url
        self.client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=self.timeout))
        self.client.api.base_url = (api_base_url or sms.twilio_api_base_url).rstrip("/")
        self.executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="heard-sms-send")
        self.name = f"sms-{uuid.uuid4().hex[:12]}"
        self._tasks: list[asyncio.Task[None]] = []
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._busy = 0
        self._stopping = False

    # ------------------------------------------------------------ running

    @property
    def running(self) -> bool:
        return any(not t.done() for t in self._tasks)

    def start(self) -> None:
        """Start the workers on the running loop (does nothing when they already run)."""
        if self.running:
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks = [asyncio.create_task(self._work(i)) for i in range(self.workers)]

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop the workers, waiting at most ``timeout`` seconds. A worker also checks ``_stopping``: Python 3.10's
        ``asyncio.wait_for`` can swallow a cancel that arrives as its wait ends, and a worker that missed its cancel
        once held a whole test run at teardown (and awaiting it here swallowed this method's own cancel)."""
        self._stopping = True
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        if self._wake is not None:
            self._wake.set()
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                task.cancel()
        self.executor.shutdown(wait=False, cancel_futures=True)

    def wake(self) -> None:
        """There is something to send (callable from any thread)."""
        if self._loop is not None and self._wake is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def wait_idle(self, timeout: float = 10.0) -> bool:
        """Until nothing is queued that may be sent now and no worker holds a text (tests, the bench)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if self._busy == 0 and await asyncio.to_thread(self._nothing_ready):
                return True
            await asyncio.sleep(0.05)
        return False

    def _nothing_ready(self) -> bool:
        return sms_outbound.pending(self.database_url) == 0

    async def _work(self, index: int) -> None:
        worker = f"{self.name}-{index}"
        while not self._stopping:
            try:
                did = await self._once(worker)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the database may be down: wait and try again
                logger.error("SMS send worker: %s", type(error).__name__)
                did = False
            if not did:
                assert self._wake is not None
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll)
                except asyncio.TimeoutError:
                    pass
                self._wake.clear()

    async def _once(self, worker: str) -> bool:
        """Claim and send one text; False when there was nothing to send."""
        self._busy += 1
        try:
            claimed = await asyncio.to_thread(
                sms_outbound.claim, worker, with_options=self.remembers_options, database_url=self.database_url
            )
            if not claimed:
                return False
            await self._send(worker, claimed[0])
            if self._wake is not None:
                self._wake.set()  # the number's next text may be ready now: let a worker look
            return True
        finally:
            self._busy -= 1

    # ------------------------------------------------------------ one text

    def _create(self, to: str, body: str) -> Any:
        data: dict[str, Any] = {"to": to, "body": body}
        if self.messaging_service_sid:
            data["messaging_service_sid"] = self.messaging_service_sid
        else:
            data["from_"] = self.from_number
        return self.client.messages.create(**data)

    async def _send(self, worker: str, text: ClaimedText) -> None:
        db = self.database_url
        if text.opted_out or not text.phone:
            await asyncio.to_thread(sms_outbound.dropped, text.id, worker, db)
            return
        loop = asyncio.get_running_loop()
        try:
            message = await loop.run_in_executor(self.executor, self._create, text.phone, text.body)
        except TwilioRestException as error:
            await self._refused(worker, text, getattr(error, "status", None), getattr(error, "code", None))
            return
        except (TwilioException, OSError, Exception) as error:  # noqa: BLE001 - timeouts, network
            logger.warning("Twilio did not answer (%s): will try again", type(error).__name__)
            await asyncio.to_thread(
                sms_outbound.retry, text.id, worker, "timeout", backoff(text.attempts, self.backoff_base, None), db
            )
            return
        # Twilio has the text, so the child may answer it from now on: what "1" means is remembered before the
        # row is marked sent (anything that waits for "sent" then finds the options in place).
        await asyncio.to_thread(self._remember, text)
        segments = sms_text.segment_count(text.body)
        await asyncio.to_thread(sms_outbound.sent, text.id, worker, getattr(message, "sid", None), segments, db)

    async def _refused(self, worker: str, text: ClaimedText, status: int | None, code: int | None) -> None:
        db = self.database_url
        label = str(code or status or "error")
        if retryable(status):
            logger.warning("Twilio refused a text for now (HTTP %s): will try again", status)
            delay = backoff(text.attempts, self.backoff_base, status)
            await asyncio.to_thread(sms_outbound.retry, text.id, worker, label, delay, db)
        else:
            logger.error("Twilio refused a text (HTTP %s, code %s): not sent", status, code)
            await asyncio.to_thread(sms_outbound.failed, text.id, worker, label, db)

    def _remember(self, text: ClaimedText) -> None:
        """After Twilio accepted a text: what "1", "2" mean now (only a turn's last text says)."""
        if text.options is None or not text.phone:
            return
        state = self.state or shared_state()
        try:
            if text.options:
                state.set_options(text.phone, text.options)
            else:
                state.clear_options(text.phone)
        except Exception as error:  # noqa: BLE001 - Redis down: the child can still type the words
            logger.error("could not remember SMS options: %s", type(error).__name__)
