"""The chat's optimistic updates against the real demo server, under the page's real CSP.

The demo serves the runtime and ChatView's client program as scripts of its own origin
(`script-src 'self'`: nothing may need eval). To make the server slow on purpose, the
test sits on the page's WebSocket (Playwright's ``route_web_socket``): it holds the
server's frames back while it looks at the page, then lets them through; it can also
rewrite what the page sends, so that the server disagrees with the browser's prediction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.browser.test_chat_demo import demo_url, open_chat

pytestmark = pytest.mark.browser

__all__ = ["demo_url"]

USER_ITEMS = "#history > li[data-role=user]"


class Wire:
    """The page's socket, routed through the test: frames from the server wait while
    ``hold`` is set; frames from the page pass through ``rewrite``."""

    def __init__(self, page: Any) -> None:
        self.hold = False
        self.held: list[str | bytes] = []
        self.rewrite: Callable[[dict[str, Any]], dict[str, Any]] = lambda frame: frame
        self.page_side: Any = None
        page.route_web_socket("**/_av/live", self._route)

    def _route(self, ws: Any) -> None:
        server = ws.connect_to_server()
        self.page_side = ws
        ws.on_message(lambda message: server.send(self._outgoing(message)))
        server.on_message(self._incoming)

    def _outgoing(self, message: str | bytes) -> str | bytes:
        if isinstance(message, bytes):
            return message
        return json.dumps(self.rewrite(json.loads(message)))

    def _incoming(self, message: str | bytes) -> None:
        if self.hold:
            self.held.append(message)
        else:
            self.page_side.send(message)

    def wait_for_held(self, page: Any, within: float = 10.0) -> None:
        """Wait (letting Playwright run the routes) until the server sent a frame."""
        for _ in range(int(within / 0.05)):
            if self.held:
                return
            page.wait_for_timeout(50)
        raise AssertionError(f"no frame from the server within {within} s")

    def release(self) -> int:
        """Deliver what was held, in order; how many frames that was."""
        self.hold = False
        held, self.held = self.held, []
        for message in held:
            self.page_side.send(message)
        return len(held)


@pytest.fixture
def chat(browser: Any, demo_url: str) -> Iterator[tuple[Any, Wire]]:
    page = browser.new_page()
    wire = Wire(page)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(demo_url)
    page.wait_for_function("() => document.querySelector('#av-root.av-connected') !== null")
    # The kept history (the demo's two sample messages) comes with the live render frame.
    page.wait_for_function("() => document.querySelectorAll('#history > li').length >= 2")
    page.set_default_timeout(5000)
    yield page, wire
    assert page.console_errors == [], "no CSP violation, no client error"
    page.close()


def user_messages(page: Any) -> list[tuple[str, bool]]:
    found: list[tuple[str, bool]] = page.eval_on_selector_all(
        USER_ITEMS, "els => els.map(e => [e.textContent, e.hasAttribute('av-provisional')])"
    )
    return [(text, provisional) for text, provisional in found]


def send_disabled(page: Any) -> bool:
    return bool(page.evaluate("() => document.querySelector('#send').disabled"))


def test_the_program_is_served_by_the_demo_and_runs_under_its_csp(
    browser: Any, demo_url: str
) -> None:
    page = open_chat(browser, demo_url)
    try:
        assert page.evaluate("() => Object.keys(globalThis.ActorViewPrograms)") == [
            # the served ChatView: a user's conversations, each one's reply a job
            "demo_chat.reply_job.UserResumableChatView"
        ]
        assert page.evaluate("() => typeof globalThis.AV.truthy") == "function"
        assert page.console_errors == []
    finally:
        page.close()


def test_with_the_server_held_back_send_follows_typing_and_the_message_shows_at_once(
    chat: tuple[Any, Wire],
) -> None:
    page, wire = chat
    before = len(user_messages(page))
    wire.hold = True
    prompt = page.locator("#prompt")
    assert send_disabled(page)
    prompt.press_sequentially("hi")
    assert not send_disabled(page), "enabled with no frame from the server"
    prompt.fill("   ")
    assert send_disabled(page), "blank: input_valid is false, as in Python"
    prompt.fill("hello there")
    page.press("#prompt", "Enter")
    assert user_messages(page)[before:] == [("hello there", True)], "shown before any answer"
    assert page.input_value("#prompt") == ""
    wire.wait_for_held(page)  # the server has answered; the page has not seen it
    assert user_messages(page)[before:] == [("hello there", True)]
    assert wire.release() > 0
    page.wait_for_function(
        f"() => document.querySelectorAll('{USER_ITEMS}:not([av-provisional])').length "
        f"=== {before + 1}"
    )
    assert user_messages(page)[before:] == [("hello there", False)], "one item: no duplicate"


def test_a_submit_the_real_server_refuses_is_taken_back(chat: tuple[Any, Wire]) -> None:
    page, wire = chat
    before = user_messages(page)

    def blank_the_submit(frame: dict[str, Any]) -> dict[str, Any]:
        if frame.get("t") == "event" and frame.get("name") == "submit":
            return {**frame, "params": {**frame["params"], "input": "   "}}
        return frame

    wire.rewrite = blank_the_submit  # the server's guard then says no: "ignored"
    page.fill("#prompt", "never mind")
    page.press("#prompt", "Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('{USER_ITEMS}').length === {len(before)}"
    )
    assert user_messages(page) == before
    assert page.input_value("#prompt") == "never mind", "the text is back to send again"
    assert not send_disabled(page)


def test_a_submit_sent_before_the_joined_frame_is_not_taken_back_as_lost(
    browser: Any, demo_url: str
) -> None:
    """The page may send as soon as its socket opens, before the server's ``joined``
    frame comes back: that frame's ``ref`` (the last event received when the join was
    taken) is then older than the submit, which went on this very socket after the join
    and will be answered. Only events sent on an earlier socket can be lost."""
    page = browser.new_page()
    wire = Wire(page)
    wire.hold = True  # the joined frame (and all after it) waits: the socket is open
    page.goto(demo_url)
    page.wait_for_function("() => document.querySelector('#prompt') !== null")
    wire.wait_for_held(page)  # the server took the join and answered it
    assert page.locator("#av-root.av-connected").count() == 0, "not joined yet"
    page.fill("#prompt", "early words")
    page.press("#prompt", "Enter")
    assert page.input_value("#prompt") == ""
    page.wait_for_timeout(300)  # the server applies the submit; its frames are held
    wire.release()
    page.wait_for_selector("#av-root.av-connected")
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{USER_ITEMS}:not([av-provisional])')]"
        ".some(e => e.textContent === 'early words')",
        timeout=10_000,
    )
    page.wait_for_timeout(300)  # the submit's reply, after its frames
    assert page.input_value("#prompt") == "", "not rolled back: the server has the message"
    assert [text for text, _ in user_messages(page)].count("early words") == 1
    page.close()
