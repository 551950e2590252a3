"""Optimistic updates of the chat in a real browser, against the real ChatView.

The page is built the way the endpoint serves it (tests/browser/programs.py) over the
conftest's fake socket, so the server is as slow as the test wants: nothing reaches the
page until the test delivers it. The server side is a real ChatView under a mock clock
(its LLM never speaks); the frames the test delivers are the ones it renders for the
events the page sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from actorview.render import Document
from actorview.testing._driver import TrioDriver
from actorview.view import Applied
from demo_chat.messages import ChatParams
from demo_chat.view import ChatView
from tests.browser.programs import HandServer, deliver, program_page, sent_events

pytestmark = pytest.mark.browser

HISTORY = "#history > li[av-key]"
"""The history's items (provisional ones too), not its tail: the reply being streamed or
the bar after the last turn."""


@pytest.fixture
def server() -> Iterator[HandServer[ChatView]]:
    with TrioDriver() as driver:
        yield HandServer(
            driver,
            lambda sink: ChatView(
                ChatParams(token_delay=0.05, reply_length=5, history=2), sink=sink
            ),
        )


@pytest.fixture
def chat(browser: Any, server: HandServer[ChatView]) -> Iterator[Any]:
    page = program_page(browser, ChatView, server.first_html)
    yield page
    assert page.console_errors == []
    page.close()


def items(page: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.eval_on_selector_all(
        HISTORY,
        """els => els.map(e => ({text: e.textContent, role: e.dataset.role,
              key: e.getAttribute('av-key'), provisional: e.hasAttribute('av-provisional'),
              html: e.outerHTML}))""",
    )
    return found


def send_disabled(page: Any) -> bool:
    return bool(page.evaluate("() => document.querySelector('#send').disabled"))


def test_send_enables_and_disables_as_the_user_types_while_the_server_is_silent(
    chat: Any,
) -> None:
    assert send_disabled(chat)
    prompt = chat.locator("#prompt")
    prompt.press_sequentially("h")
    assert not send_disabled(chat), "one letter enables Send, with no frame from the server"
    prompt.press("Backspace")
    assert send_disabled(chat)
    prompt.press_sequentially("   ")
    assert send_disabled(chat), "only spaces: input_valid is false, as in Python"
    prompt.press_sequentially("x")
    assert not send_disabled(chat)
    prompt.fill("")
    assert send_disabled(chat)
    assert not any(f.get("t") == "event" for f in chat.evaluate("() => __sockets[0].sent"))


def test_the_server_keeps_send_disabled_while_a_reply_streams(
    chat: Any, server: HandServer[ChatView]
) -> None:
    chat.locator("#prompt").press_sequentially("first")
    chat.press("#prompt", "Enter")
    assert server.event(sent_events(chat)[0]) == Applied()
    for frame in server.frames():
        deliver(chat, frame)
    chat.locator("#prompt").press_sequentially("second")
    assert send_disabled(chat), "streaming: the server-rendered `streaming` keeps Send disabled"


def test_the_message_appears_before_any_frame_then_the_servers_item_takes_its_place(
    chat: Any, server: HandServer[ChatView]
) -> None:
    before = items(chat)
    assert len(before) == 2
    chat.locator("#prompt").press_sequentially("  hello <there> & you  ")
    chat.press("#prompt", "Enter")

    shown = items(chat)
    assert len(shown) == 3, "the user's message is shown before the server answers"
    mine = shown[-1]
    assert mine["provisional"] and mine["role"] == "user"
    assert mine["text"] == "hello <there> & you", "the browser stripped it as Python does"
    last = chat.evaluate("() => document.querySelector('#history').lastElementChild.outerHTML")
    assert "av-tail" in last and "turn-actions" in last, "shown before the history's tail"
    assert chat.input_value("#prompt") == ""
    assert send_disabled(chat)

    (event,) = sent_events(chat)
    assert event["params"]["_av_keys"] == {"1": mine["key"]}
    assert server.event(event) == Applied()
    frames = server.frames()
    assert frames, "the server renders the submit"
    deliver(chat, {"t": "reply", "ref": event["ref"], "outcome": "applied"})
    for frame in frames:
        deliver(chat, frame)
        now = items(chat)
        texts = [item["text"] for item in now]
        assert texts.count("hello <there> & you") == 1, f"a duplicate after {frame}"
        assert len(now) == 3
    final = items(chat)[-1]
    assert final["key"] == mine["key"], "the server used the key the browser proposed"
    tail = chat.evaluate("() => document.querySelector('#history').lastElementChild.id")
    assert tail == "draft", "the reply streams as the history's last item, after the message"
    assert not final["provisional"]
    # Attributes in any order: the server's item may be the history's tail promoted in
    # place (StreamPromoteTail), whose attributes were set one by one.
    drawn = Document.from_html(mine["html"].replace(' av-provisional=""', ""))
    assert Document.from_html(final["html"]).snapshot() == drawn.snapshot(), (
        "the browser drew the item exactly as the server renders it"
    )


def test_the_servers_frame_may_come_before_its_reply(
    chat: Any, server: HandServer[ChatView]
) -> None:
    chat.locator("#prompt").press_sequentially("quick")
    chat.press("#prompt", "Enter")
    (event,) = sent_events(chat)
    server.event(event)
    for frame in server.frames():
        deliver(chat, frame)
        assert [i["text"] for i in items(chat)].count("quick") == 1
    deliver(chat, {"t": "reply", "ref": event["ref"], "outcome": "applied"})
    assert [i["text"] for i in items(chat)].count("quick") == 1
    assert not items(chat)[-1]["provisional"]


def test_a_rejected_submit_removes_the_message_and_restores_the_input(chat: Any) -> None:
    chat.locator("#prompt").press_sequentially("refused")
    chat.press("#prompt", "Enter")
    assert len(items(chat)) == 3 and chat.input_value("#prompt") == ""
    (event,) = sent_events(chat)
    deliver(chat, {"t": "reply", "ref": event["ref"], "outcome": "rejected", "error": "no"})
    assert len(items(chat)) == 2
    assert chat.input_value("#prompt") == "refused"
    assert not send_disabled(chat), "the restored input is valid again"


def test_an_ignored_submit_is_rolled_back_too(chat: Any) -> None:
    chat.locator("#prompt").press_sequentially("ignored")
    chat.press("#prompt", "Enter")
    (event,) = sent_events(chat)
    deliver(chat, {"t": "reply", "ref": event["ref"], "outcome": "ignored", "reason": "x"})
    assert len(items(chat)) == 2
    assert chat.input_value("#prompt") == "ignored"


def test_a_key_the_server_declined_leaves_no_duplicate(
    chat: Any, server: HandServer[ChatView]
) -> None:
    chat.locator("#prompt").press_sequentially("declined")
    chat.press("#prompt", "Enter")
    (event,) = sent_events(chat)
    event["params"]["_av_keys"] = {"1": "not a proposed key"}
    server.event(event)
    deliver(chat, {"t": "reply", "ref": event["ref"], "outcome": "applied"})
    for frame in server.frames():
        deliver(chat, frame)
    shown = items(chat)
    assert [i["text"] for i in shown].count("declined") == 1
    assert not shown[-1]["provisional"] and shown[-1]["key"].startswith("history-")


def test_nothing_is_predicted_for_an_invalid_input(chat: Any) -> None:
    chat.locator("#prompt").press_sequentially("   ")
    chat.press("#prompt", "Enter")
    assert len(items(chat)) == 2
    (event,) = sent_events(chat)
    assert "_av_keys" not in event["params"], "the guard is false: the server decides"


def test_an_event_refused_before_the_view_saw_it_is_rolled_back(chat: Any) -> None:
    chat.locator("#prompt").press_sequentially("too fast")
    chat.press("#prompt", "Enter")
    (event,) = sent_events(chat)
    deliver(chat, {"t": "error", "error": "too many events: slow down", "ref": event["ref"]})
    assert len(items(chat)) == 2
    assert chat.input_value("#prompt") == "too fast"


def rejoin(page: Any, joined: dict[str, Any]) -> None:
    """Drop the socket; the client opens a new one and the server answers its join."""
    page.evaluate("() => __sockets[__sockets.length - 1].close()")
    page.wait_for_function("() => __sockets.length === 2")
    page.evaluate("f => { __sockets[1].open(); __sockets[1].deliver(f); }", joined)


def test_a_submit_lost_with_its_socket_is_taken_back_and_the_text_returns(chat: Any) -> None:
    chat.locator("#prompt").press_sequentially("lost words")
    chat.press("#prompt", "Enter")
    assert items(chat)[-1]["provisional"] and chat.input_value("#prompt") == ""
    rejoin(chat, {"t": "joined", "token": "t2", "seq": 0, "ref": 0})  # it never arrived
    assert [item["provisional"] for item in items(chat)] == [False, False]
    assert chat.input_value("#prompt") == "lost words"
    assert not send_disabled(chat), "the text is back: the user can send it again"


def test_a_submit_the_server_received_waits_for_its_reply_across_the_rejoin(
    chat: Any, server: HandServer[ChatView]
) -> None:
    chat.locator("#prompt").press_sequentially("kept")
    chat.press("#prompt", "Enter")
    (event,) = sent_events(chat)
    assert server.event(event) == Applied()
    rejoin(chat, {"t": "joined", "token": "t2", "seq": 0, "ref": event["ref"]})
    assert items(chat)[-1]["provisional"] and chat.input_value("#prompt") == ""
    for frame in server.frames():  # what the server sends again after the rejoin
        deliver(chat, frame, socket=1)
    deliver(chat, {"t": "reply", "ref": event["ref"], "outcome": "applied"}, socket=1)
    mine = [item for item in items(chat) if item["text"] == "kept"]
    assert len(mine) == 1 and not mine[0]["provisional"]


def test_a_whole_render_keeps_what_the_user_typed(chat: Any, server: HandServer[ChatView]) -> None:
    chat.locator("#prompt").press_sequentially("half a thought")
    chat.evaluate("() => document.activeElement.blur()")  # not kept by the focus rules
    deliver(chat, {"t": "render", "html": server.first_html})
    assert chat.input_value("#prompt") == "half a thought"
    assert not send_disabled(chat)
