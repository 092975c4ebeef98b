"""The child register's rules and use cases (bot.services.register, bot.usecases.child_register): validation,
own council only, staff by username of the right role, care leavers, the phone sealed for texts with a recorded
agreement, audit by field name only, and the one-transaction, idempotent CSV import."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import AuditEvent, Child, StaffUser
from bot.services import register as reg
from bot.services.errors import NotFound
from bot.services.phone_vault import decrypt_phone, encrypt_phone
from bot.usecases import child_register as uc
from tests.integration.test_review_support import *  # noqa: F403

TODAY = date(2026, 6, 1)


def staff(engine, username: str) -> StaffUser:
    with Session(engine, future=True, expire_on_commit=False) as s:
        return s.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one()


def child(engine, child_id: str) -> Child:
    with Session(engine, future=True, expire_on_commit=False) as s:
        return s.get(Child, child_id)


def test_check_entry_reads_dates_choices_and_says_what_is_wrong():
    good = reg.check_entry({"date_of_birth": "31/03/2012", "legal_status": "Looked after",
                            "placement_type": "secure", "audio_on": "yes"}, today=TODAY)
    assert good.ok and good.values["date_of_birth"] == date(2012, 3, 31)
    assert good.values["legal_status"] == "looked_after" and good.values["audio_on"] is True
    bad = reg.check_entry({"date_of_birth": "31/02/2012", "legal_status": "adopted", "phone": "07700 9",
                           "colour": "blue"}, today=TODAY)
    assert bad.errors["date_of_birth"].startswith("date of birth 31/02/2012 is not a date")
    assert "legal status must be one of" in bad.errors["legal_status"]
    assert bad.errors["phone"] == "phone number is not a phone number"  # the number is never repeated
    assert "colour" in bad.errors
    assert "in the future" in reg.check_entry({"date_of_birth": "2030-01-01"}, today=TODAY).errors["date_of_birth"]


@pytest.mark.parametrize(("born", "band"), [("2017-06-01", "8-10"), ("2014-05-31", "11-13"),
                                              ("2011-01-01", "14-15"), ("2009-06-02", "16-17"),
                                              ("2005-01-01", "16-17")])
def test_age_band_follows_date_of_birth(born, band):
    assert reg.age_band_for(date.fromisoformat(born), TODAY) == band


def test_phone_vault_round_trip_and_refuses_a_foreign_token():
    token = encrypt_phone("07700 900123")
    assert "900123" not in token and decrypt_phone(token) == "+447700900123"
    assert decrypt_phone("not-a-token") is None and decrypt_phone(None) is None


def test_social_worker_adds_a_child_to_their_own_caseload_audited_by_field_name(world, engine):
    sw = staff(engine, "sw.a")
    saved = uc.save_child(sw, None, {"chosen_name": "Jess", "date_of_birth": "2013-02-03", "iro": "iro.c",
                                     "legal_status": "looked_after", "placement_type": "foster",
                                     "phone": "07700 900555", "sms_consent": "yes", "external_id": "LCS-1"})
    assert saved.errors == {} and saved.created
    jess = child(engine, saved.child_id)
    assert jess.social_worker_id == world.users["sw.a"] and jess.iro_id == world.users["iro.c"]
    assert jess.local_authority_id == world.la and jess.age_band in ("11-13", "14-15")
    assert jess.phone_last3 == "555" and decrypt_phone(jess.phone_encrypted) == "+447700900555"
    assert jess.sms_consent_at is not None and jess.sms_consent_by == "staff:sw.a"
    events = audit_events(engine, entity_type="child", entity_id=saved.child_id)  # noqa: F405
    detail = json.loads(events[-1].detail)
    assert events[-1].action == "create" and "phone" in detail["fields"]
    assert "900555" not in events[-1].detail and "Jess" not in events[-1].detail


def test_staff_must_be_of_the_council_and_role(world, engine):
    sw = staff(engine, "sw.a")
    saved = uc.save_child(sw, None, {"chosen_name": "Jo", "age_band": "8-10", "iro": "sw.b",
                                     "social_worker": "sw.other"})
    assert saved.child_id is None
    assert saved.errors["iro"] == "IRO sw.b is not an IRO of this council"
    assert saved.errors["social_worker"] == "social worker sw.other is not a social worker of this council"


def test_other_council_and_other_roles_cannot_touch_the_register(world, engine):
    with pytest.raises(NotFound):
        uc.save_child(staff(engine, "sw.other"), world.ada, {"chosen_name": "X"})
    with pytest.raises(NotFound):
        uc.save_child(staff(engine, "iro.c"), world.ada, {"chosen_name": "X"})
    with pytest.raises(NotFound):
        uc.read_register(staff(engine, "duty.e"))
    assert child(engine, world.ada).chosen_name == "Ada"
    refused = audit_events(engine, action="refused_read", entity_id=world.ada)  # noqa: F405
    assert len(refused) == 2


def test_a_care_leaver_stays_a_care_leaver(world, engine):
    admin = staff(engine, "admin.f")
    saved = uc.save_child(admin, world.ben, {"date_of_birth": "2005-01-01", "left_care_on": "2023-01-02",
                                             "entered_care_on": "2015-01-01"})
    assert saved.errors == {}
    ben = child(engine, world.ben)
    assert ben.legal_status == "care_leaver" and ben.age_band == "16-17"
    wrong = uc.save_child(admin, world.ben, {"legal_status": "looked_after"})
    assert "care_leaver" in wrong.errors["legal_status"]
    assert child(engine, world.ben).legal_status == "care_leaver"


def test_changing_the_phone_drops_the_old_agreement_and_consent_needs_a_phone(world, engine):
    sw = staff(engine, "sw.a")
    assert uc.save_child(sw, world.ada, {"sms_consent": "yes"}).errors == {
        "sms_consent": "agreed to texts needs a phone number"
    }
    assert uc.save_child(sw, world.ada, {"phone": "07700900111", "sms_consent": "yes"}).errors == {}
    assert child(engine, world.ada).sms_consent_at is not None
    assert uc.save_child(sw, world.ada, {"phone": "07700900222"}).changed == ["phone", "sms_consent"]
    ada = child(engine, world.ada)
    assert ada.sms_consent_at is None and decrypt_phone(ada.phone_encrypted) == "+447700900222"
    taken = uc.save_child(staff(engine, "admin.f"), world.ben, {"phone": "07700900222"})  # sw.b's child
    assert taken.errors["phone"] == "phone number is already on another child's record"


CSV_GOOD = (
    "external_id,chosen_name,date_of_birth,legal_status,placement_type,social_worker,iro,next_review_date\n"
    "A1,Rae,01/09/2013,looked_after,foster,sw.a,iro.c,2026-09-01\n"
    "A2,Tom,2012-01-15,child_in_need,at_home,sw.b,,\n"
)


def _count(engine) -> int:
    with Session(engine, future=True) as s:
        return s.execute(select(func.count()).select_from(Child)).scalar_one()


def test_csv_import_is_idempotent_by_council_id(world, engine):
    admin = staff(engine, "admin.f")
    before = _count(engine)
    first = uc.import_children_csv(admin, CSV_GOOD)
    assert first.ok and (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = uc.import_children_csv(admin, CSV_GOOD)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = uc.import_children_csv(admin, CSV_GOOD.replace("Tom", "Tommy"))
    assert (changed.created, changed.updated) == (0, 1)
    assert _count(engine) == before + 2
    with Session(engine, future=True) as s:
        tommy = s.execute(select(Child).where(Child.external_id == "A2")).scalar_one()
        assert tommy.chosen_name == "Tommy" and tommy.social_worker_id == world.users["sw.b"]


def test_csv_import_with_a_bad_row_imports_nothing_and_reports_every_line(world, engine):
    admin = staff(engine, "admin.f")
    before = _count(engine)
    bad = CSV_GOOD + "A3,Zoe,31/02/2012,looked_after,foster,sw.a,,\nA4,,2012-01-01,adopted,foster,nobody,,\n"
    report = uc.import_children_csv(admin, bad)
    assert not report.ok
    assert "line 4: date of birth 31/02/2012 is not a date (use 31/03/2012 or 2012-03-31)" in report.problems
    assert "line 5: legal status must be one of: looked_after, child_protection, child_in_need, care_leaver" \
        in report.problems
    assert "line 5: social worker nobody is not a social worker of this council" in report.problems
    assert "line 5: name they like to be called is needed" in report.problems
    assert _count(engine) == before  # the two good rows were not imported either
    with Session(engine, future=True) as s:
        refused = s.execute(select(AuditEvent).where(AuditEvent.entity_type == "child_import")).scalars().all()
    assert [e.action for e in refused] == ["refused"]


def test_csv_header_and_duplicate_rows_are_reported(world, engine):
    admin = staff(engine, "admin.f")
    assert uc.import_children_csv(admin, "name,dob\nA,B\n").problems == [
        "line 1: the first line must name the columns, with external_id among them",
        "line 1: name is not a register column",
        "line 1: dob is not a register column",
    ]
    twice = "external_id,chosen_name,age_band\nX1,A,8-10\nX1,B,8-10\n"
    assert uc.import_children_csv(admin, twice).problems == ["line 3: council id X1 is also on line 2"]


def test_put_is_idempotent_and_own_council_only(world, engine):
    from bot.usecases.review_reads import api

    sw = staff(engine, "sw.a")
    body = {"chosen_name": "Kit", "date_of_birth": "2014-04-04", "legal_status": "child_protection"}
    first = uc.put_child(sw, "K-9", body, api(1))
    assert first.created and first.errors == {}
    second = uc.put_child(sw, "K-9", body, api(1))
    assert not second.created and second.changed == [] and second.child_id == first.child_id
    other = uc.put_child(staff(engine, "sw.other"), "K-9", body, api(2))
    assert other.created and other.child_id != first.child_id  # the other council's own K-9
    events = audit_events(engine, entity_type="child", entity_id=first.child_id)  # noqa: F405
    assert len(events) == 1 and json.loads(events[0].detail)["token_id"] == 1


def test_demo_seed_fills_the_register_and_the_sms_childs_agreement(demo, engine):
    from bot.services.seed import seed_demo
    from bot.db.engine import session_scope

    jade, leo = child(engine, demo["children"]["Jade"]), child(engine, demo["children"]["Leo"])
    assert jade.external_id == "DEMO-0001" and reg.age_band_for(jade.date_of_birth, date.today()) == jade.age_band
    assert jade.legal_status == "looked_after" and leo.placement_type == "kinship"
    assert decrypt_phone(jade.phone_encrypted) == "+447700900001" and jade.sms_consent_at is not None
    assert leo.phone_encrypted is None and leo.sms_consent_at is None
    with session_scope(engine) as s:
        assert seed_demo(s)["created"] == 0  # safe to run again
    assert child(engine, jade.id).sms_consent_at == jade.sms_consent_at
