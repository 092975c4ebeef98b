"""Forms: ask each question, read each answer (or let a digression through).

The rules live in `bot.dialogue`; these classes only connect them to Rasa.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_intent, say
from bot.dialogue import answers, forms, messages, submissions

OUTCOME_MESSAGES = {"too_long": "text_too_long", "empty": "empty_answer", "invalid": "not_understood_choice"}


def nice_date(iso: str) -> str:
    return submissions.nice_date(date.fromisoformat(iso))


def review_date_buttons(iso: str) -> list[dict]:
    return [
        {"title": nice_date(iso), "payload": '/inform{"choice":"' + iso + '"}'},
        {"title": "I don't know", "payload": '/inform{"choice":"unknown"}'},
    ]


def buttons_for(slot: str, slots: Dict[str, Any]) -> list[dict]:
    """The buttons the child was shown for `slot` (so a typed number means the same button)."""
    if slot == "w_review_date" and slots.get("next_review"):
        return review_date_buttons(slots["next_review"])
    name = f"ask_{slot}"
    return messages.buttons(name) if name in messages.catalogue() else []


class HeardFormValidation(FormValidationAction):
    """Shared reading of answers for every Heard form."""

    form: str = ""

    def name(self) -> str:
        return f"validate_{self.form}"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        return forms.required_slots(self.form, tracker.slots)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        # rasa-sdk's run returns only the validation events; ours come from extraction, so return both.
        extraction = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extraction)
        return extraction + await self._extract_validation_events(dispatcher, tracker, domain)

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        slot = tracker.get_slot("requested_slot")
        message = tracker.latest_message or {}
        if not slot or tracker.active_loop_name != self.form or message.get("text") is None:
            return []
        intent, confidence = latest_intent(tracker)
        outcome = answers.read_answer(
            slot, message.get("text"), intent, confidence, buttons_for(slot, tracker.slots)
        )
        if outcome.kind == "digress":
            return []  # the form is rejected and a rule answers the question
        if outcome.kind == "fill":
            if outcome.note:
                say(dispatcher, outcome.note, tracker)
            also = [SlotSet(name, value) for name, value in outcome.also.items()]
            return self.after_fill(slot, outcome.value) + also + [SlotSet("simple_next", False)]
        say(dispatcher, OUTCOME_MESSAGES[outcome.kind], tracker)
        return [SlotSet(slot, None)]  # nothing kept; the question is asked again

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        return []  # values are read and checked in get_extraction_events

    def after_fill(self, slot: str, value: Any) -> List[Dict[str, Any]]:
        return [SlotSet(slot, value)]


class ValidateAdvocateForm(HeardFormValidation):
    form = forms.ADVOCATE.name


class ValidateVisitorForm(HeardFormValidation):
    form = forms.VISITOR.name


class ValidateMatchForm(HeardFormValidation):
    form = forms.MATCH.name


class ValidateWishesForm(HeardFormValidation):
    form = forms.WISHES.name

    def after_fill(self, slot: str, value: Any) -> List[Dict[str, Any]]:
        if slot == "w_change_which":
            # Forget the picked answer: the form asks it again, then shows the summary again.
            target = forms.change_target({"w_change_which": value})
            if target is None:
                return [SlotSet("w_change_which", None)]
            return [SlotSet(target, None), SlotSet("w_confirm", None), SlotSet("w_change_which", None)]
        return [SlotSet(slot, value)]


class AskSlot(Action):
    """Asks the question for one slot, in the child's wording (simpler after "I don't understand")."""

    slot: str = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def values(self, tracker: Tracker) -> Dict[str, Any]:
        return {}

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        say(dispatcher, f"ask_{self.slot}", tracker, **self.values(tracker))
        return []


class AskReviewDate(AskSlot):
    slot = "w_review_date"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        known = tracker.get_slot("next_review")
        if not known:
            return await super().run(dispatcher, tracker, domain)
        text = messages.render("ask_w_review_date_known", tracker.slots, date=nice_date(known))["text"]
        dispatcher.utter_message(text=text, buttons=review_date_buttons(known))
        return []


class AskWishesConfirm(AskSlot):
    slot = "w_confirm"

    def values(self, tracker: Tracker) -> Dict[str, Any]:
        return {"summary": forms.wishes_summary(tracker.slots)}


class AskMatchDecision(AskSlot):
    slot = "match_decision"

    def values(self, tracker: Tracker) -> Dict[str, Any]:
        return {"label": tracker.get_slot("match_label") or "a kind grown-up"}


# Every other question in the form registry (bot/dialogue/forms.py) gets a plain ask action, made here: one
# class per slot, named action_ask_<slot>, sending the catalogue message ask_<slot>. The three above are the
# questions that show something of the conversation (a known date, the summary, the proposed visitor).
SPECIAL_ASK_ACTIONS: Dict[str, type] = {
    cls.slot: cls for cls in (AskReviewDate, AskWishesConfirm, AskMatchDecision)
}
ASK_ACTIONS: Dict[str, type] = {
    slot: SPECIAL_ASK_ACTIONS.get(slot) or type(f"Ask_{slot}", (AskSlot,), {"slot": slot})
    for slot in forms.QUESTIONS
}
