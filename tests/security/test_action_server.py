"""Attacks on the action server (issue 13, item 1: "the action server believes whatever it is sent").

Before the fix one POST to :5055/webhook, from anywhere, with made-up slots objected to another child's
visitor match and filed a wishes statement in another child's name, audited as that child's own act. Here:

* a real action server, started the way every launcher starts it (``tests.stack.start_actions``), refuses a
  webhook call without the shared secret Rasa sends, stores nothing, and listens on loopback only;
* with the secret, a request whose slots name another child, or another child's match, is refused, audited
  (with the conversation's reference, never the child's words) and stores nothing, and the child is told
  kindly that nothing was sent;
* the child on a record is always the one the conversation is linked to, never a slot.

Marked ``db``: ``./heard test`` runs them on SQLite and again on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import rasa_sdk
import requests
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from tests.conftest import BASE_DATABASE_URL, TEST_SECRET_KEY
from tests.stack import ROOT, base_env, free_port, start_actions
from tests.tools.domain import load_domain

pytestmark = [pytest.mark.db]

SECRET_HEADER = "X-Heard-Action-Secret"
ACTION_SECRET = "security-test-action-secret-0123456789abcdef"
DOMAIN = load_domain()
WISHES = {"w_review_date": "unknown", "w_going_well": "my room", "w_not_going_well": "",
          "w_change": "MY PRIVATE WORDS see mum more", "w_who_at_meeting": "my nan", "w_attend": "self",
          "w_for_iro": "", "w_share_with": ["iro"], "w_confirm": "send"}


# ---------------------------------------------------------------- a tracker as Rasa sends it


def tracker_state(sender: str, slots: dict[str, Any], text: str = "send", intent: str = "inform",
                  channel: str = "rest") -> dict[str, Any]:
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    return {
        "sender_id": sender,
        "slots": {slot: None for slot in DOMAIN["slots"]} | {"requested_slot": None} | slots,
        "latest_message": message,
        "events": [{"event": "user", "text": text, "input_channel": channel, "parse_data": message}],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }


def action_call(action: str, sender: str, slots: dict[str, Any], **message: str) -> dict[str, Any]:
    """The JSON body Rasa posts to the action server's /webhook."""
    return {"next_action": action, "sender_id": sender, "tracker": tracker_state(sender, slots, **message),
            "domain": DOMAIN, "version": rasa_sdk.__version__}


def run_action(action: Any, sender: str, slots: dict[str, Any], **message: str) -> tuple[str, list[dict]]:
    """Run an action in this process, as the action server would: (what the child is told, events)."""
    tracker = Tracker.from_dict(tracker_state(sender, slots, **message))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return "\n".join(m.get("text") or "" for m in dispatcher.messages), events


def conversation() -> str:
    return f"conv-{uuid.uuid4().hex[:12]}"


# ---------------------------------------------------------------- reading the database


def link(conversation_id: str, child_id: str, channel: str = "web") -> None:
    from bot.db.engine import session_scope
    from bot.services import children

    with session_scope() as s:
        children.link_conversation(s, conversation_id, child_id, channel)


def count(model: Any, *where: Any) -> int:
    from bot.db.engine import session_scope

    with session_scope() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def refusals(conversation_id: str) -> list[Any]:
    """The audit events of requests refused from this conversation."""
    from bot.db.engine import session_scope
    from bot.db.models import AuditEvent
    from bot.services.audit import conversation_actor

    with session_scope() as s:
        rows = s.execute(select(AuditEvent).where(AuditEvent.actor == conversation_actor(conversation_id),
                                                  AuditEvent.action == "refused")).scalars().all()
        s.expunge_all()
        return rows


def match_status(match_id: int) -> str:
    from bot.db.engine import session_scope
    from bot.db.models import VisitorMatch

    with session_scope() as s:
        return s.get(VisitorMatch, match_id).status


def statements_of(child_id: str | None) -> int:
    from bot.db.models import WishesStatement

    return count(WishesStatement, WishesStatement.child_id == child_id)


def assert_refused(said: str, conversation_id: str, entity: tuple[str, str] | None = None) -> None:
    from bot.dialogue.messages import catalogue

    assert catalogue()["request_refused"]["text"] in said
    assert "Done" not in said
    events = refusals(conversation_id)
    assert len(events) == 1, "every refusal is audited, once"
    if entity is not None:
        assert (events[0].entity_type, events[0].entity_id) == entity
    assert "PRIVATE" not in (events[0].detail or "") and "too old" not in (events[0].detail or "")


# ---------------------------------------------------------------- a real action server


@dataclass
class Served:
    url: str
    children: dict[str, str]
    match_id: int
    logs: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A migrated, seeded database (a PostgreSQL schema of its own when HEARD_DATABASE_URL says so) and a real
    action server on it, started as every launcher starts it."""
    admin = schema = None
    if BASE_DATABASE_URL and make_url(BASE_DATABASE_URL).get_backend_name() == "postgresql":
        schema = f"heard_sec_{uuid.uuid4().hex[:10]}"
        admin = create_engine(BASE_DATABASE_URL, future=True, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(BASE_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        url = url.render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('sec') / 'heard.db'}"
    logs = tmp_path_factory.mktemp("sec-logs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HEARD_DATABASE_URL", url)
        patch.setenv("HEARD_SECRET_KEY", TEST_SECRET_KEY)
        from bot.db.engine import dispose_engines, session_scope
        from bot.db.migrate import upgrade
        from bot.services.seed import seed_demo

        upgrade(url)
        with session_scope() as s:
            demo = seed_demo(s)
        port = free_port()
        env = base_env(HEARD_DATABASE_URL=url, HEARD_SECRET_KEY=TEST_SECRET_KEY, HEARD_VAR_DIR=str(logs),
                       HEARD_ACTION_SECRET=ACTION_SECRET)
        server = start_actions(env, port, logs)
        try:
            yield Served(f"http://127.0.0.1:{port}", demo["children"], demo["match_id"], logs)
        finally:
            server.stop()
            dispose_engines()
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                admin.dispose()


def post(served: Served, call: dict[str, Any], **kwargs: Any) -> requests.Response:
    return requests.post(f"{served.url}/webhook", json=call, timeout=60, **kwargs)


def with_secret() -> dict[str, dict[str, str]]:
    return {"headers": {SECRET_HEADER: ACTION_SECRET}}


def reply_text(response: requests.Response) -> str:
    return "\n".join(r.get("text") or "" for r in response.json().get("responses", []))


# ---------------------------------------------------------------- 1. no secret, no entry


def test_a_webhook_call_without_the_shared_secret_is_refused_and_stores_nothing(served: Served) -> None:
    victim = served.children["Jade"]
    before = statements_of(victim)
    call = action_call("action_submit_wishes", conversation(), {**WISHES, "child_id": victim})
    attempts = [
        {},                                                              # nothing
        {"headers": {SECRET_HEADER: "guess"}},                           # a wrong secret
        {"headers": {SECRET_HEADER: ACTION_SECRET[:-1]}},                # nearly right
        {"headers": {SECRET_HEADER: ACTION_SECRET + "x"}},               # longer
        {"params": {"token": ACTION_SECRET}},                            # in the URL (it would be logged)
        {"headers": {"Authorization": f"Bearer {ACTION_SECRET}"}},       # another header
    ]
    for attempt in attempts:
        response = post(served, call, **attempt)
        assert response.status_code in (401, 403), (attempt, response.status_code)
        assert ACTION_SECRET not in response.text and "PRIVATE" not in response.text
    assert statements_of(victim) == before


def test_every_other_path_but_health_needs_the_secret_too(served: Served) -> None:
    assert requests.get(f"{served.url}/health", timeout=10).status_code == 200
    assert requests.get(f"{served.url}/actions", timeout=10).status_code in (401, 403)
    assert requests.get(f"{served.url}/actions", timeout=10, **with_secret()).status_code == 200


def test_no_browser_may_call_the_action_server(served: Served) -> None:
    """No CORS: a page elsewhere cannot make a child's browser call the action server."""
    preflight = requests.options(f"{served.url}/webhook", timeout=10, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert preflight.headers.get("Access-Control-Allow-Origin") in (None, "")


def _listening_addresses(port: int) -> set[str]:
    """The local addresses of every socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket table")
def test_the_action_server_listens_on_loopback_only(served: Served) -> None:
    port = int(served.url.rsplit(":", 1)[1])
    addresses = _listening_addresses(port)
    assert addresses, "nothing listening"
    loopback = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1
    assert addresses <= loopback, f"listening beyond loopback: {addresses}"


def test_a_failing_action_echoes_nothing_back_and_logs_no_words(served: Served) -> None:
    """rasa-sdk's own error handler sent the whole request (the child's words) back in the 500 and logged it."""
    slots = {**WISHES, "w_share_with": 5, "submission_id": uuid.uuid4().hex}  # list(5): the action fails
    response = post(served, action_call("action_submit_wishes", conversation(), slots), **with_secret())
    assert response.status_code == 500
    assert "PRIVATE" not in response.text and "tracker" not in response.text
    log = next(served.logs.glob("actions-*.log")).read_text(errors="replace")
    assert "TypeError" in log and "PRIVATE" not in log


def test_the_action_server_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    for secret in (None, "", "short"):
        env = base_env(HEARD_VAR_DIR=str(tmp_path), HEARD_ACTION_PORT=str(free_port()))
        env.pop("HEARD_ACTION_SECRET", None)
        if secret is not None:
            env["HEARD_ACTION_SECRET"] = secret
        done = subprocess.run([sys.executable, "-m", "bot.action_server"], cwd=ROOT, env=env, timeout=90,
                              capture_output=True, text=True)
        assert done.returncode != 0
        assert "HEARD_ACTION_SECRET" in done.stderr


def test_the_header_name_is_the_one_rasa_is_told_to_send() -> None:
    import yaml

    from bot.action_server import SECRET_HEADER as SERVER_HEADER

    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    assert SERVER_HEADER == SECRET_HEADER
    assert endpoints["action_endpoint"]["headers"] == {SECRET_HEADER: "${HEARD_ACTION_SECRET}"}
    assert "token" not in endpoints["action_endpoint"]  # a token would travel in the URL


def test_rasa_refuses_to_start_when_the_secret_is_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("HEARD_ACTION_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv("HEARD_ACTION_SECRET", ACTION_SECRET)
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    assert config.headers == {SECRET_HEADER: ACTION_SECRET} and not config.token
    monkeypatch.delenv("HEARD_ACTION_SECRET")
    with pytest.raises(RasaException):
        read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")


# ---------------------------------------------------------------- 2. with the secret, made-up slots


def test_a_wishes_statement_in_another_childs_name_is_refused_audited_and_not_stored(served: Served) -> None:
    victim = served.children["Jade"]
    before = statements_of(victim)
    attacker = conversation()  # never signed in
    response = post(served, action_call("action_submit_wishes", attacker, {**WISHES, "child_id": victim}),
                    **with_secret())
    assert response.status_code == 200
    assert statements_of(victim) == before
    assert_refused(reply_text(response), attacker, ("child", victim))


def test_a_signed_in_child_cannot_file_in_another_childs_name(served: Served) -> None:
    victim, attacker_child = served.children["Jade"], served.children["Riya"]
    before = (statements_of(victim), statements_of(attacker_child))
    attacker = conversation()
    link(attacker, attacker_child)
    response = post(served, action_call("action_submit_wishes", attacker, {**WISHES, "child_id": victim}),
                    **with_secret())
    assert (statements_of(victim), statements_of(attacker_child)) == before
    assert_refused(reply_text(response), attacker, ("child", victim))


def test_an_objection_to_another_childs_match_is_refused_audited_and_not_stored(served: Served) -> None:
    assert match_status(served.match_id) == "proposed"  # the demo match is Leo's
    for signed_in_as in (None, served.children["Mo"]):
        attacker = conversation()
        if signed_in_as:
            link(attacker, signed_in_as)
        slots = {"match_id": str(served.match_id), "match_decision": "object", "match_reason": "too old",
                 "submission_id": uuid.uuid4().hex}
        response = post(served, action_call("action_submit_match_answer", attacker, slots), **with_secret())
        assert response.status_code == 200
        assert match_status(served.match_id) == "proposed"
        assert_refused(reply_text(response), attacker, ("visitor_match", str(served.match_id)))


def test_the_child_on_the_record_is_the_conversations_child(served: Served) -> None:
    from bot.db.engine import session_scope
    from bot.db.models import AuditEvent, WishesStatement
    from bot.services.audit import conversation_ref

    child = served.children["Mo"]
    mine = conversation()
    link(mine, child, "sms")
    for slot in (child, None):  # the slot is display state only: with or without it, the link decides
        slots = {**WISHES, "child_id": slot, "submission_id": uuid.uuid4().hex}
        response = post(served, action_call("action_submit_wishes", mine, slots), **with_secret())
        assert "Done!" in reply_text(response)
    with session_scope() as s:
        rows = s.execute(select(WishesStatement).where(
            WishesStatement.conversation_ref == conversation_ref(mine))).scalars().all()
        assert [r.child_id for r in rows] == [child, child]
        actors = s.execute(select(AuditEvent.actor).where(
            AuditEvent.entity_type == "wishes_statement",
            AuditEvent.entity_id.in_([str(r.id) for r in rows]))).scalars().all()
        assert set(actors) == {f"child:{child}"}
    assert refusals(mine) == []


# ---------------------------------------------------------------- 3. every form, in this process


@pytest.fixture
def actions() -> Any:
    from actions import submit

    return submit.SUBMIT_ACTIONS


REFERRAL = {"adv_reason": "review", "adv_words": "MY PRIVATE WORDS", "contact_how": "text",
            "contact_when": "evening", "adv_tell_sw": "no"}
VISITOR = {"iv_kind": "mentor", "iv_wish": "MY PRIVATE WORDS likes music"}


def test_no_form_is_sent_in_another_childs_name(demo: dict, actions: Any) -> None:
    from bot.db.models import AdvocacyReferral, VisitorRequest, WishesStatement

    victim = demo["children"]["Jade"]
    for form, slots, model in (("advocate_form", REFERRAL, AdvocacyReferral), ("wishes_form", WISHES, WishesStatement),
                               ("visitor_form", VISITOR, VisitorRequest)):
        attacker = conversation()
        said, events = run_action(actions[form](), attacker, {**slots, "child_id": victim, "submission_id": "s1"})
        assert count(model) == 0, form
        assert_refused(said, attacker, ("child", victim))
        assert not any(e.get("name") == "pending_submit" and e.get("value") for e in events)
        assert {e["name"]: e["value"] for e in events if e.get("event") == "slot"}["child_id"] is None


def test_a_stale_child_id_from_a_purged_record_does_not_stop_a_child_sending(demo: dict, actions: Any) -> None:
    """A slot naming no child at all (a record purged since) is not another child: the form is sent,
    against the conversation only, as before."""
    from bot.db.models import AdvocacyReferral

    said, _ = run_action(actions["advocate_form"](), conversation(),
                         {**REFERRAL, "child_id": "c_gone000000", "anon_name": "Jo", "submission_id": "s2"})
    assert "Done!" in said
    assert count(AdvocacyReferral, AdvocacyReferral.child_id.is_(None)) == 1


def test_a_made_up_match_id_is_refused_and_audited(demo: dict, actions: Any) -> None:
    for match_id in ("999999", "1 OR 1=1", "", None, "-1", True, {"id": 1}, "²", "9" * 30, 2**70):
        mine = conversation()
        link(mine, demo["children"]["Leo"])  # a child with a match of their own, sending a made-up one
        slots = {"match_id": match_id, "match_decision": "object", "match_reason": "too old", "submission_id": "m"}
        said, _ = run_action(actions["match_form"](), mine, slots)
        assert match_status(demo["match_id"]) == "proposed", match_id
        assert_refused(said, mine)


def test_a_match_no_longer_waiting_is_refused_kindly_not_crashed(demo: dict, actions: Any) -> None:
    from bot.db.engine import session_scope
    from bot.services import visitors

    leo = demo["children"]["Leo"]
    mine = conversation()
    link(mine, leo)
    with session_scope() as s:
        visitors.withdraw(s, demo["match_id"], "staff:sw.amara")
    slots = {"match_id": str(demo["match_id"]), "match_decision": "accept", "submission_id": "m2"}
    said, _ = run_action(actions["match_form"](), mine, slots)
    assert_refused(said, mine, ("visitor_match", str(demo["match_id"])))
    assert match_status(demo["match_id"]) == "withdrawn"


def test_the_childs_own_answer_is_stored_once_and_a_retry_is_not_refused(demo: dict, actions: Any) -> None:
    leo = demo["children"]["Leo"]
    mine = conversation()
    link(mine, leo)
    slots = {"match_id": str(demo["match_id"]), "match_decision": "object", "match_reason": "too old",
             "submission_id": "m3", "child_id": leo}
    said, _ = run_action(actions["match_form"](), mine, slots)
    assert "will not be your visitor" in said
    said, _ = run_action(actions["match_form"](), mine, slots)  # the same send again (a retry, a double tap)
    assert "will not be your visitor" in said
    assert match_status(demo["match_id"]) == "objected" and refusals(mine) == []


# ---------------------------------------------------------------- 4. other child lookups in actions


def test_a_safeguarding_alert_is_never_filed_against_a_child_named_in_a_slot(demo: dict) -> None:
    from actions.safeguarding import SafeguardingResponse
    from bot.db.engine import session_scope
    from bot.db.models import SafeguardingAlert

    victim, leo = demo["children"]["Jade"], demo["children"]["Leo"]
    mine = conversation()
    link(mine, leo)
    for sender, slot in ((conversation(), victim), (mine, victim), (mine, None)):
        said, _ = run_action(SafeguardingResponse(), sender, {"child_id": slot}, text="he hurts me",
                             intent="disclose_harm")
        assert "0800 1111" in said
    with session_scope() as s:
        owners = [a.child_id for a in s.execute(select(SafeguardingAlert).order_by(SafeguardingAlert.id)).scalars()]
    assert owners == [None, leo, leo]


def test_preferences_change_only_for_the_conversations_child(demo: dict) -> None:
    from actions.accessibility import ReadAloud, SetReadingLevel
    from bot.db.engine import session_scope
    from bot.db.models import Child

    victim, riya = demo["children"]["Jade"], demo["children"]["Riya"]
    mine = conversation()
    link(mine, riya)
    run_action(ReadAloud(), conversation(), {"child_id": victim}, text="read it", intent="read_aloud")
    run_action(SetReadingLevel(), conversation(), {"child_id": victim},
               text='/choose_reading_level{"choice":"younger"}', intent="choose_reading_level")
    run_action(ReadAloud(), mine, {"child_id": victim}, text="read it", intent="read_aloud")
    with session_scope() as s:
        jade, riya_row = s.get(Child, victim), s.get(Child, riya)
        assert (jade.audio_on, jade.reading_level) == (False, "older")  # Jade is 14-15: older by default
        assert riya_row.audio_on is True
