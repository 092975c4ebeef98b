"""SMS formatting (`bot.channels.sms_text`): numbered options, GSM-7, segments, lock-screen previews."""

from __future__ import annotations

import re

import pytest

from bot.channels import sms_text
from bot.vocabulary import typed_choice as choice_from_reply
from bot.channels.sms_text import (
    PREVIEW_CHARS,
    gsm_units,
    is_gsm7,
    plain,
    preview,
    segment_count,
    segments,
    sms_parts,
    ucs2_units,
)
from bot.dialogue.messages import catalogue, is_translation, render

# Words that must never show on a lock screen (a shared phone): what Heard is about.
SENSITIVE = re.compile(
    r"abuse|hurt|harm|safe|danger|fault|advocat|care|social|worker|review|iro\b|complain|police|childline|"
    r"0800|999|visitor|mentor|meeting|court|help|tell|secret|scared|adult|grown|referr|wish|feel|answer|"
    r"contact|phone|family|foster",
    re.I,
)

SAMPLE_VALUES = {
    "child_greeting": " Jade",
    "due_date": "Friday 28 November",
    "date": "3 December",
    "label": "Sam, likes art",
    "summary": "Date: 3 December\nGoing well: school and football\nNot going well: I miss my mum\n"
    "Who can see it: Social worker and IRO",
}


def _all_catalogue_variants():
    for name, entry in catalogue().items():
        for key in ("text", "simple", "older"):
            if entry.get(key):
                text = entry[key]
                names = set(re.findall(r"\{(\w+)\}", text))
                yield pytest.param(
                    name,
                    text.format(**{n: SAMPLE_VALUES.get(n, "x") for n in names}),
                    entry.get("buttons") or [],
                    id=f"{name}.{key}",
                )


@pytest.mark.parametrize("name, text, buttons", list(_all_catalogue_variants()))
@pytest.mark.parametrize("per_part", ["1", "3"])
def test_every_catalogue_message_is_safe_on_a_lock_screen(name, text, buttons, per_part, monkeypatch):
    monkeypatch.setenv("HEARD_SMS_SEGMENTS_PER_PART", per_part)
    parts = sms_parts(text, buttons)
    assert parts, name
    for part in parts:
        shown = preview(part)
        assert len(shown) == PREVIEW_CHARS
        assert not SENSITIVE.search(shown), f"{name}: lock screen would show {shown!r}"
        assert shown.startswith("Heard")
        if is_translation(name):  # another language goes as UCS-2: more segments, still delivered
            continue
        assert is_gsm7(part), f"{name}: catalogue texts stay in GSM-7 (emoji removed)"
        limit = 160 if per_part == "1" else 153 * int(per_part)
        assert gsm_units(part) <= limit
        if per_part == "1":
            assert segment_count(part) == 1
    # Nothing is lost: every word of the message and every option reaches the child, in order.
    bodies = " ".join(p.split("\n", 1)[1] for p in parts)
    expected = plain(sms_text.with_options(text, buttons))
    assert " ".join(bodies.split()) == " ".join(expected.split())


def test_preview_is_only_the_neutral_header_even_for_a_safeguarding_answer():
    message = render("safeguarding")
    (part,) = sms_parts(message["text"])
    assert preview(part) == sms_text.HEADER_SINGLE[:PREVIEW_CHARS]
    assert "Childline" in part and "999" in part  # the help is in the message, just not on the lock screen


def test_buttons_become_numbered_options():
    message = render("ask_adv_tell_sw")
    (part,) = sms_parts(message["text"], message["buttons"])
    lines = part.split("\n")
    assert lines[0].startswith("Heard:")
    assert lines[-4:] == ["Reply with a number:", "1 Yes, that's OK", "2 No, please don't", "3 Not sure"]


def test_emoji_removed_and_punctuation_made_plain():
    assert plain("Done! ✅ Your request is sent.") == "Done! Your request is sent."
    assert plain("Hi 👋🏽 there \U0001f469\u200d\u2696\ufe0f ok") == "Hi there ok"
    assert plain("It’s “fine” – really…") == 'It\'s "fine" - really...'
    assert plain("Zoë and José in Łódź") == "Zoe and José in Lodz"  # é is GSM-7; ë, Ł, ó, ź made plain
    assert is_gsm7(plain("Send it ✅"))


def test_gsm_and_ucs2_lengths():
    assert gsm_units("a€[b") == 6
    assert ucs2_units("😀a") == 3
    assert segment_count("a" * 160) == 1 and segment_count("a" * 161) == 2
    assert segment_count("a" * 306) == 2 and segment_count("a" * 307) == 3
    assert segment_count("ж" * 70) == 1 and segment_count("ж" * 71) == 2 and segment_count("ж" * 135) == 3
    assert [len(s) for s in segments("a" * 400)] == [153, 153, 94]
    assert [len(s) for s in segments("ж" * 140)] == [67, 67, 6]
    assert all(gsm_units(s) <= 153 for s in segments("€" * 200))


def test_long_reply_split_in_order_one_segment_each(monkeypatch):
    monkeypatch.setenv("HEARD_SMS_SEGMENTS_PER_PART", "1")
    words = [f"word{n:03d}" for n in range(120)]
    parts = sms_parts(" ".join(words))
    n = len(parts)
    assert n > 5
    for i, part in enumerate(parts, start=1):
        assert part.startswith(f"Heard ({i}/{n}): ")
        assert gsm_units(part) <= 160 and segment_count(part) == 1
    received = " ".join(p.split("\n", 1)[1] for p in parts).split()
    assert received == words, "every word arrives, in order, none cut in half"


def test_long_reply_in_three_segment_parts_by_default(monkeypatch):
    monkeypatch.delenv("HEARD_SMS_SEGMENTS_PER_PART", raising=False)
    text = " ".join(f"word{n:03d}" for n in range(100))  # 799 characters
    parts = sms_parts(text)
    assert len(parts) == 3  # about 390 characters after the header in each
    assert all(segment_count(p) <= 3 for p in parts)
    assert " ".join(p.split("\n", 1)[1] for p in parts).split() == text.split()


def test_non_gsm_words_use_ucs2_parts_of_67_character_segments(monkeypatch):
    monkeypatch.setenv("HEARD_SMS_SEGMENTS_PER_PART", "1")
    text = "Here are your answers.\nGoing well: " + "Дякую, у школі все добре. " * 12
    parts = sms_parts(text)
    assert len(parts) >= 2
    assert sum(not is_gsm7(p) for p in parts) >= 2
    for i, part in enumerate(parts, start=1):
        if is_gsm7(part):
            assert gsm_units(part) <= 160
        else:
            assert ucs2_units(part) <= 67 * 3
            assert all(ucs2_units(s) <= 67 for s in segments(part))
        assert not SENSITIVE.search(preview(part))
        assert part.startswith(f"Heard ({i}/{len(parts)}): ")


def test_options_stay_whole_when_a_message_is_split(monkeypatch):
    monkeypatch.setenv("HEARD_SMS_SEGMENTS_PER_PART", "1")
    message = render("menu")
    parts = sms_parts(message["text"], message["buttons"])
    lines = [line for p in parts for line in p.split("\n")[1:]]
    for n, button in enumerate(message["buttons"], start=1):
        assert f"{n} {plain(button['title'])}" in lines


@pytest.mark.parametrize(
    "reply, expected",
    [
        ("2", "/share_wishes"),
        (" 2. ", "/share_wishes"),
        ("two", "/share_wishes"),
        ("6", "/talk_to_person"),
        ("Make a complaint", "/make_complaint"),
        ("make a complaint!", "/make_complaint"),
        ("7", None),
        ("0", None),
        ("I want 2 things", None),
        ("hello", None),
    ],
)
def test_a_reply_picks_an_option_by_number_or_words(reply, expected):
    assert choice_from_reply(reply, render("menu")["buttons"]) == expected


def test_no_options_means_no_mapping():
    assert choice_from_reply("1", []) is None
    assert choice_from_reply("1", None) is None


@pytest.mark.parametrize(
    "text, word",
    [
        ("STOP", "stop"),
        ("Stop.", "stop"),
        (" unsubscribe ", "unsubscribe"),
        ("start", "start"),
        ("stop it", "stopit"),
        ("please stop asking me now", ""),
    ],
)
def test_keyword(text, word):
    from bot.services import sms_opt_outs

    assert sms_opt_outs.keyword(text) == word
    assert (word in sms_opt_outs.OPT_OUT_WORDS) == (word in {"stop", "unsubscribe"})  # "stop it" is not STOP
