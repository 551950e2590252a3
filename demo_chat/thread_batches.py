"""Store calls run off the event loop, one worker thread at a time, in batches.

Both history stores (:class:`~demo_chat.history_store.SQLiteHistoryStore` and
:class:`~demo_chat.postgres_store.PostgresHistoryStore`) talk to their database through a
blocking driver, so every call runs in a worker thread (``trio.to_thread.run_sync``).
:class:`ThreadBatches` is what they share: calls run one thread trip at a time, in the
order they were made, and every call that waits while a trip runs goes in the next trip
together (one trip per batch, each call its own unit of work).

Why batches: a trip costs a round through the event loop on the way back, and with one
call per trip a busy loop (a hundred streaming chats) let a store do only about a
hundred calls a second; a restarting view then waited seconds behind every other
view's saves for its history. Batching makes the cost per trip, not per call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar, cast

import trio

T = TypeVar("T")


class ThreadBatches:
    """Runs blocking calls in a worker thread, in call order, batched (see the module).

    Cancellation: a caller cancelled while its call waits for a trip drops it (it never
    runs); once its call is in a trip (or it leads one), the cancellation is delivered
    after the trip, so a call runs whole or not at all. An error a call raises is raised
    to its caller alone; the other calls of its trip are not affected.
    """

    def __init__(self) -> None:
        self._waiting: list[_Call] = []
        self.busy = False
        """True while a batch runs or the next one's leader is about to take the queue."""
        self.trips = 0
        """Thread trips so far (each runs one batch); calls per trip show the batching."""

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """Run ``work(*args)`` in the worker thread, in call order, batched with others.

        The first caller while no batch runs leads: it takes every waiting call into
        one thread trip. Others wait for their call to be done; when a batch ends, the
        first call still waiting (if any) leads the next one.
        """
        call = _Call(functools.partial(work, *args))
        self._waiting.append(call)
        if not self.busy:
            self.busy = True
            call.woken.set()  # it leads
        try:
            await call.woken.wait()  # done, or its turn to lead (busy stays True for it)
        except BaseException:
            if call in self._waiting and not call.woken.is_set():
                self._waiting.remove(call)  # still waiting: it never runs
                raise
            await self._see_through(call)  # in a trip, or leading one: see it through
            raise
        await self._see_through(call)
        await trio.lowlevel.checkpoint_if_cancelled()  # cancelled meanwhile: it ran whole
        return cast(T, call.result())

    async def _see_through(self, call: _Call) -> None:
        """Wait for ``call``'s trip to end, or lead it (shielded: others wait on it)."""
        with trio.CancelScope(shield=True):
            await call.woken.wait()
            if not call.ran:
                await self._run_batch()

    async def _run_batch(self) -> None:
        batch, self._waiting = self._waiting, []
        self.trips += 1
        try:
            await trio.to_thread.run_sync(_run_each, batch)
        finally:
            for call in batch:
                call.woken.set()
            if self._waiting:
                self._waiting[0].woken.set()  # the next leader; the store stays busy
            else:
                self.busy = False


class _Call:
    """One store call waiting for, or done in, a thread trip."""

    def __init__(self, work: Callable[[], object]) -> None:
        self.work = work
        self.woken = trio.Event()
        self.ran = False
        self._value: object = None
        self._error: BaseException | None = None

    def run(self) -> None:
        """In the worker thread: run the work and keep its outcome."""
        try:
            self._value = self.work()
        except BaseException as error:
            self._error = error
        self.ran = True

    def result(self) -> object:
        if not self.ran:
            raise RuntimeError("the history store's worker thread did not run this call")
        if self._error is not None:
            raise self._error
        return self._value


def _run_each(calls: list[_Call]) -> None:
    for call in calls:
        call.run()
