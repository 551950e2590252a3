"""Two views of one conversation: what one commits, the other shows, without a reload.

The chat's store is shared through the bus (demo_chat.shared_history): each durable
change is published on the conversation's topic, and every view of it takes the change
in from the store (``View.refresh_pages``). Here two views in one process on its own
bus; tests/deploy/test_shared_workers.py does the same across two worker processes on
PostgreSQL and Redis.

Real clock: the store runs in a worker thread.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import trio

from actorview.pubsub import LocalBus, RedisBus
from actorview.testing import ViewClient, mount
from actorview.view import Applied
from demo_chat import ChatView
from demo_chat.history_store import HistoryStore, SQLiteHistoryStore
from demo_chat.llm import sample_history
from demo_chat.messages import Message
from demo_chat.shared_history import PUBLISH_BOUND, SharedHistoryStore, history_topic
from demo_chat.view import HISTORY_LIMIT, HISTORY_PAGE
from tests.logs import logged

CONVERSATION = "shared"


@asynccontextmanager
async def two_views(
    store: HistoryStore,
) -> AsyncIterator[tuple[ViewClient[ChatView], ViewClient[ChatView], SharedHistoryStore]]:
    bus = LocalBus()
    shared = SharedHistoryStore(store, bus)
    params = {"store": shared, "conversation": CONVERSATION, "token_delay": 0.001}
    async with (
        mount(ChatView, params | {"reply_length": 3}, bus=bus) as first,
        mount(ChatView, params | {"reply_length": 3}, bus=bus) as second,
    ):
        assert bus.subscribers(history_topic(CONVERSATION)) == 2
        yield first, second, shared


def texts(view: ViewClient[ChatView]) -> list[str]:
    return [li.text for li in view.find_all("#history > li[data-role]")]


async def test_a_message_committed_in_one_view_is_shown_by_the_other(
    store: HistoryStore,
) -> None:
    async with two_views(store) as (writer, reader, _):
        await writer.type("#prompt", "seen elsewhere?")
        assert await writer.click("#send") == Applied()
        await writer.until(lambda v: not v.state["streaming"], timeout=20)
        await reader.until(lambda v: len(texts(v)) == 2, timeout=20)
        assert texts(reader) == texts(writer)
        assert texts(reader)[0] == "seen elsewhere?"
        assert [li.attrs["data-role"] for li in reader.find_all("#history > li[data-role]")] == [
            "user",
            "assistant",
        ]
        # Its last turn's actions too, as the writer shows them.
        assert reader.find("li.turn-actions").text == writer.find("li.turn-actions").text
        # The writer took its own change in once: no duplicate.
        assert len(texts(writer)) == 2 and await store.count(CONVERSATION) == 2


async def test_a_view_reading_back_is_offered_the_new_messages_below_not_a_gap(
    store: HistoryStore,
) -> None:
    await store.append(CONVERSATION, sample_history(HISTORY_LIMIT + 2 * HISTORY_PAGE))
    async with two_views(store) as (writer, reader, shared):
        while "av-viewport-top" in reader.find("#history").attrs:
            await reader.scroll_to_top("#history")
        shown = texts(reader)  # the oldest HISTORY_LIMIT: the newest were pruned
        await shared.append(CONVERSATION, [Message("user", "late")])
        await writer.until(lambda v: texts(v)[-1] == "late", timeout=20)
        assert texts(reader) == shown  # its window ends before: nothing appended to it
        await reader.until(lambda v: "av-viewport-bottom" in v.find("#history").attrs)
        while "av-viewport-bottom" in reader.find("#history").attrs:
            await reader.scroll_to_bottom("#history")
        newest = texts(reader)
        assert newest[-1] == "late" and newest[-2].startswith(f"Message {HISTORY_LIMIT + 100}:")


async def test_a_conversation_cleared_in_one_view_is_emptied_in_the_other(
    store: HistoryStore,
) -> None:
    await store.append(CONVERSATION, [Message("user", "a"), Message("assistant", "b")])
    async with two_views(store) as (writer, reader, _):
        assert texts(reader) == ["a", "b"]
        assert await writer.click("#clear") == Applied()
        await reader.until(lambda v: texts(v) == [], timeout=20)
        await writer.type("#prompt", "again")
        assert await writer.click("#send") == Applied()
        await reader.until(lambda v: texts(v)[:1] == ["again"], timeout=20)


async def test_a_message_committed_at_the_same_moment_elsewhere_is_not_lost_or_doubled(
    store: HistoryStore,
) -> None:
    """Another worker's commit lands just before this view's own, its news not here yet:
    the view's positions are off by one, which it sees (its newest message is not where
    it put it) and so shows the newest page again instead of a doubled or lost one."""
    await store.append(CONVERSATION, [Message("user", "a"), Message("assistant", "b")])
    async with two_views(store) as (writer, reader, _):
        await store.append(CONVERSATION, [Message("user", "from elsewhere")])  # no news
        await writer.type("#prompt", "mine")
        assert await writer.click("#send") == Applied()
        await writer.until(lambda v: not v.state["streaming"], timeout=20)
        for view in (writer, reader):
            await view.until(lambda v: len(texts(v)) == 5, timeout=20)
            assert texts(view)[:4] == ["a", "b", "from elsewhere", "mine"], texts(view)
        kept = [m.text for m in await store.load(CONVERSATION)]
        assert texts(writer) == texts(reader) and len(kept) == 5 and kept[:4] == texts(reader)[:4]


class SilentBus(LocalBus):
    """A bus that never takes a message (a Redis that stopped answering)."""

    async def publish(self, topic: str, message: object) -> None:
        await trio.sleep_forever()


async def test_a_bus_that_refuses_or_stalls_fails_no_write_and_is_logged() -> None:
    for bus in (RedisBus("redis://127.0.0.1:9/0"), SilentBus()):  # not running; silent
        store = SQLiteHistoryStore()
        shared = SharedHistoryStore(store, bus)
        with logged() as logs:
            started = trio.current_time()
            await shared.append("c", [Message("user", "kept anyway")])
            assert trio.current_time() - started < PUBLISH_BOUND + 2
        assert await store.load("c") == [Message("user", "kept anyway")]
        (failed,) = [e for e in logs if e["event"] == "history.publish_failed"]
        assert failed["conversation"] == "c" and failed["log_level"] == "warning"
        store.close()
