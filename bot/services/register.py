"""The child register (issue 15): staff add and change what a council knows about a child.

One set of rules for every way in (the review app's form, a CSV file, ``PUT /review/api/v1/children/{external_id}``):

* ``check_entry`` reads raw values (text from a form or CSV cell; text, booleans or null from JSON) into clean
  values and a list of field errors ("date of birth 31/02/2012 is not a date"), never raising for bad input;
  a phone number is never repeated in an error.
* ``apply_entry`` writes clean values onto a new or existing child of the council and audits the change (field
  names only, never values).

Rules: the council is always the staff member's own; the social worker and the IRO are staff of that council
with that role, named by username; the age band follows the date of birth (kept within the chat's 8-17 bands);
a young person of 18 or over who has left care is a care leaver (never purged for it, still visible); a phone
number is kept as a keyed hash and its last three digits, as now, and sealed for outbound texts
(``bot.services.phone_vault``); texting needs the child's agreement recorded (``sms_consent``: when and by whom).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.db.models import AGE_BANDS, LEGAL_STATUSES, PLACEMENT_TYPES, READING_LEVELS, Child, StaffUser, utcnow
from bot.services import audit
from bot.services.children import hash_phone, normalise_phone
from bot.services.input_bounds import day_in_range
from bot.services.phone_vault import encrypt_phone

# Every field of the register, in the order of the form and the CSV file, and what staff call it.
LABELS: dict[str, str] = {
    "external_id": "council id",
    "chosen_name": "name they like to be called",
    "date_of_birth": "date of birth",
    "age_band": "age band",
    "legal_status": "legal status",
    "placement_type": "placement type",
    "entered_care_on": "date came into care",
    "left_care_on": "date left care",
    "social_worker": "social worker",
    "iro": "IRO",
    "next_review_date": "next review date",
    "phone": "phone number",
    "sms_consent": "agreed to texts",
    "reading_level": "reading level",
    "audio_on": "audio",
    "parental_contact_last_12m": "parental contact in last 12 months",
    "communication_needs": "communication needs",
}
FIELDS = tuple(LABELS)
YES = ("yes", "y", "true", "1")
NO = ("no", "n", "false", "0")
MAX_AGE = 25  # care leavers are supported up to 25
_WORDS = re.compile(r"[\s\-]+")


@dataclass
class Entry:
    """Clean register values (only the fields that were given) and the errors found, by field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(raw: object) -> str | None:
    if raw is None or isinstance(raw, bool):
        return None if raw is None else ("yes" if raw else "no")
    value = str(raw).strip()
    return value or None


def parse_date(text: str) -> date:
    """``2012-03-31`` or ``31/03/2012`` (UK order), within ``input_bounds``; ``ValueError`` otherwise."""
    found = None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        found = date.fromisoformat(text)
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        found = date(year, month, day)
    if found is None or not day_in_range(found):
        raise ValueError(text)
    return found


def _choice(values: tuple[str, ...]) -> Callable[[str], str]:
    def read(text: str) -> str:
        key = _WORDS.sub("_", text.lower())
        if key not in values:
            raise ValueError(f"must be one of: {', '.join(values)}")
        return key

    return read


def _age_band(text: str) -> str:
    band = re.sub(r"\s*(-|to)\s*", "-", text.lower())
    if band not in AGE_BANDS:
        raise ValueError(f"must be one of: {', '.join(AGE_BANDS)}")
    return band


def _yes_no(text: str) -> bool:
    if text.lower() in YES:
        return True
    if text.lower() in NO:
        return False
    raise ValueError("must be yes or no")


def _limited(limit: int) -> Callable[[str], str]:
    def read(text: str) -> str:
        if len(text) > limit:
            raise ValueError(f"is longer than {limit} characters")
        return text

    return read


def _phone(text: str) -> str:
    try:
        return normalise_phone(text)
    except ValueError:
        raise ValueError("is not a phone number") from None  # never repeat the number


def _long_text(text: str) -> str:
    if len(text) > get_settings().max_text:
        raise ValueError(f"is longer than {get_settings().max_text} characters")
    return text


READERS: dict[str, Callable[[str], Any]] = {
    "external_id": _limited(64),
    "chosen_name": _limited(100),
    "age_band": _age_band,
    "legal_status": _choice(LEGAL_STATUSES),
    "placement_type": _choice(PLACEMENT_TYPES),
    "social_worker": _limited(64),
    "iro": _limited(64),
    "phone": _phone,
    "sms_consent": _yes_no,
    "reading_level": _choice(READING_LEVELS),
    "audio_on": _yes_no,
    "parental_contact_last_12m": _yes_no,
    "communication_needs": _long_text,
}
DATE_FIELDS = ("date_of_birth", "entered_care_on", "left_care_on", "next_review_date")


def _read_field(name: str, text: str) -> Any:
    if name in DATE_FIELDS:
        try:
            return parse_date(text)
        except ValueError:
            raise ValueError(f"{text} is not a date (use 31/03/2012 or 2012-03-31)") from None
    return READERS[name](text)


def age_on(born: date, day: date) -> int:
    """Whole years from ``born`` to ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band_for(born: date, today: date) -> str:
    """The chat's age band for a date of birth: under 11 is 8-10, 18 and over stays 16-17."""
    age = age_on(born, today)
    if age <= 10:
        return "8-10"
    if age <= 13:
        return "11-13"
    return "14-15" if age <= 15 else "16-17"


def check_entry(raw: Mapping[str, object], *, today: date | None = None) -> Entry:
    """Clean values and field errors for the register fields present in ``raw`` (unknown keys are errors).
    An empty value means "clear it" (None), except where a value is required (``check_complete``)."""
    entry = Entry()
    for name, value in raw.items():
        if name not in LABELS:
            entry.errors[name] = f"{name} is not a register field"
            continue
        text = _text(value)
        if text is None:
            entry.values[name] = None
            continue
        try:
            entry.values[name] = _read_field(name, text)
        except ValueError as error:
            entry.errors[name] = f"{LABELS[name]} {error}"
    _check_dates(entry, today or utcnow().date())
    return entry


def _check_dates(entry: Entry, today: date) -> None:
    values, errors = entry.values, entry.errors
    born = values.get("date_of_birth")
    if born is not None:
        if born > today:
            errors["date_of_birth"] = "date of birth is in the future"
        elif age_on(born, today) > MAX_AGE:
            errors["date_of_birth"] = f"date of birth makes them older than {MAX_AGE}"
    entered, left = values.get("entered_care_on"), values.get("left_care_on")
    if entered and left and left < entered:
        errors["left_care_on"] = "date left care is before the date came into care"
    if born and entered and entered < born:
        errors["entered_care_on"] = "date came into care is before the date of birth"


@dataclass(frozen=True)
class Staffing:
    """The council's staff a register entry may name: usernames of active social workers and IROs."""

    social_workers: dict[str, int]
    iros: dict[str, int]


def council_staffing(s: Session, council_id: int) -> Staffing:
    rows = s.execute(
        select(StaffUser.username, StaffUser.id, StaffUser.role).where(
            StaffUser.local_authority_id == council_id, StaffUser.active.is_(True)
        )
    ).all()
    return Staffing(
        {u.lower(): i for u, i, r in rows if r == "social_worker"}, {u.lower(): i for u, i, r in rows if r == "iro"}
    )


def resolve_staff(entry: Entry, staffing: Staffing) -> None:
    """Turn the social worker's and IRO's usernames into ids (``social_worker_id``, ``iro_id``), or errors."""
    for name, known, role in (("social_worker", staffing.social_workers, "a social worker"),
                              ("iro", staffing.iros, "an IRO")):
        if name not in entry.values:
            continue
        username = entry.values.pop(name)
        if username is None:
            entry.values[f"{name}_id"] = None
        elif username.lower() in known:
            entry.values[f"{name}_id"] = known[username.lower()]
        else:
            entry.errors[name] = f"{LABELS[name]} {username} is not {role} of this council"


def check_complete(entry: Entry, child: Child | None, today: date) -> None:
    """What a whole record needs: a name, an age band (or a date of birth), a phone before agreement to texts,
    and a care leaver's status for a young person of 18 or over who has left care."""
    def now(name: str) -> Any:
        return entry.values[name] if name in entry.values else getattr(child, name, None)

    if not now("chosen_name"):
        entry.errors.setdefault("chosen_name", "name they like to be called is needed")
    if not now("date_of_birth") and not now("age_band"):
        entry.errors.setdefault("date_of_birth", "date of birth (or an age band) is needed")
    phone_after = entry.values["phone"] if "phone" in entry.values else (child.phone_hash if child else None)
    if entry.values.get("sms_consent") and not phone_after:
        entry.errors.setdefault("sms_consent", "agreed to texts needs a phone number")
    born, left = now("date_of_birth"), now("left_care_on")
    if born and left and age_on(born, today) >= 18:
        if "legal_status" not in entry.values and not getattr(child, "legal_status", None):
            entry.values["legal_status"] = "care_leaver"
        elif now("legal_status") != "care_leaver":
            entry.errors.setdefault(
                "legal_status", "legal status must be care_leaver for a young person of 18 or over who left care"
            )


PLAIN = ("external_id", "chosen_name", "legal_status", "placement_type", "entered_care_on", "left_care_on",
         "social_worker_id", "iro_id", "next_review_date", "reading_level", "audio_on",
         "parental_contact_last_12m", "communication_needs", "date_of_birth", "age_band")


def _set(child: Child, name: str, value: Any, changed: set[str]) -> None:
    if getattr(child, name) != value:
        setattr(child, name, value)
        changed.add(name.removesuffix("_id") if name.endswith("worker_id") or name == "iro_id" else name)


def _apply_phone(child: Child, values: Mapping[str, Any], by: str, changed: set[str]) -> None:
    if "phone" in values:
        phone = values["phone"]
        new_hash = hash_phone(phone) if phone else None
        if new_hash != child.phone_hash:
            child.phone_hash = new_hash
            child.phone_last3 = phone[-3:] if phone else None
            child.phone_encrypted = encrypt_phone(phone) if phone else None
            changed.add("phone")
            if child.sms_consent_at is not None:  # agreement was to texts to the old number
                child.sms_consent_at = child.sms_consent_by = None
                changed.add("sms_consent")
    consent = values.get("sms_consent")
    if consent is True and child.sms_consent_at is None and child.phone_hash:
        child.sms_consent_at, child.sms_consent_by = utcnow(), by
        changed.add("sms_consent")
    elif consent is False and child.sms_consent_at is not None:
        child.sms_consent_at = child.sms_consent_by = None
        changed.add("sms_consent")


def apply_entry(
    s: Session, child: Child | None, entry: Entry, council_id: int, actor: str, today: date | None = None,
    detail: Mapping[str, Any] | None = None,
) -> tuple[Child, list[str]]:
    """Write a checked entry (``entry.ok``) onto ``child``, or a new child of ``council_id`` when None; audit
    the change by field name. Returns the child and the fields that changed (none: nothing was written)."""
    today = today or utcnow().date()
    values = dict(entry.values)
    if values.get("date_of_birth"):
        values["age_band"] = age_band_for(values["date_of_birth"], today)
    created = child is None
    if child is None:
        band = values.get("age_band") or "11-13"
        child = Child(local_authority_id=council_id, chosen_name=values.get("chosen_name") or "", age_band=band,
                      reading_level="younger" if band in ("8-10", "11-13") else "older", channel="web",
                      audio_on=False, sms_opted_out=False, created_at=utcnow())
        s.add(child)
    changed: set[str] = set()
    for name in PLAIN:
        if name in values and not (name == "age_band" and values[name] is None):
            value = values[name]
            if name in ("reading_level", "audio_on") and value is None:
                continue  # not nullable: an empty cell keeps what is there
            _set(child, name, value, changed)
    _apply_phone(child, values, actor, changed)
    if changed or created:
        child.updated_at = utcnow()
        s.flush()
        audit.record(s, actor, "create" if created else "update", "child", child.id,
                     {"fields": sorted(changed), "register": True, **(detail or {})})
    return child, sorted(changed)


def check_unique(s: Session, entry: Entry, child: Child | None, council_id: int) -> None:
    """The council's own id names one child of the council; a phone number one child."""
    external_id = entry.values.get("external_id")
    if external_id:
        other = find_by_external_id(s, council_id, external_id)
        if other is not None and (child is None or other.id != child.id):
            entry.errors.setdefault("external_id", f"council id {external_id} is already another child's")
    phone = entry.values.get("phone")
    if phone:
        holder = s.execute(select(Child.id).where(Child.phone_hash == hash_phone(phone))).scalar_one_or_none()
        if holder is not None and (child is None or holder != child.id):
            entry.errors.setdefault("phone", "phone number is already on another child's record")


def find_by_external_id(s: Session, council_id: int, external_id: str) -> Child | None:
    """The council's child with its own id ``external_id`` (unique within a council), or None."""
    return s.execute(
        select(Child).where(Child.local_authority_id == council_id, Child.external_id == external_id)
    ).scalar_one_or_none()


def register_row(child: Child) -> dict[str, Any]:
    """What the register shows and the form is filled with (never the phone number: its last three digits)."""
    return {
        "id": child.id,
        "external_id": child.external_id,
        "chosen_name": child.chosen_name,
        "date_of_birth": child.date_of_birth,
        "age_band": child.age_band,
        "legal_status": child.legal_status,
        "placement_type": child.placement_type,
        "entered_care_on": child.entered_care_on,
        "left_care_on": child.left_care_on,
        "social_worker": child.social_worker.username if child.social_worker else None,
        "social_worker_name": child.social_worker.display_name if child.social_worker else None,
        "iro": child.iro.username if child.iro else None,
        "iro_name": child.iro.display_name if child.iro else None,
        "next_review_date": child.next_review_date,
        "phone_last3": child.phone_last3,
        "sms_consent_at": child.sms_consent_at,
        "sms_consent_by": child.sms_consent_by,
        "reading_level": child.reading_level,
        "audio_on": child.audio_on,
        "parental_contact_last_12m": child.parental_contact_last_12m,
        "communication_needs": child.communication_needs,
        "updated_at": child.updated_at,
    }
