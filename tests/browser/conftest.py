"""A headless Chromium (Debian's, never a downloaded one) shared by all browser tests.

Pages are served with ``page.set_content`` on a page of :data:`ORIGIN`, whose requests the
page's route answers from the package's files: no network. ``client_page`` loads client.js
(an ES module, with the modules it imports) into a page with a view container ``#view``,
and a fake ``WebSocket`` that tests drive by hand (open, deliver a frame, drop), so the
transport is tested without a server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from actorview.optimistic import client_modules

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

FAKE_SOCKET = """
window.__sockets = [];
window.WebSocket = class FakeSocket {
  constructor(url) { this.url = url; this.sent = []; this.readyState = 0; __sockets.push(this); }
  send(data) { this.sent.push(JSON.parse(data)); }
  close() { if (this.readyState !== 3) { this.readyState = 3; this.onclose && this.onclose({}); } }
  open() { this.readyState = 1; this.onopen && this.onopen({}); }
  deliver(frame) { this.onmessage && this.onmessage({data: JSON.stringify(frame)}); }
};
"""

SNAPSHOT = """
window.__snapshot = function snap(node) {
  if (node.nodeType === 3) return node.data;
  const attrs = Array.from(node.attributes, a => [a.name, a.value]).sort(
    (x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return [node.tagName.toLowerCase(), attrs, Array.from(node.childNodes, snap)];
};
"""

ORIGIN = "http://actorview.test"
"""The pages' origin: routed to :func:`_serve`, never resolved."""

PAGE = (
    '<!doctype html><html><head><meta charset="utf-8"></head>'
    '<body><div id="view"></div></body></html>'
)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"browser tests need Debian's chromium at {CHROMIUM}: run bash .ci/setup")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _serve(route: Any) -> None:
    """Answer a page's request: ``/`` is :data:`PAGE`, ``/_av/<name>`` a client module."""
    path = route.request.url[len(ORIGIN) :].partition("?")[0]
    modules = client_modules()
    if path == "/":
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=PAGE)
    elif path.startswith("/_av/") and path[len("/_av/") :] in modules:
        body = modules[path[len("/_av/") :]].read_text(encoding="utf-8")
        route.fulfill(status=200, content_type="text/javascript; charset=utf-8", body=body)
    else:
        route.fulfill(status=404, content_type="text/plain", body="not found\n")


def new_client_page(browser: Any, html: str = PAGE) -> Any:
    """A new page of :data:`ORIGIN` showing ``html``, its requests answered by :func:`_serve`."""
    page = browser.new_page()
    page.route(f"{ORIGIN}/**", _serve)
    page.goto(f"{ORIGIN}/")
    if html != PAGE:
        page.set_content(html)
    return page


def load_client(page: Any) -> None:
    """Load client.js as the endpoint's page does, as a module (it starts on load)."""
    page.add_script_tag(url="/_av/client.js", type="module")


@pytest.fixture(scope="session")
def shared_page(browser: object) -> Iterator[object]:
    """One page for the many patch fixtures: the container is reset between them."""
    page = new_client_page(browser)
    page.add_script_tag(content=SNAPSHOT)
    load_client(page)
    yield page
    page.close()


@pytest.fixture
def client_page(browser: object) -> Iterator[object]:
    """A fresh page with client.js and a fake WebSocket, for behaviour tests."""
    page = new_client_page(browser)
    page.add_script_tag(content=FAKE_SOCKET + SNAPSHOT)
    load_client(page)
    yield page
    page.close()
