"""The form registry: every form Heard runs, and every question it asks, in one place.

One `FormSpec` per form: the intents that start it (with their opening lines and any answer they already give),
its questions in order, the action and the use case that send it, and what it forgets afterwards. One `Question`
per question: its slot, its kind, whether "Skip" is a real answer, the words a child may type for each button,
what a sentence typed at a buttons question means, and when it is asked.

Everything else is derived from here:
- `required_slots` (which questions a form still asks), `form_of_intent`, `FORM_SLOTS`;
- the `action_ask_<slot>` classes (`actions/forms.py`), the submit dispatch (`actions/submit.py`);
- the form part of the Rasa domain (`domain/forms.yml`) and the rules (`data/rules/rules.yml`), both written by
  `python scripts/make_rules.py`; `tests/unit/test_form_registry.py` fails when they disagree with this registry.

To add a question: add a `Question` to its form below, and its `ask_<slot>` lines in `messages.yml`; then run
`python scripts/make_rules.py`. Plain Python, no Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Callable, Mapping

from bot.dialogue.dates import read_date
from bot.vocabulary import normal_words, roles_label

# Kinds of question, and how each is read (bot/dialogue/answers.py has one reader per kind):
CHOICE = "choice"  # press a button (or type its number or words); anything else is refused kindly
OPEN = "open"  # the child's own words, kept verbatim; a short typed word may still pick a button ("text me")
YES_NO = "yes_no"  # a decision or a consent: only a plain yes or no counts; anything else is explained, never guessed
SHARE_WITH = "share_with"  # who may see a statement: a list of audiences, read back for the child to confirm
DATE = "date"  # a date, "next week" or "don't know": nothing else is stored as a date
KINDS = (CHOICE, OPEN, YES_NO, SHARE_WITH, DATE)

Condition = Callable[[Mapping[str, Any]], bool]


def always(_slots: Mapping[str, Any]) -> bool:
    """Asked every time."""
    return True


def not_signed_in(slots: Mapping[str, Any]) -> bool:
    """Asked only when the conversation is not linked to a known child."""
    return not slots.get("child_id")


CONTACT_NEEDS_DETAIL = frozenset({"text", "phone", "other"})
# Between a way to reach the child and its number or address, in every record staff read ("phone: 07700 900123"):
# bot.dialogue.submissions joins them with it, the review app's plain words (bot.services.read_models) split on it.
DETAIL_SEPARATOR = ": "


def needs_contact_detail(slots: Mapping[str, Any]) -> bool:
    """A number or an address is needed for the way the child chose to be contacted."""
    return slots.get("contact_how") in CONTACT_NEEDS_DETAIL


def anonymous_needs_contact_detail(slots: Mapping[str, Any]) -> bool:
    return not_signed_in(slots) and needs_contact_detail(slots)


ADVOCATE_AT_REVIEW = frozenset({"with_advocate", "someone_else"})


def wants_advocate_at_review(slots: Mapping[str, Any]) -> bool:
    """A signed-in child chose to go with an advocate, or to have someone say it for them (issue 15 item 4)."""
    return not_signed_in(slots) is False and slots.get("w_attend") in ADVOCATE_AT_REVIEW


def call_back_needs_detail(slots: Mapping[str, Any]) -> bool:
    """A safe number or address is needed for the way the child chose to be reached after a disclosure."""
    return slots.get("cb_how") in CONTACT_NEEDS_DETAIL


def slot_is(slot: str, value: str) -> Condition:
    """Asked when an earlier answer was `value`."""

    def condition(slots: Mapping[str, Any]) -> bool:
        return slots.get(slot) == value

    condition.__doc__ = f"Asked when {slot} is {value!r}."
    return condition


@dataclass(frozen=True)
class Question:
    """One question: the slot its answer goes in and how a typed answer is read."""

    slot: str
    kind: str
    skippable: bool = False  # the "Skip" button is a real answer (nothing to add)
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # typed words for each button value
    # A sentence typed at a buttons question: (value when it names no button, slot that keeps its words).
    sentence_fallback: tuple[str, str] | None = None
    when: Condition = always
    summary_label: str | None = None  # shown in the read-back before sending (wishes)
    short_label: str | None = None  # the label in the short read-back (SMS) when shorter than summary_label
    value_labels: Mapping[str, str] = field(default_factory=dict)  # how a button value is shown back
    yes_no: tuple[str, str] | None = None  # YES_NO: the values a plain "yes" and a plain "no" give
    value_notes: Mapping[str, str] = field(default_factory=dict)  # value -> a line said when it is chosen
    remember: bool = False  # known for the rest of the conversation: not asked again by the next form
    # YES_NO: a plain no followed by words ("no im scared of dogs") is the no, and its words are kept, verbatim,
    # as the answer of this slot (the reason), so the child is not asked for them again.
    reason_slot: str | None = None
    # YES_NO: a question of fact ("Is it about a children's home?"), not a consent or a decision: a yes or no with
    # a fact after it ("no im in supported lodgings") is that answer. A consent is only ever a plain yes or no.
    factual: bool = False
    # YES_NO: intents that ask for just what the question offers ("can someone call me" at "Would you like someone
    # to talk to you today?"): that asking, unless it says no or later, is the yes.
    yes_intents: frozenset[str] = frozenset()
    # YES_NO and factual: the words that name what it asks about ("social worker"; matched without apostrophes). A
    # later message that says the fact the other way ("actually it is about my social worker") changes this answer
    # (bot.dialogue.corrections).
    topic: tuple[str, ...] = ()
    # OPEN with synonyms: a way to be reached typed with the number or address itself ("text me on 07700
    # 900810"): the way is this answer and the number or address (just that) the answer of `detail_slot`.
    detail_slot: str | None = None
    # OPEN: the answer is a name or a place ("Sam", "Leeds"). A sentence that is not one ("i miss my nan",
    # "my cat is called mittens btw") is asked back before it is kept (answers.plausible_short_answer).
    short: bool = False
    # OPEN and skippable: "nothing" is an answer of its own ("what is going well?" "nothing": kept), not a skip.
    nothing_is_an_answer: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.slot}: unknown kind {self.kind!r}")
        if self.sentence_fallback is not None and self.kind != CHOICE:
            raise ValueError(f"{self.slot}: only a choice question reads a sentence as a button")
        if (self.kind == YES_NO) != (self.yes_no is not None):
            raise ValueError(f"{self.slot}: a yes/no question (and only one) says what yes and no mean")
        if self.reason_slot is not None and self.kind != YES_NO:
            raise ValueError(f"{self.slot}: only a yes/no question keeps the words of a no as its reason")
        if self.factual and self.kind != YES_NO:
            raise ValueError(f"{self.slot}: only a yes/no question is a question of fact")
        if self.yes_intents and self.kind != YES_NO:
            raise ValueError(f"{self.slot}: only a yes/no question takes a request as its yes")
        if self.topic and not self.factual:
            raise ValueError(f"{self.slot}: only a question of fact is corrected by naming what it asks about")
        if self.short and self.kind != OPEN:
            raise ValueError(f"{self.slot}: only an open question asks back a sentence that is not a name or place")


@dataclass(frozen=True)
class Start:
    """How a form opens for one intent: the lines said first, and answers the intent already gives."""

    messages: tuple[str, ...]
    preset: Mapping[str, Any] = field(default_factory=dict)
    # The message that started the form, when it says more than the request ("i want an advocate because
    # nobody listens to me"), is kept as the answer to this question, so the child is not asked for it again.
    words_slot: str | None = None
    # A choice question the starting message may already answer ("an advocate for my review": review).
    guess_slot: str | None = None


@dataclass(frozen=True)
class FormSpec:
    """One form, from the intents that start it to what it forgets after sending."""

    name: str
    questions: tuple[Question, ...]
    submit_action: str  # the Rasa action that sends it (rules: form done -> this action)
    submit: str  # the function in bot.dialogue.submissions that stores it (one use case)
    starts: Mapping[str, Start] = field(default_factory=dict)  # intent -> opening
    clears_after_send: Mapping[str, Any] = field(default_factory=dict)  # other slots reset once sent
    # The child's check before sending (read back in full; send, change an answer, or stop): its two questions.
    check: tuple[str, str] | None = None  # (confirm slot, change-which slot)

    @property
    def slots(self) -> tuple[str, ...]:
        return tuple(q.slot for q in self.questions)


# At "Which answer do you want to change?": none after all ("no is ok, all is good, no change"): the check is
# shown again, nothing forgotten.
CHANGE_NOTHING = "nothing"
NOTHING_TO_CHANGE = ("nothing", "nothing to change", "no change", "no changes", "dont change", "dont change it",
                     "dont change anything", "all good", "all is good", "its all good", "its fine", "it is fine",
                     "its ok", "is ok", "all ok", "all fine", "its right", "all right", "leave it", "keep it",
                     "keep them", "go back", "never mind", "nevermind", "none", "no", "nah", "nope")


def is_button_value(q: Question, value: Any) -> bool:
    """Whether `value` is one of the question's button values (not words of the child's own)."""
    return isinstance(value, str) and (value in q.synonyms or value in q.value_labels)


def check_questions(confirm: str, change_which: str) -> tuple[Question, Question]:
    """The two questions of a form's check step: send or change; and which answer to change."""
    return (
        Question(confirm, YES_NO, synonyms={
            "send": ("send", "yes", "send it", "done", "ok", "okay", "yeah", "yep"),
            "change": ("change", "edit", "fix", "change an answer", "no"),
        }, yes_no=("send", "change")),
        # Its buttons are the form's answers (actions.forms.change_which_buttons) and "Nothing to change", whose
        # typed words answers.match_choice knows wherever that button is offered.
        Question(change_which, CHOICE, when=slot_is(confirm, "change")),
    )


# ---------------------------------------------------------------- questions shared by several forms

# Answers that raise an alert are kept (issue 20): a message that raised a safeguarding alert (a clear disclosure,
# or a check-in answered yes or not sure) typed at a question is offered as that question's answer. The form's
# validation keeps the question's slot in ALERT_FOR and the words in ALERT_WORDS, and the form asks "Do you want
# this in your answers too?" before anything else; yes stores the words as that answer (verbatim), no leaves the
# question to be asked again (bot/dialogue/alert_answers.py).
ALERT_FOR = "alert_for"
ALERT_WORDS = "alert_words"


def alert_answer_waiting(slots: Mapping[str, Any]) -> bool:
    """Asked when a message that raised an alert waits to be kept (or not) as an answer."""
    return bool(slots.get(ALERT_FOR)) and bool(slots.get(ALERT_WORDS))


KEEP_ALERT_ANSWER = Question(
    "keep_alert_answer",
    YES_NO,
    when=alert_answer_waiting,
    synonyms={
        "yes": ("yes", "yes add it", "add it", "put it in", "keep it", "yes please"),
        "no": ("no", "no leave it out", "leave it out", "leave it", "dont add it", "don't add it", "no thanks"),
    },
    yes_no=("yes", "no"),
)

# After a disclosure inside a form, one question at a time (issue 20): the safeguarding answer (Childline, 999, a
# grown-up told today) comes at once; then, while words wait, "Do you want this in your answers too?"; then "Would you
# like someone to talk to you today?", a question of the form like any other (its marker, CALL_BACK_OFFER_WAITING,
# is set by the safeguarding answer); only then the form's own question again. A yes pauses the form for the
# call-back form (actions/call_back.py), a no lets the form go on.
CALL_BACK_OFFER_WAITING = "call_back_offer_waiting"


def call_back_offer_waiting(slots: Mapping[str, Any]) -> bool:
    """Asked when a disclosure inside this form was answered and a person is still to be offered."""
    return bool(slots.get(CALL_BACK_OFFER_WAITING))


CALL_BACK_OFFER = Question(
    "call_back_offer",
    YES_NO,
    when=call_back_offer_waiting,
    synonyms={
        "yes": ("yes", "yes please", "yeah please", "please", "today", "yes today"),
        "no": ("no", "not now", "no thanks", "not today", "later", "maybe later", "no thank you"),
    },
    yes_no=("yes", "no"),
    yes_intents=frozenset({"talk_to_person", "ask_call_back"}),  # "can someone call me", "i want to talk to someone"
)

ANON_NAME = Question("anon_name", OPEN, when=not_signed_in, remember=True, summary_label="Your name",
                     short_label="Name", short=True)
ANON_COUNCIL = Question("anon_council", OPEN, when=not_signed_in, remember=True, summary_label="Your council",
                        short_label="Council", short=True)
CONTACT_HOW = Question(
    "contact_how",
    OPEN,
    remember=True,
    summary_label="How to reach you",
    value_labels={"this_number": "Text me at this number"},  # by SMS only (bot.channels.sms seals the number)
    detail_slot="contact_detail",
    # A way asked for ("text me") outranks a word said in passing ("text me, its my own phone"): the longer phrase.
    synonyms={
        "text": ("text", "txt", "sms", "message", "text me", "txt me", "message me"),
        "phone": ("phone", "call", "ring", "fone", "phone me", "call me", "ring me", "fone me"),
        "carer": ("carer", "foster", "key worker"),
        "school": ("school", "skool", "college"),
        "other": ("another way", "other", "email"),
    },
)
CONTACT_DETAIL = Question("contact_detail", OPEN, when=needs_contact_detail, remember=True,
                          summary_label="Number or address")

# ---------------------------------------------------------------- the forms

ADVOCATE = FormSpec(
    name="advocate_form",
    starts={
        "request_advocate": Start(("start_advocate",), words_slot="adv_words", guess_slot="adv_reason"),
    },
    questions=(
        KEEP_ALERT_ANSWER,
        CALL_BACK_OFFER,
        Question(
            "adv_reason",
            CHOICE,
            synonyms={
                "review": ("review", "revew", "reveiw", "lac", "cla", "looked after"),
                "cp_conference": ("child protection", "cp", "conference", "protection"),
                "complaint": ("complaint", "complain", "complaining", "complane"),
                "listened_to": ("listen", "listens", "listened", "listening", "ignored", "ignore", "ignoring"),
                "other": ("something else", "else", "other"),
            },
            sentence_fallback=("other", "adv_words"),
            summary_label="What it is about",
        ),
        Question("adv_words", OPEN, skippable=True, summary_label="In your words", short_label="Your words"),
        ANON_NAME,
        ANON_COUNCIL,
        CONTACT_HOW,
        CONTACT_DETAIL,
        Question(
            "contact_when",
            OPEN,
            synonyms={
                "after_school": ("after school", "afterschool", "after skool"),
                "evening": ("evening", "evenings", "night", "tea time", "teatime"),
                "weekend": ("weekend", "weekends", "saturday", "sunday"),
                "any_time": ("any time", "anytime", "whenever", "any"),
            },
            summary_label="A good time",
        ),
        Question(
            "adv_tell_sw",
            YES_NO,
            synonyms={
                "yes": ("yes", "yeah", "yep", "yh", "ya", "ok", "okay", "sure", "fine", "y"),
                "no": ("no", "nope", "nah", "dont", "don't", "n", "not"),
                "not_sure": ("not sure", "im not sure", "i'm not sure", "dunno", "idk", "i dont know", "i don't know",
                             "dont know", "don't know", "maybe", "not sure yet", "no idea"),
            },
            yes_no=("yes", "no"),
            value_notes={"not_sure": "not_sure_tell_sw"},
            summary_label="Tell your social worker",
            short_label="Tell social worker",
        ),
        *check_questions("adv_confirm", "adv_change_which"),
    ),
    submit_action="action_submit_referral",
    submit="submit_referral",
    check=("adv_confirm", "adv_change_which"),
)

WISHES = FormSpec(
    name="wishes_form",
    starts={"share_wishes": Start(("start_wishes",), words_slot="w_change")},
    questions=(
        KEEP_ALERT_ANSWER,
        CALL_BACK_OFFER,
        Question("w_review_date", DATE, summary_label="Review date"),
        Question("w_going_well", OPEN, skippable=True, summary_label="Going well", nothing_is_an_answer=True),
        Question("w_not_going_well", OPEN, skippable=True, summary_label="Not going well"),
        Question("w_change", OPEN, skippable=True, summary_label="What I want to change"),
        Question("w_who_at_meeting", OPEN, skippable=True, summary_label="Who I want at my meeting"),
        Question(
            "w_attend",
            CHOICE,
            synonyms={
                "self": ("myself", "me", "talk myself", "speak myself", "on my own"),
                "with_advocate": ("advocate", "with an advocate", "with advocate"),
                "someone_else": ("someone else", "someone", "for me", "say it for me"),
                "not_attend": ("not go", "dont want to go", "don't want to go", "not going", "no"),
            },
            summary_label="How I take part",
            value_labels={
                "self": "I'll go and talk myself",
                "with_advocate": "I'll go with an advocate",
                "someone_else": "Someone says it for me",
                "not_attend": "I don't want to go",
            },
        ),
        # Going with an advocate, or someone saying it for them: a referral for this review, if they say yes.
        Question("w_advocate_ok", YES_NO, when=wants_advocate_at_review, yes_no=("yes", "no"),
                 synonyms={"yes": ("yes", "yes please", "ok", "okay"), "no": ("no", "no thanks", "not now")},
                 summary_label="Ask for an advocate", value_labels={"yes": "Yes, please", "no": "No, thanks"}),
        Question("w_for_iro", OPEN, skippable=True, summary_label="For the IRO"),
        Question("w_share_with", SHARE_WITH),
        Question(
            "w_confirm",
            YES_NO,
            synonyms={
                "send": ("send", "yes", "send it", "done", "ok", "okay", "yeah", "yep"),
                "change": ("change", "edit", "fix", "change an answer", "no"),
            },
            yes_no=("send", "change"),
        ),
        Question(
            "w_change_which",
            CHOICE,
            synonyms={
                "w_review_date": ("date", "when"),
                "w_going_well": ("going well", "well", "good"),
                "w_not_going_well": ("not going well", "not well", "bad"),
                "w_change": ("change", "what to change"),
                "w_who_at_meeting": ("who", "invite", "meeting"),
                "w_attend": ("take part", "how", "attend", "go"),
                "w_for_iro": ("iro", "for the iro"),
                "w_share_with": ("see", "who can see", "share"),
                CHANGE_NOTHING: NOTHING_TO_CHANGE,
            },
            when=slot_is("w_confirm", "change"),
        ),
    ),
    submit_action="action_submit_wishes",
    submit="submit_wishes",
    check=("w_confirm", "w_change_which"),
)

VISITOR = FormSpec(
    name="visitor_form",
    starts={"request_visitor": Start(("start_visitor",), words_slot="iv_wish", guess_slot="iv_kind")},
    questions=(
        KEEP_ALERT_ANSWER,
        CALL_BACK_OFFER,
        Question(
            "iv_kind",
            CHOICE,
            synonyms={
                "independent_visitor": ("visitor", "independent visitor", "iv", "visiter"),
                "mentor": ("mentor", "mentur", "menter"),
                "not_sure": ("not sure", "dunno", "idk", "don't know", "dont know", "either"),
            },
            sentence_fallback=("not_sure", "iv_wish"),
            summary_label="Visitor or mentor",
        ),
        Question("iv_wish", OPEN, skippable=True, summary_label="What kind of person"),
        Question("iv_known", OPEN, skippable=True, summary_label="Someone you know"),
        Question("iv_may_be_told", OPEN, skippable=True, summary_label="What your visitor can know about you"),
        ANON_NAME,
        ANON_COUNCIL,
        replace(CONTACT_HOW, when=not_signed_in),
        replace(CONTACT_DETAIL, when=anonymous_needs_contact_detail),
        *check_questions("iv_confirm", "iv_change_which"),
    ),
    submit_action="action_submit_visitor_request",
    submit="submit_visitor_request",
    check=("iv_confirm", "iv_change_which"),
)

MATCH = FormSpec(
    name="match_form",
    questions=(
        KEEP_ALERT_ANSWER,
        CALL_BACK_OFFER,
        Question(
            "match_decision",
            YES_NO,
            synonyms={
                "accept": ("yes", "yeah", "yep", "ok", "okay", "sure", "accept", "like that"),
                "object": ("no", "nope", "nah", "dont", "don't", "no thanks", "someone else", "not"),
            },
            yes_no=("accept", "object"),
            reason_slot="match_reason",
        ),
        Question("match_reason", OPEN, skippable=True, when=slot_is("match_decision", "object")),
        Question("match_preferences", OPEN, skippable=True, when=slot_is("match_decision", "object")),
    ),
    submit_action="action_submit_match_answer",
    submit="submit_match_answer",
    clears_after_send={"has_pending_match": False, "match_id": None, "match_label": None},
)

YES_NO_WORDS = {"yes": ("yes", "yeah", "yep", "ok", "okay", "sure"), "no": ("no", "nope", "nah", "not")}
YES_NO_LABELS = {"yes": "Yes", "no": "No"}


def _yes_no(slot: str, label: str, **extra: Any) -> Question:
    return Question(slot, YES_NO, synonyms=extra.pop("synonyms", YES_NO_WORDS), yes_no=("yes", "no"),
                    summary_label=label, value_labels=YES_NO_LABELS, **extra)


# Issue 15 item 7: a complaint is recorded as a complaint (bot.usecases.child_complaints), not as a referral.
COMPLAINT = FormSpec(
    name="complaint_form",
    starts={"make_complaint": Start(("explain_complaint", "start_complaint"), words_slot="cp_about")},
    questions=(
        KEEP_ALERT_ANSWER,
        CALL_BACK_OFFER,
        Question("cp_about", OPEN, summary_label="What it is about"),
        Question("cp_wants", OPEN, skippable=True, summary_label="What you want to happen"),
        _yes_no("cp_home", "About a children's home", factual=True,
                topic=("childrens home", "children home", "childrens homes", "kids home", "care home",
                       "residential home", "residential")),
        _yes_no("cp_about_sw", "About your social worker", factual=True,
                topic=("social worker", "social workers", "socail worker", "social wroker", "socialworker", "sw")),
        _yes_no("cp_advocate", "An advocate to help you"),
        ANON_NAME,
        ANON_COUNCIL,
        replace(CONTACT_HOW, when=not_signed_in),
        replace(CONTACT_DETAIL, when=anonymous_needs_contact_detail),
        *check_questions("cp_confirm", "cp_change_which"),
    ),
    submit_action="action_submit_complaint",
    submit="submit_complaint",
    check=("cp_confirm", "cp_change_which"),
)

# Issue 15 item 6: after a disclosure, "Yes, please" asks for a person: how and when they can be reached safely
# (never "through my carer"), whether it is about their social worker; recorded on the alert (a call-back).
CALL_BACK = FormSpec(
    name="callback_form",
    starts={"ask_call_back": Start(("start_call_back",))},
    questions=(
        KEEP_ALERT_ANSWER,
        ANON_NAME,
        Question("cb_how", OPEN, summary_label="How to reach you safely", synonyms={
            "text": ("text", "txt", "sms", "message", "text me", "txt me", "message me"),
            "phone": ("phone", "call", "ring", "fone", "phone me", "call me", "ring me", "fone me"),
            "school": ("school", "skool", "college"),
            "other": ("another way", "other", "email"),
        }),
        Question("cb_detail", OPEN, when=call_back_needs_detail, summary_label="Safe number or address"),
        Question("cb_when", OPEN, summary_label="A safe time", synonyms={
            "today": ("today", "now", "asap", "soon"),
            "after_school": ("after school", "afterschool", "after skool"),
            "evening": ("evening", "evenings", "tea time", "teatime"),
            "any_time": ("any time", "anytime", "whenever", "any"),
        }),
        _yes_no("cb_about_sw", "About your social worker", synonyms={
            **YES_NO_WORDS,
            "not_sure": ("not sure", "dunno", "idk", "maybe", "rather not say", "id rather not say"),
        }, value_notes={"not_sure": "not_sure_cb_about_sw"}),
        *check_questions("cb_confirm", "cb_change_which"),
    ),
    submit_action="action_submit_call_back",
    submit="submit_call_back",
    check=("cb_confirm", "cb_change_which"),
)

FORMS: dict[str, FormSpec] = {spec.name: spec for spec in (ADVOCATE, WISHES, VISITOR, MATCH, COMPLAINT, CALL_BACK)}
# The form a child may leave for a call-back and come back to (actions/call_back.py): every form but the call-back.
PAUSABLE_FORMS: tuple[str, ...] = tuple(name for name in FORMS if name != CALL_BACK.name)

# ---------------------------------------------------------------- derived views

FORM_SLOTS: dict[str, tuple[str, ...]] = {name: spec.slots for name, spec in FORMS.items()}
QUESTIONS: dict[str, Question] = {}
for _spec in FORMS.values():
    for _q in _spec.questions:
        QUESTIONS.setdefault(_q.slot, _q)  # a shared question reads the same in every form (tested)
# Answers that only make sense with an earlier one: changed together at the check.
DEPENDENT_ANSWERS: dict[str, tuple[str, ...]] = {"contact_how": ("contact_detail",), "w_attend": ("w_advocate_ok",),
                                                 "cb_how": ("cb_detail",)}
# Slots reset when a form starts, stops or is sent, besides its own questions.
DATE_OPTIONS = "date_options"  # the days "next friday" may mean, while the child picks one (the date question)
RUN_SLOTS = ("requested_slot", "submission_id", "pending_submit", ALERT_FOR, ALERT_WORDS, CALL_BACK_OFFER_WAITING,
             DATE_OPTIONS)


def question(slot: str) -> Question | None:
    """The question that fills `slot` (None for a slot no form asks)."""
    return QUESTIONS.get(slot)


def required_slots(form: str, slots: Mapping[str, Any]) -> list[str]:
    """The slots `form` must fill, in order, given the conversation's current slots."""
    if form not in FORMS:
        raise ValueError(f"unknown form {form}")
    return [q.slot for q in FORMS[form].questions if q.when(slots)]


def form_of_intent(intent: str | None) -> str | None:
    """The form an intent starts, if any."""
    for spec in FORMS.values():
        if intent in spec.starts:
            return spec.name
    return None


def starting_intents() -> dict[str, str]:
    """intent -> the form it starts."""
    return {intent: spec.name for spec in FORMS.values() for intent in spec.starts}


def slots_to_clear(form: str, *, keep_remembered: bool = False) -> dict[str, Any]:
    """Every slot a form run uses, with the value it is reset to (None for answers). With `keep_remembered`,
    answers the child gave earlier in this conversation that stay true (name, council, contact) are kept."""
    forget = [q.slot for q in FORMS[form].questions if not (keep_remembered and q.remember)]
    return {**{slot: None for slot in forget}, **{slot: None for slot in RUN_SLOTS}}


REMEMBERED_LABELS = {"anon_name": "your name", "anon_council": "your council", "contact_how": "how to reach you",
                     "contact_detail": "your number or address"}


def remembered_label(known: Mapping[str, Any]) -> str:
    """'your name (Sam) and your council (Leeds)'."""
    parts = [f"{REMEMBERED_LABELS.get(slot, slot)} ({value})" for slot, value in known.items()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def remembered(slots: Mapping[str, Any], form: str | None = None) -> dict[str, Any]:
    """The answers this conversation already holds that the next form will not ask again (only the questions of
    `form` when given: the call-back form asks for a safe way to reach the child, so "how to reach you" from
    an advocate request is not said to be used again)."""
    questions = FORMS[form].questions if form is not None else QUESTIONS.values()
    return {q.slot: slots.get(q.slot) for q in questions if q.remember and slots.get(q.slot)}


# ---------------------------------------------------------------- the child's check before sending

WISHES_SUMMARY: tuple[Question, ...] = tuple(q for q in WISHES.questions if q.summary_label)
# (slot, label) in the order the statement shows them.
WISHES_QUESTIONS: tuple[tuple[str, str], ...] = tuple((q.slot, str(q.summary_label)) for q in WISHES_SUMMARY)


def show(value: Any) -> str:
    """How an answer is shown back to the child in the summary."""
    if value is None or value == "":
        return "(skipped)"
    if value == "unknown":
        return "I don't know"
    return str(value)


def show_date(value: Any) -> str:
    """A date answer read back as the day Heard understood, with the child's words ("Friday 15 January (next
    friday)"), so the child can see it is the day they meant and change it if not."""
    found = read_date(str(value)) if value not in (None, "", "unknown") else None
    if not isinstance(found, date):
        return show(value)
    day = f"{found:%A} {found.day} {found:%B}"
    return day if normal_words(str(value)) == normal_words(day) else f"{day} ({value})"


def checked_questions(form: str, slots: Mapping[str, Any]) -> list[Question]:
    """The questions a form's check reads back: those with a label that the form asks in this conversation."""
    asked = set(required_slots(form, slots))
    return [q for q in FORMS[form].questions if q.summary_label and q.slot in asked]


# Answers whose option's words do not say what was asked ("I don't know"): the short read-back keeps their label.
NOT_SELF_EXPLAINING = frozenset({"unknown", "skip", "not_sure", "other"})


def summary(form: str, slots: Mapping[str, Any], button_titles: Callable[[str], Mapping[str, str]],
            short: bool = False) -> str:
    """Every answer, read back before sending: the child's words unchanged, a pressed button by its title.

    ``short`` (SMS, where every 153 characters is another paid segment): no bullets, the shorter labels, and an
    option the child picked read back by its own words alone ("After school", "My review meeting"), except a yes or
    no and an answer such as "I don't know", which need their question's label to mean anything."""
    lines = []
    for q in checked_questions(form, slots):
        raw = slots.get(q.slot)
        title = q.value_labels.get(str(raw)) or button_titles(q.slot).get(str(raw))
        value = title or raw
        shown = show_date(value) if q.kind == DATE else show(value)
        if not short:
            lines.append(f"• {q.summary_label}: {shown}")
        elif title and q.kind != YES_NO and str(raw) not in NOT_SELF_EXPLAINING:
            lines.append(shown)
        else:
            lines.append(f"{q.short_label or q.summary_label}: {shown}")
    if form == WISHES.name:
        lines.append(f"{'' if short else '• '}Who can see it: {roles_label(slots.get('w_share_with') or [])}")
    return "\n".join(lines)


def wishes_summary(slots: Mapping[str, Any]) -> str:
    """The child's wishes answers, read back before sending (their words, unchanged)."""
    return summary(WISHES.name, {**slots, "w_confirm": None}, lambda _slot: {})


def change_choices(form: str, slots: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(slot, label) of each answer the child may change at the check."""
    choices = [(q.slot, str(q.summary_label)) for q in checked_questions(form, slots)]
    if form == WISHES.name:
        choices.append(("w_share_with", "Who can see it"))
    return choices


def change_target(slots: Mapping[str, Any], form: str = "wishes_form") -> str | None:
    """The slot a child picked to change at the check, if it is one of the form's own answers."""
    spec = FORMS[form]
    if spec.check is None:
        return None
    target = slots.get(spec.check[1])
    valid = {q.slot for q in spec.questions if q.summary_label} | ({"w_share_with"} if form == WISHES.name else set())
    return target if target in valid else None
