"""Dates a child types ("12th march", "next week", "idk"): read strictly, so that nothing but a date is ever
stored as one ("ya" or "nobody tells me anything" are not review dates).

Plain Python, no Rasa.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime, timedelta

from dateutil import parser as date_parser

from bot.config import get_settings
from bot.vocabulary import normal_words

UNKNOWN = "unknown"
DONT_KNOW = frozenset(
    {"idk", "i dont know", "i don't know", "dont know", "don't know", "dunno", "i dunno", "not sure", "no idea",
     "i have no idea", "nobody told me", "no one told me", "unknown", "i'm not sure", "im not sure", "not sure yet",
     "dont no", "don't no", "i dont no", "dnt know", "dont kno", "idek", "no clue", "not shure", "dunno yet",
     "i forgot", "forgot", "i forget", "cant remember", "can't remember", "i cant remember", "i can't remember"}
)
DONT_KNOW_START = re.compile(
    r"^(idk|dunno|i dunno|not sure|not shure|im not sure|no idea|no clue|i dont know|i don't know|dont know"
    r"|don't know|i dont no|dont no|dnt know)\b"
    r"|\b(they|nobody|no one|noone|no1) (havent|haven't|hasnt|hasn't|has not|have not|never|didnt|didn't)?"
    r" ?(said|told|say|tell)\b"
)
TOMORROW = frozenset({"tomorrow", "tmrw", "tmr", "tmrow", "tomoz", "2moro", "2morrow", "tomorow"})
DATE_LIKE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}([/.-]\d{2,4})?\b|\b\d{1,2}(st|nd|rd|th)\b")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_WORD = re.compile(r"\b(jan(uary)?|feb(ruary)?|febuary|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?"
                        r"|sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?)\b")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_WORD = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b,?", re.IGNORECASE)
RELATIVE = re.compile(
    r"^(on )?(next|this|tomorrow|today)\b.*$|^(in )?(a|one|two|three|four|\d{1,2}) (day|days|week|weeks|month|months)"
    r"( time)?$"
)
HEDGES = re.compile(r" (i think|i thinkk|i guess|i reckon|i believe|maybe|probably|prob|innit|or so|i hope) ")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# "21.02", a day and a month with a dot (as written in much of Europe): the parser reads it as a number, so it is
# read as "21/02" (a year after it, "21.02.2027", is read right already).
DOTTED_DAY_MONTH = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?![\d.])")
DAY_ONLY = re.compile(r"^(on )?(the )?(\d{1,2})(st|nd|rd|th)?$")
_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_TEENS = ("tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
          "eighteenth", "nineteenth")
ORDINAL_VALUES = {word: n for n, word in enumerate(_UNITS + _TEENS, 1)} | {"twentieth": 20, "thirtieth": 30}
# "twenty first of january", "the third": a day written in words ("first week of may" is not a day).
ORDINAL_WORDS = re.compile(
    r"\b(?:(twenty|thirty)[ -]?)?(" + "|".join(ORDINAL_VALUES) + r")\b(?! (week|time|thing|half|day))"
)


def _ordinals_as_digits(words: str) -> str:
    """A day of the month written in words, as digits: "twenty first of january" -> "21st of january". Only with a
    month or a weekday named, or alone ("the third"): "my first review" is not a date."""

    def digits(match: re.Match[str]) -> str:
        tens = {"twenty": 20, "thirty": 30}.get(match.group(1) or "", 0)
        value = tens + ORDINAL_VALUES[match.group(2)]
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(value % 10 if value not in (11, 12, 13) else 0, "th")
        return f"{value}{suffix}" if 1 <= value <= 31 else match.group(0)

    changed = ORDINAL_WORDS.sub(digits, words)
    if changed == words or MONTH_WORD.search(words) or _weekday_named(words) is not None or DAY_ONLY.match(changed):
        return changed
    return words


MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december")
MISSPELT_MONTH_MIN_LENGTH = 5  # shorter words are too alike ("mayo", "juli", "jane") to guess
MISSPELT_MONTH_CUTOFF = 0.8  # difflib similarity: "febuary" ~ "february" is 0.93, "remember" ~ "december" 0.75


def months_spelt_right(words: str) -> str:
    """Normal words with a month spelt as it sounds ("febuary 9", "janurary", "septmber") spelt right, so that its
    day is read in that month (never the default January); every other word unchanged."""

    def spelt(word: str) -> str:
        if len(word) < MISSPELT_MONTH_MIN_LENGTH or word in MONTH_NAMES:
            return word
        close = difflib.get_close_matches(word, MONTH_NAMES, n=1, cutoff=MISSPELT_MONTH_CUTOFF)
        return close[0] if close else word

    return " ".join(spelt(word) for word in words.split())


def is_dont_know(text: str) -> bool:
    words = normal_words(text)
    return words in DONT_KNOW or (len(words.split()) <= 8 and bool(DONT_KNOW_START.search(words)))


def _relative(words: str, today: date) -> date | None:
    """'tomorrow', 'next week', 'in 2 weeks', 'next friday', 'this month'..."""
    numbers = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}
    if words in ("today",):
        return today
    if words in TOMORROW:
        return today + timedelta(days=1)
    match = re.search(r"(a|one|two|three|four|\d{1,2}) (day|week|month)s?", words)
    if match:
        count = int(numbers.get(match.group(1), match.group(1)))
        days = {"day": 1, "week": 7, "month": 30}[match.group(2)] * count
        return today + timedelta(days=days)
    for index, name in enumerate(WEEKDAYS):
        if name in words:
            if "next" in words:  # "next tuesday": the Tuesday of next week (Monday to Sunday)
                return today + timedelta(days=7 - today.weekday() + index)
            return today + timedelta(days=(index - today.weekday()) % 7 or 7)  # "tuesday": the coming one
    if "next week" in words:
        return today + timedelta(days=7)
    if "next month" in words or "this month" in words:
        return today + timedelta(days=30 if "next" in words else 14)
    return None


NEXT_WEEKDAY = re.compile(r"^(on )?next (?P<day>" + "|".join(WEEKDAYS) + r")( (morning|afternoon|evening|after school"
                          r"|at \d{1,2}( ?(am|pm))?))?$")


def next_weekday_choices(text: str, today: date | None = None) -> tuple[date, date] | None:
    """"next friday" said on a Wednesday is this week's Friday to some and the next week's to others (both are
    said in England): the two days, for the child to pick. None when it is not that ("next friday" said on a
    Saturday is the coming one: ``read_date`` reads it)."""
    today = today or dialogue_today()
    words = HEDGES.sub(" ", f" {normal_words(text)} ").strip()
    found = NEXT_WEEKDAY.match(words)
    if found is None:
        return None
    index = WEEKDAYS.index(found.group("day"))
    if index <= today.weekday():
        return None
    coming = today + timedelta(days=index - today.weekday())
    return coming, coming + timedelta(days=7)


def read_iso(text: str) -> date | None:
    """A day written as a button's value ("2027-01-15"), else None."""
    if not ISO.fullmatch(text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _absolute(text: str, today: date) -> date | None:
    """A day and a month ("12 March", "12/3", "2026-12-09"). A month alone ("end of january") is not one day:
    None (``month_without_day`` says so, and the child is asked which day)."""
    words = normal_words(text)
    if ISO.match(text.strip()):
        return read_iso(text)
    day_only = DAY_ONLY.match(words)
    if day_only:
        return _next_day_of_month(int(day_only.group(3)), today)
    has_month_word = any(m in words for m in MONTHS)
    if not has_month_word and not DATE_LIKE.search(text):
        return None  # "every 6 months", "1234567": numbers, not a date
    if month_without_day(text):
        return None
    ordinal = re.search(r"\b(\d{1,2})(st|nd|rd|th)\b", words)
    if ordinal and not has_month_word:
        return _next_day_of_month(int(ordinal.group(1)), today)  # "its the 23rd i think"
    try:
        parsed = date_parser.parse(DOTTED_DAY_MONTH.sub(r"\1/\2", text), dayfirst=True, fuzzy=True,
                                   default=datetime(today.year, 1, 1))
    except (ValueError, OverflowError):
        return None
    found = parsed.date()
    if found < today and not re.search(r"\b20\d\d\b", text):  # "12 March" said in November: next March
        found = found.replace(year=found.year + 1)
    if not today - timedelta(days=31) <= found <= today + timedelta(days=2 * 365):
        return None
    return found


def month_without_day(text: str) -> bool:
    """"end of january", "in march", "sometime in feb": a month named, but no day of it."""
    words = months_spelt_right(normal_words(text))
    return bool(MONTH_WORD.search(words)) and not re.search(r"\d", words)


def _days_of_month(day: int, today: date) -> list[date]:
    """The coming days numbered ``day`` (from today on), in this month and the next two."""
    found = []
    for months_ahead in (0, 1, 2):
        month = (today.month - 1 + months_ahead) % 12 + 1
        year = today.year + (today.month - 1 + months_ahead) // 12
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            found.append(candidate)
    return found


def _next_day_of_month(day: int, today: date) -> date | None:
    """'the 9th': the next 9th from today (this month or the next)."""
    return next(iter(_days_of_month(day, today)), None)


def _weekday_named(words: str) -> int | None:
    """The weekday a message names ("tuesday the 26th": 1), or None."""
    return next((index for index, name in enumerate(WEEKDAYS) if name in words.split()), None)


def _weekday_and_day(text: str, weekday: int, today: date) -> date | None:
    """A weekday with a day of the month ("tuesday the 26th", "friday 12 march", "monday 3/5"): the day of the month
    counts, never the weekday alone. Without a month, the coming day with that number that falls on that weekday
    (within three months), else the next day with that number. None when no day of the month is given ("next
    tuesday")."""
    rest = WEEKDAY_WORD.sub(" ", text)
    if not re.search(r"\d", rest):
        return None
    found = _absolute(rest, today)
    month_given = any(m in normal_words(rest) for m in MONTHS) or bool(re.search(r"\d[/.-]\d", rest))
    if found is None or found.weekday() == weekday or month_given:
        return found
    return next((d for d in _days_of_month(found.day, today) if d.weekday() == weekday), found)


_MONTH = MONTH_WORD.pattern.replace("\\b", "")
# A day and a month inside a longer message ("I think its on the 3rd feb but they have changed it once already").
DATE_IN_SENTENCE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?(?: of)? (?:{_MONTH})\b|\b(?:{_MONTH}) (?:the )?\d{{1,2}}(?:st|nd|rd|th)?\b"
)


def _date_in_sentence(words: str, today: date) -> date | None:
    """A long message that names one day and month, and no other ("its on the 21st of january i think at my
    school"): that day. Two different days, or none: None (a long message is no date by itself)."""
    found = {_absolute(match.group(0), today) for match in DATE_IN_SENTENCE.finditer(words)}
    return found.pop() if len(found) == 1 and None not in found else None


def dialogue_today() -> date:
    """Today, as the dialogue reads dates (``HEARD_DIALOGUE_TODAY`` fixes it for tests of whole conversations)."""
    fixed = get_settings().dialogue_today
    return date.fromisoformat(fixed) if fixed else date.today()


def read_date(text: str | None, today: date | None = None) -> date | str | None:
    """The date the child means, or UNKNOWN for "don't know", or None when it is not a date at all."""
    if not text or text == UNKNOWN:
        return UNKNOWN if text == UNKNOWN else None
    today = today or dialogue_today()
    if is_dont_know(text):
        return UNKNOWN
    words = HEDGES.sub(" ", f" {normal_words(text)} ").strip()  # "the 28 i think": the 28
    words = _ordinals_as_digits(months_spelt_right(words))  # "twenty first of febuary": the 21st of february
    text = words if words != normal_words(text) else text
    if len(words.split()) > 8:
        return _date_in_sentence(words, today)
    if words in TOMORROW:
        return today + timedelta(days=1)
    weekday = _weekday_named(words)
    if weekday is not None:
        found = _weekday_and_day(text, weekday, today)
        if found is not None:
            return found
    if RELATIVE.match(words) or weekday is not None:
        return _relative(words, today)
    return _absolute(text, today)
