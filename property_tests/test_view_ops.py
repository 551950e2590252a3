"""List ops through a view's store match plain Python lists, and a failing action
changes nothing at all."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from actorview.view import OpError, View, action, calculate, ops, state


class Numbers(View):
    values = state(list[int])
    total = calculate(lambda values: sum(values), incremental=lambda t, c: t + sum(c.added))
    push = action(ops.push(values=lambda n: n), params={"n": int})
    unshift = action(ops.unshift(values=lambda n: n), params={"n": int})
    pop = action(ops.pop("values"))
    shift = action(ops.shift("values"))
    put = action(ops.update_at("values", lambda i: i, lambda n: n), params={"i": int, "n": int})
    push_then_put = action(
        ops.push(values=lambda n: n),
        ops.update_at("values", lambda i: i, lambda n: n + 1),
        params={"i": int, "n": int},
    )
    replace = action(ops.set(values=lambda n: [n, n]), params={"n": int})


small = st.integers(min_value=-3, max_value=3)
steps = st.one_of(
    st.tuples(st.sampled_from(["push", "unshift", "replace"]), st.fixed_dictionaries({"n": small})),
    st.tuples(st.sampled_from(["pop", "shift"]), st.none()),
    st.tuples(
        st.sampled_from(["put", "push_then_put"]),
        st.fixed_dictionaries({"i": small, "n": small}),
    ),
)


def model(values: list[int], name: str, params: dict[str, int] | None) -> list[int]:
    """The list after the action, or raise IndexError where the action must fail."""
    out = list(values)
    p: dict[str, Any] = params or {}
    if name == "push":
        out.append(p["n"])
    elif name == "unshift":
        out.insert(0, p["n"])
    elif name == "pop" and out:
        out.pop()
    elif name == "shift" and out:
        out.pop(0)
    elif name == "replace":
        out = [p["n"], p["n"]]
    elif name == "put":
        out[p["i"]] = p["n"]
    elif name == "push_then_put":
        out.append(p["n"])
        out[p["i"]] = p["n"] + 1
    return out


@given(st.lists(st.lists(steps, max_size=5), max_size=6))
def test_list_ops_match_python_lists_and_fail_atomically(
    batches: list[list[tuple[str, dict[str, int] | None]]],
) -> None:
    view = Numbers()
    expected: list[int] = []
    for batch in batches:
        for name, params in batch:
            try:
                after = model(expected, name, params)
            except IndexError:
                before = list(view.values)
                try:
                    view.live.store.act(name, params)
                except OpError:
                    pass
                else:
                    raise AssertionError(f"{name}({params}) should have failed")
                assert view.values == before == expected
                continue
            view.live.store.act(name, params)
            expected = after
            assert view.values == expected
        view.live.store.recompute()
        assert view.total == sum(expected)
