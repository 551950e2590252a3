"""The Redis bus on a real redis-server (Debian's, started per test on a free port):
the same topics across buses (each its own connections, as worker processes have) and
across processes, strict decoding of what arrives, and errors that name the fix.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack, ExitStack
from pathlib import Path
from typing import Any

import attrs
import pytest
import trio

from actorview.pubsub import PubSubError, RedisBus
from actorview.testing import mount
from examples.rooms import Room
from tests.logs import logged
from tests.services import free_port, redis_server


@attrs.frozen
class Moved:
    x: int
    y: int


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path) as url:
        yield url


def said(view: Any) -> list[str]:
    return [item.text for item in view.find_all("#said li")]


async def eventually(condition: Callable[[], bool], within: float = 5) -> None:
    """Wait until ``condition()`` holds (fails after ``within`` seconds)."""
    with trio.fail_after(within):
        while not condition():  # noqa: ASYNC110 (a condition on plain values, not an event)
            await trio.sleep(0.01)


async def subscribed(url: str, topic: str, count: int = 1, within: float = 5) -> None:
    """Wait until Redis reports ``count`` subscriber connections of ``topic``: a
    SUBSCRIBE is confirmed after the call that asked for it returns."""
    import coredis

    client: Any = coredis.Redis.from_url(url, decode_responses=True)
    async with client:
        with trio.fail_after(within):
            while (await client.pubsub_numsub(topic)).get(topic, 0) < count:  # noqa: ASYNC110
                await trio.sleep(0.02)


async def test_two_buses_on_one_redis_carry_a_topic_both_ways_in_order(redis_url: str) -> None:
    one, two = RedisBus(redis_url), RedisBus(redis_url)
    heard_one: list[object] = []
    heard_two: list[object] = []
    async with one.running(), two.running():
        one.subscribe("board", heard_one.append, (Moved,))
        two.subscribe("board", heard_two.append, (Moved,))
        await subscribed(redis_url, "board", 2)
        for n in range(20):
            await (one if n % 2 else two).publish("board", Moved(n, -n))
        await eventually(lambda: len(heard_one) == len(heard_two) == 20)
    assert heard_one == heard_two == [Moved(n, -n) for n in range(20)]


async def test_views_on_two_buses_share_a_room(redis_url: str) -> None:
    """As two worker processes would: each view on its own bus, one Redis between."""
    here, there = RedisBus(redis_url), RedisBus(redis_url)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(here.running())
        await stack.enter_async_context(there.running())
        ada = await stack.enter_async_context(mount(Room, {"room": "lobby"}, bus=here))
        bob = await stack.enter_async_context(mount(Room, {"room": "lobby"}, bus=there))
        await subscribed(redis_url, "room:lobby", 2)
        await ada.type("#draft", "hello from here")
        await ada.submit("form")
        await bob.until(lambda v: said(v) == ["hello from here"])
        await ada.until(lambda v: said(v) == ["hello from here"])


async def test_a_message_from_another_process_reaches_a_view(redis_url: str) -> None:
    bus = RedisBus(redis_url)
    publisher = (
        "import sys, trio\n"
        "from actorview.pubsub import RedisBus\n"
        "from examples.rooms import Said\n"
        "async def main():\n"
        "    bus = RedisBus(sys.argv[1])\n"
        "    async with bus.running():\n"
        "        await bus.publish('room:lobby', Said('from another process'))\n"
        "trio.run(main)\n"
    )
    async with bus.running(), mount(Room, {"room": "lobby"}, bus=bus) as view:
        await subscribed(redis_url, "room:lobby")
        done = await trio.run_process(
            [sys.executable, "-c", publisher, redis_url], capture_stderr=True, check=False
        )
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        await view.until(lambda v: said(v) == ["from another process"])


async def test_what_does_not_decode_is_dropped_and_logged_and_the_rest_arrives(
    redis_url: str,
) -> None:
    import coredis

    bus = RedisBus(redis_url)
    heard: list[object] = []
    raw: Any = coredis.Redis.from_url(redis_url, decode_responses=True)
    async with bus.running(), raw:
        bus.subscribe("board", heard.append, (Moved,))
        await subscribed(redis_url, "board")
        with logged() as logs:
            for text in (
                "not json",
                '{"t": "tests.pubsub.test_redis_bus.Moved", "d": {"x": "1", "y": 2}}',
                '{"t": "os.system", "d": {"command": "true"}}',
                '{"t": "tests.pubsub.test_redis_bus.Moved", "d": {"x": 1, "y": 2, "z": 3}}',
            ):
                await raw.publish("board", text)
            await bus.publish("board", Moved(1, 2))
            await eventually(lambda: bool(heard))
    assert heard == [Moved(1, 2)]
    reasons = [event["reason"] for event in logs if event["event"] == "pubsub.undecodable"]
    assert len(reasons) == 4
    assert "not a bus message" in reasons[0]
    assert "does not fit its type" in reasons[1]
    assert "which no subscriber declared" in reasons[2]


async def test_a_subscriber_connection_comes_back_after_redis_restarts(tmp_path: Path) -> None:
    """Redis stops under a running bus and starts again on its port: the bus connects
    again, subscribes its topics again, and the next messages arrive."""
    port = free_port()
    heard: list[object] = []
    bus = RedisBus(f"redis://127.0.0.1:{port}/0")
    with ExitStack() as servers:
        url = servers.enter_context(redis_server(tmp_path, port))
        async with bus.running():
            bus.subscribe("board", heard.append, (Moved,))
            await subscribed(url, "board")
            await bus.publish("board", Moved(1, 1))
            await eventually(lambda: heard == [Moved(1, 1)])
            servers.close()  # Redis goes away under the running bus
            url = servers.enter_context(redis_server(tmp_path, port))
            await subscribed(url, "board", within=15)
            await bus.publish("board", Moved(2, 2))
            await eventually(lambda: heard == [Moved(1, 1), Moved(2, 2)])


async def test_a_redis_that_is_not_there_is_one_clear_error() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    bus = RedisBus(url, connect_timeout=2)
    with pytest.raises(PubSubError, match=rf"cannot reach Redis at {url}"):
        async with bus.running():
            pass


async def test_publish_before_the_bus_runs_or_of_a_non_attrs_value_says_why(
    redis_url: str,
) -> None:
    bus = RedisBus(redis_url)
    with pytest.raises(PubSubError, match="the Redis bus is not running"):
        await bus.publish("board", Moved(1, 2))
    async with bus.running():
        with pytest.raises(PubSubError, match="must be an attrs instance"):
            await bus.publish("board", {"x": 1})
