"""Frame pacing: a paced view renders what its streams cause at most once per frame
interval, never shows a stale state, never strands the end of a burst, and renders a
browser event at once."""

from __future__ import annotations

import attrs
import trio
import trio.testing

from actorview.render import Document, Element, h
from actorview.view import ActionEvent, Rendered, View, action, clause, ops, state
from tests.view.helpers import running, settle


@attrs.frozen
class Piece:
    chunk: str


class Typist(View, receives=(Piece,)):
    text = state(str)
    clicks = state(int)
    on_piece = clause(Piece, ops.append(text=lambda chunk: chunk), batch=True)
    click = action(ops.set(clicks=lambda clicks: clicks + 1))

    def render(self) -> Element:
        return h.div(h.p(self.text), h.span(self.clicks))


def page_after(renders: list[Rendered]) -> str:
    page = Document.from_tree(renders[0].tree)
    for rendered in renders[1:]:
        page.apply(rendered.patches)
    return page.html()


async def test_a_burst_faster_than_frames_is_one_render_per_interval_and_ends_current(
    autojump_clock: trio.testing.MockClock,
) -> None:
    renders: list[Rendered] = []
    view = Typist(sink=renders.append, paced=True)
    async with running(view) as ref:
        for i in range(100):  # 100 pieces, 1 ms apart: 100 ms of tokens, 6 intervals
            await ref.tell(Piece(f"{i},"))
            await trio.sleep(0.001)
        await trio.sleep(view.frame_interval)  # the render held back at the end is sent
        assert not view.live.render_held_back
    assert 4 <= len(renders) - 1 <= 8, "about one render per 1/60 s, not one per piece"
    assert page_after(renders) == h_html("".join(f"{i}," for i in range(100)), 0)


async def test_a_browser_event_renders_at_once_with_what_was_held_back(
    autojump_clock: trio.testing.MockClock,
) -> None:
    renders: list[Rendered] = []
    view = Typist(sink=renders.append, paced=True)
    async with running(view) as ref:
        await ref.tell(Piece("a"))
        await settle()
        await ref.tell(Piece("b"))  # within the interval of the render of "a": held back
        await settle()
        assert view.live.render_held_back
        start = trio.current_time()
        await ref.ask(ActionEvent("click"))
        await settle()
        assert trio.current_time() == start, "no wait for the interval"
        assert not view.live.render_held_back
        assert page_after(renders) == h_html("ab", 1)


async def test_stopping_sends_the_render_held_back() -> None:
    renders: list[Rendered] = []
    view = Typist(sink=renders.append, paced=True)
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(view.run)
        await ref.tell(Piece("x"))
        await ref.tell(Piece("y"))
        ref.request_stop()
    assert page_after(renders) == h_html("xy", 0)


async def test_a_view_run_directly_is_not_paced() -> None:
    renders: list[Rendered] = []
    view = Typist(sink=renders.append)
    async with running(view) as ref:
        for piece in "abc":
            await ref.ask(Piece(piece))
        await settle()
        assert [rendered.version for rendered in renders] == [0, 1, 2, 3]


def h_html(text: str, clicks: int) -> str:
    return f"<div><p>{text}</p><span>{clicks}</span></div>"
