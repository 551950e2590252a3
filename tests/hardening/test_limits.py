"""Each limit has a safe default, is configurable, and holds over real loopback sockets.

Join timeout and max connections are tested in tests/endpoint/test_live_endpoint.py, the
outbox limit in test_slow_consumer.py, the rejoin grace in test_history.py.
"""

from __future__ import annotations

import json
import resource
import socket
from pathlib import Path

import pytest
import trio
import trio_websocket

from actorview.endpoint import Application, Limits, Route
from actorview.endpoint._http import SECURITY_HEADERS
from actorview.endpoint._limits import ClientTable, client_key, default_max_connections
from tests.endpoint.harness import Counter, exchange, fetch, join, live, receive, running, send

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


def big_head(size: int) -> bytes:
    return f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: {'a' * size}\r\n\r\n".encode()


@pytest.mark.builtin_only(
    "the HTTP parser is the server's under ASGI (hypercorn: h11_max_incomplete_size)"
)
async def test_a_request_head_past_max_head_bytes_gets_400_with_the_reason() -> None:
    async with running(counter_app(Limits())) as port:
        status, headers, body = await exchange(port, big_head(20_000))
    assert status.startswith("HTTP/1.1 400")
    assert b"request head larger than 16384 bytes" in body
    for name, value in SECURITY_HEADERS:
        assert headers[name.lower()] == value


@pytest.mark.builtin_only(
    "the HTTP parser is the server's under ASGI (hypercorn: h11_max_incomplete_size)"
)
async def test_max_head_bytes_is_configurable_both_ways() -> None:
    async with running(counter_app(Limits(max_head_bytes=32 * 1024))) as port:
        status, _, _ = await exchange(port, big_head(20_000))
    assert status.startswith("HTTP/1.1 200")
    async with running(counter_app(Limits(max_head_bytes=1024))) as port:
        status, _, body = await exchange(port, big_head(2_000))
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


async def test_the_page_learns_the_limit_at_join_and_an_oversized_event_keeps_its_ref() -> None:
    async with running(counter_app(Limits(max_frame_bytes=1024))) as port:
        page = await fetch(port)
        async with live(port) as ws:
            joined, _ = await join(ws, page.token)
            await send(ws, t="event", ref=7, name="increment", params={"pad": "x" * 2000})
            error = await receive(ws)
    assert joined["limits"] == {"max_frame_bytes": 1024}, "the page checks before sending"
    assert error["t"] == "error" and error["ref"] == 7, "so the page takes back event 7"
    assert "larger than the limit of 1024 bytes" in error["error"]


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


# -- accounted per session and per client address, not per socket ------------------------

OTHER_CLIENT = "127.0.0.2"  # another loopback address: another client for the limits


async def outcomes(ws: trio_websocket.WebSocketConnection, refs: range) -> list[str]:
    """The answer to each event ref in ``refs`` ("applied" or the error), in ref order."""
    found: dict[int, str] = {}
    while len(found) < len(refs):
        frame = await receive(ws)
        if isinstance(frame, dict) and frame.get("ref") in refs:
            found[frame["ref"]] = str(frame.get("outcome", frame.get("error")))
    return [found[ref] for ref in refs]


async def test_a_rejoin_with_the_sessions_token_does_not_refill_its_event_bucket() -> None:
    async with running(counter_app(Limits(events_per_second=0.001, event_burst=3))) as port:
        page = await fetch(port)
        async with live(port) as ws:
            joined_frame, _ = await join(ws, page.token)
            for ref in range(3):
                await send(ws, t="event", ref=ref, name="increment")
            first = await outcomes(ws, range(3))
        async with live(port) as ws:
            await send(ws, t="join", token=joined_frame["token"], path="/")
            assert (await receive(ws))["t"] == "joined"  # the same session, resumed
            for ref in range(3, 5):
                await send(ws, t="event", ref=ref, name="increment")
            second = await outcomes(ws, range(3, 5))
    assert first == ["applied"] * 3
    assert second == ["too many events: slow down"] * 2


async def test_live_sessions_per_client_address_are_bounded() -> None:
    limits = Limits(max_sessions_per_client=2, rejoin_grace=0.2)
    served = counter_app(limits)
    async with running(served) as port:
        pages = [await fetch(port) for _ in range(4)]
        async with live(port) as first, live(port) as second:
            await join(first, pages[0].token)
            await join(second, pages[1].token)
            async with live(port) as third:
                await send(third, t="join", token=pages[2].token, path="/")
                with pytest.raises(trio_websocket.ConnectionClosed) as refused:
                    await receive(third)
            assert len(served.sessions) == 2, "the refused join left no session behind"
            async with live(port, local_address=OTHER_CLIENT) as elsewhere:
                assert (await join(elsewhere, pages[2].token))[0]["t"] == "joined"
        await trio.sleep(0.2 + 0.3)  # the first two are reaped after their grace
        async with live(port) as again:
            assert (await join(again, pages[3].token))[0]["t"] == "joined"
    assert refused.value.reason is not None and refused.value.reason.code == 4001
    assert "too many live sessions from your address (limit 2)" in str(refused.value.reason.reason)


@pytest.mark.builtin_only(
    "it holds idle TCP connections: under ASGI the server owns those, and the core counts "
    "requests and live sockets (tests/asgi/test_asgi.py)"
)
async def test_connections_per_client_address_are_bounded() -> None:
    served = counter_app(Limits(max_connections_per_client=3))
    async with running(served) as port:
        held = [await trio.open_tcp_stream("127.0.0.1", port) for _ in range(3)]
        with trio.fail_after(5):
            while served.connections < 3:  # noqa: ASYNC110 (a counter, not an event)
                await trio.sleep(0.01)
        crowded = await fetch(port)
        elsewhere = await fetch(port, local_address=OTHER_CLIENT)
        for stream in held:
            await stream.aclose()
        with trio.fail_after(5):
            while served.connections:  # noqa: ASYNC110
                await trio.sleep(0.01)
        after = await fetch(port)
    assert (crowded.status, crowded.body) == (503, "too many connections from your address\n")
    assert elsewhere.status == 200 and after.status == 200


async def test_a_protocol_ping_flood_is_read_at_the_clients_frame_rate_and_slows_no_one_else(
    autojump_clock: trio.abc.Clock,
) -> None:
    limits = Limits(client_frames_per_second=100, client_frame_burst=10, idle_timeout=1000)
    async with running(counter_app(limits)) as port:
        flooder_page, other_page = await fetch(port), await fetch(port)
        other_took = 0.0
        async with live(port) as flooder, live(port, local_address=OTHER_CLIENT) as other:
            await join(flooder, flooder_page.token)
            await join(other, other_page.token)
            started = trio.current_time()
            async with trio.open_nursery() as nursery:

                async def other_client() -> None:
                    nonlocal other_took
                    await trio.sleep(0.5)  # in the middle of the flood
                    sent = trio.current_time()
                    await send(other, t="event", ref=1, name="increment")
                    assert await outcomes(other, range(1, 2)) == ["applied"]
                    other_took = trio.current_time() - sent

                nursery.start_soon(other_client)
                for _ in range(300):
                    await send(flooder, t="ping")
                await send(flooder, t="event", ref=1, name="increment")
                assert await outcomes(flooder, range(1, 2)) == ["applied"]
            flood_took = trio.current_time() - started
    assert flood_took >= (301 - 10) / 100, "read no faster than the budget refills"
    assert other_took < 0.05, "another address has its own budget"


@pytest.mark.builtin_only(
    "WebSocket pings are the WebSocket layer's: hypercorn answers them itself"
)
async def test_websocket_pings_take_from_the_clients_frame_budget_too(
    autojump_clock: trio.abc.Clock,
) -> None:
    limits = Limits(client_frames_per_second=20, client_frame_burst=10, idle_timeout=1000)
    async with running(counter_app(limits)) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            started = trio.current_time()
            for _ in range(60):
                await ws.ping()  # waits for the pong
            took = trio.current_time() - started
    assert took >= (60 - 10) / 20


async def test_an_http_reader_that_reads_nothing_is_dropped_after_write_timeout(
    tmp_path: Path,
) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (32 << 20))  # far past the socket buffers
    served = Application(
        [Route("/", Counter)],
        secret=SECRET,
        static_files={"big.bin": big},
        limits=Limits(write_timeout=0.5),
    )
    async with running(served) as port:
        sock = trio.socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        await sock.connect(("127.0.0.1", port))
        async with trio.SocketStream(sock) as stream:
            await stream.send_all(b"GET /_av/static/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            with trio.fail_after(5):
                while not served.connections:  # noqa: ASYNC110 (a counter, not an event)
                    await trio.sleep(0.01)
            started = trio.current_time()
            with trio.fail_after(5):
                while served.connections:  # noqa: ASYNC110
                    await trio.sleep(0.01)
            held = trio.current_time() - started
    assert held < 0.5 + 1.0


def test_client_keys_are_ipv4_addresses_and_ipv6_slash_64s() -> None:
    assert client_key("203.0.113.7") == "203.0.113.7"
    assert client_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:ffff::9")
    assert client_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("fe80::1%eth0") == "fe80::/64"
    assert client_key("") == ""


async def test_the_client_table_forgets_idle_clients_first_and_never_grows_past_its_bound() -> None:
    table = ClientTable(Limits(max_tracked_clients=3))
    busy = table.get("198.51.100.1")
    busy.connections = 1
    for n in range(2, 200):
        table.get(f"198.51.100.{n}")
        assert len(table) <= 3
    assert table.get("198.51.100.1") is busy, "a client with a connection is kept"
