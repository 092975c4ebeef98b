"""Attacks on Rasa's HTTP API (issue 13, item 5: "Rasa's HTTP API is on, with one shared token in the URL").

Before the fix ``./heard run`` and deploy/ started Rasa with ``--enable-api --auth-token=…`` on every interface:
anyone who could reach port 5005 and learn one token (it travels in the URL, so into proxy and access logs)
could read any conversation (``/conversations/<id>/tracker``: a child's words), add events to it, or replace
the model. Here:

* the one launcher every command uses (``bot.rasa_server``) binds Rasa to loopback and leaves the API off;
  an operator turns it on with ``HEARD_ENABLE_API=1`` and then only a JWT signed with ``HEARD_API_JWT_SECRET``
  (HS256) opens it; ``?token=`` never does;
* deploy/ publishes only the reverse proxy, which passes the web side and Rasa's SMS webhook and nothing else
  of Rasa (checked with a real Caddy when it is installed);
* a real ``rasa run`` started by default answers 404 on /status, /model/parse and /conversations.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
import yaml

from tests.stack import MODEL, ROOT, Process, base_env, free_port, wait_http

JWT_SECRET = "security-test-jwt-secret-0123456789abcdef0123456789"
ACTION_SECRET = "security-test-action-secret-0123456789abcdef"
LAUNCHERS = [ROOT / "heard", ROOT / "deploy" / "compose.yml", ROOT / "deploy" / "Dockerfile",
             ROOT / "tests" / "stack.py", ROOT / "tests" / "e2e" / "test_cluster.py", ROOT / "bench" / "run_bench.py"]
ANYWHERE = "0.0.0.0"  # noqa: S104 - what an attacker would ask for
RASA_API_PATHS = ["/status", "/version", "/model/parse", "/conversations/child-1/tracker",
                  "/conversations/child-1/messages", "/model", "/domain"]


def clean_env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name in ("HEARD_ENABLE_API", "HEARD_API_JWT_SECRET", "HEARD_RASA_HOST", "HEARD_RASA_PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def parsed(argv: list[str]) -> Any:
    """What Rasa's own command line makes of the arguments our launcher builds."""
    from rasa.__main__ import create_argument_parser

    return create_argument_parser().parse_args(argv)


# ---------------------------------------------------------------- the launch command


def test_no_launcher_turns_the_api_on_or_passes_a_token() -> None:
    for path in LAUNCHERS:
        source = path.read_text(encoding="utf-8")
        assert "--auth-token" not in source and "HEARD_API_TOKEN" not in source, path.name
        assert not re.search(r"\?token=[^`]", source), f"{path.name} sends a token in a URL"
        assert '"token":' not in source, f"{path.name} sends a token in a URL"
        if path.name in ("heard", "compose.yml", "Dockerfile"):
            assert "--enable-api" not in source, f"{path.name} must leave the API to HEARD_ENABLE_API"
    for path in (ROOT / "heard", ROOT / "deploy" / "compose.yml"):
        source = path.read_text(encoding="utf-8")
        assert "bot.rasa_server" in source and "bot.action_server" in source, path.name
        assert "rasa run" not in source and '"rasa", "run"' not in source, f"{path.name} starts Rasa directly"


def test_readme_and_the_banner_never_show_a_token_in_a_url() -> None:
    for path in (ROOT / "README.md", ROOT / "heard"):
        assert not re.search(r"\?token=[^`]", path.read_text(encoding="utf-8")), path.name
    assert "Authorization: Bearer" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_by_default_rasa_listens_on_loopback_without_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.rasa_server import rasa_argv

    clean_env(monkeypatch)
    args = parsed(rasa_argv(["--model", "models/current.tar.gz"]))
    assert args.interface == "127.0.0.1" and args.port == 5005
    assert args.enable_api is False and args.auth_token is None and args.jwt_secret is None


@pytest.mark.parametrize("secret", [None, "", "too-short", " " * 40])
def test_the_api_will_not_open_without_a_strong_jwt_secret(monkeypatch: pytest.MonkeyPatch,
                                                              secret: str | None) -> None:
    from bot.rasa_server import LaunchRefused, rasa_argv

    clean_env(monkeypatch, HEARD_ENABLE_API="1")
    if secret is not None:
        monkeypatch.setenv("HEARD_API_JWT_SECRET", secret)
    with pytest.raises(LaunchRefused, match="HEARD_API_JWT_SECRET"):
        rasa_argv([])


@pytest.mark.parametrize("secret", [JWT_SECRET, "-" + JWT_SECRET])  # a secret may start with "-"
def test_the_api_turned_on_uses_jwt_and_never_a_url_token(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    from bot.rasa_server import rasa_argv

    clean_env(monkeypatch, HEARD_ENABLE_API="1", HEARD_API_JWT_SECRET=secret, HEARD_RASA_PORT="5999")
    args = parsed(rasa_argv([]))
    assert args.enable_api is True and args.jwt_secret == secret and args.jwt_method == "HS256"
    assert args.auth_token is None and args.interface == "127.0.0.1" and args.port == 5999


@pytest.mark.parametrize("sneaked", [["--enable-api"], ["--auth-token=x"], ["--auth-token", "x"], ["-t", "x"],
                                     ["--jwt-secret=x"], ["--jwt-method", "none"], ["--interface", ANYWHERE],
                                     ["-i", ANYWHERE], [f"--interface={ANYWHERE}"], ["-p", "80"], ["--port=80"],
                                     ["-p80"], ["--enable"], ["--enable-a"], ["--auth=x"], ["--inter", ANYWHERE],
                                     ["--jwt-s=x"], [f"-i{ANYWHERE}"]])
def test_the_api_and_the_address_cannot_be_slipped_in_as_arguments(monkeypatch: pytest.MonkeyPatch,
                                                                   sneaked: list[str]) -> None:
    from bot.rasa_server import LaunchRefused, rasa_argv

    clean_env(monkeypatch)
    with pytest.raises(LaunchRefused):
        rasa_argv(["--model", "m.tar.gz", *sneaked])


def test_the_launcher_refuses_to_start_and_says_why(tmp_path: Path) -> None:
    env = base_env(HEARD_VAR_DIR=str(tmp_path), HEARD_ENABLE_API="1")
    env.pop("HEARD_API_JWT_SECRET", None)
    done = subprocess.run([sys.executable, "-m", "bot.rasa_server"], cwd=ROOT, env=env, timeout=120,
                          capture_output=True, text=True)
    assert done.returncode != 0 and "HEARD_API_JWT_SECRET" in done.stderr


# ---------------------------------------------------------------- deploy/


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "deploy" / "compose.yml").read_text(encoding="utf-8"))


def test_deploy_publishes_only_the_reverse_proxy() -> None:
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"caddy"}


def test_the_action_server_and_the_databases_are_on_an_internal_network_only() -> None:
    spec = compose()
    internal = {name for name, net in spec["networks"].items() if (net or {}).get("internal")}
    for name in ("actions", "postgres", "redis", "migrate"):
        networks = set(spec["services"][name].get("networks") or ["default"])
        assert networks and networks <= internal, f"{name} must be on an internal network only: {networks}"
    assert set(spec["services"]["caddy"]["networks"]).isdisjoint(internal), "the proxy never sees the backend"


def test_deploy_leaves_the_api_off_unless_the_operator_turns_it_on() -> None:
    services = compose()["services"]
    rasa_env = services["rasa"]["environment"]
    assert str(rasa_env["HEARD_ENABLE_API"]).endswith(":-0}")
    assert "HEARD_ACTION_SECRET" in rasa_env and "HEARD_ACTION_SECRET" in services["actions"]["environment"]
    for name in ("web", "caddy", "postgres", "redis"):  # least privilege: only the two that use it
        assert "HEARD_ACTION_SECRET" not in (services[name].get("environment") or {}), name
    assert "${HEARD_ACTION_SECRET:?" in (ROOT / "deploy" / "compose.yml").read_text(encoding="utf-8")


class Recorder(ThreadingHTTPServer):
    """An upstream that answers every request with its own name and records the paths it saw."""

    def __init__(self, name: str) -> None:
        self.seen: list[str] = []
        self.headers: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                outer.seen.append(self.path)
                outer.headers.append(dict(self.headers))
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                body = name.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = _answer  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def caddy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Recorder, Recorder]]:
    binary = shutil.which("caddy")
    if binary is None:
        pytest.skip("Caddy is not installed (apt-get install caddy)")
    web, rasa = Recorder("web"), Recorder("rasa")
    source = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert source.count("web:8080") >= 1 and source.count("rasa:5005") >= 1
    work = tmp_path_factory.mktemp("caddy")
    config = work / "Caddyfile"
    config.write_text(source.replace("web:8080", web.address).replace("rasa:5005", rasa.address))
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work), "XDG_DATA_HOME": str(work), "XDG_CONFIG_HOME": str(work),
           "HEARD_SITE_ADDRESS": f"http://127.0.0.1:{port}"}
    log = work / "caddy.log"
    proc = subprocess.Popen([binary, "run", "--config", str(config), "--adapter", "caddyfile"], env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    handle = Process(proc, log)
    try:
        wait_http(f"http://127.0.0.1:{port}/", 30, proc)
        yield f"http://127.0.0.1:{port}", web, rasa
    finally:
        handle.stop()
        web.shutdown()
        rasa.shutdown()


def test_the_proxy_passes_the_sms_webhook_to_rasa(caddy: tuple[str, Recorder, Recorder]) -> None:
    url, _, rasa = caddy
    reply = requests.post(f"{url}/webhooks/sms/webhook", data={"Body": "hi"}, timeout=10)
    assert reply.text == "rasa" and rasa.seen[-1] == "/webhooks/sms/webhook"


def test_the_proxy_passes_the_sms_webhook_only_as_a_post(caddy: tuple[str, Recorder, Recorder]) -> None:
    url, _, rasa = caddy
    before = list(rasa.seen)
    for method in ("GET", "PUT", "DELETE", "PATCH", "OPTIONS"):
        assert requests.request(method, f"{url}/webhooks/sms/webhook", timeout=10).text != "rasa", method
    assert rasa.seen == before


def test_the_proxy_drops_a_forwarded_for_sent_from_outside(caddy: tuple[str, Recorder, Recorder]) -> None:
    url, web, _ = caddy
    requests.get(f"{url}/api/chat", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
    forwarded = {k.lower(): v for k, v in web.headers[-1].items()}
    assert "203.0.113.9" not in forwarded.get("x-forwarded-for", "")
    assert forwarded.get("x-forwarded-for") == "127.0.0.1"


@pytest.mark.parametrize("path", ["/", "/widget.js", "/api/chat", "/api/signin", "/audio/abc.mp3", "/review/",
                                  "/review/login"])
def test_the_proxy_passes_the_web_side(caddy: tuple[str, Recorder, Recorder], path: str) -> None:
    url, web, _ = caddy
    assert requests.get(f"{url}{path}", timeout=10).text == "web" and web.seen[-1] == path


@pytest.mark.parametrize("path", [*RASA_API_PATHS, "/webhooks/rest/webhook", "/webhooks/sms/webhook/../../status",
                                  "/webhooks/sms/webhook/", "/webhooks/sms/webhookx", "/webhooks/sms/webhook%2f..",
                                  "/webhooks/sms/webhook/..%2f..%2fstatus", "//webhooks/sms/webhook/../../model/parse",
                                  "/WEBHOOKS/sms/webhook", "/webhooks/twilio/webhook", "/webhooks/rest/webhook?x=1"])
def test_nothing_else_of_rasa_is_reachable_through_the_proxy(caddy: tuple[str, Recorder, Recorder],
                                                             path: str) -> None:
    url, _, rasa = caddy
    before = list(rasa.seen)
    for method in ("GET", "POST", "PUT", "DELETE"):
        reply = requests.request(method, f"{url}{path}", timeout=10, allow_redirects=False)
        assert reply.text != "rasa", (method, path)
    assert rasa.seen == before


# ---------------------------------------------------------------- a real Rasa server


def start_rasa(tmp_path: Path, **env_values: str) -> tuple[str, Process]:
    port = free_port()
    env = base_env(HEARD_RASA_PORT=str(port), HEARD_VAR_DIR=str(tmp_path), HEARD_ACTION_SECRET=ACTION_SECRET,
                   HEARD_ACTION_URL="http://127.0.0.1:1/webhook", HEARD_DATABASE_URL=f"sqlite:///{tmp_path}/t.db",
                   **env_values)
    for name in ("HEARD_ENABLE_API", "HEARD_API_JWT_SECRET", "HEARD_RASA_HOST"):
        if name not in env_values:
            env.pop(name, None)
    log = tmp_path / "rasa.log"
    proc = subprocess.Popen([sys.executable, "-m", "bot.rasa_server", "--model", str(MODEL), "--endpoints",
                             "endpoints.yml", "--credentials", "credentials.yml"], cwd=ROOT, env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    handle = Process(proc, log)
    try:
        wait_http(f"http://127.0.0.1:{port}/", 240, proc)
    except Exception as error:
        handle.stop()
        raise RuntimeError(f"rasa did not start: {error}\n{handle.tail()}") from error
    return f"http://127.0.0.1:{port}", handle


def mint(secret: str = JWT_SECRET, role: str = "admin", username: str = "operator", seconds: int = 600,
         algorithm: str = "HS256") -> str:
    payload = {"user": {"username": username, "role": role}, "exp": int(time.time()) + seconds}
    return jwt.encode(payload, secret, algorithm=algorithm)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


needs_model = pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run ./heard train")


@needs_model
@pytest.mark.stack
def test_a_default_rasa_has_no_http_api_and_listens_on_loopback(tmp_path: Path) -> None:
    from tests.security.test_action_server import _listening_addresses

    url, rasa = start_rasa(tmp_path)
    try:
        for path in RASA_API_PATHS:
            for method in ("GET", "POST", "PUT"):
                reply = requests.request(method, f"{url}{path}", params={"token": "x"}, timeout=10)
                assert reply.status_code in (404, 405), (method, path, reply.status_code)
        assert _listening_addresses(int(url.rsplit(":", 1)[1])) <= {"0100007F"}
    finally:
        rasa.stop()


@needs_model
@pytest.mark.stack
def test_the_api_turned_on_opens_only_to_a_valid_jwt(tmp_path: Path) -> None:
    url, rasa = start_rasa(tmp_path, HEARD_ENABLE_API="1", HEARD_API_JWT_SECRET=JWT_SECRET)
    try:
        refused = [
            {},
            {"params": {"token": JWT_SECRET}},                                    # the old way: a token in the URL
            {"headers": bearer(mint(secret="another-secret-another-secret-0123"))},  # signed with another key
            {"headers": bearer(mint(seconds=-300))},  # expired (sanic-jwt allows 60 s of clock skew)
        ]
        for attempt in refused:
            reply = requests.get(f"{url}/conversations/child-1/tracker", timeout=30, **attempt)
            assert reply.status_code == 401, (attempt, reply.status_code)
        # Another algorithm, or none: sanic-jwt raises (Rasa answers 500), so these are refused too.
        unsigned = jwt.encode({"user": {"username": "x", "role": "admin"}}, None, algorithm="none")
        for token in (unsigned, mint(algorithm="HS512"), mint(algorithm="HS384")):
            reply = requests.get(f"{url}/conversations/child-1/tracker", headers=bearer(token), timeout=30)
            assert reply.status_code in (401, 500) and "sender_id" not in reply.text, reply.status_code
        other = requests.get(f"{url}/conversations/child-1/tracker", headers=bearer(mint(role="user",
                             username="someone-else")), timeout=30)
        assert other.status_code == 403
        status = requests.get(f"{url}/status", headers=bearer(mint()), timeout=30)
        assert status.status_code in (200, 409)  # 409 while the model is still loading: authenticated either way
    finally:
        rasa.stop()
