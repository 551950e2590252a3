"""Markdown rendered as it streams equals Markdown rendered at once.

Markdown-ish text (headings, lists, quotes, fences, tables, emphasis, links, blank
lines) is split at random token boundaries and streamed into a
:class:`~demo_chat.markdown.MarkdownDraft`: at every step, the finished blocks plus the
open tail rendered as finished are the rendering of the text so far, and a finished
piece is never rendered again; the finished pieces' sources, then the tail, are the text
so far (what a reply's copy button copies), in a streamed reply's history item and in
one rendered from scratch.
"""

from __future__ import annotations

import itertools

import trio
from hypothesis import example, given, settings
from hypothesis import strategies as st
from trio.testing import MockClock

from actorview.render import to_html
from actorview.testing import mount
from actorview.view import Applied
from demo_chat import ChatView, Chunk, Done
from demo_chat.markdown import EMPTY_DRAFT, MarkdownStream, extend, finish, render_markdown
from demo_chat.messages import Message
from demo_chat.view import render_reply
from tests.demo_chat.replies import copied, shown

_PIECES = [
    "# ", "## ", "- ", "* ", "+ ", "1. ", "2) ", "> ", "    ", "  ", " ",
    "```", "```python", "~~~", "`", "**", "*", "_", "~~", "|", "---", "===", ":--",
    "[", "]", "(", ")", "https://example.com", "javascript:alert(1)", "<", ">", "&amp;",
    "\\", "!", "\u2028", "\x0c", "\xa0", "word", "other", "x", "1", "\n", "\n", "\n", "\n\n", "\t",
]  # fmt: skip
texts = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@st.composite
def split_text(draw: st.DrawFn) -> tuple[str, list[str]]:
    text = draw(texts)
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=12)))
    bounds = [0, *cuts, len(text)]
    return text, [text[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=400, deadline=None)
@given(split_text())
def test_streamed_markdown_renders_as_the_whole_text_does(case: tuple[str, list[str]]) -> None:
    text, chunks = case
    draft, sent = EMPTY_DRAFT, ""
    for chunk in chunks:
        before, sources = draft.blocks, draft.sources
        draft = extend(draft, chunk)
        sent += chunk
        assert draft.blocks[: len(before)] == before, "a finished block never changes"
        assert draft.sources[: len(sources)] == sources, "nor does its source"
        assert len(draft.sources) == len(draft.blocks)
        assert "".join(draft.blocks) + render_markdown(draft.tail) == render_markdown(sent)
        assert "".join(draft.sources) + draft.tail == sent
    assert sent == text


@settings(max_examples=200, deadline=None)
@given(split_text(), texts)
@example(("```\n```\n\n", ["```\n```\n\n"]), "")  # a tail that shows nothing
def test_a_finished_reply_is_made_of_the_pieces_it_streamed(
    case: tuple[str, list[str]], other: str
) -> None:
    text, chunks = case
    stream, sent = MarkdownStream(), ""
    for chunk in chunks:
        sent += chunk
        draft = stream.render(sent)
    finished = stream.finished(text)
    assert "".join(finished.blocks) == render_markdown(text).rstrip("\n")
    assert "".join(finished.sources) == text, "the reply's copy is its Markdown source"
    assert len(finished.sources) == len(finished.blocks) and not finished.tail
    if text:  # the streamed blocks as they were (the last maybe without its newline)
        streamed = len(draft.blocks)
        assert finished.blocks[: streamed - 1] == draft.blocks[: streamed - 1]
        assert [b.rstrip("\n") for b in finished.blocks[:streamed]] == [
            b.rstrip("\n") for b in draft.blocks
        ]
        assert finished.sources[:streamed] == draft.sources, "and their sources"
    for fresh in (stream.finished(other), finish(other)):  # rendered from scratch
        assert "".join(fresh.blocks) == render_markdown(other).rstrip("\n")
        assert "".join(fresh.sources) == other


@settings(max_examples=60, deadline=None)
@given(split_text(), st.booleans())
def test_a_reply_in_the_page_copies_its_text_streamed_and_from_scratch(
    case: tuple[str, list[str]], stopped: bool
) -> None:
    """The chat view streams ``text`` into its draft (then ends it, or the user stops
    it) and the page, built from the view's frames, holds the reply's history item whose
    blocks' sources joined (what its copy button copies) are the text; the item rendered
    from scratch (a reload, a history page) copies the same and shows the same."""
    text, chunks = case
    streamed = trio.run(_stream_reply, chunks, stopped, clock=MockClock())  # time stands
    if not text and not stopped:
        assert streamed is None, "an empty reply that ended is not kept"
        return
    assert streamed is not None
    assert copied(streamed) == text
    fresh = to_html(render_reply(Message("assistant", text, stopped)))
    assert copied(fresh) == text
    assert shown(fresh) == shown(streamed), "the same blocks shown"


async def _stream_reply(chunks: list[str], stopped: bool) -> str | None:
    """The HTML of the reply item after ``chunks`` streamed and the reply ended (or was
    stopped), None if there is none. The model's own run waits for a clock that stands
    still: the chunks are told to the view as the model's would be."""
    async with mount(ChatView, {"token_delay": 1.0, "markdown": True}) as view:
        await view.type("#prompt", "hello")
        assert await view.click("#send") == Applied()
        for chunk in chunks:
            await view.send(Chunk(chunk))
        assert view.state["draft"] == "".join(chunks)
        if stopped:
            assert await view.click("#cancel") == Applied()
        else:
            await view.send(Done())
        replies = view.find_all("#history > li[av-key][data-role=assistant]")
        return replies[-1].html if replies else None
