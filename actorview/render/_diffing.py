"""The structural diff: from the previous tree and the new one, the patch ops between them.

Rules, in the order the diff applies them at each place in the tree:

- the same object on both sides (``old is new``) costs nothing: no walk, no ops;
- a :class:`Memo` whose ``deps`` equal those of the memo at the same place adopts the
  previous subtree without building it, and is skipped;
- nodes of another kind, tag or stream name are replaced whole;
- text that extends the old text becomes :class:`AppendText` of the new part only;
- attributes are compared by the string they put in the page;
- children with keys are matched by key; an element without a key but with an ``id``
  is matched by its id (the first of siblings sharing one), as morphdom does for Phoenix
  LiveView, so a sibling that comes and goes does not shift the others onto the wrong
  nodes; the rest are matched by their order among themselves. The kept children on a
  longest increasing subsequence of their new positions stay, only the others move, so
  a reorder costs O(moved) ops; children with neither keys nor ids are compared by
  position;
- a stream container ships its pending ops only, never its existing items; its tail is
  diffed at path step ``-1``, except when an item is appended (the render's last insert,
  ``at=-1``) where the tail changed, the old tail has the item's tag and holds no stream
  container, and promoting it encodes smaller than the item whole: then the tail becomes
  the item (:class:`StreamPromoteTail`, the diff from the old tail to the item) and the
  new tail is sent whole, so a finished reply's blocks are not sent again.

Example::

    >>> from actorview.render._builder import h
    >>> diff(h.p("Hel"), h.p("Hello"))
    [AppendText(path=(0,), text='lo')]
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence

from actorview.render._errors import DuplicateKey, InvalidTree
from actorview.render._nodes import (
    STREAM_TAIL_ATTR,
    AttrValue,
    Element,
    Memo,
    Node,
    Raw,
    StreamDelete,
    StreamInsert,
    StreamReset,
    StreamSlot,
    Text,
)
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
from actorview.render._serialize import attr_text, stream_item, to_html
from actorview.render._wire import encode


def diff(old: Node, new: Node) -> list[Patch]:
    """The patch ops that turn the page showing ``old`` into the page showing ``new``.

    Both are view roots (an element, stream container or memo). Memos in ``new`` are
    built or adopted on the way, so keep ``new`` as the next ``old``.
    Raises :class:`DuplicateKey` if two siblings of ``new`` share a key.
    """
    if isinstance(old, (Raw, Text)) or isinstance(new, (Raw, Text)):
        raise InvalidTree("a view's root must be an element (h.div(...)), not text or raw")
    out: list[Patch] = []
    _node(old, new, (), out)
    return out


def without_stream_items(node: Node) -> Node:
    """``node`` as the next diff needs it: stream containers without their ops.

    A rendered tree's stream containers carry the items that render inserted; the diff
    reads only a container's tag, name and attributes from the old tree, so a view keeps
    its last tree without them (else a view that loaded a 1,000-message history holds
    every rendered item until its next render). Returns ``node`` itself when no container
    has ops; otherwise a copy that shares every subtree without one. Memos are kept as
    they are.
    """
    kind = type(node)
    if kind is StreamSlot:
        if not node.ops:  # type: ignore[union-attr]
            return node
        slot: StreamSlot = node  # type: ignore[assignment]
        return StreamSlot(slot.tag, slot.attrs, slot.name, (), slot.key, tail=slot.tail)
    if kind is not Element:
        return node
    element: Element = node  # type: ignore[assignment]
    children: list[Node] | None = None
    for index, child in enumerate(element.children):
        kept = without_stream_items(child)
        if kept is not child:
            if children is None:
                children = list(element.children)
            children[index] = kept
    if children is None:
        return element
    return Element(element.tag, element.attrs, tuple(children), element.key)


def _node(old: Node, new: Node, path: Path, out: list[Patch]) -> None:
    if old is new:
        return
    if type(new) is Element and type(old) is Element:  # the common case, tested first
        if old.tag == new.tag:
            _attrs(old.attrs, new.attrs, path, out)
            if old.children is not new.children:
                _children(old.children, new.children, path, out)
        else:
            out.append(ReplaceNode(path, to_html(new)))
        return
    if isinstance(new, Memo):
        if isinstance(old, Memo) and old.deps == new.deps:
            new.adopt(old)
            return
        _node(old, new.resolve(), path, out)
        return
    if isinstance(old, Memo):
        _node(old.resolve(), new, path, out)
    elif isinstance(new, Text):
        _text(old, new, path, out)
    elif isinstance(new, StreamSlot):
        _stream(old, new, path, out)
    else:  # raw markup, or an element in place of another kind of node
        out.append(ReplaceNode(path, to_html(new)))


def _text(old: Node, new: Text, path: Path, out: list[Patch]) -> None:
    if not isinstance(old, Text):
        out.append(ReplaceNode(path, to_html(new)))
        return
    before, after = old.text, new.text
    if before == after:
        return
    if len(after) > len(before) and after.startswith(before):
        out.append(AppendText(path, after[len(before) :]))
    else:
        out.append(SetText(path, after))


def _attrs(
    old: Mapping[str, AttrValue], new: Mapping[str, AttrValue], path: Path, out: list[Patch]
) -> None:
    if old is new:  # not ``old == new``: {"x": False} == {"x": 0}, yet they write differently
        return
    shared = 0
    for name, value in new.items():
        before_value = old.get(name, _ABSENT)
        if before_value is not _ABSENT:
            shared += 1
            kind = type(value)
            if type(before_value) is kind and kind is not float and before_value == value:
                continue  # same type and value: the same text in the page (not -0.0 vs 0.0)
        text = attr_text(value)
        before = None if before_value is _ABSENT else attr_text(before_value)  # type: ignore[arg-type]
        if text is None:
            if before is not None:
                out.append(RemoveAttr(path, name))
        elif text != before:
            out.append(SetAttr(path, name, text))
    if shared == len(old):
        return  # every old name is still there
    for name, value in old.items():
        if name not in new and attr_text(value) is not None:
            out.append(RemoveAttr(path, name))


_ABSENT = object()


def _stream(old: Node, new: StreamSlot, path: Path, out: list[Patch]) -> None:
    if not (isinstance(old, StreamSlot) and old.tag == new.tag and old.name == new.name):
        out.append(ReplaceNode(path, to_html(new)))
        return
    _attrs(old.attrs, new.attrs, path, out)
    old_tail, new_tail = old.tail, new.tail
    tail_ops: list[Patch] | None = None  # the tail's diff, once computed
    last_insert = _last_insert(new.ops) if old_tail is not None and new_tail is not None else -1
    for index, op in enumerate(new.ops):
        if isinstance(op, StreamInsert):
            html = to_html(stream_item(op.key, op.node))
            insert = StreamInsertItem(path, op.key, html, op.at, op.limit)
            if index == last_insert and old_tail is not new_tail:
                assert old_tail is not None and new_tail is not None
                tail_ops = []
                _node(old_tail, new_tail, (*path, -1), tail_ops)
                promoted = _promotion(old_tail, new_tail, op, path, [insert, *tail_ops])
                if promoted is not None:
                    out.append(promoted)
                    tail_ops = []  # the new tail went whole with the promotion
                    continue
            out.append(insert)
        elif isinstance(op, StreamDelete):
            out.append(StreamDeleteItem(path, op.key))
        elif isinstance(op, StreamReset):
            out.append(StreamResetItems(path))
    if old_tail is not None and new_tail is not None:
        if tail_ops is None:
            _node(old_tail, new_tail, (*path, -1), out)  # the last child, however many items
        else:
            out.extend(tail_ops)
    elif old_tail is not new_tail:
        raise InvalidTree(
            f"stream {new.name!r}'s container {'gained' if old.tail is None else 'lost'} its "
            f"tail between renders; the items it shows are not held to render it again. "
            f"Give it a tail in every render (h.template() when there is nothing to show)."
        )


def _last_insert(ops: Sequence[object]) -> int:
    """The index of the last op that may be promoted: the last insert, if it appends."""
    for index in range(len(ops) - 1, -1, -1):
        op = ops[index]
        if isinstance(op, StreamInsert):
            return index if op.at < 0 else -1
    return -1


def _promotion(
    old_tail: Element, new_tail: Element, op: StreamInsert, path: Path, plain: list[Patch]
) -> StreamPromoteTail | None:
    """The promotion of ``old_tail`` into the item ``op`` appends, if it fits and encodes
    smaller than ``plain`` (the insert of the item whole and the tail's own diff).

    Not when the tags differ, nor when the old tail holds a stream container: the page
    shows that container's items, which a fresh render of the item (or of the new tail,
    sent whole) would not, so only the regular diff continues it."""
    item = op.node
    if old_tail.tag != item.tag or STREAM_TAIL_ATTR in item.attrs or _holds_stream(old_tail):
        return None
    attrs = {name: value for name, value in old_tail.attrs.items() if name != STREAM_TAIL_ATTR}
    base = Element(old_tail.tag, attrs, old_tail.children, old_tail.key)
    ops: list[Patch] = []
    _node(base, item, (), ops)  # relative to the tail; av-key and av-tail are the op's
    budget = len(encode(plain))
    if len(encode(ops)) >= budget:
        return None  # lost already: the new tail is not written for nothing
    promoted = StreamPromoteTail(path, op.key, tuple(ops), to_html(new_tail), op.limit)
    return promoted if len(encode([promoted])) < budget else None


def _holds_stream(node: Node) -> bool:
    """Whether ``node``'s subtree (its memos as they were built) has a stream container."""
    kind = type(node)
    if kind is Element:
        return any(_holds_stream(child) for child in node.children)  # type: ignore[union-attr]
    if kind is Memo:
        return _holds_stream(node.resolve())  # type: ignore[union-attr]
    return kind is StreamSlot


def _any_key(children: Sequence[Node]) -> bool:
    """Whether a child has a key or an id (only when the children are not aligned)."""
    return any(_own_identity(child) is not None for child in children)


def _own_identity(node: Node) -> str | tuple[str, str] | None:
    """A child's key, else ``("id", its id)``, else None (text, raw markup, the rest)."""
    kind = type(node)
    if kind is Text or kind is Raw:
        return None
    key: str | None = node.key  # type: ignore[union-attr]
    if key is not None or kind is Memo:
        return key
    element_id = node.attrs.get("id")  # type: ignore[union-attr]
    return ("id", element_id) if isinstance(element_id, str) and element_id else None


def _aligned(old: Sequence[Node], new: Sequence[Node]) -> bool:
    """Whether each child has the key, or else the id, of the old child at its place:
    then matching them by identity pairs them by position (cheaper than building the
    identity lists, which every render would otherwise do for children with ids)."""
    for before, after in zip(old, new, strict=True):
        if before is not after and _own_identity(before) != _own_identity(after):
            return False
    return True


def _children(old: Sequence[Node], new: Sequence[Node], path: Path, out: list[Patch]) -> None:
    if (len(old) == 1 and isinstance(old[0], Raw)) or (len(new) == 1 and isinstance(new[0], Raw)):
        if old != new:
            out.append(SetInnerHtml(path, "".join(to_html(child) for child in new)))
        return
    if len(old) == len(new) and _aligned(old, new):
        for index in range(len(new)):  # the common case: every child where it was
            _node(old[index], new[index], (*path, index), out)
    elif _any_key(old) or _any_key(new):
        _keyed(old, new, path, out)
    else:
        _positional(old, new, path, out)


def _positional(old: Sequence[Node], new: Sequence[Node], path: Path, out: list[Patch]) -> None:
    common = min(len(old), len(new))
    if len(old) != len(new):
        removes = tuple(range(common, len(old)))
        inserts = tuple((j, to_html(new[j])) for j in range(common, len(new)))
        out.append(UpdateChildren(path, removes, (), inserts))
    for index in range(common):
        _node(old[index], new[index], (*path, index), out)


def _identities(children: Sequence[Node]) -> list[str | int | tuple[str, str]]:
    """Each child's identity: its key, else ``("id", its id)`` for the first sibling with
    that id, else its ordinal among the rest."""
    seen: set[str | tuple[str, str]] = set()
    ids: list[str | int | tuple[str, str]] = []
    ordinal = 0
    for child in children:
        identity = _own_identity(child)
        if identity is not None and identity not in seen:
            seen.add(identity)
            ids.append(identity)
        elif identity is None or isinstance(identity, tuple):  # a repeated id: by order
            ids.append(ordinal)
            ordinal += 1
        else:
            raise DuplicateKey(
                f"two siblings have key {identity!r}; keys must be unique among siblings "
                "(use the item's id, not a value that can repeat)"
            )
    return ids


def _keyed(old: Sequence[Node], new: Sequence[Node], path: Path, out: list[Patch]) -> None:
    old_index = {identity: i for i, identity in enumerate(_identities(old))}
    source = [old_index.get(identity, -1) for identity in _identities(new)]
    target_of = {o: j for j, o in enumerate(source) if o >= 0}
    removes = tuple(i for i in range(len(old)) if i not in target_of)
    kept = sorted(target_of)
    stay = longest_increasing_subsequence([target_of[o] for o in kept])
    moves = tuple((o, target_of[o]) for k, o in enumerate(kept) if k not in stay)
    inserts = tuple((j, to_html(new[j])) for j, o in enumerate(source) if o < 0)
    if removes or moves or inserts:
        out.append(UpdateChildren(path, removes, moves, inserts))
    for j, o in enumerate(source):
        if o >= 0:
            _node(old[o], new[j], (*path, j), out)


def longest_increasing_subsequence(values: Sequence[int]) -> set[int]:
    """The indexes (into ``values``) of one longest strictly increasing subsequence.

    Patience sorting, O(n log n). The diff keeps these children in place and moves the rest.
    """
    tails: list[int] = []
    tail_index: list[int] = []
    previous = [-1] * len(values)
    for i, value in enumerate(values):
        at = bisect_left(tails, value)
        if at == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[at] = value
            tail_index[at] = i
        previous[i] = tail_index[at - 1] if at > 0 else -1
    result: set[int] = set()
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        result.add(i)
        i = previous[i]
    return result
