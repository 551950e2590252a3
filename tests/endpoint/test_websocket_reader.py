"""The socket is read in the connection's own task: ``get_message`` drives wsproto, a
close waits for the peer by reading too, and a close started in another task while the
connection's task reads takes turns with that read. A real socket pair, the client's
bytes written by hand (tests/endpoint/rawws.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import trio

from actorview.endpoint import Application, Limits, Route
from actorview.endpoint._http import BoundedStream
from actorview.endpoint._limits import TokenBucket
from actorview.endpoint._sockets import SocketClosed
from actorview.endpoint._websocket import ServerWebSocket, accept_websocket
from tests.endpoint.harness import Counter, fetch, running
from tests.endpoint.rawws import (
    CLOSE,
    PING,
    PONG,
    TEXT,
    RawSocket,
    close_frame,
    frame,
    upgrade_request,
)

CLOSE_TIMEOUT = 0.5

pytestmark = pytest.mark.builtin_only(
    "the built-in server's WebSocket layer; under ASGI the server reads its sockets"
)


@asynccontextmanager
async def pair(max_message_size: int = 1000) -> AsyncIterator[tuple[ServerWebSocket, RawSocket]]:
    """An accepted server socket and the raw client on the other end of a socket pair."""
    server_sock, client_sock = trio.socket.socketpair()
    server = BoundedStream(trio.SocketStream(server_sock), write_timeout=5)
    client = trio.SocketStream(client_sock)
    async with client:
        ws = await accept_websocket(
            server,
            upgrade_request(80),
            max_message_size=max_message_size,
            close_timeout=CLOSE_TIMEOUT,
            pings=TokenBucket(1000, 1000, trio.current_time()),
        )
        assert ws is not None
        head = b""
        with trio.fail_after(5):
            while b"\r\n\r\n" not in head:
                head += await client.receive_some(4096)
        status, _, rest = head.partition(b"\r\n\r\n")
        assert status.startswith(b"HTTP/1.1 101"), status
        try:
            yield ws, RawSocket(client, rest)
        finally:
            await ws.aclose()


async def test_messages_of_one_read_come_in_order_and_a_fragmented_one_whole() -> None:
    async with pair() as (ws, client):
        await client.send(
            frame(TEXT, b"one")
            + frame(TEXT, b"tw", fin=False)
            + frame(0x0, b"o")
            + frame(0x2, b"\x00three")
        )
        with trio.fail_after(5):
            assert [await ws.get_message() for _ in range(3)] == ["one", "two", b"\x00three"]


async def test_a_ping_is_answered_by_the_read_that_meets_it() -> None:
    async with pair() as (ws, client):
        await client.send(frame(PING, b"are you there") + frame(TEXT, b"after"))
        with trio.fail_after(5):
            assert await ws.get_message() == "after"
            while not any(f.opcode == PONG for f in client.buffered()):
                await client.receive_into_buffer()
        pongs = [f for f in client.buffered() if f.opcode == PONG]
        assert [p.payload for p in pongs] == [b"are you there"]


async def test_messages_before_the_peers_close_are_returned_then_its_code() -> None:
    async with pair() as (ws, client):
        await client.send(frame(TEXT, b"last words") + close_frame(4321, "bye"))
        with trio.fail_after(5):
            assert await ws.get_message() == "last words"
            with pytest.raises(SocketClosed) as closed:
                await ws.get_message()
            frames = await client.frames_until_eof()
    assert closed.value.code == 4321
    assert [(f.opcode, f.close_code) for f in frames] == [(CLOSE, 4321)], "answered, then EOF"


async def test_a_message_past_the_bound_is_closed_with_1009_and_nothing_more_returned() -> None:
    async with pair(max_message_size=10) as (ws, client):
        await client.send(frame(TEXT, b"12345", fin=False) + frame(0x0, b"678901"))
        with trio.fail_after(5), pytest.raises(SocketClosed) as closed:
            await ws.get_message()
        assert closed.value.code == 1009
        with trio.fail_after(5):
            while not client.buffered_close():
                await client.receive_into_buffer()
        assert [f.close_code for f in client.buffered()] == [1009]


async def test_a_close_from_another_task_is_answered_through_the_waiting_read() -> None:
    """The connection's task waits in ``get_message``; another task closes (the
    too-slow close does): the peer's answer reaches the waiting read, both end at once."""
    async with pair() as (ws, client):
        read_ended = trio.Event()
        outcome: list[BaseException] = []

        async def reader() -> None:
            try:
                await ws.get_message()
            except SocketClosed as error:
                outcome.append(error)
            read_ended.set()

        async with trio.open_nursery() as nursery:
            nursery.start_soon(reader)
            await trio.testing.wait_all_tasks_blocked()

            async def peer_answers() -> None:
                while not client.buffered_close():
                    await client.receive_into_buffer()
                await client.send(close_frame(4008))

            nursery.start_soon(peer_answers)
            started = trio.current_time()
            with trio.fail_after(5):
                await ws.aclose(4008, "client too slow")
                await read_ended.wait()
            took = trio.current_time() - started
        frames = await client.frames_until_eof()
    assert took < CLOSE_TIMEOUT, "the answer ended the close, not its time bound"
    assert [type(e) for e in outcome] == [SocketClosed]
    assert [(f.opcode, f.close_code) for f in client.buffered()] == [(CLOSE, 4008)]
    assert frames == client.buffered()


async def test_a_close_from_another_task_to_a_silent_peer_ends_the_waiting_read_in_time() -> None:
    async with pair() as (ws, client):
        outcome: list[BaseException] = []

        async def reader() -> None:
            try:
                await ws.get_message()
            except SocketClosed as error:
                outcome.append(error)

        started = trio.current_time()
        with trio.fail_after(5):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(reader)
                await trio.testing.wait_all_tasks_blocked()
                await ws.aclose(4008, "client too slow")
        took = trio.current_time() - started
        frames = await client.frames_until_eof()
    assert CLOSE_TIMEOUT <= took < CLOSE_TIMEOUT + 2
    assert [type(e) for e in outcome] == [SocketClosed]
    assert [f.close_code for f in frames] == [4008]


async def test_a_close_reads_the_peers_answer_itself_when_no_one_else_reads() -> None:
    async with pair() as (ws, client):
        await client.send(frame(TEXT, b"never read") + close_frame(1000))
        started = trio.current_time()
        with trio.fail_after(5):
            await ws.aclose(1001, "going away")
            with pytest.raises(SocketClosed):
                await ws.get_message()
        assert trio.current_time() - started < CLOSE_TIMEOUT


async def test_a_refused_upgrade_is_answered_400_at_once_and_the_server_serves_on() -> None:
    app = Application([Route("/", Counter)], secret=b"reader-secret-" * 3, limits=Limits())
    async with running(app) as port:
        stream = await trio.open_tcp_stream("127.0.0.1", port)
        async with stream:
            request = upgrade_request(port).replace(b"Sec-WebSocket-Version: 13", b"X-No: 1")
            await stream.send_all(request)
            answer = b""
            with trio.fail_after(5):  # not the join timeout
                while chunk := await stream.receive_some(4096):
                    answer += chunk
        page = await fetch(port)
    assert answer.startswith(b"HTTP/1.1 400"), answer
    assert page.status == 200
