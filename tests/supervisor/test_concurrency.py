"""Under ONE_FOR_ONE no child waits for another: starts, restarts and stops overlap.

A dynamic supervisor runs one view per browser session; one view slow to start (its
history comes from a database) or slow to stop must not delay every other session's
start or restart. Under the group strategies a group still starts in order, each
member once the one before it is up.
"""

from __future__ import annotations

import pytest
import trio

from actorview.supervisor import ChildState, Strategy, Supervisor
from tests.supervisor.puppets import Puppet, Troupe, count_tasks, running


async def test_a_slow_start_child_does_not_hold_up_the_restart_of_a_sibling(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    async with running(Supervisor([troupe.spec("fast")])) as sup, trio.open_nursery() as nursery:
        nursery.start_soon(sup.start_child, troupe.spec("slow", start_delay=10))
        await trio.sleep(1)
        first = troupe.handles["fast"]
        first.crash()
        await trio.sleep(1)
        assert troupe.handles["fast"] is not first
        assert [(c.id, c.state) for c in sup.which_children()] == [
            ("fast", ChildState.RUNNING),
            ("slow", ChildState.STARTING),
        ]
    assert trio.current_time() == pytest.approx(10)


async def test_dynamic_children_start_side_by_side(autojump_clock: trio.abc.Clock) -> None:
    troupe = Troupe()
    async with running(Supervisor()) as sup:
        began = trio.current_time()
        async with trio.open_nursery() as nursery:
            for n in range(5):
                nursery.start_soon(sup.start_child, troupe.spec(f"c{n}", start_delay=1))
        assert trio.current_time() - began == pytest.approx(1)
        assert len(sup.registry) == 5


async def test_children_crashing_together_restart_side_by_side(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    specs = [troupe.spec(f"c{n}", start_delay=1) for n in range(5)]
    async with running(Supervisor(specs, max_restarts=10)) as sup:
        crashed = {child_id: troupe.handles[child_id] for child_id in troupe.handles}
        for handle in crashed.values():
            handle.crash()
        await trio.sleep(1.5)  # one start's time: serial restarts would need five
        assert all(troupe.handles[i] is not old for i, old in crashed.items())
        assert {c.state for c in sup.which_children()} == {ChildState.RUNNING}


async def test_a_group_still_starts_in_order_each_once_the_one_before_is_up(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    specs = [troupe.spec(name, start_delay=1) for name in ("a", "b", "c")]
    async with running(Supervisor(specs, strategy=Strategy.ONE_FOR_ALL)):
        troupe.events.clear()
        troupe.handles["b"].crash()
        began = trio.current_time()
        await trio.sleep(3.5)
        assert troupe.of("started") == ["a", "b", "c"]
    assert began + 3 <= trio.current_time()


async def test_terminating_a_child_still_starting_stops_it_once_it_is_up(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    handles: list[Puppet] = []

    async with running(Supervisor()) as sup, trio.open_nursery() as nursery:

        async def add() -> None:
            handles.append(await sup.start_child(troupe.spec("slow", start_delay=5)))

        nursery.start_soon(add)
        await trio.sleep(1)
        await sup.terminate_child("slow")
        assert trio.current_time() == pytest.approx(5)
        assert troupe.events == [("started", "slow"), ("returned", "slow")]
        assert handles == [troupe.handles["slow"]]
        assert sup.which_children() == []


async def test_a_second_termination_returns_once_the_child_is_gone_and_its_id_free(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    async with running(Supervisor()) as sup:
        await sup.start_child(troupe.spec("deaf", obeys_stop=False, shutdown=2))
        async with trio.open_nursery() as nursery:
            nursery.start_soon(sup.terminate_child, "deaf")
            await trio.sleep(0.5)
            await sup.terminate_child("deaf")
            assert trio.current_time() == pytest.approx(2)
            assert sup.which_children() == []
            await sup.start_child(troupe.spec("deaf"))  # at once: no instance is left
        assert troupe.events == [("started", "deaf"), ("cancelled", "deaf"), ("started", "deaf")]


async def test_a_child_slow_to_stop_does_not_hold_up_the_restart_of_a_sibling(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    specs = [troupe.spec("deaf", obeys_stop=False, shutdown=10), troupe.spec("b")]
    async with running(Supervisor(specs)) as sup, trio.open_nursery() as nursery:
        nursery.start_soon(sup.terminate_child, "deaf")
        await trio.sleep(1)
        first = troupe.handles["b"]
        first.crash()
        await trio.sleep(1)
        assert troupe.handles["b"] is not first
        assert [(c.id, c.state) for c in sup.which_children()] == [
            ("deaf", ChildState.STOPPING),
            ("b", ChildState.RUNNING),
        ]


async def test_a_restart_still_starting_is_aborted_when_the_supervisor_stops(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    tasks_before = count_tasks()
    async with trio.open_nursery() as nursery:
        sup = Supervisor([troupe.spec("slow", start_delay=5)])
        await nursery.start(sup.run)
        troupe.handles["slow"].crash()
        await trio.sleep(1)
        assert [c.state for c in sup.which_children()] == [ChildState.STARTING]
        stopping_at = trio.current_time()
        sup.request_stop()
    assert trio.current_time() == pytest.approx(stopping_at)
    assert troupe.events == [("started", "slow"), ("crashed", "slow")]
    assert count_tasks() == tasks_before


async def test_a_failed_restart_is_retried_without_holding_up_siblings(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    specs = [troupe.spec("flaky", start_delay=1), troupe.spec("b")]
    async with running(Supervisor(specs, max_restarts=10)):
        troupe.fail_next_starts("flaky", times=2)
        troupe.events.clear()
        troupe.handles["flaky"].crash()
        await trio.sleep(0.1)  # its restart has begun (a start takes 1 s, then fails)
        first_b = troupe.handles["b"]
        first_b.crash()
        await trio.sleep(0.1)
        assert troupe.handles["b"] is not first_b  # while flaky's restarts still fail
        await trio.sleep(3)
        assert troupe.of("start_failed") == ["flaky", "flaky"]
        assert troupe.of("started") == ["b", "flaky"]
