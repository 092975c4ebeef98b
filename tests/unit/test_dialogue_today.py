"""The day the dialogue reads a child's dates from: today, unless a test of whole conversations fixes it
(``HEARD_DIALOGUE_TODAY``, used by tests/e2e/test_persona_flows.py with the flows' reference day)."""

from __future__ import annotations

from datetime import date, timedelta

from bot.dialogue import dates


def test_a_fixed_day_is_the_day_next_tuesday_is_read_from(monkeypatch) -> None:
    monkeypatch.setenv("HEARD_DIALOGUE_TODAY", "2027-01-06")  # a Wednesday
    assert dates.read_date("next tuesday") == date(2027, 1, 12)  # the Tuesday of next week
    assert dates.read_date("tuesday") == date(2027, 1, 12)  # the coming Tuesday
    assert dates.read_date("next thursday") == date(2027, 1, 14)  # not tomorrow: next week's
    assert dates.read_date("thursday") == date(2027, 1, 7)
    assert dates.read_date("the 14th") == date(2027, 1, 14)
    assert dates.read_date("12 march") == date(2027, 3, 12)


def test_unset_it_is_today(monkeypatch) -> None:
    monkeypatch.delenv("HEARD_DIALOGUE_TODAY", raising=False)
    assert dates.read_date("tomorrow") == date.today() + timedelta(days=1)
