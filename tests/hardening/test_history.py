"""Nothing lost: committed chat messages outlive a view crash, a reconnect, a restart.

A message is committed once the history shows it (a user message, a finished or
stopped reply); the view writes it to its HistoryStore before the frame that shows it
leaves. A crash mid-stream loses at most the uncommitted draft.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import trio

from actorview.endpoint import Application, Limits
from actorview.mailbox import ActorRef
from actorview.view._notices import KEEP_FAILED_TEXT
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.messages import Message
from demo_chat.server import build_app
from tests.demo_chat.opened import fetch_chat
from tests.endpoint.harness import running
from tests.hardening.chat import SECRET, ChatPage, chat_app, idle, joined, open_page


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


def frames_tagged(page: ChatPage, tag: str) -> list[dict[str, Any]]:
    return [f for f in page.frames if isinstance(f, dict) and f.get("t") == tag]


def replied(ref: int) -> Any:
    return lambda page: any(f.get("ref") == ref for f in frames_tagged(page, "reply"))


async def test_a_store_that_refuses_writes_fails_the_submit_visibly_and_keeps_nothing_half_done(
    tmp_path: Path,
) -> None:
    # A real refusal: SQLite's query_only mode answers every write with "attempt to write
    # a readonly database", as a read-only file does (root ignores file permissions).
    store = SQLiteHistoryStore(str(tmp_path / "chat.sqlite3"))
    app = chat_app(store=store)
    async with running(app) as port:
        page = await open_page(port)
        async with joined(page) as ws:
            await page.submit(ws, "kept")
            await page.read_until(ws, idle)
            view = view_of(app)
            before = page.history
            store._connection.execute("PRAGMA query_only = ON")

            await page.submit(ws, "refused")
            await page.read_until(ws, replied(page.ref))
            (reply,) = [f for f in frames_tagged(page, "reply") if f["ref"] == page.ref]
            assert reply["outcome"] == "error", "the page takes back what it predicted"
            await page.read_until(ws, lambda p: bool(frames_tagged(p, "notice")))
            (notice,) = frames_tagged(page, "notice")
            assert notice["text"] == KEEP_FAILED_TEXT
            assert page.history == before, "nothing of the refused submit was made"
            assert view_of(app) is view, "the view runs on: a refused write is not a crash"

            store._connection.execute("PRAGMA query_only = OFF")
            await page.submit(ws, "again")
            await page.read_until(ws, lambda p: len(p.history) == 4 and idle(p))
    store.close()
    reopened = SQLiteHistoryStore(str(tmp_path / "chat.sqlite3"))
    (conversation,) = {
        c for (c,) in reopened._connection.execute("SELECT conversation FROM messages")
    }
    texts = [m.text for m in await reopened.load(conversation)]
    reopened.close()
    assert texts[0] == "kept" and texts[2] == "again" and "refused" not in texts
    assert [text for _, text in page.history] == texts


async def test_a_reply_the_store_cannot_keep_stays_on_the_page_and_is_kept_with_the_next_submit(
    tmp_path: Path,
) -> None:
    # A full disk: the database may not grow past the pages it has.
    store = SQLiteHistoryStore(str(tmp_path / "chat.sqlite3"))
    app = chat_app(store=store, token_delay=0.01, reply_length=30)
    async with running(app) as port:
        page = await open_page(port)
        async with joined(page) as ws:
            await page.submit(ws, "question")
            await page.read_until(ws, lambda p: p.draft.count(" ") >= 2)
            store._connection.execute("PRAGMA query_only = ON")
            await page.read_until(ws, lambda p: bool(frames_tagged(p, "notice")), within=15)
            assert frames_tagged(page, "notice")[0]["text"] == KEEP_FAILED_TEXT
            await trio.sleep(0.2)
            assert page.history == [("user", "question")]
            draft = page.draft
            assert len(draft.split()) > 20, "the finished reply is still on the page"

            store._connection.execute("PRAGMA query_only = OFF")
            await page.submit(ws, "next")
            await page.read_until(ws, lambda p: len(p.history) == 4 and idle(p))
    role, reply = page.history[1]
    assert role == "assistant" and reply.startswith(draft) and reply.endswith(" (stopped)")
    store.close()


async def test_the_first_html_response_already_shows_the_kept_history() -> None:
    # View.load runs before the page's HTML render too (as LiveView's mount does), so the
    # page does not show an empty conversation that its join then fills.
    args = argparse.Namespace(
        token_delay=0.01, reply_length=4, history=3, llm="fake", model="", openai_base_url=""
    )
    store = SQLiteHistoryStore()
    async with running(build_app(args, store=store, secret=SECRET)) as port:
        page, _, _ = await fetch_chat(port)
    store.close()
    assert page.status == 200
    assert re.findall(r'data-role="(\w+)"', page.body) == ["user", "assistant", "user"]
