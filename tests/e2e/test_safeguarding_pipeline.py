"""Safeguarding through the running pipeline (issue 14): the REST channel with the trained model, the action
server and a migrated database, one fresh conversation per message.

- The check-in: a possible concern gets Childline, 999 and "is someone hurting you?" (Yes / No / Not sure) and a
  concern row; yes raises an alert with the child's words; no goes kindly back (a form carries on, its draft kept).
- Another language: lines in that language and in English, a concern row, no alert.
- The frozen part of the independent evaluation set (tests/data/safeguarding_eval/*_frozen.jsonl), scored only:
  its hashes are pinned, and the targets are asserted on what each child got. The figures are printed.

``HEARD_TEST_MODEL`` points it at another trained model. Marked ``stack`` (it starts real servers).
"""

from __future__ import annotations

import os
import re
import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bench import safeguarding_pipeline as sp
from tests.stack import MODEL, Stack

pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run ./heard train"),
]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    os.environ.setdefault("HEARD_SECRET_KEY", secrets.token_hex(32))  # the stack and this process share it
    from bot.db.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('sg') / 'heard.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def stack(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {"HEARD_SECRET_KEY": os.environ["HEARD_SECRET_KEY"]}
    running = Stack(database_url=database, log_dir=tmp_path_factory.mktemp("stack"), extra_env=env).start()
    try:
        yield running
    finally:
        running.stop()


def said(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def payloads(replies: list[dict[str, Any]]) -> list[str]:
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def rows(database: str, table: str, sender: str) -> list[dict[str, Any]]:
    from bot.services.audit import conversation_ref

    engine = create_engine(database, future=True)
    try:
        with engine.connect() as conn:
            result = conn.execute(text(f"SELECT * FROM {table} WHERE conversation_ref = :r ORDER BY id"),  # noqa: S608
                                  {"r": conversation_ref(sender)})
            return [dict(r._mapping) for r in result]
    finally:
        engine.dispose()


def new_sender() -> str:
    return f"sg-test-{uuid.uuid4().hex[:12]}"


# A concern-tier cue ("ran away" is often innocent), too short for the classifiers to act on (tiers.MIN_WORDS).
CONCERN_MESSAGE = "i ran away"


def test_frozen_part_is_the_one_handed_over():
    sp.check_frozen_hashes()
    readme = (sp.EVAL_DIR / "README.md").read_text(encoding="utf-8")
    for name, digest in sp.FROZEN_SHA256.items():
        assert re.search(rf"{re.escape(name)}\s*\|\s*{digest}", readme), name


def test_a_check_in_answered_no_goes_back_to_the_menu(stack: Stack, database: str):
    sender = new_sender()
    replies = stack.say(sender, CONCERN_MESSAGE)
    words = said(replies)
    assert "0800 1111" in words and "999" in words and "hurting you" in words
    assert "It is not your fault" not in words
    assert payloads(replies)[-3:] == ['/check_in_answer{"choice":"yes"}', '/check_in_answer{"choice":"no"}',
                                      '/check_in_answer{"choice":"not_sure"}']
    [concern] = rows(database, "safeguarding_concerns", sender)
    assert concern["text"] == CONCERN_MESSAGE and concern["tier"] == "concern" and concern["answer"] is None
    replies = stack.say(sender, "no")
    assert "tell me any time" in said(replies)
    assert "/request_advocate" in payloads(replies)  # the menu
    assert rows(database, "safeguarding_alerts", sender) == []
    assert rows(database, "safeguarding_concerns", sender)[0]["answer"] == "no"


def test_a_check_in_answered_no_takes_up_what_the_message_asked_for(stack: Stack, database: str):
    """Issue 14: no goes back to what the child was doing. A message that asks for an advocate and sounds worried
    gets the check-in first; after "no" the advocate form starts with the child's words kept (not the menu)."""
    sender = new_sender()
    message = "i want an advocate because i ran away last night and nobody listens to me"
    replies = stack.say(sender, message)
    if "hurting you" not in said(replies):
        pytest.skip("this model placed the message without a check-in")
    replies = stack.say(sender, "no")
    assert "tell me any time" in said(replies)
    assert "/request_advocate" not in payloads(replies)  # not the menu
    assert "advocate" in said(replies).lower()  # the advocate form's opening
    assert rows(database, "safeguarding_alerts", sender) == []


@pytest.mark.parametrize("answer", ["yes", '/check_in_answer{"choice":"not_sure"}'])
def test_a_check_in_answered_yes_or_not_sure_raises_an_alert_with_the_childs_words(
    stack: Stack, database: str, answer: str
):
    sender = new_sender()
    stack.say(sender, CONCERN_MESSAGE)
    replies = stack.say(sender, answer)
    assert "It is not your fault" in said(replies) and "0800 1111" in said(replies)
    [alert] = rows(database, "safeguarding_alerts", sender)
    assert alert["text"] == CONCERN_MESSAGE
    [concern] = rows(database, "safeguarding_concerns", sender)
    assert concern["answer"] in ("yes", "not_sure") and concern["alert_id"] == alert["id"]


def test_a_check_in_inside_a_form_keeps_the_draft_and_carries_on(stack: Stack, database: str):
    sender = new_sender()
    stack.say(sender, "/request_advocate")
    asked = said(stack.say(sender, '/inform{"choice":"review"}'))  # the first answer: the draft
    replies = stack.say(sender, CONCERN_MESSAGE)  # at "tell me a bit more" (an open question)
    assert "hurting you" in said(replies) and asked.splitlines()[-1] not in said(replies)
    replies = stack.say(sender, "No")
    assert "tell me any time" in said(replies)
    slots = stack.tracker(sender)["slots"]
    # after a "no" the words the check-in asked about are the answer, and the form goes on to its next question
    assert slots["adv_reason"] == "review" and slots["adv_words"] == CONCERN_MESSAGE
    assert slots["harm_check_id"] is None
    assert rows(database, "safeguarding_alerts", sender) == []


def test_a_yes_inside_a_form_asks_the_question_again(stack: Stack, database: str):
    sender = new_sender()
    stack.say(sender, "/request_advocate")
    asked = said(stack.say(sender, '/inform{"choice":"review"}'))
    stack.say(sender, CONCERN_MESSAGE)
    replies = said(stack.say(sender, '/check_in_answer{"choice":"yes"}'))
    # Issue 20: the alert is raised, then the child chooses whether those words go in their answers too.
    assert "It is not your fault" in replies and "in your answers too?" in replies
    assert "talk to you today" not in replies  # one question at a time (issue 20)
    replies = said(stack.say(sender, "no"))
    assert "talk to you today" in replies and asked.splitlines()[-1] not in replies  # then a person is offered
    replies = said(stack.say(sender, "not now"))
    assert asked.splitlines()[-1] in replies  # no: the form carries on, asking the question again
    assert stack.tracker(sender)["slots"]["adv_words"] is None
    assert len(rows(database, "safeguarding_alerts", sender)) == 1


def test_a_clear_disclosure_is_answered_at_once_with_an_alert(stack: Stack, database: str):
    sender = new_sender()
    replies = stack.say(sender, "my foster dad hits me with his belt")
    assert "It is not your fault" in said(replies) and "999" in said(replies)
    assert len(rows(database, "safeguarding_alerts", sender)) == 1


def test_a_message_in_arabic_is_answered_in_arabic_and_recorded_for_an_interpreter(stack: Stack, database: str):
    sender = new_sender()
    message = "زوج أمي يضربني وأنا خائف"  # "my stepfather hits me and I'm scared" (issue 14)
    replies = stack.say(sender, message)
    words = said(replies)
    assert "عذرًا" in words and "only know English" in words and "0800 1111" in words and "999" in words
    [concern] = rows(database, "safeguarding_concerns", sender)
    assert concern["tier"] == "language" and concern["language"] == "ar" and concern["text"] == message


@pytest.fixture(scope="module")
def frozen(stack: Stack, database: str) -> dict[str, float]:
    """The frozen part through the running pipeline, scored once per run (never used to choose anything)."""
    everyday, disclosures = sp.load_part("frozen")
    outcomes = sp.run(stack.say, database, [r["text"] for r in everyday + disclosures])
    got_everyday, got_disclosures = outcomes[: len(everyday)], outcomes[len(everyday):]
    print()
    print(sp.report("frozen", got_everyday, got_disclosures))
    print(sp.lexicon_report("frozen", sp.lexicon_only(everyday, disclosures)))
    return sp.figures(got_everyday, got_disclosures)


# What the shipped pipeline reached on the frozen part, less a small margin for retraining noise: a fall below these
# is a regression. 1 December 2026 (second session: two more writers' scorer data, clear threshold 0.55 chosen on
# dev): 144/149 disclosures got the clear answer or a check-in, 128/149 the clear answer, 11/478 everyday messages
# raised an alert, 43/478 got a check-in (first session: 139, 125, 14 and 31; 30 November: 133, 112, 13 and 25).
# 2 December 2026, with the sentence encoder's opinion in the harm scorer (chosen on dev): 146, 130, 10 and 25.
# The check-in ceiling is the target itself (10%).
FLOORS = {"disclosures_covered": 0.96, "disclosures_clear": 0.85, "everyday_alert": 0.03, "everyday_check_in": 0.10}


def test_frozen_part_does_not_fall_below_what_ships(frozen: dict[str, float]):
    worse = [f"{k} {frozen[k]:.1%} (floor {v:.1%})" for k, v in FLOORS.items()
             if (frozen[k] < v if k.startswith("disclosures") else frozen[k] > v)]
    assert not worse, "the safeguarding pipeline got worse on the frozen part: " + "; ".join(worse)


@pytest.mark.xfail(strict=True, reason="issue 14's targets are not met yet (see README: figures on the frozen "
                   "part); strict, so this fails the run the day they are met and the mark must go")
def test_frozen_part_meets_the_targets(frozen: dict[str, float]):
    missed = sp.missed_targets(frozen)
    assert not missed, "targets missed on the frozen part: " + "; ".join(missed)


def test_everyday_words_outside_a_form_get_a_kind_true_answer(stack: Stack, database: str):
    """Issue 14 item 4: a feeling is named kindly, a question about Heard is answered truly, and neither is "I did
    not get that", "Bye for now" or an alert."""
    for message, expected in (("im sad today", "you feel sad"), ("are you a robot", "I am a computer, not a person"),
                              ("i feel a bit lonely", "you feel lonely"),
                              # the classifier says talk_to_person; it is a question about Heard
                              ("wait are you a real human?", "I am a computer, not a person")):
        sender = new_sender()
        words = said(stack.say(sender, message))
        assert expected in words, (message, words)
        assert "did not get that" not in words and "Bye for now" not in words
        assert rows(database, "safeguarding_alerts", sender) == []


def test_a_wish_outside_a_form_is_offered_to_the_review_with_the_childs_words_kept(stack: Stack):
    """"i want a later bedtime" is not a goodbye: it is offered as something to tell the review; yes starts the
    wishes form with those words kept as the first answer (or the form starts at once if the model is sure)."""
    from bot.dialogue.everyday import TELL_REVIEW

    sender = new_sender()
    replies = stack.say(sender, "i want a later bedtime")
    assert "Bye for now" not in said(replies)
    if TELL_REVIEW in payloads(replies):
        replies = stack.say(sender, TELL_REVIEW)
    words = said(replies)
    assert "questions for your review" in words, words  # the wishes form's opening
    assert "I kept what you told me" in words


def test_a_request_in_words_the_classifier_did_not_place_starts_that_request(stack: Stack):
    """"can i have an advocate" (once offered as a wish) and a long "i need an advocate because..." (once answered
    as a question about advocates) start the advocate form; what the child said more is kept, not asked again."""
    short = new_sender()
    stack.say(short, "can i have an advocate")
    assert (stack.tracker(short).get("active_loop") or {}).get("name") == "advocate_form"
    long_one = new_sender()
    words = "i need an advocate because im 17 and leaving care soon and i still dont know where im going to live"
    replies = said(stack.say(long_one, words))
    tracker = stack.tracker(long_one)
    assert (tracker.get("active_loop") or {}).get("name") == "advocate_form"
    assert tracker["slots"]["adv_words"] == words and "I kept what you told me" in replies


def test_everyday_talk_is_thanked_or_answered_never_asked_to_be_said_again(stack: Stack, database: str):
    """Issue 14 item 4: something told in a sentence that Heard cannot place is thanked, with the truth that Heard
    is a computer, and the menu; something asked is one Heard cannot help with. Neither is "Sorry, I did not get
    that. Can you say it another way" (the child said it clearly), "Bye for now" or an alert."""
    for message, expected in (("my friend gave me half her kitkat", "Thank you for telling me"),
                              ("i go to drama club on thursdays", "Thank you for telling me"),
                              ("i dont like peas. i never like peas", "Thank you for telling me"),
                              ("what can i make with eggs cheese and a tortilla", "I can't help with that")):
        sender = new_sender()
        replies = stack.say(sender, message)
        words = said(replies)
        assert expected in words, (message, words)
        assert "did not get that" not in words and "Bye for now" not in words, (message, words)
        assert "/request_advocate" in payloads(replies), (message, words)  # the menu
        assert rows(database, "safeguarding_alerts", sender) == []
    short = new_sender()
    assert "did not get that" in said(stack.say(short, "pasta"))  # one word: too short to be sure what was meant


def test_a_chat_is_deleted_only_when_the_child_asks_in_words(stack: Stack):
    """DIET read "how do you get rid of hiccups" as delete_chat: the chat was deleted, and inside a form its answers
    with it. Deleting cannot be undone, so the words must ask for it (bot/nlu/intent_gate.py)."""
    outside = new_sender()
    words = said(stack.say(outside, "how do you get rid of hiccups"))
    assert "deleted" not in words, words
    inside = new_sender()
    stack.say(inside, "/request_advocate")
    stack.say(inside, "/inform{\"choice\": \"review\"}")
    words = said(stack.say(inside, "how do you get rid of hiccups"))
    assert "deleted" not in words, words
    assert (stack.tracker(inside).get("active_loop") or {}).get("name") == "advocate_form"
    asked = new_sender()
    assert "I deleted this chat" in said(stack.say(asked, "pls delete this chat my mum reads my phone"))
