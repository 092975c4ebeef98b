"""What a whole SMS flow costs a council (issue 19): texts and carrier segments per completed flow, through the
real SMS webhook (signed like Twilio signs), the trained model, the action server, the send queue and a fake
Twilio REST API that records every text.

The baseline, measured in the same conversations: every bot message sent as its own text with the lock-screen
header (how Heard sent before one text per turn). Target: an advocate referral in at most 12 segments; the bench
exits with status 1 when a flow with a target is not completed within it.

Run: ./heard bench   (or .venv/bin/python bench/sms_bench.py; HEARD_BENCH_VERBOSE=1 prints every text and its segments)
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
TARGETS = {"advocate": 12}  # segments per completed flow (issue 19: an advocate referral)

# Each flow as a child texts it: replies are option numbers where the bot offers options.
FLOWS: dict[str, list[str]] = {
    "advocate": ["i want an advocate", "1", "nobody asks me about moving school", "Jo", "Lancashire", "1", "1",
                 "no", "1"],
    "wishes": ["i want to share my wishes", "dont know", "football with my mates", "skip", "see my nan more",
               "skip", "1", "skip", "1", "1"],
    # "a visitor" already answers "visitor or mentor?": the first question is what kind of person.
    "visitor": ["can i have a visitor", "someone who likes art", "skip", "skip", "Jo", "Lancashire", "1", "1"],
    "complaint": ["i want to make a complaint", "they read my texts", "i want them to leave my phone alone",
                  "2", "2", "2", "Jo", "Lancashire", "1", "1"],
}
DONE_WORD = "Done!"  # how every "it is sent" message starts


def text_in(stack: Stack, phone: str, body: str) -> None:
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT, "From": phone, "To": OUR_NUMBER,
              "Body": body}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL, params)
    reply = requests.post(f"{stack.url}/webhooks/sms/webhook", data=params,
                          headers={"X-Twilio-Signature": signature}, timeout=60)
    reply.raise_for_status()


def settle(twilio: FakeTwilio, phone: str, seconds: float = 20, at_least: int = 0) -> list[str]:
    """The texts sent to ``phone`` once there are ``at_least`` and the send queue has been quiet for a moment."""
    deadline, last, quiet_since = time.monotonic() + seconds, -1, time.monotonic()
    while time.monotonic() < deadline:
        count = sum(1 for m in twilio.sent if m.get("To") == phone)
        if count != last:
            last, quiet_since = count, time.monotonic()
        elif count >= at_least and time.monotonic() - quiet_since > 1.5:
            break
        time.sleep(0.1)
    return [m.get("Body", "") for m in twilio.sent if m.get("To") == phone]


REDACTED = "[kept in "  # a bot message quoting the child's words, once the record is sent (bot.services.transcripts)


def baseline_parts(events: list[dict], turns: list[list[str]]) -> list[str]:
    """How Heard sent before one text per turn: each bot message on its own, split by itself, header on each part.
    A turn's messages are the bot events after the child's text. A read-back is no longer in the transcript once
    the record is sent ("[kept in referral 1]"), so a turn holding one is measured from the texts it really sent,
    as one message (the read-back is the only message of its turn)."""
    groups: list[list[dict]] = []
    for event in events:
        if event.get("event") == "user":
            groups.append([])
        elif event.get("event") == "bot" and groups:
            groups[-1].append(event)
    parts: list[str] = []
    for i, group in enumerate(groups):
        if any((e.get("text") or "").startswith(REDACTED) for e in group) and i < len(turns):
            parts += sms_parts("\n".join(text.split("\n", 1)[1] for text in turns[i]))
            continue
        parts += [part for e in group for part in sms_parts(e.get("text") or "", (e.get("data") or {}).get("buttons"))]
    return parts


def run_flow(stack: Stack, twilio: FakeTwilio, name: str, script: list[str]) -> dict[str, object]:
    phone = "+4477009" + str(uuid.uuid4().int)[:5]
    turns: list[list[str]] = []  # the texts answering each text the child sent
    for body in script:
        before = len(settle(twilio, phone, seconds=0))
        text_in(stack, phone, body)
        turns.append(settle(twilio, phone, at_least=before + 1)[before:])  # every text is answered
    texts = settle(twilio, phone)
    # Completed: the answer to the child's last text (and only that one) says it was sent.
    completed = any(DONE_WORD in t for t in turns[-1]) and not any(DONE_WORD in t for turn in turns[:-1] for t in turn)
    from bot.services.children import sms_sender_id

    old_parts = baseline_parts(stack.tracker(sms_sender_id(phone))["events"], turns)
    baseline = sum(segment_count(part) for part in old_parts)
    if os.environ.get("HEARD_BENCH_VERBOSE"):
        print(f"--- {name}")
        for body, turn in zip(script, turns, strict=True):
            for text in turn:
                print(f"~~~ child: {body!r} -> {segment_count(text)} segment(s), {len(text)} characters\n{text}")
    return {"flow": name, "completed": completed, "texts": len(texts),
            "segments": sum(segment_count(t) for t in texts), "baseline_texts": len(old_parts),
            "baseline_segments": baseline, "no_header_segments": sum(segment_count(without_header(t)) for t in texts)}


def without_header(text: str) -> str:
    """A text as it would be without the lock-screen header (for the figure: what the header costs)."""
    first, _, rest = text.partition("\n")
    return rest if first.startswith("Heard") else text


def stack_env(twilio: FakeTwilio) -> dict[str, str]:
    """The settings a bench stack runs with: the SMS channel pointed at ``twilio``, signed with the bench's token."""
    return {"HEARD_SECRET_KEY": os.environ["HEARD_SECRET_KEY"], "TWILIO_ACCOUNT_SID": ACCOUNT,
            "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_NUMBER": OUR_NUMBER, "HEARD_SMS_PUBLIC_URL": PUBLIC_URL,
            "TWILIO_API_BASE_URL": twilio.url}


def meets_target(row: dict[str, object]) -> bool | None:
    """Whether a flow's row meets its target (completed, in at most that many segments); None without a target."""
    target = TARGETS.get(str(row["flow"]))
    if target is None:
        return None
    return bool(row["completed"]) and int(str(row["segments"])) <= target


def main() -> int:
    """Run every flow and print the table; non-zero when a flow with a target missed it (or there is no model)."""
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
    stack = Stack(database_url=url, log_dir=folder, extra_env=stack_env(twilio)).start()
    try:
        rows = [run_flow(stack, twilio, name, script) for name, script in FLOWS.items()]
    finally:
        stack.stop()
        twilio.shutdown()
    print("\nSMS cost per completed flow (texts and carrier segments; baseline: one text per bot message)")
    print(f"{'flow':<10} {'done':<5} {'texts':>5} {'segments':>8} {'baseline texts':>14} {'baseline segs':>13} "
          f"{'ratio':>6} {'no header':>9}  target")
    for r in rows:
        ratio = r["segments"] / r["baseline_segments"] if r["baseline_segments"] else float("nan")
        met = meets_target(r)
        verdict = "-" if met is None else f"<= {TARGETS[str(r['flow'])]}: {'met' if met else 'NOT met'}"
        print(f"{r['flow']:<10} {str(r['completed']):<5} {r['texts']:>5} {r['segments']:>8} "
              f"{r['baseline_texts']:>14} {r['baseline_segments']:>13} {ratio:>6.2f} {r['no_header_segments']:>9}  "
              f"{verdict}")
    print("(no header: the same texts without the lock-screen header line, to show what the header costs)")
    missed = [str(r["flow"]) for r in rows if meets_target(r) is False]
    if missed:
        print(f"target missed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
