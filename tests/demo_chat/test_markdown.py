"""The chat's Markdown: what a reply may become in the page, and how it streams.

A reply is the model's text, so anyone who can steer the model (a prompt injection in
a pasted document) writes it: nothing in it may run or become markup the renderer did
not write itself. Checked on the HTML the renderer writes and on the page the view
builds from its frames.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import trio
import trio.testing

from actorview.endpoint import Application
from actorview.render import parse_html
from actorview.render._document import dom_html
from actorview.testing import ViewClient, mount
from actorview.view import Applied
from demo_chat import ChatView, Chunk, Done
from demo_chat.__main__ import parse_args
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.llm import MARKDOWN_REPLY, markdown_tokens, reply_tokens
from demo_chat.markdown import MarkdownStream, is_safe_url, render_markdown, render_open
from demo_chat.openai_view import OpenAIChatView
from demo_chat.server import build_app
from tests.demo_chat.fake_openai_server import FakeOpenAIServer, Reply, content_chunk, sse_event
from tests.demo_chat.opened import fetch_chat
from tests.demo_chat.replies import copied, elements, shown, unwrapped
from tests.endpoint.harness import fetch, running
from tests.endpoint.urls import unhashed

PAYLOADS = [
    "<script>window.__pwned = 1</script>",
    '<img src="x" onerror="window.__pwned = 1">',
    "<svg onload=window.__pwned=1>",
    '<div onclick="window.__pwned = 1">click</div>\n\nafter',
    '<iframe src="javascript:window.__pwned=1"></iframe>',
    "[click](javascript:window.__pwned=1)",
    "[click](JaVaScRiPt:window.__pwned=1)",
    "[click](java&#x09;script:window.__pwned=1)",
    "[click](&#106;avascript:window.__pwned=1)",
    "[click](vbscript:msgbox)",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](file:///etc/passwd)",
    "<javascript:window.__pwned=1>",
    "[ref]\n\n[ref]: javascript:window.__pwned=1",
    '[t](https://example.com "x\\" onmouseover=\\"window.__pwned=1")',
    "![pixel](https://tracker.example/p.png?c=secret)",
    '```python" onmouseover="window.__pwned=1\nprint(1)\n```',
    "| a |\n| - |\n| <script>window.__pwned=1</script> |",
    "**<b onmouseover=x>bold</b>** `<script>`",
]

ALLOWED_TAGS = {
    *("p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "hr", "br"),
    *("strong", "em", "s", "a", "code", "pre", "span", "div", "button"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
ALLOWED_ATTRS = {"href", "title", "class", "type", "aria-label", "data-language", "start"}


PAGE_ATTRS = ALLOWED_ATTRS | {"id", "aria-live", "hidden", "av-key", "data-role", "data-md"}
PAGE_ATTRS |= {"aria-busy", "av-tail"}
"""The view's own attributes around a reply (``#draft``, the history's tail while the
reply streams, a history item, a finished block's Markdown source)."""


def check_inert(html: str, allowed: set[str] = ALLOWED_ATTRS) -> None:
    """``html`` holds only the renderer's own tags and attributes (no ``on*``, no
    ``style``, no ``src``), and safe links; what a payload wrote is text, or inside a
    quoted attribute value such as a link's title."""
    for element in elements(parse_html(html)):
        assert element.tag in ALLOWED_TAGS, (element.tag, html)
        for name, value in element.attrs.items():
            assert name in allowed, (name, html)
            if name == "href":
                assert is_safe_url(value), (value, html)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_in_a_reply_never_becomes_markup(payload: str) -> None:
    check_inert(render_markdown(payload))
    check_inert(render_open(payload))


def test_raw_html_shows_as_text() -> None:
    html = render_markdown("<script>alert(1)</script> and <b>bold</b>")
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_only_http_https_mailto_and_relative_links_are_links() -> None:
    for url in ("https://example.com/a?b#c", "http://x.y", "mailto:a@b.c", "/docs", "#top"):
        assert "<a href=" in render_markdown(f"[x]({url})"), url
    for url in ("javascript:x", "data:text/html,x", "ftp://x.y", "tel:123", "file:///x"):
        assert "<a" not in render_markdown(f"[x]({url})"), url


def test_images_are_not_loaded() -> None:
    html = render_markdown("![pixel](https://tracker.example/p.png)")
    assert "<img" not in html and '<a href="https://tracker.example/p.png">pixel</a>' in html


def test_a_closed_fence_is_highlighted_with_a_copy_button_an_open_one_only_escaped() -> None:
    closed = render_markdown("```python\ndef f(): return '<b>'\n```\n")
    assert '<div class="code-block" data-language="python">' in closed
    assert '<button type="button" class="copy" aria-label="Copy code"></button>' in closed
    assert '<span class="k">def</span>' in closed and "&lt;b&gt;" in closed
    opened = render_open("```python\ndef f(): return '<b>'\n")
    assert opened == (
        "<pre><code class=\"language-python\">def f(): return '&lt;b&gt;'\n</code></pre>\n"
    )


def test_a_table_cell_aligns_by_class_not_by_inline_style() -> None:
    html = render_markdown("| a | b |\n| :-: | --: |\n| 1 | 2 |\n")
    assert "style=" not in html
    assert '<th class="align-center">a</th>' in html and '<td class="align-right">2</td>' in html


def test_the_fake_models_markdown_reply_has_every_kind_of_block() -> None:
    assert "".join(reply_tokens("show me some Markdown", 40)) == MARKDOWN_REPLY.rstrip()
    html = render_markdown(MARKDOWN_REPLY)
    for markup in ("<h2>", "<ul>", "<strong>", "<em>", '<a href="https://', "<code>"):
        assert markup in html, markup
    assert 'class="language-python"' in html and "<table>" in html
    assert len(markdown_tokens(500)) == 500


def test_a_stream_extends_what_it_rendered_and_starts_again_on_a_new_text() -> None:
    stream = MarkdownStream()
    assert stream.render("# Title\n\npara").blocks == (), "the last line has not ended"
    first = stream.render("# Title\n\npara\n")
    assert first.blocks == ("<h1>Title</h1>\n",) and first.tail == "para\n"
    more = stream.render("# Title\n\npara\nmore")
    assert more.blocks is first.blocks and more.tail_html == "<p>para\nmore</p>\n"
    other = stream.render("new")
    assert other.blocks == () and other.tail_html == "<p>new</p>\n"


# -- through the view --------------------------------------------------------------------

DELAY = 0.01


def markdown_chat() -> dict[str, object]:
    return {"token_delay": DELAY, "reply_length": 40, "markdown": True}


async def ask(view: ViewClient[Any], prompt: str) -> None:
    await view.type("#prompt", prompt)
    assert await view.click("#send") == Applied()


async def test_a_markdown_reply_is_rendered_with_copy_buttons_and_highlighted_code(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, markdown_chat()) as view:
        await ask(view, "show me markdown")
        await view.settle()
        reply = view.find("#history > li[data-role=assistant]")
        assert reply.html.count('class="copy"') == 2  # the code block's and the reply's
        assert view.has_element("#history li[data-role=assistant] table td.align-center")
        assert view.has_element("#history li[data-role=assistant] .code-block code .k")
        assert view.has_element("#history li[data-role=assistant] .reply-bar button.copy")
        assert copied(reply.html) == MARKDOWN_REPLY.rstrip()
        assert not view.has_element("#draft")


async def test_a_finished_block_is_sent_once_and_a_token_sends_only_the_open_block(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, markdown_chat()) as view:
        mark = view.mark()
        await ask(view, "show me markdown")
        await view.until(lambda v: "trio.sleep" in v.state["draft"])
        frames = view.frames_since(mark, "patch")
        heading = [f for f in frames if "<h2>Markdown, streamed</h2>" in f.text]
        finished = [f for f in heading if '"<div av-key=' in f.text or "<div>" in f.text]
        assert finished, "the heading became a finished block"
        after = frames[frames.index(heading[-1]) + 1 :]
        assert after and all("Markdown, streamed" not in f.text for f in after)
        # The fence is open: each token re-sends its block only, a few hundred bytes.
        assert all(frame.size < 1_000 for frame in after)
        assert view.has_element("#draft .tail pre code.language-python")
        assert not view.has_element("#draft .code-block"), "highlighted once it closes"
        await view.settle()


async def test_a_malicious_reply_streams_into_inert_text(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, markdown_chat()) as view:
        for payload in PAYLOADS:
            for piece in (payload[: len(payload) // 2], payload[len(payload) // 2 :], "\n\n"):
                await view.send(Chunk(piece))
                check_inert(view.find("#draft").html, PAGE_ATTRS)
        await view.send(Done())
        reply = view.find("#history > li[av-key][data-role=assistant]")
        check_inert(reply.html, PAGE_ATTRS)
        assert "<script>" not in json.dumps([f.text for f in view.frames])


async def test_user_messages_stay_plain_text(autojump_clock: trio.testing.MockClock) -> None:
    async with mount(ChatView, markdown_chat()) as view:
        await ask(view, "**not bold** <b>x</b> [l](https://x.y) markdown")
        await view.settle()
        user = view.find("#history > li[data-role=user]")
        assert user.text == "**not bold** <b>x</b> [l](https://x.y) markdown"
        assert "<strong>" not in user.html and "<a " not in user.html


async def test_the_demo_page_loads_its_copy_script_after_the_client_and_no_inline_one() -> None:
    application = build_app(parse_args([]), secret=b"s" * 40)
    async with running(application) as port:
        page, _, _ = await fetch_chat(port)
        script = await fetch(port, "/_av/static/chat.js")
    sources = re.findall(r"<script([^>]*)>", unhashed(page.body))
    assert all(' src="/' in attributes for attributes in sources), "no inline script"
    assert sources[-1] == ' src="/_av/static/chat.js" defer'
    assert "client.js" in sources[-2]
    assert script.status == 200 and "navigator.clipboard.writeText" in script.body
    with pytest.raises(
        ValueError, match=re.escape("script 'missing.js' is not among static_files")
    ):
        Application([], scripts=["missing.js"])


async def test_a_finished_reply_becomes_its_history_item_in_place_not_sent_again(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, markdown_chat()) as view:
        await ask(view, "show me markdown")
        await view.until(lambda v: "per token" in v.state["draft"])  # the table is open
        mark = view.mark()
        await view.settle()
        ops = [op for f in view.frames_since(mark, "patch") for op in json.loads(f.text)]
        (promote,) = [op for op in ops if op[0] == "p"]
        assert not [op for op in ops if op[0] == "i"], "the reply is not inserted whole"
        sent = json.dumps(promote[3])
        assert "Markdown, streamed" not in sent, "nor its source: the blocks brought it"
        assert "<h2>" not in sent and "data-copy" not in sent
        assert "<table>" in sent, "the block open at the end, finished"
        assert sent.count("data-md") == 1, "with its source, the one the page lacked"
        assert "| per token |" in sent or "per token" in sent
        reply = view.find("#history > li[av-key][data-role=assistant]")
        assert reply.attrs["class"] == "message assistant md" and "av-tail" not in reply.attrs
        fresh = parse_html(render_markdown(MARKDOWN_REPLY.rstrip()).rstrip("\n"))
        markdown = view.find("#history > li[av-key][data-role=assistant] > .markdown")
        assert unwrapped(markdown.html) == unwrapped(
            '<div class="markdown">' + "".join(dom_html(node) for node in fresh) + "</div>"
        ), "the page shows what a fresh render of the reply shows"
        assert view.has_element("#history > li.turn-actions[av-tail]")
        assert copied(reply.html) == MARKDOWN_REPLY.rstrip()


async def test_each_finished_block_brings_its_source_once_and_the_open_one_none(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, markdown_chat()) as view:
        mark = view.mark()
        await ask(view, "show me markdown")
        await view.until(lambda v: "per token" in v.state["draft"])  # the table is open
        streamed = view.frames_since(mark, "patch")
        assert "data-md" not in view.find("#draft > .tail").html, "the open block: no source"
        draft = parse_html(view.find("#draft").html)
        sources = [e.attrs["data-md"] for e in elements(draft) if "data-md" in e.attrs]
        assert len(sources) > 3 and view.state["draft"].startswith("".join(sources))
        sent = sum(frame.text.count("data-md") for frame in streamed)
        assert sent == len(sources), "each block's source sent once, when it finished"
        await view.settle()
        reply = view.find("#history > li[av-key][data-role=assistant]")
        assert copied(reply.html) == MARKDOWN_REPLY.rstrip()


async def test_a_stopped_reply_copies_what_it_shows(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(ChatView, markdown_chat()) as view:
        await ask(view, "show me markdown")
        await view.until(lambda v: "```python" in v.state["draft"])  # blocks finished
        assert await view.click("#cancel") == Applied()
        await view.settle()
        reply = view.find("#history > li[av-key][data-role=assistant]")
        text = copied(reply.html)
        assert "stopped" in reply.attrs.get("class", "") or "(stopped)" in reply.text
        assert "```python" in text and MARKDOWN_REPLY.startswith(text)
        assert len(text) < len(MARKDOWN_REPLY.rstrip()), "the partial text, not the reply"
        assert shown(reply.html) == unwrapped(render_markdown(text).rstrip("\n")), "as shown"


async def test_a_reply_rendered_from_scratch_copies_as_the_streamed_one() -> None:
    store = SQLiteHistoryStore()
    params = {**markdown_chat(), "token_delay": 0.0, "store": store, "conversation": "c"}
    try:
        async with mount(ChatView, params) as view:
            await ask(view, "show me markdown")
            with trio.fail_after(10):
                await view.until(lambda v: not v.state["streaming"])
            streamed = view.find("#history > li[av-key][data-role=assistant]").html
        async with mount(ChatView, params) as view:  # a reload: the item from the store
            fresh = view.find("#history > li[av-key][data-role=assistant]").html
    finally:
        store.close()
    assert copied(fresh) == copied(streamed) == MARKDOWN_REPLY.rstrip()
    assert shown(fresh) == shown(streamed), "the same blocks, however grouped"
    (only,) = [e for e in elements(parse_html(fresh)) if "data-md" in e.attrs]
    assert only.attrs["data-md"] == MARKDOWN_REPLY.rstrip(), "one block: the whole text"


async def test_a_failed_reply_copies_the_part_it_shows(
    nursery: trio.Nursery, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    tokens = ["# Half", "\n\nof a **reply**", "\n\n- one\n", "- tw"]  # then cut off
    server = FakeOpenAIServer(Reply(body=[sse_event(content_chunk(t)) for t in tokens]))
    await server.start(nursery)
    async with mount(OpenAIChatView, {"base_url": server.base_url, "markdown": True}) as view:
        await ask(view, "tell me")
        with trio.fail_after(10):
            await view.until(lambda v: not v.state["streaming"])
        reply = view.find("#history > li[av-key][data-role=assistant]")
    assert "failed" in reply.attrs["class"] and "cut off" in reply.text
    assert copied(reply.html) == "".join(tokens), "the text it had, not the reason"
    assert shown(reply.html) == unwrapped(render_markdown("".join(tokens)).rstrip("\n"))
