"""Page frames over real sockets: a pushed event, a flash and a title change reach the
page after the patch of the event that made them, and the first HTML has the view's
title (on both transports)."""

from __future__ import annotations

from pathlib import Path

import pytest

from actorview.endpoint import Application, Route
from actorview.render import Element, h
from actorview.view import View, action, calculate, ops, state
from tests.endpoint.harness import fetch, join, live, receive, running, send

SECRET = b"test-secret-" * 3


class Stepper(View):
    step = state(int)
    page_title = calculate(lambda step: f"Step {step}")

    advance = action(
        ops.set(step=lambda step: step + 1),
        ops.push_event("stepped", lambda step: {"to": step + 1}),
        ops.flash("success", lambda step: f"On step {step + 1}"),
    )

    def render(self) -> Element:
        return h.div(h.span(str(self.step), id="step"))


async def test_events_flashes_and_titles_follow_the_patch_of_their_event() -> None:
    app = Application([Route("/", Stepper)], secret=SECRET, title="Stepper app")
    async with running(app) as port:
        page = await fetch(port)
        assert "<title>Step 0</title>" in page.body
        async with live(port) as ws:
            await join(ws, page.token)
            assert await receive(ws) == {"t": "title", "text": "Step 0"}
            await send(ws, t="event", ref=1, name="advance")
            frames = [await receive(ws) for _ in range(5)]
    sent = [frame for frame in frames if not (isinstance(frame, dict) and frame["t"] == "reply")]
    assert sent == [
        [["t", [0, 0], "1"]],
        {"t": "title", "text": "Step 1"},
        {"t": "event", "name": "stepped", "payload": {"to": 1}},
        {"t": "flash", "kind": "success", "text": "On step 1"},
    ]


def test_a_module_must_be_among_the_static_files_and_the_error_says_how() -> None:

    with pytest.raises(ValueError, match=r"module 'missing.js' is not among static_files; pass"):
        Application([Route("/", Stepper)], secret=SECRET, modules=["missing.js"])


def test_a_static_file_may_not_take_the_name_of_a_client_module() -> None:
    with pytest.raises(ValueError, match=r"static file 'hooks.js' has the name of one of"):
        Application(
            [Route("/", Stepper)],
            secret=SECRET,
            static_files={"hooks.js": Path(__file__)},
            modules=["hooks.js"],
        )
