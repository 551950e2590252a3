"""The browser's list ops compute what the server's store computes.

Each example draws a sequence of actions, each a few ops (``set``, ``push``, ``unshift``,
``pop``, ``shift``, ``update_at``, some skipped by a false ``when``) on three list fields
(``list[str]``, ``list[int]``, ``list[float]``), with items of the right type and now and
then of the wrong one, and indexes in and out of range (and not ints). Every action runs
in a :class:`ViewStore` and, from the same state, through ``AV.applyOps`` in node, with
the type descriptors and int-or-float hints the client program would give it. The
promise: the same lists after every action, or both refuse it (the server raises, the
browser throws ``PyError``); the browser never refuses an action whose values it was
given with their kinds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actorview.declare._errors import OpError, StateTypeError
from actorview.declare._expressions import Expr
from actorview.declare._values import conforms
from actorview.declare.ops import Op, Pop, Push, Set, Shift, Unshift, UpdateAt
from actorview.optimistic._program import _type_check
from actorview.view import View, state
from actorview.view._store import ViewStore
from tests.optimistic.node import Node, encode


class Lists(View):
    words = state(list[str])
    counts = state(list[int])
    sizes = state(list[float])


FIELDS = {"words": str, "counts": int, "sizes": float}
APPLY = "(values, steps) => AV.applyOps(values, steps)"


@pytest.fixture(scope="module")
def node() -> Iterator[Node]:
    runner = Node()
    yield runner
    runner.close()


def constant(value: Any) -> Expr:
    return Expr(function=None, constant=value, names=())


items = st.one_of(
    st.text(alphabet="ab ", max_size=2),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([0.5, -2.0, 3.0]),
    st.booleans(),
    st.none(),
)
indexes = st.one_of(
    st.integers(min_value=-4, max_value=4),
    st.sampled_from([1.0, True, "0"]),
)


@st.composite
def one_op(draw: st.DrawFn) -> Op:
    field = draw(st.sampled_from(sorted(FIELDS)))
    verb = draw(st.sampled_from(["set", "push", "unshift", "pop", "shift", "update_at"]))
    op: Op
    if verb == "set":
        op = Set(field, constant(draw(st.lists(items.filter(_fits(field)), max_size=3))))
    elif verb in ("push", "unshift"):
        cls = Push if verb == "push" else Unshift
        op = cls(field, constant(draw(items)))
    elif verb == "pop":
        op = Pop(field)
    elif verb == "shift":
        op = Shift(field)
    else:
        op = UpdateAt(field, constant(draw(indexes)), constant(draw(items)))
    if draw(st.integers(0, 5)) == 0:
        op = attrs.evolve(op, when=constant(False))
    return op


def _fits(field: str) -> Any:
    return lambda item: conforms(item, FIELDS[field])


actions = st.lists(st.lists(one_op(), min_size=1, max_size=4), min_size=1, max_size=6)


def hint(value: Any) -> str | None:
    """What the transpiler infers for a constant: ``"i"`` for an int, ``"f"`` for a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return "i" if isinstance(value, int) else "f"


def browser_steps(ops: list[Op]) -> list[dict[str, Any]]:
    """The steps client.js builds: ops whose `when` is false left out, values evaluated."""
    steps = []
    for op in ops:
        if op.when is not None and not op.when.constant:
            continue
        assert isinstance(op, (Set, Push, Unshift, Pop, Shift, UpdateAt))
        step: dict[str, Any] = {"kind": op.verb, "field": op.field, "value": None}
        if isinstance(op, Set):
            step["value"] = op.value.constant
        elif isinstance(op, (Push, Unshift)):
            step["value"] = op.item.constant
        elif isinstance(op, UpdateAt):
            step["value"] = op.value.constant
            step["index"] = op.index.constant
            step["indexHint"] = hint(op.index.constant)
        step["check"] = _type_check(FIELDS[op.field])
        step["valueHint"] = hint(step["value"])
        steps.append(step)
    return steps


REFUSED = "refused by the server"


@settings(
    max_examples=int(os.environ.get("LIST_OPS_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(actions)
def test_the_browser_applies_list_ops_as_the_store_does(
    node: Node, sequence: list[list[Op]]
) -> None:
    store = ViewStore(Lists.__view_spec__, "Lists")
    calls = []
    expected: list[dict[str, list[Any]] | str] = []
    for ops in sequence:
        before = {name: list(store.read(name)) for name in FIELDS}
        calls.append((APPLY, [before, browser_steps(ops)]))
        try:
            store.apply(ops)
        except (OpError, StateTypeError):
            expected.append(REFUSED)
            assert {name: store.read(name) for name in FIELDS} == before, "all or nothing"
        else:
            expected.append({name: list(store.read(name)) for name in FIELDS})
    results = node.run_many(calls)
    for ops, want, got in zip(sequence, expected, results, strict=True):
        if want == REFUSED:
            assert got.get("error") == "PyError", (ops, got)
        else:
            assert got == {"ok": encode(want)}, (ops, want, got)
