"""The transpiler: a documented subset of Python expressions to JavaScript.

A view's optimistic calcs and ops are small Python functions (``lambda input:
bool(input.strip())``). :func:`transpile` turns one into a JavaScript function
expression with the same parameters that calls the helpers of ``runtime.js`` (``AV.*``)
wherever JavaScript differs from Python, so the browser computes what the server would.
Anything outside the subset raises :class:`~actorview.optimistic._errors.TranspileError`
when the function is transpiled (at class definition), naming the construct and line.
The subset, and what is rejected rather than emulated, is in ``docs/OPTIMISTIC.md``.

Static kinds: the transpiler tracks, for each subexpression, the set of Python types it
may have (from literals, operators and the optional ``types`` of the parameters). Where
JavaScript cannot tell an int from a float (``str(2.0)`` is ``"2.0"``), it passes the
inferred kind to the runtime; when it is unknown at run time the runtime refuses
(``AV.Unpredictable``) and the server answers.
"""

from __future__ import annotations

import ast
import builtins
import enum
import inspect
import json
import os
import types as pytypes
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import product
from typing import Any, Final

import attrs

from actorview.optimistic._errors import DEFAULT_HINT, TranspileError
from actorview.optimistic._source import FunctionNode, Located, _params, locate


class Kind(enum.Flag):
    """The Python types a value may have, as far as the transpiler can tell: one flag per
    type, combined with ``|`` (``Kind.INT | Kind.FLOAT``: int or float). ``Kind.ANY``,
    every flag, means unknown."""

    INT = enum.auto()
    FLOAT = enum.auto()
    BOOL = enum.auto()
    STR = enum.auto()
    LIST = enum.auto()
    """A list or a tuple (both are arrays in the browser)."""
    DICT = enum.auto()
    NONE = enum.auto()
    RECORD = enum.auto()
    """An instance of an attrs class."""
    ANY = INT | FLOAT | BOOL | STR | LIST | DICT | NONE | RECORD


MAX_EXACT: Final = 2**53 - 1

BUILTINS: Final = ("len", "str", "int", "float", "abs", "min", "max", "bool")
STR_METHODS: Final = {
    # name: (min args, max args, result kind)
    "strip": (0, 1, Kind.STR),
    "lstrip": (0, 1, Kind.STR),
    "rstrip": (0, 1, Kind.STR),
    "lower": (0, 0, Kind.STR),
    "upper": (0, 0, Kind.STR),
    "startswith": (1, 1, Kind.BOOL),
    "endswith": (1, 1, Kind.BOOL),
    "replace": (2, 2, Kind.STR),
    "split": (0, 1, Kind.LIST),
    "join": (1, 1, Kind.STR),
}

# Attribute names a str, int, float, list, dict, bool or None has in Python: reading one
# of them off a value that is not a record gives a method or number in Python.
_BUILTIN_ATTRIBUTES: Final = frozenset(
    name for kind in (str, int, float, list, dict, bool, type(None), tuple) for name in dir(kind)
)

# fmt: off
_JS_RESERVED: Final = frozenset({
    "AV", "await", "break", "case", "catch", "class", "const", "continue", "debugger",
    "default", "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for",
    "function", "if", "implements", "import", "in", "instanceof", "interface", "let", "new",
    "null", "package", "private", "protected", "public", "return", "static", "super", "switch",
    "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
    "arguments", "eval", "undefined", "NaN", "Infinity", "globalThis",
})
# fmt: on

_BINOPS: Final[dict[type[ast.operator], str]] = {
    ast.Add: "add",
    ast.Sub: "sub",
    ast.Mult: "mul",
    ast.Div: "truediv",
    ast.FloorDiv: "floordiv",
    ast.Mod: "mod",
    ast.Pow: "pow",
}
_BINOP_TEXT: Final[dict[type[ast.operator], str]] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.MatMult: "@",
}
_COMPARE: Final[dict[type[ast.cmpop], str]] = {
    ast.Eq: "eq",
    ast.NotEq: "ne",
    ast.Lt: "lt",
    ast.LtE: "le",
    ast.Gt: "gt",
    ast.GtE: "ge",
    ast.In: "contains",
    ast.NotIn: "notContains",
}


@attrs.frozen
class Transpiled:
    """One transpiled function.

    Attributes:
        params: the Python parameter names, in order (call the JS function with the
            values of these names, positionally).
        js: a JavaScript function expression, e.g. ``(input) => AV.truthy(...)``; it needs
            the runtime (:func:`~actorview.optimistic.runtime_source`) loaded first.
        function: the Python function's qualified name.
        kind: the kinds the result may have, as far as the transpiler can tell (``Kind.ANY``
            when unknown). The client program uses it where the browser must know an
            integral result's int-or-float kind: a list item checked against ``int``, an
            ``update_at`` index, ``str()`` of a stream item's key.
    """

    params: tuple[str, ...]
    js: str
    function: str
    kind: Kind = Kind.ANY


def transpile(
    function: Callable[..., Any], *, types: Mapping[str, Any] | None = None
) -> Transpiled:
    """Transpile a lambda, or a ``def`` whose body is one ``return``, to JavaScript.

    Args:
        function: the function; its parameter names are the values it reads.
        types: optional Python types of the parameters (``{"count": int}``), usually the
            view's field types; a ``def``'s annotations are used where this is silent.
            They let ``str(count)`` and ``items[i]`` run in the browser: without them an
            integral number's int-or-float kind is unknown and the browser defers.

    Raises:
        TranspileError: the function uses something outside the subset
            (``docs/OPTIMISTIC.md``); the message names the construct and the line.

    Example::

        >>> transpile(lambda input: len(input.strip()) > 0).js
        '(input) => AV.gt(AV.len(AV.strip(AV.method(input, "strip"))), 0)'
    """
    if not inspect.isfunction(function):
        qualname = getattr(function, "__qualname__", repr(function))
        raise TranspileError(
            construct=qualname,
            reason=(
                "a bound method reads `self`, which the browser does not have"
                if inspect.ismethod(function)
                else "it is not a Python function (a lambda or a def)"
            ),
            function=qualname,
            location="?",
            source_line="",
            hint="write a lambda whose parameters name the fields and calcs it reads",
        )
    located = locate(function)
    node = located.node
    qualname = getattr(function, "__qualname__", function.__name__)
    params = _params(node.args)
    context = _Context(
        qualname=qualname,
        location=_short_path(located.filename),
        located=located,
        resolve=_resolver(function),
    )
    body = _body(node, context)
    declared: dict[str, Any] = {}
    if isinstance(node, ast.FunctionDef):
        declared.update(_annotations(function))
    declared.update(types or {})
    return _emit(params, node.args, body, declared, context)


def transpile_expression(
    source: str,
    params: Sequence[str],
    *,
    types: Mapping[str, Any] | None = None,
    resolve: Callable[[str], Any] | None = None,
) -> Transpiled:
    """Transpile the text of one expression over ``params`` (for tests and tools).

    ``transpile_expression("a + b", ["a", "b"])`` is ``transpile(lambda a, b: a + b)``
    without needing a source file. ``resolve`` looks up names that are not parameters
    (as a function's globals would); by default only the allowed builtins resolve.
    """
    lines = tuple(source.splitlines(keepends=True)) or ("",)
    try:
        tree = ast.parse(source.strip(), "<expression>", mode="eval")
    except SyntaxError as error:
        raise TranspileError(
            construct=source,
            reason=f"it does not parse ({error.msg})",
            function="<expression>",
            location="<expression>",
            source_line=source.strip(),
            hint="write a Python expression",
        ) from error
    arguments = ast.arguments(
        posonlyargs=[],
        args=[ast.arg(name) for name in params],
        kwonlyargs=[],
        kw_defaults=[],
        defaults=[],
    )
    lam = ast.Lambda(args=arguments, body=tree.body)
    located = Located(lam, "<expression>", lines)
    context = _Context(
        qualname="<expression>",
        location="<expression>",
        located=located,
        resolve=resolve or (lambda name: getattr(builtins, name, _MISSING)),
    )
    return _emit(tuple(params), arguments, tree.body, dict(types or {}), context)


def to_js_source(function: Callable[..., Any], *, types: Mapping[str, Any] | None = None) -> str:
    """The JavaScript function expression for ``function``; see :func:`transpile`."""
    return transpile(function, types=types).js


_MISSING: Final = object()


@attrs.define
class _Context:
    qualname: str
    location: str
    located: Located
    resolve: Callable[[str], Any]


def _resolver(function: Callable[..., Any]) -> Callable[[str], Any]:
    """Look a free name up the way the function would: closure, globals, builtins."""
    code = function.__code__
    closure = dict(zip(code.co_freevars, function.__closure__ or (), strict=True))
    return name_resolver(function.__globals__, closure)


def name_resolver(
    namespace: Mapping[str, Any], closure: Mapping[str, Any] | None = None
) -> Callable[[str], Any]:
    """Look a free name up as code in ``namespace`` would: ``closure`` cells, the
    module's globals, then builtins."""
    cells = closure or {}

    def resolve(name: str) -> Any:
        if name in cells:
            try:
                return cells[name].cell_contents
            except ValueError:
                return _MISSING
        if name in namespace:
            return namespace[name]
        scope = namespace.get("__builtins__", builtins)
        if isinstance(scope, dict):
            return scope.get(name, _MISSING)
        return getattr(scope, name, _MISSING)

    return resolve


def _short_path(filename: str) -> str:
    """``filename`` relative to the working directory when it is inside it."""
    try:
        relative = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if relative.startswith("..") else relative


def _annotations(function: Callable[..., Any]) -> dict[str, Any]:
    try:
        hints = typing.get_type_hints(function)
    except Exception:
        return {}
    hints.pop("return", None)
    return hints


def _body(node: FunctionNode, context: _Context) -> ast.expr:
    if isinstance(node, ast.Lambda):
        return node.body
    statements = list(node.body)
    if (
        statements
        and isinstance(statements[0], ast.Expr)
        and isinstance(statements[0].value, ast.Constant)
        and isinstance(statements[0].value.value, str)
    ):
        statements = statements[1:]
    if len(statements) == 1 and isinstance(statements[0], ast.Return):
        value = statements[0].value
        if value is not None:
            return value
    raise _error(
        context,
        node,
        f"def {node.name}(...)",
        "the body of a def must be a single `return <expression>`",
        "write it as one return statement or a lambda, or drop optimistic=True",
    )


def _error(
    context: _Context,
    node: ast.AST,
    construct: str,
    reason: str,
    hint: str = DEFAULT_HINT,
) -> TranspileError:
    lineno = getattr(node, "lineno", 0)
    if context.location == "<expression>":
        location = "<expression>"
        line = context.located.line(1) if len(context.located.lines) == 1 else ""
        if not line:
            line = context.located.line(lineno)
    else:
        location = f"{context.location}:{lineno}"
        line = context.located.line(lineno)
    return TranspileError(
        construct=construct,
        reason=reason,
        function=context.qualname,
        location=location,
        source_line=line,
        hint=hint,
    )


def _emit(
    params: tuple[str, ...],
    arguments: ast.arguments,
    body: ast.expr,
    declared: Mapping[str, Any],
    context: _Context,
) -> Transpiled:
    if arguments.vararg or arguments.kwarg or arguments.kwonlyargs:
        raise _error(
            context,
            body,
            "*args, **kwargs or keyword-only parameters",
            "each parameter must name one value it reads",
        )
    if "self" in params:
        raise _error(
            context,
            body,
            "self",
            "`self` is not available in the browser: a view's expressions read fields and "
            "calcs by naming them as parameters",
            "name the fields and calcs it reads as parameters instead of reading them off self",
        )
    kinds = {
        name: kind_of_type(declared[name]) if name in declared else Kind.ANY for name in params
    }
    js_names = _js_names(params)
    records = {
        name: declared[name]
        for name in params
        if isinstance(declared.get(name), type) and attrs.has(declared[name])
    }
    writer = _Writer(context, kinds, js_names, records)
    expression, kind = writer.expr(body)
    header = ", ".join(js_names[name] for name in params)
    if writer.temps:
        temps = ", ".join(f"${i}" for i in range(writer.temps))
        js = f"({header}) => {{ let {temps}; return {expression}; }}"
    else:
        js = f"({header}) => {expression}"
    return Transpiled(params=params, js=js, function=context.qualname, kind=kind)


def _js_names(params: tuple[str, ...]) -> dict[str, str]:
    """JavaScript names for the parameters: Python names where JS allows them."""
    names: dict[str, str] = {}
    for name in params:
        if name in _JS_RESERVED or not name.isascii():
            safe = "".join(
                c if c.isascii() and (c.isalnum() or c == "_") else f"${ord(c):x}" for c in name
            )
            names[name] = f"${safe}"
        else:
            names[name] = name
    return names


def kind_of_type(tp: Any) -> Kind:
    """The set of kinds a value of Python type ``tp`` may have (``Kind.ANY`` if unknown).

    ``float`` means int or float, as in typing (and in the view layer, which lets an int
    into a ``float`` field). A :class:`Kind` is taken as is: ``Kind.FLOAT`` says a value
    is always a Python float, so ``str(2.0)`` can run in the browser; so is a set of kind
    names, ``frozenset({"float"})`` (names that are not kinds are ignored).
    """
    if isinstance(tp, Kind):
        return tp or Kind.ANY
    if isinstance(tp, frozenset):
        named = (Kind[name.upper()] for name in tp if name.upper() in Kind.__members__)
        return _union(named) or Kind.ANY
    if tp is None or tp is type(None):
        return Kind.NONE
    if tp is bool:
        return Kind.BOOL
    if tp is int:
        return Kind.INT
    if tp is float:
        return Kind.INT | Kind.FLOAT
    if tp is str:
        return Kind.STR
    origin = typing.get_origin(tp)
    if origin in (typing.Union, pytypes.UnionType):
        return _union(kind_of_type(arg) for arg in typing.get_args(tp))
    if origin is typing.Literal:
        return _union(kind_of_value(value) for value in typing.get_args(tp))
    if origin is typing.Annotated:
        return kind_of_type(typing.get_args(tp)[0])
    base = origin or tp
    if base in (list, tuple):
        return Kind.LIST
    if base is dict:
        return Kind.DICT
    if isinstance(base, type) and attrs.has(base):
        return Kind.RECORD
    return Kind.ANY


def kind_of_value(value: Any) -> Kind:
    """The kind of one Python value."""
    return kind_of_type(type(value))


_NUMBER: Final = Kind.INT | Kind.FLOAT


def _union(kinds: Iterable[Kind]) -> Kind:
    """Every kind any of ``kinds`` has (no kind at all for none)."""
    found = Kind(0)
    for kind in kinds:
        found |= kind
    return found


def _numbers(kind: Kind) -> Kind:
    """The number kinds of ``kind``, a bool counting as an int (Python's ``-True`` is -1)."""
    return kind & _NUMBER | (Kind.INT if Kind.BOOL in kind else Kind(0))


def _int_result(code: str, kind: Kind) -> str:
    """``code`` whose value is an int: JavaScript's -0 made 0 (Python ints have no -0)."""
    return f"AV.intz({code})" if kind == Kind.INT else code


def _hint(kind: Kind) -> str:
    """The runtime's number hint: ``"i"``, ``"f"`` or ``"undefined"`` (unknown)."""
    numbers = kind & _NUMBER
    if numbers == Kind.INT:
        return '"i"'
    if numbers == Kind.FLOAT:
        return '"f"'
    return "undefined" if numbers else '"i"'


def _arith(op: str, left: Kind, right: Kind, exponent_nonnegative: bool) -> Kind:
    """The kinds ``left <op> right`` may have, for the kinds it is defined on."""
    out = Kind(0)
    ints = Kind.INT | Kind.BOOL
    numeric = ints | Kind.FLOAT
    sequences = Kind.STR | Kind.LIST
    for a, b in product(left, right):
        if a in numeric and b in numeric:
            if op == "truediv" or Kind.FLOAT in (a, b):
                out |= Kind.FLOAT
            elif op == "pow" and not exponent_nonnegative:
                out |= _NUMBER
            else:
                out |= Kind.INT
        elif op == "add" and a == b and a in sequences:
            out |= a
        elif op == "mul" and ((a in sequences and b in ints) or (b in sequences and a in ints)):
            out |= a if a in sequences else b
        elif op == "mod" and a == Kind.STR:
            out |= Kind.STR
    return out or Kind.ANY


def _field_kind(cls: type, name: str) -> Kind:
    """The kind of field ``name`` of the attrs class ``cls`` (``Kind.ANY`` if unknown)."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception:
        return Kind.ANY
    return kind_of_type(hints[name]) if name in hints else Kind.ANY


def _js_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=True)


def _source_of(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 80 else text[:77] + "..."


class _Writer:
    """Emits JavaScript for one expression tree, with the kind of each subexpression."""

    def __init__(
        self,
        context: _Context,
        params: dict[str, Kind],
        names: dict[str, str],
        records: dict[str, type],
    ) -> None:
        self.context = context
        self.params = params
        self.names = names
        self.records = records
        self.temps = 0

    def temp(self) -> str:
        name = f"${self.temps}"
        self.temps += 1
        return name

    def fail(self, node: ast.AST, reason: str, hint: str = DEFAULT_HINT) -> TranspileError:
        return _error(self.context, node, _source_of(node), reason, hint)

    def expr(self, node: ast.expr) -> tuple[str, Kind]:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise self.fail(node, f"{_describe(node)} is not in the optimistic subset")
        result: tuple[str, Kind] = method(node)
        return result

    def exprs(self, nodes: Sequence[ast.expr]) -> Iterator[tuple[str, Kind]]:
        for node in nodes:
            yield self.expr(node)

    # literals

    def visit_Constant(self, node: ast.Constant) -> tuple[str, Kind]:
        value = node.value
        if value is None:
            return "null", Kind.NONE
        if isinstance(value, bool):
            return ("true" if value else "false"), Kind.BOOL
        if isinstance(value, int):
            if abs(value) > MAX_EXACT:
                raise self.fail(node, "an int past 2**53 is not exact in JavaScript")
            return str(value), Kind.INT
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise self.fail(node, "inf and nan are not in the optimistic subset")
            return repr(value), Kind.FLOAT
        if isinstance(value, str):
            return _js_string(value), Kind.STR
        raise self.fail(node, f"a {type(value).__name__} literal is not in the optimistic subset")

    def visit_List(self, node: ast.List) -> tuple[str, Kind]:
        items = [self._item(element) for element in node.elts]
        return f"[{', '.join(items)}]", Kind.LIST

    def _item(self, node: ast.expr) -> str:
        if isinstance(node, ast.Starred):
            raise self.fail(node, "unpacking with * is not in the optimistic subset")
        return self.expr(node)[0]

    def visit_Tuple(self, node: ast.Tuple) -> tuple[str, Kind]:
        raise self.fail(
            node,
            "a tuple would become a JavaScript array, and (1, 2) == [1, 2] is False in Python",
            "use a list, or a tuple only right of `in` or as the argument of "
            "startswith/endswith, or drop optimistic=True",
        )

    def _tuple_as_array(self, node: ast.expr) -> tuple[str, Kind]:
        if isinstance(node, ast.Tuple):
            return self.visit_List(ast.List(elts=node.elts, ctx=ast.Load()))
        return self.expr(node)

    def visit_Dict(self, node: ast.Dict) -> tuple[str, Kind]:
        entries: list[str] = []
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                raise self.fail(value, "unpacking with ** is not in the optimistic subset")
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                raise self.fail(key, "dict keys must be str literals in the optimistic subset")
            entries.append(f"[{_js_string(key.value)}, {self.expr(value)[0]}]")
        return f"AV.dict([{', '.join(entries)}])", Kind.DICT

    def visit_JoinedStr(self, node: ast.JoinedStr) -> tuple[str, Kind]:
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(_js_string(str(value.value)))
                continue
            assert isinstance(value, ast.FormattedValue)
            if value.format_spec is not None:
                raise self.fail(value, "format specs in f-strings are not in the optimistic subset")
            if value.conversion not in (-1, ord("s")):
                raise self.fail(value, "!r and !a in f-strings are not in the optimistic subset")
            code, kind = self.expr(value.value)
            parts.append(f"AV.str({code}, {_hint(kind)})")
        if not parts or not parts[0].startswith('"'):
            parts.insert(0, '""')
        return "(" + " + ".join(parts) + ")", Kind.STR

    # names

    def visit_Name(self, node: ast.Name) -> tuple[str, Kind]:
        name = node.id
        if name in self.params:
            return self.names[name], self.params[name]
        if name == "self":
            raise self.fail(
                node,
                "`self` is not available in the browser",
                "name the fields and calcs it reads as parameters instead",
            )
        if name in BUILTINS:
            raise self.fail(node, f"the builtin `{name}` can only be called here")
        raise self.fail(
            node,
            f"`{name}` is not a parameter: the browser only has the values the function's "
            "parameters name (and the builtins " + ", ".join(BUILTINS) + ")",
            f"make `{name}` a parameter (a field or calc), write its value as a literal, or "
            "drop optimistic=True",
        )

    # operators

    def visit_BinOp(self, node: ast.BinOp) -> tuple[str, Kind]:
        helper = _BINOPS.get(type(node.op))
        if helper is None:
            raise self.fail(
                node,
                f"the operator {_BINOP_TEXT.get(type(node.op), '?')} is not in the optimistic "
                "subset",
            )
        left, lk = self.expr(node.left)
        right, rk = self.expr(node.right)
        nonnegative = isinstance(node.right, ast.Constant) and (
            isinstance(node.right.value, int) and node.right.value >= 0
        )
        kind = _arith(helper, lk, rk, nonnegative)
        if helper == "mul":
            code = f"AV.mul({left}, {right}, {_hint(lk)}, {_hint(rk)})"
        else:
            code = f"AV.{helper}({left}, {right})"
        return _int_result(code, kind), kind

    def visit_UnaryOp(self, node: ast.UnaryOp) -> tuple[str, Kind]:
        code, kind = self.expr(node.operand)
        if isinstance(node.op, ast.Not):
            return f"!AV.truthy({code})", Kind.BOOL
        if isinstance(node.op, ast.Invert):
            raise self.fail(node, "the operator ~ is not in the optimistic subset")
        helper = "neg" if isinstance(node.op, ast.USub) else "pos"
        numbers = _numbers(kind)
        return _int_result(f"AV.{helper}({code})", numbers), numbers or Kind.ANY

    def visit_BoolOp(self, node: ast.BoolOp) -> tuple[str, Kind]:
        codes = list(self.exprs(node.values))
        kind = _union(k for _, k in codes)
        code = codes[-1][0]
        for value, _ in reversed(codes[:-1]):
            temp = self.temp()
            if isinstance(node.op, ast.And):
                code = f"(AV.truthy({temp} = {value}) ? {code} : {temp})"
            else:
                code = f"(AV.truthy({temp} = {value}) ? {temp} : {code})"
        return code, kind

    def visit_IfExp(self, node: ast.IfExp) -> tuple[str, Kind]:
        test, _ = self.expr(node.test)
        body, bk = self.expr(node.body)
        orelse, ok = self.expr(node.orelse)
        return f"(AV.truthy({test}) ? {body} : {orelse})", bk | ok

    def visit_Compare(self, node: ast.Compare) -> tuple[str, Kind]:
        left, _ = self.expr(node.left)
        parts: list[str] = []
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            last = comparator is node.comparators[-1]
            if isinstance(op, ast.Is | ast.IsNot):
                if not (isinstance(comparator, ast.Constant) and comparator.value is None):
                    raise self.fail(
                        node,
                        "`is` is only in the optimistic subset as `is None` / `is not None`",
                        "use == for values, or drop optimistic=True",
                    )
                right = "null"
            elif isinstance(op, ast.In | ast.NotIn):
                right = self._tuple_as_array(comparator)[0]
            else:
                right = self.expr(comparator)[0]
            if not last:
                temp = self.temp()
                right_value = f"({temp} = {right})"
            else:
                right_value = right
            if isinstance(op, ast.Is):
                parts.append(f"({left} === {right_value})")
            elif isinstance(op, ast.IsNot):
                parts.append(f"({left} !== {right_value})")
            elif isinstance(op, ast.In | ast.NotIn):
                # Python evaluates the left operand first; contains takes the container first.
                helper = _COMPARE[type(op)]
                tl = self.temp()
                parts.append(f"(({tl} = {left}), AV.{helper}({right_value}, {tl}))")
            else:
                parts.append(f"AV.{_COMPARE[type(op)]}({left}, {right_value})")
            if not last:
                left = temp
        return "(" + " && ".join(parts) + ")" if len(parts) > 1 else parts[0], Kind.BOOL

    # access

    def visit_Subscript(self, node: ast.Subscript) -> tuple[str, Kind]:
        value, kind = self.expr(node.value)
        index = node.slice
        if isinstance(index, ast.Slice):
            bounds: list[str] = []
            hints: list[str] = []
            for part in (index.lower, index.upper, index.step):
                if part is None:
                    bounds.append("null")
                    hints.append("undefined")
                else:
                    code, part_kind = self.expr(part)
                    bounds.append(code)
                    hints.append(_hint(part_kind))
            result = (kind & (Kind.STR | Kind.LIST)) or Kind.ANY
            return f"AV.slice({value}, {', '.join(bounds)}, {', '.join(hints)})", result
        if isinstance(index, ast.Tuple):
            raise self.fail(node, "indexing with a tuple is not in the optimistic subset")
        key, key_kind = self.expr(index)
        result = Kind.STR if kind == Kind.STR else Kind.ANY
        return f"AV.getitem({value}, {key}, {_hint(key_kind)})", result

    def visit_Attribute(self, node: ast.Attribute) -> tuple[str, Kind]:
        value, _ = self.expr(node.value)
        ambiguous = "true" if node.attr in _BUILTIN_ATTRIBUTES else "false"
        kind = Kind.ANY
        if isinstance(node.value, ast.Name) and node.value.id in self.records:
            kind = _field_kind(self.records[node.value.id], node.attr)
        return f"AV.getattr({value}, {_js_string(node.attr)}, {ambiguous})", kind

    # calls

    def visit_Call(self, node: ast.Call) -> tuple[str, Kind]:
        if isinstance(node.func, ast.Attribute):
            return self._method(node, node.func)
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only calls of builtins, str methods and records are supported")
        name = node.func.id
        if name in self.params:
            raise self.fail(node, f"calling the parameter `{name}` is not in the optimistic subset")
        target = self.context.resolve(name)
        if name in BUILTINS and target is getattr(builtins, name):
            return self._builtin(node, name)
        if isinstance(target, type) and attrs.has(target):
            return self._record(node, target)
        if name in BUILTINS:
            raise self.fail(node, f"`{name}` is redefined where this function is written")
        raise self.fail(
            node,
            f"calling `{name}` is not in the optimistic subset (only "
            + ", ".join(BUILTINS)
            + ", str methods and attrs records run in the browser)",
        )

    def _no_keywords(self, node: ast.Call, what: str) -> None:
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(
                node, f"{what} takes only positional arguments in the optimistic subset"
            )

    def _builtin(self, node: ast.Call, name: str) -> tuple[str, Kind]:
        self._no_keywords(node, f"{name}()")
        args = list(self.exprs(node.args))
        count = len(args)
        codes = ", ".join(code for code, _ in args)
        if name in ("min", "max"):
            if count == 0:
                raise self.fail(node, f"{name}() needs at least one argument")
            kind = _union(k for _, k in args) if count > 1 else Kind.ANY
            if count == 1 and args[0][1] == Kind.STR:
                kind = Kind.STR
            return f"AV.{name}({codes})", kind
        allowed = {"len": (1, 1), "abs": (1, 1), "str": (0, 1), "int": (0, 1)}
        low, high = allowed.get(name, (0, 1))
        if not low <= count <= high:
            raise self.fail(
                node,
                f"{name}() with {count} arguments is not in the optimistic subset",
            )
        if name == "len":
            return f"AV.len({codes})", Kind.INT
        if name == "str":
            if not args:
                return '""', Kind.STR
            return f"AV.str({codes}, {_hint(args[0][1])})", Kind.STR
        if name == "abs":
            kind = args[0][1]
            return f"AV.abs({codes})", _numbers(kind) or Kind.ANY
        if name == "float" and args:
            return f"AV.float({codes}, {_hint(args[0][1])})", Kind.FLOAT
        result = {"int": Kind.INT, "float": Kind.FLOAT, "bool": Kind.BOOL}[name]
        return f"AV.{name}({codes})", result

    def _method(self, node: ast.Call, func: ast.Attribute) -> tuple[str, Kind]:
        name = func.attr
        spec = STR_METHODS.get(name)
        if spec is None:
            raise self.fail(
                node,
                f"the method `{name}` is not in the optimistic subset (str methods: "
                + ", ".join(STR_METHODS)
                + ")",
            )
        self._no_keywords(node, f".{name}()")
        low, high, kind = spec
        if not low <= len(node.args) <= high:
            raise self.fail(
                node, f".{name}() with {len(node.args)} arguments is not in the optimistic subset"
            )
        receiver, _ = self.expr(func.value)
        args: list[str] = []
        for arg in node.args:
            if name in ("startswith", "endswith"):
                args.append(self._tuple_as_array(arg)[0])
            else:
                args.append(self.expr(arg)[0])
        joined = "".join(f", {a}" for a in args)
        return f"AV.{name}(AV.method({receiver}, {_js_string(name)}){joined})", kind

    def _record(self, node: ast.Call, cls: type) -> tuple[str, Kind]:
        fields = attrs.fields(cls)
        label = cls.__name__
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            raise self.fail(node, f"unpacking into {label}(...) is not in the optimistic subset")
        settable = [f for f in fields if f.init]
        for field in fields:
            if field.validator is not None or field.converter is not None:
                raise self.fail(
                    node,
                    f"{label}.{field.name} has a validator or converter the browser cannot run",
                )
        if len(node.args) > len(settable):
            raise self.fail(node, f"{label}() takes {len(settable)} arguments")
        given: dict[str, ast.expr] = {}
        for field, arg in zip(settable, node.args, strict=False):
            given[field.alias or field.name] = arg
        for keyword_arg in node.keywords:
            names = {(f.alias or f.name) for f in settable}
            if keyword_arg.arg not in names or keyword_arg.arg in given:
                raise self.fail(node, f"{label}() has no argument {keyword_arg.arg!r} to set here")
            given[keyword_arg.arg or ""] = keyword_arg.value
        # Python evaluates the arguments in the order written, not in field order.
        codes: dict[str, str] = {}
        prelude: list[str] = []
        for key, argument in given.items():
            code = self.expr(argument)[0]
            if node.keywords:
                temp = self.temp()
                prelude.append(f"({temp} = {code})")
                code = temp
            codes[key] = code
        entries: list[str] = []
        for field in fields:
            key = field.alias or field.name
            if field.init and key in codes:
                entries.append(f"[{_js_string(field.name)}, {codes[key]}]")
                continue
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                if default.factory in (list, dict) and not default.takes_self:
                    empty = "[]" if default.factory is list else "AV.dict([])"
                    entries.append(f"[{_js_string(field.name)}, {empty}]")
                    continue
                default = attrs.NOTHING
            if default is attrs.NOTHING:
                raise self.fail(
                    node,
                    f"{label}.{field.name} has no value here and no literal default",
                    f"pass {field.name} explicitly, or drop optimistic=True",
                )
            literal = ast.Constant(default)
            ast.copy_location(literal, node)
            entries.append(f"[{_js_string(field.name)}, {self.visit_Constant(literal)[0]}]")
        record = f"AV.record({_js_string(label)}, AV.dict([{', '.join(entries)}]))"
        if prelude:
            return f"({', '.join(prelude)}, {record})", Kind.RECORD
        return record, Kind.RECORD


def _describe(node: ast.AST) -> str:
    names = {
        "ListComp": "a list comprehension",
        "SetComp": "a set comprehension",
        "DictComp": "a dict comprehension",
        "GeneratorExp": "a generator expression",
        "Lambda": "a lambda inside the expression",
        "NamedExpr": "the walrus operator :=",
        "Set": "a set literal",
        "Await": "await",
        "Yield": "yield",
        "YieldFrom": "yield from",
        "Starred": "unpacking with *",
    }
    return names.get(type(node).__name__, f"the construct {type(node).__name__}")
