"""How sure Heard is that a message tells of harm: ``clear``, ``concern`` or nothing. Plain Python, no Rasa.

The rule (chosen on the development part of tests/data/safeguarding_eval, never the frozen part; the figures are
in README.md and bench/safeguarding_bench.py prints them):

- **clear** (the disclosure answer at once, and an alert): a lexicon cue of the clear tier; or the harm scorer
  (``bot.safeguarding.harm_scorer``) at least ``clear`` AND DIET's ``disclose_harm`` score at least
  ``clear_classifier`` (AND a harm word of lexicon.yml's ``harm_concepts`` when ``need_concept``). DIET is sure of
  many everyday messages ("my foster mum makes the best pasta": 1.0), so on its own it is never enough.
- **concern** (a gentle check-in: Childline and 999, "is someone hurting you or making you feel unsafe?"): a
  lexicon cue of the concern tier ("i am scared", "ran away"), or the harm scorer at least ``concern``.
- nothing otherwise. The classifiers alone never act on a message of fewer than ``min_words`` words.

A clear-tier lexicon cue in a message of at least ``min_words`` words that the harm scorer all but rules out (below
``lexicon_floor``: "my brother hit me with a foam sword, we play pirates", "the whole end was shouting at the match")
is a check-in, not an alert: the child still sees Childline and 999, and a yes is an alert.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CLEAR", "CLEAR_CLASSIFIER_THRESHOLD", "CLEAR_THRESHOLD", "CONCERN", "CONCERN_THRESHOLD", "MIN_WORDS",
    "LEXICON_FLOOR", "NEED_CONCEPT", "Scores", "Thresholds", "decide",
]

CLEAR = "clear"
CONCERN = "concern"
# Chosen on dev (522 everyday messages, 151 disclosures; bench/safeguarding_bench.py and the README give the
# figures): the lexicon's clear cues, or harm scorer >= 0.5 with DIET >= 0.5, answered 131/151 disclosures clearly
# (86.8%) for 7/522 everyday alerts (1.3%); a harm score >= 0.25 (or a concern cue) checked in on 17 more
# disclosures (148/151 in all) for 42 everyday check-ins (8.0%). Needing a harm word too (need_concept) cost 9
# points of clear answers for no fewer alerts, so it is off; the word is still reported to staff.
CLEAR_THRESHOLD = 0.5
CLEAR_CLASSIFIER_THRESHOLD = 0.5
CONCERN_THRESHOLD = 0.25
NEED_CONCEPT = False
# The classifiers alone never act on fewer words than this: a short answer in a form ("mum not dad" at "who can
# see it?") is not read as a disclosure by n-grams. Cost nothing on dev (its one 3-word disclosure, "wats the
# point", is a concern-tier lexicon cue).
MIN_WORDS = 4
# A fifth writer's 1,074 everyday messages, scored by the model before they were added to its data: 32 (3.0%) met a
# clear-tier lexicon cue ("hit me", "shouting", "so hungry", "gave up"). A scorer floor of 0.05 under those cues
# turned 8 of the 32 alerts into check-ins, and 2 of that writer's 318 disclosures with a clear cue (0.6%) into
# check-ins; on dev it changed nothing (README.md, issue 14).
LEXICON_FLOOR = 0.05


@dataclass(frozen=True)
class Thresholds:
    """The scores the tiers need (config.yml sets the three thresholds on the harm component)."""

    clear: float = CLEAR_THRESHOLD
    clear_classifier: float = CLEAR_CLASSIFIER_THRESHOLD
    concern: float = CONCERN_THRESHOLD
    need_concept: bool = NEED_CONCEPT
    min_words: int = MIN_WORDS
    lexicon_floor: float = LEXICON_FLOOR


@dataclass(frozen=True)
class Scores:
    """A message's scores: the harm scorer's probability and DIET's ``disclose_harm`` confidence (0.0 if none)."""

    harm: float
    classifier: float
    words: int = MIN_WORDS  # how many words the message has


def decide(lexicon_tier: str | None, scores: Scores, concept: str | None, thresholds: Thresholds) -> str | None:
    """The tier of a message from its lexicon match's tier (None: no match), its scores and its first harm word
    (None: none)."""
    if lexicon_tier == CLEAR:
        if scores.words >= thresholds.min_words and scores.harm < thresholds.lexicon_floor:
            return CONCERN
        return CLEAR
    if scores.words < thresholds.min_words:
        return CONCERN if lexicon_tier == CONCERN else None
    if (
        scores.harm >= thresholds.clear
        and scores.classifier >= thresholds.clear_classifier
        and (concept is not None or not thresholds.need_concept)
    ):
        return CLEAR
    if lexicon_tier == CONCERN or scores.harm >= thresholds.concern:
        return CONCERN
    return None
