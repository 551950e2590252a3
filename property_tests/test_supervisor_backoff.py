"""Crash timings against the per-child restart accounting and the backoff.

Each example runs, under a ``MockClock``, a tree shaped like the application's::

    root (one_for_all, max_restarts=0)
    ├── sibling
    └── views (one_for_one, max_restarts=0)
        └── v0 .. vN (each its own max_restarts / period, a backoff with jitter)

and crashes random views at random times, some with a number of failing starts to
follow. Then, from what the children did (every start attempt, every end, with its
time), it checks against a plain model of one restart window per child:

- a child is restarted at most ``max_restarts`` times in any ``period`` seconds, and is
  stopped for good (FAILED) exactly at the crash the model says is one too many, and
  never starts again after that;
- each restart waited its backoff: within ``[(1 - jitter) c, c]``, ``c`` the cap of
  ``initial * factor ** (n - 1)``, ``n`` the restarts since it last came up;
- the parents never restart for a child's faults: ``views`` and ``root`` run once, they
  allow no restart at all, the sibling started once; no task is left over.
"""

from __future__ import annotations

from collections import deque

import attrs
import trio
import trio.testing
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from actorview.supervisor import Backoff, ChildSpec, ChildState, Restart, Strategy, Supervisor
from tests.supervisor.puppets import Boom, count_tasks


@attrs.frozen
class Crash:
    after: float
    """Seconds to wait before this crash."""
    child: int
    failing_starts: int
    """How many of its next starts fail."""


@attrs.frozen
class Config:
    children: int
    max_restarts: int
    period: float
    backoff: Backoff


configs = st.builds(
    Config,
    children=st.integers(1, 4),
    max_restarts=st.integers(0, 4),
    period=st.sampled_from([0.5, 2.0, 5.0]),
    backoff=st.builds(
        Backoff,
        initial=st.sampled_from([0.01, 0.1, 0.5]),
        factor=st.sampled_from([1.0, 2.0, 3.0]),
        max=st.sampled_from([1.0, 2.0]),
        jitter=st.sampled_from([0.0, 0.25, 0.9]),
    ),
)
crashes = st.lists(
    st.builds(
        Crash,
        after=st.sampled_from([0.0, 0.005, 0.05, 0.3, 1.0, 2.5]),
        child=st.integers(0, 3),
        failing_starts=st.integers(0, 3),
    ),
    max_size=25,
)


@attrs.define
class Record:
    """What the children did, in order: ``(what, child, time)``, what one of
    ``up`` (started), ``start_failed``, ``crashed``."""

    events: list[tuple[str, str, float]] = attrs.Factory(list)
    failing: dict[str, int] = attrs.Factory(dict)
    crash: dict[str, trio.Event] = attrs.Factory(dict)

    def spec(self, id: str, config: Config | None) -> ChildSpec[None]:
        async def start(*, task_status: trio.TaskStatus[None]) -> None:
            now = trio.current_time()
            if self.failing.get(id, 0) > 0:
                self.failing[id] -= 1
                self.events.append(("start_failed", id, now))
                raise Boom(f"{id} failed to start")
            crash = self.crash[id] = trio.Event()
            self.events.append(("up", id, now))
            task_status.started()
            await crash.wait()
            self.events.append(("crashed", id, trio.current_time()))
            raise Boom(f"{id} crashed")

        if config is None:
            return ChildSpec(id, start)
        return ChildSpec(
            id,
            start,
            restart=Restart.TRANSIENT,
            max_restarts=config.max_restarts,
            period=config.period,
            backoff=config.backoff,
        )


async def scenario(config: Config, plan: list[Crash]) -> None:
    record = Record()
    ids = [f"v{i}" for i in range(config.children)]
    views = Supervisor(max_restarts=0, name="views")
    root = Supervisor(
        [record.spec("sibling", None), views.child_spec()],
        strategy=Strategy.ONE_FOR_ALL,
        max_restarts=0,
        name="root",
    )
    tasks_before = count_tasks()
    async with trio.open_nursery() as nursery:
        await nursery.start(root.run)
        for id in ids:
            await views.start_child(record.spec(id, config))
        for crash in plan:
            await trio.sleep(crash.after)
            id = ids[crash.child % len(ids)]
            child = next(c for c in views.which_children() if c.id == id)
            if child.state is ChildState.RUNNING:
                record.failing[id] = crash.failing_starts
                record.crash[id].set()
                await trio.testing.wait_all_tasks_blocked()
        await trio.sleep(config.backoff.max * 10 + 1)  # every delayed restart has happened
        states = {c.id: c.state for c in views.which_children()}
        assert root.which_children()[1].restarts == 0, "views was never restarted"
        assert views.state.value == "running" and root.state.value == "running"
        root.request_stop()
    assert count_tasks() == tasks_before
    assert [what for what, id, _ in record.events if id == "sibling"] == ["up"]
    for id in ids:
        check_child(config, [(what, at) for what, i, at in record.events if i == id], states[id])


def check_child(config: Config, events: list[tuple[str, float]], state: ChildState) -> None:
    """Replay one child's ends against a plain window; check its attempts and delays."""
    assert events[0][0] == "up"
    window: deque[float] = deque()
    since_up = 0  # restarts since it last came up
    gave_up = False
    expect_attempt_after: float | None = None
    for what, at in events[1:]:
        assert not gave_up, f"started again after it was stopped for good: {events}"
        if what in ("up", "start_failed"):
            assert expect_attempt_after is not None, f"an attempt no end explains: {events}"
            ceiling = config.backoff.ceiling(since_up)
            waited = at - expect_attempt_after
            low = (1 - config.backoff.jitter) * ceiling
            assert low - 1e-9 <= waited <= ceiling + 1e-9, (waited, low, ceiling, events)
            expect_attempt_after = None
            if what == "up":
                since_up = 0
                continue
        # An end (a crash, or the failed start just checked): one restart decision.
        while window and window[0] <= at - config.period:
            window.popleft()
        window.append(at)
        if len(window) > config.max_restarts:
            gave_up = True
            continue
        since_up += 1
        expect_attempt_after = at
    assert expect_attempt_after is None, f"a restart that never came: {events}"
    assert (state is ChildState.FAILED) == gave_up, (state, events)
    # The promise itself, read off the events alone: the ends that were followed by a
    # new attempt (restarts) number at most max_restarts in any period.
    ends = [at for what, at in events if what != "up"]
    restarted = ends[:-1] if gave_up else ends
    for at in restarted:
        assert len([t for t in restarted if at - config.period < t <= at]) <= config.max_restarts
    event(f"gave up: {gave_up}")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs, crashes)
def test_each_child_is_restarted_within_its_own_intensity_and_backoff_and_no_parent_restarts(
    config: Config, plan: list[Crash]
) -> None:
    clock = trio.testing.MockClock(autojump_threshold=0)
    trio.run(scenario, config, plan, clock=clock)
