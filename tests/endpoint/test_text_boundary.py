"""Text from a browser or from a stream that no page can hold as it is (a lone surrogate,
a NUL, CR LF) is normalised at the boundary: the view gets what the page will show, every
frame can be written, and a rejoin replays frames that can be written too."""

from __future__ import annotations

import json
from typing import Any

import attrs
import trio
import trio_websocket

from actorview.endpoint import Application, Route
from actorview.render import Element, h
from actorview.view import Emit, View, action, async_stream, clause, ops, state
from tests.endpoint.harness import fetch, live, receive, running, send

SECRET = b"text-boundary-secret-" * 2


@attrs.frozen
class Token:
    text: str


async def model(emit: Emit) -> None:
    """A model whose first token is only NUL and whose second holds a lone surrogate."""
    for token in ("\x00", " half \ud83d pair", "\r", "\nend"):
        await emit(Token(token))
        await trio.sleep(0.05)  # a frame each (frames are paced at 1/60 s)


class Echo(View):
    typed = state(str, origin="client")
    said = state(str)
    draft = state(str, origin="stream")

    llm = async_stream(emits=(Token,), on_failure="notice")(model)
    say = action(ops.set(said=lambda typed: typed))
    go = action(ops.fire("llm"))
    on_token = clause(Token, ops.append(draft=lambda text: text))

    def render(self) -> Element:
        return h.div(
            h.p(self.said, id="said", title=self.said),
            h.p(self.draft, id="draft"),
            h.p("end", id="after"),
        )


async def join(ws: trio_websocket.WebSocketConnection, token: str, seen: int | None = None) -> Any:
    frame: dict[str, Any] = {"t": "join", "token": token, "path": "/"}
    if seen is not None:
        frame["seen"] = seen
    await ws.send_message(json.dumps(frame))
    joined = await receive(ws)
    assert joined["t"] == "joined", joined
    return joined


async def frames_until(ws: trio_websocket.WebSocketConnection, text: str) -> list[str]:
    """Raw frames until one holds ``text``; each must be UTF-8-encodable."""
    seen: list[str] = []
    with trio.fail_after(5):
        while not seen or text not in seen[-1]:
            frame = str(await ws.get_message())
            frame.encode()
            seen.append(frame)
    return seen


async def test_a_lone_surrogate_and_a_nul_from_the_browser_reach_the_view_as_u_fffd() -> None:
    app = Application([Route("/", Echo)], secret=SECRET)
    async with running(app) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            await receive(ws)  # the render
            # json.dumps escapes the surrogate, as a browser's JSON.stringify does.
            await send(ws, t="input", ref=1, field="typed", value="a\ud800b\x00c\r\nd")
            assert (await receive(ws))["outcome"] == "applied"
            await send(ws, t="event", ref=2, name="say")
            frames = await frames_until(ws, '"ref":2')
    ops_ = [op for frame in frames[:-1] for op in json.loads(frame)]
    shown = "a\ufffdb\ufffdc\nd"
    assert ["c", [0], [], [], [0, shown]] in ops_, ops_  # the text node into the empty <p>
    assert ["s", [0], "title", shown] in ops_, ops_


async def test_tokens_no_page_could_hold_are_normalised_and_replayed_as_sent() -> None:
    """From a stream: the NUL-only first token is a text node (U+FFFD), the lone surrogate
    is U+FFFD, CR then LF is one line break; every frame is kept and replayed writable."""
    app = Application([Route("/", Echo)], secret=SECRET)
    async with running(app) as port:
        page = await fetch(port)
        async with live(port) as ws:
            first = await join(ws, page.token)
            await receive(ws)
            await send(ws, t="event", ref=1, name="go")
            sent = await frames_until(ws, "end")
        ops_ = [op for frame in sent if frame.startswith("[") for op in json.loads(frame)]
        assert ops_[0] == ["c", [1], [], [], [0, "\ufffd"]]  # the NUL token: a text node
        assert "".join(op[2] for op in ops_[1:]) == " half \ufffd pair\nend"
        async with live(port) as ws:
            again = await join(ws, first["token"], seen=1)
            assert again["seq"] == 1
            with trio.fail_after(5):
                replayed = [str(await ws.get_message()) for _ in sent]
    assert replayed == sent
