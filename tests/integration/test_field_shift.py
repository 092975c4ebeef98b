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

# form -> (slots the conversation holds first, {slot: (what the child types, what the field must hold)}). The
# form asks in its own order (the registry's); a question with no answer here fails the test by name.
SCRIPTS: dict[str, tuple[dict[str, Any], dict[str, tuple[str, Any]]]] = {
    "advocate_form": ({}, {
        "adv_reason": ("review", "review"),
        "adv_words": ("they never ask me what i think", "they never ask me what i think"),
        "anon_name": ("Sam", "Sam"),
        "anon_council": ("Leeds", "Leeds"),
        "contact_how": ("text", "text"),
        "contact_detail": ("07700 900123", "07700 900123"),
        "contact_when": ("after school", "after_school"),
        "adv_tell_sw": ("no", "no"),
        "adv_confirm": ("send", "send"),
    }),
    "wishes_form": ({"child_id": "c_jade"}, {
        "w_review_date": ("next tuesday", "next tuesday"),
        "w_going_well": ("i like my school", "i like my school"),
        "w_not_going_well": ("i dont see my brother", "i dont see my brother"),
        "w_change": ("see my brother every week", "see my brother every week"),
        "w_who_at_meeting": ("my nan", "my nan"),
        "w_attend": ("with an advocate", "with_advocate"),
        "w_advocate_ok": ("yes please", "yes"),
        "w_for_iro": ("please listen to me", "please listen to me"),
        "w_share_with": ("iro and social worker", ["social_worker", "iro"]),
        "w_confirm": ("yes", "send"),
    }),
    "visitor_form": ({}, {
        "iv_kind": ("mentor", "mentor"),
        "iv_wish": ("someone who likes art", "someone who likes art"),
        "iv_known": ("my auntie jo", "my auntie jo"),
        "iv_may_be_told": ("i like drawing and dogs", "i like drawing and dogs"),
        "anon_name": ("Riya", "Riya"),
        "anon_council": ("Lancashire", "Lancashire"),
        "contact_how": ("phone", "phone"),
        "contact_detail": ("07700 900456", "07700 900456"),
        "iv_confirm": ("yes", "send"),
    }),
    "match_form": ({"child_id": "c_leo", "match_id": "7", "match_label": "Sam, likes football"}, {
        "match_decision": ("no", "object"),
        "match_reason": ("i dont like football", "i dont like football"),
        "match_preferences": ("someone who likes drawing", "someone who likes drawing"),
    }),
}


def expected(form: str) -> dict[str, Any]:
    """What each field must hold once the form is done (every question it asked)."""
    run = play(form)
    return {slot: SCRIPTS[form][1][slot][1] for slot in run.answers()}


def play(form: str, insert_at: int | None = None, meta: str = "", intent: tuple[str, float] = INTENTS[0]
         ) -> FormRun:
    """Answer each question the form asks with the script's words; ``meta`` first at question ``insert_at``."""
    given, answers = SCRIPTS[form]
    run = FormRun(form, given)
    for step in range(40):
        if run.done:
            return run
        assert run.asked in answers, f"{form} asks {run.asked}: give it an answer in SCRIPTS"
        if step == insert_at:
            asked = run.asked
            run.say(meta, *intent)
            assert run.asked == asked, f"{meta!r} at {asked} moved the form on to {run.asked}"
        run.say(answers[run.asked][0])
    raise AssertionError(f"{form} never ended")


@pytest.mark.parametrize("form", sorted(SCRIPTS))
def test_the_scripts_fill_every_field_as_meant_without_a_meta_answer(form: str) -> None:
    run = play(form)
    assert run.done and run.answers() == expected(form)
    assert len(run.answers()) >= 3


@pytest.mark.parametrize("intent", INTENTS, ids=[i[0] for i in INTENTS])
@pytest.mark.parametrize("meta", META_ANSWERS)
@pytest.mark.parametrize("form", sorted(SCRIPTS))
def test_one_meta_answer_at_any_step_shifts_no_field(form: str, meta: str, intent: tuple[str, float]) -> None:
    meant = expected(form)
    for step in range(len(meant)):
        run = play(form, step, meta, intent)
        assert run.done, f"{meta!r} before answer {step + 1}: the form is still asking {run.asked}"
        assert run.answers() == meant, f"{meta!r} before answer {step + 1}"
        assert meta not in {str(v) for v in run.slots.values()}, f"{meta!r} was stored"
