"""The chat demo end to end: ``python -m demo_chat`` in a subprocess, Debian's Chromium.

Each test opens the demo the way a person does and checks what they would see. Timing
assertions use generous bounds (the machine is shared); "nothing more arrives" is
checked by waiting several token intervals and comparing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.demo import demo_server

TOKEN_DELAY = 0.08
REPLY_LENGTH = 30

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    options = ["--token-delay", str(TOKEN_DELAY), "--reply-length", str(REPLY_LENGTH)]
    with demo_server(*options, "--history", "2", secret="x" * 40) as url:
        yield url


def open_chat(browser: Any, url: str) -> Any:
    """A page on the demo, joined; it records console errors (CSP violations among them)."""
    page = browser.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(url)
    page.wait_for_function("() => document.querySelector('#prompt') !== null")
    return page


@pytest.fixture
def chat(browser: Any, demo_url: str) -> Iterator[Any]:
    page = open_chat(browser, demo_url)
    yield page
    assert page.console_errors == [], "the client must run cleanly under the page's CSP"
    page.close()


def send(page: Any, text: str) -> None:
    page.fill("#prompt", text)
    page.press("#prompt", "Enter")


MESSAGES = "#history > li[data-role]"
"""The history's messages, the reply being streamed (``li#draft``, its last item while
it streams) included; not the bar of what the last turn can do."""

KEPT = "#history > li[av-key][data-role]"
"""The messages kept in the history (not the streaming reply)."""

NO_DRAFT = "() => !document.querySelector('#draft')"
"""No reply streams: the one that streamed is a history item now."""


def roles(page: Any) -> list[str]:
    found: list[str] = page.eval_on_selector_all(MESSAGES, "els => els.map(e => e.dataset.role)")
    return found


def last_assistant(page: Any) -> str:
    texts = page.eval_on_selector_all(
        f"{KEPT}[data-role=assistant]", "els => els.map(e => e.textContent)"
    )
    return texts[-1] if texts else ""


def wait_for_draft(page: Any, minimum: int) -> str:
    page.wait_for_function(
        "() => (document.querySelector('#draft:not(:has(#thinking))')?.textContent || '').length"
        f" >= {minimum}",
        timeout=10_000,
    )
    return str(page.inner_text("#draft"))


def test_the_message_appears_at_once_then_the_reply_streams_in(chat: Any) -> None:
    assert chat.is_disabled("#send")
    chat.fill("#prompt", "hello there")
    chat.wait_for_function("() => !document.querySelector('#send').disabled")
    # Record whether "thinking…" ever shows: it may come and go between two polls.
    chat.evaluate(
        """() => {
          window.__sawThinking = false;
          window.__messageBeforeToken = false;
          new MutationObserver(() => {
            const thinking = document.querySelector('#history > li#draft:last-child #thinking');
            const text = document.querySelector('#draft:not(:has(#thinking))')?.textContent || '';
            if (thinking && text === '') window.__sawThinking = true;
            const sent = [...document.querySelectorAll('#history > li[data-role=user]')]
              .some(e => e.textContent === 'hello there');
            if (sent && text === '') window.__messageBeforeToken = true;
          }).observe(document.body, {subtree: true, attributes: true, childList: true});
        }"""
    )
    chat.press("#prompt", "Enter")
    chat.wait_for_function(
        "() => [...document.querySelectorAll('#history > li[data-role=user]')]"
        ".some(e => e.textContent === 'hello there')",
        timeout=2000,
    )
    assert chat.input_value("#prompt") == ""
    # Recorded as the page changed: a poll may come after the first token on a busy machine.
    assert chat.evaluate("() => window.__messageBeforeToken"), "the message before any token"
    first = wait_for_draft(chat, 3)
    assert chat.evaluate("() => window.__sawThinking"), "a placeholder until the first token"
    assert chat.locator("#thinking").count() == 0
    later = wait_for_draft(chat, len(first) + 10)
    assert later.startswith(first) and later.startswith("You said hello:")
    assert chat.is_disabled("#send"), "Send is disabled while a reply streams"
    chat.wait_for_function(NO_DRAFT, timeout=15_000)
    assert roles(chat)[-2:] == ["user", "assistant"]
    assert last_assistant(chat).startswith("You said hello:")
    assert "(stopped)" not in last_assistant(chat)


def test_cancel_stops_the_stream_and_keeps_the_partial_reply(chat: Any) -> None:
    send(chat, "please stop")
    wait_for_draft(chat, 20)
    chat.click("#cancel")
    chat.wait_for_function(NO_DRAFT)
    stopped = last_assistant(chat)
    assert stopped.endswith("(stopped)")
    chat.wait_for_timeout(int(TOKEN_DELAY * 1000 * 6))
    assert last_assistant(chat) == stopped, "no token may arrive after cancel"
    assert chat.locator("#draft").count() == 0
    assert chat.is_disabled("#cancel")
    send(chat, "second prompt")
    assert wait_for_draft(chat, 16).startswith("You said second")


def test_a_prompt_sent_while_streaming_supersedes_the_reply(chat: Any) -> None:
    send(chat, "first")
    wait_for_draft(chat, 15)
    send(chat, "again")
    chat.wait_for_function(
        "() => (document.querySelector('#draft')?.textContent || '').startsWith('You said again')",
        timeout=5000,
    )
    assert last_assistant(chat).startswith("You said first:")
    assert last_assistant(chat).endswith("(stopped)")
    assert roles(chat)[-4:] == ["user", "assistant", "user", "assistant"]  # the last streams
    assert chat.locator(f"{MESSAGES}:last-child").get_attribute("id") == "draft"


def test_clear_empties_the_conversation(chat: Any) -> None:
    # The pre-loaded history: the join's render brings it (the socket opens first).
    chat.wait_for_function(f"() => document.querySelectorAll('{KEPT}').length === 2")
    send(chat, "to be cleared")
    wait_for_draft(chat, 5)
    chat.click("#clear")
    chat.wait_for_function(f"() => document.querySelectorAll('{MESSAGES}').length === 0")
    chat.wait_for_timeout(int(TOKEN_DELAY * 1000 * 4))
    assert chat.locator("#draft").count() == 0
    assert roles(chat) == []


def test_two_tabs_are_independent_sessions(browser: Any, demo_url: str) -> None:
    first, second = open_chat(browser, demo_url), open_chat(browser, demo_url)
    try:
        send(first, "only in the first tab")
        wait_for_draft(first, 5)
        second.wait_for_timeout(300)
        assert len(roles(first)) == 4  # the prompt, then its reply streaming
        assert len(roles(second)) == 2
        assert second.locator("#draft").count() == 0
    finally:
        first.close()
        second.close()
