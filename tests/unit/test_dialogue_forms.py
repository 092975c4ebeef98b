"""Which questions each form asks (no Rasa needed)."""

from __future__ import annotations



from bot.dialogue import messages

from bot.dialogue.forms import FORM_SLOTS, required_slots, wishes_summary
from tests.tools.domain import load_domain

DOMAIN = load_domain()


def test_forms_match_domain() -> None:
    for form, slots in FORM_SLOTS.items():
        assert list(slots) == DOMAIN["forms"][form]["required_slots"]


def test_every_slot_has_a_question() -> None:
    for slots in FORM_SLOTS.values():
        for slot in slots:
            assert f"action_ask_{slot}" in DOMAIN["actions"], slot
            assert f"ask_{slot}" in messages.catalogue(), slot


def test_anonymous_advocate_referral_asks_name_council_and_detail() -> None:
    slots = {"contact_how": "text"}
    assert required_slots("advocate_form", slots) == [
        "adv_reason", "adv_words", "anon_name", "anon_council", "contact_how", "contact_detail",
        "contact_when", "adv_tell_sw", "adv_confirm",  # issue 20: every form ends with the child's check
    ]


def test_signed_in_child_is_not_asked_for_name() -> None:
    wanted = required_slots("advocate_form", {"child_id": "c_1", "contact_how": "carer"})
    assert "anon_name" not in wanted and "contact_detail" not in wanted


def test_wishes_change_adds_which_question() -> None:
    assert "w_change_which" not in required_slots("wishes_form", {"w_confirm": None})
    assert required_slots("wishes_form", {"w_confirm": "change"})[-1] == "w_change_which"


def test_every_form_but_the_match_answer_ends_with_the_childs_check() -> None:
    from bot.dialogue.forms import change_choices, summary

    slots = {"adv_reason": "review", "adv_words": "they never ask me", "contact_how": "text",
             "contact_detail": "07700 900123", "contact_when": "evening", "adv_tell_sw": "no",
             "anon_name": "Jo", "anon_council": "Leeds"}
    titles = {"adv_reason": {"review": "My review meeting"}}
    text = summary("advocate_form", slots, lambda slot: titles.get(slot, {}))
    assert "• What it is about: My review meeting" in text and "• In your words: they never ask me" in text
    assert "07700 900123" in text and "Jo" in text
    assert ("adv_words", "In your words") in change_choices("advocate_form", slots)
    assert required_slots("visitor_form", {"child_id": "c"})[-1] == "iv_confirm"
    assert required_slots("visitor_form", {"child_id": "c", "iv_confirm": "change"})[-1] == "iv_change_which"
    assert "match_confirm" not in required_slots("match_form", {})


def test_match_objection_asks_reason_and_preferences() -> None:
    assert required_slots("match_form", {"match_decision": "accept"}) == ["match_decision"]
    assert required_slots("match_form", {"match_decision": "object"}) == [
        "match_decision", "match_reason", "match_preferences"]


def test_summary_shows_words_unchanged_and_skips() -> None:
    text = wishes_summary({"w_going_well": "school 😊 <b>", "w_not_going_well": "", "w_attend": "self",
                           "w_share_with": ["iro"], "w_review_date": "unknown"})
    assert "school 😊 <b>" in text
    assert "Not going well: (skipped)" in text
    assert "I'll go and talk myself" in text
    assert "the IRO" in text


def test_the_short_read_back_keeps_every_answer_and_the_labels_it_needs() -> None:
    """SMS (issue 19): an option picked is read back by its own words; typed words, a yes or no and "I don't know"
    keep a (shorter) label; nothing is left out."""
    from bot.dialogue.forms import summary

    slots = {"adv_reason": "review", "adv_words": "they never ask me", "contact_how": "this_number",
             "contact_when": "after_school", "adv_tell_sw": "no", "anon_name": "Jo", "anon_council": "unknown"}
    titles = {"adv_reason": {"review": "My review meeting"}, "contact_when": {"after_school": "After school"},
              "adv_tell_sw": {"no": "No"}, "anon_council": {"unknown": "I don't know"}}
    lines = summary("advocate_form", slots, lambda slot: titles.get(slot, {}), short=True).split("\n")
    assert lines == ["My review meeting", "Your words: they never ask me", "Name: Jo", "Council: I don't know",
                     "Text me at this number", "After school", "Tell social worker: No"]
    long = summary("advocate_form", slots, lambda slot: titles.get(slot, {}))
    assert len(long.split("\n")) == len(lines) and "• Your council: I don't know" in long
