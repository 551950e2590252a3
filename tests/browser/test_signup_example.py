"""examples/signup.py in Chromium against the real endpoint: an error beside the field
being typed in, none on fields not yet touched, a submit refused with every error and
the typed text kept, and a valid submit that clears the form (the focused field too)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from actorview.endpoint import Application, Route
from examples.signup import SignupPage
from tests.browser.served import served_in_thread

pytestmark = pytest.mark.browser


@pytest.fixture
def signup_port() -> Iterator[int]:
    app = Application([Route("/", SignupPage)], secret=b"s" * 32)
    with served_in_thread(app) as port:
        yield port


def test_signing_up_in_the_page(browser: Any, signup_port: int) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{signup_port}/")
        page.wait_for_selector("#av-root.av-connected")
        page.locator("#email").press_sequentially("ada@")
        expect(page.locator("#email-error")).to_have_text("An email looks like ada@example.com")
        expect(page.locator("#name-error")).to_have_text("")
        page.locator("#email").press_sequentially("example.com")
        expect(page.locator("#email-error")).to_have_text("")

        page.fill("#age", "9")
        page.click("#join")
        expect(page.locator("#terms-error")).to_have_text("Please accept the terms")
        expect(page.locator("#age-error")).to_have_text("Between 13 and 120")
        expect(page.locator("#name-error")).to_have_text("Tell us your name")
        expect(page.locator("#age")).to_have_value("9")
        expect(page.locator("#email")).to_have_value("ada@example.com")

        page.fill("#age", "36")
        page.fill("#password", "analytical")
        page.fill("#confirm", "analytical")
        page.fill("#birthday", "1815-12-10")
        page.click("#plan-pro")
        page.click("#topic-code")
        page.click("#terms")
        page.fill("#name", "Ada")
        page.press("#name", "Enter")
        expect(page.locator("#welcome")).to_have_text("Welcome, Ada!")
        expect(page.locator("#members li")).to_have_text(["Ada <ada@example.com> (pro)"])
        expect(page.locator("#name")).to_have_value("")
        expect(page.locator("#email")).to_have_value("")
        expect(page.locator("#topic-code")).not_to_be_checked()
        expect(page.locator("#plan-free")).to_be_checked()
        expect(page.locator("#name-error")).to_have_text("")
    finally:
        page.close()
