"""Patch ops: what :func:`~actorview.render.diff` yields and the browser applies.

Each op is a frozen attrs value addressed by a ``path``: the child indexes from the
view's root element down to the target node (the root itself is ``()``). Ops of one
frame are applied in order, and each path is read against the tree as it is when that
op runs. Nodes are carried as HTML (already escaped), so the same op works in the
browser (``<template>`` parsing) and in the Python reference applier.

docs/PROTOCOL.md lists each op's wire form; :mod:`actorview.render._wire` encodes them.
"""

from __future__ import annotations

from typing import TypeAlias

from attrs import field, frozen

Path: TypeAlias = tuple[int, ...]


def _path(value: tuple[int, ...] | list[int]) -> Path:
    return tuple(value)


@frozen(slots=True)
class SetAttr:
    """Set attribute ``name`` of the element at ``path`` to ``value``."""

    path: Path = field(converter=_path)
    name: str
    value: str


@frozen(slots=True)
class RemoveAttr:
    """Remove attribute ``name`` from the element at ``path``."""

    path: Path = field(converter=_path)
    name: str


@frozen(slots=True)
class SetText:
    """Replace the whole text of the text node at ``path``."""

    path: Path = field(converter=_path)
    text: str


@frozen(slots=True)
class AppendText:
    """Append ``text`` to the text node at ``path``: a streamed token costs only itself."""

    path: Path = field(converter=_path)
    text: str


@frozen(slots=True)
class ReplaceNode:
    """Replace the node at ``path`` with the single node ``html`` parses into."""

    path: Path = field(converter=_path)
    html: str


@frozen(slots=True)
class SetInnerHtml:
    """Replace all children of the element at ``path`` with ``html`` (raw markup changed)."""

    path: Path = field(converter=_path)
    html: str


def _ints(value: tuple[int, ...] | list[int]) -> tuple[int, ...]:
    return tuple(value)


def _pairs(value: tuple[tuple[int, int], ...] | list[list[int]]) -> tuple[tuple[int, int], ...]:
    return tuple((int(a), int(b)) for a, b in value)


def _inserts(
    value: tuple[tuple[int, str], ...] | list[list[object]],
) -> tuple[tuple[int, str], ...]:
    return tuple((int(a), str(b)) for a, b in value)  # type: ignore[call-overload]


@frozen(slots=True)
class UpdateChildren:
    """Restructure the children of the element at ``path`` in one step.

    With ``old`` the children before the op: the children at indexes ``removes`` go;
    each ``(from, to)`` in ``moves`` puts ``old[from]`` at final index ``to``; each
    ``(at, html)`` in ``inserts`` puts a new node at final index ``at``; the children
    neither removed nor moved fill the remaining final indexes in their old order.
    The kept children are patched by later ops, addressed by their final index.
    """

    path: Path = field(converter=_path)
    removes: tuple[int, ...] = field(default=(), converter=_ints)
    moves: tuple[tuple[int, int], ...] = field(default=(), converter=_pairs)
    inserts: tuple[tuple[int, str], ...] = field(default=(), converter=_inserts)


@frozen(slots=True)
class StreamInsertItem:
    """Insert (or replace in place, if ``key`` is shown) an item of the stream at ``path``.

    ``at``: ``-1`` appends, else the index to insert before. ``limit``: keep at most that
    many items, trimming at the start after an append and at the end otherwise.
    """

    path: Path = field(converter=_path)
    key: str
    html: str
    at: int = -1
    limit: int | None = None


@frozen(slots=True)
class StreamDeleteItem:
    """Remove the item with ``key`` from the stream container at ``path``, if shown."""

    path: Path = field(converter=_path)
    key: str


@frozen(slots=True)
class StreamResetItems:
    """Remove every item of the stream container at ``path``."""

    path: Path = field(converter=_path)


def _patches(value: tuple[Patch, ...] | list[Patch]) -> tuple[Patch, ...]:
    return tuple(value)


@frozen(slots=True)
class StreamPromoteTail:
    """Make the tail of the stream container at ``path`` the item appended as ``key``,
    then put a new tail after it: the streamed reply becomes its history item in place.

    The client takes the container's tail (its last child, which carries ``av-tail``),
    applies ``ops`` to it (paths relative to that element: ``()`` is the element
    itself), takes ``av-tail`` off and sets ``av-key`` to ``key``; that element is now
    the item, as :class:`StreamInsertItem` with ``at=-1`` would have inserted it: an item
    already shown with ``key`` is replaced by it in place, else it stays at the end of
    the items and ``limit`` trims them at the start. ``tail`` (HTML of one element) is
    then parsed and added as the container's last child.

    Why: the item's markup is mostly what the tail already shows (a finished reply's
    blocks), so ``ops`` carry only what differs, and the page keeps the very DOM nodes
    it built while the tail streamed. The diff uses it only when it encodes smaller than
    inserting the item whole (:func:`~actorview.render.diff`).
    Raises :class:`~actorview.render.PatchError` (in the reference applier) if the
    container has no tail.
    """

    path: Path = field(converter=_path)
    key: str
    ops: tuple[Patch, ...] = field(converter=_patches)
    tail: str
    limit: int | None = None


Patch: TypeAlias = (
    SetAttr
    | RemoveAttr
    | SetText
    | AppendText
    | ReplaceNode
    | SetInnerHtml
    | UpdateChildren
    | StreamInsertItem
    | StreamDeleteItem
    | StreamResetItems
    | StreamPromoteTail
)
"""Any patch op."""
