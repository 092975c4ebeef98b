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

The same holds for two more kinds of earlier answer (``later_corrections`` reads all three):

- the date ("21.01", then at a later question "sorry the date is 20 not 21, my carer say"): the message says it
  corrects something and names the date (or says "<new> not <old>"), and the new date reads as one; a day alone
  stays in the month it corrects;
- a name or a place just given ("Hanna", then "sorry its hannah with a h at the end", or "Hannah*"): one word close
  to one word of the answer, with a word that says it is a correction or a spelling; the answer's capitals kept.

Plain Python, no Rasa: the form actions (``actions/forms.py``) call ``later_corrections``.
"""

from __future__ import annotations

import difflib
import re
import string
from datetime import date
from typing import Any, Mapping

from bot.dialogue.child_says import UNSURE
from bot.dialogue.dates import DAY_ONLY, read_date
from bot.dialogue.forms import DATE, FORMS, YES_NO, Question, question, required_slots
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


# Words that make a negated mention say "not only" ("not just my social worker"): no answer either way.
NOT_ONLY = frozenset({"just", "only", "also", "too", "as", "well"})


def answer_of_fact(text: str, q: Question) -> bool | None:
    """What a message typed at ``q``, a question of fact, says of it in words that name what it asks about: False for
    "not my social worker, is about transport" or "its not a childrens home"; True for "its about my social worker"
    (said to be about it, not only named: "my social worker told me to complain" says nothing of it); None when it
    does not say, says both, hedges or asks."""
    words = normal_words(text)
    if not q.topic or not words or "?" in text or UNSURE.search(words):
        return None
    said = set()
    for clause in CLAUSE_BREAK.split(text):
        found = said_in(clause, q) if clause else None
        clause_words = _words(clause or "")
        if found is None or NOT_ONLY & set(clause_words):
            continue
        if found and "about" not in clause_words:
            continue  # named, not said to be what it is about
        said.add(found)
    return said.pop() if len(said) == 1 else None


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


# ---------------------------------------------------------------- a date corrected at a later question

# "sorry the date is 20 not 21, my carer say", "oops its the 14th not the 7th": the date given earlier in this form
# is corrected, whatever question is on screen. The message must say it corrects something (a cue, "<new> not
# <old>", or nothing but "the date is ...") and what (the date, the review, the meeting; or "<new> not <old>" with
# both dates); the new date must be a few words that read as one.
DATE_CUE_START = re.compile(
    r"^((sorry|soz|sry|oops|opps|whoops|oh|no|wait|actually|actualy|ah|my bad|i meant|i mean|i ment"
    r"|i meant to say|i got it wrong|i was wrong) )+")
DATE_SUBJECT = re.compile(
    r"^(((the|my) )?((review|meeting) )?(?P<named>date|review|meeting)( date)?( is| was| will be| s|'s)?"
    r"|its|it's|it is)( actually)?( on)?( the)? ")
NOT_THE_OLD = re.compile(r" (not|instead of|rather than|and not) (?P<old>.*)$")
DATE_CORRECTION_MAX_WORDS = 14  # a longer message says more than a date: it is an answer
NEW_DATE_MAX_WORDS = 4  # "20", "the 14th of feb", "next week"


def _new_date_words(clause: str, alone: bool) -> str | None:
    """The new date's words in one clause that corrects a date ("sorry the date is 20 not 21": "20"), else None.
    ``alone``: the clause is the whole message ("the date is the 20th" says it corrects the date by itself)."""
    words = normal_words(clause)
    cue = DATE_CUE_START.match(words)
    rest = words[cue.end():] if cue else words
    subject = DATE_SUBJECT.match(rest)
    rest = rest[subject.end():] if subject else rest
    contrast = NOT_THE_OLD.search(f" {rest}")
    fix = NOT_THE_OLD.sub("", f" {rest}").strip()
    named = subject is not None and subject.group("named") is not None
    old_is_a_date = contrast is not None and isinstance(read_date(contrast.group("old")), date)
    if not fix or len(fix.split()) > NEW_DATE_MAX_WORDS:
        return None  # "friday and i dont want to go": more than a date
    if not (cue or contrast or (alone and named)) or not (named or old_is_a_date):
        return None
    return fix if isinstance(read_date(fix), date) else None


def _in_month_of(fix: str, earlier: Any) -> str:
    """A day alone ("20") in the month of the date it corrects ("21.02": "20 February"), so the month stays."""
    day = DAY_ONLY.match(fix)
    before = read_date(str(earlier)) if earlier else None
    if day is None or not isinstance(before, date):
        return fix
    try:
        meant = before.replace(day=int(day.group(3)))
    except ValueError:
        return fix
    words = f"{meant.day} {meant:%B}"
    return words if read_date(words) == meant else fix


def date_corrections(form: str, current: str | None, text: str, slots: Mapping[str, Any]) -> dict[str, str]:
    """slot -> the corrected words of a date question of ``form`` answered before ``current`` that ``text``
    plainly corrects ({} when none)."""
    if "?" in text or len(text.split()) > DATE_CORRECTION_MAX_WORDS:
        return {}
    answered = [q.slot for q in FORMS[form].questions
                if q.kind == DATE and q.slot != current and slots.get(q.slot) not in (None, "")]
    if len(answered) != 1:
        return {}
    clauses = [clause for clause in CLAUSE_BREAK_DATES.split(text) if clause.strip()]
    for clause in clauses:
        fix = _new_date_words(clause, alone=len(clauses) == 1)
        if fix is not None:
            return {answered[0]: _in_month_of(fix, slots.get(answered[0]))}
    return {}


CLAUSE_BREAK_DATES = re.compile(r"[,;!]+|\.(?!\d)")  # "21.01" is one date, not two clauses


# ---------------------------------------------------------------- a name or place spelt again at the next question

# "Hanna", then at the next question "sorry its hannah with a h at the end" or "Hannah*": the name is spelt again.
# Only a name or a place (``Question.short``) just given; only with a word that says so; only one word close to one
# word of the answer (a new spelling, never a new name: "sorry its Ely" after "Ellie" changes nothing).
SPELLING_CUES = re.compile(r"\b(spelt|spelled|spell|spelling|typo|with an? [a-z] (at the end|at the start|in it))\b")
RESPELL_CUTOFF = 0.8  # difflib: "hannah" ~ "hanna" is 0.91, "ely" ~ "ellie" 0.75
_PUNCTUATION = string.punctuation + "*“”‘’"


def respelt(text: str, answer: str) -> str | None:
    """``answer`` with one word spelt as ``text`` spells it again, in the answer's own capitals ("Hanna" and
    "sorry its hannah": "Hannah"); None when ``text`` spells none of it again."""
    words = normal_words(text)
    if not (CORRECTION_CUES.search(words) or SPELLING_CUES.search(words) or text.strip().endswith("*")):
        return None
    parts = answer.split()
    found: set[tuple[int, str]] = set()
    for token in (t.strip(_PUNCTUATION) for t in text.split()):
        if len(token) < 2 or not token.replace("-", "").replace("'", "").isalpha():
            continue
        for index, part in enumerate(parts):
            old = part.strip(_PUNCTUATION)
            if old and token.lower() != old.lower() and difflib.SequenceMatcher(
                    None, token.lower(), old.lower()).ratio() >= RESPELL_CUTOFF:
                found.add((index, _in_capitals_of(token, old)))
    if len(found) != 1:
        return None
    (index, new), = found
    old = parts[index].strip(_PUNCTUATION)
    parts[index] = parts[index].replace(old, new, 1)
    return " ".join(parts)


def _in_capitals_of(new: str, old: str) -> str:
    """``new`` with the capitals of ``old`` when it was typed without any ("hannah" for "Hanna": "Hannah")."""
    if not new.islower():
        return new
    if old.isupper() and len(old) > 1:
        return new.upper()
    return new[:1].upper() + new[1:] if old[:1].isupper() else new


def spelling_corrections(last: str | None, text: str, slots: Mapping[str, Any]) -> dict[str, str]:
    """slot -> the answer of ``last`` (the question just before) spelt again by ``text``, when it is a name or a
    place ({} otherwise)."""
    q = question(last) if last else None
    answer = slots.get(last) if last else None
    if q is None or not q.short or not isinstance(answer, str) or not answer or answer == "unknown":
        return {}
    new = respelt(text, answer)
    return {q.slot: new} if new else {}


def later_corrections(form: str, current: str | None, last: str | None, text: str,
                      slots: Mapping[str, Any]) -> dict[str, str]:
    """Every earlier answer ``text`` (typed at ``current``, asked after ``last``) plainly corrects: an answer of
    fact, the date, or a name or place spelt again."""
    return (fact_corrections(form, current, text, slots) or date_corrections(form, current, text, slots)
            or spelling_corrections(last, text, slots))
