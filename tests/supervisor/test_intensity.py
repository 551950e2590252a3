"""Restart intensity: restarts within the limit, giving up past it, escalation to a parent."""

from __future__ import annotations

import pytest
import trio

from actorview.supervisor import (
    ChildSpec,
    ChildState,
    RestartIntensityExceeded,
    Supervisor,
    SupervisorState,
)
from tests.supervisor.puppets import Boom, Troupe, running, settle


async def crash(troupe: Troupe, id: str) -> None:
    troupe.handles[id].crash()
    await settle()


async def test_restarts_up_to_max_restarts_then_gives_up_after_stopping_every_child() -> None:
    troupe = Troupe()
    sup = Supervisor([troupe.spec("a"), troupe.spec("b")], max_restarts=2, period=10)
    with pytest.RaisesGroup(RestartIntensityExceeded) as caught:
        async with trio.open_nursery() as nursery:
            await nursery.start(sup.run)
            await crash(troupe, "b")
            await crash(troupe, "b")
            assert troupe.of("started") == ["a", "b", "b", "b"]
            troupe.handles["b"].crash()
    assert troupe.of("started") == ["a", "b", "b", "b"]
    assert troupe.events[-2:] == [("crashed", "b"), ("returned", "a")]
    assert sup.state is SupervisorState.FAILED
    failure = caught.value.exceptions[0]
    assert isinstance(failure.__cause__, Boom)
    assert "max_restarts=2" in str(failure) and "'b'" in str(failure)


async def test_run_raises_the_bare_error_when_it_gives_up() -> None:
    starts = 0

    async def always_crashes(*, task_status: trio.TaskStatus[None]) -> None:
        nonlocal starts
        starts += 1
        task_status.started()
        raise Boom("at once")

    with pytest.raises(RestartIntensityExceeded):
        await Supervisor([ChildSpec("doomed", always_crashes)], max_restarts=3).run()
    assert starts == 4


async def test_restarts_older_than_the_period_no_longer_count(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    async with running(Supervisor([troupe.spec("a")], max_restarts=1, period=5)) as sup:
        for _ in range(4):
            await crash(troupe, "a")
            await trio.sleep(5)
        assert sup.state is SupervisorState.RUNNING
        assert troupe.of("started") == ["a"] * 5


async def test_max_restarts_zero_gives_up_on_the_first_crash() -> None:
    troupe = Troupe()
    sup = Supervisor([troupe.spec("a")], max_restarts=0)
    with pytest.RaisesGroup(RestartIntensityExceeded):
        async with trio.open_nursery() as nursery:
            await nursery.start(sup.run)
            troupe.handles["a"].crash()
    assert troupe.of("started") == ["a"]


async def test_a_child_supervisor_that_gives_up_is_restarted_by_its_parent() -> None:
    troupe = Troupe()
    inner = Supervisor([troupe.spec("worker")], max_restarts=1, period=10, name="inner")
    outer = Supervisor([troupe.spec("sibling"), inner.child_spec()], name="outer")
    async with running(outer):
        await crash(troupe, "worker")  # inner restarts it: 1 restart, within its limit
        assert outer.which_children()[1].restarts == 0
        await crash(troupe, "worker")  # inner gives up; outer restarts inner afresh
        assert troupe.of("started") == ["sibling", "worker", "worker", "worker"]
        assert [c.restarts for c in outer.which_children()] == [0, 1]
        assert inner.state is SupervisorState.RUNNING
        await crash(troupe, "worker")  # the restarted inner has a clean restart history
        assert inner.state is SupervisorState.RUNNING


async def test_escalation_climbs_until_a_supervisor_can_absorb_it() -> None:
    troupe = Troupe()
    leaf = Supervisor([troupe.spec("worker")], max_restarts=0, name="leaf")
    middle = Supervisor([leaf.child_spec()], max_restarts=0, name="middle")
    root = Supervisor([troupe.spec("sibling"), middle.child_spec()], max_restarts=1, name="root")
    with pytest.RaisesGroup(RestartIntensityExceeded) as caught:
        async with trio.open_nursery() as nursery:
            await nursery.start(root.run)
            await crash(troupe, "worker")  # leaf fails, middle fails, root restarts middle
            assert root.state is SupervisorState.RUNNING
            assert [c.restarts for c in root.which_children()] == [0, 1]
            troupe.handles["worker"].crash()  # a second restart is past root's limit
    failure = caught.value.exceptions[0]
    assert isinstance(failure, RestartIntensityExceeded) and failure.supervisor == "root"
    assert isinstance(failure.__cause__, RestartIntensityExceeded)
    assert failure.__cause__.supervisor == "middle"
    assert ("returned", "sibling") in troupe.events
    assert [c.state for c in root.which_children()] == [ChildState.STOPPED] * 2
