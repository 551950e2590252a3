"""Numbers and text where JavaScript differs most from Python, checked value by value.

The random-expression test (``test_transpile_python_vs_js.py``) covers how constructs
combine; this one drives the helpers that carry the most emulation with many raw values:
float repr, floor division and modulo signs (``str`` shows int vs float and ``-0.0``),
``int()``/``float()`` parsing, whitespace stripping and splitting, code-point slicing and
ordering of astral text. Every function runs in Python and, transpiled, in node; the
results must be equal, or both must raise the same exception, or the browser refuses.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actorview.optimistic import Kind, transpile
from tests.optimistic.node import Node, encode

EXAMPLES = int(os.environ.get("TRANSPILE_EXAMPLES", "300"))
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

SAFE = 2**53 - 1
safe_ints = st.one_of(st.integers(-100, 100), st.integers(-SAFE, SAFE))
finite = st.floats(allow_nan=False, allow_infinity=False)
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\ufeff\u200b"
texts = st.text(alphabet=st.one_of(st.sampled_from(WHITESPACE + "ab,"), st.characters()))
numeric_texts = st.one_of(
    st.from_regex(r"\A[ \t\u3000\x1c]*[+-]?[0-9_]{1,6}(\.[0-9_]{0,3})?([eE][+-]?[0-9]{1,2})?\s*\Z"),
    st.sampled_from(["", " ", "1e", ".", "_1", "1_", "0x10", "١٢", "nan", "-inf", "1.5e400"]),
)


@pytest.fixture(scope="module")
def node() -> Iterator[Node]:
    runner = Node()
    yield runner
    runner.close()


def outcome(fn: Callable[..., Any], args: tuple[Any, ...]) -> dict[str, Any]:
    try:
        return {"ok": encode(fn(*args))}
    except Exception as error:
        return {"error": type(error).__name__}


def agree(
    node: Node,
    functions: list[Callable[..., Any]],
    cases: list[tuple[Any, ...]],
    types: dict[str, Any] | None = None,
) -> None:
    compiled = [transpile(fn, types=types).js for fn in functions]
    calls = [(js, args) for js in compiled for args in cases]
    results = iter(node.run_many(calls))
    for fn, js in zip(functions, compiled, strict=True):
        for args in cases:
            got = next(results)
            expected = outcome(fn, args)
            where = f"\n  js: {js}\n  args: {args!r}\n  python: {expected}\n  js gave: {got}"
            if got.get("error") == "Unpredictable":
                continue
            if "ok" in expected:
                assert got == expected, where
            else:
                assert got.get("type") == expected["error"], where


FLOAT_FUNCTIONS: list[Callable[..., Any]] = [
    lambda x, y: str(x),
    lambda x, y: x / y,
    lambda x, y: str(x // y),
    lambda x, y: str(x % y),
    lambda x, y: str(-x),
    lambda x, y: x < y,
    lambda x, y: int(x),
    lambda x, y: str(float(str(x))),
    lambda x, y: str(abs(x) + y),
]


@PROFILE
@given(
    st.lists(
        st.tuples(finite, st.one_of(finite, st.sampled_from([0.0, -0.0, 1.0, -1.0]))),
        min_size=1,
        max_size=20,
    )
)
def test_float_arithmetic_and_repr_match_python(
    node: Node, cases: list[tuple[float, float]]
) -> None:
    agree(node, FLOAT_FUNCTIONS, cases, types={"x": Kind.FLOAT, "y": Kind.FLOAT})


INT_FUNCTIONS: list[Callable[..., Any]] = [
    lambda x, y: str(x // y),
    lambda x, y: str(x % y),
    lambda x, y: str(x * y),
    lambda x, y: str(x - y),
    lambda x, y: x / y,
    lambda x, y: str(x**2),
    lambda x, y: str(min(x, y)),
    lambda x, y: f"{x}:{y}",
    lambda x, y: int(str(x)) == x,
]


@PROFILE
@given(st.lists(st.tuples(safe_ints, safe_ints), min_size=1, max_size=20))
def test_int_arithmetic_matches_python(node: Node, cases: list[tuple[int, int]]) -> None:
    agree(node, INT_FUNCTIONS, cases, types={"x": int, "y": int})


TEXT_FUNCTIONS: list[Callable[..., Any]] = [
    lambda s, t, i, j: s.strip(),
    lambda s, t, i, j: s.lstrip(t),
    lambda s, t, i, j: s.rstrip(),
    lambda s, t, i, j: s.split(),
    lambda s, t, i, j: s.split(t),
    lambda s, t, i, j: s.replace(t, "<>"),
    lambda s, t, i, j: len(s),
    lambda s, t, i, j: s[i],
    lambda s, t, i, j: s[i:j],
    lambda s, t, i, j: s[j:i:-1],
    lambda s, t, i, j: s < t,
    lambda s, t, i, j: t in s,
    lambda s, t, i, j: s.startswith(t),
    lambda s, t, i, j: s.lower() == t.upper(),
    lambda s, t, i, j: max(s + t) if s + t else "",
]


@PROFILE
@given(
    st.lists(
        st.tuples(
            texts,
            st.one_of(texts, st.sampled_from(["", " ", "a"])),
            st.integers(-6, 6),
            st.integers(-6, 6),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_text_methods_match_python(node: Node, cases: list[tuple[str, str, int, int]]) -> None:
    agree(node, TEXT_FUNCTIONS, cases, types={"i": int, "j": int})


PARSE_FUNCTIONS: list[Callable[..., Any]] = [
    lambda s: int(s),
    lambda s: str(float(s)),
]


@PROFILE
@given(st.lists(numeric_texts.map(lambda s: (s,)), min_size=1, max_size=20))
def test_int_and_float_parse_text_like_python(node: Node, cases: list[tuple[str]]) -> None:
    agree(node, PARSE_FUNCTIONS, cases)
