"""``clause``: how a view reacts to a mailbox message, with a pattern, a guard and ops.

A view clause is the runtime's ``@on`` clause (``actorview.mailbox``) made declarative:
``clause(Chunk, ops.append(draft=lambda text: text), batch=True)``. The view turns each
clause into a real mailbox clause when its class is defined, so matching, guards,
ordering and coalescing are the mailbox's.

What a name means in a clause's guard and ops (one rule, checked when the class is
defined; README "A tour", docs/ARCHITECTURE.md "Names in a clause"):

1. ``message`` is the message itself and ``view`` the view's fields, streams and calcs
   (``view.count``), always;
2. ``run_key`` is the key of the run that emitted the message (keyed streams);
3. any other name is the message's field of that name, or else the view's field, stream
   or calc of that name. A name that is both is refused (:class:`DefinitionError`): write
   ``message.x`` for the message's field or ``view.x`` for the view's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from actorview.declare._declarations import Declaration
from actorview.declare._expressions import Expr, expr
from actorview.declare._tasks import RUN_KEY
from actorview.declare.ops import Op, OpLike, flatten

MESSAGE: Final = "message"
"""The name a clause's expressions read the whole message by."""

VIEW: Final = "view"
"""The name a clause's expressions read the view's fields, streams and calcs through
(``lambda view, name: view.name != name``)."""


class ViewClause(Declaration):
    """The declaration of a clause (made by :func:`clause`).

    Attributes:
        message_type: the frozen attrs class it handles.
        ops: the ops, in order.
        match: field values the message must have (a type value means isinstance).
        when: the guard over message fields, view fields and calcs, or ``None``.
        batch: coalesce a burst of such messages into one recompute and one render.
        name: the attribute name, set when the class is created.
    """

    def __init__(
        self,
        message_type: type,
        ops: tuple[Op, ...],
        match: Mapping[str, Any],
        when: Expr | None,
        batch: bool,
    ) -> None:
        self.message_type = message_type
        self.ops = ops
        self.match = match
        self.when = when
        self.batch = batch
        self._declare()

    def __repr__(self) -> str:
        label = getattr(self.message_type, "__name__", repr(self.message_type))
        return f"clause({label}, {', '.join(op.verb for op in self.ops)})"

    @functools.cached_property
    def message_fields(self) -> tuple[str, ...]:
        """The message type's field names (computed once: guards and ops read them per
        message)."""
        return tuple(field.name for field in attrs.fields(self.message_type))

    @functools.cached_property
    def reads_run_key(self) -> bool:
        """Whether its guard or an op reads ``run_key``, the emitting run's key."""
        expressions = [op_expr for op in self.ops for op_expr in op.expressions()]
        expressions += [op.when for op in self.ops if op.when is not None]
        if self.when is not None:
            expressions.append(self.when)
        return any(RUN_KEY in expression.names for expression in expressions)

    @functools.cached_property
    def names_read(self) -> tuple[str, ...]:
        """Every name its guard and ops read, in order, once each."""
        expressions = [op_expr for op in self.ops for op_expr in op.expressions()]
        expressions += [op.when for op in self.ops if op.when is not None]
        if self.when is not None:
            expressions.append(self.when)
        return tuple(dict.fromkeys(name for e in expressions for name in e.names))

    @functools.cached_property
    def scoped(self) -> bool:
        """Whether its guard or ops read ``message``, ``view`` or ``run_key``: only then
        do they need a scope around the message (the others read its fields directly)."""
        return any(name in (MESSAGE, VIEW, RUN_KEY) for name in self.names_read)

    @functools.cached_property
    def local_names(self) -> tuple[str, ...]:
        """The names its expressions bind locally: ``message``, ``view``, the message's
        other fields, and ``run_key`` when it reads it (see the module docstring)."""
        fields = tuple(name for name in self.message_fields if name not in (MESSAGE, VIEW))
        run_key = (RUN_KEY,) if self.reads_run_key else ()
        return (MESSAGE, VIEW, *fields, *run_key)


def clause(
    message_type: type,
    *ops: OpLike,
    match: Mapping[str, Any] | None = None,
    when: Callable[..., Any] | None = None,
    batch: bool = False,
) -> ViewClause:
    """Declare how the view handles ``message_type`` messages.

    Args:
        message_type: a frozen attrs class, e.g. one an async_stream emits.
        ops: what it does; expressions read message fields and view values by name
            (``message`` is the message, ``view.x`` a view field when the message has an
            ``x`` too: see the module docstring).
        match: required field values, e.g. ``{"stream": "llm"}``.
        when: a guard; a message whose guard is false never reaches the ops, and the next
            clause for the type is tried.
        batch: a burst of waiting messages of this clause is handled as one batch: one
            recompute and one render after the last.

    Example::

        on_chunk = clause(Chunk, ops.append(draft=lambda text: text), batch=True)

    For a message of a keyed stream (``async_stream(max_runs=N)``), the guard and the
    ops may read ``run_key``: the key of the run that emitted it (the body need not put
    it in every message). ``when=lambda run_key: run_key == "alice"`` takes one key's
    messages only.

    The ops apply all or nothing. If one fails (an expression raises, a value has the
    wrong type), the error propagates out of the view's task: a clause handles server
    messages, so a failure there is a bug for the supervisor to restart, not bad input.
    """
    label = getattr(message_type, "__name__", repr(message_type))
    guard = expr(when, where=f"clause({label}, when=...)") if when else None
    declared = ViewClause(message_type, flatten(ops), dict(match or {}), guard, batch)
    if not (isinstance(message_type, type) and attrs.has(message_type)):
        declared.problem = (
            f"clause({message_type!r}): the message type must be an attrs class. "
            f"Declare it with @attrs.frozen."
        )
    return declared
