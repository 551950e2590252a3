"""The chat's reply as a job (demo_chat.reply_job), through the test client: two views
of one conversation follow one reply, Cancel in either stops it, a view mounted
mid-reply (a reload) shows the text so far then the rest live, and the reply is
committed once, by the job's owner, whoever follows it.

Real clock, real stores (the ``store`` fixture: SQLite and PostgreSQL), one LocalJobs
and one LocalBus shared by the views, as one worker's are.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trio

from actorview.jobs import LocalJobs, RedisJobs
from actorview.pubsub import LocalBus
from actorview.testing import ViewClient, mount
from actorview.view import ActionEvent, Applied
from demo_chat.history_store import HistoryStore, SQLiteHistoryStore
from demo_chat.llm import reply_tokens
from demo_chat.messages import Message
from demo_chat.reply_job import ResumableChatView
from demo_chat.shared_history import SharedHistoryStore
from demo_chat.turns import ANSWERED
from tests.services import redis_server

CONVERSATION = "c1"
PROMPT = "tell me"
LENGTH = 30

View = ViewClient[ResumableChatView]


@asynccontextmanager
async def served(store: HistoryStore) -> AsyncIterator[tuple[dict[str, Any], Any]]:
    """The params a view of the conversation is mounted with, and the jobs backend."""
    bus = LocalBus()
    jobs = LocalJobs()
    params = {
        "store": SharedHistoryStore(store, bus),
        "conversation": CONVERSATION,
        "token_delay": 0.03,
        "reply_length": LENGTH,
    }
    async with jobs.running():
        yield params | {"_bus": bus}, jobs


@asynccontextmanager
async def view_of(params: dict[str, Any], jobs: Any) -> AsyncIterator[View]:
    given = {k: v for k, v in params.items() if k != "_bus"}
    async with mount(ResumableChatView, given, bus=params["_bus"], jobs=jobs) as view:
        yield view


def draft(view: View) -> str:
    return str(view.state["draft"])


def texts(view: View) -> list[str]:
    return [li.text for li in view.find_all("#history > li[data-role][av-key]")]


EXPECTED = "".join(reply_tokens(PROMPT, LENGTH))


async def send(view: View, prompt: str = PROMPT) -> None:
    await view.type("#prompt", prompt)
    assert await view.click("#send") == Applied()


async def test_two_views_follow_one_reply_and_it_is_committed_once(store: HistoryStore) -> None:
    async with (
        served(store) as (params, jobs),
        view_of(params, jobs) as first,
        view_of(params, jobs) as second,
    ):
        await send(first)
        await second.until(lambda v: v.state["streaming"] and len(draft(v)) > 0, timeout=20)
        assert EXPECTED.startswith(draft(second))
        for view in (first, second):
            await view.until(lambda v: texts(v) == [PROMPT, EXPECTED], timeout=30)
            assert not view.state["streaming"] and draft(view) == ""
            # Whichever came first (the job's Done or the commit's news), the turn is
            # answered: Regenerate is offered, in both views.
            await view.until(lambda v: v.state["turn"] == ANSWERED, timeout=20)
            assert view.find_all("button.regenerate")
        assert await store.load(CONVERSATION) == [
            Message("user", PROMPT),
            Message("assistant", EXPECTED),
        ]


async def test_cancel_in_the_other_view_stops_the_reply_kept_once_as_stopped(
    store: HistoryStore,
) -> None:
    async with (
        served(store) as (params, jobs),
        view_of(params, jobs) as first,
        view_of(params, jobs) as second,
    ):
        await send(first)
        await second.until(lambda v: len(draft(v).split()) >= 3, timeout=20)
        assert await second.click("#cancel") == Applied()
        for view in (first, second):
            await view.until(lambda v: not v.state["streaming"] and len(texts(v)) == 2, timeout=20)
            assert view.state["turn"] == "stopped"
        assert jobs.live(f"reply:{CONVERSATION}") is None  # the run ended, not only the views
        kept = await store.load(CONVERSATION)
        assert [m.role for m in kept] == ["user", "assistant"] and kept[1].stopped
        assert kept[1].text and EXPECTED.startswith(kept[1].text)
        assert len(kept[1].text) < len(EXPECTED)  # stopped mid-reply
        for view in (first, second):
            assert texts(view)[1].startswith(kept[1].text)
        await trio.sleep(0.5)  # nothing more comes: committed once
        assert len(await store.load(CONVERSATION)) == 2
        assert len(texts(first)) == 2 and len(texts(second)) == 2


async def test_a_view_mounted_mid_reply_shows_the_text_so_far_then_live(
    store: HistoryStore,
) -> None:
    async with served(store) as (params, jobs):
        async with view_of(params, jobs) as page:
            await send(page)
            await page.until(lambda v: len(draft(v).split()) >= 5, timeout=20)
        # The page went (a reload); the reply did not.
        assert jobs.live(f"reply:{CONVERSATION}") is not None
        async with view_of(params, jobs) as reloaded:
            await reloaded.until(lambda v: len(draft(v).split()) >= 5, timeout=20)
            assert reloaded.state["streaming"]
            assert texts(reloaded) == [PROMPT]
            assert EXPECTED.startswith(draft(reloaded))  # from its start: no gap
            seen = draft(reloaded)
            await reloaded.until(lambda v: len(draft(v)) > len(seen), timeout=20)  # live
            await reloaded.until(lambda v: texts(v) == [PROMPT, EXPECTED], timeout=30)
        assert await store.load(CONVERSATION) == [
            Message("user", PROMPT),
            Message("assistant", EXPECTED),
        ]


async def test_a_reply_nobody_follows_is_committed_by_its_owner(store: HistoryStore) -> None:
    async with served(store) as (params, jobs):
        async with view_of(params, jobs) as page:
            await send(page)
            await page.until(lambda v: len(draft(v)) > 0, timeout=20)
        await trio.sleep(LENGTH * 0.03 + 1)  # it ends meanwhile, with no view of it
        assert jobs.live(f"reply:{CONVERSATION}") is None
        assert (await store.load(CONVERSATION))[1:] == [Message("assistant", EXPECTED)]
        async with view_of(params, jobs) as later:  # a later page shows it, once
            await later.until(
                lambda v: texts(v) == [PROMPT, EXPECTED] and not v.state["streaming"], timeout=20
            )
            assert draft(later) == ""  # the ended run it replayed shows no second reply


async def test_a_page_joining_after_the_reply_was_kept_never_shows_it_twice(
    store: HistoryStore,
) -> None:
    """The ended run is kept for late followers, so the later page hears it replayed
    (its Begun, its chunks, its Done): it is the run that wrote the kept reply, and the
    page shows no draft of it beside the kept reply, in any frame. A new prompt, and a
    regenerate of the same prompt, stream as usual."""
    async with served(store) as (params, jobs):
        async with view_of(params, jobs) as page:
            await send(page)
            await page.until(lambda v: texts(v) == [PROMPT, EXPECTED], timeout=30)
            await page.until(lambda v: not v.state["streaming"] and draft(v) == "", timeout=20)
        async with view_of(params, jobs) as later:
            await later.until(lambda v: v.state["replayed"], timeout=20)
            await trio.sleep(0.5)  # the replay (30 parts, at once) is heard meanwhile
            assert texts(later) == [PROMPT, EXPECTED] and draft(later) == ""
            assert not later.state["streaming"]
            shown = [frame.text for frame in later.frames]
            assert not [text for text in shown if "draft" in text or "Thinking" in text]
            assert await later.click("button.regenerate") == Applied()
            await later.until(lambda v: len(draft(v)) > 0 and v.state["streaming"], timeout=20)
            assert not later.state["replayed"]
            await later.until(lambda v: texts(v) == [PROMPT, EXPECTED], timeout=30)
            await send(later, "and again")
            await later.until(lambda v: len(draft(v)) > 0, timeout=20)


async def test_a_clear_mid_reply_keeps_no_stray_reply(store: HistoryStore) -> None:
    async with served(store) as (params, jobs), view_of(params, jobs) as page:
        await send(page)
        await page.until(lambda v: len(draft(v)) > 0, timeout=20)
        assert await page.click("#clear") == Applied()
        await trio.sleep(0.3)
        assert await store.load(CONVERSATION) == []
        assert texts(page) == []


async def test_mounting_without_a_store_says_what_it_needs() -> None:
    with pytest.raises(Exception, match="mount it with a store and a conversation"):
        async with mount(ResumableChatView, {}):
            pass


async def test_a_failed_reply_is_kept_once_with_its_reason_and_shown_in_both_views(
    store: HistoryStore,
) -> None:
    async with (
        served(store) as (params, jobs),
        view_of(params, jobs) as first,
        view_of(params, jobs) as second,
    ):
        await send(first, "fail")  # the fake model fails this prompt at its first token
        for view in (first, second):
            await view.until(lambda v: v.state["turn"] == "failed", timeout=20)
            await view.until(lambda v: len(texts(v)) == 2 and draft(v) == "", timeout=20)
            assert view.find_all("button.retry")
        (prompt, reply) = await store.load(CONVERSATION)
        assert prompt == Message("user", "fail")
        assert reply.role == "assistant" and reply.failure.startswith("The reply failed:")
        assert first.state["failure"] == reply.failure  # the view that fired says why too


async def test_a_submit_mid_reply_keeps_the_superseded_reply_once_before_its_prompt(
    store: HistoryStore,
) -> None:
    async with (
        served(store) as (params, jobs),
        view_of(params, jobs) as first,
        view_of(params, jobs) as second,
    ):
        await send(first)
        await second.until(lambda v: len(draft(v).split()) >= 3, timeout=20)
        await second.type("#prompt", "next")
        # Send is disabled while a reply streams; the event itself (a script's) still comes.
        await second.send(ActionEvent("submit", {}))
        for view in (first, second):
            await view.until(lambda v: len(texts(v)) == 4 and not v.state["streaming"], timeout=30)
        kept = await store.load(CONVERSATION)
        assert [(m.role, m.stopped) for m in kept] == [
            ("user", False),
            ("assistant", True),  # kept by the view that superseded it, as it showed it
            ("user", False),
            ("assistant", False),
        ]
        assert kept[1].text and EXPECTED.startswith(kept[1].text)
        assert kept[2].text == "next" and texts(first) == texts(second)


async def test_on_two_workers_redis_jobs_one_reply_is_followed_and_cancelled_across_them(
    tmp_path: Path,
) -> None:
    """Two RedisJobs backends on one redis-server, as two workers have: a view on each;
    the reply fired on one streams in the other, Cancel there stops it where it runs,
    and its owner keeps it once, stopped."""
    store = SQLiteHistoryStore()
    bus = LocalBus()  # the history's news (RedisBus carries it across processes)
    params = {
        "store": SharedHistoryStore(store, bus),
        "conversation": CONVERSATION,
        "token_delay": 0.03,
        "reply_length": LENGTH,
    }
    with redis_server(tmp_path) as url:
        owner, other = RedisJobs(url), RedisJobs(url)
        async with (
            owner.running(),
            other.running(),
            mount(ResumableChatView, params, bus=bus, jobs=owner) as first,
            mount(ResumableChatView, params, bus=bus, jobs=other) as second,
        ):
            await send(first)
            await second.until(lambda v: len(draft(v).split()) >= 3, timeout=20)
            assert EXPECTED.startswith(draft(second))
            assert await second.click("#cancel") == Applied()
            for view in (first, second):
                await view.until(
                    lambda v: not v.state["streaming"] and len(texts(v)) == 2, timeout=20
                )
            kept = await store.load(CONVERSATION)
            assert [m.role for m in kept] == ["user", "assistant"] and kept[1].stopped
            assert kept[1].text and EXPECTED.startswith(kept[1].text)
            assert len(kept[1].text) < len(EXPECTED)
    store.close()
