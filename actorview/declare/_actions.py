"""``action``: what the browser may ask a view to do, with typed parameters and ops.

An action is a value: its parameter type (an attrs class, or a ``{name: type}`` mapping
turned into one), an optional guard and its ops. The browser sends
``ActionEvent(name, params)``; the view structures ``params`` with the strict cattrs
converter, evaluates the guard, and applies the ops all or nothing. Parameters are read by
name in the action's expressions, next to the view's fields and calcs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from actorview.declare._declarations import Declaration
from actorview.declare._expressions import Expr, expr
from actorview.declare.ops import Op, OpLike, flatten


class Action(Declaration):
    """The declaration of an action (made by :func:`action`).

    Attributes:
        ops: the ops, in order.
        params: the attrs class the event's params structure into, or ``None``.
        when: the guard, or ``None``; when false the event is ignored.
        optimistic: the browser may apply the ops before the server answers.
        name: the attribute name, set when the class is created.
    """

    def __init__(
        self, ops: tuple[Op, ...], params: type | None, when: Expr | None, optimistic: bool
    ) -> None:
        self.ops = ops
        self.params = params
        self.when = when
        self.optimistic = optimistic
        self._declare()

    def __repr__(self) -> str:
        return f"action({', '.join(op.verb for op in self.ops)})"

    @functools.cached_property
    def param_names(self) -> tuple[str, ...]:
        """The parameter names, in order (computed once: every event reads them)."""
        if self.params is None:
            return ()
        return tuple(field.name for field in attrs.fields(self.params))


def action(
    *ops: OpLike,
    params: type | Mapping[str, Any] | None = None,
    when: Callable[..., Any] | None = None,
    optimistic: bool = False,
) -> Action:
    """Declare an action the browser can invoke.

    Args:
        ops: what it does (see :mod:`actorview.declare.ops`).
        params: its parameters: an attrs class, or a mapping ``{"index": int}``. The
            event's untrusted params are structured into it; a value that does not fit
            rejects the event with :class:`~actorview.view.InvalidParams` naming the view,
            the action and the parameter, and nothing changes.
        when: a guard over params, fields and calcs; when false the event is ignored.
        optimistic: the browser applies what it can predict of the ops before the server
            answers: sets/appends of client fields and pushes onto stream fields computed
            from client fields, optimistic calcs and str params (the rest stays on the
            server). Checked when the class is defined: the guard must be predictable,
            and at least one op must be (docs/OPTIMISTIC.md, "Optimistic actions").

    Example::

        rename = action(
            ops.update_at("todos", lambda index: index, lambda text: Todo(text)),
            params={"index": int, "text": str},
            when=lambda text: bool(text.strip()),
        )
    """
    params_type: type | None
    problem = None
    if params is None:
        params_type = None
    elif isinstance(params, Mapping):
        params_type = attrs.make_class(
            "Params", {name: attrs.field(type=kind) for name, kind in params.items()}, frozen=True
        )
    elif isinstance(params, type) and attrs.has(params):
        params_type = params
    else:
        params_type = None
        problem = (
            f"action(params={params!r}): params must be an attrs class or a mapping of "
            f"names to types, e.g. params={{'index': int}}."
        )
    guard = expr(when, where="action(when=...)") if when is not None else None
    declared = Action(flatten(ops), params_type, guard, optimistic)
    declared.problem = problem
    return declared
