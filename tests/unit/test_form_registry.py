"""The form registry (bot/dialogue/forms.py) is the one place a form or a question is defined: the Rasa domain,
the rules, the ask actions, the submit dispatch and the message catalogue must all agree with it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.dialogue import forms, messages, submissions
from bot.dialogue.forms import FORMS, QUESTIONS, Question
from scripts import make_rules
from tests.tools.domain import load_domain

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = load_domain()


def test_generated_domain_and_rules_are_up_to_date() -> None:
    """Run `python scripts/make_rules.py` after changing the registry."""
    assert (ROOT / "domain" / "forms.yml").read_text(encoding="utf-8") == make_rules.build_domain()
    assert (ROOT / "data" / "rules" / "rules.yml").read_text(encoding="utf-8") == make_rules.build_rules()


def test_domain_forms_and_slots_match_the_registry() -> None:
    assert set(DOMAIN["forms"]) == set(FORMS)
    for name, spec in FORMS.items():
        assert DOMAIN["forms"][name]["required_slots"] == list(spec.slots)
        assert f"validate_{name}" in DOMAIN["actions"]
        assert spec.submit_action in DOMAIN["actions"]
    for slot in QUESTIONS:
        assert slot in DOMAIN["slots"], slot
        assert f"action_ask_{slot}" in DOMAIN["actions"], slot
    assert set(forms.starting_intents()) <= set(DOMAIN["intents"])


def test_every_question_and_opening_has_its_words() -> None:
    catalogue = messages.catalogue()
    for slot in QUESTIONS:
        assert f"ask_{slot}" in catalogue, slot
    for spec in FORMS.values():
        for start in spec.starts.values():
            for name in start.messages:
                assert name in catalogue, name


def test_every_form_is_sent_by_one_use_case() -> None:
    for spec in FORMS.values():
        assert callable(getattr(submissions, spec.submit, None)), spec.submit


def test_a_question_shared_by_forms_is_read_the_same_in_each() -> None:
    """anon_name, contact_how... appear in several forms; only *when* they are asked may differ."""
    for spec in FORMS.values():
        for q in spec.questions:
            shared = QUESTIONS[q.slot]
            assert dataclasses.replace(q, when=shared.when) == shared, q.slot


def test_ask_actions_are_made_for_every_question() -> None:
    from actions import forms as form_actions

    assert set(form_actions.ASK_ACTIONS) == set(QUESTIONS)
    for slot, cls in form_actions.ASK_ACTIONS.items():
        assert cls().name() == f"action_ask_{slot}"


def test_synonyms_name_only_the_questions_buttons() -> None:
    """A typed word can only ever give a value one of the question's own buttons sends."""
    for slot, q in QUESTIONS.items():
        if not q.synonyms or slot == "w_review_date":
            continue
        buttons = messages.buttons(f"ask_{slot}")
        values = {messages_value for messages_value in _values(buttons)}
        assert set(q.synonyms) <= values, (slot, set(q.synonyms) - values)


def _values(buttons: list[dict]) -> list[str]:
    from bot.vocabulary import button_values

    return button_values(buttons)


def test_a_question_of_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        Question("x", "essay")
    with pytest.raises(ValueError):
        Question("x", forms.OPEN, sentence_fallback=("other", "y"))
