"""scaling/redis_lock.py on a redis-server of the test's own: a killed holder's lock frees
itself within HOLD_SECONDS (not Rasa's 60-second lifetime), a living holder keeps it for
as long as it works, and taking a lock waits out a Redis restart."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from rasa.utils.endpoints import EndpointConfig

from devstack import QUIET, REDIS_SERVER, REPO, RedisServer
from scaling import redis_lock
from scaling.redis_lock import AtomicRedisLockStore
from tests.conftest import require_service


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    if not os.path.exists(REDIS_SERVER):
        require_service("redis-server")
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


def store(server: RedisServer) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=server.port, db=0, key_prefix="locktest"))


HOLDER = textwrap.dedent("""
    import asyncio, sys
    from rasa.utils.endpoints import EndpointConfig
    from scaling.redis_lock import AtomicRedisLockStore

    async def hold():
        store = AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=int(sys.argv[1]), db=0, key_prefix="locktest"))
        async with store.lock("killed"):
            print("held", flush=True)
            await asyncio.sleep(600)

    asyncio.run(hold())
""")


def test_a_killed_holders_lock_frees_itself_within_seconds(redis_server):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(redis_server.port)], cwd=REPO, env={**os.environ, **QUIET},
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        time.sleep(redis_lock.HOLD_SECONDS)  # renewed meanwhile: still held
        other = store(redis_server)
        assert not other.red.lock(f"{other.key_prefix}mutex:killed").acquire(blocking=False)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()

    async def take() -> float:
        started = time.monotonic()
        async with store(redis_server).lock("killed"):
            return time.monotonic() - started

    assert asyncio.run(take()) <= redis_lock.HOLD_SECONDS + 0.5


def test_taking_a_lock_waits_out_a_redis_restart(redis_server):
    redis_server.stop()

    async def take() -> bool:
        async with store(redis_server).lock("restart"):
            return True

    async def scenario() -> bool:
        taking = asyncio.ensure_future(take())
        await asyncio.sleep(0.5)
        assert not taking.done()
        await asyncio.get_running_loop().run_in_executor(None, redis_server.start)
        return await asyncio.wait_for(taking, 10)

    assert asyncio.run(scenario())
