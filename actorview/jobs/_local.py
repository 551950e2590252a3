"""The in-process jobs backend: the default, needing nothing.

A run is a task in the backend's own nursery (``running()``): it outlives the view that
started it, and every view of the process follows it through one
:class:`~actorview.jobs._board.Board`. A body that raises fails its run (logged, told
to the followers as ``Ended(FAILED)``); it never touches the owner or another run.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import trio

from actorview.jobs._backend import JobBody, check_key, check_room, run_body
from actorview.jobs._board import Board, Follower
from actorview.jobs._errors import JobError
from actorview.jobs._events import Ended, Outcome, Part, Started
from actorview.logging import get_logger

_log = get_logger(component="jobs")

NOT_RUNNING = (
    "the jobs backend is not running: the application runs it (Application(jobs=...)), "
    "actorview.testing.mount runs one of its own, or enter `async with jobs.running():`"
)


class _Run:
    __slots__ = ("ended", "id", "scope")

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex
        self.scope = trio.CancelScope()
        self.ended = trio.Event()


class LocalJobs:
    """Jobs run and followed in this process.

    Args:
        max_parts: the most parts one run may emit; one more fails the run with
            :class:`JobError` (what a follower replays is bounded).
        keep: seconds an ended run's parts stay for late followers (then forgotten,
            unless a follower still holds the key).
        cancel_timeout: seconds :meth:`cancel` waits for a run to finish unwinding.
    """

    def __init__(
        self, *, max_parts: int = 100_000, keep: float = 300.0, cancel_timeout: float = 10.0
    ) -> None:
        self.max_parts = max_parts
        self.keep = keep
        self.cancel_timeout = cancel_timeout
        self.board = Board()
        self._runs: dict[str, _Run] = {}
        self._nursery: trio.Nursery | None = None
        self._expiring: deque[tuple[float, str, str]] = deque()
        """Ended runs to forget: (when, key, run), oldest first (``keep`` is one delay)."""
        self._expired = trio.Event()

    def __repr__(self) -> str:
        return f"<LocalJobs runs={len(self._runs)}>"

    @property
    def is_running(self) -> bool:
        return self._nursery is not None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Own the runs for the block; they are cancelled when it ends."""
        if self._nursery is not None:
            raise JobError(f"{self!r} is already running; enter running() once")
        try:
            async with trio.open_nursery() as nursery:
                self._nursery = nursery
                nursery.start_soon(self._expire)
                yield
                nursery.cancel_scope.cancel()
        finally:
            self._nursery = None

    def live(self, key: str) -> str | None:
        """The id of the key's live run, if one runs."""
        run = self._runs.get(key)
        return None if run is None or run.ended.is_set() else run.id

    async def start(self, key: str, body: JobBody, types: Iterable[type] = ()) -> str:
        check_key(key)
        if self._nursery is None:
            raise JobError(f"start({key!r}): {NOT_RUNNING}")
        await self.cancel(key)
        run = self._runs[key] = _Run()
        self.board.publish(key, Started(run.id))
        await self._nursery.start(self._run, key, run, body)
        return run.id

    async def cancel(self, key: str) -> None:
        run = self._runs.get(check_key(key))
        if run is None or run.ended.is_set():
            await trio.lowlevel.checkpoint()
            return
        run.scope.cancel()
        with trio.move_on_after(self.cancel_timeout) as waited:
            await run.ended.wait()
        if waited.cancelled_caught:
            raise JobError(
                f"cancel({key!r}): the run did not end within {self.cancel_timeout:g} s; "
                f"its body shields itself from cancellation, or blocks without a checkpoint"
            )

    @asynccontextmanager
    async def follow(self, key: str, types: Iterable[type] = ()) -> AsyncIterator[Follower]:
        follower = self.board.follow(check_key(key))
        try:
            yield follower
        finally:
            follower.close()

    async def _run(
        self, key: str, run: _Run, body: JobBody, *, task_status: trio.TaskStatus[None]
    ) -> None:
        log = _log.bind(job=key, run=run.id)
        board = self.board
        index = 0

        async def emit(message: object) -> None:
            nonlocal index
            if check_room(key, run.scope, index, self.max_parts, "LocalJobs"):
                board.publish(key, Part(run.id, index, message))
                index += 1
            await trio.lowlevel.checkpoint()

        ended = Ended(run.id, Outcome.CANCELLED)
        try:
            ended = await run_body(run.id, run.scope, body, emit, log, task_status.started)
        finally:
            board.publish(key, ended)
            run.ended.set()
            if self._runs.get(key) is run:
                del self._runs[key]
            log.debug("job.run.ended", outcome=ended.outcome.value, parts=index)
            self._expiring.append((trio.current_time() + self.keep, key, run.id))
            self._expired.set()

    async def _expire(self) -> None:
        """Forget each ended run's parts ``keep`` seconds after its end: one task for all
        of them (not a sleeping task per ended run), until ``running()`` ends."""
        expiring = self._expiring
        while True:
            if not expiring:
                self._expired = trio.Event()
                await self._expired.wait()
                continue
            when, key, run = expiring[0]
            await trio.sleep_until(when)
            expiring.popleft()
            self.board.forget(key, run)
