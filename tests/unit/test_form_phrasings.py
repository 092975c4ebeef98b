"""Issue 20: 255 messages written by someone who did not write the readers (tests/data/form_phrasings.jsonl,
written with no access to the code), each with what a careful person would do with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.dialogue import messages
from bot.dialogue.answers import first_answers, read_answer

ROWS = [json.loads(line) for line in
        (Path(__file__).resolve().parents[1] / "data" / "form_phrasings.jsonl").read_text().splitlines() if line]
WORDS_SLOT = {"advocate": ("adv_words", "adv_reason"), "complaint": ("adv_words", None),
              "visitor": ("iv_wish", "iv_kind"), "wishes": ("w_change", None)}


def rows(*categories: str) -> list[dict]:
    return [r for r in ROWS if r["category"] in categories]


def read(slot: str, text: str):
    return read_answer(slot, text, "inform", 0.5, messages.buttons(f"ask_{slot}"))


def ids(rs: list[dict]) -> list[str]:
    return [r["text"][:40] for r in rs]


@pytest.mark.parametrize("row", rows("consent_yes"), ids=ids(rows("consent_yes")))
def test_a_plain_yes_is_consent(row: dict) -> None:
    out = read("adv_tell_sw", row["text"])
    assert (out.kind, out.value) in (("fill", "yes"), ("explain", None)), out  # asked again is safe
    assert out.value != "no"


@pytest.mark.parametrize("row", rows("consent_no"), ids=ids(rows("consent_no")))
def test_a_plain_no_is_never_taken_as_yes(row: dict) -> None:
    out = read("adv_tell_sw", row["text"])
    assert out.value != "yes" and (out.kind, out.value) in (("fill", "no"), ("explain", None)), out


@pytest.mark.parametrize("row", rows("consent_unclear"), ids=ids(rows("consent_unclear")))
def test_an_unclear_answer_is_never_consent(row: dict) -> None:
    out = read("adv_tell_sw", row["text"])
    assert out.value != "yes", out


def test_most_plain_answers_are_heard_first_time() -> None:
    plain = rows("consent_yes", "consent_no")
    heard = [r for r in plain if read("adv_tell_sw", r["text"]).kind == "fill"]
    assert len(heard) / len(plain) >= 0.85, [r["text"] for r in plain if r not in heard]


@pytest.mark.parametrize("row", rows("meta", "stop_sentence"), ids=ids(rows("meta", "stop_sentence")))
def test_meta_and_stop_sentences_are_not_kept_as_answers(row: dict) -> None:
    assert read("adv_words", row["text"]).kind != "fill"


@pytest.mark.parametrize("row", rows("real_answer_lookalike"), ids=ids(rows("real_answer_lookalike")))
def test_real_answers_are_kept_word_for_word(row: dict) -> None:
    out = read("adv_words", row["text"])
    assert (out.kind, out.value) == ("fill", row["text"])


@pytest.mark.parametrize("row", rows("date_valid", "date_dont_know"), ids=ids(rows("date_valid", "date_dont_know")))
def test_dates_and_dont_know_are_kept(row: dict) -> None:
    # "next friday" said before Friday asks which Friday (this week's or the next), then keeps the one picked
    assert read("w_review_date", row["text"]).kind in ("fill", "which_date")


@pytest.mark.parametrize("row", rows("date_invalid"), ids=ids(rows("date_invalid")))
def test_nothing_else_is_stored_as_a_date(row: dict) -> None:
    assert read("w_review_date", row["text"]).kind != "fill"


@pytest.mark.parametrize("row", rows("first_message_with_content"), ids=ids(rows("first_message_with_content")))
def test_what_a_first_message_says_is_kept(row: dict) -> None:
    words_slot, guess_slot = WORDS_SLOT[row["form"]]
    buttons = messages.buttons(f"ask_{guess_slot}") if guess_slot else []
    assert first_answers(words_slot, guess_slot, row["text"], buttons).get(words_slot) == row["text"]


@pytest.mark.parametrize("row", rows("first_message_bare"), ids=ids(rows("first_message_bare")))
def test_a_bare_request_keeps_nothing_as_words(row: dict) -> None:
    words_slot, guess_slot = WORDS_SLOT[row["form"]]
    assert words_slot not in first_answers(words_slot, guess_slot, row["text"], [])
