"""Drive a Heard form at the action level, the way Rasa drives it: the real validation action
(``actions/forms.py``) with a rasa-sdk tracker holding the conversation's events, one child message a turn.

``FormRun(form, slots)`` keeps the slots and the events; ``say(text, intent=..., confidence=...)`` is one turn:
the child's message, then the form's validation (as Rasa runs it, with the form's own action event last) and
the slot events applied; ``after(action)`` runs the validation again the way the form comes back after another
action (a safeguarding answer, a check-in's answer). ``asked`` is the question the form asks next (its
``requested_slot``), ``answers()`` the form's own answers. No Rasa server, no database.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import forms as form_actions
from bot.dialogue import forms
from tests.tools.domain import load_domain

DOMAIN = load_domain()
VALIDATORS = {
    forms.ADVOCATE.name: form_actions.ValidateAdvocateForm,
    forms.WISHES.name: form_actions.ValidateWishesForm,
    forms.VISITOR.name: form_actions.ValidateVisitorForm,
    forms.MATCH.name: form_actions.ValidateMatchForm,
    forms.COMPLAINT.name: form_actions.ValidateComplaintForm,
    forms.CALL_BACK.name: form_actions.ValidateCallBackForm,
}


def _next_slot(form: str, slots: dict[str, Any]) -> str | None:
    return next((s for s in forms.required_slots(form, slots) if slots.get(s) is None), None)


@dataclass
class FormRun:
    form: str
    given: dict[str, Any] = field(default_factory=dict)  # slots the conversation holds before the form
    sender: str = "conv-driver"
    slots: dict[str, Any] = field(init=False)
    events: list[dict[str, Any]] = field(init=False)
    said: list[str] = field(default_factory=list)  # every line the form said, in order

    def __post_init__(self) -> None:
        self.slots = {s: None for s in DOMAIN["slots"]} | {"requested_slot": None} | dict(self.given)
        self.slots["requested_slot"] = _next_slot(self.form, self.slots)
        self.events = [{"event": "active_loop", "name": self.form}, *self._asked()]

    # ------------------------------------------------------------------ turns

    @property
    def asked(self) -> str | None:
        return self.slots.get("requested_slot")

    @property
    def done(self) -> bool:
        return self.asked is None

    def _asked(self) -> list[dict[str, Any]]:
        # As Rasa's form action does: it sets requested_slot (an event in the tracker), then asks.
        return [{"event": "action", "name": self.form},
                {"event": "slot", "name": "requested_slot", "value": self.asked},
                {"event": "action", "name": f"action_ask_{self.asked}"}, {"event": "action", "name": "action_listen"}]

    def say(self, text: str, intent: str = "nlu_fallback", confidence: float = 0.3) -> list[str]:
        """One turn: the child's message, then the form's validation. Returns what the form said."""
        self.hear(text, intent, confidence)
        return self._validate()

    def hear(self, text: str, intent: str = "nlu_fallback", confidence: float = 0.3) -> None:
        """The child's message only: after the form was rejected (a check-in asked), Rasa's rules answer it
        first, and the form sees it only when it comes back (``after``)."""
        message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}
        self.events.append({"event": "user", "text": text, "input_channel": "rest", "parse_data": message})
        self._latest = message

    def after(self, action: str) -> list[str]:
        """The form comes back after ``action`` ran for the latest message (Rasa validates it again)."""
        self.events.append({"event": "action", "name": action})
        return self._validate()

    def _validate(self) -> list[str]:
        tracker = Tracker(self.sender, dict(self.slots), self._latest,
                          [*self.events, {"event": "action", "name": self.form}], False, None,
                          {"name": self.form}, "action_listen")
        dispatcher = CollectingDispatcher()
        events = asyncio.run(VALIDATORS[self.form]().run(dispatcher, tracker, DOMAIN))
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        # rasa-sdk sets requested_slot only when something was filled; a refused answer keeps the question.
        self.slots["requested_slot"] = _next_slot(self.form, self.slots)
        lines = [m.get("text") or "" for m in dispatcher.messages]
        self.said += lines
        self.events += events
        if not self.done:
            self.events += self._asked()
        return lines

    def answers(self) -> dict[str, Any]:
        """The form's own answers (the slots of its questions that hold something)."""
        return {q.slot: self.slots.get(q.slot) for q in forms.FORMS[self.form].questions
                if self.slots.get(q.slot) is not None}
