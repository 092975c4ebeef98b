"""Taking back what was sent (issue 20) is the conversation's own act, never the slot's.

The ``last_sent`` slot says which record a "Take it back" means; it comes from the conversation, so it can be
forged (a made-up tracker posted to the action server, a tampered tracker store). Here:

* another conversation cannot take back what it did not send: an anonymous conversation only its own record
  (its ``conversation_ref``), a signed-in child only their own;
* a forged slot naming another child's record (or garbage) takes nothing back: the refusal is audited with the
  conversation's reference, the record is unchanged, and the child is told kindly that nothing changed;
* a conversation whose sign-in staff ended is no longer that child's;
* a "no" to a visitor after a yes is only ever for the conversation's own child's match.

Marked ``db``: ``./heard test`` runs them on SQLite and again on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest

from actions import sent
from bot.db.engine import session_scope
from bot.db.models import AdvocacyReferral, VisitorMatch, VisitorRequest, WishesStatement
from bot.dialogue.messages import catalogue
from bot.services import visitors, withdrawals
from bot.usecases import child_requests
from tests.security.test_action_server import conversation, link, refusals, run_action

pytestmark = [pytest.mark.db]


def send_referral(conversation_id: str, child_id: str | None) -> str:
    return child_requests.submit_referral(
        idempotency_key=f"k-{conversation_id}", conversation_id=conversation_id, claimed_child_id=child_id,
        reason="review", words="PRIVATE words", contact_how=None, contact_when=None, tell_social_worker=False,
        anon_name=None if child_id else "Jo", local_authority=None,
    ).ref


def status_of(model: Any, ref: str) -> Any:
    _type, record_id = withdrawals.parse_sent_ref(ref)
    with session_scope() as s:
        row = s.get(model, record_id)
        return getattr(row, "status", None) or row.withdrawn_at


def take_back(sender: str, last_sent: Any) -> str:
    said, _ = run_action(sent.WithdrawSent(), sender, {"last_sent": last_sent}, text="/withdraw_sent",
                         intent="withdraw_sent")
    return said


def assert_refused_kindly(said: str, sender: str, entity: tuple[str, str | None]) -> None:
    assert catalogue()["withdraw_refused"]["text"] in said
    assert "took it back" not in said.lower()
    [event] = refusals(sender)
    assert (event.entity_type, event.entity_id) == entity
    assert "PRIVATE" not in (event.detail or "")


def test_another_conversation_cannot_take_back_what_an_anonymous_conversation_sent(demo: dict) -> None:
    owner, other = conversation(), conversation()
    ref = send_referral(owner, None)
    said = take_back(other, ref)
    assert_refused_kindly(said, other, ("advocacy_referral", ref.split(":")[1]))
    assert status_of(AdvocacyReferral, ref) == "new"
    signed_in = conversation()  # a signed-in child's conversation cannot take it back either
    link(signed_in, demo["children"]["Leo"])
    take_back(signed_in, ref)
    assert status_of(AdvocacyReferral, ref) == "new" and len(refusals(signed_in)) == 1
    assert "took it back" in take_back(owner, ref)  # its own conversation can
    assert status_of(AdvocacyReferral, ref) == "withdrawn"


def test_a_forged_slot_cannot_take_back_another_childs_records(demo: dict) -> None:
    jade, leo = demo["children"]["Jade"], demo["children"]["Leo"]
    jades = conversation()
    link(jades, jade)
    referral = send_referral(jades, jade)
    request = child_requests.request_visitor(idempotency_key="v-j", conversation_id=jades, claimed_child_id=jade,
                                             kind="mentor", wishes="PRIVATE").ref
    statement = child_requests.submit_wishes(
        idempotency_key="w-j", conversation_id=jades, claimed_child_id=jade, review_date=None, review_label=None,
        answers=[("change", "What?", "PRIVATE")], share_with=["iro"], drafted_at=None).ref
    for ref, model in ((referral, AdvocacyReferral), (request, VisitorRequest), (statement, WishesStatement)):
        for attacker_child in (leo, None):  # Leo's conversation, and one nobody signed in to
            attacker = conversation()
            if attacker_child:
                link(attacker, attacker_child)
            before = status_of(model, ref)
            said = take_back(attacker, ref)
            assert_refused_kindly(said, attacker, (ref.split(":")[0], ref.split(":")[1]))
            assert status_of(model, ref) == before


@pytest.mark.parametrize("forged", ["advocacy_referral:999999", "advocacy_referral:1 OR 1=1", "child:c_x",
                                    "advocacy_referral:-1", "wishes_statement:" + "9" * 30, 7, True,
                                    {"id": 1}, ["advocacy_referral:1"]])
def test_a_made_up_slot_takes_nothing_back_and_is_audited(demo: dict, forged: Any) -> None:
    jades = conversation()
    link(jades, demo["children"]["Jade"])
    ref = send_referral(jades, demo["children"]["Jade"])
    attacker = conversation()
    said = take_back(attacker, forged)
    assert catalogue()["withdraw_refused"]["text"] in said
    assert len(refusals(attacker)) == 1 and status_of(AdvocacyReferral, ref) == "new"


def test_a_conversation_whose_sign_in_was_ended_is_no_longer_the_childs(demo: dict) -> None:
    from sqlalchemy import delete

    from bot.db.models import ConversationLink
    from bot.services.audit import conversation_ref

    jade = demo["children"]["Jade"]
    mine = conversation()
    link(mine, jade)
    ref = send_referral(mine, jade)
    with session_scope() as s:  # staff ended this chat's sign-in ("End this sign-in")
        s.execute(delete(ConversationLink).where(ConversationLink.conversation_ref == conversation_ref(mine)))
    assert catalogue()["withdraw_refused"]["text"] in take_back(mine, ref)
    assert status_of(AdvocacyReferral, ref) == "new"


def test_a_no_after_yes_is_only_for_the_conversations_own_childs_match(demo: dict) -> None:
    with session_scope() as s:
        leo = s.get(VisitorMatch, demo["match_id"]).child_id
    leos, jades = conversation(), conversation()
    link(leos, leo)
    link(jades, demo["children"]["Jade"])
    child_requests.answer_match(conversation_id=leos, match_id=demo["match_id"], idempotency_key="y", accept=True)
    with pytest.raises(child_requests.NotYours):
        child_requests.answer_match(conversation_id=jades, match_id=demo["match_id"], idempotency_key="n",
                                    accept=False, reason="PRIVATE")
    with session_scope() as s:
        assert s.get(VisitorMatch, demo["match_id"]).status == "accepted"
        assert visitors.request_end_of_own_match(s, conversation_id=jades, words="PRIVATE") is None
    assert len(refusals(jades)) == 1
