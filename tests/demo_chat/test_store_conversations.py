"""A history store's conversations and its kept failures, as the chat uses them.

Written against the :class:`~demo_chat.history_store.HistoryStore` interface: each test
takes the ``store`` fixture (tests/demo_chat/conftest.py), so every store (SQLite and
PostgreSQL) answers the same questions the same way.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import trio

from demo_chat.history_store import TITLE_LENGTH, HistoryStore, SQLiteHistoryStore, title_of
from demo_chat.messages import Message


async def test_a_started_conversation_is_listed_for_its_owner_alone(store: HistoryStore) -> None:
    mine = await store.start("alice")
    await store.start("bob")
    assert mine.owner == "alice" and mine.title == "" and len(mine.id) >= 16
    assert [c.id for c in await store.conversations("alice")] == [mine.id]
    assert await store.conversation(mine.id) == mine
    assert await store.conversation("no-such-id") is None


async def test_the_first_prompt_titles_a_conversation_and_a_rename_keeps(
    store: HistoryStore,
) -> None:
    chat = await store.start("alice")
    await store.append(chat.id, [Message("user", "\n  How do   I bake\nbread?")])
    await store.append(chat.id, [Message("assistant", "Flour."), Message("user", "More?")])
    titled = await store.conversation(chat.id)
    assert titled is not None and titled.title == "How do I bake"
    await store.rename(chat.id, "  Bread  ")
    await store.append(chat.id, [Message("user", "later prompt")])
    renamed = await store.conversation(chat.id)
    assert renamed is not None and renamed.title == "Bread"
    with pytest.raises(ValueError, match="blank"):
        await store.rename(chat.id, " \n ")


async def test_the_most_recently_updated_conversation_is_listed_first(
    store: HistoryStore,
) -> None:
    older = await store.start("alice")
    newer = await store.start("alice")
    assert [c.id for c in await store.conversations("alice")] == [newer.id, older.id]
    await trio.sleep(0.01)
    await store.append(older.id, [Message("user", "back to this one")])
    assert [c.id for c in await store.conversations("alice")] == [older.id, newer.id]
    assert len(await store.conversations("alice", limit=1)) == 1


async def test_deleting_a_conversation_forgets_it_and_its_messages(store: HistoryStore) -> None:
    chat = await store.start("alice")
    kept = await store.start("alice")
    await store.append(chat.id, [Message("user", "secret")])
    await store.append(kept.id, [Message("user", "kept")])
    await store.delete(chat.id)
    assert await store.conversation(chat.id) is None
    assert await store.load(chat.id) == []
    assert [c.id for c in await store.conversations("alice")] == [kept.id]
    assert await store.load(kept.id) == [Message("user", "kept")]


async def test_truncate_keeps_the_oldest_messages(store: HistoryStore) -> None:
    messages = [Message("user" if n % 2 == 0 else "assistant", str(n)) for n in range(6)]
    await store.append("c", messages)
    await store.append("other", messages)
    await store.truncate("c", 3)
    assert await store.load("c") == messages[:3]
    await store.truncate("c", 10)
    assert await store.load("c") == messages[:3]
    await store.truncate("c", 0)
    assert await store.load("c") == []
    assert await store.load("other") == messages


async def test_replace_keeps_the_oldest_and_appends_in_one_transaction(
    store: HistoryStore,
) -> None:
    messages = [Message("user" if n % 2 == 0 else "assistant", str(n)) for n in range(4)]
    await store.append("c", messages)
    await store.append("other", messages)
    edited = [Message("user", "2, edited")]
    await store.replace("c", 2, edited)
    assert await store.load("c") == [*messages[:2], *edited]
    await store.replace("c", 3, [])  # nothing to add: a truncate
    assert await store.load("c") == [*messages[:2], *edited]
    assert await store.load("other") == messages


async def test_a_replace_whose_append_fails_loses_nothing(store: HistoryStore) -> None:
    """The append after the truncate fails (the database's role check refuses the second
    message): the transaction is rolled back whole, the replaced turn still stored."""
    messages = [Message("user", "question"), Message("assistant", "answer")]
    await store.append("c", messages)
    refused = Message("robot", "no such role")  # type: ignore[arg-type]
    with pytest.raises(Exception, match=r"(?i)check|constraint"):
        await store.replace("c", 0, [Message("user", "question, edited"), refused])
    assert await store.load("c") == messages, "neither truncated nor half appended"
    assert await store.count("c") == 2


async def test_a_failed_reply_is_kept_with_its_reason(store: HistoryStore) -> None:
    failed = Message("assistant", "half a", stopped=True, failure="the model is rate-limited")
    await store.append("c", [Message("user", "q"), failed])
    assert (await store.load("c"))[1] == failed
    assert (await store.before("c", None, 1))[0][1] == failed


def test_titles_are_one_line_and_bounded() -> None:
    assert title_of("") == ""
    assert title_of("\n\n  a\tb  \nc") == "a b"
    long = title_of("x" * 500)
    assert len(long) == TITLE_LENGTH and long.endswith("…")


async def test_a_history_file_from_before_failures_were_kept_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, conversation TEXT NOT"
        " NULL, role TEXT NOT NULL, text TEXT NOT NULL, stopped INTEGER NOT NULL DEFAULT 0);"
        "INSERT INTO messages (conversation, role, text) VALUES ('c', 'user', 'hello');"
    )
    old.commit()
    old.close()
    store = SQLiteHistoryStore(str(path))
    try:
        assert await store.load("c") == [Message("user", "hello")]
        await store.append("c", [Message("assistant", "", stopped=True, failure="why")])
        assert (await store.load("c"))[1].failure == "why"
    finally:
        store.close()
