"""What a jobs backend offers the view runtime (and any actor): start, cancel, follow.

A *job* is the run of an async body under a key (``"reply:42"``) by an owner that is
not the view that asked for it: the backend's own nursery (``running()``, which the
application enters with its supervision tree). A key has at most one live run; the
followers of a key hear each run's events (``actorview.jobs._events``) whichever view,
tab or worker started it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import trio

from actorview.jobs._board import Follower
from actorview.jobs._errors import JobError
from actorview.jobs._events import Ended, Outcome
from actorview.logging import log_failure

JobEmit = Callable[[object], Awaitable[None]]
"""``await emit(message)``: record one part of the run (for every follower)."""

JobBody = Callable[[JobEmit], Awaitable[None]]
"""What a backend runs: an async function of ``emit``."""

MAX_KEY_CHARS = 200


class Jobs(Protocol):
    """A jobs backend: :class:`~actorview.jobs.LocalJobs` or
    :class:`~actorview.jobs.RedisJobs`."""

    @property
    def is_running(self) -> bool:
        """Whether :meth:`running`'s block is being run."""
        ...

    def running(self) -> AbstractAsyncContextManager[None]:
        """Run the owner (its nursery, its connections) for the block; the jobs it runs
        are cancelled when the block ends."""
        ...

    async def start(self, key: str, body: JobBody, types: Iterable[type] = ()) -> str:
        """Start a run of ``body`` under ``key`` and return its id once its ``Started``
        is recorded. A live run of the key (anywhere) is cancelled first and has ended
        when the new one starts (supersede). Raises :class:`JobError` if the backend
        is not running or its server does not answer within its bounds."""
        ...

    async def cancel(self, key: str) -> None:
        """End the key's live run, wherever it runs; return once it has ended (its
        ``Ended`` is recorded). Nothing to do when nothing runs. Raises
        :class:`JobError` if the end is not seen within the backend's bound."""
        ...

    def follow(self, key: str, types: Iterable[type] = ()) -> AbstractAsyncContextManager[Follower]:
        """Follow ``key`` for the block: the current run's events so far, then every
        new one, in order, with no gap and no duplicate (parts decoded into ``types``
        by a backend that crosses processes)."""
        ...


def check_key(key: object) -> str:
    """``key`` if it is a job key (a non-empty printable str of at most 200
    characters); raises :class:`JobError` saying what is wrong otherwise."""
    if not isinstance(key, str) or not key:
        raise JobError(f"a job key is a non-empty str, not {key!r}")
    if len(key) > MAX_KEY_CHARS or not key.isprintable():
        raise JobError(f"job key {key[:40]!r}...: at most {MAX_KEY_CHARS} printable characters")
    return key


def check_room(key: str, scope: trio.CancelScope, index: int, max_parts: int, backend: str) -> bool:
    """Whether ``emit`` records part ``index`` of a run: ``False`` once the run's
    ``scope`` is cancelled (what a cancelled run emits is dropped, never recorded);
    raises :class:`JobError` naming the bound and its fix when ``index`` would pass
    ``max_parts`` (what a follower replays is bounded). ``backend`` names the class
    whose ``max_parts`` to raise. Both backends' ``emit`` ask it first, so the two
    cannot drift apart."""
    if scope.cancel_called:
        return False
    if index >= max_parts:
        raise JobError(
            f"job {key!r}: more than max_parts={max_parts} parts; emit fewer, larger "
            f"parts, or raise {backend}(max_parts=...)"
        )
    return True


async def run_body(
    run_id: str,
    scope: trio.CancelScope,
    body: JobBody,
    emit: JobEmit,
    log: Any,
    started: Callable[[], object],
) -> Ended:
    """Run ``body(emit)`` inside the run's cancel ``scope`` and return how it ended:
    ``DONE`` when it returned, ``FAILED`` (the error's text and type, logged by
    :func:`~actorview.logging.log_failure`: an expected failure as a warning, any other
    as an error with its traceback) when it raised, ``CANCELLED`` when ``scope`` was
    cancelled (whatever the body raised as it unwound). ``started()`` is called inside
    the scope before the body runs (a backend's ``task_status.started``).

    A cancellation from outside the scope (the owner's nursery ending) propagates; the
    caller records its default, ``CANCELLED``, in a ``finally``. The backend stores the
    end; this function only decides it."""
    ended = Ended(run_id, Outcome.CANCELLED)
    with scope:
        started()
        log.debug("job.run.started")
        try:
            await body(emit)
        except Exception as error:
            if not scope.cancel_called:
                log_failure(log, "job.run.failed", error)
                ended = Ended(run_id, Outcome.FAILED, str(error), type(error).__name__)
        else:
            ended = Ended(run_id, Outcome.DONE)
    return ended
