"""Heard's glossary (`glossary.yml`): hard words said simply, and which messages explain them.

`explain("advocate")` gives the younger children's sentence, `explain("advocate", "older")` the older one.
`unexplained_terms(name)` says which hard words a catalogue message uses before any message explained
them (the readability test runs it over the whole catalogue).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

GLOSSARY = Path(__file__).with_name("glossary.yml")


@dataclass(frozen=True)
class Term:
    key: str
    name: str
    younger: str
    older: str
    patterns: tuple[re.Pattern[str], ...]
    plain: tuple[str, ...] = ()
    explained_in: tuple[str, ...] = ()
    check: bool = True

    def used_in(self, text: str) -> bool:
        """Does `text` use this word (not counting phrases that explain themselves)?"""
        for phrase in self.plain:
            text = re.sub(re.escape(phrase), " ", text, flags=re.I)
        return any(p.search(text) for p in self.patterns)


@dataclass(frozen=True)
class Glossary:
    terms: dict[str, Term]
    follows: dict[str, tuple[str, ...]]
    leads_to: dict[str, str]
    mentions: dict[str, tuple[str, ...]]

    def find_terms(self, text: str) -> list[str]:
        """Keys of the glossary words `text` uses."""
        return [key for key, term in self.terms.items() if term.used_in(text)]

    def explained_by(self, message: str, key: str, _seen: frozenset[str] = frozenset()) -> bool:
        """Has the child been told what `key` means by the time `message` is sent?"""
        term = self.terms[key]
        if message in term.explained_in:
            return True
        before = self.follows.get(message, ())
        if not before or message in _seen:
            return False
        seen = _seen | {message}
        return all(self.explained_by(prior, key, seen) for prior in before)


def _term(key: str, raw: dict[str, Any]) -> Term:
    flags = 0 if raw.get("case") else re.I
    return Term(
        key=key,
        name=str(raw["name"]),
        younger=str(raw["younger"]).strip(),
        older=str(raw["older"]).strip(),
        patterns=tuple(re.compile(p, flags) for p in raw.get("match") or [re.escape(raw["name"])]),
        plain=tuple(raw.get("plain") or ()),
        explained_in=tuple(raw.get("explained_in") or ()),
        check=bool(raw.get("check", True)),
    )


@lru_cache(maxsize=1)
def load_glossary(path: Path | None = None) -> Glossary:
    data = yaml.safe_load((path or GLOSSARY).read_text(encoding="utf-8")) or {}
    return Glossary(
        terms={str(k): _term(str(k), v) for k, v in (data.get("terms") or {}).items()},
        follows={str(k): tuple(v) for k, v in (data.get("follows") or {}).items()},
        leads_to={str(k): str(v) for k, v in (data.get("leads_to") or {}).items()},
        mentions={str(k): tuple(v) for k, v in (data.get("mentions") or {}).items()},
    )


def explain(key: str, reading_level: str | None = None) -> str:
    """The glossary sentence for `key` (e.g. "advocate"); "older" picks the older children's wording."""
    term = load_glossary().terms[key]
    return term.older if reading_level == "older" else term.younger


def unexplained_terms(name: str, entry: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """(where, term) pairs: hard words catalogue message `name` uses with nothing explaining them.

    `where` is "text", "simple", "older" or "button <title>". A word is explained when the message is
    one of the term's `explained_in` messages (all its variants say what the word means), or every way
    to reach the message passes a message that did (`follows`). A button may also use a word that the
    message it leads to explains (`leads_to`).
    """
    from bot.dialogue.messages import catalogue

    glossary = load_glossary()
    entry = entry if entry is not None else catalogue()[name]
    mentioned = set(glossary.mentions.get(name, ()))

    def ok(key: str) -> bool:
        return not glossary.terms[key].check or key in mentioned or glossary.explained_by(name, key)

    problems: list[tuple[str, str]] = []
    for where in ("text", "simple", "older"):
        problems += [(where, key) for key in glossary.find_terms(entry.get(where) or "") if not ok(key)]
    for button in entry.get("buttons") or []:
        title = str(button["title"])
        target = glossary.leads_to.get(str(button.get("payload", "")))
        for key in glossary.find_terms(title):
            if ok(key) or (target and glossary.explained_by(target, key)):
                continue
            problems.append((f"button {title!r}", key))
    return problems
