"""Faults under load: many streaming chat sessions on loopback while views are killed,
stream tasks fail and client sockets drop, at random times.

Afterwards: every killed view was restarted by its supervisor within
``RESTART_WITHIN`` seconds, no task is left over
(counted under trio's root task), no session ever received a frame of another session
(each has its own marker in its prompts, checked in every frame; every patch applied to
the session's own page), traced memory is back near its baseline, and every message a
session was shown as committed is in its history when it comes back.

Profiles: the default (CI) runs 12 sessions for 4 s. ``ACTORVIEW_CHAOS=long`` runs 100
sessions for 120 s (``ACTORVIEW_CHAOS=long .venv/bin/pytest -s tests/hardening/test_chaos.py``);
``ACTORVIEW_CHAOS_SESSIONS`` and ``ACTORVIEW_CHAOS_SECONDS`` override either; ``-s`` prints
the figures.

The restart bound is a few view starts on a saturated loop, not a queue of them: a
supervisor that started one view at a time (each waiting for its history from the
store) let a hundred sessions' restarts queue for 9 s on average, 28 s at worst.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import random
import re
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
import structlog
import trio
import trio_websocket

from actorview.endpoint import Application, Limits
from actorview.endpoint.outbox import Outbox
from actorview.mailbox import ActorRef
from actorview.render import PatchError
from actorview.supervisor import ChildState
from demo_chat.history_store import SQLiteHistoryStore
from tests.endpoint.harness import running
from tests.hardening.chat import ChatPage, chat_app, joined, open_page

LONG = os.environ.get("ACTORVIEW_CHAOS") == "long"
SESSIONS = int(os.environ.get("ACTORVIEW_CHAOS_SESSIONS", 100 if LONG else 12))
SECONDS = float(os.environ.get("ACTORVIEW_CHAOS_SECONDS", 120 if LONG else 4))
GRACE = 0.3
DROP_AFTER = (0.5, 8.0) if LONG else (0.1, 1.5)  # seconds a client socket lives
RESTART_WITHIN = 5.0 if LONG else 2.0
"""Seconds from a kill until the view is back. The loop runs near 100 % busy (100
sessions, their clients and the server share it), so a restart takes a few of its turns;
measured about 0.8 s median and 2.5-3 s worst in the long profile, 0.3 s worst in the
default one."""
RESTART_GIVE_UP = 30.0  # how long expect_restart waits, so the figures show the slowest
MARKER = re.compile(r"~m(\d+)~")
"""Each session's prompts carry ``~m<index>~``. The tildes keep it apart from random text
a frame may quote: an error reply names the view, whose name carries its session id in
base64url, where "m12x" can occur by chance; "~" cannot."""


@attrs.define
class Figures:
    sessions: int = 0
    replies: int = 0
    views_killed: int = 0
    views_restarted: int = 0
    stream_failures: int = 0
    sockets_dropped: int = 0
    rejoins: int = 0
    desyncs: int = 0
    frames_resent: int = 0
    slowest_join: float = 0.0
    slowest_restart: float = 0.0
    slowest_loop_turn: float = 0.0
    frames: int = 0
    committed: int = 0
    lost: int = 0
    foreign_frames: int = 0
    tasks_leaked: int = 0
    memory_growth: int = 0
    errors: Counter[str] = attrs.field(factory=Counter)


def count_tasks() -> int:
    def walk(task: Any) -> int:
        return 1 + sum(walk(child) for n in task.child_nurseries for child in n.child_tasks)

    return walk(trio.lowlevel.current_root_task())


def traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


class Session:
    """One simulated browser: joins, asks, reads, drops its socket, comes back."""

    def __init__(self, index: int, page: ChatPage, figures: Figures, rng: random.Random) -> None:
        self.index = index
        self.page = page
        self.figures = figures
        self.rng = rng
        self.seen: set[tuple[str, str]] = set()
        page.keep_frames = False

    async def run(self, until: float) -> None:
        while trio.current_time() < until:
            await self.connect_once(until)
            await trio.sleep(self.rng.uniform(0.0, 0.05))

    async def connect_once(self, until: float) -> None:
        stream = await trio.open_tcp_stream("127.0.0.1", self.page.port)
        async with trio.open_nursery() as nursery:
            try:
                await self.talk(nursery, stream, until)
            except (trio_websocket.ConnectionClosed, trio.BrokenResourceError) as error:
                reason = getattr(error, "reason", None)
                self.figures.errors[f"closed {getattr(reason, 'code', None)}"] += 1
            nursery.cancel_scope.cancel()

    async def talk(self, nursery: trio.Nursery, stream: trio.SocketStream, until: float) -> None:
        ws = await trio_websocket.wrap_client_stream(
            nursery,
            stream,
            f"127.0.0.1:{self.page.port}",
            "/_av/live",
            extra_headers=[(b"Origin", f"http://127.0.0.1:{self.page.port}".encode())],
        )
        fresh = self.page.document is None
        started = trio.current_time()
        await self.page.join(ws, render=fresh, within=30)
        self.figures.slowest_join = max(self.figures.slowest_join, trio.current_time() - started)
        self.figures.rejoins += not fresh
        with trio.move_on_after(self.rng.uniform(*DROP_AFTER)) as dropped:
            await self.converse(ws, until)
        if dropped.cancelled_caught:
            self.figures.sockets_dropped += 1
            await trio.aclose_forcefully(stream)  # no close frame: a network drop
        else:
            await ws.aclose()

    async def converse(self, ws: trio_websocket.WebSocketConnection, until: float) -> None:
        while trio.current_time() < until:
            prompt = (
                "fail" if self.rng.random() < 0.1 else f"~m{self.index}~ q{self.rng.random():.4f}"
            )
            self.page.ref += 1
            frame = {"t": "event", "ref": self.page.ref, "name": "submit"}
            await ws.send_message(json.dumps({**frame, "params": {"input": prompt}}))
            self.figures.stream_failures += prompt == "fail"
            with trio.move_on_after(2):
                while True:
                    if await self.read(ws) and not self.page.draft and self.page.history:
                        break
            self.figures.replies += 1
            await self.page.ack(ws)  # client.js acks each second; a reply takes about that

    async def read(self, ws: trio_websocket.WebSocketConnection) -> bool:
        raw = str(await ws.get_message())
        self.figures.frames += 1
        if any(int(n) != self.index for n in MARKER.findall(raw)):
            self.figures.foreign_frames += 1
            self.figures.errors[f"session {self.index} got {raw[:300]}"] += 1
        try:
            frame = self.page.apply(raw)
        except PatchError as error:
            # As client.js does: a frame that does not fit the page closes the socket
            # (no status), and the join that follows gets a fresh view.
            self.figures.desyncs += 1
            self.figures.errors[f"session {self.index}: {error} in {raw[:200]}"] += 1
            await ws.aclose(1005)
            raise trio_websocket.ConnectionClosed(None) from None
        self.seen.update(self.page.history)
        return isinstance(frame, list) or frame.get("t") == "render"

    async def come_back(self) -> list[tuple[str, str]]:
        """Rejoin after the view was reaped: the fresh view shows the stored history."""
        self.page.document = None
        stream = await trio.open_tcp_stream("127.0.0.1", self.page.port)
        async with trio.open_nursery() as nursery:
            ws = await trio_websocket.wrap_client_stream(
                nursery,
                stream,
                f"127.0.0.1:{self.page.port}",
                "/_av/live",
                extra_headers=[(b"Origin", f"http://127.0.0.1:{self.page.port}".encode())],
            )
            await self.page.join(ws, within=30)
            await ws.aclose()
            nursery.cancel_scope.cancel()
        return self.page.history


async def monkey(app: Application, figures: Figures, rng: random.Random, until: float) -> None:
    """Kill a random running view now and then; check its supervisor brings it back."""
    async with trio.open_nursery() as nursery:
        while trio.current_time() < until:
            await trio.sleep(rng.uniform(0.02, 0.15))
            running_views = [
                (sid, ref)
                for sid in list(app.sessions)
                if isinstance(ref := app.views.registry.get(sid), ActorRef)
            ]
            if running_views:
                session_id, ref = rng.choice(running_views)
                ref.kill("chaos")
                figures.views_killed += 1
                nursery.start_soon(expect_restart, app, session_id, ref, figures)


async def watch_the_loop(figures: Figures, until: float) -> None:
    """How late a short sleep wakes up: the loop's slowest turn, which every step of a
    restart (the kill, the supervisor's decision, the history load, the first render)
    may have to wait for. A restart should take a few turns, not a queue of starts."""
    while trio.current_time() < until:
        asked = trio.current_time()
        await trio.sleep(0.05)
        late = trio.current_time() - asked - 0.05
        figures.slowest_loop_turn = max(figures.slowest_loop_turn, late)


async def expect_restart(
    app: Application, session_id: str, old: ActorRef, figures: Figures
) -> None:
    started = trio.current_time()
    with trio.move_on_after(RESTART_GIVE_UP):
        while True:
            ref = app.views.registry.get(session_id)
            back = isinstance(ref, ActorRef) and ref is not old
            if back or session_id not in app.sessions:  # or reaped: stopped per its spec
                figures.views_restarted += 1
                took = trio.current_time() - started
                figures.slowest_restart = max(figures.slowest_restart, took)
                return
            await trio.sleep(0.005)
    figures.errors[f"view not restarted within {RESTART_GIVE_UP} s"] += 1


async def chaos(seed: int) -> Figures:
    figures = Figures(sessions=SESSIONS)
    rng = random.Random(seed)
    app = chat_app(
        token_delay=0.003 * max(1.0, SESSIONS / 12),  # the same load per core whatever the count
        reply_length=25,
        limits=Limits(rejoin_grace=GRACE, events_per_second=1000, event_burst=1000),
    )
    async with running(app) as port:
        await trio.sleep(0.05)
        tasks_before, memory_before = count_tasks(), traced()
        pages = [await open_page(port) for _ in range(SESSIONS)]
        sessions = [
            Session(i, page, figures, random.Random(rng.random())) for i, page in enumerate(pages)
        ]
        until = trio.current_time() + SECONDS
        async with trio.open_nursery() as nursery:
            nursery.start_soon(monkey, app, figures, rng, until)
            nursery.start_soon(watch_the_loop, figures, until)
            for session in sessions:
                nursery.start_soon(session.run, until)
        await trio.sleep(GRACE + 0.5)  # every view reaped
        for session in sessions:
            history = await session.come_back()
            committed = {m for m in session.seen if is_committed(m)}
            figures.committed += len(committed)
            figures.lost += len(committed - set(history))
            assert all(int(n) == session.index for _, text in history for n in MARKER.findall(text))
        await trio.sleep(GRACE + 0.5)
        del pages, sessions
        figures.tasks_leaked = count_tasks() - tasks_before
        figures.memory_growth = traced() - memory_before
        assert not app.sessions and not app.views.which_children()
    return figures


def count_resent_frames(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many frames each rejoin got again (the ones its dropped socket lost)."""
    resent: list[int] = []
    resume = Outbox.resume

    def counting(outbox: Outbox, seen: int | None) -> bool:
        before = outbox.taken
        resumed = resume(outbox, seen)
        if resumed:
            resent.append(before - outbox.taken)
        return resumed

    monkeypatch.setattr(Outbox, "resume", counting)
    return resent


def is_committed(message: tuple[str, str]) -> bool:
    role, text = message
    return role == "user" or text.endswith("(stopped)") or text.count(" ") >= 20


@pytest.fixture
def only_critical_logs() -> Iterator[None]:
    """The chaos fails streams on purpose: their error events would bury the figures."""
    before = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    yield
    structlog.configure(**before)


@pytest.mark.usefixtures("only_critical_logs")
def test_chaos_loses_nothing_leaks_nothing_and_crosses_no_sessions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resent = count_resent_frames(monkeypatch)
    tracemalloc.start()
    try:
        figures = trio.run(chaos, 20261126)
    finally:
        tracemalloc.stop()
    figures.frames_resent = sum(resent)
    print(f"\nchaos figures: {attrs.asdict(figures)}")
    assert figures.views_killed > 0 and figures.sockets_dropped > 0
    assert figures.views_restarted == figures.views_killed, figures.errors
    assert figures.slowest_restart < RESTART_WITHIN, (
        f"a view took {figures.slowest_restart:.2f} s to come back (bound {RESTART_WITHIN} s)"
    )
    assert figures.foreign_frames == 0, figures.errors
    assert figures.desyncs == 0, figures.errors
    assert figures.frames_resent > 0, "dropped sockets lost frames, and got them again"
    assert figures.lost == 0
    assert figures.tasks_leaked == 0
    assert figures.memory_growth < 2 * 1024 * 1024
    assert figures.replies > figures.sessions


class GatedStore(SQLiteHistoryStore):
    """A store whose loads wait at a gate once it is closed, except for the conversations
    let through: a view starting then is as slow to load its history as the test wants."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = False
        self.let_through: set[str] = set()
        self.opened = trio.Event()
        self.holding = trio.Event()

    async def count(self, conversation: str) -> int:
        """The first read of a starting view (it counts, then reads the newest page)."""
        if self.closed and conversation not in self.let_through:
            self.holding.set()
            await self.opened.wait()
        return await super().count(conversation)


async def test_a_view_slow_to_load_its_history_holds_up_no_other_views_restart() -> None:
    store = GatedStore()
    app = chat_app(store=store)
    async with running(app) as port:
        fast, slow = await open_page(port), await open_page(port)
        async with joined(fast) as fast_ws, trio.open_nursery() as nursery:
            (fast_id,) = app.sessions
            store.closed, store.let_through = True, {fast_id}

            async def join_slow() -> None:
                async with joined(slow):
                    pass

            nursery.start_soon(join_slow)
            with trio.fail_after(5):
                await store.holding.wait()  # the slow view is starting, loading its history
            fast_view = app.views.registry.get(fast_id)
            assert isinstance(fast_view, ActorRef)
            fast_view.kill("injected by the test")
            await fast.read_until(fast_ws, lambda page: page.renders == 2, within=5)
            assert app.views.registry.get(fast_id) is not fast_view
            assert [c.state for c in app.views.which_children() if c.id != fast_id] == [
                ChildState.STARTING
            ], "the fast view came back while the slow one was still loading"
            store.opened.set()
    assert slow.renders == 1
    store.close()
