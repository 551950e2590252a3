"""Markdown to HTML for the chat's assistant replies: safe by construction, highlighted.

Two renderers with the same rules, :func:`render_markdown` (a finished text: fenced code
is highlighted and gets a copy button) and :func:`render_open` (the block still being
written: code is only escaped), and :func:`finished_length`, where a text's finished
blocks end. The rules, in the order they apply:

- CommonMark with tables and strikethrough; raw HTML is off, so ``<script>``, ``<img
  onerror=...>`` and HTML blocks are shown as escaped text, never as markup;
- link reference definitions are off (a definition at the end of a reply would change a
  block rendered long before), and so are images (a model's image URL would load from the
  reader's browser without a click: a tracking pixel, or a leak of the conversation);
  ``![alt](url)`` shows as ``!`` and a link;
- a link's URL must pass markdown-it's ``validateLink`` (no ``javascript:``, ``vbscript:``,
  ``file:``, ``data:``) and :func:`is_safe_url`: ``http``, ``https`` and ``mailto``, or no
  scheme at all (a relative link); any other link is shown as its text;
- a table cell's alignment is a class (``align-center``), as the page's CSP refuses
  inline styles;
- a fence's info string names its language: escaped into ``class="language-..."`` and
  used only to choose a pygments lexer (an unknown one: plain text).

Every character of the output is escaped by markdown-it or pygments, or is markup they
wrote; no sanitizer runs after them (nh3 would parse every render a second time, per
token, to remove what these rules never produce).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Final

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

SAFE_SCHEMES: Final = frozenset({"http", "https", "mailto"})
"""URL schemes a reply's link may have (a link without a scheme is relative)."""

_SCHEME = re.compile(r"\A([^:/?#]*):")


def is_safe_url(url: str) -> bool:
    """Whether a link to ``url`` (as markdown-it normalised it) may be written: its scheme
    is one of :data:`SAFE_SCHEMES`, or it has none (nothing before a ``:`` that comes
    before any ``/``, ``?`` or ``#``).

    >>> is_safe_url("https://example.com"), is_safe_url("/docs"), is_safe_url("JavaScript:x")
    (True, True, False)
    """
    found = _SCHEME.match(url.strip())
    return found is None or found.group(1).lower() in SAFE_SCHEMES


def _markdown(*, highlighted: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable(["reference", "image", "html_block", "html_inline"])
    checked = md.validateLink
    md.validateLink = lambda url: checked(url) and is_safe_url(url)  # type: ignore[method-assign]
    md.core.ruler.push("alignment_classes", _alignment_classes)
    if highlighted:
        md.add_render_rule("fence", _highlighted_fence)
    return md


def _alignment_classes(state: StateCore) -> None:
    """A table cell's alignment as a class (``align-right``), not a ``style`` attribute:
    the page's CSP (``style-src 'self'``) refuses inline styles."""
    for token in state.tokens:
        style = token.attrs.get("style")
        if isinstance(style, str) and style.startswith("text-align:"):
            del token.attrs["style"]
            token.attrSet("class", "align-" + style.removeprefix("text-align:"))


def _highlighted_fence(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A closed fence: a ``div.code-block`` with its language (``data-language``, shown by
    the stylesheet), a ``button.copy`` (the page's script copies the ``code`` element's
    text; its label is the stylesheet's too, so the reply's text is only the reply) and
    the highlighted code."""
    token = tokens[idx]
    language = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
    lexer = _lexer(language.lower()[:40])
    code = highlight(token.content, lexer, _FORMATTER) if lexer else escapeHtml(token.content)
    label = escapeHtml(language)
    css = f' class="language-{label}"' if language else ""
    return (
        f'<div class="code-block" data-language="{label}"><button type="button" class="copy"'
        f' aria-label="Copy code"></button><pre><code{css}>{code}</code></pre></div>\n'
    )


_FORMATTER: Final = HtmlFormatter(nowrap=True)


@functools.lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer | None:
    if not language:
        return None
    try:
        lexer: Lexer = get_lexer_by_name(language)
        return lexer
    except ClassNotFound:
        return None


_HIGHLIGHTED: Final = _markdown(highlighted=True)
_OPEN: Final = _markdown(highlighted=False)


def render_markdown(text: str) -> str:
    """The HTML of ``text``, a finished reply or its finished blocks."""
    html: str = _HIGHLIGHTED.render(text)
    return html


def render_open(text: str) -> str:
    """The HTML of ``text`` while it is being written: as :func:`render_markdown`, but a
    fenced code block is escaped only, without highlighting or copy button."""
    html: str = _OPEN.render(text)
    return html


def finished_length(text: str) -> int:
    """How many characters at the start of ``text`` are finished blocks (see
    :func:`split_finished`)."""
    return split_finished(text)[0]


def split_finished(text: str) -> tuple[int, str]:
    """How many characters at the start of ``text`` are finished blocks, and the
    :func:`render_open` HTML of the rest (from the same parse when nothing finished).

    Finished blocks: no text appended later can change how they render, and they render
    alone as they do in ``text``.

    A top-level block is finished once another top-level block starts after it on a line
    that has ended (the parser never reopens a block it closed, and a line that has
    ended keeps its meaning: ``***`` is a rule, ``****#`` would not be), or when it is a
    fenced code block whose closing fence line has ended. The end of a finished part is
    always a line start.
    """
    tokens = _OPEN.parse(text)
    lines = text.split("\n")  # as markdown-it splits them; all but the last have ended
    cut = 0
    last: Token | None = None
    for token in tokens:  # the top-level blocks' first tokens (an opening or a leaf)
        if token.level == 0 and token.nesting >= 0 and token.map is not None:
            last = token
            start = token.map[0]
            if start < len(lines) - 1:
                cut = start  # a block that starts on a line that has ended
    closed_fence = last is not None and last.type == "fence" and _closed(last, lines)
    if closed_fence and last is not None and last.map is not None:
        cut = last.map[1]
    if cut == 0:
        html: str = _OPEN.renderer.render(tokens, _OPEN.options, {})
        return 0, html
    length = sum(len(line) + 1 for line in lines[:cut])
    return length, render_open(text[length:]) if length < len(text) else ""


def _closed(fence: Token, lines: list[str]) -> bool:
    """Whether ``fence`` has a closing line that has ended."""
    if fence.map is None:
        return False
    end = fence.map[1]
    if end - fence.map[0] < 2 or end >= len(lines):
        return False
    closing = lines[end - 1]
    stripped = closing.strip(" \t")
    marker = fence.markup
    return (
        len(closing) - len(closing.lstrip(" ")) < 4
        and stripped.startswith(marker)
        and stripped == marker[0] * len(stripped)
    )
