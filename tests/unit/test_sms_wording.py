"""Issue 19: on SMS "Stop" means one thing. Every catalogue message as SMS renders it (its ``sms:`` wording where it
has one) never says press, tap, click or button, never tells a child to send a carrier keyword, and no option on
SMS is a carrier keyword (texting one opts the number out of every text, and Twilio blocks it)."""

from __future__ import annotations

import re

import pytest

from bot.accessibility.readability import check_line
from bot.dialogue.messages import buttons, catalogue, is_translation, render, variant
from bot.services.sms_opt_outs import OPT_IN_WORDS, OPT_OUT_WORDS

CARRIER = OPT_OUT_WORDS | OPT_IN_WORDS
WEB_WORDS = re.compile(r"\b(press|pressing|tap|click|buttons?)\b", re.IGNORECASE)
SEND_A_KEYWORD = re.compile(
    r"\b(press|reply|send|text|type|write|say)\s+[\"'“]?(" + "|".join(sorted(CARRIER)) + r")\b", re.IGNORECASE)


def _sms_lines():
    for name in catalogue():
        if is_translation(name):
            continue
        entry = variant(name, "sms")
        for key in ("text", "simple", "older"):
            if entry.get(key):
                yield pytest.param(name, key, entry[key], id=f"{name}.{key}")


@pytest.mark.parametrize("name,key,text", list(_sms_lines()))
def test_no_message_tells_an_sms_child_to_press_or_to_text_a_carrier_keyword(name, key, text):
    assert not WEB_WORDS.search(text), f"{name}.{key} on SMS: {text!r}"
    assert not SEND_A_KEYWORD.search(text), f"{name}.{key} on SMS: {text!r}"


# Options only SMS has: "Text me at this number" (the channel seals the number the child texts from; issue 19).
SMS_ONLY = {("ask_contact_how", '/inform{"choice":"this_number"}')}


def test_no_sms_option_is_a_carrier_keyword_and_payloads_mean_the_same():
    for name in catalogue():
        sms, web = buttons(name, "sms"), buttons(name)
        assert [b["payload"] for b in sms if (name, b["payload"]) not in SMS_ONLY] == [b["payload"] for b in web], name
        for button in sms:
            words = set(re.findall(r"[a-z]+", button["title"].lower()))
            assert not words & CARRIER, f"{name}: option {button['title']!r} is a carrier keyword on SMS"


def test_the_confirm_option_is_dont_send_and_stopping_is_reply_0():
    titles = [b["title"] for b in render("ask_adv_confirm", channel="sms", summary="x")["buttons"]]
    assert titles[-1] == "Don't send"
    assert "Stop, don't send" in [b["title"] for b in render("ask_adv_confirm", summary="x")["buttons"]]
    assert "Reply 0" in render("start_advocate", channel="sms")["text"]
    # The web shows no Stop button during the questions: it says what works (writing stop; see the stop
    # rules in data/rules/rules.yml), not a button that is not there (issue 18).
    assert "write stop" in render("start_advocate")["text"], "the web keeps its own wording"
    assert "press Stop" not in render("start_advocate")["text"]


def test_sms_wording_is_readable():
    failures = []
    for name in catalogue():
        sms = catalogue()[name].get("sms") or {}
        for key in ("text", "simple", "older"):
            if sms.get(key) and not check_line(sms[key]).ok:
                failures.append(f"{name}.sms.{key}: {sms[key]!r}")
    assert not failures, failures


def test_a_picture_is_answered_in_words():
    assert render("sms_picture", channel="sms")["text"] == "I can't see pictures. Can you tell me in words?"


def test_sms_option_titles_are_readable():
    failures = []
    for name in catalogue():
        for button in (catalogue()[name].get("sms") or {}).get("buttons") or []:
            score = check_line(str(button["title"]))
            problems = [p for p in score.problems if not p.startswith("grade")]  # a label, not prose: word rules
            if problems:
                failures.append(f"{name} sms option {button['title']!r}: {problems}")
    assert not failures, failures


def test_reply_with_a_number_is_said_once_per_text():
    """A message with its own options is followed by "Reply with a number:" and the numbered options
    (bot.channels.sms_turn), so its words do not say it again (issue 19: every character is paid for)."""
    said_twice = []
    for name in catalogue():
        entry = variant(name, "sms")
        if is_translation(name) or not entry.get("buttons"):
            continue
        for key in ("text", "simple", "older"):
            if re.search(r"reply with (a|one of the) numbers?", entry.get(key) or "", re.IGNORECASE):
                said_twice.append(f"{name}.{key}")
    assert not said_twice, said_twice
