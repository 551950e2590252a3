"""A reply's Markdown rendered as it streams: finished blocks once, the open block per token.

:class:`MarkdownDraft` is the value: the HTML of the finished blocks (each piece rendered
once, when it finished, and never again) with each piece's Markdown source, and the open
tail, its source and its HTML. The sources joined, then the tail, are the text streamed:
a reply's copy button copies them (each travels to the page once, with its block).
:func:`extend` adds streamed text: only the tail is parsed and rendered again, so the
work per token is bounded by the block being written, not by the reply. The promise,
property-tested (``property_tests/test_markdown_stream.py``) over Markdown-ish text
split at any points::

    "".join(draft.blocks) + render_markdown(draft.tail) == render_markdown(text)
    "".join(draft.sources) + draft.tail == text

:class:`MarkdownStream` is a view's memo of it: given the whole draft on each render, it
extends what it rendered last when the draft only grew (a prefix comparison, a memcmp),
and starts again otherwise.
"""

from __future__ import annotations

import attrs

from demo_chat.markdown.render import render_markdown, split_finished


@attrs.frozen
class MarkdownDraft:
    """A streamed text's rendering.

    Attributes:
        blocks: the HTML of the finished blocks, one piece per time some finished.
        sources: the Markdown source of each piece of ``blocks`` (as many, in order).
        tail: the source of the open blocks (after the finished ones).
        tail_html: ``tail`` as :func:`render_open` renders it (code not highlighted).
    """

    blocks: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    tail: str = ""
    tail_html: str = ""


EMPTY = MarkdownDraft()


def extend(draft: MarkdownDraft, added: str) -> MarkdownDraft:
    """``draft`` with ``added`` streamed at its end: the tail is parsed again, and what of
    it has finished is rendered (highlighted) into a new piece of ``blocks``."""
    if not added:
        return draft
    source = draft.tail + added
    cut, tail_html = split_finished(source)
    blocks, sources = draft.blocks, draft.sources
    if cut:
        blocks = (*blocks, render_markdown(source[:cut]))
        sources = (*sources, source[:cut])
        source = source[cut:]
    return MarkdownDraft(blocks, sources, source, tail_html)


def start(text: str) -> MarkdownDraft:
    """The rendering of ``text`` streamed at once."""
    return extend(EMPTY, text)


class MarkdownStream:
    """The rendering of a text that grows, kept between renders (a memo of :func:`start`).

    :meth:`render` returns what ``start(text)`` returns; when ``text`` is the text of
    the previous call with more at its end, only the addition is rendered.
    """

    def __init__(self) -> None:
        self._text = ""
        self._draft = EMPTY

    def render(self, text: str) -> MarkdownDraft:
        """The rendering of ``text``."""
        previous = self._text
        if text is previous:
            return self._draft
        if text.startswith(previous):  # a memcmp: microseconds for a long reply
            draft = extend(self._draft, text[len(previous) :])
        else:
            draft = start(text)
        self._text, self._draft = text, draft
        return draft

    def finished(self, text: str) -> MarkdownDraft:
        """``text`` finished, in pieces (``blocks``, each with its source in ``sources``;
        no tail): when ``text`` is what :meth:`render` was last given, the very pieces it
        streamed and its open tail rendered finished (code highlighted; a tail of blank
        lines, which shows nothing, an empty piece), so a reply's history item is made
        of the blocks its stream showed; else ``text`` rendered at once, one piece
        (:func:`finish`). Either way the pieces joined are ``render_markdown(text)``
        without its last newline (the reply's text in the page ends where the text
        does), and the sources joined are ``text``."""
        if text != self._text or not text:
            return finish(text)
        draft = self._draft
        html = render_markdown(draft.tail).rstrip("\n") if draft.tail else ""
        if html or not draft.blocks:
            return MarkdownDraft((*draft.blocks, html), (*draft.sources, draft.tail))
        # The tail shows nothing (blank lines): the last block ends the reply's HTML.
        blocks = (*draft.blocks[:-1], draft.blocks[-1].rstrip("\n"))
        if draft.tail:
            return MarkdownDraft((*blocks, ""), (*draft.sources, draft.tail))
        return MarkdownDraft(blocks, draft.sources)


def finish(text: str) -> MarkdownDraft:
    """``text`` finished as one piece (a reply rendered from scratch: a reload, a history
    page), as :meth:`MarkdownStream.finished` describes; no piece for an empty text."""
    if not text:
        return EMPTY
    return MarkdownDraft((render_markdown(text).rstrip("\n"),), (text,))
