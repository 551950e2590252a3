"""The chat on an OpenAI-compatible server sends the conversation, not just the prompt.

A real OpenAIChatView (run as an actor, its renders dropped) talks to the fake server on
127.0.0.1; its committed messages are kept in a real SQLite store, which is where the
second request's earlier turns come from.
"""

from __future__ import annotations

from typing import Any

import pytest
import trio

from actorview.mailbox import ActorRef
from actorview.view import ActionEvent, Applied, Rendered
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.messages import Message
from demo_chat.openai_view import OpenAIChatView, conversation
from demo_chat.view import KeptHistory
from tests.demo_chat.fake_openai_server import (
    FakeOpenAIServer,
    Reply,
    content_chunk,
    sse_chunks,
    sse_event,
)

BOUND = 5.0


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


class Replies:
    """The view's sink: notices each render after which no reply streams."""

    def __init__(self) -> None:
        self.view: OpenAIChatView | None = None
        self.idle = trio.Event()

    def __call__(self, rendered: Rendered) -> None:
        if self.view is not None and not self.view.live.store.read("streaming"):
            self.idle.set()

    async def submit(self, ref: ActorRef, text: str) -> None:
        """Submit ``text`` and wait for the reply to end."""
        self.idle = trio.Event()
        assert await ref.ask(ActionEvent("submit", {"input": text})) == Applied()
        with trio.fail_after(BOUND):
            await self.idle.wait()


async def test_the_second_prompt_carries_the_first_exchange(nursery: trio.Nursery) -> None:
    server = FakeOpenAIServer(Reply(body=sse_chunks(["Hi", " there"])))
    await server.start(nursery)
    store = SQLiteHistoryStore()
    params: dict[str, Any] = {
        "base_url": server.base_url,
        "model": "fake-model",
        "store": store,
        "conversation": "c1",
        "history": 0,
    }
    replies = Replies()
    view = replies.view = OpenAIChatView(params, sink=replies)
    ref = await nursery.start(view.run)
    await replies.submit(ref, " hello ")
    await replies.submit(ref, "and again")
    first, second = (exchange.body["messages"] for exchange in server.exchanges)
    assert first == [{"role": "user", "content": "hello"}]
    assert second == [
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "Hi there"},
        {"role": "user", "content": "and again"},
    ]
    assert await store.load("c1") == [
        Message("user", "hello"),
        Message("assistant", "Hi there"),
        Message("user", "and again"),
        Message("assistant", "Hi there"),
    ]
    ref.request_stop()


async def test_the_model_sees_the_newest_messages_that_fit_and_the_prompt_once() -> None:
    store = SQLiteHistoryStore()
    older = [Message("user" if i % 2 else "assistant", f"message {i:03}") for i in range(100)]
    await store.append("c", [*older, Message("user", "now")])  # 11 characters each, then 3
    sent = await conversation(KeptHistory(store, "c"), "now", budget=3 + 11 * 40 + 10)
    assert len(sent) == 41, "40 whole messages fit beside the prompt; the 41st does not"
    assert sent[0]["content"] == "message 060"
    assert sent[-2:] == [
        {"role": "user", "content": "message 099"},
        {"role": "user", "content": "now"},
    ]
    assert sum(len(m["content"]) for m in sent) <= 3 + 11 * 40 + 10
    assert await conversation(None, "alone") == [{"role": "user", "content": "alone"}]


async def test_the_prompt_is_sent_whole_past_the_budget_and_nothing_before_it() -> None:
    store = SQLiteHistoryStore()
    prompt = "x" * 500
    await store.append("c", [Message("user", "earlier"), Message("assistant", "reply")])
    sent = await conversation(KeptHistory(store, "c"), prompt, budget=100)
    assert sent == [{"role": "user", "content": prompt}]


async def test_the_first_message_that_does_not_fit_ends_the_fill_leaving_no_hole() -> None:
    store = SQLiteHistoryStore()
    await store.append(
        "c", [Message("user", "a"), Message("assistant", "b" * 50), Message("user", "c")]
    )
    sent = await conversation(KeptHistory(store, "c"), "now", budget=20)
    assert [m["content"] for m in sent] == ["c", "now"], "'a' would fit, but not next to 'c'"


async def test_a_system_prompt_leads_and_counts_against_the_budget() -> None:
    store = SQLiteHistoryStore()
    await store.append("c", [Message("user", "q" * 10), Message("assistant", "r" * 10)])
    kept = KeptHistory(store, "c")
    sent = await conversation(kept, "now", budget=3 + 10 + 10, system="Be brief.")
    assert sent == [
        {"role": "system", "content": "Be brief."},
        {"role": "assistant", "content": "r" * 10},
        {"role": "user", "content": "now"},
    ]
    assert (await conversation(None, "hi", system="S"))[0] == {"role": "system", "content": "S"}


async def test_replies_that_failed_before_any_text_are_not_sent() -> None:
    store = SQLiteHistoryStore()
    await store.append(
        "c", [Message("user", "q"), Message("assistant", "", failure="could not be reached")]
    )
    sent = await conversation(KeptHistory(store, "c"), "again")
    assert sent == [{"role": "user", "content": "q"}, {"role": "user", "content": "again"}]


async def test_a_negative_budget_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ValueError, match="the context budget must be at least 0 characters"):
        await conversation(None, "hi", budget=-1)


async def test_a_reply_cut_off_upstream_is_kept_failed_and_the_page_says_why(
    nursery: trio.Nursery,
) -> None:
    body = [sse_event(content_chunk(token)) for token in ["Half", " a"]]  # no finish, no [DONE]
    server = FakeOpenAIServer(Reply(body=body))
    await server.start(nursery)
    store = SQLiteHistoryStore()
    params = {"base_url": server.base_url, "store": store, "conversation": "c1"}
    replies = Replies()
    view = replies.view = OpenAIChatView(params, sink=replies)
    ref = await nursery.start(view.run)
    await replies.submit(ref, "tell me")
    failure = view.live.store.read("failure")
    assert await store.load("c1") == [
        Message("user", "tell me"),
        Message("assistant", "Half a", failure=failure),  # its text, and why it failed
    ]
    assert failure == "The reply failed: the reply was cut off: the model server stopped sending it"
    ref.request_stop()
