"""permessage-deflate with Chromium's own inflater and deflater: the browser negotiates it
with the built-in server, and reads every frame, including those a fresh compressor
writes after each quiet spell (``Compression.rest_after``); what it types still arrives.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from actorview.endpoint import Application, Compression, Route
from tests.browser.served import served_in_thread
from tests.browser.test_client_live import Counter

pytestmark = pytest.mark.browser


@pytest.fixture
def resting_port() -> Iterator[int]:
    app = Application(
        [Route("/", Counter)], secret=b"k" * 32, compression=Compression(rest_after=0.05)
    )
    with served_in_thread(app) as port:
        yield port


def test_chromium_negotiates_deflate_with_a_per_message_deflater(
    browser: Any, resting_port: int
) -> None:
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{resting_port}/")
        extensions = page.evaluate(
            """() => new Promise((resolve, reject) => {
                 const ws = new WebSocket(`ws://${location.host}/_av/live`);
                 ws.onopen = () => { resolve(ws.extensions); ws.close(); };
                 ws.onerror = () => reject(new Error("no socket"));
               })"""
        )
    finally:
        context.close()
    assert extensions.startswith("permessage-deflate")
    assert "client_no_context_takeover" in extensions


def test_frames_after_every_rest_of_the_compressor_are_read(
    browser: Any, resting_port: int
) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    sockets: list[Any] = []
    page.on("websocket", lambda ws: sockets.append(ws))  # a bad frame would end one
    try:
        page.goto(f"http://127.0.0.1:{resting_port}/")
        page.wait_for_selector("#av-root.av-connected")
        for spell in range(1, 5):
            for _ in range(3):
                page.click("#inc")
            expect(page.locator("#count")).to_have_text(str(3 * spell))
            time.sleep(0.2)  # quiet: the server lets go of its compressor
        page.click("#name")
        page.keyboard.type("Grace")  # the page's own deflater, message by message
        expect(page.locator("#greeting")).to_have_text("Hello, Grace")
        assert len(sockets) == 1 and not sockets[0].is_closed()
    finally:
        page.close()
