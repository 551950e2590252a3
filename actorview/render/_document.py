"""The reference applier: a small mutable DOM in Python that patch ops are applied to.

It does what ``static/patch.js`` does to the browser's DOM, so the tests can check the
invariant "applying diff(a, b) to a page showing a gives a page showing b" without a
browser, and the test client can follow a view's frames. HTML carried by ops is parsed
the way a browser parses it into a ``<template>`` (void elements, raw text in
``<script>``/``<style>``, the dropped first newline of ``<pre>``/``<textarea>``).

    >>> from actorview.render._builder import h
    >>> from actorview.render._diffing import diff
    >>> old, new = h.p("Hel"), h.p("Hello", title="x")
    >>> doc = Document.from_tree(old)
    >>> doc.apply(diff(old, new)).html()
    '<p title="x">Hello</p>'
"""

from __future__ import annotations

from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any, TypeAlias

from attrs import define, field

from actorview.render._errors import PatchError
from actorview.render._nodes import STREAM_TAIL_ATTR, Node
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
from actorview.render._serialize import (
    NEWLINE_TAGS,
    RAW_TEXT_TAGS,
    STREAM_KEY_ATTR,
    VOID_TAGS,
    escape_attr,
    escape_text,
    to_html,
)


@define(slots=True)
class DomText:
    """A text node."""

    text: str


@define(slots=True)
class DomElement:
    """An element node with string attributes in page order."""

    tag: str
    attrs: dict[str, str] = field(factory=dict)
    children: list[DomNode] = field(factory=list)


DomNode: TypeAlias = DomElement | DomText

Snapshot: TypeAlias = "str | tuple[str, tuple[tuple[str, str], ...], tuple[Snapshot, ...]]"
"""A comparable form of a DOM node: text, or (tag, sorted attributes, children)."""


class _FragmentParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.top = DomElement("#fragment")
        self.stack: list[DomElement] = [self.top]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = DomElement(tag, {name: value or "" for name, value in attrs})
        self._add(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        parent = self.stack[-1]
        if not parent.children and parent.tag in NEWLINE_TAGS and data.startswith("\n"):
            data = data[1:]
        if not data:
            return
        if parent.children and isinstance(parent.children[-1], DomText):
            parent.children[-1].text += data
        else:
            parent.children.append(DomText(data))

    def _add(self, node: DomNode) -> None:
        self.stack[-1].children.append(node)


def parse_html(html: str) -> list[DomNode]:
    """The nodes ``html`` parses into, as in a ``<template>``."""
    parser = _FragmentParser()
    parser.feed(html)
    parser.close()
    return parser.top.children


def _parse_one(html: str) -> DomNode:
    nodes = parse_html(html)
    if len(nodes) != 1:
        raise PatchError(f"expected the HTML of exactly one node, got {len(nodes)}: {html[:80]!r}")
    return nodes[0]


def dom_html(node: DomNode) -> str:
    """Serialise ``node`` the way :func:`~actorview.render.to_html` writes nodes."""
    if isinstance(node, DomText):
        return escape_text(node.text)
    parts = [f"<{node.tag}"]
    for name, value in node.attrs.items():
        parts.append(f' {name}="{escape_attr(value)}"' if value else f" {name}")
    parts.append(">")
    if node.tag in VOID_TAGS:
        return "".join(parts)
    for index, child in enumerate(node.children):
        if isinstance(child, DomText) and node.tag in RAW_TEXT_TAGS:
            parts.append(child.text)
            continue
        if index == 0 and isinstance(child, DomText) and node.tag in NEWLINE_TAGS:
            parts.append("\n" if child.text.startswith("\n") else "")
        parts.append(dom_html(child))
    parts.append(f"</{node.tag}>")
    return "".join(parts)


def snapshot(node: DomNode) -> Snapshot:
    """A comparable value of ``node``'s subtree, independent of attribute order."""
    if isinstance(node, DomText):
        return node.text
    return (
        node.tag,
        tuple(sorted(node.attrs.items())),
        tuple(snapshot(child) for child in node.children),
    )


class Document:
    """A page showing one view: its root node, which patch ops change in place."""

    def __init__(self, root: DomNode) -> None:
        self.root = root

    @classmethod
    def from_html(cls, html: str) -> Document:
        """The page whose view root is the single node ``html`` parses into."""
        return cls(_parse_one(html))

    @classmethod
    def from_tree(cls, tree: Node) -> Document:
        """The page the first response for ``tree`` shows."""
        return cls.from_html(to_html(tree))

    def html(self) -> str:
        """The page's view as HTML."""
        return dom_html(self.root)

    def snapshot(self) -> Snapshot:
        """A comparable value of the page's view."""
        return snapshot(self.root)

    def apply(self, patches: Iterable[Patch]) -> Document:
        """Apply ``patches`` in order (raising :class:`PatchError` if one does not fit)."""
        for op in patches:
            self._apply(op)
        return self

    def node(self, path: Path) -> DomNode:
        """The node at ``path``; a negative step counts from the end (``-1``: a stream
        container's tail, its last child), and must land on a tail (``av-tail``): a
        page whose last child is another node does not show what the server diffed, so
        the op is refused (:class:`PatchError`; the browser then rejoins) rather than
        applied to an item."""
        node: DomNode = self.root
        for depth, index in enumerate(path):
            if not isinstance(node, DomElement) or not -len(node.children) <= index < len(
                node.children
            ):
                raise PatchError(f"path {list(path)} does not exist (stops at depth {depth})")
            node = node.children[index]
            if index < 0 and not _is_tail(node):
                raise PatchError(
                    f"path {list(path)}: step {index} at depth {depth} addresses a stream's "
                    f"tail, but that container's last child is not one (no {STREAM_TAIL_ATTR})"
                )
        return node

    def element(self, path: Path) -> DomElement:
        """The element at ``path``."""
        node = self.node(path)
        if not isinstance(node, DomElement):
            raise PatchError(f"path {list(path)} is a text node, the op needs an element")
        return node

    def text(self, path: Path) -> DomText:
        """The text node at ``path``."""
        node = self.node(path)
        if not isinstance(node, DomText):
            raise PatchError(f"path {list(path)} is an element, the op needs a text node")
        return node

    def _apply(self, op: Patch) -> None:
        match op:
            case AppendText(path=path, text=text):
                self.text(path).text += text
            case SetText(path=path, text=text):
                self.text(path).text = text
            case SetAttr(path=path, name=name, value=value):
                self.element(path).attrs[name] = value
            case RemoveAttr(path=path, name=name):
                self.element(path).attrs.pop(name, None)
            case ReplaceNode(path=path, html=html):
                self._replace(path, _parse_one(html))
            case SetInnerHtml(path=path, html=html):
                self.element(path).children = parse_html(html)
            case UpdateChildren():
                self._update_children(op)
            case StreamInsertItem():
                self._stream_insert(op)
            case StreamDeleteItem(path=path, key=key):
                container = self.element(path)
                container.children = [c for c in container.children if _key_of(c) != key]
            case StreamResetItems(path=path):
                container = self.element(path)
                container.children = [c for c in container.children if _is_tail(c)]
            case StreamPromoteTail():
                self._promote(op)
            case _:
                raise PatchError(f"not a patch op: {op!r}")

    def _replace(self, path: Path, node: DomNode) -> None:
        if not path:
            self.root = node
            return
        parent = self.element(path[:-1])
        if not -len(parent.children) <= path[-1] < len(parent.children):
            raise PatchError(f"path {list(path)} does not exist")
        parent.children[path[-1]] = node

    def _update_children(self, op: UpdateChildren) -> None:
        parent = self.element(op.path)
        old = parent.children
        size = len(old) - len(op.removes) + len(op.inserts)
        final: list[DomNode | None] = [None] * size
        taken = set(op.removes)
        for source, target in op.moves:
            _place(final, target, old[_index(old, source)], op)
            taken.add(source)
        for target, html in op.inserts:
            _place(final, target, _parse_one(html), op)
        staying = iter([node for index, node in enumerate(old) if index not in taken])
        for index, node in enumerate(final):
            if node is None:
                final[index] = next(staying, None)
        if any(node is None for node in final) or next(staying, None) is not None:
            raise PatchError(f"{op!r} does not account for the {len(old)} children exactly")
        parent.children = [node for node in final if node is not None]

    def _stream_insert(self, op: StreamInsertItem) -> None:
        container = self.element(op.path)
        node = _parse_one(op.html)
        children = container.children
        for index, item in enumerate(children):
            if _key_of(item) == op.key:
                children[index] = node
                return
        tail = children[-1:] if children and _is_tail(children[-1]) else []
        items = children[: len(children) - len(tail)]
        appended = op.at < 0 or op.at >= len(items)
        if appended:
            items.append(node)
        else:
            items.insert(op.at, node)
        if op.limit is not None and len(items) > op.limit:
            keep = max(op.limit, 0)
            items = items[len(items) - keep :] if appended else items[:keep]
        container.children = [*items, *tail]

    def _promote(self, op: StreamPromoteTail) -> None:
        container = self.element(op.path)
        children = container.children
        if not (children and _is_tail(children[-1])):
            raise PatchError(f"{op!r}: the container at {list(op.path)} has no tail to promote")
        item = Document(children[-1]).apply(op.ops).root  # its ops are relative to it
        if not isinstance(item, DomElement):
            raise PatchError(f"{op!r}: the promoted tail became a text node, not an item")
        item.attrs.pop(STREAM_TAIL_ATTR, None)
        item.attrs[STREAM_KEY_ATTR] = op.key
        items = children[:-1]
        for index, shown in enumerate(items):
            if _key_of(shown) == op.key:
                items[index] = item  # replaced in place, as an insert of a shown key
                break
        else:
            items.append(item)
            if op.limit is not None and len(items) > op.limit:
                items = items[len(items) - max(op.limit, 0) :]
        container.children = [*items, _parse_one(op.tail)]


def _is_tail(node: DomNode) -> bool:
    return isinstance(node, DomElement) and STREAM_TAIL_ATTR in node.attrs


def _key_of(node: DomNode) -> str | None:
    return node.attrs.get(STREAM_KEY_ATTR) if isinstance(node, DomElement) else None


def _index(items: list[Any], index: int) -> int:
    if not 0 <= index < len(items):
        raise PatchError(f"child index {index} out of range 0..{len(items) - 1}")
    return index


def _place(final: list[DomNode | None], target: int, node: DomNode, op: UpdateChildren) -> None:
    if not 0 <= target < len(final) or final[target] is not None:
        raise PatchError(f"{op!r}: final index {target} is out of range or taken twice")
    final[target] = node
