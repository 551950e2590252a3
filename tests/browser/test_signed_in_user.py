"""In Chromium: a Starlette app's signed-in user reaches a live view, and a visitor keeps
actorview's anonymous identity across reloads.

The site of tests/asgi/test_starlette_identity.py (``SessionMiddleware``, an auth
backend, login and logout API routes, actorview under ``/app``) is served by hypercorn's
trio worker in a thread; the browser logs in through the API, opens the live page, and
its clicks are answered by the view that knows the user.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
import trio

from actorview import Element, MountContext, View, action, h, ops, state
from actorview.endpoint import IDENTITY_COOKIE, Application, Route
from tests.asgi.test_starlette_identity import SECRET, site

pytestmark = pytest.mark.browser


class Waving(View):
    """Who the page is for, and a live count of waves."""

    who = state(str)
    waves = state(int)
    wave = action(ops.set(waves=lambda waves: waves + 1))

    def mount(self, params: Any, context: MountContext) -> None:
        identity = context.identity
        self.who = "anonymous" if identity.anonymous else str(identity.name)

    def render(self) -> Element:
        return h.div(
            h.p(self.who, id="who"),
            h.p(self.context.identity.id, id="id"),
            h.button("Wave", id="wave", av_click="wave"),
            h.p(f"{self.who} waved {self.waves}", id="waves"),
        )


@attrs.frozen
class Served:
    url: str


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    from hypercorn.config import Config
    from hypercorn.trio import serve

    app = Application([Route("/", Waving)], secret=SECRET, session_keys=("user",))
    config = Config()
    config.bind = ["127.0.0.1:0"]
    config.graceful_timeout = 0.2
    config.accesslog = None
    started: queue.Queue[tuple[int, trio.lowlevel.TrioToken, trio.Event]] = queue.Queue()
    host: Any = site(app)  # an ASGI app; hypercorn's types name its own scope types

    async def main() -> None:
        stop = trio.Event()
        async with trio.open_nursery() as nursery:
            binds: list[str] = await nursery.start(
                functools.partial(serve, host, config, shutdown_trigger=stop.wait)
            )
            port = int(binds[0].rsplit(":", 1)[1])
            started.put((port, trio.lowlevel.current_trio_token(), stop))

    thread = threading.Thread(target=trio.run, args=(main,), daemon=True)
    thread.start()
    port, token, stop = started.get(timeout=10)
    try:
        yield Served(f"http://127.0.0.1:{port}")
    finally:
        token.run_sync_soon(stop.set)
        thread.join(timeout=10)


def test_a_signed_in_user_reaches_the_live_view(browser: Any, served: Served) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{served.url}/api/me")
        page.evaluate("fetch('/api/login?name=alice', {method: 'POST'}).then(r => r.json())")
        page.goto(f"{served.url}/app/")
        assert page.text_content("#who") == "alice"
        page.click("#wave")
        page.wait_for_function(
            "document.querySelector('#waves').textContent === 'alice waved 1'", timeout=10_000
        )
        names = {cookie["name"] for cookie in context.cookies()}
        assert "session" in names and IDENTITY_COOKIE not in names
    finally:
        context.close()


def test_a_visitor_keeps_an_anonymous_identity_across_reloads(browser: Any, served: Served) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{served.url}/app/")
        assert page.text_content("#who") == "anonymous"
        first = page.text_content("#id")
        (cookie,) = [c for c in context.cookies() if c["name"] == IDENTITY_COOKIE]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/app"
        assert page.evaluate("document.cookie").find(IDENTITY_COOKIE) == -1, "HttpOnly"
        page.click("#wave")
        page.wait_for_function(
            "document.querySelector('#waves').textContent === 'anonymous waved 1'",
            timeout=10_000,
        )
        page.reload()
        assert page.text_content("#id") == first, "the same identity after a reload"
    finally:
        context.close()
