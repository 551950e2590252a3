"""Finding the syntax tree of a function object: the exact lambda, or a one-line ``def``.

``inspect.getsource`` gives the lines around a lambda, not the lambda: several lambdas
can share a line (``ops.set(a=lambda x: x, b=lambda x: -x)``) or sit inside a call in a
class body. This module parses the whole file once (cached) and picks the node whose
line, parameters and column span match the code object (``co_firstlineno`` and, since
Python 3.11, ``co_positions``).
"""

from __future__ import annotations

import ast
import inspect
import linecache
from collections.abc import Callable
from typing import Any

import attrs

from actorview.optimistic._errors import TranspileError

FunctionNode = ast.Lambda | ast.FunctionDef


@attrs.frozen
class Located:
    """A function's node and where it was written."""

    node: FunctionNode
    filename: str
    lines: tuple[str, ...]

    def line(self, lineno: int) -> str:
        """The stripped source line ``lineno`` (1-based), or ``""``."""
        if 1 <= lineno <= len(self.lines):
            return self.lines[lineno - 1].strip()
        return ""


_TREES: dict[str, tuple[tuple[str, ...], ast.Module]] = {}


def _tree(filename: str, lines: tuple[str, ...]) -> ast.Module:
    cached = _TREES.get(filename)
    if cached is not None and cached[0] == lines:
        return cached[1]
    tree = ast.parse("".join(lines), filename)
    _TREES[filename] = (lines, tree)
    return tree


def _params(args: ast.arguments) -> tuple[str, ...]:
    return tuple(a.arg for a in [*args.posonlyargs, *args.args])


def locate(function: Callable[..., Any]) -> Located:
    """The syntax tree of ``function`` and its file; :class:`TranspileError` if unknown."""
    code = function.__code__
    qualname = getattr(function, "__qualname__", repr(function))
    filename = inspect.getsourcefile(function) or code.co_filename
    lines = tuple(linecache.getlines(filename, function.__globals__))
    where = f"{filename}:{code.co_firstlineno}"

    def fail(reason: str, hint: str) -> TranspileError:
        return TranspileError(
            construct=qualname,
            reason=reason,
            function=qualname,
            location=where,
            source_line="",
            hint=hint,
        )

    if not lines:
        raise fail(
            "its source code is not available",
            "define it in a module file (not in a REPL or exec), or drop optimistic=True",
        )
    try:
        tree = _tree(filename, lines)
    except SyntaxError as error:
        raise fail(f"its file does not parse ({error.msg})", "fix the file") from error
    params = tuple(code.co_varnames[: code.co_argcount])
    first = code.co_firstlineno
    candidates: list[FunctionNode] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Lambda) and function.__name__ == "<lambda>":
            if node.lineno == first and _params(node.args) == params:
                candidates.append(node)
        elif isinstance(node, ast.FunctionDef) and node.name == function.__name__:
            starts = [node.lineno, *(d.lineno for d in node.decorator_list)]
            if first in starts and _params(node.args) == params:
                candidates.append(node)
    if len(candidates) > 1:
        candidates = _by_position(candidates, code)
    if len(candidates) == 1 and not _same_code(candidates[0], code):
        raise fail(
            "its source file changed after the function was defined",
            "reload the module (or restart), then define the view again",
        )
    if len(candidates) != 1:
        raise fail(
            "its source cannot be told apart from another function on the same line"
            if candidates
            else "its source was not found where its code says it is",
            "put the lambda on its own line, or drop optimistic=True",
        )
    return Located(candidates[0], filename, lines)


def _constants(code: Any) -> tuple[Any, ...]:
    return tuple(c for c in code.co_consts if not hasattr(c, "co_code"))


def _same_code(node: FunctionNode, code: Any) -> bool:
    """Whether ``node`` compiles to code with ``code``'s constants and variable names.

    Guards against a file edited after import: linecache would give the new text while
    the function object runs the old one.
    """
    try:
        statement: ast.stmt
        if isinstance(node, ast.FunctionDef):
            statement = ast.FunctionDef(
                name=node.name,
                args=node.args,
                body=node.body,
                decorator_list=[],
                returns=None,
                type_comment=None,
            )
        else:
            statement = ast.Expr(node)
        module = ast.Module(body=[statement], type_ignores=[])
        compiled = compile(ast.fix_missing_locations(module), "<check>", "exec")
    except Exception:
        return True
    inner = [c for c in compiled.co_consts if hasattr(c, "co_code")]
    if len(inner) != 1:
        return True
    return bool(
        _constants(inner[0]) == _constants(code) and inner[0].co_varnames == code.co_varnames
    )


def _by_position(candidates: list[FunctionNode], code: Any) -> list[FunctionNode]:
    """The lambdas whose body span holds every located instruction of ``code``."""
    spans = [
        (line, col, end_line, end_col)
        for line, end_line, col, end_col in code.co_positions()
        if None not in (line, end_line, col, end_col) and (line, col) != (end_line, end_col)
    ]
    found: list[FunctionNode] = []
    for node in candidates:
        if not isinstance(node, ast.Lambda):
            continue
        body = node.body
        start = (body.lineno, body.col_offset)
        end = (body.end_lineno or body.lineno, body.end_col_offset or 0)
        if spans and all(start <= (a, b) and (c, d) <= end for a, b, c, d in spans):
            found.append(node)
    return found
