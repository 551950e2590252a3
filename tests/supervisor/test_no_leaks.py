"""No task outlives its child instance, its supervisor, or a failed tree."""

from __future__ import annotations

import pytest
import trio

from actorview.supervisor import Restart, RestartIntensityExceeded, Strategy, Supervisor
from tests.supervisor.puppets import Troupe, count_tasks, running, settle

TASKS_PER_PUPPET = 2  # its own task and the one in its nursery


@pytest.mark.parametrize("strategy", list(Strategy))
async def test_crashes_and_restarts_leave_exactly_one_instance_per_child(
    strategy: Strategy,
) -> None:
    troupe = Troupe()
    before = count_tasks()
    specs = [troupe.spec("a"), troupe.spec("b", Restart.TRANSIENT), troupe.spec("c")]
    async with running(Supervisor(specs, strategy=strategy, max_restarts=100)) as sup:
        await sup.start_child(troupe.spec("d"))
        for id in ["a", "b", "c", "d", "b", "a"]:
            troupe.handles[id].crash()
            await settle()
        # the test task's nursery and the supervisor's run task, plus four puppets
        assert count_tasks() == before + 1 + 4 * TASKS_PER_PUPPET
        await sup.terminate_child("c")
        assert count_tasks() == before + 1 + 3 * TASKS_PER_PUPPET
    assert count_tasks() == before


async def test_a_supervisor_that_gives_up_leaves_no_task() -> None:
    troupe = Troupe()
    before = count_tasks()
    inner = Supervisor([troupe.spec("w1"), troupe.spec("w2")], max_restarts=0)
    with pytest.RaisesGroup(RestartIntensityExceeded):
        async with trio.open_nursery() as nursery:
            await nursery.start(inner.run)
            troupe.handles["w2"].crash()
    assert count_tasks() == before


async def test_a_cancelled_tree_leaves_no_task() -> None:
    troupe = Troupe()
    before = count_tasks()
    inner = Supervisor([troupe.spec("w1"), troupe.spec("w2")], name="inner")
    with trio.move_on_after(1) as scope:
        async with running(Supervisor([troupe.spec("a"), inner.child_spec()])):
            await settle()
            scope.cancel()
    assert count_tasks() == before
    assert sorted(troupe.of("cancelled")) == ["a", "w1", "w2"]
