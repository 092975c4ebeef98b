"""Issue 20: a "field shift" property test. For every form, one meta-answer ("i told you", "what do you mean",
"why", "are you even reading this") is typed before each answer in turn; every field must still end up holding
the answer meant for it, and the meta-answer must be stored nowhere.

Driven at the action level (the real validation action of each form, with rasa-sdk trackers, as Rasa runs it):
``tests/tools/form_driver.py``. The same property over REST with the trained model is in
``tests/e2e/test_persona_flows.py`` (``test_field_shift_over_rest``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.tools.form_driver import FormRun

META_ANSWERS = ("i told you", "what do you mean", "why", "are you even reading this")
# How a classifier may read a meta-answer: nothing it says, or a confident digression (answered by a rule, then
# the form asks again), never an answer.
INTENTS = (("nlu_fallback", 0.3), ("say_it_simpler", 0.9))

# form -> (slots the conversation holds first, the child's answers in order, what each field must hold)
SCRIPTS: dict[str, tuple[dict[str, Any], list[str], dict[str, Any]]] = {
    "advocate_form": (
        {},
        ["review", "they never ask me what i think", "Sam", "Leeds", "text", "07700 900123", "after school", "no",
         "send"],
        {"adv_reason": "review", "adv_words": "they never ask me what i think", "anon_name": "Sam",
         "anon_council": "Leeds", "contact_how": "text", "contact_detail": "07700 900123",
         "contact_when": "after_school", "adv_tell_sw": "no", "adv_confirm": "send"},
    ),
    "wishes_form": (
        {"child_id": "c_jade"},
        ["next tuesday", "i like my school", "i dont see my brother", "see my brother every week", "my nan",
         "with an advocate", "please listen to me", "iro and social worker", "yes"],
        {"w_review_date": "next tuesday", "w_going_well": "i like my school",
         "w_not_going_well": "i dont see my brother", "w_change": "see my brother every week",
         "w_who_at_meeting": "my nan", "w_attend": "with_advocate", "w_for_iro": "please listen to me",
         "w_share_with": ["social_worker", "iro"], "w_confirm": "send"},
    ),
    "visitor_form": (
        {},
        ["mentor", "someone who likes art", "Riya", "Lancashire", "phone", "07700 900456", "yes"],
        {"iv_kind": "mentor", "iv_wish": "someone who likes art", "anon_name": "Riya", "anon_council": "Lancashire",
         "contact_how": "phone", "contact_detail": "07700 900456", "iv_confirm": "send"},
    ),
    "match_form": (
        {"child_id": "c_leo", "match_id": "7", "match_label": "Sam, likes football"},
        ["no", "i dont like football", "someone who likes drawing"],
        {"match_decision": "object", "match_reason": "i dont like football",
         "match_preferences": "someone who likes drawing"},
    ),
}


def play(form: str, insert_at: int | None = None, meta: str = "", intent: tuple[str, float] = INTENTS[0]
         ) -> FormRun:
    given, script, _ = SCRIPTS[form]
    run = FormRun(form, given)
    for step, text in enumerate(script):
        if step == insert_at:
            asked = run.asked
            run.say(meta, *intent)
            assert run.asked == asked, f"{meta!r} at {asked} moved the form on to {run.asked}"
        run.say(text)
    return run


@pytest.mark.parametrize("form", sorted(SCRIPTS))
def test_the_scripts_fill_every_field_as_meant_without_a_meta_answer(form: str) -> None:
    run = play(form)
    assert run.done and run.answers() == SCRIPTS[form][2]


@pytest.mark.parametrize("intent", INTENTS, ids=[i[0] for i in INTENTS])
@pytest.mark.parametrize("meta", META_ANSWERS)
@pytest.mark.parametrize("form", sorted(SCRIPTS))
def test_one_meta_answer_at_any_step_shifts_no_field(form: str, meta: str, intent: tuple[str, float]) -> None:
    expected = SCRIPTS[form][2]
    for step in range(len(SCRIPTS[form][1])):
        run = play(form, step, meta, intent)
        assert run.done, f"{meta!r} before answer {step + 1}: the form is still asking {run.asked}"
        assert run.answers() == expected, f"{meta!r} before answer {step + 1}"
        assert meta not in {str(v) for v in run.slots.values()}, f"{meta!r} was stored"
