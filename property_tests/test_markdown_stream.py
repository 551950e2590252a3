"""Markdown rendered as it streams equals Markdown rendered at once.

Markdown-ish text (headings, lists, quotes, fences, tables, emphasis, links, blank
lines) is split at random token boundaries and streamed into a
:class:`~demo_chat.markdown.MarkdownDraft`: at every step, the finished blocks plus the
open tail rendered as finished are the rendering of the text so far, and a finished
piece is never rendered again.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from demo_chat.markdown import EMPTY_DRAFT, MarkdownStream, extend, render_markdown

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
        before = draft.blocks
        draft = extend(draft, chunk)
        sent += chunk
        assert draft.blocks[: len(before)] == before, "a finished block never changes"
        assert "".join(draft.blocks) + render_markdown(draft.tail) == render_markdown(sent)
    assert sent == text


@settings(max_examples=200, deadline=None)
@given(split_text(), texts)
def test_a_finished_reply_is_made_of_the_pieces_it_streamed(
    case: tuple[str, list[str]], other: str
) -> None:
    text, chunks = case
    stream, sent = MarkdownStream(), ""
    for chunk in chunks:
        sent += chunk
        draft = stream.render(sent)
    pieces = stream.finished(text)
    assert "".join(pieces) == render_markdown(text).rstrip("\n")
    if text and draft.tail:
        assert pieces[: len(draft.blocks)] == draft.blocks, "the streamed blocks, as they were"
    assert "".join(stream.finished(other)) == render_markdown(other).rstrip("\n")
