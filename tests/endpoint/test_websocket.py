"""The live socket's own bounds: every close waits a bounded time for the peer, and a
peer that breaks RFC 6455 gets the close frame the RFC asks for (1002, 1007), not a
dropped TCP connection. Raw bytes on real loopback sockets (tests/endpoint/rawws.py)."""

from __future__ import annotations

import json

import pytest
import trio

from actorview.endpoint import Application, Limits, Route
from tests.endpoint.harness import Counter, fetch, running
from tests.endpoint.rawws import BINARY, CLOSE, PING, TEXT, close_frame, frame, raw_socket

SECRET = b"websocket-secret-" * 2


def counter_app(limits: Limits | None = None) -> Application:
    return Application([Route("/", Counter)], secret=SECRET, limits=limits)


async def until_no_connections(app: Application, within: float) -> float:
    """Seconds until the server holds no connection (fails after ``within``)."""
    started = trio.current_time()
    with trio.fail_after(within):
        while app.connections:  # noqa: ASYNC110 (a counter, not an event)
            await trio.sleep(0.01)
    return trio.current_time() - started


@pytest.mark.builtin_only(
    "the close handshake is the WebSocket layer's: hypercorn drops the TCP connection as soon "
    "as it has sent its close frame, without waiting for the peer's (bounded, but not this bound)"
)
async def test_a_peer_silent_under_the_close_is_dropped_after_close_timeout() -> None:
    app = counter_app(Limits(join_timeout=0.3, close_timeout=0.4))
    async with running(app) as port, raw_socket(port) as ws:
        started = trio.current_time()
        frames = await ws.frames_until_eof(within=5)  # never sends its own close frame
        held = trio.current_time() - started
        await until_no_connections(app, within=1)
    assert [(f.opcode, f.close_code, f.close_reason) for f in frames] == [
        (CLOSE, 4002, "no join frame in time")
    ]
    assert 0.3 + 0.4 <= held < 0.3 + 0.4 + 1.0


async def test_a_refused_join_to_a_silent_peer_is_let_go_too() -> None:
    app = counter_app(Limits(close_timeout=0.3))
    async with running(app) as port, raw_socket(port) as ws:
        await ws.send(frame(TEXT, json.dumps({"t": "join", "token": "x.y", "path": "/"}).encode()))
        started = trio.current_time()
        frames = await ws.frames_until_eof(within=5)
        held = trio.current_time() - started
    assert [f.close_code for f in frames] == [4001]
    assert held < 0.3 + 1.0


async def test_hundreds_of_silent_sockets_are_all_released_in_bounded_time() -> None:
    app = counter_app(Limits(join_timeout=2.0, close_timeout=0.5))
    async with running(app) as port:
        async with trio.open_nursery() as nursery:

            async def silent() -> None:
                async with raw_socket(port) as ws:
                    await ws.frames_until_eof(within=10)

            for _ in range(150):
                nursery.start_soon(silent)
            with trio.move_on_after(1.5):  # within the join window, on a loaded machine too
                while app.connections <= 100:  # noqa: ASYNC110 (a counter, no event to wait on)
                    await trio.sleep(0.01)
            assert app.connections > 100, "they were all held while in their join window"
            took = await until_no_connections(app, within=10)
        page = await fetch(port)
    assert took < 2.0 + 0.5 + 2.0
    assert page.status == 200


async def test_a_peer_that_answers_the_close_is_let_go_at_once() -> None:
    app = counter_app(Limits(join_timeout=0.2, close_timeout=30))
    async with running(app) as port, raw_socket(port) as ws:
        with trio.fail_after(5):
            while not ws.buffered_close():
                await ws.receive_into_buffer()
        started = trio.current_time()
        await ws.send(close_frame(4002))
        await ws.frames_until_eof(within=5)
        assert trio.current_time() - started < 1.0, "not the 30 s close_timeout"


VIOLATIONS = {
    "unmasked frame": (frame(TEXT, b'{"t":"ping"}', masked=False), 1002),
    "RSV1 set without an extension": (frame(TEXT, b'{"t":"ping"}', rsv=4), 1002),
    "RSV3 set": (frame(BINARY, b"x", rsv=1), 1002),
    "reserved data opcode 0x3": (frame(0x3, b"x"), 1002),
    "reserved control opcode 0xB": (frame(0xB, b""), 1002),
    "fragmented ping": (frame(PING, b"x", fin=False), 1002),
    "ping payload over 125 bytes": (frame(PING, b"p" * 126), 1002),
    "continuation with nothing to continue": (frame(0x0, b"x"), 1002),
    "close code 999": (close_frame(999), 1002),
    "invalid UTF-8 in a text frame": (frame(TEXT, b'{"t":"\xff\xfe"}'), 1007),
    "overlong UTF-8 encoding": (frame(TEXT, b"\xc0\xaf"), 1007),
    "UTF-16 surrogate in UTF-8": (frame(TEXT, b"\xed\xa0\x80"), 1007),
}


@pytest.mark.builtin_only(
    "RFC 6455 framing is the WebSocket layer's: hypercorn drops a connection that breaks it "
    "with no close frame"
)
@pytest.mark.parametrize("violation", list(VIOLATIONS))
async def test_a_protocol_violation_gets_a_close_frame_with_1002_or_1007(violation: str) -> None:
    data, code = VIOLATIONS[violation]
    app = counter_app(Limits(close_timeout=0.5))
    async with running(app) as port:
        async with raw_socket(port) as ws:
            await ws.send(data)
            frames = await ws.frames_until_eof(within=5)
        page = await fetch(port)
    assert [f.opcode for f in frames] == [CLOSE], f"got {frames}"
    assert frames[0].close_code == code
    assert frames[0].close_reason, "the close frame says what was wrong"
    assert page.status == 200, "the server serves on"
