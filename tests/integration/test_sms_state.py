"""What the SMS channel remembers (`bot.channels.sms_state`): in memory, and in Redis when configured.
Opt-outs are not kept here (see tests/integration/test_sms_opt_outs.py); older ones in Redis are moved to the
database."""

from __future__ import annotations

import secrets
import time

import pytest

from bot.channels.sms_state import (
    LEGACY_OPT_OUT_KEY,
    MemoryState,
    RedisState,
    move_legacy_opt_outs,
    phone_key,
    shared_state,
)

OPTIONS = [{"title": "Yes", "payload": '/inform{"choice":"yes"}'}, {"title": "No", "payload": "/deny"}]


def _redis_or_skip() -> RedisState:
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return RedisState("redis://127.0.0.1:6379/0", ttl=60, client=client)


@pytest.fixture(params=["memory", "redis"])
def state(request, monkeypatch):
    monkeypatch.setenv("HEARD_SECRET_KEY", secrets.token_hex(32))  # fresh keys: no clash between runs
    return MemoryState(ttl=60) if request.param == "memory" else _redis_or_skip()


def test_options_are_kept_per_number_in_any_format(state):
    state.set_options("07700 900123", OPTIONS)
    assert state.get_options("+447700900123") == OPTIONS
    assert state.get_options("+447700900124") == []
    state.clear_options("+44 7700 900123")
    assert state.get_options("07700900123") == []


def test_no_phone_number_is_stored_in_redis(monkeypatch):
    monkeypatch.setenv("HEARD_SECRET_KEY", secrets.token_hex(32))
    state = _redis_or_skip()
    state.set_options("+447700900123", OPTIONS)
    try:
        keys = [k.decode() for k in state.redis.scan_iter("heard:sms:*")]
        assert keys and not any("7700900123" in k for k in keys)
        assert any(phone_key("+447700900123") in k for k in keys)
        assert state.redis.ttl("heard:sms:options:" + phone_key("+447700900123")) > 0
    finally:
        state.clear_options("+447700900123")


def test_the_state_keeps_no_opt_outs():
    for cls in (MemoryState, RedisState):
        assert not hasattr(cls, "set_opted_out") and not hasattr(cls, "is_opted_out")


def test_opt_outs_an_older_heard_kept_in_redis_move_to_the_database(engine):
    from bot.db.engine import session_scope
    from bot.services import sms_opt_outs

    state = _redis_or_skip()  # HEARD_SECRET_KEY is the test key from the db fixture
    old = [phone_key("+447700900123"), phone_key("+447700900124")]
    state.redis.delete(LEGACY_OPT_OUT_KEY)
    state.redis.sadd(LEGACY_OPT_OUT_KEY, *old, "not-a-hash")
    try:
        with session_scope(engine) as s:
            sms_opt_outs.set_opted_out(s, old[1], True)  # already in the table: kept, not counted
        assert move_legacy_opt_outs("redis://127.0.0.1:6379/0", client=state.redis) == 1
        with session_scope(engine) as s:
            assert all(sms_opt_outs.is_opted_out(s, h) for h in old)
        assert {m.decode() for m in state.redis.smembers(LEGACY_OPT_OUT_KEY)} == {"not-a-hash"}
        assert move_legacy_opt_outs("redis://127.0.0.1:6379/0", client=state.redis) == 0  # safe to repeat
    finally:
        state.redis.delete(LEGACY_OPT_OUT_KEY)


def test_memory_options_expire():
    state = MemoryState(ttl=0)
    state.set_options("+447700900123", OPTIONS)
    time.sleep(0.01)
    assert state.get_options("+447700900123") == []


def test_shared_state_uses_redis_when_configured(monkeypatch):
    import bot.channels.sms_state as module

    monkeypatch.setattr(module, "_shared", None)
    monkeypatch.setenv("HEARD_REDIS_URL", "redis://127.0.0.1:6379/0")
    assert isinstance(shared_state(), RedisState)
    monkeypatch.setattr(module, "_shared", None)
    monkeypatch.delenv("HEARD_REDIS_URL")
    assert isinstance(shared_state(), MemoryState)
    monkeypatch.setattr(module, "_shared", None)
