"""Writing a node tree as HTML, with escaping on by default in every context.

:func:`to_html` is what the first HTTP response sends and what every inserted or replaced
node carries on the wire. The contexts it handles:

- text: ``& < >`` are escaped; inside ``<script>``/``<style>`` (raw text elements,
  where entities do not work) text is written as-is but may not contain the closing tag;
- attribute values: always double-quoted with ``& < > " '`` escaped; ``True`` writes a
  bare attribute, ``False``/``None`` leave it out;
- void elements (``<br>``, ``<input>``...) have no end tag and may not have children;
- ``<pre>``, ``<textarea>`` and ``<listing>`` get an extra newline when their text
  starts with one, since the HTML parser drops the first;
- :class:`~actorview.render._nodes.Raw` is written verbatim: the only way around escaping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from actorview.render._errors import InvalidTree, UnsafeContent
from actorview.render._nodes import (
    AttrValue,
    Element,
    Memo,
    Node,
    Raw,
    StreamDelete,
    StreamInsert,
    StreamOp,
    StreamReset,
    StreamSlot,
    Text,
)

VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)
"""Elements that have no end tag and no children."""

RAW_TEXT_TAGS = frozenset({"script", "style"})
"""Elements whose text is not entity-decoded by the browser."""

NEWLINE_TAGS = frozenset({"pre", "textarea", "listing"})
"""Elements whose first newline the HTML parser drops."""

STREAM_KEY_ATTR = "av-key"
"""The attribute that carries a stream item's key in the page."""

_TEXT_TABLE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR_TABLE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def escape_text(text: str) -> str:
    """Escape ``text`` for an HTML text context."""
    return text.translate(_TEXT_TABLE)


def escape_attr(value: str) -> str:
    """Escape ``value`` for a double-quoted attribute value."""
    return value.translate(_ATTR_TABLE)


def attr_text(value: AttrValue) -> str | None:
    """The string an attribute value puts in the page, or ``None`` when it is left out."""
    if value is None or value is False:
        return None
    if value is True:
        return ""
    if isinstance(value, str):
        return value
    return str(value)


def _raw_text(tag: str, text: str) -> str:
    lowered = text.lower()
    if f"</{tag}" in lowered or "<!--" in lowered:
        raise UnsafeContent(
            f"text inside <{tag}> may not contain '</{tag}' or '<!--' (the browser would "
            f"end the element there); pass data in a data-* attribute instead, or escape "
            "'<' as '\\u003c' inside JS/CSS strings"
        )
    return text


def _attrs_html(attrs: Mapping[str, AttrValue], out: list[str]) -> None:
    for name, value in attrs.items():
        text = attr_text(value)
        if text is None:
            continue
        if text:
            out.append(f' {name}="{escape_attr(text)}"')
        else:
            out.append(f" {name}")


def _children_html(tag: str, children: Iterable[Node], out: list[str]) -> None:
    first = True
    for child in children:
        if isinstance(child, Text):
            if tag in RAW_TEXT_TAGS:
                out.append(_raw_text(tag, child.text))
            else:
                if first and tag in NEWLINE_TAGS and child.text.startswith("\n"):
                    out.append("\n")
                out.append(escape_text(child.text))
        else:
            _write(child, out)
        first = False


def _element_html(
    tag: str, attrs: Mapping[str, AttrValue], children: Iterable[Node], out: list[str]
) -> None:
    out.append(f"<{tag}")
    _attrs_html(attrs, out)
    out.append(">")
    if tag in VOID_TAGS:
        if any(True for _ in children):
            raise InvalidTree(f"<{tag}> is a void element and cannot have children")
        return
    _children_html(tag, children, out)
    out.append(f"</{tag}>")


def stream_item(key: str, node: Element) -> Element:
    """The element a stream item becomes in the page: ``node`` tagged with its key."""
    return Element(node.tag, {**node.attrs, STREAM_KEY_ATTR: key}, node.children, node.key)


def stream_items(ops: Iterable[StreamOp]) -> list[Element]:
    """The items a fresh stream container shows after ``ops`` (its first render)."""
    items: list[tuple[str, Element]] = []
    for op in ops:
        if isinstance(op, StreamReset):
            items.clear()
        elif isinstance(op, StreamDelete):
            items = [item for item in items if item[0] != op.key]
        elif isinstance(op, StreamInsert):
            items = _insert_item(items, op)
    return [stream_item(key, node) for key, node in items]


def _insert_item(items: list[tuple[str, Element]], op: StreamInsert) -> list[tuple[str, Element]]:
    for index, (key, _node) in enumerate(items):
        if key == op.key:
            items[index] = (op.key, op.node)
            return items
    if op.at < 0 or op.at >= len(items):
        items.append((op.key, op.node))
        appended = True
    else:
        items.insert(op.at, (op.key, op.node))
        appended = False
    if op.limit is not None and len(items) > op.limit:
        keep = max(op.limit, 0)
        items = items[len(items) - keep :] if appended else items[:keep]
    return items


def _write(node: Node, out: list[str]) -> None:
    if isinstance(node, Element):
        _element_html(node.tag, node.attrs, node.children, out)
    elif isinstance(node, Text):
        out.append(escape_text(node.text))
    elif isinstance(node, Raw):
        out.append(node.html)
    elif isinstance(node, StreamSlot):
        items: list[Node] = [*stream_items(node.ops)]
        if node.tail is not None:
            items.append(node.tail)
        _element_html(node.tag, node.attrs, items, out)
    elif isinstance(node, Memo):
        _write(node.resolve(), out)
    else:
        raise InvalidTree(f"cannot write {type(node).__name__} {node!r} as HTML: not a node")


def to_html(node: Node) -> str:
    """Write ``node`` (and its subtree) as an HTML string, escaping every text and value.

    Memos are built (and cached) on the way; a stream container shows the items its
    pending ops insert. Example::

        >>> to_html(Element("p", {"title": 'a"b'}, (Text("1 < 2"),)))
        '<p title="a&quot;b">1 &lt; 2</p>'
    """
    out: list[str] = []
    _write(node, out)
    return "".join(out)
