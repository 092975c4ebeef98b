"""What each kind of intent does in a conversation, in one place.

Used by the actions (which message explains what), the form readers (what counts as a question in the
middle of a form) and `scripts/make_rules.py` (which rules exist). Plain Python, no Rasa.
"""

from __future__ import annotations

# A question or request answered in the middle of anything (then a form carries on): intent -> message.
# "help" is answered by `action_digress` too (with the in-form or the menu wording).
EXPLAIN_MESSAGES: dict[str, str] = {
    "ask_about_advocate": "explain_advocate",
    "ask_about_review": "explain_review",
    "ask_about_iro": "explain_iro",
    "ask_about_care_plan": "explain_care_plan",
    "ask_about_visitor": "explain_visitor",
    "ask_privacy": "privacy",
    "talk_to_person": "talk_to_person",
}
EXPLAIN_INTENTS: tuple[str, ...] = (
    "ask_about_advocate", "ask_about_review", "ask_about_iro", "ask_about_care_plan", "ask_about_visitor",
    "ask_privacy", "help", "talk_to_person",
)

# Accessibility requests, answered anywhere by their own action (a form then carries on).
ACCESS_ACTIONS: dict[str, str] = {
    "say_it_simpler": "action_say_simpler",
    "read_aloud": "action_read_aloud",
    "audio_off": "action_audio_off",
    "choose_reading_level": "action_set_reading_level",
}

# Inside a form, these intents (when confident) are a digression, not an answer. Choosing a reading level is
# not among them: its words ("older", "simpler") are too often part of an answer.
DIGRESSION_INTENTS = frozenset(EXPLAIN_INTENTS) | (frozenset(ACCESS_ACTIONS) - {"choose_reading_level"})

# Replies that need nothing but words (the rules name the intent; action_reply picks the messages).
REPLIES: dict[str, list[str]] = {
    "goodbye": ["goodbye"],
    "thank_you": ["you_are_welcome", "menu"],
    "affirm": ["what_next", "menu"],
    "deny": ["what_next", "menu"],
    "out_of_scope": ["out_of_scope", "menu"],
}
# Issue 14: nothing but a goodbye ends the conversation. The classifier calls some everyday sentences a goodbye
# ("i want a later bedtime": 0.57 with one model, 0.83 with the next); on the dev part of tests/data/safeguarding_eval
# every real goodbye scored at least 0.93 (0.98 with the second model) and every everyday message taken for one at
# most 0.75, so a less sure goodbye gets the out-of-scope answer and the menu instead of "Bye for now" (and
# action_reply answers a wish or a feeling as one, however sure: bot/dialogue/everyday.py).
SURE_GOODBYE = 0.9


def reply_intent(intent: str | None, confidence: float) -> str | None:
    """The intent ``action_reply`` answers (its messages are ``REPLIES[...]``) for ``intent`` at ``confidence``."""
    return "out_of_scope" if intent == "goodbye" and confidence < SURE_GOODBYE else intent

HARM_INTENT = "disclose_harm"
SAFEGUARDING_ACTION = "action_safeguarding_response"  # the answer to a clear disclosure (actions/safeguarding.py)
STOP_INTENT = "stop"

# After a form is sent (issue 20): take back what this conversation sent, or keep it. A "stop" with no form open
# and something sent says so honestly and offers these two as buttons. Rules: intent -> action (make_rules.py).
SENT_ACTIONS: dict[str, str] = {"withdraw_sent": "action_withdraw_sent", "keep_sent": "action_keep_sent"}

# The child's privacy (issue 17): "delete this chat" deletes the conversation's transcript (the tracker store does
# it when the turn is saved: bot/rasa_ext/minimise.py). Rules: intent -> action (make_rules.py).
# Inside a form too: the form ends with nothing sent, then the chat is deleted (make_rules.py, answers.py).
DELETE_CHAT_INTENT = "delete_chat"
DELETE_CHAT_ACTION = "action_delete_chat"
PRIVACY_ACTIONS: dict[str, str] = {DELETE_CHAT_INTENT: DELETE_CHAT_ACTION}

# Possible harm (issue 14): the harm component sets CONCERN_INTENT for a message that may be about harm (a gentle
# check-in asks first) and LANGUAGE_INTENT for a message in a language Heard cannot read yet; the check-in's
# buttons send CHECK_IN_ANSWER_INTENT. None of these is ever read as an answer to a form's question.
CONCERN_INTENT = "possible_harm"
LANGUAGE_INTENT = "other_language"
CHECK_IN_ANSWER_INTENT = "check_in_answer"
SAFETY_INTENTS = frozenset({HARM_INTENT, CONCERN_INTENT, LANGUAGE_INTENT, CHECK_IN_ANSWER_INTENT})
CHECK_IN_ACTION = "action_harm_check_in"
CHECK_IN_ANSWER_ACTION = "action_harm_check_answer"
LANGUAGE_ACTION = "action_other_language"
