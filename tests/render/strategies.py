"""Hypothesis strategies for render trees, and the reference model of what b should show.

Shared by the property tests (Python applier) and the browser tests (client.js), so both
check the same patch sequences. Tags are chosen so the HTML parser never restructures
them (no ``<p>``/``<li>`` auto-closing, no tables), and text avoids ``\\r``/NUL, which
the parser normalises.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from actorview.render import (
    DomElement,
    DomNode,
    DomText,
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
    node_key,
    parse_html,
    to_html,
)
from actorview.render._nodes import STREAM_TAIL_ATTR
from actorview.render._serialize import attr_text, stream_items

CONTAINER_TAGS = ("div", "span", "section", "em", "pre")
VOID_TAGS = ("br", "input")
ATTR_NAMES = ("id", "class", "title", "data-x", "hidden", "value")
KEYS = ("a", "b", "c", "d", "e")
STREAM_KEYS = ("k1", "k2", "k3", "k4")
RAW_SNIPPETS = ("<b>bold</b>", "a &amp; b", "<i>x</i><br>y", "")

texts = st.text(alphabet="ab <>&\"'\n\té€😀", max_size=8)
attr_values = st.one_of(texts, st.booleans(), st.none(), st.integers(-3, 300))
attr_maps = st.dictionaries(st.sampled_from(ATTR_NAMES), attr_values, max_size=3)


def _with_keys(children: list[Node], keys: list[str | None]) -> list[Node]:
    out: list[Node] = []
    for child, key in zip(children, keys, strict=False):
        if isinstance(child, Element) and key is not None:
            out.append(Element(child.tag, child.attrs, child.children, key))
        else:
            out.append(child)
    return out


@st.composite
def keyed_children(draw: st.DrawFn, child: st.SearchStrategy[Node]) -> tuple[Node, ...]:
    items = draw(st.lists(child, max_size=4))
    if draw(st.booleans()):
        keys = draw(st.permutations(KEYS))
        mask = draw(st.lists(st.booleans(), min_size=len(items), max_size=len(items)))
        items = _with_keys(items, [k if m else None for k, m in zip(keys, mask, strict=False)])
    return tuple(items)


def item_elements() -> st.SearchStrategy[Element]:
    return st.builds(
        lambda tag, attrs, text: Element(tag, attrs, (Text(text),)),
        st.sampled_from(("div", "span")),
        attr_maps,
        texts,
    )


def stream_ops() -> st.SearchStrategy[tuple[StreamOp, ...]]:
    insert = st.builds(
        StreamInsert,
        st.sampled_from(STREAM_KEYS),
        item_elements(),
        st.sampled_from((-1, 0, 1, 5)),
        st.sampled_from((None, None, 1, 2, 3)),
    )
    delete = st.builds(StreamDelete, st.sampled_from(STREAM_KEYS))
    kinds: dict[str, st.SearchStrategy[StreamOp]] = {
        "insert": insert,
        "delete": delete,
        "reset": st.just(StreamReset()),
    }
    op = st.sampled_from(("insert", "insert", "insert", "delete", "reset")).flatmap(
        lambda kind: kinds[kind]
    )
    return st.lists(op, max_size=4).map(tuple)


def stream_slots() -> st.SearchStrategy[StreamSlot]:
    """Stream containers: ``s1`` and ``s2`` without a tail, ``t1`` always with one (a
    slot keeps its tail in every render, or has none)."""
    plain = st.builds(
        StreamSlot, st.just("div"), attr_maps, st.sampled_from(("s1", "s2")), stream_ops()
    )
    tailed = st.builds(
        lambda attrs, ops, tail: StreamSlot("div", attrs, "t1", ops, tail=tail),
        attr_maps,
        stream_ops(),
        stream_tails(),
    )
    return st.one_of(plain, tailed)


def stream_tails() -> st.SearchStrategy[Element]:
    """A stream's live tail: an element with any plain children (some of them memos, or
    a stream container of its own), or an empty template (a template's children would
    be its content, not its child nodes)."""
    inner_slot = st.builds(StreamSlot, st.just("div"), attr_maps, st.just("s3"), stream_ops())
    child = st.one_of(plain_trees, plain_trees, plain_trees.map(_memoised), inner_slot)
    return st.one_of(
        st.builds(lambda attrs: Element("template", attrs), attr_maps),
        st.builds(
            lambda attrs, children: Element("section", attrs, children),
            attr_maps,
            keyed_children(child),
        ),
    )


def untailed(tail: Element) -> Element:
    """``tail`` as an item would be: without the ``av-tail`` mark the slot gave it."""
    attrs = {name: value for name, value in tail.attrs.items() if name != STREAM_TAIL_ATTR}
    return Element(tail.tag, attrs, tail.children, tail.key)


@st.composite
def promoted_item(draw: st.DrawFn, tail: Element) -> Element:
    """An item appended where ``tail`` was: the tail as it ended (a small edit of it, as
    a finished reply is of its streaming self), which the diff may promote."""
    item = mutate_node(draw, untailed(tail), small=draw(st.booleans()))
    return item if isinstance(item, Element) else untailed(tail)


def _leaf() -> st.SearchStrategy[Node]:
    text = texts.filter(bool).map(Text)
    return st.one_of(
        text,
        text,
        text,
        st.builds(Element, st.sampled_from(VOID_TAGS), attr_maps),
        st.builds(
            lambda attrs, html: Element("span", attrs, (Raw(html),)),
            attr_maps,
            st.sampled_from(RAW_SNIPPETS),
        ),
        st.builds(lambda attrs, text: Element("textarea", attrs, (Text(text),)), attr_maps, texts),
    )


def _memoised(node: Node) -> Node:
    if isinstance(node, Element):
        return Memo((to_html(node),), lambda: node, node.key)
    return node


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.builds(Element, st.sampled_from(CONTAINER_TAGS), attr_maps, keyed_children(children))


plain_trees: st.SearchStrategy[Node] = st.recursive(_leaf(), _extend, max_leaves=6)
"""Trees without streams (memo content)."""


def _extend_all(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    child = st.one_of(children, stream_slots(), plain_trees.map(_memoised))
    return _extend(child)


nodes: st.SearchStrategy[Node] = st.recursive(_leaf(), _extend_all, max_leaves=10)

roots: st.SearchStrategy[Element] = st.builds(
    Element, st.just("div"), attr_maps, keyed_children(nodes)
)
"""View roots: a ``<div>`` with any children."""


def _mutate_text(draw: st.DrawFn, node: Text) -> Node:
    choice = draw(st.sampled_from(("append", "append", "replace", "same")))
    if choice == "append":
        return Text(node.text + draw(texts.filter(bool)))
    if choice == "replace":
        return Text(draw(texts.filter(bool)))
    return node


def _mutate_children(draw: st.DrawFn, children: tuple[Node, ...], small: bool) -> tuple[Node, ...]:
    kept = [mutate_node(draw, child, small) for child in children]
    if draw(st.booleans()) and kept:
        kept = list(draw(st.permutations(kept)))
    if not small and draw(st.booleans()) and kept:
        del kept[draw(st.integers(0, len(kept) - 1))]
    if not small and draw(st.booleans()):
        kept.insert(draw(st.integers(0, len(kept))), draw(nodes))
    used: set[str] = set()
    out: list[Node] = []
    for child in kept:  # a new node may reuse a key: drop its key instead
        key = node_key(child)
        if key is not None and key in used and isinstance(child, Element):
            child = Element(child.tag, child.attrs, child.children)
        elif key is not None and key in used:
            continue
        if key is not None:
            used.add(key)
        out.append(child)
    return tuple(out)


def mutate_node(draw: st.DrawFn, node: Node, small: bool = False) -> Node:
    """A plausible next render of ``node``: most structure kept, some of it changed.

    ``small``: no node is added, removed or swapped for a new one (text grows, attributes
    change, keyed children reorder, streams get ops): the streaming case.
    """
    weights = ("same", "edit", "edit", "edit") if small else ("same", "same", "edit", "edit")
    action = draw(st.sampled_from((*weights, "edit", "edit", "new")[: 6 if small else 7]))
    if action == "same":
        return node
    if action == "new":
        fresh = draw(nodes)
        key = node_key(node)
        if isinstance(fresh, Element) and key is not None:
            return Element(fresh.tag, fresh.attrs, fresh.children, key)
        return fresh if key is None else node
    if isinstance(node, Text):
        return _mutate_text(draw, node)
    if isinstance(node, StreamSlot):
        tail = node.tail
        ops = draw(stream_ops())
        if tail is not None and draw(st.booleans()):  # the tail ends as an appended item
            limit = draw(st.sampled_from((None, None, 1, 2)))
            ops = (
                *ops,
                StreamInsert(
                    draw(st.sampled_from(STREAM_KEYS)), draw(promoted_item(tail)), -1, limit
                ),
            )
        if tail is not None:
            changed = mutate_node(draw, tail, small)
            tail = changed if isinstance(changed, Element) else draw(stream_tails())
        return StreamSlot(node.tag, draw(attr_maps), node.name, ops, node.key, tail=tail)
    if isinstance(node, Memo):
        if draw(st.booleans()):  # same deps: the diff must reuse it
            return Memo(node.deps, node.build, node.key)
        return _memoised(mutate_node(draw, node.resolve(), small))
    if isinstance(node, Element) and len(node.children) == 1 and isinstance(node.children[0], Raw):
        html = draw(st.sampled_from(RAW_SNIPPETS))
        return Element(node.tag, node.attrs, (Raw(html),), node.key)
    if isinstance(node, Element) and node.tag in (*CONTAINER_TAGS, "div"):
        attrs = draw(attr_maps) if draw(st.booleans()) else node.attrs
        return Element(node.tag, attrs, _mutate_children(draw, node.children, small), node.key)
    if isinstance(node, Element) and node.tag == "textarea":
        text = _mutate_text(draw, Text(_text_of(node)))
        return Element("textarea", node.attrs, (text,), node.key)
    return node


def _text_of(node: Element) -> str:
    return "".join(c.text for c in node.children if isinstance(c, Text))


@st.composite
def tree_pairs(draw: st.DrawFn) -> tuple[Element, Element]:
    """(a, b): b a small edit of a, a larger mutation of it, or an unrelated root."""
    a = draw(roots)
    kind = draw(st.sampled_from(("small", "small", "mutation", "mutation", "unrelated")))
    if kind == "unrelated":
        return a, draw(roots)
    b = mutate_node(draw, a, small=kind == "small")
    if not isinstance(b, Element):
        b = Element("div", {}, (b,))
    elif b.tag != "div":
        b = Element("div", b.attrs, b.children)
    return a, b


@st.composite
def tail_endings(draw: st.DrawFn) -> tuple[Element, Element]:
    """(a, b): a page whose stream shows items and a tail, and the render where an item
    is appended (often the tail as it ended) and a new tail takes its place."""
    before = draw(stream_ops())
    old_tail = draw(stream_tails())
    item = draw(st.one_of(promoted_item(old_tail), item_elements()))
    limit = draw(st.sampled_from((None, None, 1, 3)))
    ops = (*draw(stream_ops()), StreamInsert(draw(st.sampled_from(STREAM_KEYS)), item, -1, limit))
    if draw(st.booleans()):
        after = st.one_of(
            st.builds(StreamDelete, st.sampled_from(STREAM_KEYS)), st.just(StreamReset())
        )
        ops = (*ops, *draw(st.lists(after, max_size=2)))
    new_tail = draw(st.one_of(stream_tails(), promoted_item(old_tail)))
    a = Element("div", {}, (StreamSlot("div", {}, "t1", before, tail=old_tail),))
    b = Element("div", {}, (StreamSlot("div", {}, "t1", ops, tail=new_tail),))
    return a, b


# ----------------------------------------------------------------- reference model


def _resolve(node: Node | None) -> Node | None:
    return node.resolve() if isinstance(node, Memo) else node


def _identities(children: tuple[Node, ...]) -> list[Any]:
    """The documented matching rule: key, else the first sibling's id, else order."""
    out: list[Any] = []
    ordinal = 0
    ids: set[str] = set()
    for child in children:
        key = node_key(child)
        element_id = child.attrs.get("id") if isinstance(child, Element | StreamSlot) else None
        if key is not None:
            out.append(key)
        elif isinstance(element_id, str) and element_id and element_id not in ids:
            ids.add(element_id)
            out.append(("id", element_id))
        else:
            out.append(("#", ordinal))
            ordinal += 1
    return out


def _dom_attrs(attrs: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in attrs.items():
        text = attr_text(value)
        if text is not None:
            out[name] = text
    return out


def expected_dom(before: Node | None, after: Node) -> DomNode:
    """What the page shows after rendering ``after`` where it showed ``before``.

    Independent of the diff: a stream container continues the items of the container
    at the same place (same identity path, tag and stream name); everything else is
    exactly ``after``. The same object on both sides means nothing new happened there
    (a stream slot that is reused carries no new ops); ``before`` was rendered fresh.
    """
    if before is after:
        return expected_dom(None, after)
    old, new = _resolve(before), _resolve(after)
    assert new is not None
    if isinstance(new, Text):
        return DomText(new.text)
    if isinstance(new, StreamSlot):
        same = isinstance(old, StreamSlot) and (old.tag, old.name) == (new.tag, new.name)
        prior = old.ops if isinstance(old, StreamSlot) and same else ()
        items = stream_items(prior + new.ops)
        shown = [expected_dom(None, i) for i in items]
        if new.tail is not None:  # the live tail: diffed as an element at path step -1
            old_tail = old.tail if isinstance(old, StreamSlot) and same else None
            shown.append(expected_dom(old_tail, new.tail))
        return DomElement(new.tag, _dom_attrs(new.attrs), shown)
    assert isinstance(new, Element)
    if len(new.children) == 1 and isinstance(new.children[0], Raw):
        return DomElement(new.tag, _dom_attrs(new.attrs), parse_html(new.children[0].html))
    matches: dict[Any, Node] = {}
    if isinstance(old, Element) and old.tag == new.tag:
        matches = dict(zip(_identities(old.children), old.children, strict=True))
    children = [
        expected_dom(matches.get(identity), child)
        for identity, child in zip(_identities(new.children), new.children, strict=True)
    ]
    return DomElement(new.tag, _dom_attrs(new.attrs), children)
