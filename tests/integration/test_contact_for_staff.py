"""Issue 20: how to reach a child, as staff read it. A way and the number or address the child typed are joined with
": " ("phone: 07700 900123"), never run together ("phone 07700 900123"). Since migration 0022 the record keeps the
way ("phone") and the number sealed (``bot.services.phone_vault.seal_contact``): staff read the way in the chat's
own words ("Phone me") in the queue, and the number only on the record's own page."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from bot.db.engine import session_scope
from bot.db.models import VisitorRequest
from bot.db.routing_models import Complaint
from bot.dialogue import submissions
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import add_team_staff, login

ANONYMOUS = {"anon_name": "Kit", "anon_council": "Test Borough", "contact_how": "phone",
             "contact_detail": "07700 900123"}


@pytest.mark.parametrize(("how", "detail", "stored"), [
    ("phone", "07700 900123", "phone: 07700 900123"),
    ("text", "07700900123", "text: 07700900123"),
    ("other", "kit@example.org", "other: kit@example.org"),
    ("carer", None, "carer"),
    (None, "07700 900123", "07700 900123"),
    (None, None, None),
])
def test_a_way_and_its_detail_are_joined_with_a_colon(how, detail, stored) -> None:
    assert submissions.contact_for_staff(how, detail) == stored


@pytest.fixture
def sent(world, session) -> dict:
    """An anonymous visitor request and an anonymous complaint, each giving a phone number, sent as the forms
    send them."""
    add_team_staff(session, world)
    session.commit()
    submissions.submit_visitor_request("conv-iv", {**ANONYMOUS, "iv_kind": "mentor", "iv_wish": "likes art",
                                                   "submission_id": "iv-1"})
    submissions.submit_complaint("conv-cp", {**ANONYMOUS, "cp_about": "they moved my school", "cp_home": "no",
                                             "cp_about_sw": "no", "cp_advocate": "no", "submission_id": "cp-1"})
    with session_scope() as s:
        request = s.execute(select(VisitorRequest)).scalar_one()
        complaint = s.execute(select(Complaint)).scalar_one()
        return {"request": request.contact, "complaint": complaint.anon_contact, "complaint_id": complaint.id,
                "request_id": request.id}


def test_the_records_keep_the_way_and_the_number_apart(sent) -> None:
    assert sent["request"] == "phone"
    assert sent["complaint"] == "phone"


async def test_the_review_app_shows_the_way_then_the_number(client, sent) -> None:
    await login(client, "iv.g")
    page = html.unescape(await (await client.get("/review/visitor-requests")).text())
    assert "Reach them: Phone me (their number is on the request's page)" in page
    assert "900123" not in page
    record = html.unescape(await (await client.get(f"/review/visitor-requests/{sent['request_id']}")).text())
    assert "Phone me" in record and "+447700900123" in record
    await client.post("/review/logout", data={})

    await login(client, "cm.h")
    page = html.unescape(await (await client.get(f"/review/complaints/{sent['complaint_id']}")).text())
    assert "A safe way to reach them: Phone me" in page and "Their number: <strong>+447700900123</strong>" in page
    assert "phone 07700 900123" not in page.lower()
