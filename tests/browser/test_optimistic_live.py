"""The chat's client program against the real demo server, under the page's real CSP.

The endpoint does not serve the program yet, so the test serves it on the page's own
origin by intercepting two requests (``/_av/optimistic.js`` and
``/_av/program/ChatView.js``, the URLs docs/OPTIMISTIC.md proposes) and loads them with
``<script src>``: a CSP of ``script-src 'self'`` must accept them, and nothing in them may
need ``eval``. Then a submit's provisional message must be reconciled with the real
server's frames: exactly one user message, under the key the browser proposed.
"""

from __future__ import annotations

from typing import Any

import pytest

from actorview.optimistic import runtime_source
from actorview.optimistic.program import program_source
from demo_chat.view import ChatView
from tests.browser.test_chat_demo import demo_url, open_chat

pytestmark = pytest.mark.browser

__all__ = ["demo_url"]


def serve(body: str) -> Any:
    """A route handler answering with ``body`` (Playwright passes the request as a second
    argument to handlers that take two, so no default-argument lambdas here)."""

    def handle(route: Any) -> None:
        route.fulfill(status=200, content_type="text/javascript; charset=utf-8", body=body)

    return handle


def test_the_program_runs_under_the_csp_and_reconciles_with_the_real_server(
    browser: Any, demo_url: str
) -> None:
    page = open_chat(browser, demo_url)
    page.set_default_timeout(5000)
    try:
        scripts = {
            "_av/optimistic.js": runtime_source(),
            "_av/program/ChatView.js": program_source(ChatView),
        }
        for path, body in scripts.items():
            page.route(demo_url + path, serve(body))
            page.add_script_tag(url=demo_url + path)
        assert page.evaluate("() => Object.keys(globalThis.ActorViewPrograms)") == [
            "demo_chat.view.ChatView"
        ]
        page.locator("#prompt").press_sequentially("hi")
        page.wait_for_function("() => !document.querySelector('#send').disabled")
        page.press("#prompt", "Enter")
        page.wait_for_function(
            "() => [...document.querySelectorAll('#history > li')]"
            ".some(e => e.textContent === 'hi' && !e.hasAttribute('av-provisional'))",
            timeout=5000,
        )
        mine = page.eval_on_selector_all(
            "#history > li[data-role=user]",
            "els => els.filter(e => e.textContent === 'hi').map(e => e.getAttribute('av-key'))",
        )
        assert len(mine) == 1 and mine[0].startswith("c:"), mine
        assert page.console_errors == [], "no CSP violation, no client error"
    finally:
        page.close()
