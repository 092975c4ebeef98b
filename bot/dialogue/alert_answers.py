"""Answers that raise an alert are kept (issue 20). Plain Python, no Rasa.

A child may answer a form's question with words that tell of harm ("he hits me when i go home" at "What is not
going well?", "no im scared of dogs" at "Would you like to meet them?"). The safeguarding answer comes first and
a person is told (a clear disclosure, or a check-in answered yes or not sure). Then the form asks "Do you want
this in your answers too?" (the registry's ``KEEP_ALERT_ANSWER``, asked before anything else while words wait):

- yes: the words become the answer of the question they were typed at, read as that question reads them (an
  open question keeps them verbatim; "no <reason>" at the match decision is the no, with its reason);
- no: nothing is stored, and the question is asked again.

Only words that could be that question's answer wait (not a "yes" to a check-in, not a button).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from bot.dialogue import answers
from bot.dialogue.forms import ALERT_FOR, ALERT_WORDS, KEEP_ALERT_ANSWER

KEEP = KEEP_ALERT_ANSWER.slot
YES = "yes"


def _as_answer(slot: str, text: str, buttons: Sequence[Mapping[str, Any]] | None) -> answers.Outcome | None:
    """The words read as the answer to ``slot`` (no intent: the words, not what the classifier made of them);
    None when they cannot be its answer."""
    outcome = answers.read_answer(slot, text, None, 0.0, buttons)
    if outcome.kind != "fill" or outcome.value in (answers.PREVIOUS_WORDS, "", None):
        return None
    return outcome


def waiting(slot: str | None, text: str | None, buttons: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The slots that keep a message that raised an alert waiting for the child's yes ({} when it cannot be the
    answer of the question it was typed at)."""
    if not slot or slot == KEEP or not text or text.startswith("/"):
        return {}
    if _as_answer(slot, text, buttons) is None:
        return {}
    return {ALERT_FOR: slot, ALERT_WORDS: text}


def decided(slots: Mapping[str, Any], answer: Any, buttons: Sequence[Mapping[str, Any]] | None = None
            ) -> dict[str, Any]:
    """The slots the child's answer to "Do you want this in your answers too?" sets: on yes, the question's
    answer (and what it also fills); always, the waiting words forgotten and the keep question cleared (so it is
    asked again if another alert comes)."""
    done: dict[str, Any] = {ALERT_FOR: None, ALERT_WORDS: None, KEEP: None}
    target, words = slots.get(ALERT_FOR), slots.get(ALERT_WORDS)
    if answer != YES or not target or not words:
        return done
    outcome = _as_answer(str(target), str(words), buttons)
    if outcome is None:
        return done
    return {**done, str(target): outcome.value, **outcome.also}
