"""Children a test can drive: crash them, make them return, watch them start and end.

Shared with ``property_tests/test_supervisor_*.py``.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import attrs
import trio

from actorview.supervisor import ChildSpec, Restart, Supervisor


class Boom(Exception):
    """What a puppet raises when told to crash."""


@attrs.define(eq=False)
class Puppet:
    """The handle of one running puppet instance."""

    child_id: str
    _commands: trio.MemorySendChannel[str]
    stop_requests: int = 0

    def crash(self) -> None:
        self._commands.send_nowait("crash")

    def finish(self) -> None:
        self._commands.send_nowait("return")

    def request_stop(self) -> None:
        self.stop_requests += 1
        self._commands.send_nowait("stop")


@attrs.define
class Troupe:
    """Makes puppet child specs and records, in order, what their instances did.

    ``events`` holds ``(what, child_id)`` with ``what`` one of ``started``,
    ``crashed``, ``returned``, ``cancelled``, ``start_failed``.
    """

    events: list[tuple[str, str]] = attrs.Factory(list)
    handles: dict[str, Puppet] = attrs.Factory(dict)
    failing_starts: dict[str, int] = attrs.Factory(dict)

    def spec(
        self,
        id: str,
        restart: Restart = Restart.PERMANENT,
        *,
        shutdown: float = 5.0,
        obeys_stop: bool = True,
        start_delay: float = 0.0,
    ) -> ChildSpec[Puppet]:
        async def start(*, task_status: trio.TaskStatus[Puppet]) -> None:
            await self._play(id, obeys_stop, start_delay, task_status)

        return ChildSpec(id, start, restart=restart, shutdown=shutdown)

    def fail_next_starts(self, id: str, times: int = 1) -> None:
        self.failing_starts[id] = times

    def of(self, what: str) -> list[str]:
        return [child_id for kind, child_id in self.events if kind == what]

    async def _play(
        self, id: str, obeys_stop: bool, start_delay: float, task_status: trio.TaskStatus[Puppet]
    ) -> None:
        await trio.sleep(start_delay)
        if self.failing_starts.get(id, 0) > 0:
            self.failing_starts[id] -= 1
            self.events.append(("start_failed", id))
            raise Boom(f"{id} failed to start")
        commands_in, commands = trio.open_memory_channel[str](math.inf)
        puppet = Puppet(id, commands_in)
        outcome = "cancelled"
        try:
            async with trio.open_nursery() as own_tasks:
                own_tasks.start_soon(trio.sleep_forever)  # a task of its own, to be cleaned up
                self.handles[id] = puppet
                self.events.append(("started", id))
                task_status.started(puppet)
                async for command in commands:
                    if command == "crash" or command == "return" or obeys_stop:
                        outcome = "crashed" if command == "crash" else "returned"
                        own_tasks.cancel_scope.cancel()
                        break
        finally:
            self.events.append((outcome, id))
        if outcome == "crashed":
            raise Boom(f"{id} crashed")


def count_tasks() -> int:
    """Every task in this trio run, found by walking down from the root task."""

    def walk(task: trio.lowlevel.Task) -> int:
        return 1 + sum(walk(child) for n in task.child_nurseries for child in n.child_tasks)

    root = trio.lowlevel.current_root_task()
    assert root is not None
    return walk(root)


async def settle() -> None:
    """Let every task run until all of them are blocked."""
    await trio.testing.wait_all_tasks_blocked()


@asynccontextmanager
async def running(sup: Supervisor) -> AsyncIterator[Supervisor]:
    """Run ``sup`` in a nursery for the block, then stop it gracefully."""
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        yield sup
        sup.request_stop()
