"""Writes data/rules/rules.yml: the same digression, stop and safeguarding rules for every form.

Run after changing forms or intents: `python scripts/make_rules.py`. The output is committed.
"""

from __future__ import annotations

from pathlib import Path

FORMS = ["advocate_form", "wishes_form", "visitor_form", "match_form"]
EXPLAIN = ["ask_about_advocate", "ask_about_review", "ask_about_iro", "ask_about_care_plan", "ask_about_visitor",
           "ask_privacy", "help", "talk_to_person"]
ACCESS = {"say_it_simpler": "action_say_simpler", "read_aloud": "action_read_aloud", "audio_off": "action_audio_off",
          "choose_reading_level": "action_set_reading_level"}
SUBMIT = {"advocate_form": "action_submit_referral", "wishes_form": "action_submit_wishes",
          "visitor_form": "action_submit_visitor_request", "match_form": "action_submit_match_answer"}
STARTS = {"request_advocate": "advocate_form", "make_complaint": "advocate_form", "share_wishes": "wishes_form",
          "request_visitor": "visitor_form"}


def rule(name: str, steps: list[str], condition: str | None = None) -> list[str]:
    lines = [f"- rule: {name}"]
    if condition:
        lines += ["  condition:", f"  - active_loop: {condition}"]
    return lines + ["  steps:"] + [f"  {s}" for s in steps]


def build() -> str:
    out = ['version: "3.1"', "", "# Made by scripts/make_rules.py: edit that, not this.", "rules:"]
    for intent in ("goodbye", "thank_you", "affirm", "deny", "out_of_scope"):
        out += rule(f"reply to {intent}", [f"- intent: {intent}", "- action: action_reply"])
    out += rule("greet", ["- intent: greet", "- action: action_greet"])
    for intent in ("nlu_fallback", "inform"):
        out += rule(f"{intent} out of a form", [f"- intent: {intent}", "- action: action_fallback"])
    out += rule("stop out of a form", ["- intent: stop", "- action: action_stop_form"])
    out += rule("retry sending", ["- intent: retry_send", "- action: action_retry_send"])
    out += rule("harm disclosed", ["- intent: disclose_harm", "- action: action_safeguarding_response"])
    for intent, action in ACCESS.items():
        out += rule(f"{intent}", [f"- intent: {intent}", f"- action: {action}"])
    for intent in EXPLAIN:
        out += rule(f"explain {intent}", [f"- intent: {intent}", "- action: action_digress"])
    for intent, form in STARTS.items():
        out += rule(f"start {form} from {intent}",
                    [f"- intent: {intent}", "- action: action_start_form", f"- action: {form}", f"- active_loop: {form}"])
    for intent in ("check_match", "object_visitor"):
        out += rule(f"{intent} - a match is waiting",
                    [f"- intent: {intent}", "- action: action_check_match", "- slot_was_set:",
                     "  - has_pending_match: true", "- action: match_form", "- active_loop: match_form"])
        out += rule(f"{intent} - no match waiting",
                    [f"- intent: {intent}", "- action: action_check_match", "- slot_was_set:",
                     "  - has_pending_match: false", "- action: action_listen"])
    for form in FORMS:
        out += rule(f"send {form}", [f"- action: {form}", "- active_loop: null", "- slot_was_set:",
                                     "  - requested_slot: null", f"- action: {SUBMIT[form]}", "- action: action_listen"],
                    condition=form)
        out += rule(f"question during {form}",
                    ["- or:"] + [f"  - intent: {i}" for i in EXPLAIN]
                    + ["- action: action_digress", f"- action: {form}", f"- active_loop: {form}"], condition=form)
        for intent, action in ACCESS.items():
            out += rule(f"{intent} during {form}",
                        [f"- intent: {intent}", f"- action: {action}", f"- action: {form}", f"- active_loop: {form}"],
                        condition=form)
        out += rule(f"stop {form}", ["- intent: stop", "- action: action_deactivate_loop", "- active_loop: null",
                                     "- action: action_stop_form"], condition=form)
        out += rule(f"harm disclosed during {form}",
                    ["- intent: disclose_harm", "- action: action_safeguarding_response", f"- action: {form}",
                     f"- active_loop: {form}"], condition=form)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    Path(__file__).resolve().parents[1].joinpath("data/rules/rules.yml").write_text(build(), encoding="utf-8")
