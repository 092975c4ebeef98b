"""The Redis lock store shared by several Rasa servers: tickets are issued and returned atomically."""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid

import pytest
import redis

from bot.rasa_ext.stores import AtomicRedisLockStore, HeardLockStore

pytestmark = pytest.mark.cluster


def _store() -> AtomicRedisLockStore:
    store = AtomicRedisLockStore(host="127.0.0.1", port=6379, db=0, key_prefix="heardtest")
    try:
        store.red.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return store


def test_heard_lock_store_uses_the_atomic_redis_store(monkeypatch):
    monkeypatch.setenv("HEARD_REDIS_URL", "redis://127.0.0.1:6379/0")
    assert isinstance(HeardLockStore(), AtomicRedisLockStore)
    monkeypatch.delenv("HEARD_REDIS_URL")
    assert not isinstance(HeardLockStore(), AtomicRedisLockStore)


def test_tickets_from_many_servers_at_once_are_unique_and_all_kept():
    servers = [_store() for _ in range(4)]  # four servers, one Redis
    conversation = f"c-{uuid.uuid4().hex[:8]}"
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        tickets = list(pool.map(lambda i: servers[i % 4].issue_ticket(conversation, 60), range(200)))
    assert sorted(tickets) == list(range(200))
    lock = servers[0].get_lock(conversation)
    assert [t.number for t in lock.tickets] == list(range(200))
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda t: servers[t % 4].cleanup(conversation, t), tickets))
    assert servers[0].get_lock(conversation) is None  # the last one out deleted it


def test_messages_of_one_conversation_are_served_one_at_a_time():
    servers = [_store() for _ in range(2)]
    conversation = f"c-{uuid.uuid4().hex[:8]}"
    inside = 0
    most = 0
    order: list[int] = []

    async def handle(i: int) -> None:
        nonlocal inside, most
        async with servers[i % 2].lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.01):
            inside += 1
            most = max(most, inside)
            order.append(i)
            await asyncio.sleep(0.005)
            inside -= 1

    async def main() -> None:
        await asyncio.gather(*(handle(i) for i in range(30)))

    asyncio.run(main())
    assert most == 1 and sorted(order) == list(range(30))
    assert servers[0].get_lock(conversation) is None
