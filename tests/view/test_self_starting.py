"""Streams that start themselves: on mount, on connect (cancelled on disconnect), on
disconnect, and on a timer (``every=``), with nothing clicked and no store reached into."""

from __future__ import annotations

import attrs
import pytest
import trio
import trio.testing

from actorview.errors import DefinitionError
from actorview.render import Element, h
from actorview.testing import mount
from actorview.view import Emit, RunState, View, async_stream, clause, ops, state


@attrs.frozen
class Beat:
    n: int


async def beat(count: int, emit: Emit) -> None:
    await trio.sleep(1)
    await emit(Beat(count + 1))


async def slow_beat(count: int, emit: Emit) -> None:
    await emit(Beat(count + 1))
    await trio.sleep(5)  # longer than the period: the ticks meanwhile are skipped


class OnMount(View):
    count = state(int)
    pulse = async_stream(emits=(Beat,), start="mount", on_failure="notice")(beat)
    on_beat = clause(Beat, ops.set(count=lambda n: n))

    def render(self) -> Element:
        return h.p(str(self.count), id="count")


class Periodic(View):
    count = state(int)
    pulse = async_stream(emits=(Beat,), every=2.0, on_failure="notice")(beat)
    on_beat = clause(Beat, ops.set(count=lambda n: n))

    def render(self) -> Element:
        return h.p(str(self.count), id="count")


class WhileWatched(View):
    count = state(int)
    pulse = async_stream(emits=(Beat,), start="connect", every=2.0, on_failure="notice")(slow_beat)
    on_beat = clause(Beat, ops.set(count=lambda n: n))

    def render(self) -> Element:
        return h.p(str(self.count), id="count")


class OnLeave(View):
    count = state(int)
    save = async_stream(emits=(Beat,), start="disconnect", on_failure="notice")(beat)
    on_beat = clause(Beat, ops.set(count=lambda n: n))

    def render(self) -> Element:
        return h.p(str(self.count), id="count")


async def test_a_mount_stream_runs_when_the_view_starts(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(OnMount) as view:
        runner = view.view.live.streams["pulse"]
        assert runner.state is RunState.RUNNING
        await view.settle()
        assert view.text("#count") == "1"
        assert runner.current is not None and runner.current.state is RunState.DONE


async def test_every_fires_again_on_its_period(autojump_clock: trio.testing.MockClock) -> None:
    async with mount(Periodic) as view:
        await view.advance(1.5)
        assert view.text("#count") == "1"  # the first run, at start
        await view.advance(2.0)
        assert view.text("#count") == "2"  # the tick at 2 s
        await view.advance(4.0)
        assert view.text("#count") == "4"


async def test_a_connect_stream_follows_the_connection_and_skips_ticks_while_busy(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(WhileWatched) as view:
        await view.advance(10)
        assert view.text("#count") == "0"  # nobody connected: nothing ran
        await view.connect()
        assert view.text("#count") == "1"
        await view.advance(4.5)  # ticks at 2 and 4 s find the run still live: skipped
        assert view.text("#count") == "1"
        await view.advance(1.0)  # the run ends at 5 s; the tick at 6 s fires again
        await view.advance(0.6)
        assert view.text("#count") == "2"
        run = view.view.live.streams["pulse"].current
        await view.disconnect()
        assert run is not None and run.state is RunState.CANCELLED
        await view.advance(20)
        assert view.text("#count") == "2"  # no timer while nobody watches
        assert not view.view.live.streams["pulse"].busy


class RefusingOnConnect(View):
    count = state(int)
    pulse = async_stream(emits=(Beat,), start="connect", on_busy="refuse", on_failure="notice")(
        slow_beat
    )
    on_beat = clause(Beat, ops.set(count=lambda n: n))

    def render(self) -> Element:
        return h.p(str(self.count), id="count")


async def test_a_refused_start_is_logged_and_the_view_goes_on(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(RefusingOnConnect) as view:
        await view.connect()
        await view.connect()  # a second Connected while the run is live: refused
        assert view.text("#count") == "1"
        assert view.view.live.streams["pulse"].busy


async def test_a_disconnect_stream_runs_when_the_browser_goes(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(OnLeave) as view:
        await view.connect()
        await view.settle()
        assert view.text("#count") == "0"
        await view.disconnect()
        await view.settle()
        assert view.text("#count") == "1"


async def test_timers_end_with_the_view(autojump_clock: trio.testing.MockClock) -> None:
    async with mount(Periodic) as view:
        await view.advance(3)
        client_view = view.view
    assert not client_view.live.streams["pulse"].busy
    assert client_view.state.ended


async def _needs(path: str, emit: Emit) -> None:
    await emit(Beat(0))


def test_a_stream_that_starts_itself_takes_its_parameters_from_fields() -> None:
    with pytest.raises(DefinitionError) as caught:

        class V(View):
            tail = async_stream(emits=(Beat,), start="connect", on_failure="notice")(_needs)
            on_beat = clause(Beat)

    assert str(caught.value) == (
        "V.tail (async_stream): start='connect' fires it with no arguments, but its "
        "parameter 'path' is not a field or calc of V (known: none). Declare a field of "
        "that name, or fire it from an action with ops.fire('tail', path=...)."
    )


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        (
            {"start": "later"},
            "async_stream(start='later'): use 'mount', 'connect' or 'disconnect'.",
        ),
        ({"every": 0}, "async_stream(every=0): give a period in seconds, more than 0."),
    ],
)
def test_bad_start_and_every_are_refused(kwargs: dict[str, object], problem: str) -> None:
    with pytest.raises(DefinitionError) as caught:

        class V(View):
            count = state(int)
            s = async_stream(emits=(Beat,), on_failure="notice", **kwargs)(beat)  # type: ignore[arg-type]
            on_beat = clause(Beat)

    assert str(caught.value) == f"V.s: {problem}"
