"""Writes what Rasa needs to know about Heard's forms, from the form registry (bot/dialogue/forms.py):

- `domain/forms.yml`: each form's slots, its required slots, its validate/ask/submit actions;
- `data/rules/rules.yml`: the same digression, accessibility, stop and safeguarding rules for every form, the
  rules that start each form from its intents and send it when done, and the rules outside forms.

Run after changing the registry or the intents in bot/dialogue/intents.py: `python scripts/make_rules.py`.
Both outputs are committed; `tests/unit/test_form_registry.py` fails when they are out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.dialogue.forms import CALL_BACK, FORMS, PAUSABLE_FORMS, QUESTIONS, SHARE_WITH, starting_intents  # noqa: E402
import yaml  # noqa: E402

from bot.dialogue.intents import (  # noqa: E402
    ACCESS_ACTIONS,
    CHECK_IN_ACTION,
    CHECK_IN_ANSWER_ACTION,
    CHECK_IN_ANSWER_INTENT,
    CONCERN_INTENT,
    DELETE_CHAT_ACTION,
    DELETE_CHAT_INTENT,
    EXPLAIN_INTENTS,
    HARM_INTENT,
    LANGUAGE_ACTION,
    LANGUAGE_INTENT,
    PRIVACY_ACTIONS,
    REPLIES,
    SENT_ACTIONS,
)

RULES_PATH = ROOT / "data" / "rules" / "rules.yml"
DOMAIN_PATH = ROOT / "domain" / "forms.yml"
INTENTS_PATH = ROOT / "domain" / "domain.yml"
HEADER = "# Made by scripts/make_rules.py from bot/dialogue/forms.py: edit those, not this."


def rule(name: str, steps: list[str], condition: str | None = None) -> list[str]:
    lines = [f"- rule: {name}"]
    if condition:
        lines += ["  condition:", f"  - active_loop: {condition}"]
    return lines + ["  steps:"] + [f"  {s}" for s in steps]


def domain_intents() -> list[str]:
    """The intents in the hand-written domain/domain.yml, in its order."""
    data = yaml.safe_load(INTENTS_PATH.read_text(encoding="utf-8"))
    return [next(iter(i)) if isinstance(i, dict) else str(i) for i in data.get("intents") or []]


def _check_in_answered() -> list[str]:
    """Whatever the child says straight after a check-in is its answer (a clear disclosure and another language
    have their own rules)."""
    intents = [i for i in domain_intents() if i not in (HARM_INTENT, LANGUAGE_INTENT)]
    return [f"- action: {CHECK_IN_ACTION}", "- or:"] + [f"  - intent: {i}" for i in intents] + [
        f"- action: {CHECK_IN_ANSWER_ACTION}"]


def _safety_rules_outside_forms() -> list[str]:
    out = rule("harm disclosed", [f"- intent: {HARM_INTENT}", "- action: action_safeguarding_response"])
    out += rule("possible harm - check in", [f"- intent: {CONCERN_INTENT}", f"- action: {CHECK_IN_ACTION}"])
    out += rule("check-in answered", _check_in_answered())
    out += rule("check-in button", [f"- intent: {CHECK_IN_ANSWER_INTENT}", f"- action: {CHECK_IN_ANSWER_ACTION}"])
    out += rule("another language", [f"- intent: {LANGUAGE_INTENT}", f"- action: {LANGUAGE_ACTION}"])
    return out


def _safety_rules_in_form(form: str) -> list[str]:
    back = [f"- action: {form}", f"- active_loop: {form}"]
    out = rule(f"harm disclosed during {form}",
               [f"- intent: {HARM_INTENT}", "- action: action_safeguarding_response", *back], condition=form)
    # The check-in waits for the child's answer; then the form carries on (its draft is kept).
    out += rule(f"possible harm during {form}", [f"- intent: {CONCERN_INTENT}", f"- action: {CHECK_IN_ACTION}"],
                condition=form)
    out += rule(f"check-in answered during {form}", _check_in_answered() + back, condition=form)
    out += rule(f"check-in button during {form}",
                [f"- intent: {CHECK_IN_ANSWER_INTENT}", f"- action: {CHECK_IN_ANSWER_ACTION}", *back], condition=form)
    out += rule(f"another language during {form}", [f"- intent: {LANGUAGE_INTENT}", f"- action: {LANGUAGE_ACTION}",
                                                    *back], condition=form)
    return out


def _rules_outside_forms() -> list[str]:
    out: list[str] = []
    for intent in REPLIES:
        out += rule(f"reply to {intent}", [f"- intent: {intent}", "- action: action_reply"])
    out += rule("greet", ["- intent: greet", "- action: action_greet"])
    for intent in ("nlu_fallback", "inform"):
        out += rule(f"{intent} out of a form", [f"- intent: {intent}", "- action: action_fallback"])
    out += rule("stop out of a form", ["- intent: stop", "- action: action_stop_form"])
    out += rule("retry sending", ["- intent: retry_send", "- action: action_retry_send"])
    out += rule("back to a paused form", ["- intent: resume_form", "- action: action_resume_form"])
    out += rule("news of my requests", ["- intent: ask_status", "- action: action_request_status"])
    for intent, action in SENT_ACTIONS.items():
        out += rule(f"{intent} after sending", [f"- intent: {intent}", f"- action: {action}"])
    for intent, action in PRIVACY_ACTIONS.items():
        out += rule(f"{intent}", [f"- intent: {intent}", f"- action: {action}"])
    out += _safety_rules_outside_forms()
    for intent, action in ACCESS_ACTIONS.items():
        out += rule(f"{intent}", [f"- intent: {intent}", f"- action: {action}"])
    for intent in EXPLAIN_INTENTS:
        out += rule(f"explain {intent}", [f"- intent: {intent}", "- action: action_digress"])
    for intent, form in starting_intents().items():
        out += rule(f"start {form} from {intent}",
                    [f"- intent: {intent}", "- action: action_start_form", f"- action: {form}", f"- active_loop: {form}"])
    for intent in ("check_match", "object_visitor"):
        out += rule(f"{intent} - a match is waiting",
                    [f"- intent: {intent}", "- action: action_check_match", "- slot_was_set:",
                     "  - has_pending_match: true", "- action: match_form", "- active_loop: match_form"])
        out += rule(f"{intent} - no match waiting",
                    [f"- intent: {intent}", "- action: action_check_match", "- slot_was_set:",
                     "  - has_pending_match: false", "- action: action_listen"])
    return out


def _rules_in_form(form: str, submit_action: str) -> list[str]:
    out = rule(f"send {form}", [f"- action: {form}", "- active_loop: null", "- slot_was_set:",
                                "  - requested_slot: null", f"- action: {submit_action}", "- action: action_listen"],
               condition=form)
    out += rule(f"question during {form}",
                ["- or:"] + [f"  - intent: {i}" for i in EXPLAIN_INTENTS]
                + ["- action: action_digress", f"- action: {form}", f"- active_loop: {form}"], condition=form)
    for intent, action in ACCESS_ACTIONS.items():
        out += rule(f"{intent} during {form}",
                    [f"- intent: {intent}", f"- action: {action}", f"- action: {form}", f"- active_loop: {form}"],
                    condition=form)
    out += rule(f"stop {form}", ["- intent: stop", "- action: action_deactivate_loop", "- active_loop: null",
                                 "- action: action_stop_form"], condition=form)
    # "delete this chat" (issue 17): the form ends with nothing sent, then the chat is deleted as outside a form.
    out += rule(f"delete chat during {form}", [f"- intent: {DELETE_CHAT_INTENT}", "- action: action_deactivate_loop",
                                               "- active_loop: null", f"- action: {DELETE_CHAT_ACTION}"],
                condition=form)
    out += _safety_rules_in_form(form)
    if form in PAUSABLE_FORMS:  # issue 15: after a disclosure, "Yes, please" asks for a person; the form waits
        out += rule(f"call back asked during {form}",
                    ["- intent: ask_call_back", "- action: action_pause_form", "- active_loop: null",
                     f"- action: {CALL_BACK.name}", f"- active_loop: {CALL_BACK.name}"], condition=form)
    return out


def build_rules() -> str:
    out = ['version: "3.1"', "", HEADER, "rules:"]
    out += _rules_outside_forms()
    for spec in FORMS.values():
        out += _rules_in_form(spec.name, spec.submit_action)
    return "\n".join(out) + "\n"


def build_domain() -> str:
    out = ['version: "3.1"', "", HEADER, "", "slots:"]
    for q in QUESTIONS.values():
        kind = "list" if q.kind == SHARE_WITH else "text"
        out += [f"  {q.slot}:", f"    type: {kind}", "    influence_conversation: false",
                "    mappings: [{type: custom}]"]
    out += ["", "forms:"]
    for spec in FORMS.values():
        out += [f"  {spec.name}:", f"    required_slots: [{', '.join(spec.slots)}]"]
    out += ["", "actions:"]
    out += [f"  - validate_{name}" for name in FORMS]
    out += [f"  - {spec.submit_action}" for spec in FORMS.values()]
    out += [f"  - action_ask_{slot}" for slot in QUESTIONS]
    return "\n".join(out) + "\n"


def main() -> None:
    RULES_PATH.write_text(build_rules(), encoding="utf-8")
    DOMAIN_PATH.write_text(build_domain(), encoding="utf-8")


if __name__ == "__main__":
    main()
