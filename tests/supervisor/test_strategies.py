"""Which children each strategy restarts, for each restart type."""

from __future__ import annotations

import pytest

from actorview.supervisor import ChildState, Restart, Strategy, Supervisor
from tests.supervisor.puppets import Troupe, running, settle

PERMANENT, TRANSIENT, TEMPORARY = Restart.PERMANENT, Restart.TRANSIENT, Restart.TEMPORARY


def three(troupe: Troupe, middle: Restart = PERMANENT) -> list:  # type: ignore[type-arg]
    return [troupe.spec("a"), troupe.spec("b", middle), troupe.spec("c")]


async def test_one_for_one_restarts_only_the_crashed_child() -> None:
    troupe = Troupe()
    async with running(Supervisor(three(troupe), strategy=Strategy.ONE_FOR_ONE)) as sup:
        troupe.events.clear()
        troupe.handles["b"].crash()
        await settle()
        assert troupe.events == [("crashed", "b"), ("started", "b")]
        assert [c.restarts for c in sup.which_children()] == [0, 1, 0]


@pytest.mark.parametrize(
    ("restart", "crash", "restarted"),
    [
        (PERMANENT, True, True),
        (PERMANENT, False, True),
        (TRANSIENT, True, True),
        (TRANSIENT, False, False),
        (TEMPORARY, True, False),
        (TEMPORARY, False, False),
    ],
)
async def test_restart_type_decides_whether_an_ended_child_runs_again(
    restart: Restart, crash: bool, restarted: bool
) -> None:
    troupe = Troupe()
    async with running(Supervisor(three(troupe, restart))) as sup:
        troupe.events.clear()
        b = troupe.handles["b"]
        b.crash() if crash else b.finish()
        await settle()
        assert (("started", "b") in troupe.events) is restarted
        states = {c.id: c.state for c in sup.which_children()}
        if restarted:
            assert states["b"] is ChildState.RUNNING
        elif restart is TEMPORARY:
            assert "b" not in states
        else:
            assert states["b"] is ChildState.STOPPED
        assert states["a"] is states["c"] is ChildState.RUNNING
        assert troupe.of("started") == (["b"] if restarted else [])


async def test_one_for_all_stops_siblings_in_reverse_then_starts_all_in_order() -> None:
    troupe = Troupe()
    async with running(Supervisor(three(troupe), strategy=Strategy.ONE_FOR_ALL)):
        troupe.events.clear()
        troupe.handles["b"].crash()
        await settle()
        assert troupe.events == [
            ("crashed", "b"),
            ("returned", "c"),
            ("returned", "a"),
            ("started", "a"),
            ("started", "b"),
            ("started", "c"),
        ]


async def test_rest_for_one_restarts_the_child_and_those_started_after_it() -> None:
    troupe = Troupe()
    specs = [*three(troupe), troupe.spec("d")]
    async with running(Supervisor(specs, strategy=Strategy.REST_FOR_ONE)):
        troupe.events.clear()
        troupe.handles["b"].crash()
        await settle()
        assert troupe.events == [
            ("crashed", "b"),
            ("returned", "d"),
            ("returned", "c"),
            ("started", "b"),
            ("started", "c"),
            ("started", "d"),
        ]


async def test_rest_for_one_crash_of_the_last_child_touches_no_sibling() -> None:
    troupe = Troupe()
    async with running(Supervisor(three(troupe), strategy=Strategy.REST_FOR_ONE)):
        troupe.events.clear()
        troupe.handles["c"].crash()
        await settle()
        assert troupe.events == [("crashed", "c"), ("started", "c")]


@pytest.mark.parametrize("strategy", [Strategy.ONE_FOR_ALL, Strategy.REST_FOR_ONE])
async def test_a_child_that_is_not_restarted_does_not_restart_its_siblings(
    strategy: Strategy,
) -> None:
    troupe = Troupe()
    async with running(Supervisor(three(troupe, TRANSIENT), strategy=strategy)):
        troupe.events.clear()
        troupe.handles["b"].finish()
        await settle()
        assert troupe.events == [("returned", "b")]


async def test_group_restart_drops_temporary_siblings_and_keeps_finished_ones_stopped() -> None:
    troupe = Troupe()
    specs = [troupe.spec("a"), troupe.spec("done", TRANSIENT), troupe.spec("tmp", TEMPORARY)]
    async with running(Supervisor(specs, strategy=Strategy.ONE_FOR_ALL)) as sup:
        troupe.handles["done"].finish()
        await settle()
        troupe.events.clear()
        troupe.handles["a"].crash()
        await settle()
        assert troupe.events == [("crashed", "a"), ("returned", "tmp"), ("started", "a")]
        assert [(c.id, c.state) for c in sup.which_children()] == [
            ("a", ChildState.RUNNING),
            ("done", ChildState.STOPPED),
        ]


async def test_a_restart_that_fails_to_start_is_retried_as_a_new_crash() -> None:
    troupe = Troupe()
    async with running(Supervisor(three(troupe), strategy=Strategy.REST_FOR_ONE)) as sup:
        troupe.events.clear()
        troupe.fail_next_starts("b")
        troupe.handles["b"].crash()
        await settle()
        assert troupe.events == [
            ("crashed", "b"),
            ("returned", "c"),
            ("start_failed", "b"),
            ("started", "b"),
            ("started", "c"),
        ]
        assert [c.state for c in sup.which_children()] == [ChildState.RUNNING] * 3
