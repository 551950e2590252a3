"""Rendering: HTML nodes and builder (escaping on by default), structural diff, wire patches.

A view's ``render`` returns an :class:`Element` tree, usually built with :data:`h`.
:func:`to_html` writes the first response; afterwards :func:`diff` compares the previous
tree with the new one and yields patch ops, which :func:`encode` turns into the compact
JSON frame described in docs/PROTOCOL.md. The browser applies them with the client's
ES modules (:func:`client_modules`, the entry :func:`client_script_path`); :class:`Document`
is the reference applier in Python that tests (and the test client) use. Every string
that enters a tree is normalised by :func:`normalize_text` (nothing a frame cannot
encode, nothing the browser's HTML parser would change). Example::

    >>> old = h.div(h.p("Hel"))
    >>> new = h.div(h.p("Hello"))
    >>> encode(diff(old, new))
    '[["a",[0,0],"lo"]]'
"""

from pathlib import Path as _FsPath

from actorview.render._builder import Child, HtmlBuilder, TagBuilder, fragment, h, text
from actorview.render._diffing import diff, without_stream_items
from actorview.render._document import Document, DomElement, DomNode, DomText, parse_html
from actorview.render._errors import (
    DuplicateKey,
    InvalidName,
    InvalidTree,
    PatchError,
    RenderError,
    UnsafeContent,
    WireError,
)
from actorview.render._nodes import (
    STREAM_TAIL_ATTR,
    AttrValue,
    Element,
    Markup,
    Memo,
    Node,
    Raw,
    StreamDelete,
    StreamInsert,
    StreamOp,
    StreamReset,
    StreamSlot,
    Text,
    node_key,
    raw,
)
from actorview.render._normalize import TextNormalizer, is_normal_text, normalize_text
from actorview.render._patches import (
    AppendText,
    Patch,
    Path,
    RemoveAttr,
    ReplaceNode,
    SetAttr,
    SetInnerHtml,
    SetText,
    StreamDeleteItem,
    StreamInsertItem,
    StreamPromoteTail,
    StreamResetItems,
    UpdateChildren,
)
from actorview.render._serialize import STREAM_KEY_ATTR, escape_attr, escape_text, to_html
from actorview.render._wire import decode, encode


def client_script_path() -> _FsPath:
    """The path of the browser client's entry module, ``client.js``: load it with
    ``<script type="module">``, served as ``text/javascript`` next to every module of
    ``actorview.optimistic.client_modules()`` (it imports them by those names)."""
    return _FsPath(__file__).with_name("static") / "client.js"


def client_modules() -> dict[str, _FsPath]:
    """The browser client's ES modules this package holds (``client.js`` and what it
    imports from here: patches, events, the socket...), by the name each is served under.
    ``actorview.optimistic.client_modules()`` adds the optimistic ones."""
    return {path.name: path for path in sorted(client_script_path().parent.glob("*.js"))}


def runtime_stylesheet_path() -> _FsPath:
    """The path of ``actorview.css``: the look of the runtime's own notices (``#av-notice``),
    linked from every page before the application's stylesheets, which may restyle it."""
    return _FsPath(__file__).with_name("static") / "actorview.css"


__all__ = [
    "STREAM_KEY_ATTR",
    "STREAM_TAIL_ATTR",
    "AppendText",
    "AttrValue",
    "Child",
    "Document",
    "DomElement",
    "DomNode",
    "DomText",
    "DuplicateKey",
    "Element",
    "HtmlBuilder",
    "InvalidName",
    "InvalidTree",
    "Markup",
    "Memo",
    "Node",
    "Patch",
    "PatchError",
    "Path",
    "Raw",
    "RemoveAttr",
    "RenderError",
    "ReplaceNode",
    "SetAttr",
    "SetInnerHtml",
    "SetText",
    "StreamDelete",
    "StreamDeleteItem",
    "StreamInsert",
    "StreamInsertItem",
    "StreamOp",
    "StreamPromoteTail",
    "StreamReset",
    "StreamResetItems",
    "StreamSlot",
    "TagBuilder",
    "Text",
    "TextNormalizer",
    "UnsafeContent",
    "UpdateChildren",
    "WireError",
    "client_modules",
    "client_script_path",
    "decode",
    "diff",
    "encode",
    "escape_attr",
    "escape_text",
    "fragment",
    "h",
    "is_normal_text",
    "node_key",
    "normalize_text",
    "parse_html",
    "raw",
    "runtime_stylesheet_path",
    "text",
    "to_html",
    "without_stream_items",
]
