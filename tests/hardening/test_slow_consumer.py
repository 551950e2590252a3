"""A browser that stops reading costs the server a bounded amount of memory, then its socket.

While a long reply streams to a client that reads nothing, the frames waiting for it are
merged (a few items, whatever the number of tokens); once they pass
``Limits.max_outbox_bytes`` they are dropped and the socket is closed with 4008 "client
too slow". The rejoin that follows gets a fresh view, with the committed history.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import trio
import trio_websocket

from actorview.endpoint import Limits
from tests.endpoint.harness import running, wrap_live
from tests.hardening.chat import ChatPage, chat_app, joined, open_page

LIMIT = 32 * 1024


@asynccontextmanager
async def tiny_window_socket(port: int) -> AsyncIterator[trio_websocket.WebSocketConnection]:
    """A WebSocket whose receive buffer is 4 KiB: when it stops reading, the server's
    sends block within a few hundred KiB instead of the kernel's megabytes."""
    sock = trio.socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    await sock.connect(("127.0.0.1", port))
    stream = trio.SocketStream(sock)
    async with trio.open_nursery() as nursery:
        ws = await wrap_live(nursery, stream, port)
        try:
            yield ws
        finally:
            nursery.cancel_scope.cancel()
            # Gone for good: a server still writing to it (hypercorn shields its writes
            # from cancellation) sees the connection end.
            await trio.aclose_forcefully(stream)


async def test_a_client_that_stops_reading_is_bounded_then_closed_with_a_reason() -> None:
    app = chat_app(token_delay=0.0, reply_length=2_000_000, limits=Limits(max_outbox_bytes=LIMIT))
    most_waiting = 0
    async with running(app) as port:
        page = await open_page(port)
        async with tiny_window_socket(port) as ws:
            await page.join(ws)
            (session,) = app.sessions.values()
            outbox = session.outbox
            await page.submit(ws, "tell me everything")
            with trio.fail_after(30):
                while not outbox.overflowed.is_set():
                    most_waiting = max(most_waiting, len(outbox))
                    assert outbox.pending_bytes <= LIMIT + 4096
                    await trio.sleep(0.001)
            assert outbox.pending_bytes == 0 and len(outbox) == 0, "the backlog was dropped"
            with pytest.raises(trio_websocket.ConnectionClosed) as closed, trio.fail_after(10):
                while True:
                    page.apply(str(await ws.get_message()))
        assert closed.value.reason is not None
        assert (closed.value.reason.code, closed.value.reason.reason) == (4008, "client too slow")
        assert most_waiting <= 3, "waiting frames were merged"

        rejoined = ChatPage(port, page.token, path=page.path)
        async with joined(rejoined):
            assert session.outbox is not outbox, "a fresh outbox"
    assert rejoined.history == [("user", "tell me everything")]


async def test_a_client_that_never_reads_again_is_dropped_soon_after_the_limit() -> None:
    app = chat_app(token_delay=0.0, reply_length=2_000_000, limits=Limits(max_outbox_bytes=LIMIT))
    async with running(app) as port:
        page = await open_page(port)
        async with tiny_window_socket(port) as ws:
            await page.join(ws)
            (session,) = app.sessions.values()
            await page.submit(ws, "never mind")
            with trio.fail_after(30):
                await session.outbox.overflowed.wait()
            overflowed_at = trio.current_time()
            with trio.fail_after(5):
                while app.connections:  # noqa: ASYNC110 (a counter, not an event)
                    await trio.sleep(0.01)
            dropped_after = trio.current_time() - overflowed_at
    assert dropped_after < 2, "closed within the close grace, not left hanging"
