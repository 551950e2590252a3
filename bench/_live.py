"""What the socket benchmarks share: a chat app served in-process on loopback, real
WebSocket clients that join its sessions, and the machine facts every report starts with.

The server is the real :class:`~actorview.endpoint.Application` (HTTP page, signed join
token, supervised view per session, outbox, frame clock); the client is trio-websocket,
as a browser's frames would arrive. Both run in one trio loop so that one
``perf_counter`` clock times the whole path; the load generator (``bench.loadgen``) is the
separate-process variant.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, ClassVar

import attrs
import trio
import trio_websocket

from actorview.endpoint import Application, Limits, Route
from actorview.endpoint._outbox import Outbox
from bench._machine import machine_facts
from demo_chat import ChatView

MAX_MESSAGE = 64 << 20
"""Client-side frame limit: a first render of 10,000 history messages is about 2.5 MB."""


def header(module: str) -> None:
    """Print the exact command (``module`` run with this process's arguments) and the
    machine facts."""
    print("$ " + " ".join([f".venv/bin/python -m {module}", *sys.argv[1:]]))
    print(machine_facts())


def quiet_logs() -> None:
    """Warnings and errors only: per-message debug logs are not part of what is measured."""
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


class LiveChat(ChatView):
    """The demo's chat view, remembering its running instances so a benchmark can reach
    the view behind a socket (to reset its draft, read its render count)."""

    running: ClassVar[list[LiveChat]] = []

    async def on_start(self) -> None:
        type(self).running.append(self)
        await super().on_start()


class UnpacedChat(LiveChat):
    """The chat view rendering after every batch, even when served (no frame pacing)."""

    running: ClassVar[list[LiveChat]] = []
    frame_interval = 0.0


def chat_app(view: type[ChatView], *, history: int, token_delay: float = 0.0, **more: Any) -> Any:
    """An Application serving ``view`` at ``/`` with a pre-loaded history."""
    params: dict[str, Any] = {"token_delay": token_delay, "history": history, **more}
    return Application(
        [Route("/", view, name="chat", params=params)],
        secret=b"b" * 32,
        limits=Limits(max_outbox_bytes=MAX_MESSAGE),  # the first render of a long history
    )


@asynccontextmanager
async def serving(app: Application) -> AsyncIterator[int]:
    """Serve ``app`` on an ephemeral loopback port for the block; yields the port."""
    async with trio.open_nursery() as nursery:
        port: int = await nursery.start(app.serve, "127.0.0.1", 0)
        yield port
        nursery.cancel_scope.cancel()


async def fetch_token(port: int, path: str = "/") -> str:
    """GET the page and return the join token of its live root."""
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    await stream.send_all(request.encode())
    data = bytearray()
    while chunk := await stream.receive_some(1 << 16):
        data += chunk
        if b"data-av-token=" in data and b'">' in data[data.index(b"data-av-token=") :]:
            break
    await stream.aclose()
    found = re.search(rb'data-av-token="([^"]+)"', bytes(data))
    if found is None:
        raise RuntimeError(f"no join token in the page: {bytes(data[:300])!r}")
    return found.group(1).decode()


async def join(ws: trio_websocket.WebSocketConnection, token: str) -> None:
    """Join the session of the page at ``/`` on ``ws`` as client.js does: send the join
    frame, read ``joined`` and the first ``render``, acknowledge the render."""
    await ws.send_message(json.dumps({"t": "join", "token": token, "path": "/"}))
    for _ in range(2):  # joined, render
        await ws.get_message()
    await ws.send_message('{"t":"ack","n":1}')


@attrs.define
class Client:
    """One joined socket, the server's session outbox and the view behind it."""

    ws: trio_websocket.WebSocketConnection
    view: LiveChat
    outbox: Outbox
    written_at: list[float] = attrs.Factory(list)
    frames: int = 0

    async def frame(self) -> str:
        message = await self.ws.get_message()
        self.frames += 1
        assert isinstance(message, str)
        return message

    async def send(self, **frame: Any) -> None:
        await self.ws.send_message(json.dumps(frame))


def _stamp_writes(outbox: Outbox, stamps: list[float]) -> None:
    """Record when each frame's socket write returned (``Outbox.wrote``: the frame
    clock's, or a writer task's under ASGI)."""
    wrote: Callable[[], None] = outbox.wrote

    def stamped() -> None:
        wrote()
        stamps.append(time.perf_counter())

    outbox.wrote = stamped  # type: ignore[method-assign]


@asynccontextmanager
async def joined(app: Application, port: int, view: type[LiveChat]) -> AsyncIterator[Client]:
    """Open a socket, join the page's session, read ``joined`` and ``render``."""
    token = await fetch_token(port)
    before = set(app.sessions)
    async with trio_websocket.open_websocket(
        "127.0.0.1",
        port,
        "/_av/live",
        use_ssl=False,
        extra_headers=[(b"Origin", f"http://127.0.0.1:{port}".encode())],
        max_message_size=MAX_MESSAGE,
    ) as ws:
        await join(ws, token)
        (session_id,) = set(app.sessions) - before
        session = app.sessions[session_id]
        client = Client(ws, view.running[-1], session.outbox)
        _stamp_writes(session.outbox, client.written_at)
        yield client


def reply_kept(frame: str) -> bool:
    """Whether ``frame`` moves the finished reply into the history: an assistant item
    inserted whole (``i``), or the reply's tail (``li#draft``) promoted into its item
    (``p``, the usual way: its new tail is then no longer the draft). A submit's frame
    can promote too (the turn's bar into the user's message), with the draft as the new
    tail, so that one is not the reply's end."""
    if not frame.startswith("[") or ('["i",' not in frame and '["p",' not in frame):
        return False
    for op in json.loads(frame):
        if op[0] == "i" and 'data-role="assistant"' in op[3]:
            return True
        if op[0] == "p" and 'id="draft"' not in op[4]:
            return True
    return False


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]
