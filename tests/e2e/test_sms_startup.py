"""Issue 19: the seeded SMS child is recognised after ``./heard``'s own start-up order. ``./heard seed`` makes
var/secret_key and loads it before migrate and seed; the servers then start with the key from that file (as
``./heard run`` exports it), and every CLI command uses the same key. Jade texts in (signed like Twilio), is
greeted by name, and answers a proposed visitor match by SMS."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

from tests.e2e.test_conversations import SMS_PUBLIC_URL, TWILIO_ACCOUNT, TWILIO_TOKEN, FakeTwilio
from tests.stack import ROOT, MODEL, Stack, base_env

pytestmark = [pytest.mark.stack, pytest.mark.skipif(not MODEL.exists(), reason="no trained model")]
JADE = "+447700900001"
OUR_NUMBER = "+447700900999"


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, FakeTwilio, str]]:
    var = tmp_path_factory.mktemp("heard-var")
    url = f"sqlite:///{var / 'heard.db'}"
    env = {k: v for k, v in base_env().items() if k != "HEARD_SECRET_KEY"}
    env.update(HEARD_VAR_DIR=str(var), HEARD_DATABASE_URL=url)
    subprocess.run([str(ROOT / "heard"), "seed"], cwd=ROOT, env=env, check=True, timeout=600)
    key = (Path(var) / "secret_key").read_text().strip()  # what ./heard run exports for the servers
    cli_env = {**env, "HEARD_SECRET_KEY": key}
    jade = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c",
         "from bot.db.engine import session_scope; from bot.db.models import Child; from sqlalchemy import select\n"
         "with session_scope() as s: print(s.execute(select(Child.id).where(Child.chosen_name=='Jade')).scalar_one())"],
        cwd=ROOT, env=cli_env, check=True, capture_output=True, text=True, timeout=120).stdout.strip()
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "bot.cli", "propose-match", "--child", jade,
                    "--visitor-name", "Sam"], cwd=ROOT, env=cli_env, check=True, timeout=120)
    twilio = FakeTwilio()
    extra = {"HEARD_SECRET_KEY": key, "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
             "TWILIO_NUMBER": OUR_NUMBER, "HEARD_SMS_PUBLIC_URL": SMS_PUBLIC_URL, "TWILIO_API_BASE_URL": twilio.url}
    stack = Stack(database_url=url, log_dir=var, extra_env=extra).start()
    try:
        yield stack, twilio, url
    finally:
        stack.stop()
        twilio.shutdown()


def text_in(stack: Stack, body: str) -> None:
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": TWILIO_ACCOUNT, "From": JADE, "To": OUR_NUMBER,
              "Body": body, "NumMedia": "0"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(SMS_PUBLIC_URL, params)
    reply = requests.post(f"{stack.url}/webhooks/sms/webhook", data=params,
                          headers={"X-Twilio-Signature": signature}, timeout=60)
    assert reply.status_code == 200


def bodies(twilio: FakeTwilio, wait: float = 15.0) -> str:
    import time

    deadline = time.monotonic() + wait
    count = -1
    while time.monotonic() < deadline:  # texts go out from the send queue: wait until no new one comes
        now = len(twilio.sent)
        if now == count and now:
            break
        count = now
        time.sleep(1.0)
    return "\n".join(m.get("Body", "") for m in twilio.sent if m.get("To") == JADE)


def test_the_seeded_sms_child_is_greeted_by_name_and_answers_her_match_by_sms(started) -> None:
    stack, twilio, url = started
    text_in(stack, "hiya")
    greeting = bodies(twilio)
    assert "Jade" in greeting, "recognised by her number's hash, made with the key ./heard seed loaded"
    assert "could be your visitor" in greeting, "her waiting match is offered"
    assert "press" not in greeting.lower()
    before = len(twilio.sent)
    text_in(stack, "1")  # "Yes, tell me"
    bodies(twilio)
    told = "\n".join(m.get("Body", "") for m in twilio.sent[before:] if m.get("To") == JADE)
    assert "Sam" in told, "who the visitor is, once she asked to hear"
    text_in(stack, "yes")
    after = bodies(twilio)
    engine = create_engine(url, future=True)
    with engine.connect() as conn:
        status = conn.execute(text("SELECT status FROM visitor_matches WHERE visitor_name = 'Sam' "
                                   "ORDER BY id DESC")).scalar()  # the newest: the one she was offered
    engine.dispose()
    assert status == "accepted", ("her yes, texted, is recorded on the match", after[-600:])
