"""What a whole SMS flow costs a council (issue 19): texts and carrier segments per completed flow, through the
real SMS webhook (signed like Twilio signs), the trained model, the action server, the send queue and a fake
Twilio REST API that records every text.

The baseline, measured in the same conversations: every bot message sent as its own text with the lock-screen
header (how Heard sent before one text per turn). Target: an advocate referral in at most 12 segments.

Run: ./heard bench   (or .venv/bin/python bench/sms_bench.py)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from bot.channels.sms_text import segment_count, sms_parts  # noqa: E402
from tests.e2e.test_conversations import FakeTwilio  # noqa: E402
from tests.stack import MODEL, Stack  # noqa: E402

ACCOUNT = "AC" + "3" * 32
TOKEN = "bench-twilio-auth-token"
OUR_NUMBER = "+447700900999"
PUBLIC_URL = "https://heard.example-council.gov.uk/webhooks/sms/webhook"
TARGET_ADVOCATE_SEGMENTS = 12

# Each flow as a child texts it: replies are option numbers where the bot offers options.
FLOWS: dict[str, list[str]] = {
    "advocate": ["i want an advocate", "1", "nobody asks me about moving school", "Jo", "Lancashire", "1", "1",
                 "no", "1"],
    "wishes": ["i want to share my wishes", "dont know", "football with my mates", "skip", "see my nan more",
               "skip", "1", "skip", "1", "1"],
    "visitor": ["can i have a visitor", "1", "someone who likes art", "skip", "skip", "Jo", "Lancashire", "1",
                "1"],
    "complaint": ["i want to make a complaint", "they read my texts", "i want them to leave my phone alone",
                  "2", "2", "2", "Jo", "Lancashire", "1", "1"],
}
DONE_WORDS = ("Done!", "sent", "I asked")


def text_in(stack: Stack, phone: str, body: str) -> None:
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT, "From": phone, "To": OUR_NUMBER,
              "Body": body}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL, params)
    reply = requests.post(f"{stack.url}/webhooks/sms/webhook", data=params,
                          headers={"X-Twilio-Signature": signature}, timeout=60)
    reply.raise_for_status()


def settle(twilio: FakeTwilio, phone: str, seconds: float = 20) -> list[str]:
    """The texts sent to ``phone`` once the send queue has been quiet for a moment."""
    deadline, last, quiet_since = time.monotonic() + seconds, -1, time.monotonic()
    while time.monotonic() < deadline:
        count = sum(1 for m in twilio.sent if m.get("To") == phone)
        if count != last:
            last, quiet_since = count, time.monotonic()
        elif time.monotonic() - quiet_since > 1.5:
            break
        time.sleep(0.1)
    return [m.get("Body", "") for m in twilio.sent if m.get("To") == phone]


def run_flow(stack: Stack, twilio: FakeTwilio, name: str, script: list[str]) -> dict[str, object]:
    phone = "+4477009" + str(uuid.uuid4().int)[:5]
    completed = False
    for body in script:
        text_in(stack, phone, body)
        texts = settle(twilio, phone)
        if texts and any(word in texts[-1] for word in DONE_WORDS) and body == script[-1]:
            completed = True
    texts = settle(twilio, phone)
    from bot.services.children import sms_sender_id

    bot_events = [e for e in stack.tracker(sms_sender_id(phone))["events"] if e.get("event") == "bot"]
    # How Heard sent before one text per turn: each bot message on its own, split by itself, header on each part.
    old_parts = [part for e in bot_events
                 for part in sms_parts(e.get("text") or "", (e.get("data") or {}).get("buttons"))]
    baseline = sum(segment_count(part) for part in old_parts)
    if os.environ.get("HEARD_BENCH_VERBOSE"):
        print(f"--- {name}\n" + "\n~~~\n".join(texts))
    return {"flow": name, "completed": completed, "texts": len(texts),
            "segments": sum(segment_count(t) for t in texts), "baseline_texts": len(old_parts),
            "baseline_segments": baseline}


def main() -> int:
    if not MODEL.exists():
        print("no trained model: run ./heard train")
        return 1
    folder = Path(tempfile.mkdtemp(prefix="heard-sms-bench-"))
    url = f"sqlite:///{folder / 'heard.db'}"
    os.environ["HEARD_DATABASE_URL"] = url
    os.environ.setdefault("HEARD_SECRET_KEY", os.urandom(32).hex())
    from bot.db.migrate import upgrade

    upgrade(url)
    twilio = FakeTwilio()
    env = {"HEARD_SECRET_KEY": os.environ["HEARD_SECRET_KEY"], "TWILIO_ACCOUNT_SID": ACCOUNT,
           "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_NUMBER": OUR_NUMBER, "HEARD_SMS_PUBLIC_URL": PUBLIC_URL,
           "TWILIO_API_BASE_URL": twilio.url}
    stack = Stack(database_url=url, log_dir=folder, extra_env=env).start()
    try:
        rows = [run_flow(stack, twilio, name, script) for name, script in FLOWS.items()]
    finally:
        stack.stop()
        twilio.shutdown()
    print("\nSMS cost per completed flow (texts and carrier segments; baseline: one text per bot message)")
    print(f"{'flow':<10} {'done':<5} {'texts':>5} {'segments':>8} {'baseline texts':>14} {'baseline segs':>13} "
          f"{'ratio':>6}")
    for r in rows:
        ratio = r["segments"] / r["baseline_segments"] if r["baseline_segments"] else float("nan")
        print(f"{r['flow']:<10} {str(r['completed']):<5} {r['texts']:>5} {r['segments']:>8} "
              f"{r['baseline_texts']:>14} {r['baseline_segments']:>13} {ratio:>6.2f}")
    advocate = next(r for r in rows if r["flow"] == "advocate")
    met = advocate["completed"] and advocate["segments"] <= TARGET_ADVOCATE_SEGMENTS
    print(f"advocate referral: {advocate['segments']} segments (target <= {TARGET_ADVOCATE_SEGMENTS}): "
          f"{'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
