"""Two browser tabs in one room (examples/rooms.py), in Chromium: what one says, the
other shows, through the application's topic bus; another room hears nothing."""

from __future__ import annotations

from typing import Any

import pytest

from actorview.pubsub import LocalBus
from examples.rooms import application
from tests.browser.served import served_in_thread

pytestmark = pytest.mark.browser


def test_what_one_tab_says_the_other_tab_of_the_room_shows(browser: Any) -> None:
    from playwright.sync_api import expect

    with served_in_thread(application(LocalBus())) as port:
        ada, bob, cook = (browser.new_page() for _ in range(3))
        try:
            for page, room in ((ada, "lobby"), (bob, "lobby"), (cook, "kitchen")):
                page.goto(f"http://127.0.0.1:{port}/rooms/{room}")
                page.wait_for_selector("#av-root.av-connected")
            ada.fill("#draft", "hello, bob")
            ada.click("#say")
            expect(bob.locator("#said li")).to_have_text(["hello, bob"])
            expect(ada.locator("#said li")).to_have_text(["hello, bob"])
            expect(ada.locator("#draft")).to_have_value("")
            bob.fill("#draft", "hi ada")
            bob.keyboard.press("Enter")
            expect(ada.locator("#said li")).to_have_text(["hello, bob", "hi ada"])
            expect(cook.locator("#said li")).to_have_count(0)
        finally:
            for page in (ada, bob, cook):
                page.close()
