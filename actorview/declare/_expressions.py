"""Expressions: the values and small functions that ops, guards and calcs are made of.

An expression is either a constant or a function whose parameter names say what it
reads (``lambda input: input.strip()`` reads the ``input`` field). Keeping them as data,
rather than as statements in a method body, is what lets the validator check every name
a view reads when its class is defined, and lets the optimistic-update layer transpile
them to JavaScript (``Expr.function`` keeps the original function; the optimistic
layer finds its syntax tree from there).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import attrs

from actorview.errors import DefinitionError


@attrs.frozen
class Expr:
    """A constant, or a function of named values.

    Attributes:
        function: the function, or ``None`` for a constant.
        constant: the constant value when ``function`` is ``None``.
        names: the names the function reads, in parameter order (empty for a constant).
    """

    function: Callable[..., Any] | None
    constant: Any
    names: tuple[str, ...]

    @property
    def is_constant(self) -> bool:
        return self.function is None

    def evaluate(self, lookup: Callable[[str], Any]) -> Any:
        """The value of the expression, reading each name through ``lookup``."""
        function = self.function
        if function is None:
            return self.constant
        return function(*[lookup(name) for name in self.names])

    @property
    def location(self) -> str:
        """``file:line`` where the function was written (empty for a constant), for
        messages that point at the source, such as the optimistic transpiler's."""
        if self.function is None:
            return ""
        code = self.function.__code__
        return f"{code.co_filename}:{code.co_firstlineno}"

    def describe(self) -> str:
        """A short text for error messages: the constant's repr, or the lambda's names."""
        if self.function is None:
            return repr(self.constant)
        return f"lambda {', '.join(self.names)}: ..."


def is_function(value: object) -> bool:
    """Whether ``value`` is a function expression (a lambda or ``def``), not a constant.

    Classes and other callables are constants: ``ops.set(kind=Message)`` stores the class.
    """
    return inspect.isfunction(value) or inspect.ismethod(value)


def expr(value: Any, *, where: str) -> Expr:
    """Make an :class:`Expr` of a constant or a function; ``where`` names it in errors.

    Raises :class:`DefinitionError` for ``*args``/``**kwargs`` or keyword-only parameters,
    which cannot say what they read.
    """
    if isinstance(value, Expr):
        return value
    if not is_function(value):
        return Expr(function=None, constant=value, names=())
    names: list[str] = []
    for parameter in inspect.signature(value).parameters.values():
        if parameter.kind not in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            raise DefinitionError(
                f"{where}: parameter {parameter.name!r} of {value.__name__} must be a plain "
                f"parameter naming a field, calc or bound value; *args, **kwargs and "
                f"keyword-only parameters cannot say what they read."
            )
        names.append(parameter.name)
    return Expr(function=value, constant=None, names=tuple(names))


def return_annotation(expression: Expr) -> Any:
    """The declared return type of a ``def`` expression, or ``None`` if there is none."""
    if expression.function is None:
        return None
    try:
        annotation = inspect.signature(expression.function, eval_str=True).return_annotation
    except (NameError, TypeError):
        return None
    return None if annotation is inspect.Signature.empty else annotation
