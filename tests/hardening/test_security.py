"""No one let in: tokens bound to view and session, Origin checked, sessions sealed off from
each other, values escaped on the wire, no secret in the logs, security headers on every
HTTP response.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import pytest
import structlog
import trio
import trio_websocket

from actorview.endpoint import Application, Limits, Route
from actorview.endpoint._http import SECURITY_HEADERS, AllowedHosts
from actorview.endpoint._tokens import TokenSigner
from actorview.mailbox import ActorRef
from actorview.optimistic import client_modules
from actorview.render import Element, client_script_path, h
from actorview.view import View, action, ops, state
from tests.endpoint.harness import (
    Counter,
    Page,
    fetch,
    join,
    live,
    receive,
    request,
    running,
    send,
)
from tests.endpoint.rawws import upgrade_request
from tests.hardening.chat import SECRET as CHAT_SECRET
from tests.hardening.chat import chat_app, idle, joined, open_page

SECRET = b"security-secret-" * 3


class Room(View):
    """A view with a path parameter, to bind tokens to one page of a view."""

    room = state(str)

    def mount(self, params: dict[str, str]) -> None:
        self.room = params["room"]

    def render(self) -> Element:
        return h.p(self.room)


class Echo(View):
    """Shows its client field as text, as an attribute, and in a node whose tag follows
    the text's length (so a change replaces it: the value travels as HTML)."""

    text = state(str, origin="client")
    shout = action(ops.set(text=lambda text: text.upper() + "!"))

    def render(self) -> Element:
        swap = h.b if len(self.text) % 2 else h.i
        return h.div(h.p(self.text, title=self.text), swap(self.text))


class Broken(View):
    def mount(self, params: object) -> None:
        raise RuntimeError("a bug in mount")


def app(**options: Any) -> Application:
    routes = [
        Route("/", Counter),
        Route("/rooms/{room}", Room),
        Route("/echo", Echo),
        Route("/broken", Broken),
    ]
    return Application(routes, secret=SECRET, **options)


async def refusal(port: int, token: str, path: str = "/") -> str:
    async with live(port) as ws:
        await send(ws, t="join", token=token, path=path)
        with pytest.raises(trio_websocket.ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.reason is not None and closed.value.reason.code == 4001
    return str(closed.value.reason.reason)


def tampered(token: str, **changes: Any) -> str:
    body, mac = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(changes)
    encoded = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(encoded).rstrip(b"=").decode() + "." + mac


async def test_a_token_is_bound_to_its_view_page_and_session() -> None:
    async with running(app()) as port:
        lobby = (await fetch(port, "/rooms/lobby")).token
        assert "another page" in await refusal(port, lobby, "/rooms/kitchen")
        assert "is for view 'Room', not 'Counter'" in await refusal(port, lobby, "/")
        for change in ({"s": "someone-elses-session"}, {"p": {"room": "kitchen"}}, {"e": 9e9}):
            assert "forged" in await refusal(port, tampered(lobby, **change), "/rooms/lobby")
        async with live(port) as ws:
            joined_frames = await join(ws, lobby, "/rooms/lobby")
    assert joined_frames[1] == {"t": "render", "html": "<p>lobby</p>"}


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://127.0.0.1.evil.example", ""]
)
async def test_a_foreign_or_missing_origin_is_refused_at_the_upgrade(origin: str) -> None:
    async with running(app()) as port:
        with pytest.raises(trio_websocket.ConnectionRejected) as refused:
            async with live(port, origin=origin):
                pass
    assert refused.value.status_code == 403


async def test_allowed_origins_are_matched_exactly() -> None:
    allowed = app(allowed_origins=["https://chat.example.com"])
    async with running(allowed) as port:
        page = await fetch(port)
        async with live(port, origin="https://chat.example.com") as ws:
            assert (await join(ws, page.token))[0]["t"] == "joined"
        with pytest.raises(trio_websocket.ConnectionRejected):
            async with live(port, origin="https://chat.example.com.evil.example"):
                pass


async def test_no_frame_reaches_another_sessions_view() -> None:
    served = app()
    async with running(served) as port:
        first, second = await fetch(port), await fetch(port)
        async with live(port) as ws1, live(port) as ws2:
            await join(ws1, first.token)
            await join(ws2, second.token)
            for event_ref in range(5):
                await send(ws1, t="event", ref=event_ref, name="increment")
            # A frame cannot name another session or view: extra keys are refused.
            await send(ws1, t="event", ref=9, name="increment", session="x", view="Counter")
            await send(ws1, t="join", token=second.token, path="/")
            frames1 = [await receive(ws1) for _ in range(2 * 5 + 2)]
            with trio.move_on_after(0.3):
                leaked = await receive(ws2)
                pytest.fail(f"the other session got a frame: {leaked}")
            counts: dict[str, int] = {}
            for session_id in served.sessions:
                ref = served.views.registry.get(session_id)
                assert isinstance(ref, ActorRef)
                view = ref._actor
                assert isinstance(view, Counter)
                counts[session_id] = int(view.live.store.read("count"))
    errors = [f["error"] for f in frames1 if isinstance(f, dict) and f["t"] == "error"]
    assert any("extra fields found (session, view)" in e for e in errors)
    assert "already joined" in errors
    assert sorted(counts.values()) == [0, 5]


async def test_script_payloads_travel_escaped_in_render_and_patch_frames() -> None:
    payloads = ['"><script>alert(1)</script>', "</p><img src=x onerror=alert(1)>", "<!--"]
    async with running(app()) as port:
        page = await fetch(port, "/echo")
        async with live(port) as ws:
            joined_frames = await join(ws, page.token, "/echo")
            raw_frames: list[str] = [json.dumps(joined_frames[1])]
            for ref, payload in enumerate(payloads):
                await send(ws, t="input", ref=ref, field="text", value=payload)
                await send(ws, t="event", ref=100 + ref, name="shout")
                with trio.fail_after(5):
                    while f'"ref":{100 + ref}' not in (raw_frames or [""])[-1]:
                        raw_frames.append(str(await ws.get_message()))
            await send(ws, t="event", ref=999, name="shout")
            await receive(ws)
    markup = [html for frame in raw_frames for html in html_in(json.loads(frame))]
    assert markup, "the payloads travelled as HTML too (render, replace or insert ops)"
    for marker in ("<script", "<img", "<SCRIPT", "<IMG", "<!--"):
        assert not any(marker in html for html in markup)


def html_in(frame: Any) -> list[str]:
    """The HTML a frame carries (text and attribute ops carry plain values, which the
    client sets as DOM text and attribute values, never parses)."""
    if isinstance(frame, dict):
        return [frame["html"]] if frame.get("t") == "render" else []
    found = []
    for op in frame:
        if op[0] in ("R", "h", "i"):
            found.append(op[3] if op[0] == "i" else op[2])
        elif op[0] == "c":
            found.extend(op[4][1::2])
        elif op[0] == "p":  # a tail promoted into an item: its ops, then the new tail
            found.extend([*html_in(op[3]), op[4]])
    return found


async def test_security_headers_are_on_every_response_including_errors() -> None:
    async with running(app(limits=Limits(max_connections=1))) as port:
        responses = {
            "page": await fetch(port),
            "head": await fetch(port, method="HEAD"),
            "script": await fetch(port, "/_av/client.js"),
            "not found": await fetch(port, "/nope"),
            "method": await fetch(port, "/", method="POST"),
            "mount bug": await fetch(port, "/broken"),
            "bad host": await fetch(port, host="evil.example"),
        }
        statuses = {name: page.status for name, page in responses.items()}
        rejected = []
        for origin in ("http://evil.example", None):
            try:
                async with live(port, origin=origin), live(port):
                    pass
            except trio_websocket.ConnectionRejected as refused:
                rejected.append(refused)
        assert await fetch(port) is not None, "the listener survived the failing page"
    assert statuses == {
        "page": 200,
        "head": 200,
        "script": 200,
        "not found": 404,
        "method": 405,
        "mount bug": 500,
        "bad host": 400,
    }
    assert [r.status_code for r in rejected] == [403, 503]
    header_sets = [page.headers for page in responses.values()]
    header_sets += [{k.decode().lower(): v.decode() for k, v in r.headers} for r in rejected]
    for headers in header_sets:
        for name, value in SECURITY_HEADERS:
            assert headers[name.lower()] == value
    csp = dict(SECURITY_HEADERS)["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


@pytest.mark.builtin_only(
    "bytes that are not HTTP are the server's parser's to answer: hypercorn's 400 is its own"
)
async def test_bytes_that_are_not_http_get_400_with_the_security_headers() -> None:
    async with running(app()) as port:
        answer = await _garbage(port)
    assert answer.status == 400
    for name, value in SECURITY_HEADERS:
        assert answer.headers[name.lower()] == value


async def _garbage(port: int) -> Page:
    return await request(port, b"\x16\x03\x01 not http at all\r\n\r\n")


def test_the_client_script_needs_no_unsafe_csp_source() -> None:
    assert client_script_path() in client_modules().values()
    for path in client_modules().values():
        script = path.read_text()
        for needs_unsafe_eval in ("eval(", "new Function", 'setTimeout("', 'setInterval("'):
            assert needs_unsafe_eval not in script, path.name
        assert 'setAttribute("style"' not in script and ".innerHTML = `<script" not in script


@contextmanager
def every_log_event() -> Iterator[list[dict[str, Any]]]:
    """Capture every structlog event, at every level, with its exception text."""
    events: list[dict[str, Any]] = []

    def capture(_: Any, __: str, event: MutableMapping[str, Any]) -> Any:
        events.append(dict(event))
        raise structlog.DropEvent

    previous = structlog.get_config()
    structlog.configure(
        processors=[structlog.processors.format_exc_info, capture],
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
        cache_logger_on_first_use=False,
    )
    try:
        yield events
    finally:
        structlog.configure(**previous)


async def test_neither_the_secret_nor_a_token_appears_in_any_log_event() -> None:
    served = chat_app(limits=Limits(rejoin_grace=0.05))
    forged = TokenSigner(b"f" * 32).sign("chat", {}, "s")
    tokens: list[str] = []
    with every_log_event() as events:
        async with running(served) as port:
            page = await open_page(port)
            tokens.append(page.token)
            async with joined(page) as ws:
                tokens.append(page.token)
                await page.submit(ws, "hello")
                await page.read_until(ws, idle)
                await ws.send_message("{bad")
                await send(ws, t="event", ref=50, name="no_such_action")
                await send(ws, t="event", ref=51, name="submit", params={"input": 3})
                (session_id,) = served.sessions
                ref = served.views.registry.get(session_id)
                assert isinstance(ref, ActorRef)
                ref.kill("injected")
                await page.read_until(ws, lambda p: p.renders == 2)
            assert "forged" in await refusal(port, forged)
            await trio.sleep(0.2)
    text = "\n".join(repr(event) for event in events)
    assert len(events) >= 5, "the session logged (join refusal, crash, rejections...)"
    assert "child_crashed" in text or "crash" in text
    for secret in (CHAT_SECRET, CHAT_SECRET.hex().encode(), base64.b64encode(CHAT_SECRET)):
        assert secret.decode() not in text
    for token in tokens:
        assert token not in text and token.split(".")[1] not in text


# -- Host: a DNS-rebinding page names its own host ---------------------------------------


async def upgrade_status(port: int, host: str) -> tuple[int, bytes]:
    """Status and body of an upgrade whose Host and Origin both name ``host`` (what a
    DNS-rebinding page's socket sends)."""
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    async with stream:
        await stream.send_all(upgrade_request(port, host=host, origin=f"http://{host}"))
        data = b""
        with trio.fail_after(5):
            while chunk := await stream.receive_some():
                data += chunk
                if b"\r\n\r\n" in data and not data.startswith(b"HTTP/1.1 4"):
                    break
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_a_dns_rebinding_page_is_refused_with_400_for_pages_and_sockets() -> None:
    async with running(app()) as port:
        rebound = f"attacker.example:{port}"
        page = await fetch(port, host=rebound)
        status, body = await upgrade_status(port, rebound)
        own = await fetch(port)
        own_status, _ = await upgrade_status(port, f"127.0.0.1:{port}")
    assert page.status == 400
    assert "Host 'attacker.example:" in page.body and "allowed_hosts" in page.body
    assert status == 400 and b"not served here" in body
    assert (own.status, own_status) == (200, 101)


async def test_loopback_names_are_allowed_on_a_loopback_server_and_the_port_is_not_compared() -> (
    None
):
    async with running(app()) as port:
        pages = [await fetch(port, host=host) for host in ("localhost", "[::1]:1", "127.0.0.1")]
        status, _ = await upgrade_status(port, f"localhost:{port}")
    assert [p.status for p in pages] == [200, 200, 200]
    assert status == 101


async def test_configured_allowed_hosts_are_served_pages_and_sockets() -> None:
    async with running(app(allowed_hosts=["Chat.Example.com"])) as port:
        page = await fetch(port, host=f"chat.example.com:{port}")
        status, _ = await upgrade_status(port, f"chat.example.com:{port}")
        other = await fetch(port, host="chat.example.com.attacker.example")
    assert (page.status, status, other.status) == (200, 101, 400)


def test_allowed_hosts_follow_the_bound_address() -> None:
    loopback = AllowedHosts.for_address("127.0.0.1")
    assert loopback.refusal("localhost:8000") is None
    assert loopback.refusal("[::1]:8000") is None
    assert loopback.refusal("192.168.1.5:8000") is not None
    every = AllowedHosts.for_address("0.0.0.0", ["chat.example.com"])
    assert every.refusal("192.168.1.5:8000") is None, "an IP literal cannot be rebound"
    assert every.refusal("[2001:db8::1]:8000") is None
    assert every.refusal("chat.example.com.") is None
    assert every.refusal("attacker.example") is not None
    one = AllowedHosts.for_address("192.168.1.5")
    assert one.refusal("192.168.1.5") is None and one.refusal("localhost") is not None
    assert AllowedHosts.for_address("10.0.0.1", ["*"]).refusal("anything.example") is None
    assert loopback.refusal(None) == "the request has no Host header"
