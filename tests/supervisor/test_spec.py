"""Child specs, restart types, strategies' groups and the restart window, as values."""

from __future__ import annotations

import math
from enum import Enum

import pytest
import trio

from actorview.supervisor import (
    CANCEL_AT_ONCE,
    WAIT_FOREVER,
    ChildSpec,
    ChildState,
    Restart,
    Strategy,
    SupervisorState,
)
from actorview.supervisor._strategy import RestartWindow
from tests.docstrings import member_assignments, undocumented_members


async def idle(*, task_status: trio.TaskStatus[None]) -> None:
    task_status.started()


@pytest.mark.parametrize(
    ("restart", "after_crash", "after_return"),
    [
        (Restart.PERMANENT, True, True),
        (Restart.TRANSIENT, True, False),
        (Restart.TEMPORARY, False, False),
    ],
)
def test_restarts_after(restart: Restart, after_crash: bool, after_return: bool) -> None:
    assert restart.restarts_after(ValueError()) is after_crash
    assert restart.restarts_after(None) is after_return


@pytest.mark.parametrize("enum", [Restart, Strategy, ChildState, SupervisorState])
def test_every_enum_member_has_a_one_line_docstring(enum: type[Enum]) -> None:
    assert undocumented_members(enum) == []
    assert len(member_assignments(enum)) == len(enum)


def test_child_spec_defaults_and_shutdown_values() -> None:
    spec = ChildSpec("a", idle)
    assert (spec.restart, spec.shutdown) == (Restart.PERMANENT, 5.0)
    assert ChildSpec("a", idle, shutdown=CANCEL_AT_ONCE).shutdown == 0
    assert ChildSpec("a", idle, shutdown=WAIT_FOREVER).shutdown == math.inf


@pytest.mark.parametrize("shutdown", [-1, math.nan])
def test_a_negative_or_nan_grace_period_is_refused(shutdown: float) -> None:
    with pytest.raises(ValueError, match="shutdown must be a number of seconds >= 0"):
        ChildSpec("a", idle, shutdown=shutdown)


def test_an_empty_id_is_refused() -> None:
    with pytest.raises(ValueError, match="id must be a non-empty str"):
        ChildSpec("", idle)


@pytest.mark.parametrize(
    ("strategy", "group"),
    [
        (Strategy.ONE_FOR_ONE, "c"),
        (Strategy.ONE_FOR_ALL, "abcde"),
        (Strategy.REST_FOR_ONE, "cde"),
    ],
)
def test_restart_group(strategy: Strategy, group: str) -> None:
    assert "".join(strategy.restart_group(list("abcde"), "c")) == group


def test_restart_window_counts_restarts_within_the_period_only() -> None:
    window = RestartWindow(max_restarts=2, period=10)
    assert window.allows_restart_at(0) and window.allows_restart_at(5)
    assert not window.allows_restart_at(9.9)
    assert window.allows_restart_at(15.1)  # 0 and 5 have left the window; 9.9 and 15.1 remain
    assert not window.allows_restart_at(16)


@pytest.mark.parametrize(("max_restarts", "period"), [(-1, 5), (3, 0), (3, -2)])
def test_restart_window_refuses_nonsense(max_restarts: int, period: float) -> None:
    with pytest.raises(ValueError):
        RestartWindow(max_restarts, period)


async def test_actor_spec_builds_a_fresh_object_per_start() -> None:
    built: list[object] = []

    class Counter:
        def __init__(self) -> None:
            built.append(self)

        async def run(self, *, task_status: trio.TaskStatus[Counter]) -> None:
            task_status.started(self)

    spec = ChildSpec.actor("counter", Counter)
    async with trio.open_nursery() as nursery:
        first = await nursery.start(spec.start)
        second = await nursery.start(spec.start)
    assert built == [first, second] and first is not second
