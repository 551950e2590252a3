"""The test client shows a view's failures as the browser gets them: notices recorded as
frames and in ``view.notices``, a failed action as ``Failed`` with the generic reply."""

from __future__ import annotations

import attrs
import pytest
import trio
import trio.testing

from actorview.endpoint._live import SERVER_FAILED
from actorview.endpoint._protocol import NoticeKind, control_frame
from actorview.render import Element, h
from actorview.testing import EventRejected, mount
from actorview.view import (
    Applied,
    Emit,
    ExpressionError,
    Failed,
    Notice,
    View,
    action,
    async_stream,
    clause,
    ops,
    state,
)
from actorview.view._notices import ACTION_FAILED_TEXT, STREAM_FAILED_TEXT


@attrs.frozen
class Line:
    line: str


async def lines(count: int, emit: Emit) -> None:
    for index in range(count):
        await trio.sleep(0.25)
        await emit(Line(f"line {index}"))
    raise ConnectionError("the upstream closed the stream")


class Feed(View):
    shown = state(list[str])
    total = state(int)
    feed = async_stream(emits=(Line,), on_failure="notice")(lines)

    start = action(ops.fire("feed", count=lambda count: count), params={"count": int})
    # av-value-* params are text: int(by) raises on "x", a bug in this action (it should
    # declare by: int), not the browser's fault.
    add = action(ops.set(total=lambda total, by: total + int(by)), params={"by": str})
    on_line = clause(Line, ops.push(shown=lambda line: line))

    def render(self) -> Element:
        return h.div(
            h.ul(*[h.li(line) for line in self.shown], id="lines"),
            h.p(str(self.total), id="total"),
            h.button("start", id="start", av_click="start", av_value_count="2"),
            h.button("+1", id="one", av_click="add", av_value_by="1"),
            h.button("+x", id="bug", av_click="add", av_value_by="x"),
        )


async def test_a_failed_stream_s_notice_is_a_frame_and_in_view_notices(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Feed) as view:
        await view.click("#start")
        mark = view.mark()
        await view.settle()
        assert view.text("#lines") == "line 0line 1"
        assert view.notices == [Notice(STREAM_FAILED_TEXT)]
        (notice,) = view.frames_since(mark, "notice")
        assert notice.text == control_frame(
            "notice", kind=NoticeKind.ERROR.value, text=STREAM_FAILED_TEXT
        ), "the bytes the endpoint writes"
        assert notice.data == {"t": "notice", "kind": "error", "text": STREAM_FAILED_TEXT}
        assert "upstream" not in view.html, "a notice is outside the view's markup"


async def test_a_failed_action_is_returned_replied_generically_and_noticed() -> None:
    async with mount(Feed) as view:
        assert await view.click("#one") == Applied()
        outcome = await view.click("#bug")
        assert isinstance(outcome, Failed) and isinstance(outcome.error, ExpressionError)
        assert view.frames[-1].data == {
            "t": "reply",
            "ref": 2,
            "outcome": "error",
            "error": SERVER_FAILED,
        }
        assert view.notices == [Notice(ACTION_FAILED_TEXT)]
        assert view.text("#total") == "1"
        assert await view.click("#one") == Applied()
        assert view.text("#total") == "2"


async def test_strict_mode_raises_on_a_failed_action_with_its_cause() -> None:
    async with mount(Feed, strict=True) as view:
        with pytest.raises(EventRejected, match="a bug in its action") as raised:
            await view.click("#bug")
    assert isinstance(raised.value.__cause__, ExpressionError)
    assert isinstance(raised.value.__cause__.__cause__, ValueError)
