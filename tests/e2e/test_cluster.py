"""Two Rasa servers and two action servers on one PostgreSQL and one Redis: one conversation's messages,
sent alternately and concurrently to both servers, come out whole and in order, with its records."""

from __future__ import annotations

import concurrent.futures
import os
import socket
import uuid
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.conftest import TEST_SECRET_KEY
from tests.stack import MODEL, base_env, free_port, mint_jwt, new_secret, start_actions, start_rasa

PG = os.environ.get("HEARD_DATABASE_URL", "")
REDIS_URL = os.environ.get("HEARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
JWT_SECRET = new_secret()  # the test's own: Rasa's HTTP API is on for these servers only
ACTION_SECRET = new_secret()  # what the Rasa servers send the action servers


def _reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), 2).close()
        return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run ./heard train"),
    pytest.mark.skipif(not PG.startswith("postgresql"), reason="runs in the PostgreSQL pass of ./heard test"),
    pytest.mark.skipif(not _reachable("127.0.0.1", 6379), reason="Redis is not reachable on 127.0.0.1:6379"),
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    schema = f"heard_cluster_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
    from bot.db.migrate import upgrade

    upgrade(url)
    logs = tmp_path_factory.mktemp("cluster")
    processes = []
    try:
        urls = []
        action_ports = [free_port(), free_port()]
        for port in action_ports:
            env = base_env(HEARD_DATABASE_URL=url, HEARD_REDIS_URL=REDIS_URL, HEARD_VAR_DIR=str(logs),
                           HEARD_SECRET_KEY=TEST_SECRET_KEY, HEARD_ACTION_SECRET=ACTION_SECRET)
            processes.append(start_actions(env, port, logs))
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            futures = []
            for action_port in action_ports:
                port = free_port()
                env = base_env(HEARD_DATABASE_URL=url, HEARD_REDIS_URL=REDIS_URL, HEARD_VAR_DIR=str(logs),
                               HEARD_SECRET_KEY=TEST_SECRET_KEY, HEARD_ACTION_SECRET=ACTION_SECRET,
                               HEARD_ACTION_URL=f"http://127.0.0.1:{action_port}/webhook")
                futures.append(pool.submit(start_rasa, env, port, logs, JWT_SECRET))
                urls.append(f"http://127.0.0.1:{port}")
            processes += [f.result() for f in futures]
        os.environ["HEARD_CLUSTER_DB"] = url
        yield urls
    finally:
        for process in processes:
            process.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def say(url: str, sender: str, message: str) -> list[dict]:
    reply = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60)
    reply.raise_for_status()
    return reply.json()


def tracker_events(url: str, sender: str) -> list[dict]:
    reply = requests.get(f"{url}/conversations/{sender}/tracker",
                         headers={"Authorization": f"Bearer {mint_jwt(JWT_SECRET)}"}, timeout=30)
    reply.raise_for_status()
    return reply.json()["events"]


def test_alternating_servers_complete_a_referral(cluster: list[str]) -> None:
    from bot.db.models import AdvocacyReferral

    me = f"cluster-{uuid.uuid4().hex[:8]}"
    script = ["i want an advocate", "1", "they moved my school without asking", "Ali", "Cumbria",
              '/inform{"choice":"carer"}', '/inform{"choice":"weekend"}', "yes", "send"]  # issue 20: the check
    replies = [say(cluster[i % 2], me, message) for i, message in enumerate(script)]
    assert "Done!" in replies[-1][0]["text"]
    os.environ["HEARD_SECRET_KEY"] = TEST_SECRET_KEY  # the servers' key (set by tests/conftest.py too)
    with Session(create_engine(os.environ["HEARD_CLUSTER_DB"], future=True)) as s:
        rows = s.execute(select(AdvocacyReferral)).scalars().all()
    assert [r.words for r in rows] == ["they moved my school without asking"]
    assert rows[0].anon_name == "Ali" and rows[0].contact_when == "weekend"


def test_concurrent_messages_to_both_servers_are_handled_one_at_a_time(cluster: list[str]) -> None:
    me = f"cluster-{uuid.uuid4().hex[:8]}"
    say(cluster[0], me, "hi")
    questions = ["what is an iro", "what is a review", "what is an advocate", "who sees what i write"] * 3
    with concurrent.futures.ThreadPoolExecutor(len(questions)) as pool:
        replies = list(pool.map(lambda iq: say(cluster[iq[0] % 2], me, iq[1]), enumerate(questions)))
    assert all(r and r[0].get("text") for r in replies)
    events = tracker_events(cluster[1], me)
    users = [e for e in events if e["event"] == "user"]
    assert len(users) == 1 + len(questions)
    # Whole and in order: every message is followed by its own answer before the next message starts.
    turns: list[list[dict]] = []
    for event in events:
        if event["event"] == "user":
            turns.append([])
        elif turns:
            turns[-1].append(event)
    for turn in turns:
        actions = [e.get("name") for e in turn if e["event"] == "action"]
        assert actions[-1] == "action_listen", actions
        assert sum(1 for e in turn if e["event"] == "bot") >= 1
        assert actions.count("action_listen") == 1, actions


def test_two_web_servers_run_the_outreach_job_and_each_message_goes_once(cluster: list[str],
                                                                         tmp_path_factory) -> None:
    """Issue 16: the outreach job runs in every web server; a proposed match is sent to the child once."""
    import subprocess
    import sys
    import time

    from bot.db.engine import session_scope
    from bot.db.outbound_models import OutboundMessage
    from bot.services import visitors
    from bot.services.seed import seed_demo
    from tests.stack import ROOT, Process, wait_http

    url = os.environ["HEARD_CLUSTER_DB"]
    os.environ["HEARD_SECRET_KEY"] = TEST_SECRET_KEY
    engine = create_engine(url, future=True)
    with session_scope(engine) as s:
        children = seed_demo(s)["children"]
        match_id = visitors.propose_match(s, children["Leo"], None, "Priya", "likes art").id
    logs = tmp_path_factory.mktemp("web")
    servers = []
    try:
        for _ in range(2):
            port = free_port()
            log = logs / f"web-{port}.log"
            env = base_env(HEARD_DATABASE_URL=url, HEARD_SECRET_KEY=TEST_SECRET_KEY, HEARD_VAR_DIR=str(logs),
                           HEARD_OUTREACH_INTERVAL_MINUTES="1", HEARD_PURGE_INTERVAL_HOURS="0",
                           HEARD_REVIEW_ALLOW_HTTP="1")
            proc = subprocess.Popen([sys.executable, "-m", "bot.web.app", "--port", str(port)], cwd=ROOT, env=env,
                                    stdout=log.open("w"), stderr=subprocess.STDOUT)
            servers.append(Process(proc, log))
            wait_http(f"http://127.0.0.1:{port}/health", 60, proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all("outreach:" in s.log.read_text() for s in servers):
            time.sleep(0.5)
        assert all("outreach:" in s.log.read_text() for s in servers), [s.tail() for s in servers]
    finally:
        for server in servers:
            server.stop()
    with Session(engine) as s:
        rows = s.execute(select(OutboundMessage.dedupe_key).where(
            OutboundMessage.dedupe_key == f"outreach:match:{match_id}")).scalars().all()
    engine.dispose()
    assert rows == [f"outreach:match:{match_id}"]
