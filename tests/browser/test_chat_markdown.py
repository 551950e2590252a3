"""Markdown replies in Debian's Chromium, against ``python -m demo_chat``.

With the fake model: a Markdown reply streams (its code block highlighted once it has
closed), ends in the history with its table and code, and both copy buttons copy, under
the page's CSP: the reply's copies its Markdown source, joined from its blocks' (each
sent once, with its block), streamed, after a reload, and stopped part way. With a
fake OpenAI-compatible server scripting a hostile reply: no script runs and no element
of the payload exists; a hostile prompt shows as text. The first test saves
docs/chat-markdown.png, the README's screenshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demo_chat.llm import MARKDOWN_REPLY
from tests.browser import test_content_boundaries as boundaries
from tests.browser.demo import demo_server
from tests.browser.test_content_boundaries import scripted, type_and_send
from tests.demo_chat.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.browser

upstream = boundaries.upstream
"""The fake OpenAI-compatible server (module-scoped fixture, as there)."""
openai_demo_url = boundaries.demo_url
"""The demo with ``--llm openai`` on it (module-scoped fixture, as there)."""

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "chat-markdown.png"


@pytest.fixture(scope="module")
def fake_demo_url() -> Iterator[str]:
    with demo_server("--token-delay", "0.03", secret="m" * 40) as url:
        yield url


def open_page(browser: Any, url: str) -> Any:
    context = browser.new_context(
        permissions=["clipboard-read", "clipboard-write"], viewport={"width": 900, "height": 1000}
    )
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(url)
    page.wait_for_function("() => document.querySelector('#av-root.av-connected') !== null")
    return page


@pytest.fixture
def chat(browser: Any, fake_demo_url: str) -> Iterator[Any]:
    page = open_page(browser, fake_demo_url)
    yield page
    assert page.console_errors == [], "the page runs cleanly under its CSP"
    page.context.close()


REPLY = "#history > li[av-key][data-role=assistant]"
"""A kept reply (``li#draft``, the reply while it streams, is the history's tail)."""


def test_a_markdown_reply_streams_highlights_its_code_and_copies(chat: Any) -> None:
    chat.fill("#prompt", "show me markdown")
    chat.press("#prompt", "Enter")
    chat.wait_for_selector("#draft h2", timeout=10_000)  # streaming, already Markdown
    chat.wait_for_selector("#draft .code-block pre code .k", timeout=10_000)  # closed: lit
    chat.wait_for_selector(f"{REPLY} table", timeout=15_000)
    assert chat.locator("#draft").count() == 0, "the streamed reply became its history item"
    reply = chat.locator(REPLY).last
    assert reply.locator("h2").inner_text() == "Markdown, streamed"
    assert reply.locator("strong").inner_text() == "bold"
    assert reply.locator("em").inner_text() == "italic"
    assert reply.locator("a").get_attribute("href") == "https://trio.readthedocs.io"
    assert reply.locator("td.align-center").count() == 2
    code = reply.locator(".code-block pre code.language-python")
    assert code.locator("span.k").count() >= 3, "highlighted by pygments"
    SCREENSHOT.parent.mkdir(exist_ok=True)
    chat.screenshot(path=str(SCREENSHOT))

    reply.locator(".code-block button.copy").click()
    chat.wait_for_selector(f"{REPLY} .code-block button.copy.copied")
    copied = chat.evaluate("() => navigator.clipboard.readText()")
    assert copied == code.text_content()
    assert copied.startswith("async def main() -> None:\n")
    assert copy_reply(chat) == MARKDOWN_REPLY.rstrip(), "the streamed reply's source"

    chat.reload()  # the reply rendered from scratch, from the store
    chat.wait_for_function("() => document.querySelector('#av-root.av-connected') !== null")
    chat.evaluate("() => navigator.clipboard.writeText('')")
    assert chat.locator(f"{REPLY} .code-block pre code span.k").count() >= 3
    assert copy_reply(chat) == MARKDOWN_REPLY.rstrip(), "the same copy after a reload"


def copy_reply(page: Any) -> str:
    """Click the last reply's ``button.copy`` and read what it put on the clipboard."""
    button = page.locator(f"{REPLY} .reply-bar button.copy").last
    button.click()
    page.wait_for_selector(f"{REPLY} .reply-bar button.copy.copied")
    text: str = page.evaluate("() => navigator.clipboard.readText()")
    page.wait_for_selector(f"{REPLY} .reply-bar button.copy:not(.copied)", timeout=5_000)
    return text


HOSTILE = [
    "<script>window.__pwned = 1</script>",
    '\n\n<img src="x" onerror="window.__pwned = 2">',
    " <svg onload=window.__pwned=3>",
    "\n\n[click](javascript:window.__pwned=4)",
    " [data](data:text/html,<script>parent.__pwned=5</script>)",
    '\n\n<iframe src="javascript:parent.__pwned=6"></iframe>',
    '\n\n<div onmouseover="window.__pwned=7">hover</div>',
    "\n\n![x](/nothing.png)",
    '\n\n```js" onmouseover="window.__pwned=8\nalert(1)\n```\n',
    "\n\n| a |\n| - |\n| <img src=x onerror=window.__pwned=9> |",
]

PAYLOAD_ELEMENTS = (
    "#history script, #history img, #history svg, #history iframe, #history [onerror],"
    " #history [onload], #history [onmouseover], #history a[href^='javascript'],"
    " #history a[href^='data'], #draft script, #draft img, #draft iframe"
)


def test_a_hostile_reply_and_prompt_never_run_nor_become_markup(
    browser: Any, openai_demo_url: str, upstream: FakeOpenAIServer
) -> None:
    page = open_page(browser, openai_demo_url)
    upstream.reply = scripted(HOSTILE)
    type_and_send(page, "<script>window.__pwned = 10</script> <img src=x onerror=x> **b**")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#history > li[data-role=assistant] td')].length > 0",
        timeout=15_000,
    )
    page.hover("#history > li[data-role=assistant]")
    assert page.evaluate("() => window.__pwned") is None
    assert page.query_selector_all(PAYLOAD_ELEMENTS) == []
    user = page.locator("#history > li[data-role=user]").last
    assert user.inner_text() == "<script>window.__pwned = 10</script> <img src=x onerror=x> **b**"
    reply = page.locator("#history > li[data-role=assistant]").last.inner_text()
    assert "<script>window.__pwned = 1</script>" in reply  # shown as text
    assert page.console_errors == []
    page.context.close()


MARK_STREAMED = """(selector) => {
  const draft = document.querySelector('#draft');
  const block = draft && draft.querySelector(selector);
  if (!block) return false;
  draft.__streamed = 'reply'; block.__streamed = 'block';
  return true;
}"""
"""Mark ``li#draft`` and a finished block in it with a JS property, once it is there."""

KEPT = """() => {
  const replies = document.querySelectorAll('#history > li[av-key][data-role=assistant]');
  const reply = replies[replies.length - 1];
  const marked = [...reply.querySelectorAll('*')].filter((el) => el.__streamed === 'block');
  return [reply.__streamed, marked.length, reply.hasAttribute('av-tail'), reply.id];
}"""
"""The last kept reply's marks: the very nodes the stream built, if they survived."""


SOURCES = "(reply) => [...reply.querySelectorAll('.markdown [data-md]')].map((b) => b.dataset.md)"
"""A reply item's blocks' Markdown sources, in page order."""


def test_a_finished_reply_keeps_the_nodes_it_streamed(chat: Any) -> None:
    chat.fill("#prompt", "show me markdown")
    chat.press("#prompt", "Enter")
    # The code block, highlighted once its fence closed: a finished block of the draft.
    chat.wait_for_function(MARK_STREAMED, arg=".code-block pre code .k", timeout=10_000)
    chat.wait_for_selector(f"{REPLY} table", timeout=15_000)
    assert chat.locator("#draft").count() == 0
    assert chat.evaluate(KEPT) == ["reply", 1, False, ""], "promoted in place, not re-sent"
    reply = chat.locator(REPLY).last
    assert reply.locator(".code-block pre code span.k").count() >= 3
    sources = reply.evaluate(SOURCES)
    assert "".join(sources) == MARKDOWN_REPLY.rstrip() and len(sources) > 3, "block by block"
    assert reply.locator("[data-copy]").count() == 0
    assert chat.locator("#history > li.turn-actions[av-tail]").count() == 1


def test_a_reply_ending_in_an_open_fence_is_highlighted_in_place(
    browser: Any, openai_demo_url: str, upstream: FakeOpenAIServer
) -> None:
    page = open_page(browser, openai_demo_url)
    lines = [f"    total += {i}\n" for i in range(40)]
    upstream.reply = scripted(["A **paragraph** first.", "\n\n```python\n", "def f():\n", *lines])
    type_and_send(page, "some code please")
    finished = ":scope > div:not(.tail) p strong"  # a finished block, not the open tail
    page.wait_for_function(MARK_STREAMED, arg=finished, timeout=10_000)
    page.wait_for_selector(f"{REPLY} .code-block pre code .k", timeout=20_000)
    assert page.evaluate(KEPT) == ["reply", 1, False, ""]
    code = page.locator(f"{REPLY} .code-block pre code.language-python").last
    assert code.text_content().startswith("def f():\n    total += 0\n")
    assert page.locator("#draft").count() == 0
    assert page.console_errors == []
    page.context.close()


def test_a_stopped_reply_copies_the_part_it_shows_before_and_after_a_reload(chat: Any) -> None:
    chat.fill("#prompt", "show me markdown")
    chat.press("#prompt", "Enter")
    chat.wait_for_selector("#draft .code-block pre code .k", timeout=10_000)  # blocks done
    chat.click("#cancel")
    chat.wait_for_selector(f"{REPLY} .stopped", timeout=10_000)
    shown = copy_reply(chat)
    assert "```python" in shown and MARKDOWN_REPLY.startswith(shown)
    assert len(shown) < len(MARKDOWN_REPLY.rstrip()), "the part that came, not the reply"
    assert "(stopped)" not in shown
    chat.reload()
    chat.wait_for_function("() => document.querySelector('#av-root.av-connected') !== null")
    chat.wait_for_selector(f"{REPLY} .stopped")
    chat.evaluate("() => navigator.clipboard.writeText('')")
    assert copy_reply(chat) == shown, "the stored partial reply copies the same"
