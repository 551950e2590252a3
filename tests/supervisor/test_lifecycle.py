"""Ordered start, reverse-order shutdown, grace periods, cancellation and re-runs."""

from __future__ import annotations

import textwrap

import pytest
import trio

from actorview.supervisor import (
    CANCEL_AT_ONCE,
    ChildNeverStarted,
    ChildSpec,
    ChildStartFailed,
    ChildState,
    Supervisor,
    SupervisorAlreadyRunning,
    SupervisorState,
)
from tests.supervisor.puppets import Boom, Troupe, running, settle


async def test_each_child_starts_only_once_the_previous_one_reported_started(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    specs = [troupe.spec("slow", start_delay=3), troupe.spec("next")]
    sup = Supervisor(specs)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(sup.run)
        await trio.sleep(2.9)
        assert troupe.events == []
        assert [c.state for c in sup.which_children()] == [ChildState.STARTING, ChildState.PENDING]
        await trio.sleep(0.2)
        assert troupe.of("started") == ["slow", "next"]
        sup.request_stop()


async def test_run_reports_started_with_itself_once_every_child_is_up() -> None:
    troupe = Troupe()
    sup = Supervisor([troupe.spec("a"), troupe.spec("b")])
    async with trio.open_nursery() as nursery:
        handle = await nursery.start(sup.run)
        assert handle is sup and sup.state is SupervisorState.RUNNING
        assert troupe.of("started") == ["a", "b"]
        sup.request_stop()
    assert sup.which_children()[0].state is ChildState.STOPPED
    assert sup.state.value == "stopped"


async def test_request_stop_stops_children_in_reverse_order_asking_each_first() -> None:
    troupe = Troupe()
    async with running(Supervisor([troupe.spec(x) for x in "abc"])) as sup:
        puppets = dict(troupe.handles)
        troupe.events.clear()
    assert troupe.events == [("returned", "c"), ("returned", "b"), ("returned", "a")]
    assert all(p.stop_requests == 1 for p in puppets.values())
    assert [c.state for c in sup.which_children()] == [ChildState.STOPPED] * 3


async def test_a_child_that_ignores_request_stop_is_cancelled_after_its_grace(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    specs = [troupe.spec("first"), troupe.spec("deaf", obeys_stop=False, shutdown=7)]
    async with running(Supervisor(specs)):
        stop_began = trio.current_time()
    assert trio.current_time() - stop_began == pytest.approx(7)
    assert troupe.events[-2:] == [("cancelled", "deaf"), ("returned", "first")]


async def test_cancel_at_once_cancels_without_asking() -> None:
    troupe = Troupe()
    async with running(Supervisor([troupe.spec("a", shutdown=CANCEL_AT_ONCE)])):
        puppet = troupe.handles["a"]
    assert puppet.stop_requests == 0
    assert troupe.events[-1] == ("cancelled", "a")


async def test_a_child_whose_handle_cannot_be_asked_is_cancelled_at_once(
    autojump_clock: trio.abc.Clock,
) -> None:
    ended: list[str] = []

    async def plain(*, task_status: trio.TaskStatus[None]) -> None:
        task_status.started()
        try:
            await trio.sleep_forever()
        finally:
            ended.append("plain")

    async with running(Supervisor([ChildSpec("plain", plain, shutdown=60)])):
        began = trio.current_time()
    assert ended == ["plain"] and trio.current_time() == began


async def test_cancelling_run_cancels_children_in_reverse_order_and_leaves_none() -> None:
    troupe = Troupe()
    sup = Supervisor([troupe.spec(x) for x in "abc"])
    with trio.CancelScope() as scope:
        async with trio.open_nursery() as nursery:
            await nursery.start(sup.run)
            troupe.events.clear()
            scope.cancel()
    assert troupe.events == [("cancelled", "c"), ("cancelled", "b"), ("cancelled", "a")]
    assert sup.state is SupervisorState.STOPPED


async def test_a_parent_cancels_a_child_supervisor_that_overruns_its_grace(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    inner = Supervisor([troupe.spec("deaf", obeys_stop=False, shutdown=100)], name="inner")
    async with running(Supervisor([inner.child_spec(shutdown=2)])):
        began = trio.current_time()
    assert trio.current_time() - began == pytest.approx(2)
    assert troupe.events[-1] == ("cancelled", "deaf")


async def test_a_child_that_fails_to_start_fails_run_after_stopping_those_already_up() -> None:
    troupe = Troupe()
    troupe.fail_next_starts("b")
    sup = Supervisor([troupe.spec("a"), troupe.spec("b"), troupe.spec("c")])
    async with trio.open_nursery() as nursery:
        with pytest.raises(ChildStartFailed, match="'b'") as caught:
            await nursery.start(sup.run)
    assert isinstance(caught.value.__cause__, Boom)
    assert troupe.events == [("started", "a"), ("start_failed", "b"), ("returned", "a")]
    assert sup.state is SupervisorState.FAILED


async def test_a_child_that_returns_without_reporting_started_is_a_failed_start() -> None:
    async def forgetful(*, task_status: trio.TaskStatus[None]) -> None:
        return

    async with trio.open_nursery() as nursery:
        with pytest.raises(ChildStartFailed) as caught:
            await nursery.start(Supervisor([ChildSpec("forgetful", forgetful)]).run)
    assert isinstance(caught.value.__cause__, ChildNeverStarted)
    assert "task_status.started(handle)" in str(caught.value.__cause__)


async def test_a_supervisor_runs_once_at_a_time_and_may_run_again_afterwards() -> None:
    troupe = Troupe()
    sup = Supervisor([troupe.spec("a")])
    async with running(sup):
        with pytest.raises(SupervisorAlreadyRunning):
            await sup.run()
    async with running(sup):
        assert sup.which_children()[0].state is ChildState.RUNNING
    assert troupe.of("started") == ["a", "a"]


async def test_a_crashing_child_does_not_disturb_its_siblings_tasks() -> None:
    troupe = Troupe()
    async with running(Supervisor([troupe.spec("a"), troupe.spec("b")])):
        a = troupe.handles["a"]
        troupe.handles["b"].crash()
        await settle()
        assert troupe.handles["a"] is a
        assert ("cancelled", "a") not in troupe.events


async def test_children_may_be_given_as_any_iterable() -> None:
    troupe = Troupe()
    async with running(Supervisor(troupe.spec(id) for id in "ab")) as sup:
        assert [c.id for c in sup.which_children()] == ["a", "b"]


async def test_a_request_stop_that_raises_falls_back_to_cancellation(
    autojump_clock: trio.abc.Clock,
) -> None:
    class Broken:
        def request_stop(self) -> None:
            raise RuntimeError("cannot stop")

    ended: list[str] = []

    async def child(*, task_status: trio.TaskStatus[Broken]) -> None:
        task_status.started(Broken())
        try:
            await trio.sleep_forever()
        finally:
            ended.append("child")

    async with running(Supervisor([ChildSpec("broken", child, shutdown=60)])):
        began = trio.current_time()
    assert ended == ["child"] and trio.current_time() == began


async def test_the_module_example_runs() -> None:
    import actorview.supervisor as package

    assert package.__doc__ is not None
    block = package.__doc__.split(".. code-block:: python\n\n")[1].split("\n\n    trio.run(main)")[
        0
    ]
    namespace: dict[str, object] = {}
    exec(textwrap.dedent(block), namespace)
    main = namespace["main"]
    assert callable(main)
    await main()
