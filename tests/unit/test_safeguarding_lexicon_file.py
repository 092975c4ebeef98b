"""The harm lexicon data file (bot/safeguarding/lexicon.yml): its schema check, and that it still detects."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.safeguarding import lexicon
from bot.safeguarding.detector import HarmDetector, get_detector
from bot.safeguarding.lexicon_file import REQUIRED_WORD_SETS, LexiconError, Rule, load_lexicon

LABELLED = Path(__file__).resolve().parents[1] / "data" / "safeguarding_labelled.yml"
# The labelled-set figures when the lexicon moved from Python to lexicon.yml (bench/safeguarding_bench.py):
# recall 840/840, one false alarm in 957 look-alikes, 825/840 (98.2%) with the labelled category.
# A change to the lexicon may improve them; it must not make them worse.
KNOWN_FALSE_ALARMS = {"i havent had breakfast yet"}
MIN_CATEGORY_AGREEMENT = 0.982


def _minimal() -> dict:
    """A small valid lexicon document."""
    word_sets: dict[str, list[str]] = {name: [name.replace("_", " ").split()[0]] for name in REQUIRED_WORD_SETS}
    word_sets["me"] = ["me", "us"]
    word_sets["insults"] = ["stupid", "a mistake", "useless"]
    return {
        "categories": ["physical", "emotional"],
        "priority": ["physical", "emotional"],
        "normalise": {"hert": "hurt", "im": "i am"},
        "lemma_fix": {"does": "do"},
        "to_digit_prev": ["want"],
        "emoji": {"👊": " punch "},
        "word_sets": word_sets,
        "rules": {
            "physical": [
                {
                    "name": "hit_me",
                    "patterns": [[{"lemma": ["hit", "kick"]}, {"word": ["@me"]}]],
                    "agent": True,
                    "near_not": ["in fortnite", "at chess"],
                },
            ],
            "emotional": [
                {
                    "name": "calls_me",
                    "patterns": [[{"lemma": ["call"]}, {"word": ["me"]}, {"maybe": ["a"]}, {"word": ["@insults"]}],
                                 [{"word": ["he"]}, {"word": ["is"]}, {"number": True}]],
                    "near_need": ["@insults", "useless", "always"],
                    "window": 8,
                    "age_check": True,
                },
            ],
        },
    }


def _write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "lexicon.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _hit_me(doc: dict) -> dict:
    return doc["rules"]["physical"][0]


def test_the_shipped_file_loads_and_is_what_the_detector_uses() -> None:
    loaded = load_lexicon(lexicon.LEXICON_FILE)
    assert loaded.categories == lexicon.CATEGORIES
    assert sorted(loaded.priority) == sorted(lexicon.CATEGORIES)
    assert list(loaded.rules) == lexicon.RULES
    assert {rule.category for rule in lexicon.RULES} == set(lexicon.CATEGORIES)
    assert lexicon.LEXICON_FILE.parent == Path(lexicon.__file__).parent  # shipped inside the package


def test_the_shipped_file_explains_itself_to_a_safeguarding_lead() -> None:
    header = lexicon.LEXICON_FILE.read_text(encoding="utf-8").split("\ncategories:")[0]
    for words in ("HOW A MESSAGE IS MATCHED", "lemma", "negat", "look-alikes", "HOW TO PROPOSE A CHANGE"):
        assert words in header


def test_a_minimal_file_loads_with_word_sets_expanded(tmp_path: Path) -> None:
    loaded = load_lexicon(_write(tmp_path, _minimal()))
    hit_me, calls_me = loaded.rules
    assert hit_me == Rule(
        name="hit_me",
        category="physical",
        patterns=[[{"LEMMA": {"IN": ["hit", "kick"]}}, {"LOWER": {"IN": ["me", "us"]}}]],
        agent=True,
        near_not=("in fortnite", "at chess"),
    )
    # in a one-word slot a set gives only its single words; in a phrase list, all of it, each entry once
    assert calls_me.patterns[0][2] == {"LOWER": {"IN": ["a"]}, "OP": "?"}
    assert calls_me.patterns[0][3] == {"LOWER": {"IN": ["stupid", "useless"]}}
    assert calls_me.patterns[1][2] == {"LIKE_NUM": True}
    assert calls_me.near_need == ("stupid", "a mistake", "useless", "always")
    assert (calls_me.window, calls_me.meta) == (8, {"age_check": True})
    assert loaded.emoji == {"👊": " punch "}


def _set(path: list, value: object) -> Callable[[dict], None]:
    def change(doc: dict) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


HIT_ME = ["rules", "physical", 0]
BAD_FILES: list[tuple[str, Callable[[dict], None], str]] = [
    ("unknown category", _set(["rules", "hurt"], [{"name": "x", "patterns": [[{"word": ["x"]}]]}]),
     "unknown category 'hurt'"),
    ("empty cue", _set([*HIT_ME, "near_not"], ["in fortnite", ""]),
     "rule 'hit_me' (physical), near_not, entry 2 is empty ('')"),
    ("blank cue", _set([*HIT_ME, "near_not"], ["  "]), "rule 'hit_me' (physical), near_not, entry 1 is empty ('  ')"),
    ("empty slot word", _set([*HIT_ME, "patterns"], [[{"lemma": ["hit", ""]}]]),
     "rule 'hit_me' (physical), pattern 1, slot 1, lemma, entry 2 is empty ('')"),
    ("duplicate cue", _set([*HIT_ME, "near_not"], ["at chess", "in fortnite", "at chess"]),
     "rule 'hit_me' (physical), near_not: 'at chess' is listed twice"),
    ("duplicate slot word", _set([*HIT_ME, "patterns"], [[{"word": ["me", "us", "me"]}]]),
     "rule 'hit_me' (physical), pattern 1, slot 1, word: 'me' is listed twice"),
    ("duplicate in a word set", _set(["word_sets", "insults"], ["stupid", "fat", "stupid"]),
     "word set 'insults': 'stupid' is listed twice"),
    ("duplicate category", _set(["categories"], ["physical", "emotional", "physical"]),
     "section \"categories\": 'physical' is listed twice"),
    ("duplicate rule name", _set(["rules", "emotional", 0, "name"], "hit_me"),
     "rule 'hit_me' (emotional): another rule has the same name"),
    ("number as a cue", _set([*HIT_ME, "near_not"], ["at chess", 4]),
     "rule 'hit_me' (physical), near_not, entry 2 must be text, not 4 (int)"),
    ("yes/no read as true/false", _set([*HIT_ME, "prev_not"], [False]),
     "rule 'hit_me' (physical), prev_not, entry 1 must be text, not False (bool)"),
    ("cue list not a list", _set([*HIT_ME, "near_not"], "at chess"),
     "rule 'hit_me' (physical), near_not must be a non-empty list"),
    ("window as text", _set([*HIT_ME, "window"], "8"), "rule 'hit_me' (physical), window must be a whole number"),
    ("flag as text", _set([*HIT_ME, "agent"], "yes"), "rule 'hit_me' (physical), agent must be true or false"),
    ("unknown rule key", _set([*HIT_ME, "near_nto"], ["x"]), "rule 'hit_me' (physical): unknown keys ['near_nto']"),
    ("unknown slot kind", _set([*HIT_ME, "patterns"], [[{"words": ["me"]}]]),
     "rule 'hit_me' (physical), pattern 1, slot 1: unknown slot 'words'"),
    ("two kinds in one slot", _set([*HIT_ME, "patterns"], [[{"word": ["me"], "lemma": ["hit"]}]]),
     "rule 'hit_me' (physical), pattern 1, slot 1 must have exactly one of word, lemma, maybe, number"),
    ("phrase in a one-word slot", _set([*HIT_ME, "patterns"], [[{"word": ["car park"]}]]),
     "rule 'hit_me' (physical), pattern 1, slot 1, word: 'car park' is not one word"),
    ("unknown word set", _set([*HIT_ME, "near_not"], ["@nope"]),
     "rule 'hit_me' (physical), near_not: '@nope' is not a word set"),
    ("upper-case cue", _set([*HIT_ME, "near_not"], ["At chess"]),
     "rule 'hit_me' (physical), near_not, entry 1 must be lower case ('At chess')"),
    ("no patterns", _set([*HIT_ME, "patterns"], []), "rule 'hit_me' (physical), patterns must be a non-empty list"),
    ("rule without a name", lambda doc: _hit_me(doc).pop("name"), "rule 1 of physical has no name"),
    ("missing section", lambda doc: doc.pop("emoji"), "missing sections ['emoji']"),
    ("unknown section", _set(["extra"], {}), "unknown sections ['extra']"),
    ("priority not the categories", _set(["priority"], ["physical"]),
     'section "priority" must list every category in "categories" exactly once'),
    ("missing word set", lambda doc: doc["word_sets"].pop("non_agent"), "lacks the word sets ['non_agent']"),
    ("empty normalise entry", _set(["normalise", "hert"], ""), "section \"normalise\", entry 'hert' is empty ('')"),
]


@pytest.mark.parametrize(("change", "message"), [case[1:] for case in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_the_schema_check_rejects_a_bad_file_naming_the_entry(
    tmp_path: Path, change: Callable[[dict], None], message: str
) -> None:
    doc = copy.deepcopy(_minimal())
    change(doc)
    with pytest.raises(LexiconError, match=re.escape(message)) as raised:
        load_lexicon(_write(tmp_path, doc))
    assert str(raised.value).startswith("lexicon.yml: ")


def test_a_key_written_twice_is_rejected_with_its_line(tmp_path: Path) -> None:
    text = _write(tmp_path, _minimal()).read_text(encoding="utf-8")
    path = tmp_path / "lexicon.yml"
    path.write_text(text.replace("  hert: hurt\n", "  hert: hurt\n  hert: heart\n"), encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index("  hert: heart") + 1
    with pytest.raises(LexiconError, match=rf"lexicon.yml: line {line}: 'hert' is written twice"):
        load_lexicon(path)


def test_a_file_that_is_not_yaml_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yml"
    path.write_text("categories: [physical\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="lexicon.yml: not valid YAML"):
        load_lexicon(path)


# ---------------------------------------------------------------------------------------------- figures


@pytest.fixture(scope="module")
def labelled() -> dict:
    return yaml.safe_load(LABELLED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def detector() -> HarmDetector:
    return get_detector()


def test_labelled_set_figures_are_unchanged(labelled: dict, detector: HarmDetector) -> None:
    disclosures, benign = labelled["disclosures"], labelled["benign"]
    found = [detector.detect(d["text"]) for d in disclosures]
    missed = [d["text"] for d, got in zip(disclosures, found, strict=True) if not got.is_harm]
    assert not missed, f"recall below 100%: {missed}"
    agreement = sum(got.category == d["category"] for d, got in zip(disclosures, found, strict=True))
    assert agreement / len(disclosures) >= MIN_CATEGORY_AGREEMENT
    alarms = {text for text in benign if detector.detect(text).is_harm}
    assert alarms <= KNOWN_FALSE_ALARMS, f"new false alarms: {sorted(alarms - KNOWN_FALSE_ALARMS)}"
