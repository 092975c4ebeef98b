"""A child corrects an earlier answer of fact in their own words, at a later question (issue 20).

"no" to "Is it about your social worker?", then at the next question "actually it is about my social worker, she did
it": the earlier answer becomes yes, the child is told what changed, and the question on screen is asked again. Only
where it is plain:

- the earlier question is a question of fact (``Question.topic``, never a consent or a decision) asked and answered
  in this form, and the message names what it asks about ("social worker") one way only (two facts corrected in one
  message, "its about my social worker and its not a childrens home", are both changed);
- the fact is said the other way round from the answer stored (said the same way, it changes nothing);
- the message neither asks nor hedges ("maybe", "not sure", "?"), and says it corrects something ("actually",
  "wait", "sorry", "i meant") unless the question on screen is a yes or no that never takes a sentence as its answer
  (a consent, a decision, the check), where a sentence about an earlier answer can be nothing else.

Plain Python, no Rasa: the form actions (``actions/forms.py``) call ``fact_correction``.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from bot.dialogue.child_says import UNSURE
from bot.dialogue.forms import FORMS, YES_NO, Question, question, required_slots
from bot.vocabulary import normal_words

CORRECTION_CUES = re.compile(
    r"\b(actually|actualy|actully|acshually|akshually|wait|sorry|soz|sry|oops|opps|whoops|my bad|i meant|i mean"
    r"|i ment|i was wrong|i got (it|that) wrong|i said (it|that) wrong|i made a mistake|i lied|i forgot)\b"
)
# Words that say a fact is not so, before what it is about ("its not about my social worker", "nothing to do with
# my sw"). A "no" alone is not one: "no wait it is about my social worker" says it is.
NEGATIONS = frozenset({"not", "isnt", "wasnt", "aint", "dont", "doesnt", "didnt", "never", "nothing", "nt", "neither",
                       "nor"})
HEDGES = frozenset({"maybe", "might", "if", "probably", "perhaps", "idk", "dunno", "or", "unsure", "kinda", "sorta",
                    "partly", "possibly", "prob", "prolly"})
# Each clause says one thing ("its about my social worker and its not a childrens home": two, one each way).
CLAUSE_BREAK = re.compile(r"[,.;!]+|\b(?:but|and|its|it's|it’s)\b", re.IGNORECASE)


def _words(text: str) -> list[str]:
    return normal_words(text).replace("'", "").split()


def said_in(clause: str, q: Question) -> bool | None:
    """What one clause says of the fact question ``q`` asks about: True (it is so), False (it is not), None (it does
    not name it, or names it unclearly: "my social worker didnt do it" has its "not" after the name)."""
    words = _words(clause)
    padded = f" {' '.join(words)} "
    for phrase in q.topic:
        at = padded.find(f" {phrase} ")
        if at < 0:
            continue
        before, after = padded[:at].split(), padded[at + len(phrase) + 2:].split()
        if HEDGES & set(words) or NEGATIONS & set(after):
            return None
        return not NEGATIONS & set(before)
    return None


def _says(text: str, q: Question) -> bool | None:
    """The one thing the message says of ``q``'s fact, clause by clause (None when nothing, or both ways)."""
    said = {found for clause in CLAUSE_BREAK.split(text) if (found := said_in(clause, q)) is not None}
    return said.pop() if len(said) == 1 else None


def _cue_needed(current: str | None) -> bool:
    """A correction must say it is one, unless the question on screen is a yes or no that never takes a sentence
    as its answer (not a question of fact, and no reason kept from a no)."""
    q = question(current) if current else None
    return q is None or q.kind != YES_NO or q.factual or q.reason_slot is not None


def fact_corrections(form: str, current: str | None, text: str, slots: Mapping[str, Any]) -> dict[str, str]:
    """slot -> new value for each earlier answer of fact of ``form`` that ``text``, typed at question ``current``,
    plainly corrects ({} when it corrects none)."""
    words = normal_words(text)
    if not words or "?" in text or UNSURE.search(words):
        return {}
    if _cue_needed(current) and not CORRECTION_CUES.search(words):
        return {}
    asked = set(required_slots(form, slots))
    changed: dict[str, str] = {}
    for q in FORMS[form].questions:
        if not q.topic or q.slot == current or q.slot not in asked or q.yes_no is None:
            continue
        if slots.get(q.slot) not in q.yes_no:
            continue  # not answered yet: a fact said ahead of its question is kept in the answer it was typed at
        said = _says(text, q)
        value = None if said is None else q.yes_no[0] if said else q.yes_no[1]
        if value is not None and value != slots.get(q.slot):
            changed[q.slot] = value
    return changed
