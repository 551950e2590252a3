"""Stream fields keep exactly the keys of the window a plain model expects, in order,
under any ops: one contiguous run of the items pushed and unshifted, ``limit`` long at
most (an insert that would leave a gap waits unseen)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
from hypothesis import given
from hypothesis import strategies as st

from actorview.declare._collections import Cleared, Deleted, PendingOp
from actorview.view import View, action, ops, stream


@attrs.frozen
class Item:
    id: int


LIMIT = 5


class Items(View):
    items = stream(Item, key="id", limit=LIMIT)
    push = action(ops.push(items=lambda id: Item(id)), params={"id": int})
    unshift = action(ops.unshift(items=lambda id: Item(id)), params={"id": int})
    remove = action(ops.delete("items", lambda id: id), params={"id": int})
    pop = action(ops.pop("items"))
    shift = action(ops.shift("items"))
    reset = action(ops.reset("items"))


ids = st.integers(min_value=0, max_value=8)
steps = st.one_of(
    st.tuples(st.sampled_from(["push", "unshift", "remove"]), ids),
    st.tuples(st.sampled_from(["pop", "shift", "reset"]), st.none()),
)


@attrs.define
class Model:
    """The sequence of items pushed and unshifted, and the window of it the page shows
    (``start .. stop``): one contiguous run, never with a gap."""

    sequence: list[str] = attrs.Factory(list)
    start: int = 0
    stop: int = 0

    @property
    def shown(self) -> list[str]:
        return self.sequence[self.start : self.stop]

    def trim(self, *, keep_first: bool) -> None:
        while self.stop - self.start > LIMIT:
            if keep_first:
                self.stop -= 1
            else:
                self.start += 1


def model_step(model: Model, name: str, ident: int | None) -> None:
    key = str(ident)
    if name in ("push", "unshift"):
        if key in model.shown:
            return  # an existing key is replaced in place
        if name == "push":
            model.sequence.append(key)
            if model.stop == len(model.sequence) - 1:  # the window ends at the end
                model.stop += 1
                model.trim(keep_first=False)
        else:
            model.sequence.insert(0, key)
            if model.start == 0:
                model.stop += 1
                model.trim(keep_first=True)
            else:  # before what the page shows: it waits unseen
                model.start += 1
                model.stop += 1
    elif name == "remove":
        if key in model.shown:
            del model.sequence[model.start + model.shown.index(key)]
            model.stop -= 1
    elif name == "pop":
        if model.shown:
            del model.sequence[model.stop - 1]
            model.stop -= 1
    elif name == "shift":
        if model.shown:
            del model.sequence[model.start]
            model.stop -= 1
    else:
        model.sequence, model.start, model.stop = [], 0, 0


def replay(pending: Sequence[PendingOp], shown: list[str]) -> list[str]:
    """What a page showing ``shown`` shows after the pending ops (the renderer's view)."""
    page = list(shown)
    for op in pending:
        if isinstance(op, Cleared):
            page.clear()
        elif isinstance(op, Deleted):
            if op.key in page:
                page.remove(op.key)
        elif getattr(op, "shown", True) and op.key not in page:
            page.insert(0 if op.at == 0 else len(page), op.key)
    return page


@given(st.lists(st.lists(steps, max_size=8), max_size=6))
def test_keys_follow_a_plain_list_and_pending_ops_rebuild_the_page(
    renders: list[list[tuple[str, int | None]]],
) -> None:
    view = Items()
    model = Model()
    page: list[str] = []
    for batch in renders:
        for name, ident in batch:
            view.live.store.act(name, None if ident is None else {"id": ident})
            model_step(model, name, ident)
            assert list(view.items) == model.shown
            assert len(view.items) == len(model.shown)
            assert view.items.before == model.start
            assert view.items.after == len(model.sequence) - model.stop
        page = replay(view.items.take_pending(), page)
        assert page == model.shown
        assert view.items.pending == []
