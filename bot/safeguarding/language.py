"""Which language a child wrote in, when Heard's English pipeline cannot read the message. Offline.

py3langid 0.2.2 (its model ships in the wheel; loading it takes about 250 ms, so it is loaded once, at start-up,
by ``get_identifier``; a message then takes about 0.1 ms). It is asked only about messages the English pipeline
cannot read: mostly non-Latin letters, or (in Latin letters) a message the intent classifier could not place.

``other_language`` returns a code for the languages Heard has lines in (``SUPPORTED``), ``"other"`` for any
other language, or None for English (or a message too short to tell). Scripts decide what langid cannot:
Ge'ez letters are Tigrinya (langid knows only Amharic), the letters only Sorani or Pashto use pick those.
Nothing here logs a message.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

__all__ = ["SUPPORTED", "get_identifier", "non_latin_share", "other_language"]

# Arabic, Kurdish Sorani, Pashto, Dari/Farsi (one set of lines), Tigrinya, Vietnamese, Albanian.
SUPPORTED: tuple[str, ...] = ("ar", "ckb", "ps", "fa", "ti", "vi", "sq")
ARABIC_SCRIPT_LANGS = ("ar", "fa", "ps", "ur", "ku", "ug")
SORANI_LETTERS = frozenset("ەێۆڵڕ")
PASHTO_LETTERS = frozenset("ټډړږښګڼۍې")
LATIN_LANGS = {"vi": "vi", "sq": "sq"}
MIN_LETTERS = 4
NON_LATIN_SHARE = 0.5  # at least this share of the letters outside the Latin script
LATIN_MIN_PROB = 0.995  # langid's probability for a message in Latin letters
LATIN_MIN_WORDS = 3
LANGID_TO_CODE = {"ar": "ar", "fa": "fa", "ps": "ps", "ug": "ckb", "ku": "ckb", "am": "ti", "vi": "vi", "sq": "sq"}


@lru_cache(maxsize=1)
def get_identifier() -> Any:
    """py3langid's identifier with normalised probabilities (built once; about 250 ms)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)


def _is_latin(ch: str) -> bool:
    return ord(ch) < 0x0250 or 0x1E00 <= ord(ch) <= 0x1EFF  # Basic/Extended Latin and Vietnamese letters


def non_latin_share(text: str) -> float:
    """The share of the letters in ``text`` that are not Latin letters (0.0 when there are none)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if not _is_latin(ch)) / len(letters)


def _script_language(text: str) -> str | None:
    """The language the letters alone tell (Ge'ez: Tigrinya; Sorani or Pashto letters), else None."""
    letters = [ch for ch in text if ch.isalpha()]
    if any("ETHIOPIC" in unicodedata.name(ch, "") for ch in letters):
        return "ti"
    if any(ch in SORANI_LETTERS for ch in letters):
        return "ckb"
    if any(ch in PASHTO_LETTERS for ch in letters):
        return "ps"
    return None


def _non_latin_language(text: str) -> str:
    by_script = _script_language(text)
    if by_script is not None:
        return by_script
    identifier = get_identifier()
    lang, _prob = identifier.classify(text)
    if lang not in LANGID_TO_CODE:
        arabic_script = [(identifier.nb_classes.index(code), code) for code in ARABIC_SCRIPT_LANGS]
        if any("ARABIC" in unicodedata.name(ch, "") for ch in text if ch.isalpha()):
            probs = identifier.instance2fv(text) @ identifier.nb_ptc + identifier.nb_pc
            lang = max(arabic_script, key=lambda item: probs[item[0]])[1]
    return LANGID_TO_CODE.get(lang, "other")


def other_language(text: str, english_read: bool) -> str | None:
    """The code of the language ``text`` is in when it is not English, else None.

    ``english_read``: the English pipeline understood the message (an intent it is sure of, or a lexicon
    cue). Then only a message mostly in non-Latin letters is looked at."""
    if not isinstance(text, str) or text.lstrip().startswith("/"):
        return None
    if sum(1 for ch in text if ch.isalpha()) < MIN_LETTERS:
        return None
    if non_latin_share(text) >= NON_LATIN_SHARE:
        return _non_latin_language(text)
    if english_read or len(text.split()) < LATIN_MIN_WORDS:
        return None
    lang, prob = get_identifier().classify(text)
    if prob < LATIN_MIN_PROB:
        return None
    # Only the languages Heard has lines for: in Latin letters langid is sure of other languages for English
    # messages in text-speak too often ("do u like pineapple on pizza be honest").
    return LATIN_LANGS.get(lang)
