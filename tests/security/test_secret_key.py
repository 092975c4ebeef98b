"""Attacks on Heard's secret key (issue 13 item 2, issue 19 item 1).

Before this change Heard fell back to a built-in key ("dev-only-not-secret") and used the one raw key for
every purpose. Anyone who read the source could then mint a review-app cookie for any staff member and compute
the phone-number and sign-in-code hashes; anyone who learned the key from one use (say the phone hashes) had
them all. Now Heard refuses to start without a random key of at least 32 bytes, and ``bot.keys`` derives a
separate key for each purpose (HKDF-SHA256), so one leaked purpose key opens nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import login

ROOT = Path(__file__).resolve().parents[2]
OLD_DEFAULT_KEY = "dev-only-not-secret"
STAFF_PAGE = "/review/children"


def _env(**changes: str | None) -> dict[str, str]:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT))
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _cli(tmp_path: Path, *args: str, key: str | None) -> subprocess.CompletedProcess:
    env = _env(HEARD_SECRET_KEY=key, HEARD_DATABASE_URL=f"sqlite:///{tmp_path / 'heard.db'}",
               HEARD_VAR_DIR=str(tmp_path / "var"))
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def _old_cookie_key(secret: bytes) -> Fernet:
    """The review app's cookie key as Heard derived it before (HKDF, salt "heard-review") from a raw key."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"heard-review", info=b"session-cookie").derive(secret)
    return Fernet(base64.urlsafe_b64encode(raw))


def _forged_cookie(fernet: Fernet, staff_id: int, like: dict | None = None) -> str:
    """A session cookie as aiohttp_session's EncryptedCookieStorage writes it, saying ``staff_id`` signed in:
    a copy of a real signed-in session (``like``, what the attacker saw in their own cookie) or a minimal one."""
    now = int(time.time())
    session = dict((like or {}).get("session") or {"seen": now, "started": now, "csrf": "x" * 43})
    session.update(staff_id=staff_id, seen=now)
    data = {"created": now, "session": session}
    return fernet.encrypt(json.dumps(data).encode()).decode()


def _real_cookie_key() -> Fernet:
    """The review app's real cookie key (as the code before this change made it, when that is what runs)."""
    try:
        from bot.keys import fernet_for
    except ImportError:
        from bot.config import get_settings

        return _old_cookie_key(get_settings().secret_key.encode())
    return fernet_for("review-session")


async def _signed_in_session(client, fernet: Fernet | None = None) -> dict:
    """The attacker signs in to their own account (sw.b) and reads what a session holds out of the cookie,
    with ``fernet`` (default: the real cookie key). Forged cookies below name sw.a, whose caseload has Ada."""
    fernet = fernet or _real_cookie_key()
    await login(client, "sw.b")
    cookie = next(morsel.value for morsel in client.session.cookie_jar if morsel.key.endswith("heard_review"))
    client.session.cookie_jar.clear()
    return json.loads(fernet.decrypt(cookie.encode()))


async def _is_signed_in_with(client, cookie: str) -> bool:
    client.session.cookie_jar.clear()
    response = await client.get(STAFF_PAGE, allow_redirects=False, headers={"Cookie": f"heard_review={cookie}"})
    return response.status == 200 and "Ada" in await response.text()  # sw.a's caseload: a child's record


# --- no default key -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [("migrate",), ("seed",), ("verify-audit",)])
def test_cli_refuses_to_start_without_a_key(tmp_path, command):
    result = _cli(tmp_path, *command, key=None)
    assert result.returncode != 0
    assert "HEARD_SECRET_KEY" in result.stderr and "token_hex(32)" in result.stderr
    assert not (tmp_path / "heard.db").exists() or "revision" not in result.stdout


@pytest.mark.parametrize(
    "weak",
    [
        "",
        OLD_DEFAULT_KEY,
        "test-secret-key-not-for-production",  # the tests' old key: a phrase, 34 characters
        secrets.token_hex(31),  # 31 bytes
        secrets.token_urlsafe(31),  # 31 bytes in URL-safe base64 (42 characters)
        "a" * 64,  # hex, but not random
        "0123456789abcdef" * 4,  # hex, a repeating pattern
        "correct horse battery staple, but long enough!!",  # not hex, not base64
    ],
)
def test_a_weak_key_is_refused_by_the_cli(tmp_path, weak):
    result = _cli(tmp_path, "migrate", key=weak)
    assert result.returncode == 2, result.stdout
    assert "HEARD_SECRET_KEY" in result.stderr
    if weak:
        assert weak not in result.stderr + result.stdout  # the error never repeats the key


def test_the_web_side_refuses_to_start_without_a_key(tmp_path):
    env = _env(HEARD_SECRET_KEY=None, HEARD_DATABASE_URL=f"sqlite:///{tmp_path / 'heard.db'}",
               HEARD_VAR_DIR=str(tmp_path / "var"))
    process = subprocess.Popen([sys.executable, "-m", "bot.web.app", "--port", "0"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("the web side started without HEARD_SECRET_KEY")
    assert process.returncode == 2
    assert "HEARD_SECRET_KEY" in stderr and "Traceback" not in stderr


def test_the_action_server_refuses_to_load_without_a_key(tmp_path):
    env = _env(HEARD_SECRET_KEY=None, HEARD_VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run([sys.executable, "-c", "import actions"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode != 0 and "HEARD_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("weak", [None, "", OLD_DEFAULT_KEY])
def test_rasa_does_not_start_the_sms_channel_without_a_key(monkeypatch, weak):
    from bot.channels.sms import HeardSmsInput

    if weak is None:
        monkeypatch.delenv("HEARD_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("HEARD_SECRET_KEY", weak)
    with pytest.raises(Exception, match="HEARD_SECRET_KEY"):
        HeardSmsInput.from_credentials({"account_sid": "AC1", "auth_token": "t", "twilio_number": "+447700900999"})


@pytest.mark.parametrize("weak", [None, OLD_DEFAULT_KEY, secrets.token_hex(16)])
def test_no_keyed_hash_without_a_good_key(monkeypatch, weak):
    from bot.services import children

    if weak is None:
        monkeypatch.delenv("HEARD_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("HEARD_SECRET_KEY", weak)
    with pytest.raises(Exception, match="HEARD_SECRET_KEY"):
        children.hash_phone("+447700900001")


@pytest.mark.parametrize("make", [lambda: secrets.token_hex(32), lambda: secrets.token_hex(48),
                                  lambda: secrets.token_urlsafe(32), lambda: secrets.token_urlsafe(64),
                                  lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
                                  lambda: "  " + secrets.token_hex(32) + "\n"])
def test_the_documented_key_forms_are_accepted(monkeypatch, make):
    from bot.keys import key_for

    monkeypatch.setenv("HEARD_SECRET_KEY", make())
    assert len(key_for("phone")) == 32


# --- the old default key opens nothing --------------------------------------------------------------------------


async def test_a_cookie_minted_with_the_old_default_key_is_refused(world, aiohttp_client, monkeypatch):
    """The attacker read the source, so knows the old built-in key and how the cookie key came from it."""
    from aiohttp import web

    from bot.web.review import setup

    old_key = _old_cookie_key(OLD_DEFAULT_KEY.encode())
    for configured in (None, ""):  # the operator never set a key, or compose passed it through empty
        if configured is None:
            monkeypatch.delenv("HEARD_SECRET_KEY", raising=False)
        else:
            monkeypatch.setenv("HEARD_SECRET_KEY", configured)
        app = web.Application()
        try:
            setup(app)
        except Exception as error:  # noqa: BLE001 - refusing to start is the right answer
            assert "HEARD_SECRET_KEY" in str(error)
            continue
        client = await aiohttp_client(app)
        try:
            like = await _signed_in_session(client, old_key)  # the attacker's own session, read with the old key
        except InvalidToken:
            like = None
        assert not await _is_signed_in_with(client, _forged_cookie(old_key, world.users["sw.a"], like))


async def test_with_a_real_key_the_old_default_cookie_still_fails(client, world):
    real = await _signed_in_session(client)
    for like in (None, real):
        forged = _forged_cookie(_old_cookie_key(OLD_DEFAULT_KEY.encode()), world.users["sw.a"], like)
        assert not await _is_signed_in_with(client, forged)


# --- one key per purpose ----------------------------------------------------------------------------------------


def test_each_purpose_has_its_own_key():
    from bot.keys import PURPOSES, key_for

    derived = {purpose: key_for(purpose) for purpose in PURPOSES}
    assert len(set(derived.values())) == len(PURPOSES) >= 8
    assert all(len(key) == 32 for key in derived.values())
    assert key_for("phone") == key_for("phone")  # stable: stored hashes keep matching
    raw = os.environ["HEARD_SECRET_KEY"].encode()
    assert raw not in derived.values() and bytes.fromhex(raw.decode()) not in derived.values()


def test_an_unknown_purpose_is_refused():
    from bot.keys import key_for

    with pytest.raises(ValueError, match="purpose"):
        key_for("phnoe")


def test_a_different_secret_gives_different_keys(monkeypatch):
    from bot.keys import key_for

    first = key_for("phone")
    monkeypatch.setenv("HEARD_SECRET_KEY", secrets.token_hex(32))
    assert key_for("phone") != first


def _leaked_phone_key() -> bytes:
    """The key that computes the stored phone hashes: what an attacker who learned it could use.

    Before this change that was the raw secret itself; now it is the "phone" purpose key."""
    try:
        from bot.keys import key_for
    except ImportError:  # the code before this change
        from bot.config import get_settings

        return get_settings().secret_key.encode()
    return key_for("phone")


def _old_scheme(key: bytes, purpose: str, value: str) -> str:
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def _new_scheme(key: bytes, _purpose: str, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def test_the_leaked_phone_key_really_computes_phone_hashes():
    from bot.services import children

    leaked = _leaked_phone_key()
    stored = children.hash_phone("07700 900001")
    assert stored in {_old_scheme(leaked, "phone", "+447700900001"), _new_scheme(leaked, "phone", "+447700900001")}


async def test_a_leaked_phone_hash_key_does_not_forge_a_session_cookie(client, world):
    leaked = _leaked_phone_key()
    real = await _signed_in_session(client)
    candidates = [
        _old_cookie_key(leaked),  # the old derivation
        Fernet(base64.urlsafe_b64encode(HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                                             info=b"heard/review-session").derive(leaked))),  # the new one
    ]
    if len(leaked) == 32:
        candidates.append(Fernet(base64.urlsafe_b64encode(leaked)))  # the phone key used as the cookie key
    for fernet in candidates:
        for like in (None, real):
            assert not await _is_signed_in_with(client, _forged_cookie(fernet, world.users["sw.a"], like))


async def test_the_cookie_key_does_sign_in_a_real_session(client, world):
    """Control for the tests above: the same forged cookie made with the real cookie key does open the app, so
    they fail for the key and nothing else."""
    real = await _signed_in_session(client)
    forged = _forged_cookie(_real_cookie_key(), world.users["sw.a"], real)
    assert await _is_signed_in_with(client, forged)


def test_a_leaked_phone_hash_key_does_not_compute_sign_in_code_hashes(session, make_child):
    from bot.services import signin

    from sqlalchemy import select

    from bot.db.models import SignInCode

    child = make_child()
    code = signin.issue_code(session, child.id, None)
    session.commit()
    stored = session.execute(select(SignInCode.code_hash)).scalar_one()  # what a copy of the database shows
    leaked = _leaked_phone_key()
    for scheme in (_old_scheme, _new_scheme):
        for purpose in ("signin", "signin-code"):
            for typed in {code, code.replace("-", "")}:
                assert scheme(leaked, purpose, typed) != stored


def test_no_module_reads_the_raw_key_but_bot_keys():
    """Only bot/config.py (which reads it) and bot/keys.py (which derives from it) name ``secret_key``."""
    offenders = []
    for package in ("bot", "actions"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.relative_to(ROOT).as_posix() in ("bot/config.py", "bot/keys.py"):
                continue
            if re.search(r"\bsecret_key\b", path.read_text(encoding="utf-8")):
                offenders.append(path.relative_to(ROOT).as_posix())
    assert not offenders, f"derive a purpose key with bot.keys.key_for instead: {offenders}"


# --- the launchers ----------------------------------------------------------------------------------------------


def test_compose_refuses_an_unset_key():
    compose = (ROOT / "deploy" / "compose.yml").read_text()
    assert re.search(r"HEARD_SECRET_KEY: \$\{HEARD_SECRET_KEY:\?[^}]+\}", compose)
    assert "${HEARD_SECRET_KEY}" not in compose


def test_the_heard_script_loads_the_key_before_it_migrates_or_seeds():
    script = (ROOT / "heard").read_text()
    body = script[script.index("\nprepare_db()"):]
    prepare = body[: body.index("\n}\n")]
    assert prepare.index("ensure_secret_key") < prepare.index("bot.cli migrate") < prepare.index("bot.cli seed")
    assert "umask 077" in script and "token_hex(32)" in script


# --- the demo seed (issue 19 item 1) ----------------------------------------------------------------------------


def test_reseeding_under_a_new_key_lets_the_demo_child_text_in(engine, monkeypatch):
    """A var/heard.db seeded under another key (the old built-in one, or a key since replaced): seeding again
    rehashes the demo children's numbers, so Jade texting in is recognised, and adds no one twice."""
    from sqlalchemy import func, select

    from bot.db.engine import session_scope
    from bot.db.models import Child
    from bot.services import children
    from bot.services.seed import seed_demo

    monkeypatch.setenv("HEARD_SECRET_KEY", secrets.token_hex(32))  # the key the database was seeded under
    with session_scope(engine) as s:
        first = seed_demo(s)
    monkeypatch.setenv("HEARD_SECRET_KEY", secrets.token_hex(32))  # the key Heard runs with now
    with session_scope(engine) as s:
        assert children.match_phone(s, "07700 900001") is None  # the demo child is not recognised
    with session_scope(engine) as s:
        again = seed_demo(s)
    with session_scope(engine) as s:
        jade = children.match_phone(s, "07700 900001")
        assert jade is not None and jade.id == first["children"]["Jade"] == again["children"]["Jade"]
        assert children.match_phone(s, "+447700900002").id == first["children"]["Mo"]
        assert s.execute(select(func.count(Child.id))).scalar_one() == 4
