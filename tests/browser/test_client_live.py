"""client.js against the real endpoint: a page served on 127.0.0.1, driven in Chromium.

The page's Content-Security-Policy forbids eval, so waits use locators, not JS strings.
The application runs in its own thread (its own trio run), so the sync Playwright driver
can wait on the browser while the server works. This is the whole loop: the page's
data attributes, the join, events and client fields sent by the client, and the
patch frames it applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from actorview.endpoint import Application, Route
from actorview.render import Element, h
from actorview.view import View, action, ops, state
from tests.browser.served import served_in_thread

pytestmark = pytest.mark.browser


class Counter(View):
    count = state(int)
    who = state(str, origin="client")
    increment = action(ops.set(count=lambda count: count + 1))

    def render(self) -> Element:
        return h.div(
            h.button("+", id="inc", av_click="increment"),
            h.span(self.count, id="count"),
            h.input(id="name", name="name", value=self.who, av_input="who"),
            h.p("Hello, ", self.who, id="greeting"),
        )


@pytest.fixture
def live_port() -> Iterator[int]:
    app = Application([Route("/", Counter)], secret=b"k" * 32)
    with served_in_thread(app) as port:
        yield port


def test_clicks_and_typing_round_trip_through_the_endpoint(browser: Any, live_port: int) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{live_port}/")
        page.wait_for_selector("#av-root.av-connected")
        for _ in range(3):
            page.click("#inc")
        expect(page.locator("#count")).to_have_text("3")
        page.click("#name")
        page.keyboard.type("Ada")
        expect(page.locator("#greeting")).to_have_text("Hello, Ada")
        expect(page.locator("#name")).to_be_focused()
        assert page.input_value("#name") == "Ada"
    finally:
        page.close()
