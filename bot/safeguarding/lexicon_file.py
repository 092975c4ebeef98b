"""Reading and checking the harm lexicon file (``lexicon.yml``).

``load_lexicon(path)`` parses the YAML, checks it against the schema below and returns a ``Lexicon``.
Any mistake raises ``LexiconError`` with a message that names the section, rule, list and entry, so a
safeguarding lead who edited the file can find it. What the keys mean is explained at the top of
``lexicon.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["TIERS", "Lexicon", "LexiconError", "Rule", "load_lexicon", "parse_lexicon"]

SECTIONS: tuple[str, ...] = (
    "categories", "priority", "normalise", "lemma_fix", "to_digit_prev", "emoji", "word_sets", "rules",
)
# The word sets the detector and its callers use; the file may define more.
REQUIRED_WORD_SETS: tuple[str, ...] = (
    "me", "family", "first_person", "hit_verbs", "weak_hit_verbs", "non_agent", "negations", "agent_skip",
    "joke_markers", "play_context", "game_context", "insults", "home_people", "self_harm_body", "harm_concepts",
)
PHRASE_LISTS: tuple[str, ...] = ("next_not", "prev_not", "near_not", "near_need", "before_need")
FLAGS: tuple[str, ...] = ("agent", "no_imperative", "negatable", "joke_veto", "age_check")
RULE_KEYS: frozenset[str] = frozenset({"name", "patterns", "window", "tier", *PHRASE_LISTS, *FLAGS})
# How sure a match is: "clear" (answered as a disclosure, an alert raised) or "concern" (a cue that is often
# innocent, such as "i am scared": the child is asked gently whether someone is hurting them).
TIERS: tuple[str, ...] = ("clear", "concern")
SLOT_KINDS: dict[str, tuple[str, bool]] = {  # slot key -> (spaCy attribute, optional)
    "word": ("LOWER", False),
    "lemma": ("LEMMA", False),
    "maybe": ("LOWER", True),
}
SET_PREFIX = "@"


class LexiconError(ValueError):
    """The lexicon file is not valid; the message names the bad entry."""


@dataclass(frozen=True)
class Rule:
    """One family of patterns with the checks that decide whether a match is a disclosure.

    - ``patterns``: spaCy Matcher token patterns.
    - ``agent``: the word before the verb (skipping "always", "keeps" ...) must be a person, not
      negated ("nobody hits me", "he does not hit me") and not "it"/"the ball"/"my knee".
    - ``no_imperative``: with no agent at all, a base-form verb is an order ("hit me with a joke").
    - ``next_not`` / ``prev_not``: phrases that must not come straight after / before the match.
    - ``near_not``: phrases that must not come within ``window`` tokens either side.
    - ``near_need``: at least one of these must be within ``window`` tokens either side.
    - ``before_need``: at least one of these within ``window`` tokens before the match.
    - ``negatable``: a "not"/"never" in the three tokens before the match cancels it.
    - ``joke_veto``: "lol", "haha", "jk" anywhere in the same sentence cancels it (idioms like
      "my mum will murder me lol").
    - ``meta``: ``{"age_check": True}`` for "my boyfriend is 25" (an adult, or a big age gap).
    - ``tier``: ``clear`` (the default) or ``concern`` (an often innocent cue: a gentle check-in, no alert).
    """

    name: str
    category: str
    patterns: list[list[dict]]
    agent: bool = False
    no_imperative: bool = False
    next_not: tuple[str, ...] = ()
    prev_not: tuple[str, ...] = ()
    near_not: tuple[str, ...] = ()
    near_need: tuple[str, ...] = ()
    before_need: tuple[str, ...] = ()
    window: int = 6
    negatable: bool = False
    joke_veto: bool = False
    meta: dict = field(default_factory=dict)
    tier: str = "clear"


@dataclass(frozen=True)
class Lexicon:
    """The checked contents of the lexicon file."""

    categories: tuple[str, ...]
    priority: tuple[str, ...]
    normalise: dict[str, str]
    lemma_fix: dict[str, str]
    to_digit_prev: tuple[str, ...]
    emoji: dict[str, str]
    word_sets: dict[str, tuple[str, ...]]
    rules: tuple[Rule, ...]


# ---------------------------------------------------------------------------------------------- YAML


# libyaml's safe loader when PyYAML was built with it (loads the file about 8 times faster).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):
    """``yaml.SafeLoader`` that refuses a key written twice in one mapping (PyYAML keeps the last)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise LexiconError(f"line {key_node.start_mark.line + 1}: {key!r} is written twice in the same section")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_lexicon(path: Path | str) -> Lexicon:
    """Read and check the lexicon file at ``path``."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506 (safe loader)
    except LexiconError as exc:
        raise LexiconError(f"{path.name}: {exc}") from None
    except yaml.YAMLError as exc:
        raise LexiconError(f"{path.name}: not valid YAML: {exc}") from None
    return parse_lexicon(data, path.name)


# ---------------------------------------------------------------------------------------------- checks


def parse_lexicon(data: object, source: str = "lexicon") -> Lexicon:
    """Check the parsed YAML ``data`` against the schema and build the ``Lexicon``."""
    try:
        return _parse(data)
    except LexiconError as exc:
        raise LexiconError(f"{source}: {exc}") from None


def _parse(data: object) -> Lexicon:
    top = _mapping(data, "the file")
    missing = [s for s in SECTIONS if s not in top]
    unknown = [str(s) for s in top if s not in SECTIONS]
    if missing or unknown:
        raise LexiconError(f"missing sections {missing}, unknown sections {unknown}; expected {list(SECTIONS)}")
    categories = _unique_texts(top["categories"], 'section "categories"')
    priority = _unique_texts(top["priority"], 'section "priority"')
    if sorted(priority) != sorted(categories):
        raise LexiconError('section "priority" must list every category in "categories" exactly once')
    word_sets = _word_sets(top["word_sets"])
    return Lexicon(
        categories=categories,
        priority=priority,
        normalise=_text_map(top["normalise"], "normalise"),
        lemma_fix=_text_map(top["lemma_fix"], "lemma_fix"),
        to_digit_prev=_unique_texts(top["to_digit_prev"], 'section "to_digit_prev"'),
        emoji=_text_map(top["emoji"], "emoji"),
        word_sets=word_sets,
        rules=_rules(top["rules"], categories, word_sets),
    )


def _mapping(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise LexiconError(f"{where} must be a mapping of names to values, not {type(value).__name__}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise LexiconError(f"{where} must be text, not {value!r} ({type(value).__name__}); put it in quotes")
    if not value.strip():
        raise LexiconError(f"{where} is empty ({value!r})")
    if value != value.lower():
        raise LexiconError(f"{where} must be lower case ({value!r}): messages are lower-cased before matching")
    return value


def _unique_texts(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise LexiconError(f"{where} must be a non-empty list")
    items = tuple(_text(item, f"{where}, entry {i}") for i, item in enumerate(value, 1))
    seen: set[str] = set()
    for item in items:
        if item in seen:
            raise LexiconError(f"{where}: {item!r} is listed twice")
        seen.add(item)
    return items


def _text_map(value: object, section: str) -> dict[str, str]:
    mapping = _mapping(value, f'section "{section}"')
    return {
        _text(key, f'section "{section}", a key'): _text(val, f'section "{section}", entry {key!r}')
        for key, val in mapping.items()
    }


def _word_sets(value: object) -> dict[str, tuple[str, ...]]:
    mapping = _mapping(value, 'section "word_sets"')
    sets: dict[str, tuple[str, ...]] = {}
    for name, words in mapping.items():
        _text(name, 'section "word_sets", a set name')
        where = f"word set {name!r}"
        sets[name] = _unique_texts(words, where)
        refs = [w for w in sets[name] if w.startswith(SET_PREFIX)]
        if refs:
            raise LexiconError(f"{where}: a word set cannot use another set ({refs[0]!r})")
    missing = [name for name in REQUIRED_WORD_SETS if name not in sets]
    if missing:
        raise LexiconError(f'section "word_sets" lacks the word sets {missing}')
    return sets


def _expand(items: tuple[str, ...], sets: dict[str, tuple[str, ...]], where: str, one_word: bool) -> list[str]:
    """Entries with "@set" replaced by the set's entries (single words only in a slot), each once."""
    out: dict[str, None] = {}
    for item in items:
        if not item.startswith(SET_PREFIX):
            if one_word and len(item.split()) != 1:
                raise LexiconError(f"{where}: {item!r} is not one word (a slot matches one word)")
            out.setdefault(item, None)
            continue
        members = sets.get(item[len(SET_PREFIX):])
        if members is None:
            raise LexiconError(f"{where}: {item!r} is not a word set; known sets: {sorted(sets)}")
        for member in members:
            if not (one_word and " " in member):
                out.setdefault(member, None)
    if not out:
        raise LexiconError(f"{where} has no words")
    return list(out)


# ---------------------------------------------------------------------------------------------- rules


def _rules(value: object, categories: tuple[str, ...], sets: dict[str, tuple[str, ...]]) -> tuple[Rule, ...]:
    by_category = _mapping(value, 'section "rules"')
    rules: list[Rule] = []
    names: set[str] = set()
    for category, entries in by_category.items():
        if category not in categories:
            raise LexiconError(f'section "rules": unknown category {category!r}; known: {list(categories)}')
        if not isinstance(entries, list) or not entries:
            raise LexiconError(f'section "rules", category {category!r} must be a non-empty list of rules')
        for i, entry in enumerate(entries, 1):
            rule = _rule(entry, category, i, sets)
            if rule.name in names:
                raise LexiconError(f"rule {rule.name!r} ({category}): another rule has the same name")
            names.add(rule.name)
            rules.append(rule)
    return tuple(rules)


def _rule(entry: object, category: str, index: int, sets: dict[str, tuple[str, ...]]) -> Rule:
    raw = _mapping(entry, f"rule {index} of {category}")
    if "name" not in raw:
        raise LexiconError(f"rule {index} of {category} has no name")
    name = _text(raw["name"], f"rule {index} of {category}, name")
    where = f"rule {name!r} ({category})"
    unknown = sorted(str(k) for k in raw if k not in RULE_KEYS)
    if unknown:
        raise LexiconError(f"{where}: unknown keys {unknown}; known keys: {sorted(RULE_KEYS)}")
    flags = {key: _flag(raw.get(key, False), f"{where}, {key}") for key in FLAGS}
    phrases = {
        key: tuple(_expand(_unique_texts(raw[key], f"{where}, {key}"), sets, f"{where}, {key}", one_word=False))
        for key in PHRASE_LISTS
        if key in raw
    }
    window = raw.get("window", 6)
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        raise LexiconError(f"{where}, window must be a whole number of words (1 or more), not {window!r}")
    age_check = flags.pop("age_check")
    tier = raw.get("tier", "clear")
    if tier not in TIERS:
        raise LexiconError(f"{where}, tier must be one of {list(TIERS)}, not {tier!r}")
    return Rule(
        name=name,
        category=category,
        patterns=_patterns(raw.get("patterns"), sets, where),
        window=window,
        meta={"age_check": True} if age_check else {},
        tier=tier,
        **flags,
        **phrases,
    )


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise LexiconError(f"{where} must be true or false, not {value!r}")
    return value


def _patterns(value: object, sets: dict[str, tuple[str, ...]], where: str) -> list[list[dict]]:
    if not isinstance(value, list) or not value:
        raise LexiconError(f"{where}, patterns must be a non-empty list of patterns")
    patterns: list[list[dict]] = []
    for p, slots in enumerate(value, 1):
        if not isinstance(slots, list) or not slots:
            raise LexiconError(f"{where}, pattern {p} must be a non-empty list of slots")
        patterns.append([_slot(slot, sets, f"{where}, pattern {p}, slot {s}") for s, slot in enumerate(slots, 1)])
    return patterns


def _slot(value: object, sets: dict[str, tuple[str, ...]], where: str) -> dict:
    slot = _mapping(value, where)
    if len(slot) != 1:
        raise LexiconError(f"{where} must have exactly one of word, lemma, maybe, number; has {sorted(slot)}")
    ((kind, words),) = slot.items()
    if kind == "number":
        if words is not True:
            raise LexiconError(f"{where}: number must be true, not {words!r}")
        return {"LIKE_NUM": True}
    if kind not in SLOT_KINDS:
        raise LexiconError(f"{where}: unknown slot {kind!r}; use word, lemma, maybe or number")
    attr, optional = SLOT_KINDS[kind]
    entries = _expand(_unique_texts(words, f"{where}, {kind}"), sets, f"{where}, {kind}", one_word=True)
    return {attr: {"IN": entries}, "OP": "?"} if optional else {attr: {"IN": entries}}
