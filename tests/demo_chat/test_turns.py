"""The last turn, through the test client: where the streaming reply is, how a failed or
stopped reply stays, and retry, regenerate and edit (the turns after it are replaced, in
the page and in the kept store).

The store is a real SQLite database, called from a worker thread: those tests run on the
real clock with a short token delay (``autojump_clock`` would jump past the store's time
bounds while a thread works); the others make every token delay free with it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import ClassVar

import pytest
import trio
import trio.testing

from actorview.testing import ViewClient, mount
from actorview.view import ActionEvent, Applied, Emit, Ignored, async_stream
from demo_chat import ChatView, reply_tokens
from demo_chat.failures import ModelFailed, RateLimited
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.llm import fake_llm, sample_history
from demo_chat.messages import Chunk, Done, Message
from demo_chat.turns import last_turn

DELAY = 0.125
KEPT_DELAY = 0.001
LENGTH = 6
MESSAGES = "#history > li[av-key]"
"""The kept messages: the history's items, not its tail (the reply being streamed, or
the bar after the last turn)."""


def reply(prompt: str, length: int = LENGTH) -> str:
    return "".join(reply_tokens(prompt, length))


def shown(view: ViewClient[ChatView]) -> list[tuple[str, str]]:
    return [(item.attrs["data-role"], item.text) for item in view.find_all(MESSAGES)]


async def ask(view: ViewClient[ChatView], prompt: str) -> None:
    await view.type("#prompt", prompt)
    assert await view.click("#send") == Applied()


async def finished(view: ViewClient[ChatView]) -> None:
    """Wait (on the real clock) until no reply streams and its frame is shown."""
    await view.until(lambda v: not v.state["streaming"] and not v.has_element("#draft"))


async def showing(view: ViewClient[ChatView], expected: list[tuple[str, str]]) -> None:
    """Wait until the page shows ``expected`` (a frame may be held back to its frame
    interval on the real clock)."""
    await view.until(lambda v: shown(v) == expected)


@asynccontextmanager
async def kept_chat(
    store: SQLiteHistoryStore, view_class: type[ChatView] = ChatView, length: int = LENGTH
) -> AsyncIterator[ViewClient[ChatView]]:
    params = {
        "token_delay": KEPT_DELAY,
        "reply_length": length,
        "store": store,
        "conversation": "c",
    }
    async with mount(view_class, params) as view:
        yield view


@pytest.fixture
def store() -> object:
    opened = SQLiteHistoryStore()
    yield opened
    opened.close()


class Flaky:
    """A model that fails its first reply of each test, then answers."""

    failures: ClassVar[int] = 0


async def flaky_llm(prompt: str, token_delay: float, reply_length: int, emit: Emit) -> None:
    await trio.sleep(token_delay)
    await emit(Chunk("Half"))
    if Flaky.failures > 0:
        Flaky.failures -= 1
        raise ModelFailed(RateLimited(retry_after=20))
    await fake_llm(prompt, token_delay, reply_length, emit)


class FlakyChat(ChatView):
    llm = async_stream(emits=(Chunk, Done))(flaky_llm)


async def test_the_streaming_reply_is_the_last_item_of_the_history_then_its_message(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, {"token_delay": DELAY, "reply_length": LENGTH}) as view:
        await ask(view, "hello there")
        items = view.find_all("#history > li")
        assert [item.attrs.get("id") for item in items] == [None, "draft"]
        assert items[-1].attrs["data-role"] == "assistant"
        assert view.has_element("#history > li#draft.streaming #thinking")
        await view.until(lambda v: v.state["token_count"] == 2)
        assert not view.has_element("#thinking")
        assert view.text("#draft") == "".join(reply_tokens("hello there", LENGTH)[:2])
        await view.settle()
        assert not view.has_element("#draft") and not view.has_element(".streaming")
        assert shown(view) == [("user", "hello there"), ("assistant", reply("hello there"))]
        bar = view.find_all("#history > li")[-1]
        assert "turn-actions" in bar.attrs["class"]
        assert view.has_element("#history > li.turn-actions button.regenerate")
        assert view.has_element("#history > li.turn-actions button.edit")
        assert not view.has_element("button.retry")


async def test_a_failed_turn_stays_with_its_reason_and_retry_replaces_it(
    store: SQLiteHistoryStore,
) -> None:
    Flaky.failures = 1
    async with kept_chat(store, FlakyChat) as view:
        await ask(view, "question")
        await finished(view)
        reason = "The reply failed: the model is rate-limited; try again in 20 s"
        assert shown(view) == [("user", "question"), ("assistant", "Half" + reason)]
        failed = view.find(f"{MESSAGES}.failed[data-role=assistant] .failure-reason")
        assert failed.text == reason
        assert view.text("#failure") == reason  # announced (role=alert) as well
        assert await store.load("c") == [
            Message("user", "question"),
            Message("assistant", "Half", failure=reason),
        ]
        assert not view.has_element("button.regenerate")
        assert await view.click("#history button.retry") == Applied()
        await showing(view, [("user", "question")])  # the failed reply is replaced
        assert view.has_element("#history > li#draft")
        assert view.has_element("#failure[hidden]")
        await finished(view)
        answer = "Half" + reply("question")
        assert shown(view) == [("user", "question"), ("assistant", answer)]
        assert await store.load("c") == [Message("user", "question"), Message("assistant", answer)]


async def test_a_stopped_turn_stays_stopped_even_before_its_first_token_and_can_be_retried(
    store: SQLiteHistoryStore,
) -> None:
    async with kept_chat(store, length=40) as view:
        await ask(view, "stop at once")
        assert view.has_element("#thinking")
        assert await view.click("#cancel") == Applied()
        await showing(view, [("user", "stop at once"), ("assistant", " (stopped)")])
        assert view.has_element("#history > li.turn-actions button.retry")
        assert await store.load("c") == [
            Message("user", "stop at once"),
            Message("assistant", "", stopped=True),
        ]
        assert await view.click("button.retry") == Applied()
        await finished(view)
        assert shown(view) == [("user", "stop at once"), ("assistant", reply("stop at once", 40))]
        assert await store.count("c") == 2


async def test_regenerate_replaces_the_last_reply_only(
    store: SQLiteHistoryStore,
) -> None:
    async with kept_chat(store) as view:
        await ask(view, "first")
        await finished(view)
        await ask(view, "second")
        await finished(view)
        await view.until(lambda v: v.has_element("button.regenerate"))
        assert await view.click("button.regenerate") == Applied()
        await showing(view, [("user", "first"), ("assistant", reply("first")), ("user", "second")])
        assert not view.has_element("button.regenerate"), "not while the new reply streams"
        assert await view.ref.ask(ActionEvent("regenerate")) == Ignored(
            "the guard of action 'regenerate' is false"
        )
        await finished(view)
        assert shown(view)[-1] == ("assistant", reply("second"))
        assert [m.text for m in await store.load("c")] == [
            "first",
            reply("first"),
            "second",
            reply("second"),
        ]


async def test_edit_sends_the_last_prompt_again_and_replaces_the_turn(
    store: SQLiteHistoryStore,
) -> None:
    async with kept_chat(store) as view:
        await ask(view, "first")
        await finished(view)
        await ask(view, "secnod")
        await finished(view)
        assert await view.click("button.edit") == Applied()
        await view.until(lambda v: v.has_element("#edit-prompt"))
        assert view.text("#edit-prompt") == "secnod"  # the form holds the last prompt
        assert not view.has_element("button.regenerate")
        assert await view.click("button.cancel-edit") == Applied()
        await view.until(lambda v: v.has_element("button.regenerate"))
        assert not view.has_element("#edit-prompt")
        await view.click("button.edit")
        await view.until(lambda v: v.has_element("#edit-prompt"))
        assert await view.submit(".edit-form", {"text": " second "}) == Applied()
        await finished(view)
        expected = [
            ("user", "first"),
            ("assistant", reply("first")),
            ("user", "second"),
            ("assistant", reply("second")),
        ]
        assert shown(view) == expected
        assert [(m.role, m.text) for m in await store.load("c")] == expected


async def test_a_blank_edit_is_refused_and_changes_nothing(
    store: SQLiteHistoryStore,
) -> None:
    async with kept_chat(store) as view:
        await ask(view, "keep me")
        await finished(view)
        await view.click("button.edit")
        await view.until(lambda v: v.has_element("#edit-prompt"))
        outcome = await view.submit(".edit-form", {"text": "   "})
        assert outcome == Ignored("the guard of action 'resend' is false")
        assert shown(view) == [("user", "keep me"), ("assistant", reply("keep me"))]
        assert await store.count("c") == 2


async def test_a_reloaded_view_offers_what_its_last_turn_can_do(
    store: SQLiteHistoryStore,
) -> None:
    await store.append("c", [Message("user", "lost reply")])  # a view died mid-reply
    async with kept_chat(store) as view:
        assert view.has_element("#history > li.turn-actions button.retry")
        assert await view.click("button.retry") == Applied()
        await finished(view)
        assert shown(view) == [("user", "lost reply"), ("assistant", reply("lost reply"))]
    async with kept_chat(store) as again:
        assert again.has_element("button.regenerate")
        await again.click("button.edit")
        await again.until(lambda v: v.has_element("#edit-prompt"))
        assert again.text("#edit-prompt") == "lost reply"


def test_the_last_turn_is_read_from_the_newest_messages() -> None:
    assert last_turn([]) == ("", "")
    assert last_turn([Message("user", "q")]) == ("unanswered", "q")
    assert last_turn([Message("user", "q"), Message("assistant", "a")]) == ("answered", "q")
    failed = Message("assistant", "", failure="The reply failed: x")
    assert last_turn([Message("user", "q"), failed]) == ("failed", "q")
    stopped = Message("assistant", "a", stopped=True)
    assert last_turn([Message("user", "q"), stopped]) == ("stopped", "q")
    assert last_turn([Message("assistant", "a")]) == ("", ""), "no prompt to send again"


async def test_a_regenerated_reply_in_a_long_kept_history_pages_back_with_no_gap(
    store: SQLiteHistoryStore,
) -> None:
    await store.append("c", sample_history(120))
    async with kept_chat(store) as view:
        await view.click("button.edit")
        await view.until(lambda v: v.has_element("#edit-prompt"))
        assert view.text("#edit-prompt").startswith("Message 119:")
        assert await view.submit(".edit-form", {"text": "instead"}) == Applied()
        await finished(view)
        while "av-viewport-top" in view.find("#history").attrs:
            await view.scroll_to_top("#history")
        texts = [text for _, text in shown(view)]
        assert len(texts) == 120 and texts[-2:] == ["instead", reply("instead")]
        numbers = [int(text.split(":")[0].removeprefix("Message ")) for text in texts[:-2]]
        assert numbers == list(range(1, 119)), "every kept message once, in order"
    assert await store.count("c") == 120
