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
the page loads next to :func:`runtime_source` and ``client.js``. The browser's side of
the optimistic layer, ``bindings.js`` and ``predict.js``, lives here beside
``runtime.js``; :func:`client_modules` lists every module of the browser client.

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

from actorview.optimistic._errors import TranspileError
from actorview.optimistic._program import program_id, program_source
from actorview.optimistic._transpile import (
    BUILTINS,
    STR_METHODS,
    Kind,
    Transpiled,
    kind_of_type,
    to_js_source,
    transpile,
    transpile_expression,
)
from actorview.render import client_modules as render_client_modules


def runtime_path() -> Path:
    """The path of ``runtime.js``, which defines the global ``AV`` transpiled code calls.

    Load it once in the page (or in node) before evaluating any transpiled function.
    """
    return Path(str(resources.files("actorview.optimistic").joinpath("runtime.js")))


CLIENT_MODULES = ("bindings.js", "predict.js")
"""The browser client's modules that live here, beside ``runtime.js``: the client state
and bindings, and the prediction of optimistic actions (``client.js`` imports them)."""


def client_modules() -> dict[str, Path]:
    """Every ES module of the browser client, by the name each is served under: the
    ``actorview.render`` ones (``client.js``, the entry, and its patch, event and socket
    modules) and this package's :data:`CLIENT_MODULES`. Serve them side by side (one
    folder of URLs, as ``text/javascript``): they import each other by these names.
    ``runtime.js`` is not among them; it is a classic script (:func:`runtime_source`).
    """
    here = runtime_path().parent
    modules = render_client_modules()
    for name in CLIENT_MODULES:
        if name in modules:
            raise ValueError(f"two client modules are served as {name!r}")
        modules[name] = here / name
    return modules


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
    "CLIENT_MODULES",
    "STR_METHODS",
    "Kind",
    "TranspileError",
    "Transpiled",
    "client_modules",
    "kind_of_type",
    "program_id",
    "program_source",
    "runtime_path",
    "runtime_source",
    "to_js_source",
    "transpile",
    "transpile_expression",
]
