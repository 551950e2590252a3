"""Behind a proxy: Forwarded / X-Forwarded-* believed only from trusted proxies, on both
transports; per-client limits count the real client; Host and Origin are checked as the
browser sent them to the proxy; allowed_origins adds to the page's own host."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import trio_websocket

from actorview.endpoint import Application, Limits, Route
from actorview.endpoint._forwarded import Origin, TrustedProxies
from tests.endpoint.harness import Counter, fetch, join, request, running, send

SECRET = b"forwarded-secret-" * 3


def proxied_app(*, trusted: tuple[str, ...] = ("127.0.0.1",), **options: object) -> Application:
    return Application(
        [Route("/", Counter)],
        secret=SECRET,
        trusted_proxies=trusted,
        limits=Limits(max_sessions_per_client=1),
        **options,  # type: ignore[arg-type]
    )


async def get(port: int, headers: dict[str, str]) -> int:
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    head = f"GET / HTTP/1.1\r\n{lines}Connection: close\r\n\r\n"
    return (await request(port, head.encode())).status


@asynccontextmanager
async def socket_via(
    port: int, headers: dict[str, str]
) -> AsyncIterator[trio_websocket.WebSocketConnection]:
    extra = [(name.encode(), value.encode()) for name, value in headers.items()]
    async with trio_websocket.open_websocket(
        "127.0.0.1", port, "/_av/live", use_ssl=False, extra_headers=extra
    ) as ws:
        yield ws


def test_the_client_is_the_nearest_untrusted_address_of_the_chain() -> None:
    proxies = TrustedProxies.of(["127.0.0.1", "10.0.0.0/8"])
    chain = {"x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.1.2.3"}
    assert proxies.resolve("127.0.0.1", chain).client == "203.0.113.7"
    forwarded = {"forwarded": 'for=6.6.6.6, for="[2001:db8::1]:4711";proto=https;host=a.example'}
    assert proxies.resolve("10.0.0.1", forwarded) == Origin("2001:db8::1", "https", "a.example")
    assert proxies.resolve("192.0.2.1", chain) == Origin("192.0.2.1"), "an untrusted peer"
    assert TrustedProxies().resolve("127.0.0.1", chain) == Origin("127.0.0.1"), "off by default"
    garbage = {"x-forwarded-for": "unknown", "x-forwarded-proto": "gopher"}
    assert proxies.resolve("127.0.0.1", garbage) == Origin("127.0.0.1")


def test_a_trusted_proxy_that_is_not_an_address_is_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match=r"'proxy\.local' is not an IP address or network"):
        TrustedProxies.of(["proxy.local"])


async def test_per_client_limits_count_the_client_a_trusted_proxy_names() -> None:
    async with running(proxied_app()) as port:
        pages = [(await fetch(port)).token for _ in range(3)]
        headers = {"Origin": f"http://127.0.0.1:{port}"}
        async with (
            socket_via(port, {**headers, "X-Forwarded-For": "203.0.113.1"}) as first,
            socket_via(port, {**headers, "X-Forwarded-For": "203.0.113.2"}) as second,
            socket_via(port, {**headers, "X-Forwarded-For": "203.0.113.1"}) as third,
        ):
            assert (await join(first, pages[0]))[0]["t"] == "joined"
            assert (await join(second, pages[1]))[0]["t"] == "joined", "another client"
            await send(third, t="join", token=pages[2], path="/")
            with pytest.raises(trio_websocket.ConnectionClosed) as closed:
                await third.get_message()
            assert closed.value.reason is not None and closed.value.reason.code == 4001, (
                "the same client's second session"
            )


async def test_forwarded_headers_from_an_untrusted_peer_are_ignored() -> None:
    async with running(proxied_app(trusted=("10.9.9.9",))) as port:
        pages = [(await fetch(port)).token for _ in range(2)]
        headers = {"Origin": f"http://127.0.0.1:{port}"}
        async with (
            socket_via(port, {**headers, "X-Forwarded-For": "203.0.113.1"}) as first,
            socket_via(port, {**headers, "X-Forwarded-For": "203.0.113.2"}) as second,
        ):
            assert (await join(first, pages[0]))[0]["t"] == "joined"
            await send(second, t="join", token=pages[1], path="/")
            with pytest.raises(trio_websocket.ConnectionClosed) as closed:
                await second.get_message()
            assert closed.value.reason is not None and closed.value.reason.code == 4001, (
                "both are the peer, 127.0.0.1"
            )


async def test_host_and_origin_are_checked_as_forwarded_by_a_trusted_proxy() -> None:
    served = proxied_app(allowed_hosts=["chat.example.com"])
    async with running(served) as port:
        own = f"127.0.0.1:{port}"
        forwarded = {"Host": own, "X-Forwarded-Host": "chat.example.com"}
        assert await get(port, forwarded) == 200
        assert await get(port, {"Host": own, "X-Forwarded-Host": "evil.example"}) == 400
        token = (await fetch(port)).token
        upgrade = {
            "X-Forwarded-Host": "chat.example.com",
            "X-Forwarded-Proto": "https",
            "Origin": "https://chat.example.com",
        }
        async with socket_via(port, upgrade) as ws:
            assert (await join(ws, token))[0]["t"] == "joined"
        with pytest.raises(trio_websocket.ConnectionRejected) as refused:
            async with socket_via(port, {**upgrade, "Origin": f"http://{own}"}):
                pass
        assert refused.value.status_code == 403, "the page's host is the forwarded one"


async def test_allowed_origins_are_accepted_besides_the_pages_own_host() -> None:
    served = Application(
        [Route("/", Counter)], secret=SECRET, allowed_origins=["https://app.example.com"]
    )
    async with running(served) as port:
        for origin in (f"http://127.0.0.1:{port}", "https://app.example.com"):
            token = (await fetch(port)).token
            async with socket_via(port, {"Origin": origin}) as ws:
                assert (await join(ws, token))[0]["t"] == "joined"


def test_a_client_cannot_pass_itself_off_as_another_through_a_trusted_proxy() -> None:
    proxies = TrustedProxies.of(["127.0.0.1"])
    # The client sent "X-Forwarded-For: 1.1.1.1"; the proxy appended the real peer.
    spoofed = {"x-forwarded-for": "1.1.1.1, 198.51.100.9"}
    assert proxies.resolve("127.0.0.1", spoofed).client == "198.51.100.9"
    forwarded = {"forwarded": "for=1.1.1.1, for=198.51.100.9;proto=http"}
    assert proxies.resolve("127.0.0.1", forwarded).client == "198.51.100.9"
    assert proxies.resolve("::1", spoofed).client == "::1", "::1 is not 127.0.0.1"


def test_a_forwarded_host_that_could_not_be_a_host_header_is_ignored() -> None:
    proxies = TrustedProxies.of(["127.0.0.1"])
    for host in ("evil.example/path", "a b", "user@evil.example", "x" * 300):
        assert proxies.resolve("127.0.0.1", {"x-forwarded-host": host}).host is None, host
    assert proxies.resolve("127.0.0.1", {"x-forwarded-host": "a.example:8443"}).host == (
        "a.example:8443"
    )
