"""Text no page can hold as it is, in Debian's Chromium, against ``python -m demo_chat``.

The demo runs with ``--llm openai`` against a fake OpenAI-compatible server (in a thread
of the test), which streams what each test scripts. A reply whose first token is only
NUL used to be dropped by the browser's HTML parser, so the page's node addressing went
out of step and it rejoined, losing the reply; a token holding a lone surrogate made a
frame the server could not write, kept for replay, so the page rejoined forever. Both
must now show the reply, with U+FFFD where the character was, on the page's one socket.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import trio

from tests.browser.demo import demo_server
from tests.demo_chat.fake_openai_server import FakeOpenAIServer, Reply, content_chunk

pytestmark = pytest.mark.browser

TOKEN_PAUSE = 0.1
"""Seconds between the fake model's tokens: each token is a frame of its own."""


def scripted(tokens: list[str]) -> Reply:
    """A streamed reply of ``tokens``, written with ``\\u`` escapes as a server may write a
    lone surrogate (valid JSON), one event per token."""
    events = [b"data: " + json.dumps(content_chunk(t)).encode() + b"\n\n" for t in tokens]
    return Reply(body=[*events, b"data: [DONE]\n\n"], delay=TOKEN_PAUSE)


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer()
    started: queue.Queue[tuple[trio.lowlevel.TrioToken, trio.CancelScope]] = queue.Queue()

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            await server.start(nursery)
            started.put((trio.lowlevel.current_trio_token(), nursery.cancel_scope))

    thread = threading.Thread(target=trio.run, args=(main,), daemon=True)
    thread.start()
    token, scope = started.get(timeout=10)
    yield server
    token.run_sync_soon(scope.cancel)
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def demo_url(upstream: FakeOpenAIServer) -> Iterator[str]:
    options = ("--llm", "openai", "--openai-base-url", upstream.base_url)
    with demo_server(*options, secret="c" * 40, env={"OPENAI_API_KEY": "sk-test"}) as url:
        yield url


@pytest.fixture
def chat(browser: Any, demo_url: str) -> Iterator[Any]:
    page = browser.new_page()
    page.console_errors = []
    page.sockets = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("websocket", lambda socket: page.sockets.append(socket.url))
    page.goto(demo_url)
    page.wait_for_function("() => document.querySelector('#av-root.av-connected') !== null")
    yield page
    assert page.console_errors == []
    page.close()


NO_NOTICE = """() => {
  const notice = document.querySelector('#av-notice');
  return !notice || notice.hidden || !notice.textContent;
}"""


def assistant_texts(page: Any) -> list[str]:
    texts: list[str] = page.eval_on_selector_all(
        "#history > li[av-key][data-role=assistant]", "els => els.map(e => e.textContent)"
    )
    return texts


def wait_for_reply(page: Any, text: str) -> None:
    page.wait_for_function(
        "(text) => [...document.querySelectorAll('#history > li[av-key][data-role=assistant]')]"
        ".some(e => e.textContent === text)",
        arg=text,
        timeout=10_000,
    )


def type_and_send(page: Any, text: str) -> None:
    """Type ``text`` as the input's value, lone surrogates and all (a JS string may hold
    one), and press Enter."""
    page.evaluate(
        """(json) => {
          const input = document.querySelector('#prompt');
          input.value = JSON.parse(json);
          input.dispatchEvent(new Event('input', {bubbles: true}));
        }""",
        json.dumps(text),
    )
    page.press("#prompt", "Enter")


def test_a_reply_whose_first_token_is_only_nul_shows_in_step(
    chat: Any, upstream: FakeOpenAIServer
) -> None:
    upstream.reply = scripted(["\x00", " after", " the", " NUL"])
    type_and_send(chat, "first")
    chat.wait_for_function(
        "() => (document.querySelector('#draft')?.textContent || '').startsWith('\\ufffd after')",
        timeout=10_000,
    )
    wait_for_reply(chat, "\ufffd after the NUL")
    assert chat.locator("#draft").count() == 0
    assert len(chat.sockets) == 1, "the page stayed in step: no rejoin"
    assert chat.evaluate(NO_NOTICE)


def test_a_reply_with_a_lone_surrogate_shows_and_the_socket_stays(
    chat: Any, upstream: FakeOpenAIServer
) -> None:
    upstream.reply = scripted(["half", " \ud83d", " of", " a pair\r", "\n"])
    type_and_send(chat, "second")
    # The reply is Markdown: its paragraph shows without the final newline, and its
    # blocks' sources (what its copy button copies) are the text as it came, normalised.
    wait_for_reply(chat, "half \ufffd of a pair")
    copies = chat.eval_on_selector_all(
        "#history > li[av-key][data-role=assistant] > .markdown",
        "els => els.map(e => [...e.querySelectorAll('[data-md]')].map(b => b.dataset.md))",
    )
    assert "".join(copies[-1]) == "half \ufffd of a pair\n"
    chat.wait_for_timeout(500)  # a frame that could not be written would drop the socket
    assert len(chat.sockets) == 1, "no frame failed: no rejoin"
    assert chat.evaluate("() => document.querySelector('#av-root.av-connected') !== null")


def test_a_prompt_with_a_lone_surrogate_is_kept_and_answered(
    chat: Any, upstream: FakeOpenAIServer
) -> None:
    """It used to crash the view in the store's insert, and the message was gone."""
    upstream.reply = scripted(["kept"])
    type_and_send(chat, "odd \ud800 text\x00")
    wait_for_reply(chat, "kept")
    users = chat.eval_on_selector_all(
        "#history > li[data-role=user]", "els => els.map(e => e.textContent)"
    )
    assert users[-1] == "odd \ufffd text\ufffd"
    assert assistant_texts(chat) == ["kept"]
    assert len(chat.sockets) == 1
    assert chat.evaluate(NO_NOTICE), "the view did not crash"
