"""The history stores under many callers: batched thread trips, whole-or-nothing calls.

A hundred chats save to one store while restarting views load from it; each call
costing its own trip through a busy event loop made a restarting view wait seconds.
Calls that wait while a trip runs share the next one, and a cancelled call has either
run whole or not at all. Each test runs over every store (the ``store`` fixture of
tests/demo_chat/conftest.py: SQLite and PostgreSQL), which batch the same way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import trio
import trio.testing

from demo_chat.history_store import _AFTER, _BEFORE, _NEWEST, SQLiteHistoryStore
from demo_chat.messages import Message
from tests.demo_chat.conftest import Store


@asynccontextmanager
async def connection_held(store: Store) -> AsyncIterator[None]:
    """Hold the store's connection, as a long write would: a trip started now stays in
    its worker thread until the block ends."""
    store._lock.acquire()
    try:
        yield
    finally:
        store._lock.release()


async def test_calls_made_while_a_trip_runs_share_the_next_trip(store: Store) -> None:
    async with trio.open_nursery() as nursery, connection_held(store):
        nursery.start_soon(store.append, "first", [Message("user", "first")])
        await trio.testing.wait_all_tasks_blocked()  # its trip waits on the connection
        for n in range(50):
            nursery.start_soon(store.append, f"c{n}", [Message("user", str(n))])
        await trio.testing.wait_all_tasks_blocked()
    assert store.trips == 2
    assert await store.load("first") == [Message("user", "first")]
    for n in range(50):
        assert await store.load(f"c{n}") == [Message("user", str(n))]


async def test_one_conversation_sees_its_calls_in_the_order_they_were_made(store: Store) -> None:
    async with trio.open_nursery() as nursery, connection_held(store):
        nursery.start_soon(store.append, "other", [Message("user", "x")])
        await trio.testing.wait_all_tasks_blocked()
        for text in ("a", "b", "c"):  # queued one after the other, into the same trip
            nursery.start_soon(store.append, "chat", [Message("user", text)])
            await trio.testing.wait_all_tasks_blocked()
        nursery.start_soon(store.clear, "other")
        await trio.testing.wait_all_tasks_blocked()
    assert await store.load("chat") == [Message("user", t) for t in ("a", "b", "c")]
    assert await store.load("other") == []


async def test_a_call_cancelled_while_it_waits_for_a_trip_never_runs(store: Store) -> None:
    async with trio.open_nursery() as nursery:
        async with connection_held(store):
            nursery.start_soon(store.append, "first", [Message("user", "first")])
            await trio.testing.wait_all_tasks_blocked()
            with trio.move_on_after(0.01) as waited:
                await store.append("dropped", [Message("user", "dropped")])
        assert waited.cancelled_caught
    assert await store.load("dropped") == []
    assert await store.load("first") == [Message("user", "first")]


async def test_a_call_cancelled_during_its_trip_still_runs_whole(store: Store) -> None:
    scope = trio.CancelScope()
    async with trio.open_nursery() as nursery, connection_held(store):

        async def append_then_be_cancelled() -> None:
            with scope:
                await store.append("kept", [Message("user", "a"), Message("assistant", "b")])

        nursery.start_soon(append_then_be_cancelled)
        await trio.testing.wait_all_tasks_blocked()  # its trip waits on the connection
        scope.cancel()
        await trio.testing.wait_all_tasks_blocked()
        assert store._batches.busy, "the trip is still running: the cancelled call waits for it"
    assert scope.cancelled_caught
    assert await store.load("kept") == [Message("user", "a"), Message("assistant", "b")]


async def test_a_failing_call_fails_alone_in_its_trip(store: Store) -> None:
    failures: list[Exception] = []

    async def append(conversation: str, message: Message) -> None:
        try:
            await store.append(conversation, [message])
        except Exception as error:  # the schema refuses the role
            failures.append(error)

    bad = Message("system", "not a chat role")  # type: ignore[arg-type]
    async with trio.open_nursery() as nursery, connection_held(store):
        nursery.start_soon(store.append, "first", [Message("user", "first")])
        await trio.testing.wait_all_tasks_blocked()
        nursery.start_soon(append, "bad", bad)
        nursery.start_soon(append, "good", Message("user", "fine"))
        await trio.testing.wait_all_tasks_blocked()
    assert store.trips == 2
    assert len(failures) == 1 and "check constraint" in str(failures[0]).lower()
    assert await store.load("good") == [Message("user", "fine")]


async def test_page_queries_answer_by_message_number_per_conversation(store: Store) -> None:
    for n in range(6):  # two conversations interleaved: numbers are not positions
        await store.append("a", [Message("user", f"a{n}")])
        await store.append("b", [Message("user", f"b{n}")])
    newest = await store.before("a", None, 2)
    assert [m.text for _, m in newest] == ["a4", "a5"]
    older = await store.before("a", newest[0][0], 3)
    assert [m.text for _, m in older] == ["a1", "a2", "a3"]
    after = await store.after("a", older[0][0], 2)
    assert [m.text for _, m in after] == ["a2", "a3"]
    assert [m.text for _, m in await store.at("a", 4, 5)] == ["a4", "a5"]
    assert await store.count("a") == 6 and await store.count("never") == 0


def test_page_queries_are_range_scans_of_the_conversation_index() -> None:
    store = SQLiteHistoryStore()
    for sql, args in ((_NEWEST, ("a", 5)), (_BEFORE, ("a", 9, 5)), (_AFTER, ("a", 9, 5))):
        plan = " ".join(
            row[-1] for row in store._connection.execute(f"EXPLAIN QUERY PLAN {sql}", args)
        )
        assert "USING INDEX messages_by_conversation" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # no sort: the index is in seq order
    store.close()


async def test_text_a_database_cannot_encode_is_stored_normalised_not_a_crash(
    store: Store,
) -> None:
    """A lone surrogate (SQLite) or a NUL (PostgreSQL) made the insert raise (and the view
    crash, the message gone): the store keeps what the page shows instead."""
    await store.append("c", [Message("user", "a\ud800b\x00\r\n"), Message("assistant", "ok")])
    assert await store.load("c") == [
        Message("user", "a\ufffdb\ufffd\n"),
        Message("assistant", "ok"),
    ]
