"""Nothing a dropped socket swallowed is lost: a rejoin says how many of the session's
frames the page has, and the server sends the rest again, in order, byte for byte."""

from __future__ import annotations

import json
from typing import Any

import trio
import trio_websocket

from actorview.endpoint import Application, Limits, Route
from tests.endpoint.harness import Counter, fetch, live, receive, running, send

SECRET = b"replay-secret-" * 3


def counter_app(**limits: Any) -> Application:
    return Application([Route("/", Counter)], secret=SECRET, limits=Limits(**limits))


async def join(
    ws: trio_websocket.WebSocketConnection, token: str, seen: int | None = None
) -> dict[str, Any]:
    frame: dict[str, Any] = {"t": "join", "token": token, "path": "/"}
    if seen is not None:
        frame["seen"] = seen
    await ws.send_message(json.dumps(frame))
    joined: dict[str, Any] = await receive(ws)
    assert joined["t"] == "joined", joined
    return joined


async def raw_frames(ws: trio_websocket.WebSocketConnection, count: int) -> list[str]:
    with trio.fail_after(5):
        return [str(await ws.get_message()) for _ in range(count)]


async def test_a_rejoin_gets_again_every_frame_after_the_count_it_reports() -> None:
    async with running(counter_app()) as port:
        page = await fetch(port)
        async with live(port) as ws:
            first = await join(ws, page.token)
            assert first["seq"] == 0 and first["ref"] == 0
            for ref in (1, 2, 3):
                await send(ws, t="event", ref=ref, name="increment")
            sent = await raw_frames(ws, 7)  # the render, then a patch and a reply per event
        # The page applied only the render and the first patch: the rest was in flight.
        async with live(port) as ws:
            again = await join(ws, first["token"], seen=2)
            assert again["seq"] == 2 and again["ref"] == 3
            assert await raw_frames(ws, 5) == sent[2:]
            await send(ws, t="event", ref=4, name="increment")
            assert json.loads((await raw_frames(ws, 1))[0]) == [["t", [1, 0], "8"]]


async def test_acked_frames_are_forgotten_and_a_page_behind_them_gets_a_fresh_view() -> None:
    async with running(counter_app()) as port:
        page = await fetch(port)
        async with live(port) as ws:
            first = await join(ws, page.token)
            await send(ws, t="event", ref=1, name="increment")
            await raw_frames(ws, 3)
            await send(ws, t="ack", n=3)
            await send(ws, t="event", ref=2, name="increment")  # read after the ack
            await raw_frames(ws, 2)
        async with live(port) as ws:
            again = await join(ws, first["token"], seen=1)  # frame 2 was forgotten
            assert again["seq"] == 0
            render = await receive(ws)
    assert render["t"] == "render" and '<span id="doubled">0</span>' in render["html"]


async def test_a_count_past_what_was_sent_gets_a_fresh_view_not_a_crash() -> None:
    async with running(counter_app()) as port:
        page = await fetch(port)
        async with live(port) as ws:
            first = await join(ws, page.token)
            await raw_frames(ws, 1)
        async with live(port) as ws:
            again = await join(ws, first["token"], seen=99)
            assert again["seq"] == 0 and (await receive(ws))["t"] == "render"


async def test_a_rejoin_that_does_not_count_gets_what_was_never_written() -> None:
    async with running(counter_app()) as port:
        page = await fetch(port)
        async with live(port) as ws:
            first = await join(ws, page.token)
            await raw_frames(ws, 1)
        async with live(port) as ws:
            again = await join(ws, first["token"])
            assert again["seq"] == 1
            await send(ws, t="event", ref=1, name="increment")
            assert json.loads((await raw_frames(ws, 1))[0]) == [["t", [1, 0], "2"]]


async def test_what_is_kept_for_replay_is_bounded_by_the_outbox_limit() -> None:
    app = counter_app(max_outbox_bytes=2_000)
    async with running(app) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            await raw_frames(ws, 1)
            for ref in range(1, 101):
                await send(ws, t="event", ref=ref, name="increment")
                await raw_frames(ws, 2)
            (session,) = app.sessions.values()
            assert session.outbox.taken == 201
            assert 1_000 < session.outbox.kept_bytes <= 2_000


async def test_a_rejoin_while_the_reaped_view_still_stops_gets_a_view_of_its_own() -> None:
    stopping = trio.Event()
    release = trio.Event()

    class SlowToStop(Counter):
        async def on_stop(self) -> None:
            stopping.set()
            await release.wait()

    app = Application([Route("/", SlowToStop)], secret=SECRET, limits=Limits(rejoin_grace=0.01))
    async with running(app) as port:
        page = await fetch(port)
        async with live(port) as ws:
            first = await join(ws, page.token)
        with trio.fail_after(5):
            await stopping.wait()  # reaped: the session is gone, its view not yet
        assert not app.sessions
        async with live(port) as ws:
            again = await join(ws, first["token"], seen=0)
            release.set()
            assert again["seq"] == 0, "not a resume of the view stopping for the old session"
            assert (await receive(ws))["t"] == "render"
            await send(ws, t="event", ref=1, name="increment")
            assert json.loads((await raw_frames(ws, 1))[0]) == [["t", [1, 0], "2"]]
