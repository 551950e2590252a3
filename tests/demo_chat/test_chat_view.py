"""The chat view, driven through its mailbox as the browser and the fake LLM would."""

from __future__ import annotations

import trio
import trio.testing
from hypothesis import given
from hypothesis import strategies as st

from actorview.mailbox import ActorRef
from actorview.view import (
    ActionEvent,
    Appended,
    Applied,
    Emit,
    Ignored,
    InputEvent,
    Outcome,
    RunState,
    async_stream,
)
from demo_chat import ChatParams, ChatView, count_more_tokens, count_tokens, reply_tokens
from demo_chat.messages import Chunk, Done
from tests.demo_chat.page import Page
from tests.view.helpers import running, settle

DELAY = 0.1


async def send(ref: ActorRef, event: ActionEvent | InputEvent) -> Outcome:
    """Ask the view to handle ``event``, then wait until it has rendered."""
    outcome: Outcome = await ref.ask(event)
    await settle()
    return outcome


def chat(page: Page, length: int = 6) -> ChatView:
    return ChatView(ChatParams(token_delay=DELAY, reply_length=length), sink=page)


async def test_the_page_has_the_dom_hooks_the_endpoint_and_browser_tests_use() -> None:
    page = Page()
    async with running(chat(page)):
        for ident in ["prompt", "send", "cancel", "clear", "history", "token-count"]:
            page.by_id(ident)
        assert page.by_id("jump-latest").attrs.get("hidden") == ""
        assert page.tail().tag == "template" and page.draft() is None
        assert page.disabled("send") and page.disabled("cancel") and page.disabled("clear")
        assert page.text("token-count") == "0 tokens"


async def test_typing_enables_send_only_for_a_non_blank_input() -> None:
    page = Page()
    async with running(chat(page)) as ref:
        await send(ref, InputEvent("input", "   "))
        assert page.disabled("send")
        assert await send(ref, ActionEvent("submit")) == Ignored(
            "the guard of action 'submit' is false"
        )
        await send(ref, InputEvent("input", "hi"))
        assert not page.disabled("send")


async def test_submit_streams_a_reply_into_the_draft_then_the_history(
    autojump_clock: trio.testing.MockClock,
) -> None:
    page = Page()
    view = chat(page)
    tokens = reply_tokens("hello there", 6)
    async with running(view) as ref:
        await send(ref, InputEvent("input", " hello there "))
        assert await send(ref, ActionEvent("submit")) == Applied()
        assert page.history() == [("user", "hello there")]
        assert view.live.store.read("input") == ""
        assert not page.disabled("cancel")
        assert page.text("draft") == "Thinking…" and page.has("thinking")
        draft = page.tail()
        assert draft.attrs["id"] == "draft" and draft.attrs["data-role"] == "assistant"
        await trio.sleep(DELAY * 3 + DELAY / 2)
        assert page.text("draft") == "".join(tokens[:3]) and not page.has("thinking")
        assert "streaming" in page.tail().attrs["class"].split()
        assert page.text("token-count") == f"{count_tokens(''.join(tokens[:3]))} tokens"
        await trio.sleep(DELAY * 10)
        assert page.draft() is None
        assert page.history() == [("user", "hello there"), ("assistant", "".join(tokens))]
        assert page.tail().attrs["class"] == "turn-actions"  # regenerate, edit
        assert page.disabled("cancel")
        assert view.live.streams["llm"].state is RunState.DONE


async def test_cancel_stops_the_reply_and_keeps_what_came_marked_stopped(
    autojump_clock: trio.testing.MockClock,
) -> None:
    page = Page()
    view = chat(page)
    tokens = reply_tokens("question", 6)
    async with running(view) as ref:
        await send(ref, InputEvent("input", "question"))
        await send(ref, ActionEvent("submit"))
        await trio.sleep(DELAY * 2 + DELAY / 2)
        await send(ref, ActionEvent("cancel"))
        await trio.sleep(DELAY * 20)
        assert page.history() == [
            ("user", "question"),
            ("assistant", "".join(tokens[:2]) + " (stopped)"),
        ]
        assert page.draft() is None and view.live.streams["llm"].state is RunState.CANCELLED
        assert await send(ref, ActionEvent("cancel")) == Ignored(
            "the guard of action 'cancel' is false"
        )


async def test_a_submit_while_streaming_supersedes_the_live_reply(
    autojump_clock: trio.testing.MockClock,
) -> None:
    page = Page()
    view = chat(page)
    first, second = reply_tokens("one", 6), reply_tokens("two", 6)
    async with running(view) as ref:
        await send(ref, InputEvent("input", "one"))
        await send(ref, ActionEvent("submit"))
        await trio.sleep(DELAY * 2 + DELAY / 2)
        await send(ref, InputEvent("input", "two"))
        await send(ref, ActionEvent("submit"))
        await trio.sleep(DELAY * 20)
        assert page.history() == [
            ("user", "one"),
            ("assistant", "".join(first[:2]) + " (stopped)"),
            ("user", "two"),
            ("assistant", "".join(second)),
        ]


async def test_clear_cancels_the_reply_and_empties_the_history(
    autojump_clock: trio.testing.MockClock,
) -> None:
    page = Page()
    view = chat(page)
    async with running(view) as ref:
        await send(ref, InputEvent("input", "one"))
        await send(ref, ActionEvent("submit"))
        await trio.sleep(DELAY * 2 + DELAY / 2)
        await send(ref, ActionEvent("clear"))
        await trio.sleep(DELAY * 20)
        assert page.history() == [] and page.draft() is None
        assert page.tail().tag == "template"
        assert page.disabled("clear") and not view.has_messages
        assert list(view.history) == []


async def test_a_failed_reply_shows_the_failure_and_the_chat_goes_on(
    autojump_clock: trio.testing.MockClock,
) -> None:
    page = Page()
    view = chat(page)
    async with running(view) as ref:
        await send(ref, InputEvent("input", "fail"))
        await send(ref, ActionEvent("submit"))
        await trio.sleep(DELAY * 5)
        assert page.text("failure") == "The reply failed: the fake LLM was asked to fail"
        assert page.disabled("cancel")
        assert page.history() == [
            ("user", "fail"),
            ("assistant", "The reply failed: the fake LLM was asked to fail"),
        ]
        await send(ref, InputEvent("input", "fine"))
        await send(ref, ActionEvent("submit"))
        await trio.sleep(DELAY * 20)
        roles = [role for role, _ in page.history()]
        assert roles == ["user", "assistant", "user", "assistant"]


async def test_a_token_costs_the_same_bytes_whatever_the_history_length(
    autojump_clock: trio.testing.MockClock,
) -> None:
    page = Page()
    view = chat(page, length=3)
    async with running(view) as ref:
        for i in range(30):
            await send(ref, InputEvent("input", f"q{i}"))
            await send(ref, ActionEvent("submit"))
            await trio.sleep(DELAY * 5)
        await send(ref, InputEvent("input", "last"))
        await send(ref, ActionEvent("submit"))
        await trio.sleep(DELAY * 1.5)  # the first token
        page.frames.clear()
        await trio.sleep(DELAY)  # the second token: one small append, one counter
        patches = [p for frame in page.frames for p in frame.patches]
        assert [type(p).__name__ for p in patches] == ["AppendText", "SetText"]
        assert [getattr(p, "text", None) for p in patches] == [" said", "2"]


@given(st.lists(st.text(alphabet=" ab\n", max_size=6), max_size=12))
def test_the_incremental_token_count_equals_the_count_from_scratch(pieces: list[str]) -> None:
    text, count = "", 0
    for piece in pieces:
        if not piece:
            continue
        count = count_more_tokens(count, Appended(piece, text[-1:]))
        text += piece
        assert count == count_tokens(text)


async def test_the_composer_form_submit_carries_the_input_as_the_browser_sends_it(
    autojump_clock: trio.testing.MockClock,
) -> None:
    page = Page()
    view = chat(page)
    async with running(view) as ref:
        assert await send(ref, ActionEvent("submit", {"input": "from the form"})) == Applied()
        assert page.history() == [("user", "from the form")]
        assert view.live.store.read("input") == ""


async def broken_llm(prompt: str, emit: Emit) -> None:
    raise RuntimeError("connection string postgres://admin:hunter2@db")


class BrokenChatView(ChatView):
    llm = async_stream(emits=(Chunk, Done))(broken_llm)


async def test_a_reply_that_fails_with_a_bug_shows_no_internals(
    autojump_clock: trio.testing.MockClock,
) -> None:
    # Only a ModelFailed's text (a reason of demo_chat.failures) is for the person at the
    # page; a bug's may hold secrets (it goes to the log).
    page = Page()
    async with running(BrokenChatView(ChatParams(), sink=page)) as ref:
        await send(ref, InputEvent("input", "hello"))
        await send(ref, ActionEvent("submit"))
        await trio.sleep(DELAY)
        assert page.text("failure") == "The reply failed: something went wrong on the server."
