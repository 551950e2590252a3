"""A paged stream's pieces for tests: a sequence in a list, and a view that pages it.

:class:`ListSource` is a :class:`~actorview.view.PageSource` over a Python list, which
records the slices asked of it and can be made slow. :class:`Feed` is a view whose
``items`` stream is paged from one (page 3, limit 7), keeping the list in step with its
pushes, unshifts and resets the way the chat keeps its store: the ops of each batch are
written to the source before the render that shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import trio

from actorview.declare.collections import Cleared, Inserted, PendingOp
from actorview.render import Element, h
from actorview.view import View, action, ops, stream

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
        self._pending: list[PendingOp] | None = None
        self._kept = 0

    async def count(self) -> int:
        await trio.sleep(self.delay)
        return len(self.items)

    async def slice(self, start: int, stop: int) -> list[Item]:
        await trio.sleep(self.delay)
        self.slices.append((start, stop))
        return self.items[start : stop - 1 if self.wrong else stop]

    def keep(self, pending: list[PendingOp]) -> None:
        """Apply the stream's new items and resets to the list (each op once: the same
        list of pending ops can come again, longer, while a render is held back)."""
        start = self._kept if pending is self._pending else 0
        self._pending, self._kept = pending, len(pending)
        for op in pending[start:]:
            if isinstance(op, Cleared):
                self.items.clear()
            elif isinstance(op, Inserted):
                if op.at == 0:
                    self.items.insert(0, op.item)
                else:
                    self.items.append(op.item)


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

    def mount(self, params: FeedParams) -> None:
        self.source: ListSource = params.source

    async def on_start(self) -> None:
        await self.open_pages("items", self.source)
        await super().on_start()

    async def after_batch(self) -> None:
        self.source.keep(self.items.pending)
        await super().after_batch()

    def render(self) -> Element:
        return h.div(self.items.slot("ul", id="feed"), h.p(str(len(self.items)), id="shown"))


def items(count: int) -> list[Item]:
    return [Item(i) for i in range(count)]
