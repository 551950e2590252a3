"""``stream`` fields: append-friendly keyed collections the server does not keep.

A stream field (``history = stream(Message)``) holds, per view instance, only the keys of
its items, in order, plus the ops not yet rendered. Items are handed to the renderer once
(as inserts of the view's stream container) and then forgotten, so a chat with 10,000
messages costs the server 10,000 keys, and a new message costs one insert on the wire.

Reading the field in a calc, guard or expression gives its :class:`CollectionItems`: its
length, its keys and membership, never the items. Keys come from ``key=`` (an attribute
name or a function of the item) or, by default, from a per-field counter.

Every stream shows the page one contiguous window of the sequence of items pushed and
unshifted: ``limit`` (the field's, or an insert's own, ``ops.push(..., limit=-N)``)
prunes the window, and an insert that would not touch it (a push after an unshift
pruned the newest items) joins the sequence unseen instead of leaving a gap;
``before`` and ``after`` count what is not shown.

A *paged* stream (``stream(Message, page=50, limit=200)``) shows a window of a longer
sequence that lives elsewhere (a :class:`PageSource`, such as the chat's history store):
the first render holds the newest ``page`` items, and the page asks for the page before
(or after) the window when the user scrolls to its top (or bottom). The window is always
one contiguous run of the sequence; ``limit`` prunes it from the end away from the
loaded page, and what is pruned comes back by scrolling (see docs/PROTOCOL.md, "Paged
streams").
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import (
    Any,
    Final,
    Generic,
    Literal,
    Protocol,
    TypeVar,
    assert_never,
    overload,
    runtime_checkable,
)

import attrs

from actorview.declare._declarations import Declaration, Holder
from actorview.declare._errors import PageError
from actorview.declare._values import type_name
from actorview.render import Element, StreamDelete, StreamInsert, StreamOp, StreamReset, StreamSlot
from actorview.render._builder import h
from actorview.render._nodes import AttrValue

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

KeySpec = str | Callable[[Any], Hashable] | None
ItemRenderer = Callable[[Any], Element]

PROPOSED_KEYS_PARAM: Final = "_av_keys"
"""The reserved event param in which the browser proposes keys for the items an
optimistic action pushes: ``{"<op index>": "<key>"}`` (see docs/OPTIMISTIC.md)."""

_PROPOSED_KEY: Final = re.compile(r"c:[0-9a-z]{1,16}-[0-9]{1,12}")
STREAM_MARK_ATTR: Final = "av-stream"
"""The attribute naming a predicted stream's container in the page (the browser inserts
its provisional items there)."""

VIEWPORT_TOP_ATTR: Final = "av-viewport-top"
"""On a paged stream's container while items older than the window exist: its value is
the stream's name; the browser asks for the page before the window (:data:`PAGE_EVENT`)
when the container's first item scrolls into view."""

VIEWPORT_BOTTOM_ATTR: Final = "av-viewport-bottom"
"""As :data:`VIEWPORT_TOP_ATTR`, for items newer than the window (pruned by ``limit``
while the user read older pages), asked for when the last item scrolls into view."""

PAGE_EVENT: Final = "av:page"
"""The event the browser sends for a page: params ``{"stream": name, "edge": "top" |
"bottom"}``. Not an action name (those are identifiers), so it cannot clash with one."""

Edge = Literal["top", "bottom"]


class PageSource(Protocol[T_co]):
    """Where a paged stream's whole sequence lives: positions ``0 .. count() - 1``, oldest
    first. The view reads it in its own task, each call bounded in time
    (:data:`actorview.view._view.PAGE_TIMEOUT`).

    The view keeps the positions in step with its own ops: a push adds at the end, an
    unshift at position 0, a ``delete`` of a shown item and a ``reset`` remove. The source
    must see the same changes, or pages would come from the wrong places: make it a
    :class:`KeptSource`, which the view tells each change before making it (as the chat's
    history store is).
    """

    async def count(self) -> int:
        """How many items the sequence has now."""
        ...

    async def slice(self, start: int, stop: int) -> Sequence[T_co]:
        """The items at positions ``start .. stop - 1``, oldest first: exactly
        ``stop - start`` of them (``0 <= start < stop <= count()``)."""
        ...


@attrs.frozen
class ItemAdded:
    """``item`` is about to join stream field ``stream``: at its end, or its start."""

    stream: str
    item: Any
    at_start: bool = False


@attrs.frozen
class ItemReplaced:
    """The item under ``key`` in stream field ``stream`` is about to become ``item``."""

    stream: str
    key: str
    item: Any


@attrs.frozen
class ItemRemoved:
    """The item under ``key`` is about to leave stream field ``stream``."""

    stream: str
    key: str


@attrs.frozen
class ItemsCleared:
    """Every item is about to leave stream field ``stream`` (``ops.reset``)."""

    stream: str


StreamChange = ItemAdded | ItemReplaced | ItemRemoved | ItemsCleared
"""What one action or clause is about to do to a stream field, told to its
:class:`KeptSource` before it is done."""


@runtime_checkable
class KeptSource(PageSource[T_co], Protocol[T_co]):
    """A :class:`PageSource` that also keeps the sequence: the view tells it each change
    before making it, so a change that cannot be kept is not made.

    ``keep`` is called in the view's task with the changes one action or one clause is
    about to make to the stream, in order, after they were checked and before any of
    them (or any other op of that action or clause) is carried out; bounded by
    :data:`actorview.view._view.PAGE_TIMEOUT`. If it raises (or takes longer), nothing
    of that action or clause happens: an action is answered as failed, so the browser
    takes back what it predicted (the text the user typed returns to its box), and the
    page shows :data:`~actorview.view._notices.KEEP_FAILED_TEXT`; a clause is dropped
    with the same notice. Either way the error is logged and the view runs on. An
    action that changes several kept streams tells their sources in turn: a refusal by
    a later one does not undo what an earlier one kept (keep one stream per store).
    """

    async def keep(self, changes: Sequence[StreamChange]) -> None:
        """Make ``changes`` durable, all or nothing; raise if they cannot be kept."""
        ...


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
    ``shown=False``: a new item of a paged stream that is outside the window the page
    shows (pushed while the user reads older pages): it joins the sequence (a view that
    keeps the sequence stores it) but is not rendered; scrolling brings it. A page load
    (:meth:`CollectionItems.show_page`) makes inserts of items the source already holds: they render
    the same way, and only the ops that made them new were told to a :class:`KeptSource`.
    """

    key: str
    item: Any
    at: int
    shown: bool = True


@attrs.frozen
class Deleted:
    """A pending removal of the item under ``key``."""

    key: str


@attrs.frozen
class Cleared:
    """A pending removal of every item (``reset``)."""


PendingOp = Inserted | Deleted | Cleared


class CollectionField(Declaration, Generic[T]):
    """The declaration of a stream field (made by :func:`stream`)."""

    def __init__(
        self,
        item_type: type[T] | Any,
        key: KeySpec,
        limit: int | None,
        item: ItemRenderer | None = None,
        page: int | None = None,
    ) -> None:
        self.item_type = item_type
        self.key = key
        self.limit = limit
        self.item = item
        self.page = page
        self._declare()

    def items(self, *, mark: bool = False) -> CollectionItems[T]:
        """A fresh :class:`CollectionItems` for one view instance. ``mark``: an optimistic
        action pushes onto the field, so its container carries ``av-stream`` (the
        browser finds it by that)."""
        return CollectionItems(
            self.name,
            self.key_function(),
            self.limit,
            item=self.item,
            mark=mark,
            page=self.page,
        )

    def __repr__(self) -> str:
        paged = "" if self.page is None else f", page={self.page!r}"
        return f"stream({type_name(self.item_type)}, limit={self.limit!r}{paged})"

    @overload
    def __get__(self, instance: None, owner: type) -> CollectionField[T]: ...
    @overload
    def __get__(self, instance: Holder, owner: type) -> CollectionItems[T]: ...
    def __get__(
        self, instance: Holder | None, owner: type
    ) -> CollectionField[T] | CollectionItems[T]:
        if instance is None:
            return self
        store = instance._view_store
        items: CollectionItems[T] = store.stream(self.name)
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
    page: int | None = ...,
) -> CollectionField[T]: ...
@overload
def stream(
    item_type: Any,
    *,
    key: KeySpec = ...,
    limit: int | None = ...,
    item: ItemRenderer | None = ...,
    page: int | None = ...,
) -> CollectionField[Any]: ...
def stream(
    item_type: Any,
    *,
    key: KeySpec = None,
    limit: int | None = None,
    item: ItemRenderer | None = None,
    page: int | None = None,
) -> CollectionField[Any]:
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
        limit: keep at most this many items on the page: a push beyond it removes the
            first item, an unshift beyond it removes the last (an insert may pass its
            own: ``ops.push(..., limit=-N)``). The page always shows one contiguous run
            of the sequence: an insert that would not touch it waits unseen
            (``items.before`` and ``items.after`` count what is not shown). On a paged
            stream, what it removes stays in the source and comes back by scrolling.
        item: how one item renders (``item -> Element``). ``slot()`` uses it when given
            no renderer; an optimistic push needs it, because the browser draws the
            pushed item from a template rendered with it when the class is defined.
        page: make the stream paged: once the view opens it on a :class:`PageSource`
            (``await self.open_pages("history", source)``, in ``View.load``), the page
            holds at most the newest ``page`` items at first, and each scroll to the top
            (or bottom) of the container brings one more page of at most ``page`` items
            in one frame. With ``limit``, it must be at least ``2 * page``, so a page load
            never prunes what the user is reading.

    Ops: ``push``, ``unshift``, ``pop``, ``shift``, ``update_at`` (by key), ``delete``
    (by key) and ``reset``; a paged stream has no ``pop`` or ``shift`` (the ends of its
    sequence may not be in the page).

    Example::

        history = stream(Message, limit=500)
        history = stream(Message, page=50, limit=200)  # paged, from a store
    """
    declared: CollectionField[Any] = CollectionField(item_type, key, limit, item, page)
    paged = "" if page is None else f", page={page!r}"
    where = f"stream({type_name(item_type)}, limit={limit!r}{paged})"
    if limit is not None and (not _positive_int(limit)):
        declared.problem = f"{where}: limit must be a positive int, or None for no limit."
    elif page is not None and not _positive_int(page):
        declared.problem = f"{where}: page must be a positive int, or None for no paging."
    elif page is not None and limit is not None and limit < 2 * page:
        declared.problem = (
            f"{where}: limit must be at least 2 * page ({2 * page}), so loading a page "
            f"never prunes the items the user is reading. Raise limit or lower page."
        )
    return declared


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


class CollectionItems(Generic[T]):
    """What the server keeps of one stream field: keys in order and unrendered ops.

    Every op is O(1): keys are kept in an ``OrderedDict`` (pushes at either end, removal
    by key, eviction from either end).
    ``len(items)``, ``key in items`` and iteration (keys, first to last) read it.

    Every stream knows where the window the page shows is in the sequence of items
    pushed and unshifted: positions ``window_start .. window_start + len(items) - 1`` of
    ``total`` (three ints). A paged stream opened on a source (:meth:`open_window`) loads
    what is outside the window from there; any other stream has forgotten it.
    """

    __slots__ = (
        "_counter",
        "_item",
        "_key_of",
        "_keys",
        "_limit",
        "_lo",
        "_mark",
        "_name",
        "_page",
        "_sourced",
        "_total",
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
        page: int | None = None,
    ) -> None:
        self._name = name
        self._key_of = key_of
        self._limit = limit
        self._item = item
        self._mark = mark
        self._page = page
        self._sourced = False
        self._total = 0
        self._lo = 0
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

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._keys)

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

    def insert(
        self, item: Any, at_start: bool, proposed: str | None = None, limit: int | None = None
    ) -> str:
        """Push (or unshift, with ``at_start``) ``item``; replace it in place if its key
        is present. Applies the limit. Returns the key.

        The page always shows one contiguous run of the sequence of items pushed and
        unshifted: a new item that would not touch the window (a push while ``limit``
        pruned the window's end, an unshift while it pruned its start) joins the
        sequence unshown (:attr:`after`, :attr:`before` count them) instead of leaving a
        gap. ``limit``: this insert's own limit (``ops.push(..., limit=-N)``): keep the
        last ``-limit`` items, or the first ``limit``; ``None`` is the field's ``limit``,
        keeping the last items after a push and the first after an unshift.

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
        if key not in self and not self._joins_window(at_start):
            self._total += 1
            self._lo += 1 if at_start else 0
            self.pending.append(Inserted(key, item, 0 if at_start else -1, shown=False))
            return key
        self.pending.append(Inserted(key, item, 0 if at_start else -1))
        if key in self._keys:
            return key
        self._total += 1
        if at_start:
            self._link_first(key)
        else:
            self._link_last(key)
        if limit is None:
            self._prune(self._limit, pruning_end=at_start)
        else:
            self._prune(abs(limit), pruning_end=limit > 0)
        return key

    def replace(self, key: str, item: Any) -> bool:
        """Replace the item under ``key``; False (and nothing pending) if it is absent."""
        if key not in self._keys:
            return False
        self.pending.append(Inserted(key, item, -1))
        return True

    def delete(self, key: str) -> bool:
        """Remove the item under ``key``; False if it is absent (nothing happens).

        On a paged stream only a shown item can be removed (the source removes it too).
        """
        if key not in self._keys:
            return False
        self._total -= 1
        self._unlink(key)
        return True

    def _unlink(self, key: str) -> None:
        """Take ``key`` out of the kept keys and tell the page (a delete, or a prune)."""
        del self._keys[key]
        self.pending.append(Deleted(key))

    def reset(self) -> None:
        """Remove every item; the unrendered ops before it are dropped. A paged stream's
        sequence is empty afterwards (its source must be emptied too)."""
        self._keys.clear()
        self._total = self._lo = 0
        self.pending = [Cleared()]

    def slot(
        self,
        tag: str,
        item: Callable[[T], Element] | Mapping[str, Any] | None = None,
        *attrs: Mapping[str, Any],
        tail: Element | None = None,
        **attributes: Any,
    ) -> StreamSlot:
        """The stream's container for ``render``: a ``tag`` element carrying the ops since
        the last render, each inserted item rendered by ``item`` (by default the
        renderer declared with ``stream(..., item=...)``).

        ``tail``: one live element after the items, diffed on every render like any
        other element (a chat's reply while it streams, as the last item of the
        history); items are inserted before it. Give one in every render or in none
        (``h.template()`` when there is nothing to show), see
        :class:`~actorview.render.StreamSlot`.

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
        if self._sourced:
            attrs = (*attrs, self._viewport_attrs())
        ops: list[StreamOp] = []
        for pending in self.pending:
            match pending:
                case Inserted(shown=False):
                    pass  # outside the window: scrolling brings it
                case Inserted():
                    ops.append(StreamInsert(pending.key, item(pending.item), pending.at))
                case Deleted():
                    ops.append(StreamDelete(pending.key))
                case Cleared():
                    ops.append(StreamReset())
                case _:
                    assert_never(pending)
        return h.stream(tag, self._name, ops, *attrs, tail=tail, **attributes)

    def take_pending(self) -> list[PendingOp]:
        """The unrendered ops, handing over the only reference the server had to items."""
        pending, self.pending = self.pending, []
        return pending

    # -- paging (a stream declared with page=, opened on a source) ---------------------

    @property
    def paged(self) -> bool:
        """Whether the stream was opened on a source (:meth:`open_window`)."""
        return self._sourced

    @property
    def page_size(self) -> int | None:
        """The declared ``page=``, or ``None`` for a stream that is not paged."""
        return self._page

    @property
    def total(self) -> int:
        """The length of the whole sequence, shown or not (:attr:`before` + ``len`` +
        :attr:`after`)."""
        return self._total

    @property
    def before(self) -> int:
        """How many items of the sequence come before the window: pruned by ``limit``
        (or, on a paged stream, not loaded yet). A paged stream shows them again by
        scrolling up; a stream that is not paged has forgotten them (render a marker
        from this count and refill the stream from where the items live)."""
        return self._lo

    @property
    def after(self) -> int:
        """How many items of the sequence come after the window: pruned by an
        unshift's ``limit``, or pushed while the window's end was pruned (they are not
        shown, so the page never has a gap). As :attr:`before`, for the other end."""
        return self._total - self._lo - len(self._keys)

    @property
    def window_start(self) -> int:
        """The position in the sequence of the first shown item (:attr:`before`)."""
        return self._lo

    def open_window(self, total: int) -> None:
        """Make this empty stream a window on a sequence of ``total`` items, showing none
        of them yet (the view then shows the newest page with :meth:`show_page`).

        Raises :class:`PageError` if the stream is not paged or already has items (open
        it in ``on_start``, before anything is pushed).
        """
        if self._page is None:
            raise PageError(
                self._name,
                "not a paged stream: declare it with stream(..., page=N) to open it on a source.",
            )
        if len(self) or self.pending or self._sourced:
            raise PageError(
                self._name,
                "it already has items or a source: open it on its source once, in "
                "on_start, before anything is pushed.",
            )
        if not isinstance(total, int) or total < 0:
            raise PageError(self._name, f"the source's count() gave {total!r}")
        self._sourced = True
        self._total = self._lo = total

    def wanted(self, edge: Edge) -> tuple[int, int] | None:
        """The positions ``(start, stop)`` of the page next to the window at ``edge``
        (at most ``page`` items), or ``None`` when there is nothing there to load."""
        if not self._sourced or self._page is None:
            return None
        hi = self._lo + len(self)
        if edge == "top":
            return (max(0, self._lo - self._page), self._lo) if self._lo > 0 else None
        return (hi, min(self._total, hi + self._page)) if hi < self._total else None

    def show_page(self, start: int, stop: int, items: Sequence[Any]) -> None:
        """Show the source's ``items`` at positions ``start .. stop - 1``, which must touch
        the window: just before it (a page above) or just after it (a page below).

        They become pending inserts (:class:`Inserted`) in one render, rendered like any
        other but not new to the sequence (no :class:`KeptSource` hears of them); then ``limit``
        prunes the window from its other end. Raises :class:`PageError` (nothing changed)
        if the page is not next to the window, has the wrong length, or holds a key the
        window already shows.
        """
        hi = self._lo + len(self)
        above = stop == self._lo
        if not self._sourced or not (above or start == hi) or not 0 <= start <= stop:
            raise PageError(
                self._name,
                f"a page at positions {start}..{stop} does not touch the window "
                f"{self._lo}..{hi} of {self._total} items.",
            )
        if len(items) != stop - start:
            raise PageError(
                self._name,
                f"the source's slice({start}, {stop}) gave {len(items)} items, not "
                f"{stop - start}; it must give exactly stop - start items, oldest first.",
            )
        keys = [self._page_key(item, index) for index, item in enumerate(items)]
        for key in keys:
            if key in self or keys.count(key) > 1:
                raise PageError(
                    self._name,
                    f"the page at {start}..{stop} holds key {key!r} twice or already "
                    f"shown: the source's slice overlaps the window, or keys repeat.",
                )
        if self._key_of is None:
            self._counter += len(keys)
        if above:
            for key, item in zip(reversed(keys), reversed(items), strict=True):
                self._link_first(key)
                self.pending.append(Inserted(key, item, 0))
            self._lo = start
        else:
            for key, item in zip(keys, items, strict=True):
                self._link_last(key)
                self.pending.append(Inserted(key, item, -1))
        self._prune(self._limit, pruning_end=above)

    def source_grew(self, total: int) -> bool:
        """The source now has ``total`` items, more than :attr:`total`: the new ones were
        added at its end outside this view (another view, another worker). They join the
        sequence unshown; returns whether the window showed the newest items before (then
        the view shows the page below it now, as if scrolled to). Raises
        :class:`PageError` if the stream is not paged or ``total`` is fewer items."""
        if not self._sourced or not isinstance(total, int) or total < self._total:
            raise PageError(
                self._name,
                f"its source grew to {total!r} items, but the window knows {self._total}: "
                f"a source that lost items was rewritten (reopen the window instead).",
            )
        at_end = self.after == 0
        self._total = total
        return at_end

    def reopen(self, total: int) -> None:
        """The source was rewritten outside this view (items removed or replaced): empty
        the window (the page clears the container, after the ops not rendered yet) and
        make it a window on ``total`` items showing none yet (the view then shows the
        newest page)."""
        if not self._sourced or not isinstance(total, int) or total < 0:
            raise PageError(self._name, f"cannot reopen it on {total!r} items of its source")
        self._keys.clear()
        # Not `pending = [Cleared()]` as reset() does: ops still unrendered (an optimistic
        # insert under the key the browser proposed) must reach the page before the
        # clear, or the browser never learns its key was taken and keeps its copy.
        self.pending.append(Cleared())
        self._total = self._lo = total

    def _page_key(self, item: Any, index: int) -> str:
        """The key of the ``index``-th item of a page: from ``key=``, or the counter's
        next keys in page order (taken together once the page is checked)."""
        if self._key_of is not None:
            return self._key_of(item)
        return f"{self._name}-{self._counter + index}"

    def _joins_window(self, at_start: bool) -> bool:
        """Whether a new item at the start (or end) of the sequence is next to the window,
        so the page shows it; else it would leave a gap, and only the sequence counts it."""
        if at_start:
            return self._lo == 0
        return self._lo + len(self) == self._total

    def _prune(self, limit: int | None, *, pruning_end: bool) -> None:
        """Keep at most ``limit`` items, removing them at the end (``pruning_end``) or the
        start.

        Pruned items leave the page, not the sequence: the window moves (a paged stream
        loads them again by scrolling; see :attr:`before` and :attr:`after`).
        """
        while limit is not None and len(self) > limit:
            evicted = self.last if pruning_end else self.first
            assert evicted is not None
            self._unlink(evicted)
            self._lo += 0 if pruning_end else 1

    def _viewport_attrs(self) -> dict[str, AttrValue]:
        """The attributes that ask the browser for the pages next to the window."""
        return {
            VIEWPORT_TOP_ATTR: self._name if self.wanted("top") else None,
            VIEWPORT_BOTTOM_ATTR: self._name if self.wanted("bottom") else None,
        }

    def _link_last(self, key: str) -> None:
        self._keys[key] = None

    def _link_first(self, key: str) -> None:
        self._keys[key] = None
        self._keys.move_to_end(key, last=False)
