"""Conversations that persist, in Chromium against ``python -m demo_chat`` with a SQLite
history file: ``/`` opens the visitor's newest conversation at its ``/c/<id>``; a
reload, a second tab and a restarted server show the same one; the sidebar starts,
renames, deletes and moves between them by live navigation; another visitor (another
browser context, so another identity cookie) can neither open nor list them.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.demo import demo_server, free_port

pytestmark = pytest.mark.browser

EMPTY = "() => !document.querySelector('#history > li[data-role]')"
"""The conversation shown has no message (the history may hold other items: a tail)."""

CONVERSATION = re.compile(r"/c/[A-Za-z0-9_-]+$")


def options(tmp_path: Path) -> list[str]:
    return [
        *("--port", str(free_port()), "--data-dir", str(tmp_path)),
        *("--history-db", str(tmp_path / "chat.sqlite3")),
        *("--token-delay", "0.005", "--reply-length", "8"),
    ]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    with demo_server(*options(tmp_path), secret=None) as url:
        yield url


def joined(page: Any) -> None:
    page.wait_for_selector("#av-root.av-connected")


def shows(page: Any, expected: list[str]) -> bool:
    """Whether the history comes to read ``expected`` (within 15 s): a page reads it
    once its live view has rendered, a moment after it joined."""
    try:
        page.wait_for_function(
            """want => JSON.stringify([...document.querySelectorAll('#history > li[data-role]')]
                 .map(e => e.textContent)) === want""",
            arg=json.dumps(expected, separators=(",", ":"), ensure_ascii=False),
            timeout=15_000,
        )
    except Exception:  # Playwright's TimeoutError: say what it read instead
        raise AssertionError(f"the history reads {texts(page)!r}, not {expected!r}") from None
    return True


MOST_MESSAGES = """(() => {
  window.__mostMessages = 0;
  new MutationObserver(() => {
    const shown = document.querySelectorAll('#history > li[data-role]').length;
    window.__mostMessages = Math.max(window.__mostMessages, shown);
  }).observe(document, {subtree: true, childList: true, attributes: true});
})();"""
"""Counts the most messages the history ever showed, from the page's first byte: a page
that joins after the reply ended hears its ended run replayed (kept for late followers),
and must not show that run's draft beside the kept reply, not even for a frame."""


def texts(page: Any) -> list[str]:
    found: list[str] = page.eval_on_selector_all(
        "#history > li[data-role]", "els => els.map(e => e.textContent)"
    )
    return found


def titles(page: Any) -> list[str]:
    found: list[str] = page.eval_on_selector_all(
        "#conversations a", "els => els.map(e => e.textContent)"
    )
    return found


def ask(page: Any, prompt: str) -> None:
    """Send ``prompt`` and wait for its reply to be kept: both are history items, and
    the reply's tail (``li#draft``, which carries ``data-role`` too) is gone. A reply
    that has ended (Cancel disabled) may still show as the tail until its kept item's
    news comes: reading the history then reads the streamed draft, not the kept reply."""
    before = len(texts(page))
    page.fill("#prompt", prompt)
    page.press("#prompt", "Enter")
    page.wait_for_function(
        f"""() => document.querySelectorAll('#history > li[av-key][data-role]').length
                  === {before + 2} && !document.querySelector('#draft')
                  && document.querySelector('#cancel').disabled""",
        timeout=15_000,
    )


def wait_titles(page: Any, *expected: str) -> None:
    """Wait until the sidebar lists ``expected``, in order."""
    page.wait_for_function(
        "want => [...document.querySelectorAll('#conversations a')]"
        ".map(a => a.textContent).join('|') === want",
        arg="|".join(expected),
    )


def wait_shown(page: Any, url: str, first_message: str) -> None:
    """Wait until the page is at ``url`` and its history starts with ``first_message``."""
    page.wait_for_function(f"() => location.href === {url!r}")
    page.wait_for_function(
        "text => document.querySelector('#history > li[data-role]')?.textContent === text",
        arg=first_message,
    )


def mark(page: Any) -> None:
    """Leave a value on the window: it outlives a live navigation, not a page load."""
    page.evaluate("() => { window.__sameDocument = true }")


def same_document(page: Any) -> bool:
    return bool(page.evaluate("() => window.__sameDocument === true"))


def test_a_reload_a_second_tab_and_a_restart_show_the_same_conversation(
    browser: Any, tmp_path: Path
) -> None:
    flags = options(tmp_path)
    context = browser.new_context()
    context.add_init_script(MOST_MESSAGES)
    try:
        with demo_server(*flags, secret=None) as url:
            page = context.new_page()
            page.goto(url)
            joined(page)
            assert CONVERSATION.search(page.url), page.url
            ask(page, "remember the lighthouse")
            shown = texts(page)
            assert shown[0] == "remember the lighthouse"
            page.reload()
            joined(page)
            assert shows(page, shown)
            page.wait_for_timeout(500)  # the replay of the ended run is heard meanwhile
            assert page.evaluate("() => window.__mostMessages") == 2, "no reply shown twice"
            second = context.new_page()  # the same browser: the same identity cookie
            second.goto(url)  # `/` opens the newest conversation
            joined(second)
            assert second.url == page.url and shows(second, shown)
            second.close()
        with demo_server(*flags, secret=None) as url:
            again = context.new_page()
            again.goto(url)
            joined(again)
            assert again.url == page.url and shows(again, shown)
            assert titles(again) == ["remember the lighthouse"]
            assert again.title() == "remember the lighthouse · actorview chat"
            # the page left open before the restart rejoins and shows it too
            joined(page)
            assert shows(page, shown)
    finally:
        context.close()


def test_the_sidebar_starts_renames_deletes_and_moves_by_live_navigation(
    browser: Any, demo: str
) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(demo)
        joined(page)
        first = page.url
        ask(page, "first topic")
        wait_titles(page, "first topic")
        mark(page)
        page.click("#new-chat")
        page.wait_for_function(f"() => location.href !== {first!r}")
        joined(page)
        page.wait_for_function(EMPTY)
        second = page.url
        assert CONVERSATION.search(second) and same_document(page), "no page load"
        ask(page, "second topic")
        wait_titles(page, "second topic", "first topic")
        assert (
            page.get_attribute("#conversations a[aria-current=page]", "href")
            == second[len(demo) - 1 :]
        )

        page.click("#conversations li:nth-child(2) a.open")  # first topic
        wait_shown(page, first, "first topic")
        assert same_document(page)
        page.go_back()  # to the second conversation, by the browser's history
        wait_shown(page, second, "second topic")
        assert same_document(page)

        page.hover("#conversations li:nth-child(2)")  # its buttons show on hover (or focus)
        page.click("#conversations li:nth-child(2) button.rename")
        page.fill("#conversations form.rename-form input[name=title]", "Renamed first")
        page.press("#conversations form.rename-form input[name=title]", "Enter")
        wait_titles(page, "second topic", "Renamed first")

        page.hover("#conversations li:nth-child(1)")
        page.click("#conversations li:nth-child(1) button.delete")  # the open one
        page.wait_for_selector("#conversations button.delete-confirm:focus")  # asks first
        page.keyboard.press("Enter")  # confirmed from the keyboard
        wait_shown(page, first, "first topic")
        wait_titles(page, "Renamed first")
        page.reload()
        joined(page)
        assert titles(page) == ["Renamed first"]
        status = page.goto(second)
        assert status is not None and status.status == 404, "a deleted conversation is gone"
    finally:
        context.close()


def test_another_visitor_can_neither_open_nor_list_a_conversation(browser: Any, demo: str) -> None:
    owner, stranger = browser.new_context(), browser.new_context()
    try:
        page = owner.new_page()
        page.goto(demo)
        joined(page)
        ask(page, "private matter")
        mine = page.url
        other = stranger.new_page()
        answer = other.goto(mine)
        assert answer is not None and answer.status == 404
        assert "Page not found" in other.inner_text("main")
        assert "private matter" not in other.content()
        other.goto(demo)  # the stranger's own start page: a conversation of their own
        joined(other)
        assert other.url != mine and texts(other) == []
        assert titles(other) == ["New chat"]
        with pytest.raises(urllib.error.HTTPError) as raised:  # no cookie at all
            urllib.request.urlopen(mine, timeout=10)
        assert raised.value.code == 404
    finally:
        owner.close()
        stranger.close()


def test_a_second_tab_follows_the_sidebar_and_leaves_a_conversation_deleted_elsewhere(
    browser: Any, demo: str
) -> None:
    context = browser.new_context()
    try:
        one = context.new_page()
        one.goto(demo)
        joined(one)
        shared = one.url
        ask(one, "shared topic")
        two = context.new_page()
        two.goto(demo)
        joined(two)
        assert two.url == shared
        one.click("#new-chat")
        one.wait_for_function(EMPTY)
        other = one.url
        ask(one, "newer topic")
        wait_titles(two, "newer topic", "shared topic")  # live, no reload of tab two
        item = f'#conversations li[data-id="{shared.rsplit("/", 1)[1]}"]'
        one.hover(item)
        one.click(f"{item} button.rename")
        one.fill("#conversations form.rename-form input[name=title]", "Renamed elsewhere")
        one.press("#conversations form.rename-form input[name=title]", "Enter")
        wait_titles(two, "newer topic", "Renamed elsewhere")
        two.wait_for_function("() => document.title === 'Renamed elsewhere · actorview chat'")
        one.hover(item)
        one.click(f"{item} button.delete")
        one.click("#conversations button.delete-confirm")
        wait_shown(two, other, "newer topic")  # tab two's conversation is gone: the newest
        wait_titles(two, "newer topic")
    finally:
        context.close()
