"""A headless Chromium (Debian's, never a downloaded one) shared by all browser tests.

Pages are served with ``page.set_content``. ``client_page`` loads client.js (an ES module,
with the modules it imports, from :func:`module_origin` on 127.0.0.1) into a blank page
with a view container ``#view``, and a fake ``WebSocket`` that tests drive by hand (open,
deliver a frame, drop), so the transport is tested without a server.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
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


class _ModuleHandler(http.server.BaseHTTPRequestHandler):
    """``GET /_av/<name>``: a client module, as JavaScript, to any origin (the pages are
    set_content's, of no origin of their own: a module from elsewhere needs CORS)."""

    protocol_version = "HTTP/1.1"  # one connection for all of a page's modules
    disable_nagle_algorithm = True  # the body is not held back for the head's ACK

    def do_GET(self) -> None:
        path = client_modules().get(self.path.removeprefix("/_av/").partition("?")[0])
        body = b"not found\n" if path is None else path.read_bytes()
        self.send_response(404 if path is None else 200)
        self.send_header("Content-Type", "text/javascript; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@functools.cache
def module_origin() -> str:
    """The origin pages load the client's modules from: a server on 127.0.0.1 for the
    whole session (a routed request would cost a round trip to the test per module)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ModuleHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def new_client_page(browser: Any, html: str = PAGE) -> Any:
    """A new page showing ``html``."""
    page = browser.new_page()
    page.set_content(html)
    return page


def load_client(page: Any) -> None:
    """Load client.js as the endpoint's page does, as a module (it starts on load)."""
    page.add_script_tag(url=f"{module_origin()}/_av/client.js", type="module")


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
