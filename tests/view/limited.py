"""A stream with ``limit`` that is not paged, for the tests of its window: pushes and
unshifts with the stream's limit and with their own (``limit=``), markers of what the
page does not show, and a jump back to the newest items."""

from __future__ import annotations

import attrs

from actorview.render import Element, h
from actorview.view import View, action, ops, state, stream

LIMIT = 4
"""The stream's own limit."""

KEEP = 3
"""The limit of the inserts that pass their own: ``push_first`` keeps the first KEEP,
``unshift_last`` the last KEEP."""


@attrs.frozen
class Item:
    id: int


class Ticker(View):
    items = stream(Item, key="id", limit=LIMIT)
    newest = state(int, -1)
    """The id of the newest item pushed: where "Show newest" starts again."""
    counter = state(int)
    """The last id the buttons gave (the page's "New" and "Older")."""

    push = action(
        ops.push(items=lambda id: Item(id)), ops.set(newest=lambda id: id), params={"id": int}
    )
    unshift = action(ops.unshift(items=lambda id: Item(id)), params={"id": int})
    push_first = action(ops.push(items=lambda id: Item(id), limit=KEEP), params={"id": int})
    unshift_last = action(ops.unshift(items=lambda id: Item(id), limit=-KEEP), params={"id": int})
    new = action(
        ops.push(items=lambda counter: Item(counter + 1)),
        ops.set(counter=lambda counter: counter + 1, newest=lambda counter: counter + 1),
    )
    older = action(
        ops.unshift(items=lambda counter: Item(counter + 1)),
        ops.set(counter=lambda counter: counter + 1),
    )
    show_newest = action(
        ops.reset("items"),
        ops.push(items=lambda newest: Item(newest)),
        when=lambda newest: newest >= 0,
    )

    def render(self) -> Element:
        items = self.items
        return h.div(
            h.p(f"{items.before} older not shown", id="older", hidden=not items.before),
            items.slot("ul", lambda item: h.li(str(item.id)), id="items"),
            h.p(f"{items.after} newer not shown", id="newer", hidden=not items.after),
            h.button("New", id="new", av_click="new"),
            h.button("Older", id="older-one", av_click="older"),
            h.button("Show newest", id="show-newest", av_click="show_newest"),
        )
