"""The Redis jobs backend: one owner of a job across the cluster, its parts in a Stream.

Each key has two Redis keys: the *stream* ``<prefix><key>`` (the current run's entries:
a start, its parts, an end; ``XADD``, so every reader sees one order, and ``XREAD``
from an id gives what was written after it: a late reader replays from the start and
goes on live with no gap and no duplicate) and the *lease* ``<prefix><key>:lease``
(``SET NX PX``: the one worker that holds it runs the key's job, renewing it every
third of its time while the run lives). Every write the owner makes checks it still
holds the lease, in the same Lua script (``actorview.jobs._scripts``).

When an owner dies (``kill -9``, a lost machine) its lease expires within ``lease``
seconds (renewed every third of it: two thirds to all of it after the death); a reader
of the key that sees the lease gone and the run not ended marks the run *lost*
(``Ended(LOST)``, told to every follower as a failure) instead of running it again
elsewhere: a job's body (a model's reply, say) has effects and costs that a second run
would repeat, and its parts so far could not be matched by a rerun. The person sees the
failure and can start the job again (docs/JOBS.md).

Each process holds one reader for every key its views follow (one ``XREAD`` of all their
streams at once, a connection of the pool blocked in it; the parts are fanned out to the
views by a :class:`~actorview.jobs._board.Board`), reads a newly followed key's run so
far at once, without blocking, and holds one pub/sub connection that hears cancel
requests for the runs it owns. Every Redis wait is bounded (``op_timeout``, ``block``).
Install coredis with ``pip install 'actorview[redis]'``.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

import trio

from actorview.jobs import _scripts
from actorview.jobs._backend import JobBody, check_key, check_room, run_body
from actorview.jobs._board import Board, Follower
from actorview.jobs._errors import JobError
from actorview.jobs._events import Ended, JobEvent, Outcome, Part, Started
from actorview.logging import get_logger
from actorview.pubsub import PubSubError
from actorview.pubsub._codec import decode, encode, type_name

_log = get_logger(component="jobs")

LOST_TEXT = "the worker running this job stopped before it ended (its lease expired)"
LOST = json.dumps({"o": "lost", "e": LOST_TEXT, "t": "JobLost"})
READ_COUNT = 2048
"""Entries one XREAD of a reader takes at most (a replay of 5,000 parts is 3 reads)."""
RETRY_BACKOFF = 0.1
RETRY_BACKOFF_MAX = 2.0


class _Run:
    __slots__ = ("ended", "id", "lost", "scope", "value")

    def __init__(self, token: str) -> None:
        self.id = uuid.uuid4().hex
        self.value = f"{token} {self.id}"
        self.scope = trio.CancelScope()
        self.ended = trio.Event()
        self.lost = False


class _Followed:
    """A key this process follows: the last stream id read, and when it was last heard."""

    __slots__ = ("catching", "heard_at", "last", "swept_at")

    def __init__(self) -> None:
        self.last = "0-0"
        self.catching = True
        self.heard_at = 0.0
        self.swept_at = -math.inf


class RedisJobs:
    """Jobs on the Redis server at ``url``, one owner of each across the cluster.

    Args:
        url: the server's URL (``redis://127.0.0.1:6379/0``).
        prefix: what every Redis key of the backend starts with.
        lease: seconds an owner's lease lasts unless renewed; a dead owner's run is
            marked lost within about this time (plus one ``block``).
        max_parts: the most parts one run may emit (one more fails it).
        keep: seconds an ended run's stream stays for late followers.
        op_timeout: seconds one Redis command may take.
        block: seconds the reader's ``XREAD`` waits for new entries (a newly followed
            key's live parts join it within about this time; its parts so far are read
            at once).
        cancel_timeout: seconds :meth:`cancel` (and so a superseding :meth:`start`)
            waits for the run to end; more than ``lease``, so a dead owner's run is
            swept within it.
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "actorview:job:",
        lease: float = 5.0,
        max_parts: int = 100_000,
        keep: float = 300.0,
        op_timeout: float = 2.0,
        block: float = 0.25,
        cancel_timeout: float | None = None,
        connect_timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.lease = lease
        self.max_parts = max_parts
        self.keep = keep
        self.op_timeout = op_timeout
        self.block = block
        self.cancel_timeout = cancel_timeout if cancel_timeout is not None else lease + 5.0
        self.connect_timeout = connect_timeout
        self.token = uuid.uuid4().hex
        """This backend's identity in the leases it holds."""
        self.board = Board()
        self._runs: dict[str, _Run] = {}
        self._followed: dict[str, _Followed] = {}
        self._wake = trio.Event()
        self._types: dict[str, dict[str, type]] = {}
        self._client: Any = None
        self._scripts: dict[str, Any] = {}
        self._nursery: trio.Nursery | None = None
        self._redis_errors: tuple[type[BaseException], ...] = (ConnectionError, OSError)

    def __repr__(self) -> str:
        return f"<RedisJobs {self.url} runs={len(self._runs)} followed={len(self._followed)}>"

    # -- keys ----------------------------------------------------------------------------

    def _keys(self, key: str) -> list[str]:
        return [f"{self.prefix}{key}", f"{self.prefix}{key}:lease"]

    @property
    def _cancel_channel(self) -> str:
        return f"{self.prefix}cancel"

    def _ms(self, seconds: float) -> int:
        return max(1, int(seconds * 1000))

    # -- life ----------------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        return self._nursery is not None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Connect, hear cancel requests, own runs and readers for the block.

        Raises :class:`JobError` naming the URL if Redis cannot be reached within
        ``connect_timeout``."""
        import coredis  # the `redis` extra: only a Redis backend needs it
        from coredis.exceptions import RedisError

        if self._nursery is not None:
            raise JobError(f"{self!r} is already running; enter running() once")
        self._redis_errors = (RedisError, ConnectionError, OSError)
        client: Any = coredis.Redis.from_url(self.url, decode_responses=True)
        connected = False
        try:
            async with client:
                with trio.fail_after(self.connect_timeout):
                    await client.ping()
                connected = True
                self._client = client
                self._scripts = {
                    name: client.register_script(getattr(_scripts, name))
                    for name in ("ACQUIRE", "APPEND", "RENEW", "SWEEP")
                }
                try:
                    async with trio.open_nursery() as nursery:
                        self._nursery = nursery
                        await nursery.start(self._hear_cancels)
                        nursery.start_soon(self._read_all)
                        yield
                        nursery.cancel_scope.cancel()
                finally:
                    self._nursery = None
                    self._client = None
        except BaseException as error:
            if connected or not self._unreachable(error):
                raise
            raise JobError(
                f"cannot reach Redis at {self.url} ({type(error).__name__}: {error}); "
                f"start it, or check the URL (--redis-url)"
            ) from None

    def _unreachable(self, error: BaseException) -> bool:
        if isinstance(error, BaseExceptionGroup):
            return all(self._unreachable(inner) for inner in error.exceptions)
        return isinstance(error, (trio.TooSlowError, *self._redis_errors))

    def _running(self, what: str) -> tuple[Any, trio.Nursery]:
        if self._client is None or self._nursery is None:
            raise JobError(
                f"{what}: the Redis jobs backend is not running; the application runs it "
                f"(Application(jobs=...)), or enter `async with jobs.running():`"
            )
        return self._client, self._nursery

    async def _call(self, what: str, name: str, keys: list[str], args: list[Any]) -> Any:
        """Run script ``name``, bounded by ``op_timeout``; a failure is a JobError."""
        self._running(what)
        return await self._bounded(what, lambda: self._scripts[name](keys=keys, args=args))

    async def _command(self, what: str, command: str, *args: Any, **kwargs: Any) -> Any:
        """Send ``command`` to Redis, bounded by ``op_timeout``; a failure is a JobError."""
        client, _ = self._running(what)
        return await self._bounded(what, lambda: getattr(client, command)(*args, **kwargs))

    async def _bounded(self, what: str, request: Callable[[], Awaitable[Any]]) -> Any:
        """Await ``request()`` within ``op_timeout``. Redis not answering (a timeout, a
        connection error) raises :class:`JobError` naming ``what`` and the URL; any other
        error (a bug, a script's error) propagates as it is."""
        try:
            with trio.fail_after(self.op_timeout):
                return await request()
        except Exception as error:
            if not self._unreachable(error):
                raise
            raise JobError(
                f"{what}: Redis at {self.url} did not answer ({type(error).__name__}: {error})"
            ) from None

    # -- start and cancel ----------------------------------------------------------------

    def live(self, key: str) -> str | None:
        """The id of the key's live run if this process owns it."""
        run = self._runs.get(key)
        return None if run is None or run.ended.is_set() else run.id

    async def start(self, key: str, body: JobBody, types: Iterable[type] = ()) -> str:
        check_key(key)
        what = f"start({key!r})"
        _, nursery = self._running(what)
        stream_ms = self._ms(self.lease + self.keep)
        with trio.move_on_after(self.cancel_timeout) as waited:
            while True:
                await self.cancel(key)
                run = _Run(self.token)
                taken = await self._call(
                    what,
                    "ACQUIRE",
                    self._keys(key),
                    [run.value, self._ms(self.lease), stream_ms, run.id, LOST],
                )
                if taken:
                    break
        if waited.cancelled_caught:
            raise JobError(
                f"{what}: another worker kept the job's lease for {self.cancel_timeout:g} s "
                f"and did not end its run; it may be overloaded, or cut off from Redis"
            )
        self._runs[key] = run
        await nursery.start(self._run, key, run, body)
        return run.id

    async def cancel(self, key: str) -> None:
        check_key(key)
        what = f"cancel({key!r})"
        run = self._runs.get(key)
        if run is not None and not run.ended.is_set():
            run.scope.cancel()
            with trio.move_on_after(self.cancel_timeout):
                await run.ended.wait()
            if not run.ended.is_set():
                raise JobError(f"{what}: the run did not end within {self.cancel_timeout:g} s")
            return
        stream, lease = self._keys(key)
        with trio.move_on_after(self.cancel_timeout) as waited:
            while True:
                held = await self._command(what, "get", lease)
                if held is None:
                    await self._call(what, "SWEEP", [stream, lease], [LOST, self._ms(self.keep)])
                    return
                _, _, run_id = held.partition(" ")
                await self._command(
                    what, "publish", self._cancel_channel, json.dumps({"key": key, "run": run_id})
                )
                last = await self._command(what, "xrevrange", stream, "+", "-", count=1)
                if not last or last[0].field_values.get("k") == "end":
                    return
                if last[0].field_values.get("r") != run_id:
                    return  # a newer run has started since: this one ended
                await self._command(
                    what, "xread", {stream: last[0].identifier}, count=1, block=self._ms(0.25)
                )
        if waited.cancelled_caught:
            raise JobError(
                f"{what}: the run's owner did not end it within {self.cancel_timeout:g} s"
            )

    async def _hear_cancels(self, *, task_status: trio.TaskStatus[None]) -> None:
        """Hold a pub/sub connection on the cancel channel and cancel the runs this
        process owns that a request names; made again after a backoff if it breaks or
        its SUBSCRIBE is not confirmed within ``op_timeout`` (the backend counts as
        started after the first attempt either way: a cancel request also ends in a
        bounded wait, and the run's lease bounds the rest)."""
        backoff = RETRY_BACKOFF
        client = self._client
        started = False
        while True:
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    with trio.fail_after(self.op_timeout):
                        await pubsub.subscribe(self._cancel_channel)
                    if not started:
                        started = True
                        task_status.started()
                    backoff = RETRY_BACKOFF
                    while True:
                        message = await pubsub.get_message()
                        if message is None or message.get("type") != "message":
                            continue
                        self._cancel_requested(message["data"])
            except* trio.Cancelled:
                raise
            except* Exception as group:
                _log.warning("jobs.cancels.reconnecting", url=self.url, error=str(group))
            if not started:
                started = True
                task_status.started()
            await trio.sleep(backoff)
            backoff = min(backoff * 2, RETRY_BACKOFF_MAX)

    def _cancel_requested(self, data: str) -> None:
        try:
            request = json.loads(data)
            key, run_id = request["key"], request["run"]
        except (ValueError, TypeError, KeyError):
            _log.warning("jobs.cancel.undecodable", data=str(data)[:80])
            return
        run = self._runs.get(key) if isinstance(key, str) else None
        if run is not None and run.id == run_id:
            run.scope.cancel()

    # -- the owner's run -----------------------------------------------------------------

    async def _run(
        self, key: str, run: _Run, body: JobBody, *, task_status: trio.TaskStatus[None]
    ) -> None:
        log = _log.bind(job=key, run=run.id)
        keys = self._keys(key)
        what = f"job {key!r}"
        index = 0

        async def emit(message: object) -> None:
            nonlocal index
            if not check_room(key, run.scope, index, self.max_parts, "RedisJobs"):
                await trio.lowlevel.checkpoint()
                return
            try:
                text = encode(key, message)
            except PubSubError as error:
                raise JobError(f"{what}: {error}") from None
            written = await self._call(
                what, "APPEND", keys, [run.value, "part", run.id, index, text, 0]
            )
            if not written:
                self._lose(run, log)
                return
            index += 1

        ended = Ended(run.id, Outcome.CANCELLED)
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._renew, key, run, log)
                ended = await run_body(run.id, run.scope, body, emit, log, task_status.started)
                nursery.cancel_scope.cancel()
        finally:
            with trio.CancelScope(shield=True):
                await self._write_end(key, run, ended, log)
            run.ended.set()
            if self._runs.get(key) is run:
                del self._runs[key]
            log.debug("job.run.ended", outcome=ended.outcome.value, parts=index)

    async def _write_end(self, key: str, run: _Run, ended: Ended, log: Any) -> None:
        if run.lost:
            return
        data = json.dumps({"o": ended.outcome.value, "e": ended.error, "t": ended.error_type})
        try:
            await self._call(
                f"job {key!r}",
                "APPEND",
                self._keys(key),
                [run.value, "end", run.id, 0, data, self._ms(self.keep)],
            )
        except JobError as error:
            log.warning("job.end.unwritten", error=str(error))

    def _lose(self, run: _Run, log: Any) -> None:
        if not run.lost:
            run.lost = True
            log.warning("job.lease.lost")
        run.scope.cancel()

    async def _renew(self, key: str, run: _Run, log: Any) -> None:
        """Renew the lease every third of its time; give the run up (cancel it) when the
        lease is gone, or when Redis has not confirmed it for a whole lease time."""
        keys = self._keys(key)
        confirmed = trio.current_time()
        while True:
            await trio.sleep(self.lease / 3)
            try:
                held = await self._call(
                    f"job {key!r}",
                    "RENEW",
                    keys,
                    [run.value, self._ms(self.lease), self._ms(self.lease + self.keep)],
                )
            except JobError as error:
                log.warning("job.lease.unrenewed", error=str(error))
                if trio.current_time() - confirmed > self.lease:
                    self._lose(run, log)
                    return
                continue
            if not held:
                self._lose(run, log)
                return
            confirmed = trio.current_time()

    # -- followers -----------------------------------------------------------------------

    @asynccontextmanager
    async def follow(self, key: str, types: Iterable[type] = ()) -> AsyncIterator[Follower]:
        check_key(key)
        self._running(f"follow({key!r})")
        accepted = self._types.setdefault(key, {})
        accepted.update({type_name(kind): kind for kind in types})
        follower = self.board.follow(key)
        try:
            if key not in self._followed:
                followed = self._followed[key] = _Followed()
                try:
                    await self._catch_up(key, followed)
                finally:
                    followed.catching = False  # failed: the reader reads it from the start
                    self._wake.set()
            yield follower
        finally:
            follower.close()
            if self.board.followers(key) == 0:
                self._followed.pop(key, None)
                self._types.pop(key, None)
                self.board.forget(key)

    async def _catch_up(self, key: str, followed: _Followed) -> None:
        """Read what the key's stream holds (its current run so far) into the board, a
        batch at a time without blocking, then hand the key to the shared reader."""
        stream = self._keys(key)[0]
        while True:
            got = await self._command(
                f"follow({key!r})", "xread", {stream: followed.last}, count=READ_COUNT
            )
            entries = got.get(stream, ()) if got else ()
            self._publish(key, followed, entries)
            if len(entries) < READ_COUNT:
                break
        followed.heard_at = trio.current_time()

    async def _read_all(self) -> None:
        """The one reader of the process: ``XREAD`` of every followed key's stream at
        once, from the last id read of each, waiting at most ``block``; each entry to the
        board. A key whose run is open and whose stream brought nothing for ``block`` is
        swept (at most once a ``block``, or a tenth of the lease): a run whose lease is
        gone is marked lost, within about ``lease + 2 * block`` of its owner's death. A
        Redis failure is logged and the read made again after a backoff."""
        backoff = RETRY_BACKOFF
        prefix = len(self.prefix)
        while True:
            streams = {
                self._keys(key)[0]: followed.last
                for key, followed in self._followed.items()
                if not followed.catching
            }
            if not streams:
                self._wake = trio.Event()
                await self._wake.wait()
                continue
            try:
                got = await self._command(
                    "the jobs reader",
                    "xread",
                    streams,
                    count=READ_COUNT,
                    block=self._ms(self.block),
                )
                for stream, entries in (got or {}).items():
                    key = stream[prefix:]
                    followed = self._followed.get(key)
                    if followed is not None and not followed.catching:
                        self._publish(key, followed, entries)
                await self._sweep_quiet()
                backoff = RETRY_BACKOFF
            except JobError as error:
                _log.warning("jobs.read.retrying", error=str(error))
                await trio.sleep(backoff)
                backoff = min(backoff * 2, RETRY_BACKOFF_MAX)

    def _publish(self, key: str, followed: _Followed, entries: Iterable[Any]) -> None:
        for entry in entries:
            followed.last = entry.identifier
            followed.heard_at = trio.current_time()
            event = self._event(key, entry.field_values)
            if event is not None:
                self.board.publish(key, event)

    async def _sweep_quiet(self) -> None:
        now = trio.current_time()
        for key, followed in tuple(self._followed.items()):
            due = now - followed.swept_at > max(self.block, self.lease / 10)
            quiet = now - followed.heard_at > self.block and due
            if quiet and not followed.catching and self.board.open_run(key) is not None:
                followed.swept_at = now
                stream, lease = self._keys(key)
                await self._call(
                    f"follow({key!r})", "SWEEP", [stream, lease], [LOST, self._ms(self.keep)]
                )

    def _event(self, key: str, fields: Any) -> JobEvent | None:
        kind, run = fields.get("k"), fields.get("r", "")
        try:
            match kind:
                case "start":
                    return Started(run)
                case "part":
                    message = decode(fields.get("d", ""), self._types.get(key, {}))
                    return Part(run, int(fields.get("i", 0)), message)
                case "end":
                    data = json.loads(fields.get("d", "{}"))
                    return Ended(run, Outcome(data["o"]), data.get("e", ""), data.get("t", ""))
        except (PubSubError, ValueError, KeyError, TypeError) as error:
            _log.warning("jobs.entry.undecodable", job=key, kind=kind, reason=str(error))
            return None
        _log.warning("jobs.entry.unknown", job=key, kind=str(kind)[:20])
        return None
