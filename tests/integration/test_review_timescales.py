"""Statutory review timescales from the council's settings, and recording a review in the review app."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.db.engine import session_scope
from bot.db.models import Child, utcnow
from bot.services import review_admin
from bot.services.errors import InvalidChoice
from bot.services.review_timescales import (
    add_months,
    add_working_days,
    record_review_held,
    review_due_by,
    review_timing,
)

DEFAULTS = review_admin.CouncilSettings(2555, "default", 20, 3, 6, 15)


def test_working_days_skip_weekends() -> None:
    friday = date(2026, 11, 27)
    assert add_working_days(friday, 1) == date(2026, 11, 30)  # Monday
    # Was 25 Dec 2026 before bank holidays were counted: Christmas Day (Fri) and the Boxing Day substitute
    # (Mon 28 Dec) are not working days, so the 20th working day is Tuesday 29 December.
    assert add_working_days(friday, 20) == date(2026, 12, 29)
    assert add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 28)


def test_first_review_deadline_skips_christmas_2026_bank_holidays() -> None:
    # In care from Monday 7 Dec 2026: 13 working days to Thu 24 Dec, then Fri 25 Dec (Christmas Day),
    # Sat, Sun and Mon 28 Dec (Boxing Day substitute) are skipped, 29-31 Dec make 16, Fri 1 Jan 2027
    # (New Year's Day) is skipped, 4-7 Jan make 20.
    entered = date(2026, 12, 7)
    assert review_due_by(_child(entered_care_on=entered), DEFAULTS) == date(2027, 1, 7)
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    # Weekends alone would give Mon 4 Jan 2027.
    assert add_working_days(entered, 20) != date(2027, 1, 4)


def test_first_review_deadline_skips_easter_2027_bank_holidays() -> None:
    # Good Friday 26 March and Easter Monday 29 March 2027.
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)
    # In care from Monday 8 March 2027: 13 working days to Thu 25 March, Good Friday to Easter Monday are
    # skipped, then 30 March to Wednesday 7 April make 20 (weekends alone would give Monday 5 April).
    entered = date(2027, 3, 8)
    assert review_due_by(_child(entered_care_on=entered), DEFAULTS) == date(2027, 4, 7)


def test_months_clamp_to_the_end_of_a_short_month() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 8, 15), 6) == date(2027, 2, 15)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def _child(**kw: object) -> Child:
    values = {"reviews_held": 0, "entered_care_on": None, "last_review_on": None, "next_review_date": None}
    values.update(kw)
    return Child(**values)


def test_due_dates_follow_first_second_and_later_review_rules() -> None:
    entered = date(2026, 11, 2)  # a Monday
    assert review_due_by(_child(entered_care_on=entered), DEFAULTS) == date(2026, 11, 30)
    assert review_due_by(_child(reviews_held=1, last_review_on=date(2026, 11, 20)), DEFAULTS) == date(2027, 2, 20)
    assert review_due_by(_child(reviews_held=4, last_review_on=date(2026, 11, 20)), DEFAULTS) == date(2027, 5, 20)
    assert review_due_by(_child(), DEFAULTS) is None
    shorter = review_admin.CouncilSettings(2555, "default", 10, 2, 4, 15)
    assert review_due_by(_child(reviews_held=4, last_review_on=date(2026, 11, 20)), shorter) == date(2027, 3, 20)


@pytest.mark.parametrize(
    ("planned", "expected"),
    [(None, "no_date"), (date(2027, 2, 1), "ok"), (date(2027, 6, 1), "later_than_allowed"),
     (date(2026, 11, 1), "overdue")],
)
def test_timing_status(planned: date | None, expected: str) -> None:
    today = date(2026, 11, 30)
    child = _child(reviews_held=2, last_review_on=date(2026, 9, 1), next_review_date=planned)  # due 1 Mar 2027
    timing = review_timing(child, DEFAULTS, today)
    assert (timing.status, timing.due_by) == (expected, date(2027, 3, 1))


def test_a_passed_deadline_is_overdue_whatever_the_planned_date() -> None:
    today = date(2026, 11, 30)
    for planned in (None, date(2027, 1, 10)):
        child = _child(reviews_held=2, last_review_on=date(2026, 5, 1), next_review_date=planned)  # due 1 Nov
        assert review_timing(child, DEFAULTS, today).status == "overdue"
    assert review_timing(_child(), DEFAULTS, today).status == "no_date"


def test_record_review_uses_the_councils_settings(demo) -> None:
    child_id = demo["children"]["Mo"]
    today = utcnow().date()
    with session_scope() as s:
        review_admin.update_council_settings(s, demo["local_authority"], "staff:admin.fay", later_review_months=4)
    with session_scope() as s:
        child = record_review_held(s, child_id, today, "staff:iro.claire")
        assert child.reviews_held == 3 and child.last_review_on == today
        assert child.next_review_date == add_months(today, 4)
    with session_scope() as s, pytest.raises(InvalidChoice):
        record_review_held(s, child_id, today + timedelta(days=1), "staff:iro.claire")
    with session_scope() as s, pytest.raises(InvalidChoice):
        record_review_held(s, child_id, today, "staff:iro.claire", next_review_date=today)
