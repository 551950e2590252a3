"""``stream`` fields: append-friendly keyed collections the server does not keep.

A stream field (``history = stream(Message)``) holds, per view instance, only the keys of
its items, in order, plus the ops not yet rendered. Items are handed to the renderer once
(as inserts of the view's stream container) and then forgotten, so a chat with 10,000
messages costs the server 10,000 keys, and a new message costs one insert on the wire.

Reading the field in a calc, guard or expression gives its :class:`StreamItems`: its
length, its keys and membership, never the items. Keys come from ``key=`` (an attribute
name or a function of the item) or, by default, from a per-field counter.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar, overload

import attrs

from actorview.render import Element, StreamDelete, StreamInsert, StreamOp, StreamReset, StreamSlot
from actorview.render.builder import h
from actorview.view.declarations import Declaration
from actorview.view.values import type_name

if TYPE_CHECKING:
    from actorview.view.store import ViewStore

T = TypeVar("T")

KeySpec = str | Callable[[Any], Hashable] | None
ItemRenderer = Callable[[Any], Element]

PROPOSED_KEYS_PARAM: Final = "_av_keys"
"""The reserved event param in which the browser proposes keys for the items an
optimistic action pushes: ``{"<op index>": "<key>"}`` (see docs/OPTIMISTIC.md)."""

_PROPOSED_KEY: Final = re.compile(r"c:[0-9a-z]{1,16}-[0-9]{1,12}")
STREAM_MARK_ATTR: Final = "av-stream"
"""The attribute naming a predicted stream's container in the page (the browser inserts
its provisional items there)."""


def is_proposed_key(key: object) -> bool:
    """Whether ``key`` has the form of a browser-proposed key, ``c:<page id>-<counter>``.

    The ``:`` keeps proposals apart from counter keys (``history-3``: a field name has
    no ``:``), so a proposal can never take a key the server would assign.
    """
    return isinstance(key, str) and _PROPOSED_KEY.fullmatch(key) is not None


def proposed_keys(raw: Any) -> tuple[Any, dict[int, str]]:
    """Split the browser's key proposals off untrusted event params.

    Returns the params without :data:`PROPOSED_KEYS_PARAM` and the well-formed proposals
    by op index. Malformed proposals are dropped, not rejected: the server then keys the
    item itself and the browser drops its provisional copy when the reply comes.
    """
    if not isinstance(raw, Mapping) or PROPOSED_KEYS_PARAM not in raw:
        return raw, {}
    rest = {name: value for name, value in raw.items() if name != PROPOSED_KEYS_PARAM}
    found: dict[int, str] = {}
    proposals = raw[PROPOSED_KEYS_PARAM]
    if isinstance(proposals, Mapping):
        for index, key in proposals.items():
            digits = isinstance(index, str) and index.isdigit() and len(index) < 6
            if digits and is_proposed_key(key):
                found[int(index)] = key
    return rest, found


@attrs.frozen
class Inserted:
    """A pending insert: ``item`` under ``key``, appended (``at=-1``) or prepended (``at=0``).

    An insert whose key is already present replaces that item in place.
    """

    key: str
    item: Any
    at: int


@attrs.frozen
class Deleted:
    """A pending removal of the item under ``key``."""

    key: str


@attrs.frozen
class Cleared:
    """A pending removal of every item (``reset``)."""


PendingOp = Inserted | Deleted | Cleared


class StreamField(Declaration, Generic[T]):
    """The declaration of a stream field (made by :func:`stream`)."""

    def __init__(
        self,
        item_type: type[T] | Any,
        key: KeySpec,
        limit: int | None,
        item: ItemRenderer | None = None,
    ) -> None:
        self.item_type = item_type
        self.key = key
        self.limit = limit
        self.item = item
        self.predicted = False
        """Set by the optimistic layer when an optimistic action pushes onto the field:
        its container then carries ``av-stream`` so the browser can find it."""
        self._declare()

    def items(self) -> StreamItems[T]:
        """A fresh :class:`StreamItems` for one view instance."""
        return StreamItems(
            self.name, self.key_function(), self.limit, item=self.item, mark=self.predicted
        )

    def __repr__(self) -> str:
        return f"stream({type_name(self.item_type)}, limit={self.limit!r})"

    @overload
    def __get__(self, instance: None, owner: type) -> StreamField[T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> StreamItems[T]: ...
    def __get__(self, instance: object | None, owner: type) -> StreamField[T] | StreamItems[T]:
        if instance is None:
            return self
        store: ViewStore = instance.__dict__["_view_store"]
        items: StreamItems[T] = store.stream(self.name)
        return items

    def key_function(self) -> Callable[[Any], str] | None:
        """How to get an item's key, or ``None`` when keys are assigned by a counter."""
        key = self.key
        if key is None:
            return None
        if isinstance(key, str):
            attribute = key
            return lambda item: str(getattr(item, attribute))
        function = key
        return lambda item: str(function(item))


@overload
def stream(
    item_type: type[T],
    *,
    key: KeySpec = ...,
    limit: int | None = ...,
    item: Callable[[T], Element] | None = ...,
) -> StreamField[T]: ...
@overload
def stream(
    item_type: Any,
    *,
    key: KeySpec = ...,
    limit: int | None = ...,
    item: ItemRenderer | None = ...,
) -> StreamField[Any]: ...
def stream(
    item_type: Any,
    *,
    key: KeySpec = None,
    limit: int | None = None,
    item: ItemRenderer | None = None,
) -> StreamField[Any]:
    """Declare a stream field of ``item_type`` items.

    Args:
        item_type: the type of each item; pushing anything else is a
            :class:`~actorview.view.StateTypeError`.
        key: the item's identity: an attribute name (``key="id"``), a function
            (``key=lambda m: m.id``), or ``None`` for keys from a counter
            (``"history-0"``, ``"history-1"``, ...). Pushing an existing key replaces
            that item in place. For an optimistic push the browser computes the key
            itself, so an attribute must be a field of the item's attrs class and a
            function must be in the optimistic subset (docs/OPTIMISTIC.md).
        limit: keep at most this many items: a push beyond it removes the first item, an
            unshift beyond it removes the last.
        item: how one item renders (``item -> Element``). ``slot()`` uses it when given
            no renderer; an optimistic push needs it, because the browser draws the
            pushed item from a template rendered with it when the class is defined.

    Ops: ``push``, ``unshift``, ``pop``, ``shift``, ``update_at`` (by key), ``delete``
    (by key) and ``reset``.

    Example::

        history = stream(Message, limit=500)
    """
    declared: StreamField[Any] = StreamField(item_type, key, limit, item)
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        declared.problem = (
            f"stream({type_name(item_type)}, limit={limit!r}): limit must be a positive "
            f"int, or None for no limit."
        )
    return declared


class StreamItems(Generic[T]):
    """What the server keeps of one stream field: keys in order and unrendered ops.

    Every op is O(1): keys are kept in an ``OrderedDict`` (pushes at either end, removal
    by key, eviction from either end).
    ``len(items)``, ``key in items`` and iteration (keys, first to last) read it.
    """

    __slots__ = (
        "_counter",
        "_item",
        "_key_of",
        "_keys",
        "_limit",
        "_mark",
        "_name",
        "pending",
    )

    def __init__(
        self,
        name: str,
        key_of: Callable[[Any], str] | None,
        limit: int | None,
        *,
        item: ItemRenderer | None = None,
        mark: bool = False,
    ) -> None:
        self._name = name
        self._key_of = key_of
        self._limit = limit
        self._item = item
        self._mark = mark
        self._counter = 0
        self._keys: OrderedDict[str, None] = OrderedDict()
        self.pending: list[PendingOp] = []
        """Ops since the last render, in order; the renderer takes them."""

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __repr__(self) -> str:
        return f"<stream {self._name}: {len(self)} items, {len(self.pending)} pending ops>"

    @property
    def first(self) -> str | None:
        """The key of the first item, or ``None`` when empty."""
        return next(iter(self._keys), None)

    @property
    def last(self) -> str | None:
        """The key of the last item, or ``None`` when empty."""
        return next(reversed(self._keys), None)

    def key_for(self, item: Any) -> str:
        """The key ``item`` would get if pushed now (counter keys are not consumed)."""
        if self._key_of is not None:
            return self._key_of(item)
        return f"{self._name}-{self._counter}"

    # -- ops (called by the store, already type-checked) ----------------------------

    def insert(self, item: Any, at_start: bool, proposed: str | None = None) -> str:
        """Push (or unshift, with ``at_start``) ``item``; replace it in place if its key
        is present. Applies the limit. Returns the key.

        ``proposed``: a key the browser proposed for the item it already shows
        provisionally. It is taken when the field's keys come from the counter, it is
        well-formed (:func:`is_proposed_key`) and no item has it; otherwise the item gets
        its usual key (and the browser drops its provisional copy).
        """
        if (
            proposed is not None
            and self._key_of is None
            and is_proposed_key(proposed)
            and proposed not in self._keys
        ):
            key = proposed
        else:
            key = self.key_for(item)
            if self._key_of is None:
                self._counter += 1
        self.pending.append(Inserted(key, item, 0 if at_start else -1))
        if key in self._keys:
            return key
        self._keys[key] = None
        if at_start:
            self._keys.move_to_end(key, last=False)
        if self._limit is not None and len(self._keys) > self._limit:
            evicted = next(reversed(self._keys)) if at_start else next(iter(self._keys))
            self.delete(evicted)
        return key

    def replace(self, key: str, item: Any) -> bool:
        """Replace the item under ``key``; False (and nothing pending) if it is absent."""
        if key not in self._keys:
            return False
        self.pending.append(Inserted(key, item, -1))
        return True

    def delete(self, key: str) -> bool:
        """Remove the item under ``key``; False if it is absent (nothing happens)."""
        if key not in self._keys:
            return False
        del self._keys[key]
        self.pending.append(Deleted(key))
        return True

    def reset(self) -> None:
        """Remove every item; the unrendered ops before it are dropped."""
        self._keys.clear()
        self.pending = [Cleared()]

    def slot(
        self,
        tag: str,
        item: Callable[[T], Element] | Mapping[str, Any] | None = None,
        *attrs: Mapping[str, Any],
        **attributes: Any,
    ) -> StreamSlot:
        """The stream's container for ``render``: a ``tag`` element carrying the ops since
        the last render, each inserted item rendered by ``item`` (by default the
        renderer declared with ``stream(..., item=...)``).

        Example: ``self.history.slot("ul", lambda m: h.li(m.text), id="history")``.
        Calling it does not consume the ops; the view hands them over after its render.
        A stream an optimistic action pushes onto also carries ``av-stream="<name>"``.
        """
        if item is not None and not callable(item):
            attrs = (item, *attrs)
            item = None
        if item is None:
            if self._item is None:
                raise TypeError(
                    f"{self._name}.slot({tag!r}) needs an item renderer: pass one, or "
                    f"declare stream(..., item=render_item)."
                )
            item = self._item
        if self._mark:
            attrs = (*attrs, {STREAM_MARK_ATTR: self._name})
        ops: list[StreamOp] = []
        for pending in self.pending:
            if isinstance(pending, Inserted):
                ops.append(StreamInsert(pending.key, item(pending.item), pending.at))
            elif isinstance(pending, Deleted):
                ops.append(StreamDelete(pending.key))
            else:
                ops.append(StreamReset())
        return h.stream(tag, self._name, ops, *attrs, **attributes)

    def take_pending(self) -> list[PendingOp]:
        """The unrendered ops, handing over the only reference the server had to items."""
        pending, self.pending = self.pending, []
        return pending
