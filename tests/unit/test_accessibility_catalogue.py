"""Every message can be said more simply, explanations have an older wording, and the glossary is complete."""

from __future__ import annotations

import re

import pytest

from bot.accessibility.glossary import explain, load_glossary
from bot.accessibility.readability import check_line, words
from bot.accessibility.simpler import simpler
from bot.dialogue.messages import catalogue, is_translation, render

PLACEHOLDER = re.compile(r"\{(\w+)\}")
EXPLANATIONS = ["explain_advocate", "explain_review", "explain_iro", "explain_care_plan", "explain_visitor",
                "explain_mentor", "explain_complaint", "privacy"]
GLOSSARY_WORDS = ["advocate", "independent_visitor", "mentor", "review", "iro", "care_plan", "social_worker",
                  "child_protection_conference", "complaint", "consent"]


def test_every_message_has_a_simple_variant():
    missing = [name for name, entry in catalogue().items() if not (entry.get("simple") or "").strip()]
    assert not missing, f"messages with no simple: variant: {missing}"


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_simple_variant_is_not_longer_and_keeps_only_known_placeholders(name):
    entry = catalogue()[name]
    simple, text = entry["simple"], entry["text"]
    assert simple != text
    assert set(PLACEHOLDER.findall(simple)) <= set(PLACEHOLDER.findall(text))
    if is_translation(name):  # another language: a native speaker reviews its length and wording
        return
    # Shorter or about as short ("Press a button. 👇" may be added to a very short question).
    assert len(words(simple)) <= len(words(text)) + 3, (len(words(simple)), len(words(text)))
    longest = max(len(s) for s in re.split(r"[.!?\n]", simple))
    assert longest <= 80


def test_render_fills_placeholders_in_simple_variants():
    message = render("referral_sent", {"simple_next": True}, due_date="Friday 27 November")
    assert message["text"] == catalogue()["referral_sent"]["simple"].format(due_date="Friday 27 November")


def test_explanations_have_an_older_wording_that_render_picks():
    for name in EXPLANATIONS:
        older = catalogue()[name].get("older")
        assert older and older != catalogue()[name]["text"], name
        assert render(name, {"reading_level": "older"})["text"] == older
        assert render(name, {"reading_level": "younger"})["text"] == catalogue()[name]["text"]


def test_say_it_simpler_uses_the_simple_variant_with_the_values_that_were_sent():
    sent = render("referral_sent", {}, due_date="Friday 27 November")["text"]
    assert simpler(sent) == "Done! ✅ An advocate aims to get in touch by Friday 27 November."
    assert simpler(catalogue()["explain_iro"]["text"]) == catalogue()["explain_iro"]["simple"]
    assert simpler(catalogue()["explain_iro"]["older"]) == catalogue()["explain_iro"]["simple"]
    # Asked again: the simple line goes one idea a line; unknown text too.
    assert simpler(catalogue()["explain_iro"]["simple"]).count("\n") >= 2
    assert simpler("First idea. Second idea.") == "First idea.\nSecond idea."


def test_glossary_has_every_word_for_younger_and_older_children():
    glossary = load_glossary()
    assert set(GLOSSARY_WORDS) <= set(glossary.terms)
    for key in GLOSSARY_WORDS:
        younger, older = explain(key), explain(key, "older")
        assert younger and older and younger != older
        assert 1 <= len(re.findall(r"[.!?]", younger)) <= 2, key
        assert check_line(younger, {"independent", "reviewing", "officer"}).ok, (key, check_line(younger))
        assert check_line(older, {"independent", "reviewing", "officer", "conference"}).grade <= 7, key


def test_glossary_finds_words_in_text():
    glossary = load_glossary()
    assert glossary.find_terms("Your IRO and your advocate") == ["advocate", "iro"]
    assert "iro" not in glossary.find_terms("the iron is hot")
    assert glossary.find_terms("Is your review meeting soon?") == []  # says what it is
    assert glossary.find_terms("your care plans") == ["care_plan"]
