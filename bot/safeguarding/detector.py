"""Safeguarding harm detector: does a child's message disclose harm? Plain Python, no Rasa needed.

Recall comes first. The detector normalises children's writing (text-speak, misspellings, repeated
letters, emoji), lemmatises it with spaCy offline (``spacy.blank("en")`` + the lookup lemmatizer whose
tables come from the installed ``spacy-lookups-data`` package) and runs spaCy ``Matcher`` patterns from
``bot.safeguarding.lexicon`` (the data is ``lexicon.yml``). Each match is then checked
(``match_checks``): who is the agent, is it negated, is it play, sport or a game ("my brother hit the
ball", "he killed me in fortnite").

Nothing here logs the text of a message.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.matcher import Matcher
from spacy.tokens import Doc

from bot.safeguarding import lexicon
from bot.safeguarding.lexicon import Rule
from bot.safeguarding.match_checks import Match, passes

__all__ = ["Detection", "HarmDetector", "get_detector", "normalise_words"]


@dataclass(frozen=True)
class Detection:
    """Result of one detection. ``category`` is one of ``lexicon.CATEGORIES`` when ``is_harm``; ``tier`` is
    ``clear`` or ``concern`` (the matched rule's tier: a clear match wins over a concern match)."""

    is_harm: bool
    category: str | None = None
    cue: str | None = None
    tier: str | None = None
    rule: str | None = None


NO_HARM = Detection(False, None, None)
_TIER_RANK = {"clear": 0, "concern": 1}
_TIER_STEP = 1000  # a rank is tier * _TIER_STEP + the category's place in lexicon.PRIORITY

_TAG_RE = re.compile(r"<[^<>]{0,300}>")
_APOSTROPHES_RE = re.compile(r"[\u2019\u2018`\u00b4\u02bc']")
_CONTRACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bain't\b"), "is not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'m\b"), " am"),
    (re.compile(r"'d\b"), " would"),
    (re.compile(r"\b(he|she|it|that|there|what|who|where|everyone|nobody|no one)'s\b"), r"\1 is"),
)
_ELLIPSIS_RE = re.compile(r"\.{2,}")
_HYPHEN_RE = re.compile(r"(?<=[a-z])[-_](?=[a-z])")
_TOKEN_RE = re.compile(r"[a-z0-9£]+|[.!?;\n]|,")
_RUN3_RE = re.compile(r"([a-z])\1{2,}")
_RUN2_RE = re.compile(r"([a-z])\1")
_SUFFIXES = (("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("d", ""))
_COMMON_WORDS = frozenset(
    {
        "i", "me", "my", "not", "and", "the", "a", "to", "is", "am", "was", "he", "she", "they", "it", "you",
        "us", "we", "do", "have", "in", "on", "at", "of", "for", "with", "so", "be", "get", "got", "go",
        "are", "him", "her", "them", "that", "this", "if", "when", "no", "all", "up", "out", "his", "their",
        "our",
    }
)
_SENTENCE_BREAKS = frozenset({".", "!", "?", ";", "\n"})
_CHUNK_TOKENS = 1500
_CHUNK_OVERLAP = 40


def _token_values(tok: dict) -> set[str]:
    values: set[str] = set()
    for attr in ("LOWER", "LEMMA"):
        spec = tok.get(attr)
        if isinstance(spec, dict):
            values.update(spec.get("IN", ()))
        elif isinstance(spec, str):
            values.add(spec)
    return values


def _rule_anchors(rule: Rule) -> frozenset[str] | None:
    """Words of which a message must hold at least one for the rule to match (None: always try).

    For each pattern, the required token least likely to be in any message (no very common words, then
    fewest alternatives); the rule's anchors are their union.
    """
    anchors: set[str] = set()
    for pattern in rule.patterns:
        best: set[str] | None = None
        best_key: tuple[bool, int] | None = None
        for tok in pattern:
            if tok.get("OP") in ("?", "*"):
                continue
            values = _token_values(tok)
            if not values:
                continue
            key = (not _COMMON_WORDS.isdisjoint(values), len(values))
            if best_key is None or key < best_key:
                best, best_key = values, key
        if best is None:
            return None
        anchors.update(best)
    return frozenset(anchors)


def _pattern_lemmas() -> frozenset[str]:
    lemmas: set[str] = set()
    for rule in lexicon.RULES:
        for pattern in rule.patterns:
            for tok in pattern:
                spec = tok.get("LEMMA")
                if isinstance(spec, dict):
                    lemmas.update(spec.get("IN", ()))
    return frozenset(lemmas)


def _build_vocab() -> frozenset[str]:
    words: set[str] = set()
    for key, value in lexicon.NORMALISE.items():
        words.add(key)
        words.update(value.split())
    for rule in lexicon.RULES:
        for pattern in rule.patterns:
            for tok in pattern:
                for attr in ("LOWER", "LEMMA"):
                    spec = tok.get(attr)
                    if isinstance(spec, dict):
                        words.update(spec.get("IN", ()))
    words.update(lexicon.ME)
    return frozenset(words)


class HarmDetector:
    """High-recall detector of harm disclosures in children's messages."""

    def __init__(self) -> None:
        self.nlp = spacy.blank("en")
        self.lemmatizer = self.nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        self.nlp.initialize()  # loads the lookup table from spacy-lookups-data (installed, offline)
        self._lemma_table = self.lemmatizer.lookups.get_table("lemma_lookup")
        self._vocab_words = _build_vocab()
        self._pattern_lemmas = _pattern_lemmas()
        self.rules: dict[str, Rule] = {}
        # One Matcher per rule, run only when the message holds a word the rule cannot match without
        # (its "anchors"): most rules are skipped for most messages, which keeps detection fast.
        self._matchers: list[tuple[Rule, frozenset[str] | None, Matcher]] = []
        for rule in lexicon.RULES:
            if rule.category not in lexicon.CATEGORIES:
                raise ValueError(f"rule {rule.name} has unknown category {rule.category}")
            if rule.name in self.rules:
                raise ValueError(f"duplicate rule name {rule.name}")
            self.rules[rule.name] = rule
            matcher = Matcher(self.nlp.vocab)
            matcher.add(rule.name, rule.patterns)
            self._matchers.append((rule, _rule_anchors(rule), matcher))
        self._priority = {cat: i for i, cat in enumerate(lexicon.PRIORITY)}

    # ------------------------------------------------------------------ normalisation
    def _known(self, word: str) -> bool:
        return word in self._vocab_words or word in self._lemma_table

    def _fix_word(self, word: str) -> str:
        if _RUN3_RE.search(word):
            two = _RUN3_RE.sub(r"\1\1", word)
            one = _RUN3_RE.sub(r"\1", word)
            if self._known(two):
                word = two
            elif self._known(one):
                word = one
            else:
                word = one
        elif word not in lexicon.NORMALISE and not self._known(word):
            if _RUN2_RE.search(word):
                single = _RUN2_RE.sub(r"\1", word)  # "scaredd" -> "scared", "hitt" -> "hit"
                if self._known(single):
                    word = single
            if len(word) > 4 and word.endswith("in") and self._known(word + "g"):
                word += "g"  # "runnin" -> "running", "hittin" -> "hitting"
        return lexicon.NORMALISE.get(word, word)

    def _guess_lemma(self, word: str, lemma: str) -> str | None:
        """A lemma for a verb the lookup table does not know ("skelps", "lamped" -> "skelp", "lamp")."""
        if lemma != word or word in self._pattern_lemmas or len(word) < 5:
            return None
        for suffix, add in _SUFFIXES:
            if word.endswith(suffix):
                stem = word[: -len(suffix)] + add
                if stem in self._pattern_lemmas:
                    return stem
                if len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in self._pattern_lemmas:
                    return stem[:-1]  # "skelpped" -> "skelp"
        return None

    def normalise(self, text: str) -> list[str]:
        """Lower-case words of a child's message with text-speak, misspellings and emoji normalised."""
        if not text:
            return []
        text = html.unescape(text)
        text = _TAG_RE.sub(" ", text)
        text = unicodedata.normalize("NFKC", text).lower()
        if not text.isascii():  # "piñata" -> "pinata"
            text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        text = text.replace("\ufe0f", "")
        for emoji, word in lexicon.EMOJI.items():
            if emoji in text:
                text = text.replace(emoji, word)
        text = _APOSTROPHES_RE.sub("'", text)
        for pattern, replacement in _CONTRACTIONS:
            text = pattern.sub(replacement, text)
        text = text.replace("'", "")
        text = _HYPHEN_RE.sub(" ", text)
        text = _ELLIPSIS_RE.sub(" ", text)  # "he...hit...me" is one sentence
        words: list[str] = []
        for raw in _TOKEN_RE.findall(text):
            if raw == "2" and words and words[-1] in lexicon.TO_DIGIT_PREV:
                words.append("to")
                continue
            fixed = self._fix_word(raw)
            if " " in fixed:
                words.extend(fixed.split())
            else:
                words.append(fixed)
        return words

    # ------------------------------------------------------------------ detection
    def detect(self, text: str) -> Detection:
        """Detect a harm disclosure in ``text``. Never raises on odd input (empty, emoji, HTML, huge)."""
        if not isinstance(text, str) or not text.strip():
            return NO_HARM
        words = self.normalise(text)
        if not words:
            return NO_HARM
        best: tuple[int, int, Rule, str] | None = None
        start = 0
        while start < len(words):
            chunk = words[start:start + _CHUNK_TOKENS]
            found = self._detect_words(chunk)
            if found is not None and (best is None or found[:2] < best[:2]):
                best = (found[0], start + found[1], found[2], found[3])
                if found[0] == 0:
                    break
            if start + _CHUNK_TOKENS >= len(words):
                break
            start += _CHUNK_TOKENS - _CHUNK_OVERLAP
        if best is None:
            return NO_HARM
        rule = best[2]
        return Detection(True, rule.category, best[3], rule.tier, rule.name)

    def harm_concept(self, text: str) -> str | None:
        """The first word of ``text`` (as written, or its lemma) in the lexicon's ``harm_concepts``, or None."""
        if not isinstance(text, str) or not text.strip():
            return None
        words = self.normalise(text)[:_CHUNK_TOKENS]
        if not words:
            return None
        doc = self.lemmatizer(Doc(self.nlp.vocab, words=words))
        for token in doc:
            lemma = lexicon.LEMMA_FIX.get(token.lower_) or token.lemma_
            if token.lower_ in lexicon.HARM_CONCEPTS or lemma in lexicon.HARM_CONCEPTS:
                return token.lower_
        return None

    def _detect_words(self, words: list[str]) -> tuple[int, int, Rule, str] | None:
        doc = Doc(self.nlp.vocab, words=words)
        doc = self.lemmatizer(doc)
        for token in doc:
            fixed = lexicon.LEMMA_FIX.get(token.lower_) or self._guess_lemma(token.lower_, token.lemma_)
            if fixed is not None:
                token.lemma_ = fixed
        lowers = [t.lower_ for t in doc]
        lemmas = [t.lemma_ for t in doc]
        sent_start, sent_end = _sentence_bounds(lowers)
        present = set(lowers)
        present.update(lemmas)
        best: tuple[int, int, Rule, str] | None = None
        for rule, anchors, matcher in self._matchers:
            if anchors is not None and present.isdisjoint(anchors):
                continue
            rank = _TIER_RANK[rule.tier] * _TIER_STEP + self._priority.get(rule.category, len(self._priority))
            if best is not None and rank > best[0]:
                continue
            for _match_id, start, end in matcher(doc):
                if best is not None and (rank, start) >= best[:2]:
                    continue
                match = Match(lowers, lemmas, sent_start[start], sent_end[max(start, end - 1)], start, end)
                if passes(rule, match):
                    best = (rank, start, rule, " ".join(lowers[start:end]))
        return best


def _sentence_bounds(lowers: list[str]) -> tuple[list[int], list[int]]:
    n = len(lowers)
    starts = [0] * n
    ends = [n] * n
    current = 0
    for i, w in enumerate(lowers):
        starts[i] = current
        if w in _SENTENCE_BREAKS:
            current = i + 1
    current = n
    for i in range(n - 1, -1, -1):
        if lowers[i] in _SENTENCE_BREAKS:
            current = i
        ends[i] = current
    return starts, ends


@lru_cache(maxsize=1)
def get_detector() -> HarmDetector:
    """The shared detector (built once: building takes about a second)."""
    return HarmDetector()


def normalise_words(text: str) -> list[str]:
    """The normalised words the detector sees (for debugging and tests)."""
    return get_detector().normalise(text)
