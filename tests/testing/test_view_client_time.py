"""The test client's waits under trio's test clocks: settle, advance, until."""

from __future__ import annotations

import attrs
import pytest
import trio
import trio.testing

from actorview.render import Element, h
from actorview.testing import SettleTimeout, UntilTimeout, mount
from actorview.view import Emit, View, action, async_stream, clause, ops, state


@attrs.frozen
class Tick:
    n: int


@attrs.frozen
class Finished:
    pass


async def ticks(count: int, delay: float, emit: Emit) -> None:
    for n in range(1, count + 1):
        await trio.sleep(delay)
        await emit(Tick(n))
    await emit(Finished())


async def forever(delay: float, emit: Emit) -> None:
    n = 0
    while True:
        await trio.sleep(delay)
        n += 1
        await emit(Tick(n))


async def waits(emit: Emit) -> None:
    await trio.Event().wait()  # blocked, and not on the clock
    await emit(Finished())


@attrs.frozen
class TickerParams:
    delay: float = 0.05


class Ticker(View):
    count = state(int, 500)
    delay = state(float, 0.05)
    seen = state(int)
    finished = state(bool)
    # These runs never fail: the default failure notice is all they need.
    ticker = async_stream(emits=(Tick, Finished), on_failure="notice")(ticks)
    endless = async_stream(emits=(Tick,), on_failure="notice")(forever)
    stuck = async_stream(emits=(Finished,), on_failure="notice")(waits)
    start = action(ops.fire("ticker"))
    start_endless = action(ops.fire("endless"))
    start_stuck = action(ops.fire("stuck"))
    halt = action(ops.cancel("ticker"), ops.cancel("endless"))
    on_tick = clause(Tick, ops.set(seen=lambda n: n), batch=True)
    on_finished = clause(Finished, ops.set(finished=True))

    def mount(self, params: TickerParams) -> None:
        self.delay = params.delay

    def render(self) -> Element:
        return h.div(
            h.p(f"{self.seen} ticks", id="seen"),
            self.finished and h.p("done", id="done"),
            h.button("go", id="go", av_click="start"),
            h.button("forever", id="forever", av_click="start_endless"),
            h.button("stuck", id="stuck", av_click="start_stuck"),
            h.button("stop", id="stop", av_click="halt"),
        )


async def test_settle_runs_a_500_tick_stream_to_its_end_instantly_under_autojump(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Ticker) as view:
        await view.click("#go")
        await view.settle()
        assert view.text("#seen") == "500 ticks"
        assert view.has_element("#done")
        # 500 ticks of 0.05 s; the last render may be held back one frame interval
        assert 25.0 <= trio.current_time() <= 25.0 + Ticker.frame_interval + 1e-9


async def test_settle_under_a_manual_clock_leaves_runs_blocked_on_the_clock(
    mock_clock: trio.testing.MockClock,
) -> None:
    async with mount(Ticker) as view:
        await view.click("#go")
        await view.settle()
        assert view.text("#seen") == "0 ticks"
        assert trio.current_time() == 0


async def test_advance_runs_every_deadline_on_the_way_in_order(
    mock_clock: trio.testing.MockClock,
) -> None:
    async with mount(Ticker, {"delay": 0.125}) as view:  # a binary fraction: exact sums
        await view.click("#go")
        await view.advance(1.0)  # 8 deadlines of 0.125 s, each run in turn, not one jump
        assert view.text("#seen") == "8 ticks"
        await view.advance(0.125)
        assert view.text("#seen") == "9 ticks"


async def test_until_returns_as_soon_as_the_condition_holds(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Ticker) as view:
        await view.click("#go")
        await view.until(lambda v: v.state["seen"] >= 3)
        assert view.text("#seen") == "3 ticks"
        assert trio.current_time() == pytest.approx(0.15)
        await view.until("#done", timeout=30)
        assert view.state["seen"] == 500


async def test_until_moves_a_manual_clock_too(mock_clock: trio.testing.MockClock) -> None:
    async with mount(Ticker) as view:
        await view.click("#go")
        await view.until(lambda v: v.state["seen"] == 4)
        assert trio.current_time() == pytest.approx(0.2)


async def test_until_fails_after_its_timeout_of_clock_time_with_the_page(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Ticker) as view:
        with pytest.raises(UntilTimeout, match=r"(?s)after 2 s of clock time.*0 ticks"):
            await view.until("#done", timeout=2)
        assert trio.current_time() == pytest.approx(2.0)


async def test_settle_gives_up_on_a_stream_that_never_ends(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Ticker) as view:
        await view.click("#forever")
        with pytest.raises(SettleTimeout, match="endless"):
            await view.settle(limit=5)
        await view.click("#stop")
        await view.settle()


async def test_settle_returns_when_a_run_is_blocked_on_something_else_than_the_clock(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Ticker) as view:
        await view.click("#stuck")
        await view.settle()
        assert view.view.live.streams["stuck"].busy
        assert trio.current_time() == 0


async def test_no_tick_arrives_after_stop_however_far_the_clock_moves(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Ticker) as view:
        await view.click("#go")
        await view.until(lambda v: v.state["seen"] == 7)
        mark = view.mark()
        await view.click("#stop")
        await view.advance(60)
        await view.settle()
        assert view.text("#seen") == "7 ticks"
        assert view.frames_since(mark, "patch") == []
