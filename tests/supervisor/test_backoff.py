"""A child's own restart intensity, its backoff between restarts, and waiting for a
dependency: a crash loop is contained at the child, never at its supervisor."""

from __future__ import annotations

import random
from typing import Any

import attrs
import pytest
import structlog
import trio

from actorview.supervisor import (
    Backoff,
    ChildEvent,
    ChildSpec,
    ChildState,
    ChildWaiting,
    GaveUp,
    Restart,
    Restarting,
    RestartIntensityExceeded,
    StartFunction,
    Strategy,
    Supervisor,
    SupervisorState,
    Waiting,
)
from tests.supervisor.puppets import Boom, Puppet, Troupe, count_tasks, running, settle

EXACT = Backoff(initial=1.0, factor=2.0, max=3.0, jitter=0.0)


class Down(ConnectionError):
    """A dependency that does not answer."""


def own(spec: ChildSpec[Puppet], **options: Any) -> ChildSpec[Puppet]:
    """The spec with the options of this module's concern set."""
    return attrs.evolve(spec, **options)


async def crash(troupe: Troupe, id: str) -> None:
    troupe.handles[id].crash()
    await settle()


def starts_at(times: list[float]) -> StartFunction[None]:
    """A start function that records when it runs and always fails to start."""

    async def start(*, task_status: trio.TaskStatus[None]) -> None:
        times.append(trio.current_time())
        raise Boom("render raised")

    return start


async def test_a_child_past_its_own_intensity_stops_for_good_and_its_supervisor_carries_on() -> (
    None
):
    troupe, events = Troupe(), list[ChildEvent]()
    doomed = own(troupe.spec("doomed"), max_restarts=2, period=10.0, observer=events.append)
    # The supervisor itself allows no restart at all: the child's restarts never count there.
    sup = Supervisor([troupe.spec("bystander"), doomed], max_restarts=0)
    with pytest.RaisesGroup(RestartIntensityExceeded):
        async with running(sup):
            for _ in range(3):
                await crash(troupe, "doomed")
            assert sup.state is SupervisorState.RUNNING
            states = {c.id: c.state for c in sup.which_children()}
            assert states == {"bystander": ChildState.RUNNING, "doomed": ChildState.FAILED}
            assert troupe.of("started") == ["bystander", "doomed", "doomed", "doomed"]
            assert sup.registry.get("doomed") is None
            assert [type(e) for e in events] == [Restarting, Restarting, GaveUp]
            assert isinstance(events[-1], GaveUp) and isinstance(events[-1].error, Boom)
            assert (events[-1].max_restarts, events[-1].period) == (2, 10.0)
            await crash(troupe, "bystander")  # the supervisor's own intensity is its own: 0
    assert sup.state is SupervisorState.FAILED


async def test_a_failed_child_can_be_terminated_and_started_again_afresh() -> None:
    troupe = Troupe()
    async with running(Supervisor()) as sup:
        await sup.start_child(own(troupe.spec("v"), max_restarts=0))
        await crash(troupe, "v")
        assert [c.state for c in sup.which_children()] == [ChildState.FAILED]
        await sup.terminate_child("v")
        await sup.start_child(own(troupe.spec("v"), max_restarts=0))
        assert [c.state for c in sup.which_children()] == [ChildState.RUNNING]


async def test_the_backoff_delays_are_exponential_capped_and_reset_once_the_child_is_up(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe, delays = Troupe(), list[float]()

    def observe(event: ChildEvent) -> None:
        assert isinstance(event, Restarting)
        delays.append(event.delay)

    spec = own(troupe.spec("y"), backoff=EXACT, observer=observe)
    async with running(Supervisor([spec], max_restarts=100)) as sup:
        troupe.fail_next_starts("y", 4)
        await crash(troupe, "y")
        # 1 + 2 + 3 + 3 + 3: five restarts, the first four fail to start, the last is up.
        await trio.sleep(11.99)
        assert sup.which_children()[0].state is ChildState.DELAYED
        await trio.sleep(0.02)
        assert sup.which_children()[0].state is ChildState.RUNNING
        assert troupe.of("start_failed") == ["y"] * 4
        assert delays == [1.0, 2.0, 3.0, 3.0, 3.0]
        await crash(troupe, "y")  # up again: the count started over
        assert delays[-1] == 1.0
        assert sup.which_children()[0].state is ChildState.DELAYED


async def test_a_start_that_fails_for_a_dependency_is_retried_until_it_comes_up_and_counts_nowhere(
    autojump_clock: trio.abc.Clock,
) -> None:
    down = True
    attempts: list[float] = []
    events: list[ChildEvent] = []

    async def needs_the_database(*, task_status: trio.TaskStatus[str]) -> None:
        attempts.append(trio.current_time())
        if down:
            raise Down("database at db:5432 refused the connection")
        task_status.started("up")
        await trio.sleep_forever()

    spec = ChildSpec(
        "view",
        needs_the_database,
        restart=Restart.TRANSIENT,
        max_restarts=0,  # no crash may be restarted: waiting is no crash
        backoff=EXACT,
        waits_on=(ConnectionError,),
        observer=events.append,
    )
    async with running(Supervisor(max_restarts=0)) as sup:
        with pytest.raises(ChildWaiting) as waiting:
            await sup.start_child(spec)
        assert isinstance(waiting.value.__cause__, Down)
        assert waiting.value.delay == 1.0
        assert [c.state for c in sup.which_children()] == [ChildState.DELAYED]
        await trio.sleep(30)
        assert len(attempts) > 8  # 1, 2, 3, 3, 3, ... seconds apart
        waits = [e for e in events if isinstance(e, Waiting)]
        assert len(waits) == len(events)
        assert [e.delay for e in waits[:4]] == [1.0, 2.0, 3.0, 3.0]
        down = False
        await trio.sleep(3.01)
        assert sup.registry.get("view") == "up"
        assert [c.state for c in sup.which_children()] == [ChildState.RUNNING]
        assert sup.state is SupervisorState.RUNNING


async def test_a_crash_for_a_dependency_counts_it_is_only_a_failed_start_that_waits() -> None:
    events: list[ChildEvent] = []

    async def crashes_later(*, task_status: trio.TaskStatus[None]) -> None:
        task_status.started()
        await trio.lowlevel.checkpoint()
        raise Down("lost the connection while running")

    spec = ChildSpec(
        "v", crashes_later, max_restarts=0, backoff=EXACT, waits_on=(Down,), observer=events.append
    )
    async with running(Supervisor()) as sup:
        await sup.start_child(spec)
        await settle()
        assert [c.state for c in sup.which_children()] == [ChildState.FAILED]
    assert [type(e) for e in events] == [GaveUp]


async def test_stopping_the_supervisor_cancels_a_pending_backoff_at_once() -> None:
    troupe = Troupe()
    tasks_before = count_tasks()
    slow = Backoff(initial=1000.0, max=1000.0, jitter=0.0)
    async with trio.open_nursery() as nursery:
        sup = await nursery.start(Supervisor([own(troupe.spec("a"), backoff=slow)]).run)
        await crash(troupe, "a")
        assert sup.which_children()[0].state is ChildState.DELAYED
        with trio.fail_after(1):
            sup.request_stop()
            await settle()
    assert sup.state is SupervisorState.STOPPED
    assert troupe.of("started") == ["a"]
    assert count_tasks() == tasks_before


async def test_terminating_a_delayed_child_calls_its_restart_off() -> None:
    troupe = Troupe()
    slow = Backoff(initial=1000.0, max=1000.0, jitter=0.0)
    async with running(Supervisor()) as sup:
        tasks_before = count_tasks()
        await sup.start_child(own(troupe.spec("a"), backoff=slow))
        await crash(troupe, "a")
        with trio.fail_after(1):
            await sup.terminate_child("a")
        await settle()
        assert sup.which_children() == []
        assert count_tasks() == tasks_before


async def test_under_one_for_all_the_group_restarts_once_the_delay_has_passed(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    specs = [own(troupe.spec("a"), backoff=EXACT), troupe.spec("b")]
    async with running(Supervisor(specs, strategy=Strategy.ONE_FOR_ALL)) as sup:
        await crash(troupe, "a")
        assert [c.state for c in sup.which_children()] == [ChildState.DELAYED, ChildState.RUNNING]
        await trio.sleep(0.99)
        assert troupe.of("started") == ["a", "b"], "b runs on while a waits"
        await trio.sleep(0.02)
        assert troupe.events[-3:] == [("returned", "b"), ("started", "a"), ("started", "b")]


async def test_an_observer_that_raises_is_logged_and_changes_nothing() -> None:
    troupe = Troupe()

    def broken(event: ChildEvent) -> None:
        raise RuntimeError("observer bug")

    with structlog.testing.capture_logs() as logs:
        async with running(Supervisor([own(troupe.spec("a"), observer=broken)])):
            await crash(troupe, "a")
    assert troupe.of("started") == ["a", "a"]
    assert any(entry["event"] == "child_observer_failed" for entry in logs)


def test_backoff_and_child_spec_options_are_checked_with_the_fix_named() -> None:
    with pytest.raises(ValueError, match="needs a backoff"):
        ChildSpec("v", starts_at([]), waits_on=(ConnectionError,))
    with pytest.raises(TypeError, match="tuple of Exception subclasses"):
        ChildSpec("v", starts_at([]), waits_on=ConnectionError)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="int >= 0"):
        ChildSpec("v", starts_at([]), max_restarts=-1)
    with pytest.raises(ValueError, match="jitter"):
        Backoff(jitter=1.0)
    with pytest.raises(ValueError, match="factor"):
        Backoff(factor=0.5)
    with pytest.raises(ValueError, match=r"must be >= Backoff\.initial"):
        Backoff(initial=2.0, max=1.0)
    with pytest.raises(ValueError, match="> 0"):
        Backoff(initial=0.0)


def test_a_jittered_delay_stays_within_its_ceiling_and_its_floor() -> None:
    backoff = Backoff(initial=0.1, factor=2.0, max=10.0, jitter=0.25)
    rng = random.Random(7)
    for n in range(1, 40):
        ceiling = min(10.0, 0.1 * 2 ** (n - 1))
        assert backoff.ceiling(n) == pytest.approx(ceiling)
        delay = backoff.delay(n, rng)
        assert 0.75 * ceiling <= delay <= ceiling
    assert backoff.ceiling(10_000) == 10.0
