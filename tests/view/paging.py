"""A paged stream's pieces for tests: a sequence in a list, and a view that pages it.

:class:`ListSource` is a :class:`~actorview.view.PageSource` over a Python list, which
records the slices asked of it and can be made slow. :class:`Feed` is a view whose
``items`` stream is paged from one (page 3, limit 7), keeping the list in step with its
pushes, unshifts and resets the way the chat keeps its store: the source is a
:class:`~actorview.view.KeptSource`, told each change before the view makes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import trio

from actorview.render import Element, h
from actorview.view import (
    ItemAdded,
    ItemRemoved,
    ItemReplaced,
    ItemsCleared,
    StreamChange,
    View,
    action,
    ops,
    stream,
)

PAGE = 3
LIMIT = 7


@attrs.frozen
class Item:
    id: int


class ListSource:
    """The whole sequence, oldest first, in a list."""

    def __init__(self, items: Sequence[Item] = ()) -> None:
        self.items = list(items)
        self.slices: list[tuple[int, int]] = []
        self.delay = 0.0
        """Seconds each call sleeps first (a slow store)."""
        self.wrong = False
        """Give one item too few (a broken store)."""
        self.refuse = False
        """Raise from :meth:`keep` (a store that cannot write)."""
        self.kept: list[list[StreamChange]] = []
        """The changes :meth:`keep` was told, one list per action or clause."""

    async def count(self) -> int:
        await trio.sleep(self.delay)
        return len(self.items)

    async def slice(self, start: int, stop: int) -> list[Item]:
        await trio.sleep(self.delay)
        self.slices.append((start, stop))
        return self.items[start : stop - 1 if self.wrong else stop]

    async def keep(self, changes: Sequence[StreamChange]) -> None:
        """Apply the stream's changes to the list before the view makes them (a
        :class:`~actorview.view.KeptSource`); with ``refuse`` set, raise instead."""
        await trio.sleep(self.delay)
        self.kept.append(list(changes))
        if self.refuse:
            raise OSError("the disk is full")
        for change in changes:
            match change:
                case ItemsCleared():
                    self.items.clear()
                case ItemAdded(item=item, at_start=True):
                    self.items.insert(0, item)
                case ItemAdded(item=item):
                    self.items.append(item)
                case ItemRemoved(key=key):
                    self.items = [i for i in self.items if str(i.id) != key]
                case ItemReplaced(key=key, item=item):
                    self.items = [item if str(i.id) == key else i for i in self.items]


@attrs.frozen
class FeedParams:
    source: Any = None


def render_item(item: Item) -> Element:
    return h.li(str(item.id))


class Feed(View):
    items = stream(Item, key="id", page=PAGE, limit=LIMIT, item=render_item)
    push = action(ops.push(items=lambda id: Item(id)), params={"id": int})
    unshift = action(ops.unshift(items=lambda id: Item(id)), params={"id": int})
    reset = action(ops.reset("items"))
    delete = action(ops.delete("items", lambda id: str(id)), params={"id": int})
    renumber = action(
        ops.update_at("items", lambda id: str(id), lambda to: Item(to)),
        params={"id": int, "to": int},
    )

    def mount(self, params: FeedParams) -> None:
        self.source: ListSource = params.source

    async def load(self) -> None:
        await self.open_pages("items", self.source)

    def render(self) -> Element:
        return h.div(self.items.slot("ul", id="feed"), h.p(str(len(self.items)), id="shown"))


def items(count: int) -> list[Item]:
    return [Item(i) for i in range(count)]
