"""Stream fields keep exactly the keys a plain list would, in order, under any ops."""

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


def model_step(keys: list[str], name: str, ident: int | None) -> None:
    key = str(ident)
    if name in ("push", "unshift"):
        if key in keys:
            return  # an existing key is replaced in place
        if name == "push":
            keys.append(key)
            if len(keys) > LIMIT:
                keys.pop(0)
        else:
            keys.insert(0, key)
            if len(keys) > LIMIT:
                keys.pop()
    elif name == "remove":
        if key in keys:
            keys.remove(key)
    elif name == "pop":
        if keys:
            keys.pop()
    elif name == "shift":
        if keys:
            keys.pop(0)
    else:
        keys.clear()


def replay(pending: Sequence[PendingOp], shown: list[str]) -> list[str]:
    """What a page showing ``shown`` shows after the pending ops (the renderer's view)."""
    page = list(shown)
    for op in pending:
        if isinstance(op, Cleared):
            page.clear()
        elif isinstance(op, Deleted):
            if op.key in page:
                page.remove(op.key)
        elif op.key not in page:
            page.insert(0 if op.at == 0 else len(page), op.key)
    return page


@given(st.lists(st.lists(steps, max_size=8), max_size=6))
def test_keys_follow_a_plain_list_and_pending_ops_rebuild_the_page(
    renders: list[list[tuple[str, int | None]]],
) -> None:
    view = Items()
    keys: list[str] = []
    page: list[str] = []
    for batch in renders:
        for name, ident in batch:
            view.live.store.act(name, None if ident is None else {"id": ident})
            model_step(keys, name, ident)
            assert list(view.items) == keys
            assert len(view.items) == len(keys)
        page = replay(view.items.take_pending(), page)
        assert page == keys
        assert view.items.pending == []
