"""The chat's Markdown: assistant replies rendered on the server, safely, as they stream.

:func:`render_markdown` renders a finished reply (rules in ``render``);
:class:`MarkdownStream` renders a streaming one incrementally (``stream``): blocks that
finished are rendered once, only the open one again per token. Needs the ``chat``
extra (markdown-it-py, pygments); the library (``actorview``) never imports it.
"""

from demo_chat.markdown.render import SAFE_SCHEMES, is_safe_url, render_markdown, render_open
from demo_chat.markdown.stream import EMPTY as EMPTY_DRAFT
from demo_chat.markdown.stream import MarkdownDraft, MarkdownStream, extend, finish, start

__all__ = [
    "EMPTY_DRAFT",
    "SAFE_SCHEMES",
    "MarkdownDraft",
    "MarkdownStream",
    "extend",
    "finish",
    "is_safe_url",
    "render_markdown",
    "render_open",
    "start",
]
