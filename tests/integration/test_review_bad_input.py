"""A record id or a day no record can have, in a page's path, a query string, a form or the API, is a clear 400
or 404, never a server error (``bot.services.input_bounds``, through ``bot.web.review.common``). Before,
``/review/concerns?day=9999-12-31`` overflowed the calendar and a 20-digit id overflowed the database's integer
(500s)."""

from __future__ import annotations

import re

import pytest

from bot.db.models import StaffUser
from bot.services.api_tokens import create_token, scopes_for_role
from bot.db.engine import session_scope
from bot.web.review import PAGES, visitors
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import add_team_staff, login

HUGE = "99999999999999999999"
USER_OF_ROLE = {"social_worker": "sw.a", "iro": "iro.c", "advocacy": "adv.d", "duty": "duty.e", "admin": "admin.f",
                "iv_coordinator": "iv.g", "complaints": "cm.h"}
PATH_PARAM = re.compile(r"\{(\w+)\}")
NOT_IDS = ("child_id", "entity_type")  # a child's id is text; a record type is a word


@pytest.fixture
def team_staff(world, session) -> None:
    add_team_staff(session, world)
    session.commit()


def _routes_with_record_ids() -> list[tuple[str, str, tuple[str, ...]]]:
    """(method, path, roles allowed) of every review page whose path names a record by its number."""
    found = []
    for method, path, handler in PAGES + visitors.PAGES:
        if any(name not in NOT_IDS for name in PATH_PARAM.findall(path)):
            found.append((method, path, getattr(handler, "roles", ())))
    return found


def _url(path: str, world) -> str:
    path = path.replace("{child_id}", world.ada).replace("{entity_type}", "safeguarding_alert")
    return "/review" + PATH_PARAM.sub(HUGE, path)


async def test_the_reported_requests_are_400_or_404(client, world):
    token = await login(client, "duty.e")
    for day in ("9999-12-31", "0001-01-01", "2026-02-30", "soon"):
        response = await client.get(f"/review/concerns?day={day}")
        assert response.status == 400 and "year-month-day" in await response.text()
    assert (await client.get("/review/concerns")).status == 200  # no day: today
    acknowledged = await client.post(f"/review/alerts/{HUGE}/acknowledge", data={"_csrf": token, "note": "x"})
    assert acknowledged.status == 404
    client.session.cookie_jar.clear()
    await login(client, "adv.d")
    assert (await client.get("/review/referrals/99999999999999999999999")).status == 404


async def test_every_route_naming_a_record_refuses_a_number_no_record_can_have(client, world, team_staff):
    routes = _routes_with_record_ids()
    assert len(routes) > 20
    for role, username in USER_OF_ROLE.items():
        client.session.cookie_jar.clear()
        token = await login(client, username)
        for method, path, roles in routes:
            if role not in roles:
                continue
            url = _url(path, world)
            response = await (client.get(url) if method == "GET" else client.post(url, data={"_csrf": token}))
            assert response.status == 404, (role, method, url, response.status)


async def test_ids_and_days_in_forms_queries_and_the_api_are_bounded(client, world, engine):
    token = await login(client, "sw.a")
    for field, day in (("held_on", "9999-12-31"), ("held_on", "0001-01-01"), ("next_review_date", "9999-12-31")):
        form = {"_csrf": token, "held_on": "2026-01-05", field: day}
        assert (await client.post(f"/review/children/{world.ada}/reviews", data=form)).status == 400
    care = await client.post(f"/review/children/{world.ada}/care-start",
                             data={"_csrf": token, "entered_care_on": "0001-01-01"})
    assert care.status == 400
    register = await client.post(f"/review/register/{world.ada}", data={
        "_csrf": token, "chosen_name": "Ada", "age_band": "11-13", "date_of_birth": "31/12/9999",
        "next_review_date": "0001-01-01", "social_worker": "sw.a"})
    page = await register.text()
    assert register.status == 400 and "31/12/9999 is not a date" in page and "0001-01-01 is not a date" in page
    with session_scope(engine) as s:
        owner = s.get(StaffUser, world.users["sw.a"])
        bearer = {"Authorization": f"Bearer {create_token(s, owner, 't', list(scopes_for_role(owner.role)))[1]}"}
    for since in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        response = await client.get(f"/review/api/v1/statements?since={since.replace('+', '%2B')}", headers=bearer)
        assert response.status == 400, since

    client.session.cookie_jar.clear()
    token = await login(client, "duty.e")
    restricted = await client.post(f"/review/alerts/{world.alert_ada}/restrict",
                                   data={"_csrf": token, "staff_id": HUGE}, allow_redirects=False)
    assert restricted.status == 303 and "only people who can see" in await (await client.get("/review/alerts")).text()
    client.session.cookie_jar.clear()
    token = await login(client, "admin.f")
    assert (await client.get(f"/review/admin/audit?before={HUGE}")).status == 200
    routed = await client.post(f"/review/admin/unrouted/safeguarding_alert/{world.alert_anon}/route",
                               data={"_csrf": token, "council_id": HUGE}, allow_redirects=False)
    assert routed.status == 303  # no such council chosen: back to the list
