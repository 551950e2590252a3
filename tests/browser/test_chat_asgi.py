"""The chat demo under ASGI: ``hypercorn -k trio demo_chat.asgi:app`` in a subprocess.

The same chat as ``python -m demo_chat``, configured from the environment (hypercorn
passes no flags), driven in Debian's Chromium: a reply streams in, and cancel stops it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.demo import free_port, stop
from tests.browser.test_chat_demo import last_assistant, open_chat, send, wait_for_draft

TOKEN_DELAY = 0.08
REPLY_LENGTH = 30

pytestmark = pytest.mark.browser


def wait_until_listening(port: int, process: subprocess.Popen[str], within: float = 20) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"hypercorn exited with {process.returncode}: {output[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"hypercorn did not listen on port {port} within {within} s")


@pytest.fixture(scope="module")
def asgi_url() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hypercorn",
            "-k",
            "trio",
            "--bind",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "1",
            "demo_chat.asgi:app",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={
            **os.environ,
            "ACTORVIEW_SECRET": "x" * 40,
            "ACTORVIEW_CHAT_TOKEN_DELAY": str(TOKEN_DELAY),
            "ACTORVIEW_CHAT_REPLY_LENGTH": str(REPLY_LENGTH),
            "ACTORVIEW_CHAT_HISTORY": "2",
            "ACTORVIEW_CHAT_LOG_LEVEL": "WARNING",
        },
    )
    try:
        wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(process)
    assert process.returncode == 0, "hypercorn must stop cleanly on SIGTERM (lifespan shutdown)"


@pytest.fixture
def chat(browser: Any, asgi_url: str) -> Iterator[Any]:
    page = open_chat(browser, asgi_url)
    yield page
    assert page.console_errors == [], "the client must run cleanly under the page's CSP"
    page.close()


def test_under_hypercorn_a_reply_streams_in_and_cancel_stops_it(chat: Any) -> None:
    send(chat, "hello there")
    first = wait_for_draft(chat, 3)
    later = wait_for_draft(chat, len(first) + 10)
    assert later.startswith(first) and later.startswith("You said hello:")
    chat.click("#cancel")
    chat.wait_for_function("() => !document.querySelector('#draft')")
    stopped = last_assistant(chat)
    assert stopped.endswith("(stopped)")
    chat.wait_for_timeout(int(TOKEN_DELAY * 1000 * 6))
    assert last_assistant(chat) == stopped, "no token may arrive after cancel"
    send(chat, "second prompt")
    assert wait_for_draft(chat, 16).startswith("You said second")
