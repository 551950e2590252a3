"""A view's jobs at run time: it follows each job's key for its life, and fires and
cancels the job's runs through the application's jobs backend (``actorview.jobs``).

The run belongs to the backend's owner, not to the view: it goes on when the view stops
(a reload, a dropped socket), and every view whose key is the same hears it. What the
view hears of its key is what an ``async_stream``'s runner would tell it:

- each part of the run it follows, told under that run's own lease: a fire or a cancel
  of this view revokes the lease first, and a newer run (fired by any view) replaces
  the lease, so nothing of an older run is handled once a newer one started;
- a :class:`StreamFailed` for a run that failed, or that was lost with its worker
  (``Outcome.LOST``), to the view's failure clause (else the default notice);
- :class:`JobCancelled` for a run another view cancelled or superseded, if a clause
  takes it (the view that cancels or fires hears nothing of the run it ended).

Joining a key mid-run, the view hears the parts so far (in one batch, as its mailbox
takes them), then each new one, with no gap and no duplicate (the backend's
``follow``). ``fire`` returns once the run has started, ``cancel`` once it has ended.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Hashable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

import trio

from actorview.declare._errors import EmitError
from actorview.declare._jobs import JobCancelled, JobTask
from actorview.declare._subscriptions import fill
from actorview.declare._tasks import StreamFailed
from actorview.jobs import Ended, JobEmit, JobError, Jobs, Outcome, Part, Started
from actorview.lifecycle import RunState
from actorview.mailbox import ActorStopped
from actorview.view._tasks import RunLease, Tell, Unhandled

JOB_UNAVAILABLE_TEXT = "This could not be started or stopped; try again."

_numbers = itertools.count(1)


def no_backend(view: str, name: str) -> str:
    """The error of a job fired in a view that was given no jobs backend."""
    return (
        f"{view}.{name} (job): the view has no jobs backend. Serve it with "
        f"Application(...) (which runs LocalJobs unless given jobs=RedisJobs(...)), mount "
        f"it with actorview.testing.mount (which runs one of its own), or pass "
        f"View(jobs=...) a running backend."
    )


class JobRunner:
    """A view instance's handle on one declared job (``view.live.streams[name]``).

    Its key is the declaration's template filled from the view's fields and calcs,
    when the view starts, after each message the view handled, and at each fire and
    cancel: when a field the key reads changed, the view lets the old key go (its run
    goes on, for whoever follows it) and follows the new one."""

    def __init__(
        self,
        declaration: JobTask,
        jobs: Jobs | None,
        nursery: trio.Nursery,
        tell: Tell,
        log: Any,
        failure_handled: bool,
        unhandled: Unhandled,
        read: Callable[[str], Any],
        notify: Callable[[str], None],
        cancel_handled: bool = False,
    ) -> None:
        """``cancel_handled``: a clause of the view takes :class:`JobCancelled` (then a
        cancel by another view is told to it; otherwise nothing is)."""
        self.declaration = declaration
        self.name = declaration.name
        self._jobs = jobs
        self._nursery = nursery
        self._tell = tell
        self._log = log.bind(job=declaration.name)
        self._failure_handled = failure_handled
        self._unhandled = unhandled
        self._read = read
        self._notify = notify
        self._cancel_handled = cancel_handled
        self.key: str | None = None
        """The job key the view follows now."""
        self._scope: trio.CancelScope | None = None
        self._run: str | None = None
        self._number = 0
        self._lease: RunLease | None = None
        self._open = False

    # -- what the view and its store read ----------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether the run the view follows is live (started, not yet ended)."""
        return self._open

    def busy_with(self, key: Hashable | None) -> bool:
        return self._open

    @property
    def live(self) -> int:
        return 1 if self._open else 0

    @property
    def runs(self) -> Mapping[Hashable | None, str]:
        """The live run's id (under key ``None``, as an unkeyed stream's)."""
        return {None: self._run} if self._open and self._run is not None else {}

    @property
    def state(self) -> RunState | None:
        if self._run is None:
            return None
        return RunState.RUNNING if self._open else RunState.DONE

    # -- following -----------------------------------------------------------------------

    def _current_key(self) -> str:
        return fill(self.declaration.key, self.declaration.key_names, self._read)

    def follow_changed(self, changed: AbstractSet[str]) -> None:
        """:meth:`follow`, if a field or calc the key reads is among ``changed`` (what a
        recompute reported) or nothing is followed yet: a batch that changed none of them
        (a streamed token) does not format the key again."""
        if self.key is None or not changed.isdisjoint(self.declaration.key_names):
            self.follow()

    def follow(self) -> None:
        """Follow the key as the view's fields make it now (sync; in the view's task)."""
        key = self._current_key()
        if key == self.key and self._scope is not None:
            return
        if self._scope is not None:
            self._scope.cancel()
        self.revoke()
        self._open = False
        self._run = None
        self.key = key
        if self._jobs is None:
            return
        scope = self._scope = trio.CancelScope()
        self._nursery.start_soon(self._follow, self._jobs, key, scope)

    async def _follow(self, jobs: Jobs, key: str, scope: trio.CancelScope) -> None:
        with scope:
            try:
                async with jobs.follow(key, self.declaration.emits) as follower:
                    async for event in follower:
                        if not await self._hear(event):
                            return
            except JobError as error:
                self._log.error("view.job.unfollowed", key=key, error=str(error))
                self._notify(JOB_UNAVAILABLE_TEXT)

    async def _hear(self, event: Started | Part | Ended) -> bool:
        """Tell the view what ``event`` means for it; ``False`` once the view is gone."""
        match event:
            case Started(run=run):
                if run != self._run:
                    self._switch_to(run)
                self._open = True
            case Part(run=run, message=message):
                lease = self._lease
                if run != self._run or lease is None or lease.revoked:
                    return True
                try:
                    await self._tell(message, lease)
                except ActorStopped:
                    return False
            case Ended(run=run, outcome=outcome, error=error, error_type=error_type):
                if run != self._run:
                    return True
                self._open = False
                lease = self._lease
                if lease is None or lease.revoked:
                    return True
                if outcome in (Outcome.FAILED, Outcome.LOST):
                    failed = StreamFailed(self.name, self._number, error, error_type)
                    return await self._report(failed, lease)
                if outcome is Outcome.CANCELLED and self._cancel_handled:
                    try:
                        await self._tell(JobCancelled(self.name, self._number), lease)
                    except ActorStopped:
                        return False
        return True

    def _switch_to(self, run: str) -> None:
        self.revoke()
        self._run = run
        self._number = next(_numbers)
        self._lease = RunLease(f"{self.name}@{self.key}#{self._number}", None)

    async def _report(self, failed: StreamFailed, lease: RunLease) -> bool:
        if not self._failure_handled:
            self._unhandled(failed)
            return True
        try:
            await self._tell(failed, lease)
        except ActorStopped:
            return False
        return True

    # -- fire, cancel, revoke ----------------------------------------------------------

    def revoke(self, key: Hashable | None = None) -> None:
        """Sync: drop, from now on, every message of the run the view follows."""
        if self._lease is not None:
            self._lease.revoke()

    async def fire(self, args: Mapping[str, Any], key: Hashable | None = None) -> None:
        """Start a run under the view's key with ``args`` (superseding a live one,
        wherever it runs); return once it has started. A backend that cannot start it
        is logged and shown as a failed run."""
        self.follow()
        self.revoke()
        job_key = self.key
        assert job_key is not None
        if self._jobs is None:
            await self._refused(JobError(no_backend(self.declaration.owner, self.name)))
            return
        try:
            run = await self._jobs.start(job_key, self._body(args), self.declaration.emits)
        except JobError as error:
            await self._refused(error)
            return
        if run != self._run:
            self._switch_to(run)
        self._open = True

    async def cancel(self, key: Hashable | None = None) -> None:
        """End the live run of the view's key, wherever it runs; return once it has
        ended. Its messages are dropped from now on (the lease is revoked first)."""
        self.follow()
        self.revoke()
        if self._jobs is None or self.key is None:
            await trio.lowlevel.checkpoint()
            return
        try:
            await self._jobs.cancel(self.key)
        except JobError as error:
            self._log.error("view.job.cancel_failed", key=self.key, error=str(error))
            self._notify(JOB_UNAVAILABLE_TEXT)
            return
        self._open = False

    async def _refused(self, error: JobError) -> None:
        self._log.error("view.job.start_failed", key=self.key, error=str(error))
        self._switch_to(f"refused-{next(_numbers)}")
        lease = self._lease
        assert lease is not None
        await self._report(
            StreamFailed(self.name, self._number, str(error), type(error).__name__), lease
        )

    def _body(self, args: Mapping[str, Any]) -> Callable[[JobEmit], Any]:
        declaration = self.declaration
        emits = declaration.emits
        kwargs = dict(args)

        async def body(emit: JobEmit) -> None:
            async def checked(message: Any) -> None:
                if not isinstance(message, emits):
                    raise EmitError(declaration.owner, declaration.name, message, emits)
                await emit(message)

            if declaration.yields:
                produced: Any = declaration.body(**kwargs)
                async with contextlib.aclosing(produced) as messages:
                    async for message in messages:
                        await checked(message)
                return
            if declaration.takes_emit:
                kwargs["emit"] = checked
            await declaration.body(**kwargs)

        return body
