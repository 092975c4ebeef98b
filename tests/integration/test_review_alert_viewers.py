"""Restricting a safeguarding alert ("Who can see this alert") offers and accepts only people who can see that
alert at all (``bot.services.read_models.alert_viewers``): the council's other duty leads and the social worker
of the child it is about, unless it is about them. Before, every colleague was offered and accepted, so an IRO (who
has no alerts page) could be "one of 2 people" seeing an alert."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.engine import session_scope
from bot.db.models import SafeguardingAlert, StaffUser
from bot.services import alert_visibility, second_factor
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import _HASH, login, totp_secret


def _offered(page: str, alert_id: int) -> str:
    start = page.index(f'action="/review/alerts/{alert_id}/restrict"')
    return page[start:page.index("</form>", start)]


def _second_duty_lead(session, world) -> int:
    user = StaffUser(username="duty.x", display_name="DUTY.X", role="duty", local_authority_id=world.la,
                     password_hash=_HASH)
    session.add(user)
    session.flush()
    second_factor.set_secret(session, user, totp_secret("duty.x"), "system:test")
    session.commit()
    return user.id


def _viewers(engine, alert_id: int) -> list[int]:
    with session_scope(engine) as s:
        return alert_visibility.viewers(s, alert_id)


async def test_only_people_who_can_see_the_alert_are_offered_and_accepted(client, world, session, engine):
    other_duty = _second_duty_lead(session, world)
    users = world.users
    token = await login(client, "duty.e")
    page = await (await client.get("/review/alerts")).text()
    about_ada = _offered(page, world.alert_ada)
    for can in (other_duty, users["sw.a"]):  # another duty lead; Ada's social worker (Ada's record shows alerts)
        assert f'value="{can}"' in about_ada
    for cannot in (users["iro.c"], users["adv.d"], users["admin.f"], users["sw.b"]):  # no alerts page, not Ada's
        assert f'value="{cannot}"' not in about_ada
    anonymous = _offered(page, world.alert_anon)  # a child not signed in: only the duty team sees it
    assert f'value="{other_duty}"' in anonymous and f'value="{users["sw.a"]}"' not in anonymous

    async def restrict(*staff_ids: int) -> int:
        form = [("_csrf", token)] + [("staff_id", str(i)) for i in staff_ids]
        response = await client.post(f"/review/alerts/{world.alert_ada}/restrict", data=form, allow_redirects=False)
        return response.status

    assert await restrict(users["iro.c"]) == 303 and _viewers(engine, world.alert_ada) == []
    assert "only people who can see" in await (await client.get("/review/alerts")).text()
    assert await restrict(users["sw.a"], users["admin.f"]) == 303 and _viewers(engine, world.alert_ada) == []
    assert await restrict(users["sw.a"]) == 303
    assert _viewers(engine, world.alert_ada) == sorted([users["duty.e"], users["sw.a"]])

    with session_scope(engine) as s:  # the child said it is about their social worker: never shown to them
        s.execute(update(SafeguardingAlert).where(SafeguardingAlert.id == world.alert_ada)
                  .values(about_social_worker=True))
    page = await (await client.get("/review/alerts")).text()
    assert f'value="{users["sw.a"]}"' not in _offered(page, world.alert_ada)
    assert await restrict(users["sw.a"], other_duty) == 303
    assert _viewers(engine, world.alert_ada) == sorted([users["duty.e"], users["sw.a"]])  # refused: unchanged
    assert await restrict(other_duty) == 303
    assert _viewers(engine, world.alert_ada) == sorted([users["duty.e"], other_duty])
