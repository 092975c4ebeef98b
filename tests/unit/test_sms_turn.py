"""One turn as the fewest text messages (`bot.channels.sms_turn`), with real GSM-7 / UCS-2 rules."""

from __future__ import annotations

import pytest

from bot.channels import sms_text, sms_turn
from bot.channels.sms_text import gsm_units, is_gsm7, preview, segment_count, sms_parts, ucs2_units
from bot.dialogue.messages import render

ARABIC = "أريد أن أتكلم مع شخص عن مدرستي وعن بيتي ولا أحد يسمعني"  # 55 characters, none of them GSM-7
CONFIRM = [
    {"title": "Send it", "payload": "/affirm"},
    {"title": "Change an answer", "payload": '/inform{"choice":"change"}'},
    {"title": "Don't send", "payload": "/deny"},
]


def _body(part: str) -> str:
    return part.split("\n", 1)[1]


def _summary(words: str) -> str:
    return "\n".join([
        "Here is what you told me:",
        "What it is about: my review",
        "A good time: after school on a weekday, not when my carer is in",
        "Tell your social worker: yes",
        f"In your words: {words}",
        "Your name: Jade",
        "Your council: Cambridgeshire",
        "How to reach you: text me, this number is fine",
    ])


def _check_limits(parts: list[str]) -> None:
    for part in parts:
        if is_gsm7(part):
            assert gsm_units(part) <= sms_text.part_limit(True)
        else:
            assert ucs2_units(part) <= sms_text.part_limit(False)


def test_greeting_and_menu_are_one_text_with_one_header():
    greet, menu = render("greet", child_greeting=""), render("menu")
    turn = sms_turn.compose([(greet["text"], None), (menu["text"], menu["buttons"])])
    assert len(turn.parts) == 1
    assert turn.parts[0].count("Heard: You have a new message.") == 1
    assert turn.options == sms_turn.options_of(menu["buttons"])
    per_message = sms_parts(greet["text"]) + sms_parts(menu["text"], menu["buttons"])
    assert len(per_message) == 2
    assert turn.segments <= sum(segment_count(p) for p in per_message), "no dearer than a text per message"


def test_one_arabic_answer_goes_in_its_own_ucs2_part_and_the_rest_stays_gsm7():
    turn = sms_turn.compose([(_summary(ARABIC), None), ("Is this right?", CONFIRM)])
    encodings = [is_gsm7(p) for p in turn.parts]
    assert encodings.count(False) == 1, "only the part with the Arabic answer is UCS-2"
    arabic_part = turn.parts[encodings.index(False)]
    assert ARABIC in arabic_part and "Here is what you told me" not in arabic_part
    assert "Reply with a number" not in arabic_part, "the options stay GSM-7"
    _check_limits(turn.parts)
    assert len(turn.parts) == 3, "before, the Arabic text, after: no fewer is possible without UCS-2 everywhere"
    old = sms_parts(_summary(ARABIC)) + sms_parts("Is this right?", CONFIRM)
    assert len(turn.parts) < len(old) and turn.segments <= sum(segment_count(p) for p in old)


def test_a_short_turn_with_a_few_arabic_words_is_one_text():
    turn = sms_turn.compose([("You said: شكرا", None)])
    assert len(turn.parts) == 1 and not is_gsm7(turn.parts[0])


def test_options_are_never_split_and_are_in_the_last_part():
    long_text = " ".join(["This is a long line of words to fill the text."] * 9)
    turn = sms_turn.compose([(long_text, None), ("Is this right?", CONFIRM)])
    assert len(turn.parts) >= 2
    last = turn.parts[-1]
    assert "Reply with a number:\n1 Send it\n2 Change an answer\n3 Don't send" in last
    assert all("Send it" not in p for p in turn.parts[:-1])
    _check_limits(turn.parts)


@pytest.mark.parametrize("per_part", ["1", "3"])
def test_parts_are_numbered_and_safe_on_a_lock_screen(per_part, monkeypatch):
    monkeypatch.setenv("HEARD_SMS_SEGMENTS_PER_PART", per_part)
    words = " ".join(f"word{n:03d}" for n in range(200))
    turn = sms_turn.compose([(words, None), (ARABIC, None), ("Is this right?", CONFIRM)])
    n = len(turn.parts)
    assert n > 1
    for i, part in enumerate(turn.parts, start=1):
        assert part.startswith(f"Heard ({i}/{n}): You have a new message.")
        assert len(preview(part)) == sms_text.PREVIEW_CHARS and preview(part).startswith("Heard (")
    _check_limits(turn.parts)
    told = " ".join(_body(p) for p in turn.parts).split()
    assert told[:200] == words.split(), "every word, in order"


def test_a_long_answer_is_shortened_in_the_read_back():
    answer = "I want to stay at my school " * 60  # 1,680 characters
    turn = sms_turn.compose([(_summary(answer.strip()), None), ("Is this right?", CONFIRM)])
    text = "\n".join(_body(p) for p in turn.parts)
    line = next(x for x in text.split("\n") if x.startswith("In your words:"))
    kept = line[len("In your words: "):line.index("...and ")]
    more = int(line.split("...and ")[1].split(" more")[0].replace(",", ""))
    assert len(kept) <= sms_turn.LONG_ANSWER and kept + answer.strip()[len(kept):] == answer.strip()
    assert more == len(answer.strip()) - len(kept) and f"{more:,}" in line
    assert turn.segments <= 7 < segment_count(answer), "the read-back costs less than the answer alone would"


def test_short_answers_and_bot_lines_are_not_shortened():
    line = "In your words: " + "x" * sms_turn.LONG_ANSWER
    assert sms_turn.shorten_answer(line) == line
    bot_line = "Heard says: " + "y " * 400
    assert sms_turn.shorten_answer(bot_line) == bot_line


def test_only_the_last_messages_buttons_are_numbered():
    turn = sms_turn.compose([("Pick one", [{"title": "A", "payload": "/a"}]), ("Or one of these", CONFIRM)])
    body = _body(turn.parts[0])
    assert "- A" in body and "1 Send it" in body and "1 A" not in body
    assert [o["payload"] for o in turn.options] == ["/affirm", '/inform{"choice":"change"}', "/deny"]


def test_nothing_said_is_no_text():
    assert sms_turn.compose([]).parts == [] and sms_turn.compose([("  ", None)]).parts == []


# ---------------------------------------------------------------- issue 19, cost: the advocate referral by SMS

ADVOCATE_ANSWERS = {
    "adv_reason": "review", "adv_words": "nobody asks me about moving school", "anon_name": "Jo",
    "anon_council": "Lancashire", "contact_how": "this_number", "contact_when": "after_school", "adv_tell_sw": "no",
}


def _sms(name: str, **values: str) -> tuple[str, list]:
    message = render(name, channel="sms", **values)
    return message["text"], message["buttons"]


def _read_back(answers: dict) -> str:
    from bot.dialogue.forms import summary

    titles = {"adv_reason": {"review": "My review meeting"}, "contact_when": {"after_school": "After school"},
              "adv_tell_sw": {"no": "No, please don't"}}
    return summary("advocate_form", answers, lambda slot: titles.get(slot, {}))


def test_the_real_read_back_drops_its_bullets_and_shortens_a_long_answer():
    long_words = "I want to stay at my school " * 60  # 1,680 characters
    text, buttons = _sms("ask_adv_confirm", summary=_read_back({**ADVOCATE_ANSWERS, "adv_words": long_words.strip()}))
    assert "• In your words:" in text, "the read-back the bot says has bullets (the web shows them)"
    turn = sms_turn.compose([(text, buttons)])
    lines = "\n".join(_body(p) for p in turn.parts).split("\n")
    assert not [line for line in lines if line.startswith("- ")], "no bullet costs two characters a line"
    words = next(line for line in lines if line.startswith("In your words: "))
    assert words.endswith("more characters") and len(words) < sms_turn.LONG_ANSWER + 60
    for label, answer in (("Your name", "Jo"), ("Your council", "Lancashire"),
                          ("What it is about", "My review meeting"), ("How to reach you", "Text me at this number"),
                          ("A good time", "After school"), ("Tell your social worker", "No, please don't")):
        assert f"{label}: {answer}" in lines, "every answer is read back, in the child's words"
    assert turn.segments <= 6, "the 1,680 characters in full would cost 14 segments more"
    assert "Reply with a number:\n1 Send it" in turn.parts[-1]


def test_the_advocate_referral_by_sms_costs_13_segments_in_9_texts():
    """One text per answer: the opening (what an advocate is, how to stop, five options) in 2 segments, the six
    ways to be reached in 2, the read-back with every answer in 3, and each other question or answer in 1 (at most
    160 characters with the 62-character header). 13 is the fewest without dropping an option or an answer:
    the six options alone need 130 characters after the header's 62, the read-back about 330."""
    opening = [_sms("start_advocate"), _sms("ask_adv_reason")]
    turns = [opening, [_sms("ask_adv_words")], [_sms("ask_anon_name")], [_sms("ask_anon_council")],
             [_sms("ask_contact_how")], [_sms("ask_contact_when")], [_sms("ask_adv_tell_sw")],
             [_sms("ask_adv_confirm", summary=_read_back(ADVOCATE_ANSWERS))],
             [_sms("referral_sent", due_date="Wednesday 30 September")]]  # the longest date there is
    costs = [sms_turn.compose(turn).segments for turn in turns]
    assert costs == [2, 1, 1, 1, 2, 1, 1, 3, 1]
    assert all(len(sms_turn.compose(turn).parts) == 1 for turn in turns), "one text per turn"
    web_opening = sms_turn.compose([(render(n)["text"], render(n)["buttons"]) for n in ("start_advocate",
                                                                                          "ask_adv_reason")])
    assert web_opening.segments == 3, "the web's own words would cost a segment more"


def test_a_long_answer_under_its_short_label_is_shortened_too():
    answer = "nobody listens to me at my meetings " * 40
    line = sms_turn.shorten_answer("Your words: " + answer.strip())
    assert line.startswith("Your words: ") and "more characters" in line and len(line) < 400
