"""Input from outside (browser frames, form values, mount params): structured strictly,
and quoted in error texts only as much as a reader needs.

Every layer that reads untrusted input uses these: the endpoint for frames
(:mod:`actorview.endpoint._protocol`), the view layer for event params, form values and
mount params (:mod:`actorview.declare._values`), the texts sent back to a page (errors,
notices).

- :func:`strict_converter`: a cattrs converter that never coerces between primitive
  types (cattrs alone would turn ``1`` into ``"1"`` or ``True`` into ``1``) and refuses
  extra keys.
- :func:`cut` and :func:`quote`: a text cut to a length, and the ``repr`` of an
  untrusted value cut the same way, for error texts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, Final

import cattrs

_DECIMAL_TEXT: Final[dict[type, re.Pattern[str]]] = {
    int: re.compile(r"[+-]?[0-9]{1,18}"),
    float: re.compile(
        r"[+-]?(?:[0-9]{1,18}(?:\.[0-9]{0,18})?|\.[0-9]{1,18})(?:[eE][+-]?[0-9]{1,3})?"
    ),
}
"""The text an ``int`` or ``float`` takes with ``decimal_text``: plain decimal, bounded."""


def cut(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text``, or its first characters and ``ellipsis`` when it is longer than ``limit``
    (the result is then exactly ``limit`` characters long)."""
    return text if len(text) <= limit else text[: limit - len(ellipsis)] + ellipsis


def quote(value: object, limit: int) -> str:
    """``repr(value)``, cut to ``limit`` characters (ending ``...'``): error texts quote
    untrusted input, and a megabyte of it would drown the error."""
    return cut(repr(value), limit, "...'")


def strict_converter(*, decimal_text: bool = False) -> cattrs.Converter:
    """A cattrs converter that never coerces between primitive types and forbids extra keys.

    ``str``, ``int``, ``float`` and ``bool`` take only values of their own type (a
    ``float`` also takes an ``int``; a ``bool`` is never a number). With
    ``decimal_text``, an ``int`` or ``float`` also takes its plain decimal text, as forms
    and ``av-value-*`` attributes send numbers (``"42"``, ``"-1.5e3"``; finite, bounded
    in length).
    """
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(str, _strict(str, decimal_text=decimal_text))
    converter.register_structure_hook(int, _strict(int, decimal_text=decimal_text))
    converter.register_structure_hook(float, _strict(float, (int,), decimal_text=decimal_text))
    converter.register_structure_hook(bool, _strict(bool, decimal_text=decimal_text))
    return converter


def _strict(
    expected: type, also: tuple[type, ...] = (), *, decimal_text: bool
) -> Callable[[Any, Any], Any]:
    accepted = (expected, *also)
    text = _DECIMAL_TEXT.get(expected) if decimal_text else None

    def structure(value: Any, _type: Any) -> Any:
        if isinstance(value, bool) and expected is not bool:
            raise TypeError(f"expected {expected.__name__}, got a bool")
        if text is not None and type(value) is str:
            if text.fullmatch(value) and math.isfinite(parsed := expected(value)):
                return parsed
            raise TypeError(
                f"expected {expected.__name__} (a number or its decimal text), "
                f"got str {quote(value, 30)}"
            )
        if not isinstance(value, accepted):
            raise TypeError(f"expected {expected.__name__}, got {type(value).__name__}")
        return expected(value)

    return structure
