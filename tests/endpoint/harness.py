"""Serve an Application on 127.0.0.1 for a test, fetch its pages, open live sockets.

:func:`running` serves on the transport the test runs under (``transport``, set by the
``transport`` fixture of tests/endpoint/conftest.py for each of :data:`TRANSPORTS`): the
built-in server, or the ASGI application under hypercorn's trio worker, in process.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import attrs
import trio
import trio_websocket

from actorview.endpoint import Application
from actorview.render import Element, h
from actorview.view import View, action, calculate, ops, state


class Counter(View):
    """The smallest live view: a count, a derived value, one action."""

    count = state(int)
    doubled = calculate(lambda count: count * 2)
    increment = action(ops.set(count=lambda count: count + 1))

    def render(self) -> Element:
        return h.div(h.button("+", id="inc"), h.span(self.doubled, id="doubled"))


@attrs.frozen
class Page:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def token(self) -> str:
        found = re.search(r'data-av-token="([^"]+)"', self.body)
        assert found is not None, f"no join token in the page: {self.body[:300]}"
        return found.group(1)


Transport = Literal["builtin", "hypercorn"]
TRANSPORTS: tuple[Transport, ...] = ("builtin", "hypercorn")
transport: Transport = "builtin"
"""The transport :func:`running` serves on (the ``transport`` fixture sets it)."""


@asynccontextmanager
async def running(app: Application) -> AsyncIterator[int]:
    """Serve ``app`` on an ephemeral loopback port for the duration of the block, on
    the built-in server or under hypercorn (see :data:`transport`)."""
    if transport == "hypercorn":
        async with running_hypercorn(app) as served:
            yield served
        return
    async with trio.open_nursery() as nursery:
        port: int = await nursery.start(app.serve, "127.0.0.1", 0)
        yield port
        nursery.cancel_scope.cancel()


@asynccontextmanager
async def running_hypercorn(app: Any, *, graceful: float = 0.2) -> AsyncIterator[int]:
    """Serve the ASGI application ``app`` with hypercorn's trio worker on an ephemeral
    loopback port; at the block's end, shut down as hypercorn does on a signal (stop
    accepting, give connections ``graceful`` seconds, then the lifespan's shutdown)."""
    from hypercorn.config import Config
    from hypercorn.trio import serve

    config = Config()
    config.bind = ["127.0.0.1:0"]
    config.graceful_timeout = graceful
    config.accesslog = None
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        binds: list[str] = await nursery.start(
            functools.partial(serve, app, config, shutdown_trigger=stop.wait)
        )
        yield int(binds[0].rsplit(":", 1)[1])
        stop.set()


async def fetch(
    port: int,
    path: str = "/",
    method: str = "GET",
    *,
    host: str | None = None,
    local_address: str | None = None,
) -> Page:
    """One request; ``local_address`` (e.g. ``127.0.0.2``) makes it come from another
    client address, ``host`` sends another ``Host`` header."""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\n"
        "Connection: close\r\n\r\n"  # hypercorn keeps a connection alive otherwise
    )
    return await request(port, head.encode(), local_address=local_address)


async def request(port: int, raw: bytes, *, local_address: str | None = None) -> Page:
    """Send ``raw`` (a request, or bytes that are not one) and read the :class:`Page`."""
    status_line, headers, body = await exchange(port, raw, local_address=local_address)
    return Page(int(status_line.split()[1]), headers, body.decode())


async def exchange(
    port: int, raw: bytes, *, local_address: str | None = None
) -> tuple[str, dict[str, str], bytes]:
    """Send ``raw`` and read the response until the server closes: its status line, its
    headers (names in lower case) and its body."""
    stream = await trio.open_tcp_stream("127.0.0.1", port, local_address=local_address)
    await stream.send_all(raw)
    data = b""
    with trio.fail_after(5):
        while chunk := await stream.receive_some():
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.lower(): value for name, value in (line.split(": ", 1) for line in header_lines)
    }
    return status_line, headers, body


@asynccontextmanager
async def live(
    port: int,
    *,
    origin: str | None = None,
    local_address: str | None = None,
    path: str = "/_av/live",
) -> AsyncIterator[trio_websocket.WebSocketConnection]:
    """A live socket; from ``local_address`` (another loopback address) if given;
    ``path`` under a mount prefix (``/chat/_av/live``)."""
    origin = origin if origin is not None else f"http://127.0.0.1:{port}"
    if local_address is not None:
        async with _live_from(port, origin, local_address) as ws:
            yield ws
        return
    async with trio_websocket.open_websocket(
        "127.0.0.1",
        port,
        path,
        use_ssl=False,
        extra_headers=[(b"Origin", origin.encode())],
    ) as ws:
        yield ws


async def wrap_live(
    nursery: trio.Nursery, stream: trio.SocketStream, port: int, *, origin: str | None = None
) -> trio_websocket.WebSocketConnection:
    """The live socket's handshake over a connection the caller opened (with its own
    local address or socket options); the socket lives in ``nursery``."""
    origin = origin if origin is not None else f"http://127.0.0.1:{port}"
    return await trio_websocket.wrap_client_stream(
        nursery,
        stream,
        f"127.0.0.1:{port}",
        "/_av/live",
        extra_headers=[(b"Origin", origin.encode())],
    )


@asynccontextmanager
async def _live_from(
    port: int, origin: str, local_address: str
) -> AsyncIterator[trio_websocket.WebSocketConnection]:
    stream = await trio.open_tcp_stream("127.0.0.1", port, local_address=local_address)
    async with trio.open_nursery() as nursery:
        ws = await wrap_live(nursery, stream, port, origin=origin)
        try:
            yield ws
        finally:
            with trio.move_on_after(1):
                await ws.aclose()
            nursery.cancel_scope.cancel()


async def join(ws: trio_websocket.WebSocketConnection, token: str, path: str = "/") -> list[Any]:
    """Send the join frame; return the joined frame and the first render frame."""
    await ws.send_message(json.dumps({"t": "join", "token": token, "path": path}))
    return [await receive(ws), await receive(ws)]


async def receive(ws: trio_websocket.WebSocketConnection, within: float = 5) -> Any:
    with trio.fail_after(within):
        return json.loads(await ws.get_message())


async def send(ws: trio_websocket.WebSocketConnection, **frame: Any) -> None:
    await ws.send_message(json.dumps(frame))
