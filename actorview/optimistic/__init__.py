"""Optimistic updates: the browser computes what it can from the server's own declarations.

A view's ``calculate(..., optimistic=True)`` and the ops of an optimistic action are small
Python functions. This package transpiles them, when the class is defined, to JavaScript
that calls a small runtime keeping Python's semantics (truthiness, structural ``==``,
floor division, ``str.strip`` whitespace...). What the browser cannot compute exactly is
either a definition-time :class:`TranspileError` or, when it depends on run-time values,
a refusal (``AV.Unpredictable``) that lets the server answer. The subset is documented in
``docs/OPTIMISTIC.md``.

:func:`program_source` writes a view class's client program (its client fields,
optimistic calcs and optimistic actions, planned when the class is defined) as a script
the page loads next to :func:`runtime_source` and ``client.js``.

Example::

    >>> from actorview.optimistic import to_js_source
    >>> to_js_source(lambda count: count + 1, types={"count": int})
    '(count) => AV.add(count, 1)'
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

from actorview.optimistic.errors import TranspileError
from actorview.optimistic.program import program_id, program_source
from actorview.optimistic.transpile import (
    BUILTINS,
    STR_METHODS,
    Kind,
    Transpiled,
    kind_of_type,
    to_js_source,
    transpile,
    transpile_expression,
)


def runtime_path() -> Path:
    """The path of ``runtime.js``, which defines the global ``AV`` transpiled code calls.

    Load it once in the page (or in node) before evaluating any transpiled function.
    """
    return Path(str(resources.files("actorview.optimistic").joinpath("runtime.js")))


def runtime_source() -> str:
    """The runtime to serve to the browser: ``runtime.js`` plus this Python's case tables.

    ``str.lower``/``upper`` follow the Unicode version of the engine that runs them; the
    tables appended here say which characters this Python changes, so the browser refuses
    (and the server answers) where its Unicode version would differ. ``runtime.js`` alone
    still works; it then refuses ``lower()``/``upper()`` of non-ASCII text.
    """
    return runtime_path().read_text(encoding="utf-8") + _case_tables_call()


@cache
def _case_tables_call() -> str:
    tables = {"lower": _changed(str.lower), "upper": _changed(str.upper)}
    return f"\nglobalThis.AV.setCaseTables({json.dumps(tables)});\n"


def _changed(convert: Callable[[str], str]) -> str:
    """The non-ASCII code points ``convert`` changes, delta-encoded in base 36."""
    deltas: list[str] = []
    previous = 0
    for cp in range(0x80, sys.maxunicode + 1):
        if 0xD800 <= cp < 0xE000:
            continue
        char = chr(cp)
        if convert(char) != char:
            deltas.append(_base36(cp - previous))
            previous = cp
    return ",".join(deltas)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


__all__ = [
    "BUILTINS",
    "STR_METHODS",
    "Kind",
    "TranspileError",
    "Transpiled",
    "kind_of_type",
    "program_id",
    "program_source",
    "runtime_path",
    "runtime_source",
    "to_js_source",
    "transpile",
    "transpile_expression",
]
