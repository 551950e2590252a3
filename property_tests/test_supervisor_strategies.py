"""Random crashes, returns, additions and removals against a plain model of the strategies.

Each example builds a supervisor (random strategy, children and intensity), then applies
a generated sequence of operations in one ``trio.run`` under a ``MockClock`` (time
passes only in ``wait`` operations). After every operation it checks, against a
model that knows nothing of trio, the exact order of everything children did
(started, crashed, returned, cancelled, failed to start), the supervisor's view of its
children, the registry, and the number of live tasks; at the end (a graceful stop,
or a cancellation of the whole tree), that children ended in reverse start order, that
it gave up exactly when the model did, and that no task is left.
"""

from __future__ import annotations

from collections import deque
from typing import Literal

import attrs
import trio
import trio.testing
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from actorview.supervisor import ChildState, Restart, RestartIntensityExceeded, Strategy, Supervisor
from tests.supervisor.puppets import Troupe, count_tasks, settle

TASKS_PER_PUPPET = 2

Kind = Literal["crash", "finish", "crash_then_fail_restart", "add", "terminate", "wait"]


@attrs.frozen
class Op:
    kind: Kind
    index: int = 0
    restart: Restart = Restart.PERMANENT
    seconds: float = 0.0


@attrs.frozen
class Config:
    strategy: Strategy
    restarts: tuple[Restart, ...]
    max_restarts: int
    period: float


restarts = st.sampled_from(list(Restart))
ops = st.one_of(
    st.builds(
        Op,
        st.sampled_from(["crash", "crash", "finish", "crash_then_fail_restart", "terminate"]),
        st.integers(0, 9),
    ),
    st.builds(Op, st.just("add"), restart=restarts),
    st.builds(Op, st.just("wait"), seconds=st.sampled_from([0.5, 1.0, 3.0])),
)
configs = st.builds(
    Config,
    strategy=st.sampled_from(list(Strategy)),
    restarts=st.lists(restarts, min_size=1, max_size=5).map(tuple),
    max_restarts=st.integers(0, 6),
    period=st.sampled_from([1.0, 2.0, 5.0]),
)


@attrs.define
class ModelChild:
    id: str
    restart: Restart
    state: Literal["running", "pending", "stopped"] = "running"


@attrs.define
class Model:
    """What the supervisor promises, written as plainly as possible."""

    config: Config
    children: list[ModelChild]
    events: list[tuple[str, str]] = attrs.Factory(list)
    restart_times: deque[float] = attrs.Factory(deque)
    failing_starts: dict[str, int] = attrs.Factory(dict)
    gave_up: bool = False

    def running(self) -> list[ModelChild]:
        return [c for c in self.children if c.state == "running"]

    def end(self, child: ModelChild, crashed: bool, now: float) -> None:
        self.events.append(("crashed" if crashed else "returned", child.id))
        child.state = "stopped"
        while True:
            if not self.restarts(child, crashed):
                self.retire(child)
            elif not self.intensity_allows(now):
                self.give_up()
                return
            else:
                self.stop_group_of(child)
            failed = self.start_pending()
            if failed is None:
                return
            child, crashed = failed, True

    def restarts(self, child: ModelChild, crashed: bool) -> bool:
        return child.restart is Restart.PERMANENT or (
            child.restart is Restart.TRANSIENT and crashed
        )

    def retire(self, child: ModelChild) -> None:
        if child.restart is Restart.TEMPORARY:
            self.children.remove(child)
        else:
            child.state = "stopped"

    def intensity_allows(self, now: float) -> bool:
        self.restart_times.append(now)
        recent = [t for t in self.restart_times if t > now - self.config.period]
        return len(recent) <= self.config.max_restarts

    def group_of(self, child: ModelChild) -> list[ModelChild]:
        position = self.children.index(child)
        return {
            Strategy.ONE_FOR_ONE: [child],
            Strategy.ONE_FOR_ALL: self.children,
            Strategy.REST_FOR_ONE: self.children[position:],
        }[self.config.strategy]

    def stop_group_of(self, child: ModelChild) -> None:
        for sibling in reversed(list(self.group_of(child))):
            if sibling is not child and sibling.state == "running":
                self.events.append(("returned", sibling.id))
                if sibling.restart is Restart.TEMPORARY:
                    self.children.remove(sibling)
                else:
                    sibling.state = "pending"
        child.state = "pending"

    def start_pending(self) -> ModelChild | None:
        for child in list(self.children):
            if child.state != "pending":
                continue
            if self.failing_starts.get(child.id, 0) > 0:
                self.failing_starts[child.id] -= 1
                self.events.append(("start_failed", child.id))
                return child
            self.events.append(("started", child.id))
            child.state = "running"
        return None

    def give_up(self) -> None:
        self.gave_up = True
        self.stop_all()

    def stop_all(self, how: str = "returned") -> None:
        for child in reversed(self.children):
            if child.state == "running":
                self.events.append((how, child.id))
            child.state = "stopped"


async def apply(op: Op, sup: Supervisor, troupe: Troupe, model: Model, added: int) -> None:
    running = model.running()
    target = running[op.index % len(running)] if running else None
    now = trio.current_time()
    if op.kind == "wait":
        await trio.sleep(op.seconds)
    elif op.kind == "add":
        spec = troupe.spec(f"d{added}", op.restart)
        model.events.append(("started", spec.id))
        model.children.append(ModelChild(spec.id, op.restart))
        await sup.start_child(spec)
    elif target is None:
        return
    elif op.kind == "terminate":
        model.events.append(("returned", target.id))
        model.children.remove(target)
        await sup.terminate_child(target.id)
    else:
        if op.kind == "crash_then_fail_restart":
            troupe.fail_next_starts(target.id)
            model.failing_starts[target.id] = 1
        model.end(target, crashed=op.kind != "finish", now=now)
        handle = troupe.handles[target.id]
        handle.finish() if op.kind == "finish" else handle.crash()
    await settle()


def check(sup: Supervisor, troupe: Troupe, model: Model, base_tasks: int) -> None:
    assert troupe.events == model.events
    expected_states = {"running": ChildState.RUNNING, "stopped": ChildState.STOPPED}
    assert [(c.id, c.state) for c in sup.which_children()] == [
        (c.id, expected_states[c.state]) for c in model.children
    ]
    assert sorted(sup.registry.names()) == sorted(c.id for c in model.running())
    assert count_tasks() == base_tasks + 1 + TASKS_PER_PUPPET * len(model.running())


async def scenario(config: Config, operations: list[Op], cancel_at_end: bool) -> None:
    troupe = Troupe()
    specs = [troupe.spec(f"c{n}", restart) for n, restart in enumerate(config.restarts)]
    model = Model(config, [ModelChild(s.id, s.restart) for s in specs])
    model.events.extend(("started", s.id) for s in specs)
    sup = Supervisor(
        specs, strategy=config.strategy, max_restarts=config.max_restarts, period=config.period
    )
    base_tasks = count_tasks()
    gave_up = False
    try:
        async with trio.open_nursery() as nursery:
            await nursery.start(sup.run)
            for added, op in enumerate(operations):
                await apply(op, sup, troupe, model, added)
                check(sup, troupe, model, base_tasks)
            if cancel_at_end:
                model.stop_all("cancelled")
                nursery.cancel_scope.cancel()
            else:
                model.stop_all()
                sup.request_stop()
    except* RestartIntensityExceeded:
        gave_up = True
    assert gave_up is model.gave_up
    event(f"gave up: {gave_up}")
    event(f"restarts: {min(len(model.restart_times), 5)}")
    assert troupe.events == model.events
    assert count_tasks() == base_tasks
    assert sup.registry.names() == []


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs, st.lists(ops, max_size=30), st.booleans())
def test_supervisor_keeps_its_strategys_promise(
    config: Config, operations: list[Op], cancel_at_end: bool
) -> None:
    clock = trio.testing.MockClock(autojump_threshold=0)
    trio.run(scenario, config, operations, cancel_at_end, clock=clock)
