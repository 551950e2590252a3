"""A stream with ``limit`` in headless Chromium, against a real server on 127.0.0.1: an
unshift ("load older") that prunes the newest items, then new items pushed while the page
reads older ones, never leave a gap in the page; the markers say how many items are not
shown, and "Show newest" starts again from the newest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from actorview.endpoint import Application, Route
from actorview.testing import TrioDriver
from tests.view.limited import Ticker

pytestmark = pytest.mark.browser


@pytest.fixture
def served() -> Iterator[str]:
    app = Application([Route("/", Ticker)], secret=b"browser-limits-" * 3, title="Limits")
    with TrioDriver(real_time=True) as driver:
        port = driver.start(app.serve, "127.0.0.1", 0)
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = browser.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.set_default_timeout(5000)
    yield page
    page.close()


def shown(page: Any) -> list[int]:
    texts: list[str] = page.eval_on_selector_all(
        "#items > li", "els => els.map(e => e.textContent)"
    )
    return [int(text) for text in texts]


def click_and_wait(page: Any, button: str, expected: list[int]) -> None:
    page.click(button)
    page.wait_for_function(
        """expected => JSON.stringify([...document.querySelectorAll('#items > li')]
             .map(e => Number(e.textContent))) === JSON.stringify(expected)""",
        arg=expected,
    )


def test_pushes_while_older_items_are_shown_wait_unseen_and_come_back_by_show_newest(
    page: Any, served: str
) -> None:
    page.goto(served)
    page.wait_for_function("() => document.querySelector('#av-root.av-connected') !== null")
    assert shown(page) == [] and page.is_hidden("#older") and page.is_hidden("#newer")
    for expected in ([1], [2, 1], [3, 2, 1], [4, 3, 2, 1], [5, 4, 3, 2]):
        click_and_wait(page, "#older-one", expected)  # limit 4: the unshift pruned 1
    page.wait_for_selector("#newer:not([hidden])")
    assert page.inner_text("#newer") == "1 newer not shown"
    page.click("#new")  # 6 comes after 1, which is not shown: in the page it would be a gap
    page.wait_for_function("() => document.querySelector('#newer').textContent.startsWith('2')")
    page.click("#new")
    page.wait_for_function("() => document.querySelector('#newer').textContent.startsWith('3')")
    assert shown(page) == [5, 4, 3, 2], "the page still shows one contiguous run"
    assert page.inner_text("#newer") == "3 newer not shown" and page.is_hidden("#older")
    click_and_wait(page, "#show-newest", [7])
    assert page.is_hidden("#newer") and page.is_hidden("#older")
    for expected in ([7, 8], [7, 8, 9], [7, 8, 9, 10], [8, 9, 10, 11]):
        click_and_wait(page, "#new", expected)  # limit 4: the push pruned 7
    page.wait_for_selector("#older:not([hidden])")
    assert page.inner_text("#older") == "1 older not shown"
    assert page.console_errors == []
