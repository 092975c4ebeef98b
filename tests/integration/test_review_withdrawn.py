"""Issue 20 in the review app: staff see what a child took back ("Withdrawn by the child on <date>") on the
referral page, in the queue and on the child's record; a withdrawn statement is marked and keeps its words;
an appointed visitor the child no longer wants is shown on the child's record."""

from __future__ import annotations

from datetime import date

from bot.db.visitor_models import CHECK_KINDS
from bot.services.visitor_checks import record_checks
from bot.db.models import utcnow
from bot.services import children, visitors, withdrawals
from bot.web.review.common import fmt_date
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import login


def take_back(session, conversation_id: str, record_type: str, record_id: int) -> None:
    """What the chat's "Take it back" does, in the test's session (committed)."""
    ref = withdrawals.sent_ref(record_type, record_id)
    assert withdrawals.withdraw_own(session, conversation_id, ref) == withdrawals.WITHDRAWN
    session.commit()


def withdrawn_today() -> str:
    return f"Withdrawn by the child on {fmt_date(utcnow())}"


async def test_a_withdrawn_referral_is_shown_in_the_queue_and_on_its_page_and_staff_can_close_it(client, world,
                                                                                              session):
    take_back(session, "conv-anon", "advocacy_referral", world.anon)  # an anonymous child, its own conversation
    token = await login(client, "adv.d")
    queue = await (await client.get("/review/referrals")).text()  # still in the open queue: nobody misses it
    row = queue[queue.index(f"Referral {world.anon}<"):]
    assert withdrawn_today() in row[: row.index("</tr>")]
    page = await (await client.get(f"/review/referrals/{world.anon}")).text()
    assert withdrawn_today() in page and "nobody listens" in page  # their words stay for the record
    assert 'value="closed"' in page and 'value="acknowledged"' not in page
    closed = await client.post(f"/review/referrals/{world.anon}/status",
                               data={"_csrf": token, "to_status": "closed", "note": "seen"}, allow_redirects=False)
    assert closed.status == 303
    assert f"Referral {world.anon}<" not in await (await client.get("/review/referrals")).text()
    closed_tab = await (await client.get("/review/referrals?show=closed")).text()
    assert f"Referral {world.anon}<" in closed_tab and withdrawn_today() in closed_tab


async def test_the_childs_record_shows_a_withdrawn_referral_request_and_statement(client, world, session):
    children.link_conversation(session, "conv-ada-chat", world.ada, "web")
    request = visitors.request_visitor(session, idempotency_key="iv-ada", conversation_id="conv-ada-chat",
                                       child_id=world.ada, kind="mentor", wishes="likes drawing")
    session.commit()
    for record_type, record_id in (("advocacy_referral", world.told), ("wishes_statement", world.shared),
                                   ("visitor_request", request.id)):
        take_back(session, "conv-ada-chat", record_type, record_id)
    await login(client, "sw.a")
    page = await (await client.get(f"/review/children/{world.ada}")).text()
    assert page.count(withdrawn_today()) == 3  # the referral, the statement and the request
    assert "took these answers back" in page and "More time\nwith my brother" in page  # the words stay
    printed = await (await client.get(f"/review/children/{world.ada}/statements/{world.shared}/print")).text()
    assert "Withdrawn by Ada on" in printed and "More time\nwith my brother" in printed


async def test_an_appointed_visitor_the_child_no_longer_wants_is_on_their_record(client, world, session):
    children.link_conversation(session, "conv-ben-chat", world.ben, "web")
    visitors.answer_match(session, match_id=world.ben_match, idempotency_key="yes", accept=True)
    record_checks(session, match_id=world.ben_match,
                  completed={k: date(2026, 1, 5) for k in CHECK_KINDS}, actor="staff:sw.test")
    visitors.appoint(session, world.ben_match, "staff:sw.b")
    visitors.request_end_of_own_match(session, conversation_id="conv-ben-chat", words="he never <b>listens</b>")
    session.commit()
    await login(client, "sw.b")
    page = await (await client.get(f"/review/children/{world.ben}")).text()
    assert f"Asked not to see them any more on {fmt_date(utcnow())}" in page
    assert "he never &lt;b&gt;listens&lt;/b&gt;" in page
