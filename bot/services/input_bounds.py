"""The ids and dates Heard accepts from outside (a page's path, a query string, a form, a CSV cell, the API): one
rule for all of them, so a number or a day no record can have is refused as "no such record" or "not a date"
instead of overflowing the database or the calendar (a 500).

* A record id is a whole number from 1 to ``MAX_RECORD_ID``: every table's id is an ``INTEGER``, which PostgreSQL
  keeps in 4 bytes (SQLite takes 8, but one schema serves both); a bigger number names no record.
* A day is from ``FIRST_DAY`` to ``LAST_DAY``: wide enough for any date of birth, care history or review, and far
  enough from the ends of Python's calendar (year 1 to 9999) that adding a few months or a day never overflows.
"""

from __future__ import annotations

import re
from datetime import date

MAX_RECORD_ID = 2**31 - 1
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
_DIGITS = re.compile(r"\d{1,10}")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def record_id(value: object) -> int | None:
    """``value`` as a record id (digits only, 1 to ``MAX_RECORD_ID``), or None when it cannot name a record."""
    text = str(value if value is not None else "").strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_RECORD_ID else None


def day_in_range(day: date) -> bool:
    """Whether ``day`` is one Heard keeps (``FIRST_DAY`` to ``LAST_DAY``)."""
    return FIRST_DAY <= day <= LAST_DAY


def iso_day(value: object) -> date | None:
    """``2026-12-12`` as a date within range, or None (empty, not a date, or out of range)."""
    text = str(value if value is not None else "").strip()
    if not _ISO_DAY.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if day_in_range(day) else None


def out_of_range_words() -> str:
    """How a page says which days it takes."""
    return f"a day from {FIRST_DAY.year} to {LAST_DAY.year}"
