"""In Chromium, against the real endpoint: the person at a page whose view fails is told.

A view that crashed once comes back showing the ``restarted`` notice; a view whose every
render raises is stopped after its route's restart intensity, and its page shows the
``failed`` notice over its greyed, inert last render; "Try again" reloads the page,
which mounts a fresh view that works. A counter in another tab keeps its count all along.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from actorview.endpoint import Application, Route
from actorview.endpoint._live import FAILED_TEXT, RESTARTED_TEXT
from actorview.testing import TrioDriver
from tests.browser.test_client_live import Counter
from tests.endpoint.flaky import Ledger, LedgerDatabase

pytestmark = pytest.mark.browser


@pytest.fixture
def served() -> Iterator[tuple[LedgerDatabase, Application, str]]:
    db = LedgerDatabase()
    app = Application(
        [
            Route("/", Counter),
            Route("/ledger", Ledger, params={"db": db}, session_param="session"),
        ],
        secret=b"k" * 32,
    )
    with TrioDriver(real_time=True) as driver:
        port = driver.start(app.serve, "127.0.0.1", 0)
        yield db, app, f"http://127.0.0.1:{port}"


def test_the_page_says_it_was_reloaded_then_that_it_stopped_and_try_again_mounts_a_fresh_view(
    browser: Any, served: tuple[LedgerDatabase, Application, str]
) -> None:
    from playwright.sync_api import expect

    db, app, url = served
    counter, ledger = browser.new_page(), browser.new_page()
    try:
        counter.goto(f"{url}/")
        counter.wait_for_selector("#av-root.av-connected")
        for _ in range(3):
            counter.click("#inc")
        expect(counter.locator("#count")).to_have_text("3")
        (counter_session,) = app.sessions

        ledger.goto(f"{url}/ledger")
        ledger.wait_for_selector("#av-root.av-connected")
        ledger.click("#press")
        expect(ledger.locator("#presses")).to_have_text("1")

        # One failed read: the view crashes, restarts afresh, and the page says so.
        db.failing_reads = 1
        ledger.click("#press")
        notice = ledger.locator("#av-notice")
        expect(notice).to_be_visible()
        expect(notice).to_have_attribute("data-kind", "restarted")
        expect(notice.locator(".av-notice-text")).to_have_text(RESTARTED_TEXT)
        expect(ledger.locator("#presses")).to_have_text("0")
        ledger.click("#press")  # the restarted view is live
        expect(ledger.locator("#presses")).to_have_text("1")

        # The database goes down for this session: every restart's render raises too.
        (ledger_session,) = set(app.sessions) - {counter_session}
        db.broken.add(ledger_session)
        ledger.click("#press")
        expect(notice).to_have_attribute("data-kind", "failed", timeout=10_000)
        expect(notice.locator(".av-notice-text")).to_have_text(FAILED_TEXT)
        expect(notice.locator(".av-notice-action")).to_have_text("Try again")
        root = ledger.locator("#av-root")
        expect(root).to_have_attribute("data-av-state", "failed")
        expect(root).to_have_css("opacity", "0.45")  # greyed out by actorview.css
        assert ledger.evaluate("document.getElementById('av-root').inert") is True

        # The other tab never noticed.
        counter.click("#inc")
        expect(counter.locator("#count")).to_have_text("4")

        # Try again: a reload, a new session, a fresh view (the database is back).
        db.broken.clear()
        with ledger.expect_navigation():
            notice.locator(".av-notice-action").click()
        ledger.wait_for_selector("#av-root.av-connected")
        expect(ledger.locator("#av-notice")).to_have_count(0)
        expect(root).not_to_have_attribute("data-av-state", "failed")
        ledger.click("#press")
        expect(ledger.locator("#presses")).to_have_text("1")
    finally:
        counter.close()
        ledger.close()
