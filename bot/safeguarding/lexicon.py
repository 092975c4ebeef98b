"""Word lists and match rules for the safeguarding harm detector, read once from ``lexicon.yml``.

The data lives in ``lexicon.yml`` next to this module, written for safeguarding staff to read and review
(its header explains every section and how cues are matched). This module loads it once, checks it
(``lexicon_file.load_lexicon``: a bad entry stops the import with an error naming it) and exposes it under
the names ``detector.py`` uses. Patterns match on LEMMA (so "hits", "hitting", "hit" all match "hit") and
LOWER. Rules are built around who does what to whom: a person as agent + a harm verb + me/us as object;
self-harm verbs with "myself"; fear or danger tied to home, placement or the people there. Bare keywords
are avoided except for words that are never innocent in a child's message ("raped", "suicidal").

How a match becomes a detection: see ``Rule`` (agent check, vetoes near the match, needs near the match,
joke markers). When one message matches several rules, ``PRIORITY`` picks the category.

To extend: add the missed message to ``tests/data/safeguarding_labelled.yml`` (and a look-alike to its
``benign`` list), add or widen a rule in ``lexicon.yml``, then run ``python bench/safeguarding_bench.py``
and ``pytest tests/unit/test_safeguarding_detector.py tests/unit/test_safeguarding_lexicon_file.py``. Keep vetoes
specific ("at chess", not "at").
"""

from __future__ import annotations

from pathlib import Path

from bot.safeguarding.lexicon_file import Lexicon, LexiconError, Rule, load_lexicon

__all__ = [
    "AGENT_SKIP", "CATEGORIES", "EMOJI", "FAMILY", "FIRST_PERSON", "GAME_CONTEXT", "HIT_VERBS", "HOME_PEOPLE",
    "INSULTS", "JOKE_MARKERS", "LEMMA_FIX", "LEXICON_FILE", "ME", "NEGATIONS", "NON_AGENT", "NORMALISE",
    "HARM_CONCEPTS", "PLAY_CONTEXT", "PRIORITY", "RULES", "SELF_HARM_BODY", "TO_DIGIT_PREV", "WEAK_HIT_VERBS",
    "Lexicon",
    "LexiconError", "Rule", "load_lexicon",
]

LEXICON_FILE = Path(__file__).with_name("lexicon.yml")
_LEXICON = load_lexicon(LEXICON_FILE)
_SETS = _LEXICON.word_sets

CATEGORIES: tuple[str, ...] = _LEXICON.categories
# When one message matches several rules, the first category in this order wins.
PRIORITY: tuple[str, ...] = _LEXICON.priority

# Normalisation of children's writing (applied word by word, before spaCy sees the text).
NORMALISE: dict[str, str] = _LEXICON.normalise
LEMMA_FIX: dict[str, str] = _LEXICON.lemma_fix
TO_DIGIT_PREV: frozenset[str] = frozenset(_LEXICON.to_digit_prev)
EMOJI: dict[str, str] = _LEXICON.emoji

# Word sets (what each one is for is written above it in lexicon.yml).
ME: list[str] = list(_SETS["me"])
FAMILY: list[str] = list(_SETS["family"])
FIRST_PERSON: tuple[str, ...] = _SETS["first_person"]
HIT_VERBS: list[str] = list(_SETS["hit_verbs"])
WEAK_HIT_VERBS: list[str] = list(_SETS["weak_hit_verbs"])
NON_AGENT: frozenset[str] = frozenset(_SETS["non_agent"])
NEGATIONS: frozenset[str] = frozenset(_SETS["negations"])
AGENT_SKIP: frozenset[str] = frozenset(_SETS["agent_skip"])
JOKE_MARKERS: frozenset[str] = frozenset(_SETS["joke_markers"])
PLAY_CONTEXT: list[str] = list(_SETS["play_context"])
GAME_CONTEXT: list[str] = list(_SETS["game_context"])
INSULTS: list[str] = list(_SETS["insults"])
HOME_PEOPLE: list[str] = list(_SETS["home_people"])
SELF_HARM_BODY: list[str] = list(_SETS["self_harm_body"])
# Words (and lemmas) of harm: the classifier alone makes a message a clear disclosure only with one of these.
HARM_CONCEPTS: frozenset[str] = frozenset(_SETS["harm_concepts"])

# The rules, grouped by category in the file's order (order only matters between rules of one category).
RULES: list[Rule] = list(_LEXICON.rules)
