"""Deterministic driving: run actors under trio's test clock and step them from sync code.

Property tests (hypothesis's stateful machines) are synchronous: each rule is a plain
method. :class:`TrioDriver` runs one trio event loop with a :class:`trio.testing.MockClock`
in a background thread for the life of a test case; each rule calls into it, and every
call ends only when every task in that loop is blocked (mailboxes drained, streams waiting
on the clock). Time moves only when the test says so, with :meth:`TrioDriver.advance`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

import trio
import trio.testing

T = TypeVar("T")


async def settle() -> None:
    """Wait until every other task is blocked: no message left that a task could take now.

    Under a :class:`~trio.testing.MockClock` that does not autojump, nothing that waits on
    the clock runs either, so what is left is exactly what is due later.
    """
    await trio.testing.wait_all_tasks_blocked()


class TrioDriver:
    """A trio loop in a thread, driven step by step from synchronous code.

    Example::

        with TrioDriver() as driver:
            ref = driver.start(Counter().run)      # runs in the driver's nursery
            driver.call(ref.tell, Add(2))          # returns once everything is blocked
            driver.advance(0.5)                    # move the clock, run what came due
            assert driver.call(ref.ask, Total()) == 2

    Leaving the ``with`` block cancels every task started here. If a task started here
    crashed, the crash is raised from the next call, and from the exit of the block.
    """

    def __init__(self, *, real_time: bool = False) -> None:
        """``real_time=True`` runs on the real clock instead (for end-to-end tests that
        drive a browser against a server running in the driver)."""
        self.clock = trio.testing.MockClock()
        self._real_time = real_time
        self._token: trio.lowlevel.TrioToken | None = None
        self._nursery: trio.Nursery | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run_loop, name="TrioDriver", daemon=True)

    def __enter__(self) -> TrioDriver:
        self._thread.start()
        self._ready.wait()
        self._raise_if_crashed()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._nursery is not None and self._token is not None:
            with contextlib.suppress(trio.RunFinishedError):
                trio.from_thread.run_sync(self._nursery.cancel_scope.cancel, trio_token=self._token)
        self._thread.join()
        if exc_type is None:
            self._raise_if_crashed()

    def _run_loop(self) -> None:
        try:
            trio.run(self._main, clock=None if self._real_time else self.clock)
        except BaseException as error:
            self._error = error
        finally:
            self._ready.set()

    async def _main(self) -> None:
        self._token = trio.lowlevel.current_trio_token()
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            self._ready.set()
            await trio.sleep_forever()

    def _raise_if_crashed(self) -> None:
        if self._error is not None:
            raise self._error

    def call(self, function: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run ``await function(*args)`` in the loop, then settle; return its result."""

        async def call_and_settle() -> T:
            result = await function(*args)
            await settle()
            return result

        return self._enter(call_and_settle)

    def call_sync(self, function: Callable[..., T], *args: Any) -> T:
        """Run ``function(*args)`` (a sync function, e.g. ``ref.tell_nowait``), then settle."""

        async def call_and_settle() -> T:
            result = function(*args)
            await settle()
            return result

        return self._enter(call_and_settle)

    def start(self, function: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        """``nursery.start(function, *args)`` in the driver's nursery, then settle."""

        async def start_and_settle() -> Any:
            assert self._nursery is not None
            started = await self._nursery.start(function, *args)
            await settle()
            return started

        return self._enter(start_and_settle)

    def settle(self) -> None:
        """Return once every task in the loop is blocked."""
        self._enter(settle)

    def advance(self, seconds: float) -> None:
        """Move the test clock forward by ``seconds``, run what came due, settle."""

        if self._real_time:
            raise RuntimeError("advance() moves the test clock; this driver runs in real time")

        async def jump_and_settle() -> None:
            self.clock.jump(seconds)
            await settle()

        self._enter(jump_and_settle)

    def _enter(self, function: Callable[[], Awaitable[T]]) -> T:
        self._raise_if_crashed()
        assert self._token is not None, "use TrioDriver in a with block"
        try:
            return trio.from_thread.run(function, trio_token=self._token)
        except (trio.RunFinishedError, trio.Cancelled):
            # The loop ended under us: a task we started crashed and took it down.
            self._thread.join()
            self._raise_if_crashed()
            raise
