"""Nothing lost: committed chat messages outlive a view crash, a reconnect, a restart.

A message is committed once the history shows it (a user message, a finished or
stopped reply); the view writes it to its HistoryStore before the frame that shows it
leaves. A crash mid-stream loses at most the uncommitted draft.
"""

from __future__ import annotations

from pathlib import Path

import trio

from actorview.endpoint import Application, Limits
from actorview.mailbox import ActorRef
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.messages import Message
from tests.endpoint.harness import running
from tests.hardening.chat import chat_app, idle, joined, open_page


async def test_the_sqlite_store_keeps_messages_in_order_per_conversation(tmp_path: Path) -> None:
    path = str(tmp_path / "history.sqlite3")
    store = SQLiteHistoryStore(path)
    await store.append("a", [Message("user", "hi"), Message("assistant", "yo", stopped=True)])
    await store.append("b", [Message("user", "other <b>")])
    await store.append("a", [Message("user", "again")])
    await store.append("a", [])
    store.close()

    reopened = SQLiteHistoryStore(path)
    assert await reopened.load("a") == [
        Message("user", "hi"),
        Message("assistant", "yo", stopped=True),
        Message("user", "again"),
    ]
    await reopened.clear("a")
    assert await reopened.load("a") == []
    assert await reopened.load("b") == [Message("user", "other <b>")]
    assert await reopened.load("never") == []
    reopened.close()


def view_of(app: Application) -> ActorRef:
    (session_id,) = app.sessions
    ref = app.views.registry.get(session_id)
    assert isinstance(ref, ActorRef)
    return ref


async def test_a_view_killed_mid_reply_comes_back_with_every_committed_message() -> None:
    app = chat_app(token_delay=0.02, reply_length=400)
    async with running(app) as port:
        page = await open_page(port)
        async with joined(page) as ws:
            await page.submit(ws, "first question")
            app_view = view_of(app)
            await page.read_until(ws, lambda p: p.draft.count(" ") >= 3)
            await page.submit(ws, "second question")
            await page.read_until(ws, lambda p: len(p.history) == 3 and p.draft.count(" ") >= 3)
            committed = page.history
            view_of(app).kill("injected by the test")
            await page.read_until(ws, lambda p: p.renders == 2)
        assert view_of(app) is not app_view, "the supervisor started a new instance"
    assert [role for role, _ in committed] == ["user", "assistant", "user"]
    assert committed[1][1].endswith("(stopped)")
    assert page.history == committed, "the restarted view shows the committed history"
    assert page.draft == "", "only the uncommitted draft was lost"


async def test_a_rejoin_after_the_view_was_reaped_shows_the_history() -> None:
    # Real time: the store's worker thread would let an autojump clock race ahead.
    app = chat_app(limits=Limits(rejoin_grace=0.2))
    async with running(app) as port:
        page = await open_page(port)
        async with joined(page) as ws:
            await page.submit(ws, "remember me")
            await page.read_until(ws, idle)
        before = page.history
        await trio.sleep(0.5)
        assert not app.sessions, "the view was reaped after the grace period"
        async with joined(page):
            pass
    assert before[0] == ("user", "remember me")
    assert page.history == before


async def test_history_survives_a_process_restart_with_a_file_store(tmp_path: Path) -> None:
    path = str(tmp_path / "chat.sqlite3")
    first_store = SQLiteHistoryStore(path)
    async with running(chat_app(store=first_store)) as port:
        page = await open_page(port)
        async with joined(page) as ws:
            await page.submit(ws, "durable")
            await page.read_until(ws, idle)
    first_store.close()
    before = page.history

    second_store = SQLiteHistoryStore(path)
    async with running(chat_app(store=second_store)) as port:
        page.port = port
        async with joined(page):
            pass
    second_store.close()
    assert before[0] == ("user", "durable") and before[1][0] == "assistant"
    assert page.history == before
