"""Values in and out of state: run-time type checks, and structuring of untrusted input.

:func:`conforms` decides whether a value fits a declared field or item type (the check
behind "writing a value of the wrong type raises a clear error"). :data:`converter` is the
strict cattrs converter that turns browser JSON into typed values: it does not coerce
(``123`` is not a ``str``, ``True`` is not an ``int``) and it refuses unknown keys,
because input from a browser is untrusted. One exception, because a browser sends text:
an ``int`` or ``float`` also takes its decimal text (``av-value-by="5"``, a number
input's ``"2.5"``), and nothing looser (no spaces, no ``_``, no ``inf``).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any

import attrs
import cattrs
from cattrs.errors import ForbiddenExtraKeysError

from actorview._untrusted import strict_converter

_NONE_TYPE = type(None)


def conforms(value: object, declared: Any) -> bool:
    """Whether ``value`` fits ``declared``.

    Understands plain classes, ``Any``, ``X | None`` and unions, ``Literal``,
    ``list[X]``, ``tuple[X, ...]``, ``tuple[X, Y]``, ``dict[K, V]`` (items checked), and
    falls back to ``isinstance`` on the origin for other generics. ``bool`` does not count
    as ``int``; an ``int`` counts as a ``float``.
    """
    if declared is Any or declared is object:
        return True
    if declared is None or declared is _NONE_TYPE:
        return value is None
    origin = typing.get_origin(declared)
    if origin is None:
        if declared is float:
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        if declared is int:
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(declared, type) and isinstance(value, declared)
    arguments = typing.get_args(declared)
    if origin is typing.Union or origin is types.UnionType:
        return any(conforms(value, argument) for argument in arguments)
    if origin is typing.Literal:
        return any(value == argument and type(value) is type(argument) for argument in arguments)
    if origin is list:
        return isinstance(value, list) and all(conforms(item, arguments[0]) for item in value)
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return all(conforms(item, arguments[0]) for item in value)
        return len(arguments) == len(value) and all(
            conforms(item, argument) for item, argument in zip(value, arguments, strict=True)
        )
    if origin is dict:
        return isinstance(value, dict) and all(
            conforms(key, arguments[0]) and conforms(item, arguments[1])
            for key, item in value.items()
        )
    return isinstance(origin, type) and isinstance(value, origin)


def type_name(declared: Any) -> str:
    """A readable name of a declared type: ``str``, ``list[Message]``, ``int | None``."""
    if declared is None or declared is _NONE_TYPE:
        return "None"
    origin = typing.get_origin(declared)
    if origin is None:
        if isinstance(declared, type):
            return declared.__name__
        return repr(declared).replace("typing.", "")
    arguments = typing.get_args(declared)
    if origin is typing.Union or origin is types.UnionType:
        return " | ".join(type_name(argument) for argument in arguments)
    if origin is typing.Literal:
        return f"Literal[{', '.join(map(repr, arguments))}]"
    inner = ", ".join("..." if a is Ellipsis else type_name(a) for a in arguments)
    return f"{getattr(origin, '__name__', origin)}[{inner}]"


def item_type(declared: Any) -> Any:
    """The item type of a ``list[X]`` field, or ``None`` when ``declared`` is not a list."""
    if declared is list:
        return Any
    if typing.get_origin(declared) is list:
        return typing.get_args(declared)[0]
    return None


def zero_value(declared: Any) -> tuple[bool, Any]:
    """``(True, zero)`` for types with an obvious empty default, else ``(False, None)``."""
    zeros: dict[Any, Any] = {str: "", int: 0, float: 0.0, bool: False}
    if declared in zeros:
        return True, zeros[declared]
    if item_type(declared) is not None:
        return True, []
    origin = typing.get_origin(declared)
    if (origin is typing.Union or origin is types.UnionType) and _NONE_TYPE in typing.get_args(
        declared
    ):
        return True, None
    return False, None


converter = strict_converter(decimal_text=True)
"""The converter that structures every value coming from a browser."""


def structure(value: Any, declared: Any) -> Any:
    """Structure untrusted ``value`` into ``declared``; raise ``ValueError`` with a reason.

    The reason lists each problem with its path, e.g. ``$.index: expected int, got str``.
    """
    if attrs.has(declared) and not isinstance(value, Mapping):
        raise ValueError(f"$: expected an object, got {type(value).__name__}")
    try:
        return converter.structure(value, declared)
    except Exception as error:  # cattrs raises many kinds; all mean "does not fit"
        raise ValueError("; ".join(describe_structure_error(error))) from error


def describe_structure_error(error: BaseException) -> list[str]:
    """A cattrs error (possibly a group) as ``path: reason`` lines: ``$.index: expected
    int, got str``, ``$.text: missing``, ``$: unexpected key(s) 'extra'``.

    The walk through the groups, and the paths, are :func:`cattrs.transform_error`'s (as
    the endpoint's frame errors); only the wording is the view layer's.
    """
    reasons: list[str] = []

    def reason(inner: BaseException, _type: Any) -> str:
        reasons.append(_reason(inner))
        return str(len(reasons) - 1)

    lines: list[str] = []
    for line in cattrs.transform_error(error, "$", reason):
        index, _, path = line.partition(" @ ")
        lines.append(f"{path}: {reasons[int(index)]}")
    return lines


def _reason(error: BaseException) -> str:
    if isinstance(error, ForbiddenExtraKeysError):
        return f"unexpected key(s) {', '.join(sorted(map(repr, error.extra_fields)))}"
    if isinstance(error, KeyError):
        return "missing"
    return str(error)
