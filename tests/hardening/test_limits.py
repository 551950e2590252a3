"""Each limit has a safe default, is configurable, and holds over real loopback sockets.

Join timeout and max connections are tested in tests/endpoint/test_live_endpoint.py, the
outbox limit in test_slow_consumer.py, the rejoin grace in test_history.py.
"""

from __future__ import annotations

import json
import resource

import pytest
import trio
import trio_websocket

from actorview.endpoint import Application, Limits, Route
from actorview.endpoint.http import SECURITY_HEADERS
from actorview.endpoint.limits import default_max_connections
from tests.endpoint.harness import Counter, fetch, join, live, receive, running, send

SECRET = b"limits-secret-" * 3


def counter_app(limits: Limits) -> Application:
    return Application([Route("/", Counter)], secret=SECRET, limits=limits)


def test_every_limit_has_a_safe_default() -> None:
    assert Limits() == Limits(
        max_frame_bytes=64 * 1024,
        events_per_second=50.0,
        event_burst=100,
        max_connections=default_max_connections(),
        max_connections_per_client=256,
        max_sessions_per_client=100,
        client_frames_per_second=200.0,
        client_frame_burst=400,
        max_tracked_clients=10_000,
        join_timeout=10.0,
        idle_timeout=75.0,
        write_timeout=10.0,
        close_timeout=1.0,
        rejoin_grace=15.0,
        max_outbox_bytes=1024 * 1024,
        max_head_bytes=16 * 1024,
    )


@pytest.mark.parametrize(
    ("soft", "expected"),
    [(1024, 768), (256, 128), (4096, 3072), (65_536, 10_000), (100, 1)],
)
def test_max_connections_defaults_below_the_descriptor_limit(
    monkeypatch: pytest.MonkeyPatch, soft: int, expected: int
) -> None:
    monkeypatch.setattr(resource, "getrlimit", lambda _: (soft, resource.RLIM_INFINITY))
    assert default_max_connections() == expected
    assert Limits().max_connections == expected


def test_max_connections_default_with_no_descriptor_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    infinite = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    monkeypatch.setattr(resource, "getrlimit", lambda _: infinite)
    assert default_max_connections() == 10_000


@pytest.mark.parametrize("value", [0, -1, float("nan"), "10", True])
def test_a_limit_that_is_not_a_positive_number_is_refused_naming_the_field(
    value: object,
) -> None:
    with pytest.raises(ValueError, match=r"Limits\.idle_timeout must be a number above 0"):
        Limits(idle_timeout=value)  # type: ignore[arg-type]


async def test_a_silent_socket_is_closed_after_the_idle_timeout(
    autojump_clock: trio.abc.Clock,
) -> None:
    async with running(counter_app(Limits(idle_timeout=5))) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            started = trio.current_time()
            with pytest.raises(trio_websocket.ConnectionClosed) as closed:
                await ws.get_message()
            waited = trio.current_time() - started
    assert closed.value.reason is not None
    assert (closed.value.reason.code, closed.value.reason.reason) == (4003, "idle for too long")
    assert 5 <= waited < 6


async def test_pings_keep_a_socket_open_past_the_idle_timeout(
    autojump_clock: trio.abc.Clock,
) -> None:
    async with running(counter_app(Limits(idle_timeout=5))) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            for _ in range(6):
                await trio.sleep(3)
                await send(ws, t="ping")
            await send(ws, t="event", ref=1, name="increment")
            frames = [await receive(ws), await receive(ws)]
    assert {"t": "reply", "ref": 1, "outcome": "applied"} in frames


async def raw_request(port: int, head: bytes) -> tuple[str, dict[str, str], bytes]:
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    await stream.send_all(head)
    data = b""
    with trio.fail_after(5):
        while chunk := await stream.receive_some():
            data += chunk
    head_part, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head_part.decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines)}
    return status, headers, body


def big_head(size: int) -> bytes:
    return f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: {'a' * size}\r\n\r\n".encode()


async def test_a_request_head_past_max_head_bytes_gets_400_with_the_reason() -> None:
    async with running(counter_app(Limits())) as port:
        status, headers, body = await raw_request(port, big_head(20_000))
    assert status.startswith("HTTP/1.1 400")
    assert b"request head larger than 16384 bytes" in body
    for name, value in SECURITY_HEADERS:
        assert headers[name.lower()] == value


async def test_max_head_bytes_is_configurable_both_ways() -> None:
    async with running(counter_app(Limits(max_head_bytes=32 * 1024))) as port:
        status, _, _ = await raw_request(port, big_head(20_000))
    assert status.startswith("HTTP/1.1 200")
    async with running(counter_app(Limits(max_head_bytes=1024))) as port:
        status, _, body = await raw_request(port, big_head(2_000))
    assert status.startswith("HTTP/1.1 400") and b"larger than 1024 bytes" in body


async def test_a_frame_past_max_frame_bytes_gets_an_error_and_the_socket_stays() -> None:
    async with running(counter_app(Limits(max_frame_bytes=1024))) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            await ws.send_message(json.dumps({"t": "ping", "pad": "x" * 1100}))
            error = await receive(ws)
            await send(ws, t="event", ref=1, name="increment")
            frames = [await receive(ws), await receive(ws)]
    assert error["t"] == "error"
    assert "larger than the limit of 1024 bytes" in error["error"]
    assert {"t": "reply", "ref": 1, "outcome": "applied"} in frames


async def test_a_frame_far_past_the_limit_is_refused_by_the_websocket_layer_with_1009() -> None:
    async with running(counter_app(Limits(max_frame_bytes=1024))) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            await ws.send_message("x" * (4 * 1024 + 1))
            with pytest.raises(trio_websocket.ConnectionClosed) as closed:
                await receive(ws)
    assert closed.value.reason is not None and closed.value.reason.code == 1009
    assert "maximum message size" in str(closed.value.reason.reason)


async def test_events_past_the_rate_are_refused_then_allowed_again_as_the_bucket_refills(
    autojump_clock: trio.abc.Clock,
) -> None:
    async with running(counter_app(Limits(events_per_second=2, event_burst=3))) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)

            async def burst(first_ref: int, count: int) -> list[str]:
                for ref in range(first_ref, first_ref + count):
                    await send(ws, t="event", ref=ref, name="increment")
                outcomes: dict[int, str] = {}
                while len(outcomes) < count:
                    frame = await receive(ws)
                    if isinstance(frame, dict):
                        outcomes[frame["ref"]] = str(frame.get("outcome", frame.get("error")))
                return [outcomes[ref] for ref in sorted(outcomes)]

            first = await burst(0, 5)
            await trio.sleep(1)  # two more tokens at 2 per second
            second = await burst(5, 3)
    refused = "too many events: slow down"
    assert first == ["applied"] * 3 + [refused] * 2
    assert second == ["applied", "applied", refused]


async def test_bad_frames_count_against_the_rate_too() -> None:
    async with running(counter_app(Limits(events_per_second=0.001, event_burst=2))) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            answers = []
            for _ in range(4):
                await ws.send_message("{nope")
                answers.append((await receive(ws))["error"])
    assert answers == ["frame is not valid JSON"] * 2 + ["too many events: slow down"] * 2
