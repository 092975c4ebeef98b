"""When a person of a council reads what a child sends: the council's ``reading_hours`` (admin settings,
"HH:MM-HH:MM" on working days: Monday to Friday, not England's bank holidays), else the server's
``HEARD_COUNCIL_HOURS``, else 9am to 5pm. Nobody reads a chat as it happens.

``when_someone_reads(s, council_id, now)`` says it in a child's words: "today, before 5pm", "today, after
9am", "tomorrow, after 9am" or "on Monday, after 9am"; ``hours_phrase`` says "on working days, 9am to 5pm".
The chat asks through ``bot.usecases.council_hours`` (the council of the conversation).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.db.review_models import AuthoritySettings
from bot.services.referrals import is_working_day

LONDON = ZoneInfo("Europe/London")
DEFAULT_HOURS = (time(9, 0), time(17, 0))
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_hours(raw: str | None) -> tuple[time, time] | None:
    """(start, end) from "HH:MM-HH:MM" (start before end, same day); None when it is not that."""
    match = _HOURS.match(raw or "")
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60) or (h1, m1) >= (h2, m2):
        return None
    return time(h1, m1), time(h2, m2)


def reading_hours(s: Session, council_id: int | None) -> tuple[time, time]:
    """The council's hours, else the server's setting, else 9am to 5pm."""
    row = s.get(AuthoritySettings, council_id) if council_id is not None else None
    own = parse_hours(row.reading_hours) if row is not None else None
    return own or server_hours()


def server_hours() -> tuple[time, time]:
    """The server's setting (``HEARD_COUNCIL_HOURS``), else 9am to 5pm: what counts when no council has its own,
    or the case database cannot say."""
    return parse_hours(get_settings().council_hours) or DEFAULT_HOURS


def clock(t: time) -> str:
    """'9am', '5pm', '9:30am', '12pm'."""
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour}{suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d}{suffix}"


def phrase(hours: tuple[time, time]) -> str:
    """'on working days, 9am to 5pm'."""
    start, end = hours
    return f"on working days, {clock(start)} to {clock(end)}"


def hours_phrase(s: Session, council_id: int | None) -> str:
    """'on working days, 9am to 5pm' for the council."""
    return phrase(reading_hours(s, council_id))


def when_someone_reads(s: Session, council_id: int | None, now: datetime | None = None) -> str:
    """When a person of the council next reads what a child sends at ``now`` (UK time), in words."""
    local = (now or datetime.now(timezone.utc)).astimezone(LONDON)
    start, end = reading_hours(s, council_id)
    if is_working_day(local.date()) and local.time() < end:
        return f"today, before {clock(end)}" if local.time() >= start else f"today, after {clock(start)}"
    day = local.date() + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    when = "tomorrow" if day == local.date() + timedelta(days=1) else f"on {day:%A}"
    return f"{when}, after {clock(start)}"
