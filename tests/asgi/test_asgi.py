"""The ASGI face of an Application: its lifespan, its accounting, its mount prefix.

The lifespan is driven by hand, as an ASGI server drives it (startup, shutdown); the
rest runs under hypercorn's trio worker in process.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import trio
import trio_websocket

from actorview.endpoint import Application, Limits, Route
from actorview.supervisor import SupervisorState
from tests.endpoint.harness import Counter, fetch, join, live, running_hypercorn

SECRET = b"asgi-secret-" * 3
OTHER_CLIENT = "127.0.0.2"


def counter_app(**options: Any) -> Application:
    return Application([Route("/", Counter)], secret=SECRET, **options)


async def test_the_lifespan_starts_the_tree_at_startup_and_stops_it_at_shutdown() -> None:
    app = counter_app()
    to_app, app_reads = trio.open_memory_channel[dict[str, Any]](4)
    app_sends, from_app = trio.open_memory_channel[dict[str, Any]](4)

    async def receive() -> Any:
        return await app_reads.receive()

    async def send(message: Any) -> None:
        await app_sends.send(dict(message))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(app, {"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
        states = [app.views.state]
        await to_app.send({"type": "lifespan.startup"})
        with trio.fail_after(5):
            assert (await from_app.receive())["type"] == "lifespan.startup.complete"
        states.append(app.views.state)
        await to_app.send({"type": "lifespan.shutdown"})
        with trio.fail_after(5):
            assert (await from_app.receive())["type"] == "lifespan.shutdown.complete"
        states.append(app.views.state)
    assert states == [SupervisorState.PENDING, SupervisorState.RUNNING, SupervisorState.STOPPED]


async def test_an_unknown_scope_type_is_refused() -> None:
    async def nothing() -> Any:
        raise AssertionError("not read")

    async def ignore(message: Any) -> None:
        raise AssertionError("not sent")

    with pytest.raises(ValueError, match="not 'webtransport'"):
        await counter_app()({"type": "webtransport"}, nothing, ignore)


async def test_live_sockets_per_client_address_are_counted_under_asgi() -> None:
    app = counter_app(limits=Limits(max_connections_per_client=2))
    async with running_hypercorn(app) as port:
        page = await fetch(port)
        async with live(port) as first, live(port) as second:
            await join(first, page.token)
            assert app.connections == 2
            with pytest.raises(trio_websocket.ConnectionRejected) as crowded:
                async with live(port):
                    pass
            async with live(port, local_address=OTHER_CLIENT) as elsewhere:
                assert app.connections == 3
            del second, elsewhere
    assert crowded.value.status_code == 503
    assert crowded.value.body == b"too many connections from your address\n"


async def test_a_root_path_from_the_server_prefixes_every_av_url() -> None:
    app = counter_app()
    prefixed = _with_root_path(app, "/counter")
    async with running_hypercorn(prefixed) as port:
        page = await fetch(port, "/counter/")
        urls = re.findall(r'(?:src|href|data-av-socket)="(/[^"]*)"', page.body)
        async with live(port, path="/counter/_av/live") as ws:
            joined, rendered = await join(ws, page.token, path="/counter/")
    assert page.status == 200
    assert urls and all(url.startswith("/counter/_av/") for url in urls), urls
    assert joined["t"] == "joined" and rendered["t"] == "render"


def _with_root_path(app: Application, root: str) -> Any:
    """``app`` under ``root``, as a server given a root path serves it (the path keeps
    the prefix, ``root_path`` names it: hypercorn's ``--root-path``, Starlette's Mount)."""

    async def prefixed(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "root_path": root}
        await app(scope, receive, send)

    return prefixed
