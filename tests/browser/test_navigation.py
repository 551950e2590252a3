"""Live navigation in Chromium against the real endpoint (examples/navigation.py):
patches by link and by action, navigation to another route over the same socket, back
and forward, a deep link, modifier-clicks, and a rejoin at a patched URL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from actorview.endpoint import Limits
from examples.navigation import PAGES, app
from tests.browser.served import served_in_thread

pytestmark = pytest.mark.browser

# Runs before each document's own scripts: counts page loads and live sockets, and can
# hold new sockets off (to a path that refuses them) while a test keeps the page offline.
WATCH = """
window.__loads = (Number(sessionStorage.getItem("loads")) || 0) + 1;
sessionStorage.setItem("loads", String(window.__loads));
window.__sockets = [];
window.__offline = false;
const Real = window.WebSocket;
window.WebSocket = class extends Real {
  constructor(url, protocols) {
    super(window.__offline ? String(url).replace("/_av/live", "/_av/offline") : url, protocols);
    window.__sockets.push(this);
  }
};
"""


@pytest.fixture
def live_port() -> Iterator[int]:
    with served_in_thread(app(secret=b"k" * 32, limits=Limits(rejoin_grace=0.5))) as port:
        yield port


def opened(browser: Any, url: str) -> Any:
    page = browser.new_page()
    page.add_init_script(WATCH)
    page.goto(url)
    page.wait_for_selector("#av-root.av-connected")
    return page


def loads_and_sockets(page: Any) -> list[int]:
    return list(page.evaluate("[window.__loads, window.__sockets.length]"))


def test_patch_by_link_and_action_then_back_and_forward(browser: Any, live_port: int) -> None:
    from playwright.sync_api import expect

    base = f"http://127.0.0.1:{live_port}"
    page = opened(browser, f"{base}/?page=2")
    try:
        expect(page.locator("#page")).to_have_text(f"Page 2 of {PAGES}")  # the deep link
        page.click("#older")
        expect(page.locator("#page")).to_have_text(f"Page 3 of {PAGES}")
        expect(page).to_have_url(f"{base}/?page=3")
        page.click("#last")
        expect(page.locator("#page")).to_have_text(f"Page {PAGES} of {PAGES}")
        expect(page).to_have_url(f"{base}/?page={PAGES}")
        page.go_back()
        expect(page.locator("#page")).to_have_text(f"Page 3 of {PAGES}")
        expect(page).to_have_url(f"{base}/?page=3")
        page.go_back()
        expect(page.locator("#page")).to_have_text(f"Page 2 of {PAGES}")
        page.go_forward()
        expect(page.locator("#page")).to_have_text(f"Page 3 of {PAGES}")
        assert loads_and_sockets(page) == [1, 1]  # no page load, the same socket
    finally:
        page.close()


def test_navigate_to_another_route_over_the_same_socket(browser: Any, live_port: int) -> None:
    from playwright.sync_api import expect

    base = f"http://127.0.0.1:{live_port}"
    page = opened(browser, f"{base}/")
    try:
        page.click("#titles a >> text=Article 4")
        expect(page.locator("#article")).to_have_text("Article 4")
        expect(page).to_have_url(f"{base}/articles/4")
        page.click("#back")  # ops.navigate("/")
        expect(page.locator("#page")).to_have_text(f"Page 1 of {PAGES}")
        expect(page).to_have_url(f"{base}/")
        page.go_back()
        expect(page.locator("#article")).to_have_text("Article 4")
        page.go_forward()
        expect(page.locator("#page")).to_have_text(f"Page 1 of {PAGES}")
        page.click("#older")  # the list's view, mounted by a navigation, patches as well
        expect(page.locator("#page")).to_have_text(f"Page 2 of {PAGES}")
        assert loads_and_sockets(page) == [1, 1]
        page.click("#about")  # no live route serves it: a whole page load (a 404 here)
        expect(page.locator("main.av-error-page")).to_be_visible()
        expect(page).to_have_url(f"{base}/about")
        assert page.evaluate("window.__loads") == 2
    finally:
        page.close()


def test_a_modifier_click_or_target_blank_opens_the_link_normally(
    browser: Any, live_port: int
) -> None:
    from playwright.sync_api import expect

    base = f"http://127.0.0.1:{live_port}"
    page = opened(browser, f"{base}/")
    try:
        with page.context.expect_page() as opening:
            page.click("#older", modifiers=["Control"])
        other = opening.value
        other.wait_for_load_state()
        assert other.url == f"{base}/?page=2"
        expect(other.locator("#page")).to_have_text(f"Page 2 of {PAGES}")
        other.close()
        page.evaluate("document.getElementById('older').target = '_blank'")
        with page.context.expect_page() as opening:
            page.click("#older")  # target=_blank: a new tab, as for any link
        opening.value.close()
        expect(page.locator("#page")).to_have_text(f"Page 1 of {PAGES}")
        expect(page).to_have_url(f"{base}/")
        assert loads_and_sockets(page) == [1, 1]
    finally:
        page.close()


def test_a_rejoin_at_a_patched_url_restores_its_state(browser: Any, live_port: int) -> None:
    from playwright.sync_api import expect

    base = f"http://127.0.0.1:{live_port}"
    page = opened(browser, f"{base}/")
    try:
        page.click("#older")
        page.click("#older")
        expect(page.locator("#page")).to_have_text(f"Page 3 of {PAGES}")
        page.evaluate("window.__offline = true; window.__sockets[0].close()")
        expect(page.locator("#av-root.av-disconnected")).to_be_attached()
        time.sleep(1.5)  # past rejoin_grace: the server has stopped the view
        page.evaluate("window.__offline = false")
        page.wait_for_selector("#av-root.av-connected", timeout=15_000)
        expect(page.locator("#page")).to_have_text(f"Page 3 of {PAGES}")
        page.click("#older")  # the fresh view is at page 3: it goes on to 4
        expect(page.locator("#page")).to_have_text(f"Page 4 of {PAGES}")
        expect(page).to_have_url(f"{base}/?page=4")
        assert page.evaluate("window.__loads") == 1
    finally:
        page.close()
