"""Writes tests/stories/test_stories.yml: every flow, every button of every question, digressions, stopping,
disclosures mid-form. Run `python scripts/make_test_stories.py`; the output is committed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.dialogue.forms import FORMS  # noqa: E402

CATALOGUE = yaml.safe_load((ROOT / "bot/dialogue/messages.yml").read_text(encoding="utf-8"))
SUBMIT = {spec.name: spec.submit_action for spec in FORMS.values()}  # one rule: the form registry


def user(text: str, intent: str) -> list[str]:
    return [f"  - user: {json.dumps(text, ensure_ascii=False)}", f"    intent: {intent}"]


def answer(form: str, text: str, slot: str, value: object) -> list[str]:
    return user(text, "inform") + [f"  - action: {form}", "  - slot_was_set:",
                                   f"    - {slot}: {json.dumps(value, ensure_ascii=False)}"]


def start(form: str, text: str, intent: str) -> list[str]:
    return user(text, intent) + ["  - action: action_start_form", f"  - action: {form}",
                                 f"  - active_loop: {form}"]


def finish(form: str, text: str, slot: str, value: object) -> list[str]:
    return answer(form, text, slot, value) + ["  - active_loop: null", "  - slot_was_set:",
                                              "    - requested_slot: null", f"  - action: {SUBMIT[form]}"]


def story(name: str, steps: list[str]) -> list[str]:
    return [f"- story: {name}", "  steps:"] + steps


ADVOCATE = [("adv_reason", "review"), ("adv_words", "they never ask me"), ("contact_how", "carer"),
            ("contact_when", "evening")]


def advocate_steps(reason_text: str, reason: str) -> list[str]:
    steps = start("advocate_form", "i want an advocate", "request_advocate")
    steps += answer("advocate_form", reason_text, "adv_reason", reason)
    for slot, value in ADVOCATE[1:]:
        steps += answer("advocate_form", str(value), slot, value)
    return steps


def build() -> str:
    out = ['version: "3.1"', "", "# Made by scripts/make_test_stories.py.", "stories:"]
    out += story("greet", user("hiya", "greet") + ["  - action: action_greet"])
    out += story("goodbye and thanks", user("thanks", "thank_you") + ["  - action: action_reply"]
                 + user("bye", "goodbye") + ["  - action: action_reply"])
    for intent in ("ask_about_advocate", "ask_about_review", "ask_about_iro", "ask_about_care_plan",
                   "ask_about_visitor", "ask_privacy", "help", "talk_to_person"):
        out += story(f"ask {intent}", user(f"question {intent}", intent) + ["  - action: action_digress"])
    out += story("say it simpler", user("what is an iro", "ask_about_iro") + ["  - action: action_digress"]
                 + user("i dont get it", "say_it_simpler") + ["  - action: action_say_simpler"])
    out += story("read aloud then off", user("read it out", "read_aloud") + ["  - action: action_read_aloud"]
                 + user("mute", "audio_off") + ["  - action: action_audio_off"])
    out += story("out of scope", user("whats 2+2", "out_of_scope") + ["  - action: action_reply"])
    out += story("harm as first message", user("he hits me", "disclose_harm")
                 + ["  - action: action_safeguarding_response"])
    # every button of the reason question, then a complete referral
    for button in CATALOGUE["ask_adv_reason"]["buttons"]:
        reason = json.loads(button["payload"].split("inform", 1)[1])["choice"]
        steps = advocate_steps(button["payload"], reason)
        for tell in ("yes", "no"):
            done = answer("advocate_form", tell, "adv_tell_sw", tell) + finish("advocate_form", "send",
                                                                                 "adv_confirm", "send")
            out += story(f"advocate referral, reason {reason}, tell social worker {tell}", steps + done)
    out += story("complaint", start("complaint_form", "i want to complain", "make_complaint")
                 + answer("complaint_form", "they read my diary", "cp_about", "they read my diary")
                 + answer("complaint_form", "stop reading it", "cp_wants", "stop reading it")
                 + answer("complaint_form", "no", "cp_home", "no")
                 + answer("complaint_form", "no", "cp_about_sw", "no")
                 + answer("complaint_form", "yes", "cp_advocate", "yes")
                 + answer("complaint_form", "Jo", "anon_name", "Jo")
                 + answer("complaint_form", "Leeds", "anon_council", "Leeds")
                 + answer("complaint_form", "text", "contact_how", "text")
                 + answer("complaint_form", "07700900123", "contact_detail", "07700900123")
                 + finish("complaint_form", "send it", "cp_confirm", "send"))
    wishes = start("wishes_form", "i want to tell them what i think", "share_wishes")
    for slot, value in (("w_review_date", "unknown"), ("w_going_well", "school"), ("w_not_going_well", ""),
                        ("w_change", "more contact"), ("w_who_at_meeting", "my nan")):
        wishes += answer("wishes_form", str(value) or "skip", slot, value)
    for button in CATALOGUE["ask_w_attend"]["buttons"]:
        attend = json.loads(button["payload"].split("inform", 1)[1])["choice"]
        steps = wishes + answer("wishes_form", button["payload"], "w_attend", attend)
        steps += answer("wishes_form", "no thats all", "w_for_iro", "")
        steps += answer("wishes_form", "iro", "w_share_with", ["iro"])
        out += story(f"wishes, take part {attend}", steps + finish("wishes_form", "send", "w_confirm", "send"))
    change = wishes + answer("wishes_form", "self", "w_attend", "self") + answer("wishes_form", "", "w_for_iro", "")
    change += answer("wishes_form", "everyone", "w_share_with", ["social_worker", "iro", "carer", "parent",
                                                                  "advocate"])
    change += answer("wishes_form", "change", "w_confirm", "change")
    change += user("going well", "inform") + ["  - action: wishes_form", "  - slot_was_set:",
                                              "    - w_going_well: null", "    - w_confirm: null",
                                              "    - w_change_which: null"]
    change += answer("wishes_form", "art club", "w_going_well", "art club")
    out += story("wishes, change an answer before sending", change + finish("wishes_form", "send", "w_confirm", "send"))
    for kind in ("independent_visitor", "mentor", "not_sure"):
        steps = start("visitor_form", "can i have a visitor", "request_visitor")
        steps += answer("visitor_form", kind, "iv_kind", kind)
        steps += answer("visitor_form", "someone fun", "iv_wish", "someone fun")
        steps += answer("visitor_form", "my auntie jo", "iv_known", "my auntie jo")
        steps += answer("visitor_form", "i like football", "iv_may_be_told", "i like football")
        out += story(f"visitor request {kind}", steps + finish("visitor_form", "send", "iv_confirm", "send"))
    match = user("/check_match", "check_match") + ["  - action: action_check_match", "  - slot_was_set:",
                                                   "    - has_pending_match: true", "  - action: match_form",
                                                   "  - active_loop: match_form"]
    out += story("match accepted", match + finish("match_form", "yes", "match_decision", "accept"))
    objected = match + answer("match_form", "no", "match_decision", "object")
    objected += answer("match_form", "he is scary", "match_reason", "he is scary")
    out += story("match objected", objected + finish("match_form", "a woman", "match_preferences", "a woman"))
    out += story("object visitor with none waiting", user("i dont want him", "object_visitor")
                 + ["  - action: action_check_match", "  - slot_was_set:", "    - has_pending_match: false"])
    # digressions, stopping and disclosures inside each form
    firsts = {"advocate_form": start("advocate_form", "advocate please", "request_advocate"),
              "wishes_form": start("wishes_form", "my wishes", "share_wishes"),
              "visitor_form": start("visitor_form", "a mentor", "request_visitor"),
              "match_form": match}
    for form, opening in firsts.items():
        for intent in ("ask_about_advocate", "ask_privacy", "help", "ask_about_review"):
            out += story(f"{intent} during {form}", opening + user(f"q {intent}", intent)
                         + ["  - action: action_digress", f"  - action: {form}", f"  - active_loop: {form}"])
        out += story(f"simpler during {form}", opening + user("huh", "say_it_simpler")
                     + ["  - action: action_say_simpler", f"  - action: {form}", f"  - active_loop: {form}"])
        out += story(f"stop {form}", opening + user("stop", "stop")
                     + ["  - action: action_deactivate_loop", "  - active_loop: null", "  - action: action_stop_form"])
        out += story(f"delete chat during {form}", opening + user("delete this chat", "delete_chat")
                     + ["  - action: action_deactivate_loop", "  - active_loop: null",
                        "  - action: action_delete_chat"])
        out += story(f"harm during {form}", opening + user("he hits me", "disclose_harm")
                     + ["  - action: action_safeguarding_response", f"  - action: {form}",
                        f"  - active_loop: {form}"])
    out += story("retry after a failed send", user("try again", "retry_send") + ["  - action: action_retry_send"])
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    (ROOT / "tests/stories/test_stories.yml").write_text(build(), encoding="utf-8")
