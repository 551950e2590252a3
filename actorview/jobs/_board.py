"""The in-process record of the jobs a process follows: each key's current run, as
events, and the followers it fans them out to.

Both backends feed it (the in-process one from the running body, the Redis one from the
one reader of each key's stream), and every follower reads from it: a follower that
comes gets the current run's events so far (its replay) and then each new one, with no
checkpoint between taking the replay and joining the live feed, so nothing falls in a
gap and nothing comes twice.

Bounded: a run records at most ``max_parts`` parts (the owner refuses more), and a
follower's queue holds the current run alone: a ``Started`` drops what is queued of
older runs (stale, as a superseded ``async_stream`` run's messages are).
"""

from __future__ import annotations

from collections import deque

import trio

from actorview.jobs._events import Ended, JobEvent, Started


class Follower:
    """One follower's feed of one key: ``await receive()`` the next event.

    Cancellation: ``receive`` is a plain trio wait, cancelled with its caller; what it
    had not returned stays queued. ``close()`` (idempotent) leaves the key."""

    def __init__(self, key: str, replay: list[JobEvent], board: Board) -> None:
        self.key = key
        self._queue: deque[JobEvent] = deque(replay)
        self._wake = trio.Event()
        self._board = board
        self.closed = False

    def push(self, event: JobEvent) -> None:
        if isinstance(event, Started):
            self._queue.clear()  # an older run's events not yet taken are stale now
        self._queue.append(event)
        self._wake.set()

    async def receive(self) -> JobEvent:
        """The next event of the key (waits for one)."""
        while not self._queue:
            self._wake = trio.Event()
            await self._wake.wait()
        await trio.lowlevel.checkpoint()
        return self._queue.popleft()

    def __aiter__(self) -> Follower:
        return self

    async def __anext__(self) -> JobEvent:
        return await self.receive()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._board.leave(self)


class _Key:
    __slots__ = ("events", "followers")

    def __init__(self) -> None:
        self.events: list[JobEvent] = []
        self.followers: list[Follower] = []


class Board:
    """Each key's current run and followers (see the module docstring)."""

    def __init__(self) -> None:
        self._keys: dict[str, _Key] = {}

    def publish(self, key: str, event: JobEvent) -> None:
        """Record ``event`` as the key's latest and hand it to every follower."""
        held = self._keys.get(key)
        if held is None:
            held = self._keys[key] = _Key()
        if isinstance(event, Started):
            held.events = [event]
        elif held.events:
            held.events.append(event)
        else:
            return  # a part or end of a run whose start this board never saw: not whole
        for follower in tuple(held.followers):
            follower.push(event)

    def follow(self, key: str) -> Follower:
        """A new follower of ``key``: the current run's events so far, then live."""
        held = self._keys.get(key)
        if held is None:
            held = self._keys[key] = _Key()
        follower = Follower(key, list(held.events), self)
        held.followers.append(follower)
        return follower

    def leave(self, follower: Follower) -> None:
        held = self._keys.get(follower.key)
        if held is not None and follower in held.followers:
            held.followers.remove(follower)

    def followers(self, key: str) -> int:
        held = self._keys.get(key)
        return 0 if held is None else len(held.followers)

    def events(self, key: str) -> list[JobEvent]:
        """The key's current (or last) run's events, ``Started`` first."""
        held = self._keys.get(key)
        return [] if held is None else list(held.events)

    def open_run(self, key: str) -> str | None:
        """The id of the key's run that started and has not ended here, if one has."""
        held = self._keys.get(key)
        if held is None or not held.events or isinstance(held.events[-1], Ended):
            return None
        first = held.events[0]
        return first.run if isinstance(first, Started) else None

    def forget(self, key: str, run: str | None = None) -> None:
        """Drop the key's record if no follower holds it (and, with ``run``, only if
        that run is still the one recorded): an ended job's lifetime is over."""
        held = self._keys.get(key)
        if held is None or held.followers:
            return
        if run is not None and held.events and getattr(held.events[0], "run", None) != run:
            return
        del self._keys[key]
