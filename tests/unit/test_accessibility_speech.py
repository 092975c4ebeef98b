"""Replies made ready to be spoken: no emoji noise, letter-words spelt out, phone numbers digit by digit."""

from __future__ import annotations

from bot.accessibility.speech import speakable, spoken_reply
from bot.dialogue.messages import catalogue, is_translation


def test_emoji_and_joiners_are_not_spoken():
    assert speakable("An advocate is on your side. \U0001F91D They help you.") == \
        "An advocate is on your side. They help you."
    judge = "\U0001F469\u200d\u2696\ufe0f"
    assert speakable(f"The IRO runs your meeting. {judge} OK?") == "The I R O runs your meeting. OK?"
    assert speakable("Yes or no. \U0001F44D\U0001F44E") == "Yes or no."
    assert speakable("\u2705") == ""


def test_letter_words_are_spelt_and_symbols_said():
    assert speakable("Anything just for the IRO?") == "Anything just for the I R O?"
    assert speakable("Two IROs & a GP") == "Two I R O's and a G P."
    assert speakable("It costs £5") == "It costs 5 pounds."
    assert "iron" in speakable("The iron is hot")  # only whole letter-words


def test_phone_numbers_are_read_digit_by_digit():
    spoken = speakable("Call Childline free on 0800 1111, day or night.")
    assert "zero eight zero zero, one one one one" in spoken
    assert speakable("call 999.") == "call nine nine nine."
    assert "one one six, one two three" in speakable("Samaritans: 116 123")
    assert "in 2026" in speakable("in 2026")  # a year is not a phone number


def test_summary_lines_become_sentences_and_buttons_become_choices():
    text = "Here are your answers. \U0001F4DD\n• Going well: school\n• For the IRO: hi\nIs it OK to send?"
    assert speakable(text) == \
        "Here are your answers. Going well: school. For the I R O: hi. Is it OK to send?"
    entry = catalogue()["ask_adv_tell_sw"]
    spoken = spoken_reply(entry["text"], [b["title"] for b in entry["buttons"]])
    assert spoken.endswith("You can press: Yes, that's OK. No, please don't. Or: Not sure.")
    assert spoken_reply("Send it?", ["Send it ✅"]) == "Send it? You can press: Send it."


def test_no_catalogue_line_speaks_a_symbol():
    for name, entry in catalogue().items():
        if is_translation(name):  # another language: not spoken by the English voice
            continue
        for key in ("text", "simple", "older"):
            if entry.get(key):
                spoken = speakable(entry[key])
                assert all(ch.isascii() or ch in "’" for ch in spoken), spoken
