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
from typing import Protocol

from actorview.jobs._board import Follower
from actorview.jobs._errors import JobError

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
