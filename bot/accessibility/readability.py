"""Readability scoring that works offline: Flesch-Kincaid grade with our own syllable counts.

textstat 0.7.13 downloads NLTK's cmudict the first time it counts syllables, which fails on a machine
without internet. Here syllables come from pyphen's bundled hyphenation dictionary (no download) with a
vowel-group count as a floor, because hyphenation undercounts short words ("people", "little" have no
hyphenation point). The larger of the two is used.

Rules Heard applies to every line a child sees (see `check_line`):
- Flesch-Kincaid grade at most 4 for the message as a whole;
  a line of at most 5 words passes on the word rules alone (the formula is unstable on tiny samples);
- at most 15 words a sentence;
- no word longer than 4 syllables (short lines: 3), glossary terms excepted (the glossary check
  makes sure they are explained).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import pyphen

MAX_GRADE = 4.0
MAX_SENTENCE_WORDS = 15
SHORT_LINE_WORDS = 5

_PLACEHOLDER = re.compile(r"\{\w+\}")
_SENTENCE_END = re.compile(r"[.!?]+|\n+")


@lru_cache(maxsize=1)
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_GB")


def _vowel_groups(word: str) -> int:
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    count = len(re.findall(r"[aeiouy]+", w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1  # silent e: care, make, someone
    elif w.endswith("es") and not re.search(r"(s|x|z|ch|sh|c|g)es$", w) and count > 1:
        count -= 1  # lives, makes
    elif w.endswith("ed") and not re.search(r"[td]ed$", w) and count > 1:
        count -= 1  # asked, picked
    if w.startswith("y") and count > 1 and w[1:2] in "aeiou":
        count -= 1  # you, yes: y is a consonant there
    return max(count, 1)


@lru_cache(maxsize=4096)
def syllables(word: str) -> int:
    """Syllables in one word (digits count as one; hyphenated words add their parts)."""
    parts = [p for p in re.split(r"[-‐–]", word) if p]
    total = 0
    for part in parts:
        if part.isdigit():
            total += 1
            continue
        letters = re.sub(r"[^A-Za-z]", "", part)
        if not letters:
            continue
        by_dictionary = len(_dictionary().positions(letters.lower())) + 1
        total += max(by_dictionary, _vowel_groups(letters))
    return max(total, 1) if parts else 0


def _strip_symbols(text: str) -> str:
    """Emoji and other pictographs are not words."""
    return "".join(" " if unicodedata.category(ch) in {"So", "Sk", "Cf", "Mn"} else ch for ch in text)


def words(text: str) -> list[str]:
    text = _PLACEHOLDER.sub("it", _strip_symbols(text))
    # "grown-up" stays one word; split on other punctuation.
    return re.findall(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*(?:-[A-Za-z0-9]+)*", text)


def sentences(text: str) -> list[list[str]]:
    """The words of each sentence (sentences end at . ! ? or a line break)."""
    text = _PLACEHOLDER.sub("it", _strip_symbols(text))
    parts = (words(p) for p in _SENTENCE_END.split(text))
    return [p for p in parts if p]


def flesch_kincaid_grade(text: str) -> float:
    sents = sentences(text)
    all_words = [w for s in sents for w in s]
    if not all_words:
        return 0.0
    syl = sum(syllables(w) for w in all_words)
    return 0.39 * (len(all_words) / len(sents)) + 11.8 * (syl / len(all_words)) - 15.59


@dataclass
class LineScore:
    text: str
    grade: float
    words: int
    longest_sentence: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_line(text: str, allowed_words: frozenset[str] | set[str] = frozenset()) -> LineScore:
    """Score one line a child sees against Heard's rules; `problems` says what fails.

    `allowed_words` (lower case) are long words that may stay, e.g. glossary terms explained nearby.
    """
    sents = sentences(text)
    all_words = [w for s in sents for w in s]
    grade = flesch_kincaid_grade(text)
    longest = max((len(s) for s in sents), default=0)
    score = LineScore(text=text, grade=round(grade, 2), words=len(all_words), longest_sentence=longest)
    short = len(all_words) <= SHORT_LINE_WORDS
    if not short and grade > MAX_GRADE:
        score.problems.append(f"grade {grade:.1f} > {MAX_GRADE:g}")
    if longest > MAX_SENTENCE_WORDS:
        score.problems.append(f"sentence of {longest} words > {MAX_SENTENCE_WORDS}")
    limit = 3 if short else 4
    for word in all_words:
        if word.lower() in allowed_words:
            continue
        if syllables(word) > limit:
            score.problems.append(f"long word {word!r} ({syllables(word)} syllables)")
    return score
