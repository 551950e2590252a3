"""The chat's paged history in Debian's Chromium, against ``python -m demo_chat``.

The demo keeps a 300-message sample conversation per page load and shows its newest page
(50). Scrolling ``#history`` to its top must bring the page before above, in place: the
message the person was looking at stays where it was on screen, and nothing is lost or
repeated, until the whole conversation is there and the page stops asking.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from demo_chat.view import HISTORY_PAGE
from tests.browser.demo import demo_server

HISTORY = 300

pytestmark = pytest.mark.browser

FIRST_ITEM = """() => {
  const log = document.querySelector('#history');
  const item = log.firstElementChild;
  return {text: item.textContent, top: item.getBoundingClientRect().top
          - log.getBoundingClientRect().top, scrollTop: log.scrollTop};
}"""

TOP_OF = """(text) => {
  const log = document.querySelector('#history');
  const item = Array.from(log.children).find(li => li.textContent === text);
  return item.getBoundingClientRect().top - log.getBoundingClientRect().top;
}"""

NUMBERS = """() => Array.from(document.querySelectorAll('#history > li[av-key]'),
  li => Number(/^Message (\\d+):/.exec(li.textContent)[1]))"""


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    with demo_server("--history", str(HISTORY), secret="y" * 40) as url:
        yield url


@pytest.fixture
def chat(browser: Any, demo_url: str) -> Iterator[Any]:
    page = browser.new_page(viewport={"width": 900, "height": 700})
    errors: list[str] = []

    def record(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)
    page.goto(demo_url)
    page.wait_for_function("() => document.querySelector('#av-root.av-connected') !== null")
    # Connected is the socket's open; the join's render (with the kept history) follows.
    page.wait_for_function("() => document.querySelectorAll('#history > li[av-key]').length > 0")
    yield page
    assert errors == [], "the client must run cleanly"
    page.close()


def count(page: Any) -> int:
    return int(page.evaluate("() => document.querySelectorAll('#history > li[av-key]').length"))


def test_a_fresh_page_shows_the_newest_page_scrolled_to_its_end(chat: Any) -> None:
    assert chat.evaluate(NUMBERS) == list(range(HISTORY - HISTORY_PAGE + 1, HISTORY + 1))
    log = chat.evaluate(
        "() => { const l = document.querySelector('#history'); return "
        "[l.scrollHeight - l.scrollTop - l.clientHeight, l.getAttribute('av-viewport-top')]; }"
    )
    assert log[0] <= 4 and log[1] == "history"
    chat.wait_for_timeout(300)  # the first item is out of view: nothing is asked for
    assert count(chat) == HISTORY_PAGE


def test_scrolling_to_the_top_brings_older_messages_above_without_moving_the_visible_one(
    chat: Any,
) -> None:
    pages = HISTORY // HISTORY_PAGE
    for loaded in range(2, pages + 1):
        chat.evaluate("() => { document.querySelector('#history').scrollTop = 0; }")
        before = chat.evaluate(FIRST_ITEM)
        chat.wait_for_function(
            "() => document.querySelectorAll('#history > li[av-key]').length"
            f" === {loaded * HISTORY_PAGE}"
        )
        chat.wait_for_timeout(50)  # let the frame's scroll adjustment settle
        moved = chat.evaluate(TOP_OF, before["text"]) - before["top"]
        assert abs(moved) <= 2, f"the message being read moved {moved:.1f} px"
        assert chat.evaluate(FIRST_ITEM)["scrollTop"] > 0, "the older page is above the fold"
    assert chat.evaluate(NUMBERS) == list(range(1, HISTORY + 1))  # in order, no gap, no twin
    chat.evaluate("() => { document.querySelector('#history').scrollTop = 0; }")
    chat.wait_for_timeout(300)
    assert chat.evaluate("() => document.querySelector('#history[av-viewport-top]')") is None
    assert count(chat) == HISTORY, "with nothing older the page stops asking"
