"""The checks that decide whether one Matcher hit of a rule is a disclosure, one small function each.

``passes(rule, match)`` runs them all; each check looks at one of the rule's settings (``near_not``,
``agent``, ``joke_veto`` ...: see ``Rule`` in ``lexicon_file.py``) and passes when the setting is unused.
Everything is looked for inside the match's sentence.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from bot.safeguarding import lexicon
from bot.safeguarding.lexicon import Rule

__all__ = ["Match", "passes"]

_DETERMINERS = frozenset(
    {"the", "a", "an", "my", "his", "her", "their", "our", "your", "this", "that", "then"}
)
_THING_SUBJECTS = frozenset({"it", "that", "this"})
_CONJUNCTIONS = frozenset({"and", "n", "then", "but", "so", "&"})
_NUMBER_WORDS = {
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixteen": 16,
    "seventeen": 17, "fifteen": 15, "fourteen": 14, "thirteen": 13, "twelve": 12, "eleven": 11, "ten": 10,
}


class Match(NamedTuple):
    """One Matcher hit: the message's words and lemmas, its sentence ``[s_lo, s_hi)`` and its span."""

    lowers: list[str]
    lemmas: list[str]
    s_lo: int
    s_hi: int
    start: int
    end: int


def _spaced(words: list[str], lo: int, hi: int) -> str:
    """``words[lo:hi]`` joined, with a space at each end so that `` {phrase} `` finds whole words."""
    return " " + " ".join(words[lo:hi]) + " "


def _near(rule: Rule, m: Match) -> tuple[int, int]:
    """The ``window`` tokens either side of the match, inside its sentence."""
    return max(m.s_lo, m.start - rule.window), min(m.s_hi, m.end + rule.window)


def _no_near_veto(rule: Rule, m: Match) -> bool:
    """No ``near_not`` phrase near the match (vetoes match the words as written)."""
    if not rule.near_not:
        return True
    near = _spaced(m.lowers, *_near(rule, m))
    return not any(f" {p} " in near for p in rule.near_not)


def _near_need_met(rule: Rule, m: Match) -> bool:
    """A ``near_need`` phrase near the match (needs also match lemmas: "fights" counts as "fight")."""
    if not rule.near_need:
        return True
    lo, hi = _near(rule, m)
    near = _spaced(m.lowers, lo, hi) + "|" + _spaced(m.lemmas, lo, hi)
    return any(f" {p} " in near for p in rule.near_need)


def _no_next_veto(rule: Rule, m: Match) -> bool:
    """No ``next_not`` phrase straight after the match."""
    if not rule.next_not:
        return True
    after = _spaced(m.lowers, m.end, min(m.s_hi, m.end + 6))
    return not any(after.startswith(f" {p} ") for p in rule.next_not)


def _no_prev_veto(rule: Rule, m: Match) -> bool:
    """No ``prev_not`` phrase straight before the match."""
    if not rule.prev_not:
        return True
    before = _spaced(m.lowers, max(m.s_lo, m.start - 6), m.start)
    return not any(before.endswith(f" {p} ") for p in rule.prev_not)


def _before_need_met(rule: Rule, m: Match) -> bool:
    """A ``before_need`` phrase (words or lemmas) within ``window`` tokens before the match."""
    if not rule.before_need:
        return True
    b_lo = max(m.s_lo, m.start - rule.window)
    before = _spaced(m.lowers, b_lo, m.start) + "|" + _spaced(m.lemmas, b_lo, m.start)
    return any(f" {p} " in before for p in rule.before_need)


def _not_a_joke(rule: Rule, m: Match) -> bool:
    """With ``joke_veto``: no joke marker ("lol", "haha") anywhere in the sentence."""
    return not (rule.joke_veto and any(w in lexicon.JOKE_MARKERS for w in m.lowers[m.s_lo:m.s_hi]))


def _not_negated(rule: Rule, m: Match) -> bool:
    """With ``negatable``: no "not"/"never" in the three tokens before the match."""
    return not (rule.negatable and any(w in lexicon.NEGATIONS for w in m.lowers[max(m.s_lo, m.start - 3):m.start]))


def _agent_is_person(rule: Rule, m: Match) -> bool:
    """With ``agent``: the doer is a person and the verb is not negated (see ``_agent_ok``)."""
    return not rule.agent or _agent_ok(rule, m.lowers, m.lemmas, m.s_lo, m.start)


def _age_ok(rule: Rule, m: Match) -> bool:
    """With ``age_check``: an adult, or a big age gap."""
    return not (rule.meta.get("age_check") and not _age_gap_ok(m.lowers[m.start:m.end]))


# The checks a match must pass, in the order they run (all must pass, so the order only affects speed).
_CHECKS: tuple[Callable[[Rule, Match], bool], ...] = (
    _no_near_veto,
    _near_need_met,
    _no_next_veto,
    _no_prev_veto,
    _before_need_met,
    _not_a_joke,
    _not_negated,
    _agent_is_person,
    _age_ok,
)


def passes(rule: Rule, match: Match) -> bool:
    """Does ``match`` (a hit of one of ``rule``'s patterns) pass every one of the rule's checks?"""
    return all(check(rule, match) for check in _CHECKS)


def _agent_ok(rule: Rule, lowers: list[str], lemmas: list[str], s_lo: int, start: int) -> bool:
    """The doer of the verb must be a person, and the verb must not be negated."""
    i = start - 1
    steps = 0
    agent: str | None = None
    while i >= s_lo and steps < 7:
        word = lowers[i]
        if word in lexicon.NEGATIONS:
            return False
        if word in _CONJUNCTIONS:
            # "he punched the wall and grabbed mum": the doer is the subject of the earlier clause
            subject = _clause_subject(lowers, s_lo, i)
            return subject not in _THING_SUBJECTS and subject not in lexicon.NON_AGENT
        if word in lexicon.AGENT_SKIP:
            i -= 1
            steps += 1
            continue
        if word != ",":
            agent = word
        break
    if agent is None:
        # "hit me with your best joke": an order, not a report
        return not (rule.no_imperative and lowers[start] == lemmas[start])
    if agent == "one" and i > s_lo and lowers[i - 1] == "no":
        return False
    return agent not in lexicon.NON_AGENT


def _clause_subject(lowers: list[str], s_lo: int, i: int) -> str | None:
    """The first word (after "the", "my" ...) of the clause that ends at the conjunction at ``i``."""
    c = i - 1
    while c > s_lo and lowers[c - 1] not in _CONJUNCTIONS and lowers[c - 1] != ",":
        c -= 1
    while c < i and lowers[c] in _DETERMINERS:
        c += 1
    return lowers[c] if c < i else None


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _NUMBER_WORDS.get(word)


def _age_gap_ok(words: list[str]) -> bool:
    """For "my boyfriend is 25" / "he is 30 and i am 13": an adult, or a big age gap."""
    numbers = [n for n in (_number(w) for w in words) if n is not None]
    if not numbers:
        return True
    if len(numbers) >= 2:
        return numbers[0] >= 18 or numbers[0] - numbers[1] >= 4
    return numbers[0] >= 18
