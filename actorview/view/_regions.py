"""Render regions: a part of the page rebuilt only when what it read changed.

A view's ``render`` rebuilds the whole page on every message; on a streamed token only
the reply and its count changed, yet the composer, the toolbar and the sidebar are built
again (element sharing makes each element a lookup, but every lookup hashes its
arguments, and a bound attribute serialises its inputs). ``self.region(lambda: ...)``
in ``render`` (:meth:`~actorview.view.View.region`) builds its subtree once and, on
later renders, returns *the same element* until a field, calc or stream it read has
changed, so the diff skips it by identity (``old is new``) and nothing in it is built.

What a region depends on is found, not declared: while it builds, the store records
every name read (``ViewStore.reading``), and it compares the values its function closes
over (a local of ``render`` it uses) with those of the last build. The store tells when
each name last changed (``ViewStore.changed_at``, counted per recompute). What a region
must not read, because nothing would rebuild it when that changes, is checked the first
time each region builds: the view's own non-declared attributes (``self._x``) and
components (:class:`RegionError` names the view, the region and the fix). A region that
reads a stream field is built every render, never kept: a stream's container carries the
ops pending since the last render, which a kept element would carry again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from types import CodeType
from typing import Any, Final

from actorview.errors import ActorViewError
from actorview.render import Element
from actorview.view._store import ViewStore

_PLAIN: Final = frozenset({str, int, float, bool, type(None)})
"""Closure values compared by ``==`` (others by identity)."""


_CONSTANT: Final = frozenset({"context"})
"""Attributes of a view a region may read: they are the same for the view's life."""


class RegionError(ActorViewError):
    """A render region that cannot be kept: it reads what is not tracked, shows a
    component, or does not build an element. The message names the view, the region
    (its source line) and the fix."""


class _Kept:
    """One region's last build: its element, the names it read, the values its function
    closed over, and the store's generation when it was built."""

    __slots__ = ("closure", "element", "generation", "reads")

    def __init__(
        self, element: Element, reads: frozenset[str], closure: tuple[Any, ...], generation: int
    ) -> None:
        self.element = element
        self.reads = reads
        self.closure = closure
        self.generation = generation


def _closure_of(build: Callable[[], Element]) -> tuple[Any, ...]:
    cells = getattr(build, "__closure__", None)
    return () if not cells else tuple(cell.cell_contents for cell in cells)


def _same(old: tuple[Any, ...], new: tuple[Any, ...]) -> bool:
    if len(old) != len(new):
        return False
    for a, b in zip(old, new, strict=True):
        if a is b:
            continue
        if type(a) is not type(b) or type(a) not in _PLAIN or a != b:
            return False
    return True


def where(code: CodeType) -> str:
    """A region's name in messages: its function's source line."""
    return f"{code.co_filename}:{code.co_firstlineno}"


class Regions:
    """A view's render regions, by their function's code (and key): made by the view's
    first region, so a view without one holds nothing for them.

    Not thread-safe and not re-entrant across views: the view's own task calls it, inside
    its render. A region built inside another adds its reads to the outer one's, so the
    outer is rebuilt when an inner region would be.
    """

    __slots__ = ("_checked", "_kept", "_store", "_view", "building")

    def __init__(self, view: str, store: ViewStore) -> None:
        self._view = view
        self._store = store
        self._kept: dict[Hashable, _Kept] = {}
        self._checked: set[CodeType] = set()
        self.building = 0
        """Regions being built right now (a component shown meanwhile is refused)."""
        store.track_changes()

    def show(self, build: Callable[[], Element], key: Hashable, owner: object) -> Element:
        """The element of region ``build`` (under ``key``): the last one, if nothing it
        read or closed over changed since it was built, else a fresh build. Raises
        :class:`RegionError` for a region that reads what is not tracked (checked on its
        first build) or returns something other than an :class:`Element`; what ``build``
        raises passes through (the region keeps its last element)."""
        code = getattr(build, "__code__", None)
        if not isinstance(code, CodeType):
            raise RegionError(
                f"{self._view}: region({build!r}) needs a function or lambda "
                "(its code names the region); pass `lambda: h.div(...)`"
            )
        store = self._store
        found = self._kept.get((code, key))
        closure = _closure_of(build)
        outer = store.reading
        if (
            found is not None
            and _same(found.closure, closure)
            and store.unchanged_since(found.generation, found.reads)
        ):
            if outer is not None:
                outer |= found.reads
            return found.element
        if code not in self._checked:
            self._check(code, owner)
        generation = store.generation
        reads: set[str] = set()
        store.reading = reads
        self.building += 1
        try:
            element = build()
        finally:
            self.building -= 1
            store.reading = outer
        if not isinstance(element, Element):
            raise RegionError(
                f"{self._view}: the region at {where(code)} built a "
                f"{type(element).__name__}, not an element; return one element from it "
                "(`lambda: h.div(...)`)"
            )
        if outer is not None:
            outer |= reads
        if reads.isdisjoint(store.spec.collections):
            self._kept[(code, key)] = _Kept(element, frozenset(reads), closure, generation)
        else:  # a stream's container carries its ops once: built afresh every render
            self._kept.pop((code, key), None)
        return element

    def _check(self, code: CodeType, owner: object) -> None:
        """Refuse a region whose code reads an attribute of the view that the store does
        not hold (``self._draft``): nothing would rebuild the region when it changes."""
        declared = self._store.spec.names | _CONSTANT
        own = set(getattr(owner, "__dict__", ()))
        for name in _names_in(code):
            if name in own and name not in declared:
                raise RegionError(
                    f"{self._view}: the region at {where(code)} reads self.{name}, which "
                    "is not a state field, calc or stream, so a change to it would not "
                    f"rebuild the region; read it in render outside the region (`{name} = "
                    f"self.{name}`: a value the region closes over is compared each "
                    "render) or declare it with state()"
                )
        self._checked.add(code)

    def component_shown(self) -> None:
        """A component is being shown: refused inside a region (a region kept would not
        show it again, and the view would drop it)."""
        if self.building:
            raise RegionError(
                f"{self._view}: a component is shown inside a render region; a region "
                "that is kept does not show its components again, so the view would drop "
                "them: show the component outside the region"
            )


def _names_in(code: CodeType) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            names |= _names_in(constant)
    return names
