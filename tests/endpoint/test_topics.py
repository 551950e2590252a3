"""An application's views on its topic bus, served (both transports): the bus runs with
the supervision tree, a served view subscribes when it starts, and what anyone
publishes reaches its page; with a RedisBus, from another bus as another worker would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import trio

from actorview.pubsub import LocalBus, RedisBus
from examples.rooms import Said, application
from tests.endpoint.harness import fetch, join, live, receive, running
from tests.services import redis_server


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path) as url:
        yield url


async def said_on_page(ws: object, text: str) -> None:
    """Read frames until one carries ``text`` (fails after 5 s)."""
    with trio.fail_after(5):
        while text not in json.dumps(await receive(ws)):  # type: ignore[arg-type]
            pass


async def test_a_message_published_on_the_local_bus_reaches_a_served_page() -> None:
    bus = LocalBus()
    app = application(bus)
    async with running(app) as port, live(port) as ws:
        page = await fetch(port, "/rooms/lobby")
        await join(ws, page.token, "/rooms/lobby")
        with trio.fail_after(5):
            while not bus.subscribers("room:lobby"):  # noqa: ASYNC110 (a count, not an event)
                await trio.sleep(0.01)
        await app.pubsub.publish("room:lobby", Said("hello, page"))
        await said_on_page(ws, "hello, page")


async def test_a_page_of_one_worker_hears_what_another_worker_publishes(redis_url: str) -> None:
    app = application(RedisBus(redis_url))
    other_worker = RedisBus(redis_url)
    async with running(app) as port, other_worker.running(), live(port) as ws:
        page = await fetch(port, "/rooms/lobby")
        await join(ws, page.token, "/rooms/lobby")
        with trio.fail_after(5):
            while not app.pubsub.subscribers("room:lobby"):  # type: ignore[attr-defined]  # noqa: ASYNC110
                await trio.sleep(0.01)
        # The first PUBLISH may pass before Redis has the SUBSCRIBE: publish until heard.
        with trio.fail_after(5):
            async with trio.open_nursery() as nursery:

                async def keep_publishing() -> None:
                    while True:
                        await other_worker.publish("room:lobby", Said("from worker two"))
                        await trio.sleep(0.1)

                nursery.start_soon(keep_publishing)
                await said_on_page(ws, "from worker two")
                nursery.cancel_scope.cancel()
