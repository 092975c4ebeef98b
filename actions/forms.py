"""Forms: ask each question, read each answer (or let a digression through).

The rules live in `bot.dialogue`; these classes only connect them to Rasa.
"""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.call_back import PAUSE_ACTION
from actions.common import channel_of, latest_intent, say
from bot.dialogue import alert_answers, answers, child_says, corrections, everyday, forms, messages, submissions
from actions.check_in import checked_message
from bot.dialogue import check_in
from bot.dialogue.intents import CHECK_IN_ANSWER_ACTION, SAFEGUARDING_ACTION, SAFETY_INTENTS

DATE_OPTIONS = forms.DATE_OPTIONS
OUTCOME_MESSAGES = {"too_long": "text_too_long", "empty": "empty_answer", "invalid": "not_understood_choice",
                    "check_stop": "check_stop", "not_a_date": "not_a_date",
                    "date_needs_day": "date_needs_day"}
QUOTE_CHARS = 80  # a child's words read back in a question are cut to this many characters


def previous_words(tracker: Tracker, slot: str, told: bool = True) -> str | None:
    """What the child typed before that they may mean as this answer (for "i told you", "i already said"):

    - the latest message typed at this same question that was not taken (a question, a half answer);
    - else the latest answer they typed in their own words at an earlier question of this form (a child who said
      everything at once: "school is good ... i cant see my nan tho" at "going well", then "i already said" at
      "not going well"). Words read as a button at another question are never offered."""
    current = (tracker.latest_message or {}).get("text")
    at_this, earlier = _typed_since_form_began(tracker.events, slot)
    own_words = {str(v) for v in tracker.slots.values() if isinstance(v, str) and v}
    for text in at_this:
        if text != current and _could_answer(slot, text) and text not in own_words:
            return text
    if not told:  # "hmm", "what do you mean": only words from this question
        return None
    return next((text for text in earlier if text in own_words and _could_answer(slot, text)), None)


def _could_answer(slot: str, text: str) -> bool:
    return bool(text) and not text.startswith("/") and answers.read_answer(slot, text, None, 0.0, []).kind in (
        "fill", "ask_back")


def _typed_since_form_began(events: List[Dict[str, Any]], slot: str) -> tuple[List[str], List[str]]:
    """The child's messages since the form began, latest first: those sent while `slot` was the question asked,
    and those sent at other questions."""
    at_this: List[str] = []
    earlier: List[str] = []
    waiting: List[str] = []  # messages whose question is not known yet (the next requested_slot back says)
    for event in reversed(events):
        if event.get("event") == "active_loop":  # this form began (or an earlier one ended)
            break
        if event.get("event") == "user":
            waiting.append(str(event.get("text") or ""))
        elif event.get("event") == "slot" and event.get("name") == "requested_slot" and event.get("value"):
            (at_this if event.get("value") == slot else earlier).extend(waiting)
            waiting = []
    return at_this, earlier


def previous_question(events: List[Dict[str, Any]], slot: str) -> str | None:
    """The question asked just before `slot` in this form (None when `slot` is the first)."""
    for event in reversed(events):
        if event.get("event") == "active_loop":
            return None
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            value = event.get("value")
            if value and value != slot:
                return str(value)
    return None


def nice_date(iso: str) -> str:
    return submissions.nice_date(date.fromisoformat(iso))


def shown_answer(q: forms.Question | None, value: Any) -> str:
    """An answer as the child is told it was changed to: a button's words, a date as the day Heard read ("Wednesday
    20 January"), else the words."""
    if q is None:
        return str(value)
    if q.kind == forms.DATE:
        day = submissions.parse_review_date(str(value))
        return submissions.nice_date(day) if day else forms.show(value)
    return q.value_labels.get(value, value)


def date_choice_buttons(days: List[str]) -> list[dict]:
    """The days a child may mean ("next friday": this week's or the next week's), then "I don't know"."""
    return [{"title": nice_date(day), "payload": '/inform{"choice":"' + day + '"}'} for day in days] + [
        {"title": "I don't know", "payload": '/inform{"choice":"unknown"}'}]


def review_date_buttons(iso: str) -> list[dict]:
    return [
        {"title": nice_date(iso), "payload": '/inform{"choice":"' + iso + '"}'},
        {"title": "I don't know", "payload": '/inform{"choice":"unknown"}'},
    ]


# The change-which question of each form whose answer buttons are made from its answers (not the wishes form's,
# which are in the catalogue).
CHANGE_WHICH_FORMS = {spec.check[1]: spec.name for spec in forms.FORMS.values()
                      if spec.check is not None and spec.name != forms.WISHES.name}


def change_which_buttons(form: str, slot: str, slots: Dict[str, Any], channel: str | None = None) -> list[dict]:
    """One button for each answer the check read back, then the question's own ("Nothing to change")."""
    answers_ = [{"title": label, "payload": '/inform{"choice":"' + name + '"}'}
                for name, label in forms.change_choices(form, slots)]
    return answers_ + messages.buttons(f"ask_{slot}", channel)


def buttons_for(slot: str, slots: Dict[str, Any], channel: str | None = None) -> list[dict]:
    """The buttons the child was shown for `slot` on their channel (so a typed number means the same button; SMS
    may offer one more, "Text me at this number")."""
    if slot == "w_review_date" and slots.get(DATE_OPTIONS):
        return date_choice_buttons(slots[DATE_OPTIONS])
    if slot == "w_review_date" and slots.get("next_review"):
        return review_date_buttons(slots["next_review"])
    form = CHANGE_WHICH_FORMS.get(slot)
    if form is not None:
        return change_which_buttons(form, slot, slots, channel)
    name = f"ask_{slot}"
    return messages.buttons(name, channel) if name in messages.catalogue() else []


def action_before_form(tracker: Tracker) -> str | None:
    """The action that ran before the form this turn (Rasa adds the form's own event to the tracker it gives the
    validation action, so that event is skipped)."""
    actions = [e.get("name") for e in reversed(tracker.events) if e.get("event") == "action"]
    return actions[1] if len(actions) > 1 else None


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
        if action_before_form(tracker) == CHECK_IN_ANSWER_ACTION:
            return self._after_check_in(slot, dispatcher, tracker)
        if action_before_form(tracker) == SAFEGUARDING_ACTION:
            # The message was a disclosure, answered and raised: offer it as this question's answer.
            return self._alert_waiting(slot, message.get("text"), tracker)

        corrected = self._correction(slot, str(message.get("text")), dispatcher, tracker)
        if corrected is not None:
            return corrected
        intent, confidence = latest_intent(tracker)
        outcome = answers.read_answer(
            slot, message.get("text"), intent, confidence, buttons_for(slot, tracker.slots, channel_of(tracker))
        )
        if outcome.kind == "digress":
            return []  # the form is rejected and a rule answers the question
        if outcome.kind == "which_date":  # "next friday": asked again with the two days as its buttons
            return [SlotSet(slot, None), SlotSet(DATE_OPTIONS, outcome.value)]
        if outcome.kind == "fill":
            return self._filled(slot, outcome, dispatcher, tracker)
        self.explain(outcome.kind, slot, dispatcher, tracker)
        return [SlotSet(slot, None)]  # nothing kept; the question is asked again

    def _filled(self, slot: str, outcome: answers.Outcome, dispatcher: CollectingDispatcher, tracker: Tracker
                ) -> List[Dict[str, Any]]:
        """The message answers the question: the events that keep it ("i already said": the earlier words; at
        "Do you want this in your answers too?": the words that raised the alert, or not)."""
        value = outcome.value
        if value == answers.PREVIOUS_WORDS:
            value = previous_words(tracker, slot)
            if value is None:
                say(dispatcher, "meta_answer", tracker)
                return [SlotSet(slot, None)]
        if slot == alert_answers.KEEP:
            target = str(tracker.get_slot(forms.ALERT_FOR))
            kept = alert_answers.decided(tracker.slots, value, buttons_for(target, tracker.slots, channel_of(tracker)))
            say(dispatcher, "alert_answer_kept" if target in kept else "alert_answer_left_out", tracker)
            return [SlotSet(name, v) for name, v in kept.items()] + [SlotSet("simple_next", False)]
        if slot == forms.CALL_BACK_OFFER.slot:
            return self._call_back_answered(value, dispatcher, tracker)
        if outcome.note:
            say(dispatcher, outcome.note, tracker)
        also = [SlotSet(name, v) for name, v in outcome.also.items()]
        if tracker.get_slot(DATE_OPTIONS):
            also.append(SlotSet(DATE_OPTIONS, None))
        return self.after_fill(slot, value) + also + [SlotSet("simple_next", False)]

    def _call_back_answered(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
                            ) -> List[Dict[str, Any]]:
        """"Would you like someone to talk to you today?" answered. No: the form goes on with its own question.
        Yes: as when a child asks for a person in words, this form waits with its answers (its next question is
        not asked now: the form's turn is rejected) and the call-back form runs (``action_pause_form``)."""
        done = [SlotSet(forms.CALL_BACK_OFFER.slot, None), SlotSet(forms.CALL_BACK_OFFER_WAITING, None),
                SlotSet("simple_next", False)]
        if value != forms.CALL_BACK_OFFER.yes_no[0]:
            say(dispatcher, "call_back_not_now", tracker)
            return done
        return done + [ActionExecutionRejected(self.form), FollowupAction(PAUSE_ACTION)]

    def _correction(self, slot: str, text: str, dispatcher: CollectingDispatcher, tracker: Tracker
                    ) -> List[Dict[str, Any]] | None:
        """"sorry i meant tuesday" just after answering the date: the earlier answer is changed (a date, a button or
        a yes/no: never words of the child's own, which they change at the check), and this question is asked
        again; so is an answer of fact corrected in words ("actually it is about my social worker"). None when the
        message is no such correction. A message that may tell of harm is never one: it goes on to its safe answer."""
        if latest_intent(tracker)[0] in SAFETY_INTENTS:
            return None
        fix = child_says.correction_of(text)
        if fix is not None:
            # The answer just before; else a date given earlier in this form ("sorry I meant the 26th not the 19th"
            # two questions after the date): a date is never mistaken for another kind of answer.
            dates_given = [q.slot for q in forms.FORMS[self.form].questions
                           if q.kind == forms.DATE and tracker.get_slot(q.slot) and q.slot != slot]
            last = previous_question(tracker.events, slot)
            for before in dict.fromkeys([last, *reversed(dates_given)]):
                value = self._corrected(before, fix, tracker)
                if value is not None:
                    say(dispatcher, "changed_previous" if before == last else "changed_date", tracker)
                    return [SlotSet(before, value), SlotSet(slot, None)]
        return self._fact_corrected(slot, text, dispatcher, tracker)

    def _fact_corrected(self, slot: str, text: str, dispatcher: CollectingDispatcher, tracker: Tracker
                        ) -> List[Dict[str, Any]] | None:
        """"actually it is about my social worker" after a no to "Is it about your social worker?", "sorry the date
        is 20 not 21" after the date, "sorry its hannah" after the name "Hanna": that answer is changed, the child
        is told what it is now, and this question is asked again (None: no such correction)."""
        last = previous_question(tracker.events, slot)
        changed = corrections.later_corrections(self.form, slot, last, text, tracker.slots)
        if not changed:
            return None
        for before, value in changed.items():
            q = forms.question(before)
            say(dispatcher, "changed_answer", tracker, label=q.summary_label if q is not None else before,
                value=shown_answer(q, value))
        return [*(SlotSet(before, value) for before, value in changed.items()), SlotSet(slot, None)]

    @staticmethod
    def _corrected(before: str | None, fix: str, tracker: Tracker) -> Any:
        """The new value of question `before` when `fix` can correct it, else None. Only an answer the check reads
        back (never the check itself, a kept-alert choice or a change-which); words of the child's own are changed
        at the check, and at an open question only one button for another is changed here."""
        q = forms.question(before) if before else None
        if q is None or not q.summary_label or before not in tracker.slots:
            return None
        outcome = answers.read_answer(before, fix, None, 0.0, buttons_for(before, tracker.slots, channel_of(tracker)))
        if outcome.kind != "fill" or (q.kind == forms.OPEN and not (forms.is_button_value(q, tracker.get_slot(before))
                                                                    and forms.is_button_value(q, outcome.value))):
            return None
        return outcome.value

    def _after_check_in(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
                        ) -> List[Dict[str, Any]]:
        """The latest message answered a safeguarding check-in, not this question. After a "no", the message the
        check-in asked about is read as the answer (a child's words at an open question are kept), and a wish to
        stop ("actually stop i want to think about it first") is asked about as it would have been; otherwise, or
        when it is no answer, the question is asked again."""
        latest = tracker.latest_message or {}
        answer = check_in.read_answer(latest.get("text"), latest_intent(tracker)[0])
        checked = checked_message(tracker.events).get("text")
        if answer in check_in.ALERT_ANSWERS:  # an alert was raised: offer the checked words as the answer
            return self._alert_waiting(slot, checked, tracker)
        if answer != check_in.NO or not checked:
            return []
        outcome = answers.read_answer(slot, checked, None, 0.0, buttons_for(slot, tracker.slots, channel_of(tracker)))
        if outcome.kind == "check_stop":
            say(dispatcher, OUTCOME_MESSAGES["check_stop"], tracker)
        if outcome.kind != "fill" or outcome.value == answers.PREVIOUS_WORDS:
            return []
        also = [SlotSet(name, value) for name, value in outcome.also.items()]
        return self.after_fill(slot, outcome.value) + also + [SlotSet("simple_next", False)]

    @staticmethod
    def _alert_waiting(slot: str, text: str | None, tracker: Tracker) -> List[Dict[str, Any]]:
        """Words that raised an alert wait for the child's yes to "Do you want this in your answers too?" (asked
        next); words that cannot answer this question (or a second alert while the first waits) change nothing."""
        if tracker.get_slot(forms.ALERT_FOR):
            return []
        waiting = alert_answers.waiting(slot, text, buttons_for(slot, tracker.slots, channel_of(tracker)))
        return [SlotSet(name, value) for name, value in waiting.items()]

    def explain(self, kind: str, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """Why the message was not taken as the answer, kindly; the form then asks its question again."""
        if kind == "meta":
            text = str((tracker.latest_message or {}).get("text") or "")
            words = previous_words(tracker, slot, told=child_says.says_told_you(text))
            if words is not None:
                say(dispatcher, "meta_you_said", tracker, words=words)
            else:
                say(dispatcher, "meta_answer", tracker)
        elif kind == "ask_back":
            self._ask_back(slot, str((tracker.latest_message or {}).get("text") or ""), dispatcher, tracker)
        elif kind == "explain":
            name = "explain_w_confirm" if slot.endswith("_confirm") else f"explain_{slot}"
            say(dispatcher, name if name in messages.catalogue() else "not_understood_choice", tracker)
        else:
            say(dispatcher, OUTCOME_MESSAGES[kind], tracker)

    @staticmethod
    def _ask_back(slot: str, text: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """A sentence at a name or place question: a feeling is answered kindly (it is not the answer); anything
        else is read back with a "Yes, that is it" button (the form then asks its question again)."""
        found = everyday.read_everyday(text)
        if found is not None and found.kind == everyday.FEELING:
            say(dispatcher, "feeling_reply", tracker, feeling=found.words)
        elif found is not None and found.kind == everyday.MISSING:
            say(dispatcher, "missing_reply", tracker, who=found.words)
        else:
            say(dispatcher, "ask_back_short", tracker, words=textwrap.shorten(text, QUOTE_CHARS, placeholder="…"),
                what=forms.REMEMBERED_LABELS.get(slot, "your answer"))

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        return []  # values are read and checked in get_extraction_events

    def after_fill(self, slot: str, value: Any) -> List[Dict[str, Any]]:
        spec = forms.FORMS[self.form]
        if spec.check is not None and slot == spec.check[1]:
            # Forget the picked answer (and what depends on it): the form asks it again, then checks again.
            confirm, change_which = spec.check
            if value == forms.CHANGE_NOTHING:
                return [SlotSet(confirm, None), SlotSet(change_which, None)]  # the check again, as it was
            target = forms.change_target({change_which: value}, self.form)
            if target is None:
                return [SlotSet(change_which, None)]
            forget = (target, *forms.DEPENDENT_ANSWERS.get(target, ()), confirm, change_which)
            return [SlotSet(name, None) for name in forget]
        return [SlotSet(slot, value)]


class ValidateAdvocateForm(HeardFormValidation):
    form = forms.ADVOCATE.name


class ValidateVisitorForm(HeardFormValidation):
    form = forms.VISITOR.name


class ValidateMatchForm(HeardFormValidation):
    form = forms.MATCH.name


class ValidateWishesForm(HeardFormValidation):
    form = forms.WISHES.name


class ValidateComplaintForm(HeardFormValidation):
    form = forms.COMPLAINT.name


class ValidateCallBackForm(HeardFormValidation):
    form = forms.CALL_BACK.name


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
        days = tracker.get_slot(DATE_OPTIONS)
        if days:  # "next friday": which one?
            first, second = (date.fromisoformat(day) for day in days)
            text = messages.render("ask_w_review_date_which", tracker.slots, weekday=f"{first:%A}",
                                   first=nice_date(days[0]), second=nice_date(days[1]), channel=channel_of(tracker))
            dispatcher.utter_message(text=text["text"], buttons=date_choice_buttons(days))
            return []
        known = tracker.get_slot("next_review")
        if not known:
            return await super().run(dispatcher, tracker, domain)
        text = messages.render("ask_w_review_date_known", tracker.slots, date=nice_date(known),
                               channel=channel_of(tracker))["text"]
        dispatcher.utter_message(text=text, buttons=review_date_buttons(known))
        return []


def _button_titles(slot: str, channel: str | None = None) -> Dict[str, str]:
    """value -> the title of the button that sends it, for a question's own buttons (as `channel` shows them)."""
    titles = {}
    for button in messages.buttons(f"ask_{slot}", channel) if f"ask_{slot}" in messages.catalogue() else []:
        value = answers.payload_choice(str(button.get("payload", "")))
        if value is not None:
            titles[value] = str(button.get("title", ""))
    return titles


class AskCheck(AskSlot):
    """The child's check before sending: every answer read back (their words unchanged), then send, change
    one, or stop."""

    form: str = ""

    def values(self, tracker: Tracker) -> Dict[str, Any]:
        channel = channel_of(tracker)
        return {"summary": forms.summary(self.form, tracker.slots, lambda slot: _button_titles(slot, channel),
                                         short=channel == "sms")}


class AskWishesConfirm(AskCheck):
    slot, form = "w_confirm", forms.WISHES.name


class AskChangeWhich(AskSlot):
    """Which answer to change: one button for each answer the check read back."""

    form: str = ""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        channel = channel_of(tracker)
        text = messages.render(f"ask_{self.slot}", tracker.slots, channel=channel)["text"]
        dispatcher.utter_message(text=text,
                                 buttons=change_which_buttons(self.form, self.slot, tracker.slots, channel))
        return []


def _check_actions() -> Dict[str, type]:
    """The check step's ask actions for every form that has one (the wishes form's are above)."""
    made: Dict[str, type] = {}
    for spec in forms.FORMS.values():
        if spec.check is None or spec.name == forms.WISHES.name:
            continue
        confirm, change_which = spec.check
        made[confirm] = type(f"Ask_{confirm}", (AskCheck,), {"slot": confirm, "form": spec.name})
        made[change_which] = type(f"Ask_{change_which}", (AskChangeWhich,), {"slot": change_which, "form": spec.name})
    return made


class AskMatchDecision(AskSlot):
    slot = "match_decision"

    def values(self, tracker: Tracker) -> Dict[str, Any]:
        return {"label": tracker.get_slot("match_label") or "a kind grown-up"}


# Every other question in the form registry (bot/dialogue/forms.py) gets a plain ask action, made here: one
# class per slot, named action_ask_<slot>, sending the catalogue message ask_<slot>. The three above are the
# questions that show something of the conversation (a known date, the summary, the proposed visitor).
SPECIAL_ASK_ACTIONS: Dict[str, type] = {
    **{cls.slot: cls for cls in (AskReviewDate, AskWishesConfirm, AskMatchDecision)},
    **_check_actions(),
}
ASK_ACTIONS: Dict[str, type] = {
    slot: SPECIAL_ASK_ACTIONS.get(slot) or type(f"Ask_{slot}", (AskSlot,), {"slot": slot})
    for slot in forms.QUESTIONS
}
