"""The chat view as a user meets it: through the test client, by clicks, typing and keys.

Everything here reads the page built from the frames the view sent (so the diff is tested
too) and acts by client.js's rules; ``autojump_clock`` makes every token delay free.
"""

from __future__ import annotations

import json

import pytest
import trio
import trio.testing

from actorview.testing import NotInteractive, ViewClient, mount
from actorview.view import ActionEvent, Applied, Ignored
from demo_chat import ChatView, reply_tokens

DELAY = 0.125  # a binary fraction: deadlines land exactly on multiples of it
LENGTH = 6


def params(history: int = 0, length: int = LENGTH) -> dict[str, object]:
    return {"token_delay": DELAY, "reply_length": length, "history": history}


def history(view: ViewClient[ChatView]) -> list[tuple[str, str]]:
    """``(data-role, text)`` of each kept message (``av-key``: not the history's tail,
    the reply being streamed or the bar after the last turn)."""
    return [(item.attrs["data-role"], item.text) for item in view.find_all(MESSAGES)]


MESSAGES = "#history > li[av-key]"


def reply(prompt: str, length: int = LENGTH) -> str:
    return "".join(reply_tokens(prompt, length))


async def ask(view: ViewClient[ChatView], prompt: str) -> None:
    await view.type("#prompt", prompt)
    assert await view.click("#send") == Applied()


async def test_the_empty_chat_offers_nothing_to_click(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, params()) as view:
        assert history(view) == []
        assert view.is_disabled("#send") and view.is_disabled("#cancel")
        assert view.is_disabled("#clear")
        assert view.text("#token-count") == "0 tokens"


async def test_send_is_enabled_only_for_a_non_blank_input(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, params()) as view:
        await view.type("#prompt", "   ")
        assert view.is_disabled("#send")
        with pytest.raises(NotInteractive, match="disabled"):
            await view.click("#send")
        with pytest.raises(NotInteractive, match="default button button#send"):
            await view.submit("#composer")
        await view.type("#prompt", " hi ")
        assert not view.is_disabled("#send")
        await view.type("#prompt", "")
        assert view.is_disabled("#send")


async def test_enter_with_a_blank_input_reaches_the_server_guard_and_is_ignored(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, params()) as view:
        await view.type("#prompt", "  ")
        outcome = await view.keydown("#prompt", "Enter")  # av-enter-submits: sent anyway
        assert isinstance(outcome, Ignored)
        assert history(view) == []


async def test_submit_shows_the_message_resets_the_input_and_streams_the_reply(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, params()) as view:
        await ask(view, "hello there")
        assert history(view) == [("user", "hello there")]
        assert view.value("#prompt") == ""  # av-reset
        assert view.has_element("#history > li#draft[data-role=assistant] #thinking")
        assert not view.is_disabled("#cancel")
        await view.until(lambda v: v.state["token_count"] == 3)
        assert view.text("#draft") == "".join(reply_tokens("hello there", LENGTH)[:3])
        assert view.text("#token-count") == "3 tokens"
        assert not view.has_element("#thinking")
        await view.settle()
        assert history(view) == [("user", "hello there"), ("assistant", reply("hello there"))]
        assert not view.has_element("#draft")
        assert view.is_disabled("#cancel")
        # the clock starts at 0; the last render may wait one frame interval
        assert LENGTH * DELAY <= trio.current_time() <= LENGTH * DELAY + ChatView.frame_interval


async def test_a_500_token_reply_streams_in_no_test_time(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, params(length=500)) as view:
        await ask(view, "count to five hundred")
        await view.settle()
        assert history(view)[-1] == ("assistant", reply("count to five hundred", 500))
        assert trio.current_time() >= 500 * DELAY
        assert len(view.patch_frames) > 500


async def test_submit_through_the_form_with_fields(autojump_clock: trio.testing.MockClock) -> None:
    async with mount(ChatView, params()) as view:
        assert await view.submit("#composer", {"input": "from the form"}) == Applied()
        assert history(view) == [("user", "from the form")]
        assert view.replies[-1].params == {"input": "from the form"}


async def test_cancel_keeps_the_partial_reply_and_no_token_arrives_after_it(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, params(length=40)) as view:
        await ask(view, "stop me")
        await view.until(lambda v: v.state["token_count"] == 3)
        assert await view.click("#cancel") == Applied()
        partial = "".join(reply_tokens("stop me", 40)[:3])
        assert history(view)[-1] == ("assistant", partial + " (stopped)")
        mark = view.mark()
        await view.advance(100 * DELAY)
        await view.settle()
        assert view.frames_since(mark) == []
        assert not view.has_element("#draft") and view.text("#token-count") == "0 tokens"
        assert view.is_disabled("#cancel")


async def test_enter_while_streaming_supersedes_the_reply(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, params(length=40)) as view:
        await ask(view, "first")
        await view.until(lambda v: v.state["token_count"] == 2)
        await view.type("#prompt", "second")
        assert view.is_disabled("#send")  # a click cannot send while a reply streams
        assert await view.keydown("#prompt", "Enter") == Applied()  # av-enter-submits can
        await view.settle()
        first_part = "".join(reply_tokens("first", 40)[:2])
        assert history(view) == [
            ("user", "first"),
            ("assistant", first_part + " (stopped)"),
            ("user", "second"),
            ("assistant", reply("second", 40)),
        ]
        assert not view.has_element("#draft")


async def test_clear_stops_the_reply_and_empties_the_history(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, params(length=40)) as view:
        await ask(view, "one")
        await view.settle()
        await ask(view, "two")
        await view.until(lambda v: v.state["token_count"] == 1)
        mark = view.mark()
        assert await view.click("#clear") == Applied()
        assert history(view) == []
        assert view.is_disabled("#clear") and view.is_disabled("#cancel")
        ops = [op for frame in view.frames_since(mark, "patch") for op in json.loads(frame.text)]
        assert any(op[0] == "x" for op in ops)  # one reset op, not one delete per item
        await view.advance(50 * DELAY)
        assert history(view) == [] and not view.has_element("#draft")


async def test_a_failed_reply_shows_the_failure_and_the_chat_goes_on(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, params()) as view:
        await ask(view, "fail")
        await view.settle()
        assert view.find("#failure").attrs["role"] == "alert"
        assert "failed" in view.text("#failure")
        await ask(view, "again")
        assert view.has_element("#failure[hidden]")


async def one_token_frame(history_items: int) -> str:
    """The patch frame of the second token of a reply, with ``history_items`` messages
    already in the chat."""
    async with mount(ChatView, params(history=history_items, length=10)) as view:
        assert len(view.find_all(MESSAGES)) == history_items
        await ask(view, "measure")
        await view.until(lambda v: v.state["token_count"] == 1)
        mark = view.mark()
        await view.advance(DELAY)
        frames = view.frames_since(mark, "patch")
        assert len(frames) == 1
        return frames[0].text


async def test_a_token_costs_the_same_bytes_with_3_or_300_history_items(
    autojump_clock: trio.testing.MockClock,
) -> None:
    small, large = await one_token_frame(3), await one_token_frame(300)
    assert small == large
    token = reply_tokens("measure", 10)[1]
    ops = json.loads(small)
    assert ops[0][0] == "a" and ops[0][2] == token  # only the token's text is appended
    assert len(small.encode()) <= len(token.encode()) + 60


async def test_the_history_is_not_re_sent_when_a_message_is_added(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, params(history=300)) as view:
        mark = view.mark()
        await ask(view, "new one")
        await view.settle()
        sent = view.frames_since(mark, "patch")
        text = "".join(frame.text for frame in sent)
        assert "Message 1:" not in text and "Message 300:" not in text
        inserts = [op for frame in sent for op in json.loads(frame.text) if op[0] in "ip"]
        assert len(inserts) == 2  # the user's message and the finished reply
        # the reply is the history's tail (li#draft) promoted in place, not sent again
        assert inserts[-1][0] == "p"
        assert sum(frame.size for frame in sent) < 3000
        assert len(view.find_all(MESSAGES)) == 302


# -- bugs the client found, now fixed: each test pins its fix -------------------------


async def test_what_was_typed_survives_a_click_on_cancel(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, params(length=40)) as view:
        await ask(view, "first")
        await view.type("#prompt", "draft of my next question")
        await view.click("#cancel")  # focus moves to the button, #thinking goes away
        assert view.value("#prompt") == "draft of my next question"


async def test_a_submit_ignored_by_its_guard_still_shows_the_fields_it_wrote(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, params()) as view:
        await view.type("#prompt", "hi")
        assert not view.is_disabled("#send")
        await view.send(ActionEvent("submit", {"input": "  "}))  # the form's blank field
        assert view.state["input"] == "  "
        assert view.is_disabled("#send")
