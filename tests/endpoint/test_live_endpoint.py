"""The endpoint end to end over real sockets on 127.0.0.1: pages, joins, events, faults."""

from __future__ import annotations

import base64
import json

import pytest
import trio
import trio_websocket

from actorview.endpoint import Application, Limits, Route
from actorview.endpoint._tokens import TokenSigner
from actorview.mailbox import ActorRef
from tests.endpoint.harness import Counter, fetch, join, live, receive, running, send

SECRET = b"test-secret-" * 3


def counter_app(**options: object) -> Application:
    return Application([Route("/", Counter)], secret=SECRET, **options)  # type: ignore[arg-type]


async def test_the_page_is_server_rendered_with_a_token_and_security_headers() -> None:
    async with running(counter_app()) as port:
        page = await fetch(port)
    assert page.status == 200
    assert '<span id="doubled">0</span>' in page.body
    assert page.token
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"


async def test_static_client_script_and_unknown_paths() -> None:
    async with running(counter_app()) as port:
        script = await fetch(port, "/_av/client.js")
        missing = await fetch(port, "/nope")
        post = await fetch(port, "/", method="POST")
    assert script.status == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "WebSocket" in script.body
    assert missing.status == 404
    assert post.status == 405


async def test_join_renders_then_events_patch_and_reply() -> None:
    async with running(counter_app()) as port:
        page = await fetch(port)
        async with live(port) as ws:
            joined, rendered = await join(ws, page.token)
            assert joined["t"] == "joined" and joined["token"]
            live_root = '<div><button id="inc">+</button><span id="doubled">0</span></div>'
            assert rendered == {"t": "render", "html": live_root}
            assert live_root in page.body
            await send(ws, t="event", ref=1, name="increment")
            frames = [await receive(ws), await receive(ws)]
    assert [["t", [1, 0], "2"]] in frames
    assert {"t": "reply", "ref": 1, "outcome": "applied"} in frames


async def refused_with(port: int, token: str, path: str = "/", origin: str | None = None) -> str:
    async with live(port, origin=origin) as ws:
        await send(ws, t="join", token=token, path=path)
        with pytest.raises(trio_websocket.ConnectionClosed) as closed:
            await receive(ws)
    reason = closed.value.reason
    assert reason is not None and reason.code == 4001
    return str(reason.reason)


async def test_forged_expired_and_foreign_tokens_are_refused_with_a_reason() -> None:
    app = Application([Route("/", Counter), Route("/other", Counter, name="Other")], secret=SECRET)
    async with running(app) as port:
        page = await fetch(port)
        forged = TokenSigner(b"f" * 32).sign("Counter", {}, "s")
        expired = TokenSigner(SECRET, ttl=-1).sign("Counter", {}, "s")
        assert "forged" in await refused_with(port, forged)
        assert "expired" in await refused_with(port, expired)
        assert "is for view 'Counter', not 'Other'" in await refused_with(
            port, page.token, path="/other"
        )
        assert "malformed" in await refused_with(port, "garbage")


async def test_a_wrong_origin_is_refused_at_the_upgrade() -> None:
    async with running(counter_app()) as port:
        with pytest.raises(trio_websocket.HandshakeError) as refused:
            async with live(port, origin="http://evil.example"):
                pass
    assert isinstance(refused.value, trio_websocket.ConnectionRejected)
    assert refused.value.status_code == 403


async def test_bad_frames_get_error_frames_and_the_view_keeps_running() -> None:
    async with running(counter_app()) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            bad_frames = [
                "{nope",
                json.dumps({"t": "launch"}),
                json.dumps({"t": "event", "ref": "x", "name": "increment"}),
                json.dumps({"t": "event", "ref": 2, "name": "no_such_action"}),
                json.dumps({"t": "event", "ref": 3, "name": "increment", "params": {"a": 1}}),
                "x" * 70_000,
            ]
            answers = []
            for frame in bad_frames:
                await ws.send_message(frame)
                answers.append(await receive(ws))
            await send(ws, t="event", ref=9, name="increment")
            after = [await receive(ws), await receive(ws)]
    assert answers[0] == {"t": "error", "error": "frame is not valid JSON", "ref": None}
    assert "unknown frame type 'launch'" in answers[1]["error"]
    assert "expected int @ $.ref" in answers[2]["error"]
    assert answers[3]["t"] == "reply" and answers[3]["outcome"] == "rejected"
    assert "no_such_action" in answers[3]["error"]
    assert answers[4]["outcome"] == "rejected"
    assert "larger than the limit" in answers[5]["error"]
    assert [["t", [1, 0], "2"]] in after


async def test_two_pages_are_independent_sessions() -> None:
    async with running(counter_app()) as port:
        first, second = await fetch(port), await fetch(port)
        async with live(port) as ws1, live(port) as ws2:
            await join(ws1, first.token)
            await join(ws2, second.token)
            await send(ws1, t="event", ref=1, name="increment")
            await send(ws1, t="event", ref=2, name="increment")
            frames1 = [await receive(ws1) for _ in range(4)]
            await send(ws2, t="event", ref=1, name="increment")
            frames2 = [await receive(ws2) for _ in range(2)]
    assert [["t", [1, 0], "4"]] in frames1
    assert [["t", [1, 0], "2"]] in frames2


async def test_events_past_the_rate_limit_are_refused_not_queued() -> None:
    app = counter_app(limits=Limits(events_per_second=1, event_burst=3))
    async with running(app) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            for ref in range(6):
                await send(ws, t="event", ref=ref, name="increment")
            frames = [await receive(ws) for _ in range(3 * 2 + 3)]
    errors = [f for f in frames if isinstance(f, dict) and f["t"] == "error"]
    assert [e["ref"] for e in errors] == [3, 4, 5]
    assert all(e["error"] == "too many events: slow down" for e in errors)


async def test_a_socket_that_never_joins_is_closed(autojump_clock: trio.abc.Clock) -> None:
    async with running(counter_app(limits=Limits(join_timeout=2))) as port, live(port) as ws:
        with pytest.raises(trio_websocket.ConnectionClosed) as closed:
            await ws.get_message()
    assert closed.value.reason is not None and closed.value.reason.code == 4002


async def test_connections_past_the_limit_are_refused() -> None:
    async with running(counter_app(limits=Limits(max_connections=1))) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            with pytest.raises(trio_websocket.ConnectionRejected) as refused:
                async with live(port):
                    pass
    assert refused.value.status_code == 503


async def test_a_reconnect_within_grace_finds_the_same_view() -> None:
    async with running(counter_app()) as port:
        page = await fetch(port)
        async with live(port) as ws:
            joined, _ = await join(ws, page.token)
            await send(ws, t="event", ref=1, name="increment")
            await receive(ws), await receive(ws)
        async with live(port) as ws:
            await send(ws, t="join", token=joined["token"], path="/")
            assert (await receive(ws))["t"] == "joined"
            await send(ws, t="event", ref=2, name="increment")
            frames = [await receive(ws), await receive(ws)]
    assert [["t", [1, 0], "4"]] in frames


def test_the_token_payload_carries_no_secret() -> None:
    token = TokenSigner(SECRET).sign("Counter", {}, "s")
    payload = base64.urlsafe_b64decode(token.split(".")[0] + "==")
    assert SECRET not in payload


async def test_the_view_hears_its_browser_connect_and_go() -> None:
    heard: list[str] = []
    gone = trio.Event()

    class Listening(Counter):
        def on_connect(self) -> None:
            heard.append("connect")

        def on_disconnect(self) -> None:
            heard.append("disconnect")
            gone.set()

    app = Application([Route("/", Listening)], secret=SECRET)
    async with running(app) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            await send(ws, t="event", ref=1, name="increment")
            await receive(ws), await receive(ws)
            assert heard == ["connect"]
        with trio.fail_after(5):
            await gone.wait()
    assert heard == ["connect", "disconnect"]


async def test_a_view_restarted_while_its_browser_is_connected_hears_it() -> None:
    class Listening(Counter):
        def on_connect(self) -> None:
            self.heard_connect = True

    app = Application([Route("/", Listening)], secret=SECRET)
    async with running(app) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            (session_id,) = app.sessions
            first = app.views.registry.get(session_id)
            assert isinstance(first, ActorRef)
            first.kill("test")
            assert (await receive(ws))["t"] == "render", "the restarted view renders anew"
            second = app.views.registry.get(session_id)
            assert isinstance(second, ActorRef) and second is not first
            view = second._actor
            assert isinstance(view, Listening)
            assert view.live.connected and view.heard_connect
