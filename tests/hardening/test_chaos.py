"""Faults under load: many streaming chat sessions on loopback while views are killed,
stream tasks fail and client sockets drop, at random times.

Afterwards: every killed view was restarted by its supervisor, no task is left over
(counted under trio's root task), no session ever received a frame of another session
(each has its own marker in its prompts, checked in every frame; every patch applied to
the session's own page), traced memory is back near its baseline, and every message a
session was shown as committed is in its history when it comes back.

Profiles: the default (CI) runs 12 sessions for 4 s. ``ACTORVIEW_CHAOS=long`` runs 100
sessions for 120 s (``ACTORVIEW_CHAOS=long .venv/bin/pytest -s tests/hardening/test_chaos.py``);
``ACTORVIEW_CHAOS_SESSIONS`` and ``ACTORVIEW_CHAOS_SECONDS`` override either; ``-s`` prints
the figures.
"""

from __future__ import annotations

import gc
import json
import os
import random
import re
import tracemalloc
from collections import Counter
from typing import Any

import attrs
import trio
import trio_websocket

from actorview.endpoint import Application, Limits
from actorview.mailbox import ActorRef
from actorview.render import PatchError
from tests.endpoint.harness import running
from tests.hardening.chat import ChatPage, chat_app, open_page

LONG = os.environ.get("ACTORVIEW_CHAOS") == "long"
SESSIONS = int(os.environ.get("ACTORVIEW_CHAOS_SESSIONS", 100 if LONG else 12))
SECONDS = float(os.environ.get("ACTORVIEW_CHAOS_SECONDS", 120 if LONG else 4))
GRACE = 0.3
DROP_AFTER = (0.5, 8.0) if LONG else (0.1, 1.5)  # seconds a client socket lives
MARKER = re.compile(r"m(\d+)x")


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
    slowest_join: float = 0.0
    slowest_restart: float = 0.0
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
                "fail" if self.rng.random() < 0.1 else f"m{self.index}x q{self.rng.random():.4f}"
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

    async def read(self, ws: trio_websocket.WebSocketConnection) -> bool:
        raw = str(await ws.get_message())
        self.figures.frames += 1
        if any(int(n) != self.index for n in MARKER.findall(raw)):
            self.figures.foreign_frames += 1
        try:
            frame = self.page.apply(raw)
        except PatchError:
            # As client.js does: a frame that does not fit the page closes the socket
            # (no status), and the join that follows gets a fresh view.
            self.figures.desyncs += 1
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


async def expect_restart(
    app: Application, session_id: str, old: ActorRef, figures: Figures
) -> None:
    started = trio.current_time()
    with trio.move_on_after(30):
        while True:
            ref = app.views.registry.get(session_id)
            back = isinstance(ref, ActorRef) and ref is not old
            if back or session_id not in app.sessions:  # or reaped: stopped per its spec
                figures.views_restarted += 1
                took = trio.current_time() - started
                figures.slowest_restart = max(figures.slowest_restart, took)
                return
            await trio.sleep(0.005)
    figures.errors["view not restarted within 30 s"] += 1


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


def is_committed(message: tuple[str, str]) -> bool:
    role, text = message
    return role == "user" or text.endswith("(stopped)") or text.count(" ") >= 20


def test_chaos_loses_nothing_leaks_nothing_and_crosses_no_sessions() -> None:
    tracemalloc.start()
    try:
        figures = trio.run(chaos, 20261126)
    finally:
        tracemalloc.stop()
    print(f"\nchaos figures: {attrs.asdict(figures)}")
    assert figures.views_killed > 0 and figures.sockets_dropped > 0
    assert figures.views_restarted == figures.views_killed, figures.errors
    assert figures.foreign_frames == 0
    assert figures.lost == 0
    assert figures.tasks_leaked == 0
    assert figures.memory_growth < 2 * 1024 * 1024
    assert figures.replies > figures.sessions
