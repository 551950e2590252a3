"""Random expressions of the optimistic subset give the same answer in Python and in node.

Each example draws parameter values (ints with negatives and zero, floats with -0.0 and
large magnitudes, strings with Unicode whitespace and astral characters, lists, dicts,
records, None, bools) and a batch of expressions over them, built mostly along types so
most of them compute something, with some deliberate type mixing so errors are compared
too. Each expression runs as a Python lambda and, transpiled, in one long-lived node
process. The promise checked, for every expression:

- Python returns a value: JavaScript returns the same value (tagged JSON, bools apart
  from numbers), or refuses (``AV.Unpredictable``: the server will answer);
- Python raises: JavaScript throws the same Python exception type, or refuses;
- JavaScript never throws anything else (a ``ReferenceError`` would be a transpiler bug).
"""

from __future__ import annotations

import builtins
import os
import warnings
from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actorview.optimistic import Kind, transpile_expression
from tests.optimistic.node import Node, encode


@attrs.frozen
class Rec:
    name: str
    n: int
    tags: list[str] = attrs.field(factory=list)


PARAMS = ("i", "j", "f", "s", "t", "xs", "b", "n", "d", "r", "v")
TYPES: dict[str, Any] = {
    "i": int,
    "j": int,
    "f": Kind.FLOAT,
    "s": str,
    "t": str,
    "xs": list[Any],
    "b": bool,
    "n": int | None,
    "d": dict[str, Any],
    "r": Rec,
}
GLOBALS: dict[str, Any] = {"Rec": Rec, "__builtins__": builtins}
STATS: Counter[str] = Counter()

# -- values ---------------------------------------------------------------------------------

SPACES = " \t\n\x0b\x0c\r\x1c\x1f\x85\xa0\u1680\u2000\u200a\u2028\u202f\u3000\ufeff\u200b"
ALPHABET = "abAB,.-_0129 " + SPACES + "ßİΣσςéÉ\U0001f600\U00010400\uffff"
small_text = st.text(alphabet=ALPHABET, max_size=8)
any_text = st.one_of(small_text, st.text(max_size=6))
ints = st.one_of(st.integers(-20, 20), st.sampled_from([0, -1, 2**53 - 1, 10**15, -(10**9)]))
floats = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 0.5, -2.5, 1e16, 1e15, 1.5e-5, 1e-4, 3.0, 0.1, 1e300]),
)
scalars = st.one_of(ints, floats, any_text, st.none(), st.booleans())
lists = st.lists(st.one_of(ints, small_text, st.none(), st.booleans(), floats), max_size=5)
dicts = st.dictionaries(st.sampled_from(["a", "b", "k", "__proto__", "1"]), scalars, max_size=3)
records = st.builds(Rec, small_text, st.integers(-5, 5), st.lists(small_text, max_size=3))
anything = st.one_of(scalars, lists, dicts, records, st.lists(lists, max_size=2))


@st.composite
def parameter_values(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "i": draw(ints),
        "j": draw(ints),
        "f": draw(floats),
        "s": draw(any_text),
        "t": draw(small_text),
        "xs": draw(lists),
        "b": draw(st.booleans()),
        "n": draw(st.one_of(st.none(), ints)),
        "d": draw(dicts),
        "r": draw(records),
        "v": draw(anything),
    }


# -- expressions ----------------------------------------------------------------------------


def _lit(value: Any) -> str:
    return repr(value)


def _fmt(template: str) -> Any:
    return lambda args: template.format(*args)


def _ap(template: str, *parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map(_fmt(template))


# f-string fields must not hold quotes in Python 3.11
plain = st.sampled_from(
    [*PARAMS, "r.name", "r.n", "len(s)", "(i // 2)", "(f * 2)", "(i / 4)", "None", "True", "-0.0"]
)
small_int_lit = st.integers(-3, 5).map(str)
int_lit = st.one_of(small_int_lit, ints.map(str))
float_lit = st.sampled_from(["0.0", "0.5", "2.5", "1e16", "1e-05", "3.0", "0.1", "1e+300", "7.25"])
str_lit = small_text.map(_lit)


@cache
def int_exprs(depth: int) -> st.SearchStrategy[str]:
    leaves = st.one_of(int_lit, st.sampled_from(["i", "j", "r.n", "len(s)", "len(xs)"]))
    if depth == 0:
        return leaves
    sub = int_exprs(depth - 1)
    return st.one_of(
        leaves,
        _ap("({} {} {})", sub, st.sampled_from(["+", "-", "*", "//", "%"]), sub),
        _ap("({} ** {})", sub, st.sampled_from(["0", "1", "2", "3", "-1"])),
        _ap("(-{})", sub),
        _ap("abs({})", sub),
        _ap("{}({}, {})", st.sampled_from(["min", "max"]), sub, sub),
        _ap("len({})", str_exprs(depth - 1)),
        _ap("int({})", st.one_of(float_exprs(depth - 1), st.sampled_from(['"12"', '" -7 "']))),
        _ap("({} if {} else {})", sub, bool_exprs(depth - 1), sub),
        _ap("(n or {})", sub),
    )


@cache
def float_exprs(depth: int) -> st.SearchStrategy[str]:
    leaves = st.one_of(float_lit, st.just("f"))
    if depth == 0:
        return leaves
    sub = float_exprs(depth - 1)
    num = st.one_of(sub, int_exprs(depth - 1))
    return st.one_of(
        leaves,
        _ap("({} {} {})", sub, st.sampled_from(["+", "-", "*", "/", "//", "%"]), num),
        _ap("({} / {})", num, num),
        _ap("({} ** {})", sub, st.sampled_from(["2", "0.5", "-1", "3"])),
        _ap("float({})", st.one_of(num, st.sampled_from(['"1_0.5"', '"  -2e3"', '".5"']))),
        _ap("(-{})", sub),
    )


@cache
def str_exprs(depth: int) -> st.SearchStrategy[str]:
    leaves = st.one_of(str_lit, st.sampled_from(["s", "t", "r.name"]))
    if depth == 0:
        return leaves
    sub = str_exprs(depth - 1)
    anyx = any_exprs(depth - 1)
    return st.one_of(
        leaves,
        _ap("({} + {})", sub, sub),
        _ap("({} * {})", sub, small_int_lit),
        _ap("{}.{}()", sub, st.sampled_from(["strip", "lstrip", "rstrip", "lower", "upper"])),
        _ap("{}.{}({})", sub, st.sampled_from(["strip", "lstrip", "rstrip"]), str_lit),
        _ap("{}.replace({}, {})", sub, str_lit, sub),
        _ap("{}.join({})", str_lit, list_exprs(depth - 1)),
        _ap("str({})", anyx),
        _ap('f"<{}|{}>"', plain, plain),
        _ap("{}[{}]", sub, int_exprs(depth - 1)),
        _ap("{}[{}:{}:{}]", sub, _opt(int_exprs(0)), _opt(int_exprs(0)), _opt(small_int_lit)),
        _ap("({} if {} else {})", sub, bool_exprs(depth - 1), sub),
        _ap("({} or {})", sub, sub),
        _ap("min({})", sub),
    )


@cache
def list_exprs(depth: int) -> st.SearchStrategy[str]:
    leaves = st.one_of(st.sampled_from(["xs", "r.tags", "[]"]), lists.map(_lit))
    if depth == 0:
        return leaves
    sub = list_exprs(depth - 1)
    return st.one_of(
        leaves,
        _ap("[{}, {}]", any_exprs(depth - 1), any_exprs(depth - 1)),
        _ap("({} + {})", sub, sub),
        _ap("({} * {})", sub, small_int_lit),
        _ap("{}.split()", str_exprs(depth - 1)),
        _ap("{}.split({})", str_exprs(depth - 1), st.sampled_from(['","', '" "', '"a"', '""'])),
        _ap("{}[{}:{}:{}]", sub, _opt(int_exprs(0)), _opt(int_exprs(0)), _opt(small_int_lit)),
    )


@cache
def bool_exprs(depth: int) -> st.SearchStrategy[str]:
    leaves = st.sampled_from(["b", "True", "False", "(n is None)", "(n is not None)"])
    if depth == 0:
        return leaves
    anyx = any_exprs(depth - 1)
    ops = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
    return st.one_of(
        leaves,
        _ap("({} {} {})", anyx, ops, anyx),
        _ap("({} {} {} {} {})", anyx, ops, anyx, ops, anyx),
        _ap("({} in {})", anyx, st.one_of(list_exprs(depth - 1), str_exprs(depth - 1))),
        _ap("({} not in {})", str_exprs(depth - 1), st.sampled_from(["d", "s", '("a", "b")'])),
        _ap("(not {})", anyx),
        _ap("bool({})", anyx),
        _ap(
            "{}.{}({})",
            str_exprs(depth - 1),
            st.sampled_from(["startswith", "endswith"]),
            st.one_of(str_lit, st.just('("a", " ")')),
        ),
        _ap("({} and {})", bool_exprs(depth - 1), anyx),
    )


@cache
def any_exprs(depth: int) -> st.SearchStrategy[str]:
    leaves = st.one_of(
        st.sampled_from(["v", "None", "d", "r", "n"]),
        st.sampled_from(PARAMS),
        scalars.map(_lit),
    )
    if depth == 0:
        return leaves
    sub = any_exprs(depth - 1)
    return st.one_of(
        leaves,
        int_exprs(depth),
        float_exprs(depth),
        str_exprs(depth),
        list_exprs(depth),
        bool_exprs(depth),
        _ap('{{"a": {}, "b": {}}}', sub, sub),
        _ap("{}[{}]", sub, st.one_of(sub, st.sampled_from(['"a"', '"k"', "0", "-1"]))),
        _ap("{}.{}", st.sampled_from(["r", "v", "d"]), st.sampled_from(["name", "n", "tags", "x"])),
        _ap("({} {} {})", sub, st.sampled_from(["+", "-", "*", "/", "//", "%"]), sub),
        _ap("({} or {})", sub, sub),
        _ap("({} and {})", sub, sub),
        _ap("({} if {} else {})", sub, sub, sub),
        _ap("{}({})", st.sampled_from(["len", "abs", "int", "float", "min", "max"]), sub),
        _ap("Rec({}, {})", str_exprs(depth - 1), int_exprs(depth - 1)),
    )


def _opt(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), strategy)


expressions = st.deferred(lambda: any_exprs(3))

# -- running --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def node() -> Iterator[Node]:
    runner = Node()
    yield runner
    runner.close()
    if STATS:
        print("\noptimistic property test outcomes:", dict(STATS))


def resolve(name: str) -> Any:
    return GLOBALS.get(name, getattr(builtins, name, None))


def python_outcome(source: str, values: dict[str, Any]) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        fn = eval(f"lambda {', '.join(PARAMS)}: {source}", GLOBALS)
    try:
        return {"ok": encode(fn(*(values[p] for p in PARAMS)))}
    except Exception as error:
        return {"error": type(error).__name__}


def check(node: Node, sources: list[str], values: dict[str, Any], typed: bool) -> None:
    types = TYPES if typed else {"r": Rec}
    compiled = [
        transpile_expression(src, PARAMS, types=types, resolve=resolve).js for src in sources
    ]
    args = [values[p] for p in PARAMS]
    results = node.run_many([(js, args) for js in compiled])
    for source, js, got in zip(sources, compiled, results, strict=True):
        expected = python_outcome(source, values)
        context = f"\n  expression: {source}\n  values: {values!r}\n  js: {js}\n"
        kind = got.get("error")
        assert kind != "JSError", f"JavaScript failed: {got}{context}"
        if kind == "Unpredictable":
            STATS["refused after python " + ("value" if "ok" in expected else "error")] += 1
            continue
        if "ok" in expected:
            assert got == expected, f"python gave {expected}, js gave {got}{context}"
            STATS["same value"] += 1
        else:
            assert kind == "PyError", f"python raised {expected['error']}, js gave {got}{context}"
            assert got["type"] == expected["error"], f"python raised {expected}, js {got}{context}"
            STATS["same error"] += 1


@settings(
    max_examples=int(os.environ.get("TRANSPILE_EXAMPLES", "1000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(expressions, min_size=1, max_size=12),
    parameter_values(),
    st.booleans(),
)
def test_python_and_javascript_agree(
    node: Node, sources: list[str], values: dict[str, Any], typed: bool
) -> None:
    check(node, sources, values, typed)
