"""A headless Chromium (Debian's, never a downloaded one) shared by all browser tests.

Pages are served with ``page.set_content``: no network. ``client_page`` loads client.js
into a blank page with a view container ``#view``, and a fake ``WebSocket`` that tests
drive by hand (open, deliver a frame, drop), so the transport is tested without a server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from actorview.render import client_script_path

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


@pytest.fixture(scope="session")
def shared_page(browser: object) -> Iterator[object]:
    """One page for the many patch fixtures: the container is reset between them."""
    page = browser.new_page()  # type: ignore[attr-defined]
    page.set_content(PAGE)
    page.add_script_tag(content=SNAPSHOT)
    page.add_script_tag(path=str(client_script_path()))
    yield page
    page.close()


@pytest.fixture
def client_page(browser: object) -> Iterator[object]:
    """A fresh page with client.js and a fake WebSocket, for behaviour tests."""
    page = browser.new_page()  # type: ignore[attr-defined]
    page.set_content(PAGE)
    page.add_script_tag(content=FAKE_SOCKET + SNAPSHOT)
    page.add_script_tag(path=str(client_script_path()))
    yield page
    page.close()
