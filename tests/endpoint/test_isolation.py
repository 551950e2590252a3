"""One session's faults stay in that session, and its page is told what happened.

Over real sockets: a view whose every render raises is restarted within its route's
intensity and then stopped for good, its page gets a ``failed`` notice, and a counter in
another session keeps its count and its view instance; a view that crashed once comes
back with a ``restarted`` notice after its first render; a view whose dependency is down
waits (its page says so) and comes up by itself when the dependency is back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import structlog
import trio
import trio_websocket

from actorview.endpoint import Application, Route, RouteError
from actorview.endpoint._live import (
    FAILED_ANSWER,
    FAILED_TEXT,
    RESTARTED_TEXT,
    WAITING_ANSWER,
    WAITING_TEXT,
)
from actorview.mailbox import ActorRef
from actorview.supervisor import Backoff, ChildState, SupervisorState
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.messages import Message
from tests.endpoint.flaky import Ledger, LedgerDatabase, Needy, Service
from tests.endpoint.harness import Counter, fetch, join, live, receive, running, send
from tests.hardening.chat import chat_app, open_page

SECRET = b"isolation-secret-" * 2
QUICK = Backoff(initial=0.02, factor=2.0, max=0.1, jitter=0.25)


def app(db: LedgerDatabase, service: Service | None = None) -> Application:
    return Application(
        [
            Route("/", Counter),
            Route("/ledger", Ledger, params={"db": db}, session_param="session"),
            Route("/needy", Needy, params={"service": service or Service()}, backoff=QUICK),
        ],
        secret=SECRET,
    )


async def frames_until(
    ws: trio_websocket.WebSocketConnection, done: Callable[[Any], bool], within: float = 10
) -> list[Any]:
    """Every frame up to and including the first for which ``done`` holds."""
    frames: list[Any] = []
    with trio.fail_after(within):
        while not frames or not done(frames[-1]):
            frames.append(await receive(ws, within))
    return frames


def is_notice(kind: str) -> Callable[[Any], bool]:
    return lambda frame: isinstance(frame, dict) and frame == {**frame, "t": "notice", "kind": kind}


def is_reply(frame: Any) -> bool:
    return isinstance(frame, dict) and frame.get("t") == "reply"


def kinds(frames: list[Any]) -> list[str]:
    return [
        f"notice:{f['kind']}" if f.get("t") == "notice" else f["t"]
        for f in frames
        if isinstance(f, dict)
    ]


async def test_a_view_whose_every_render_raises_stops_alone_and_its_page_says_so() -> None:
    db = LedgerDatabase()
    application = app(db)
    with structlog.testing.capture_logs() as logs:
        async with running(application) as port:
            counter_page, ledger_page = await fetch(port), await fetch(port, "/ledger")
            async with live(port) as counter, live(port) as ledger:
                await join(counter, counter_page.token)
                for ref in (1, 2, 3):
                    await send(counter, t="event", ref=ref, name="increment")
                    await frames_until(counter, is_reply)
                (counter_id,) = application.sessions
                counter_view = application.views.registry.get(counter_id)
                assert isinstance(counter_view, ActorRef)

                await join(ledger, ledger_page.token, "/ledger")
                (ledger_id,) = set(application.sessions) - {counter_id}
                db.broken.add(ledger_id)
                started = trio.current_time()
                await send(ledger, t="event", ref=1, name="press")
                frames = await frames_until(ledger, is_notice("failed"))
                took = trio.current_time() - started

                assert frames[-1]["text"] == FAILED_TEXT
                assert "render" not in kinds(frames), "no restart got as far as a render"
                await send(ledger, t="event", ref=2, name="press")
                answer = await frames_until(ledger, lambda f: dict(f).get("t") == "error")
                assert answer[-1] == {"t": "error", "error": FAILED_ANSWER, "ref": 2}
                children = {c.id: c for c in application.views.which_children()}
                assert children[ledger_id].state is ChildState.FAILED
                assert children[ledger_id].restarts == 3  # the route's default intensity
                assert children[counter_id].state is ChildState.RUNNING
                assert children[counter_id].restarts == 0
                assert application.views.state is SupervisorState.RUNNING
                # backoff 0.1 s, then about 0.2 and 0.4 (less up to a quarter of jitter)
                assert 0.5 < took < 3.0, took

                # The other session never noticed: same view instance, same count.
                assert application.views.registry.get(counter_id) is counter_view
                await send(counter, t="event", ref=4, name="increment")
                patch = await frames_until(counter, lambda f: isinstance(f, list))
                assert "8" in str(patch[-1]) and "2" not in str(patch[-1]), patch
    stopped = [e for e in logs if e["event"] == "endpoint.view_stopped"]
    assert len(stopped) == 1 and "LedgerBroken" in stopped[0]["error"]
    assert stopped[0]["view"] == "Ledger"
    assert not [e for e in logs if e["event"] == "supervisor_gave_up"]


async def test_a_view_that_crashed_once_comes_back_with_a_restarted_notice_after_its_render() -> (
    None
):
    db = LedgerDatabase()
    async with running(app(db)) as port:
        page = await fetch(port, "/ledger")
        async with live(port) as ws:
            await join(ws, page.token, "/ledger")
            await send(ws, t="event", ref=1, name="press")
            await frames_until(ws, lambda f: isinstance(f, list))  # presses: 1
            db.failing_reads = 1
            await send(ws, t="event", ref=2, name="press")
            frames = await frames_until(ws, is_notice("restarted"))
    assert kinds(frames)[-2:] == ["render", "notice:restarted"]
    assert frames[-1]["text"] == RESTARTED_TEXT
    assert 'id="presses">0<' in frames[-2]["html"], "the restarted view starts afresh"


async def test_a_view_whose_dependency_is_down_waits_then_comes_up_by_itself() -> None:
    service = Service()
    application = app(LedgerDatabase(), service)
    with structlog.testing.capture_logs() as logs:
        async with running(application) as port:
            page = await fetch(port, "/needy")
            async with live(port) as ws:
                await send(ws, t="join", token=page.token, path="/needy")
                frames = await frames_until(ws, is_notice("waiting"))
                assert kinds(frames) == ["joined", "notice:waiting"]
                assert frames[-1]["text"] == WAITING_TEXT
                with trio.fail_after(10):
                    await service.tried(8)  # past any restart intensity: it waits on
                (child,) = application.views.which_children()
                assert child.state in (ChildState.DELAYED, ChildState.STARTING)
                await send(ws, t="event", ref=1, name="anything")
                answer = await frames_until(ws, lambda f: dict(f).get("t") == "error")
                assert answer[-1] == {"t": "error", "error": WAITING_ANSWER, "ref": 1}
                service.up = True
                frames = await frames_until(ws, lambda f: f.get("t") == "render", within=5)
    assert kinds(frames) == ["render"], "one waiting notice per outage, and no failure"
    assert 'id="status">connected<' in frames[-1]["html"]
    waits = [e for e in logs if e["event"] == "endpoint.view_waiting"]
    assert len(waits) >= 7 and "ConnectionRefusedError" in waits[0]["error"]
    delays = [e["delay"] for e in waits]
    assert delays[0] <= 0.02 and max(delays) <= 0.1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_restarts": -1}, "max_restarts must be an int >= 0"),
        ({"max_restarts": None}, "max_restarts must be an int >= 0"),
        ({"period": 0}, "period must be a finite number of seconds > 0"),
        ({"backoff": None}, "needs a backoff"),
        ({"waits_on": (ConnectionError, "oops")}, "waits_on must be a tuple"),
    ],
)
def test_a_wrong_supervision_option_names_the_route(options: dict[str, Any], message: str) -> None:
    with pytest.raises(RouteError, match=f"route '/ledger' for Ledger: .*{message}"):
        Route("/ledger", Ledger, **options)


class UnreachableStore(SQLiteHistoryStore):
    """The chat's history store behind a network: down (every load refused) until the
    test brings it back."""

    def __init__(self) -> None:
        super().__init__()
        self.down = True
        self.loads = 0
        self._tried = trio.Event()
        self._wanted = 0

    async def tried(self, times: int) -> None:
        """Return once the chat has tried to load its history ``times`` times."""
        self._wanted = times
        if self.loads >= times:
            return
        await self._tried.wait()

    async def count(self, conversation: str) -> int:
        """The chat's first read of its (paged) history when it starts."""
        self.loads += 1
        if self._wanted and self.loads >= self._wanted:
            self._tried.set()
        if self.down:
            await trio.lowlevel.checkpoint()
            raise ConnectionRefusedError("the history store at db:5432 refused the connection")
        return await super().count(conversation)


async def test_the_chat_waits_for_its_history_store_and_recovers_by_itself_with_its_history() -> (
    None
):
    store = UnreachableStore()
    application = chat_app(store=store)
    async with running(application) as port:
        page = await open_page(port)
        conversation = page.path.removeprefix("/c/")  # the page /c/<id> shows
        await store.append(conversation, [Message("user", "kept before the outage")])
        async with live(port) as ws:
            await send(ws, t="join", token=page.token, path=page.path)
            frames = await frames_until(ws, is_notice("waiting"))
            assert kinds(frames) == ["joined", "notice:waiting"]
            with trio.fail_after(5):
                await store.tried(3)
            store.down = False
            frames = await frames_until(ws, lambda f: f.get("t") == "render", within=15)
    assert kinds(frames) == ["render"]
    assert "kept before the outage" in frames[-1]["html"]
    store.close()
