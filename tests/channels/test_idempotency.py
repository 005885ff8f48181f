"""The delivery store: a delivery id is handled once, in memory and in a real Redis
(where two Rasa instances would share it)."""
from __future__ import annotations

import asyncio
import secrets

from channels.idempotency import MemoryAnswers, MemoryDeliveries, RedisAnswers, RedisDeliveries, message_id
from runtime.settings import rasa_process_settings
from tests.conftest import require_service


def test_memory_store_handles_each_delivery_once():
    async def scenario():
        store = MemoryDeliveries()
        assert await store.first_time("telegram:1") and not await store.first_time("telegram:1")
        assert await store.known("telegram:1") and not await store.known("telegram:2")

    asyncio.run(scenario())


def test_redis_store_lets_one_of_several_instances_win(monkeypatch):
    url = "redis://127.0.0.1:6379/0"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        require_service("Redis")
        raise

    async def scenario():
        first, second = RedisDeliveries(url), RedisDeliveries(url)  # two Rasa instances
        key = f"test:{secrets.token_hex(8)}"
        results = await asyncio.gather(*[store.first_time(key) for store in (first, second) * 5])
        assert results.count(True) == 1
        assert await second.known(key)
        await first.forget(key)

    asyncio.run(scenario())


def test_the_scaled_set_ups_redis_variables_are_used():
    scaled = {"REDIS_HOST": "10.0.0.5", "REDIS_PORT": "6380", "REDIS_DB": "2"}
    assert rasa_process_settings(scaled).redis_url == "redis://10.0.0.5:6380/2"
    assert rasa_process_settings({**scaled, "REDIS_URL": "redis://:pw@cache:6379/1"}).redis_url == "redis://:pw@cache:6379/1"
    assert rasa_process_settings({}).redis_url == ""


def test_a_message_id_is_the_same_for_every_retry_and_differs_per_conversation():
    assert message_id("rest:a", "k1") == message_id("rest:a", "k1")
    assert len({message_id("rest:a", "k1"), message_id("rest:a", "k2"), message_id("rest:b", "k1")}) == 3


def test_answers_are_kept_per_message():
    async def scenario():
        store = MemoryAnswers()
        assert await store.get("m1") is None
        await store.put("m1", [{"text": "Kod wysłany."}])
        assert await store.get("m1") == [{"text": "Kod wysłany."}] and await store.get("m2") is None

    asyncio.run(scenario())


def test_redis_away_means_no_stored_answer_not_a_failure():
    async def scenario():
        store = RedisAnswers(RedisDeliveries("redis://127.0.0.1:1/0"))  # nothing listens on port 1
        await store.put("m1", [{"text": "x"}])
        return await store.get("m1")

    assert asyncio.run(scenario()) is None
