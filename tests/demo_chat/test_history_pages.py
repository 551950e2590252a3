"""The chat pages a long kept conversation: the first frame is bounded by one page, and
scrolling back reads it page by page, in order, with no gap and no duplicate.

Real clock: the history store runs in a worker thread, which an autojump clock would race
past (the view bounds each store call in time).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from actorview.testing import ViewClient, mount
from actorview.view import Applied
from demo_chat import ChatView
from demo_chat.history_store import Numbered, SQLiteHistoryStore
from demo_chat.llm import sample_history
from demo_chat.messages import Message
from demo_chat.view import HISTORY_LIMIT, HISTORY_PAGE

CONVERSATION = "long"


class CountingStore(SQLiteHistoryStore):
    """Counts the offset walks (``at``): the pages should come from range scans."""

    def __init__(self) -> None:
        super().__init__()
        self.walks = 0

    async def at(self, conversation: str, offset: int, count: int) -> list[Numbered]:
        self.walks += 1
        return await super().at(conversation, offset, count)


@asynccontextmanager
async def chat_on(messages: int) -> AsyncIterator[tuple[ViewClient[ChatView], CountingStore]]:
    store = CountingStore()
    await store.append(CONVERSATION, sample_history(messages))
    params = {
        "store": store,
        "conversation": CONVERSATION,
        "token_delay": 0.001,
        "reply_length": 3,
    }
    try:
        async with mount(ChatView, params) as view:
            yield view, store
    finally:
        store.close()


def numbers(view: ViewClient[ChatView]) -> list[int]:
    """The sample messages' numbers (``Message 17: ...``) on the page, top to bottom."""
    found = [re.match(r"Message (\d+):", li.text) for li in view.find_all("#history > li")]
    return [int(match.group(1)) for match in found if match]


async def test_a_fresh_view_of_10000_messages_sends_one_page_in_its_first_frame() -> None:
    async with chat_on(100) as (small, _):
        small_frame = small.frames[0]
    async with chat_on(10_000) as (view, store):
        first = view.frames[0]
        assert first.kind == "render"
        assert numbers(view) == list(range(10_000 - HISTORY_PAGE + 1, 10_001))
        assert first.size < 20_000  # about 280 bytes a message: one page, not 2.8 MB
        assert first.size <= small_frame.size * 1.02  # the same page, longer numbers
        assert view.find("#history").attrs.get("av-viewport-top") == "history"
        assert store.walks == 0


async def test_scrolling_up_reads_every_older_page_in_order_with_no_gap_or_duplicate() -> None:
    async with chat_on(10_000) as (view, store):
        seen = numbers(view)
        while "av-viewport-top" in view.find("#history").attrs:
            mark = view.mark()
            top = numbers(view)[0]
            assert await view.scroll_to_top("#history") == Applied()
            shown = numbers(view)
            assert shown == list(range(shown[0], shown[-1] + 1)), "a gap in the page"
            assert shown[0] == max(1, top - HISTORY_PAGE) and len(shown) <= HISTORY_LIMIT
            (frame,) = view.frames_since(mark, "patch")
            assert sum(1 for op in frame.data if op[0] == "i") <= HISTORY_PAGE
            assert frame.size < 30_000
            seen = shown[: shown.index(seen[0])] + seen
        assert seen == list(range(1, 10_001))
        assert numbers(view) == list(range(1, HISTORY_LIMIT + 1))
        assert store.walks == 0, "every page was a range scan from a known message"


async def test_scrolling_back_down_brings_the_pruned_messages_back_to_the_newest() -> None:
    async with chat_on(1_000) as (view, _):
        while "av-viewport-top" in view.find("#history").attrs:
            await view.scroll_to_top("#history")
        assert view.find("#history").attrs.get("av-viewport-bottom") == "history"
        while "av-viewport-bottom" in view.find("#history").attrs:
            assert await view.scroll_to_bottom("#history") == Applied()
            shown = numbers(view)
            assert shown == list(range(shown[0], shown[-1] + 1))
        assert numbers(view) == list(range(1_000 - HISTORY_LIMIT + 1, 1_001))


async def test_a_message_sent_while_reading_back_is_kept_and_shown_after_the_newest() -> None:
    async with chat_on(1_000) as (view, store):
        while "av-viewport-top" in view.find("#history").attrs:
            await view.scroll_to_top("#history")
        await view.type("#prompt", "late question")
        assert await view.click("#send") == Applied()
        await view.until(lambda v: not v.state["streaming"], timeout=10)
        assert numbers(view) == list(range(1, HISTORY_LIMIT + 1))  # nothing after 500
        while "av-viewport-bottom" in view.find("#history").attrs:
            await view.scroll_to_bottom("#history")
        texts = [li.text for li in view.find_all("#history > li[av-key]")]
        assert texts[-2] == "late question" and texts[-3].startswith("Message 1000:")
        kept = await store.before(CONVERSATION, None, 2)
        assert [message.role for _, message in kept] == ["user", "assistant"]
        assert kept[0][1] == Message("user", "late question")


async def test_a_new_conversation_keeps_the_sample_history_and_pages_it() -> None:
    store = SQLiteHistoryStore()
    params = {"store": store, "conversation": "fresh", "history": 120}
    try:
        async with mount(ChatView, params) as view:
            assert numbers(view) == list(range(71, 121))
            await view.scroll_to_top("#history")
            assert numbers(view) == list(range(21, 121))
        assert await store.count("fresh") == 120
        async with mount(ChatView, params) as again:  # not seeded twice
            assert numbers(again) == list(range(71, 121))
        assert await store.count("fresh") == 120
    finally:
        store.close()
