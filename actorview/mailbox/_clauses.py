"""Message clauses: ``@on(Type, match=..., when=..., batch=...)`` and their dispatch table.

A clause reads like a ``case`` of a ``match`` statement. ``@on(Chunk, match={"run": 1})``
is ``case Chunk(run=1)``; the handler's parameters bind fields by name, as
``case Chunk(text=text)`` would; ``when=`` is the guard. Clauses are values
(:class:`Clause`) so that the view layer can check them against what its streams declare
they emit, and so that dispatch can index them by message type instead of trying every
clause on every message.

Binding rule, for handlers and guards alike: the parameters after ``self`` name fields of
the message and receive their values; a single parameter that is not a field name
receives the whole message.
"""

from __future__ import annotations

import inspect
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import attrs

from actorview.errors import DefinitionError

F = TypeVar("F", bound=Callable[..., Any])

_CLAUSES_ATTR = "__actorview_clauses__"


@attrs.frozen
class Binding:
    """How a handler or guard receives a message: whole, or as named fields."""

    fields: tuple[str, ...]
    whole: bool

    def getter(self) -> Callable[[Any], tuple[Any, ...]]:
        """A fast function from a message to the positional arguments after ``self``."""
        if self.whole:
            return _as_single
        if not self.fields:
            return _no_args
        if len(self.fields) == 1:
            get_one = operator.attrgetter(self.fields[0])
            return lambda message: (get_one(message),)
        return operator.attrgetter(*self.fields)


def _as_single(message: Any) -> tuple[Any, ...]:
    return (message,)


def _no_args(message: Any) -> tuple[Any, ...]:
    return ()


@attrs.frozen
class Clause:
    """One declared clause: which messages it takes and what it does with them.

    Attributes:
        message_type: the attrs class the clause handles (subclasses too).
        match: field values the message must equal; a type as value means isinstance.
        guard: ``when=`` predicate, called with the actor and the bound fields.
        batch: whether a burst of such messages is handled as one batch.
        handler: the decorated function; ``name`` is its attribute name on the class.
        binding / guard_binding: how the message reaches the handler and the guard.
        is_async: whether the handler is a coroutine function.
    """

    message_type: type
    match: Mapping[str, Any]
    guard: Callable[..., bool] | None
    batch: bool
    handler: Callable[..., Any]
    name: str
    binding: Binding
    guard_binding: Binding | None
    is_async: bool


class CompiledClause:
    """A clause turned into the few fast calls dispatch makes per message."""

    __slots__ = (
        "_args",
        "_guard",
        "_guard_args",
        "_patterns",
        "batch",
        "clause",
        "handler",
        "is_async",
        "order",
    )

    def __init__(self, clause: Clause, order: int) -> None:
        self.clause = clause
        self.order = order
        self.batch = clause.batch
        self.handler = clause.handler
        self.is_async = clause.is_async
        self._args = clause.binding.getter()
        self._guard = clause.guard
        self._guard_args = clause.guard_binding.getter() if clause.guard_binding else _no_args
        self._patterns = tuple(
            (operator.attrgetter(field), expected, isinstance(expected, type))
            for field, expected in clause.match.items()
        )

    def accepts(self, actor: Any, message: Any) -> bool:
        """True when the message matches the pattern and the guard holds."""
        for get, expected, is_type in self._patterns:
            value = get(message)
            if not (isinstance(value, expected) if is_type else value == expected):
                return False
        guard = self._guard
        return guard is None or bool(guard(actor, *self._guard_args(message)))

    def call(self, actor: Any, message: Any) -> Any:
        """Run the handler; for an ``async def`` handler this returns the coroutine."""
        return self.handler(actor, *self._args(message))


def on(
    message_type: type,
    *,
    match: Mapping[str, Any] | None = None,
    when: Callable[..., bool] | None = None,
    batch: bool = False,
) -> Callable[[F], F]:
    """Declare that the decorated method handles ``message_type`` messages.

    Args:
        message_type: a frozen attrs class.
        match: required field values, e.g. ``{"role": "user"}``; a type as value is an
            isinstance test, as in a class pattern.
        when: a guard ``(self, <bound fields or message>) -> bool`` over the actor's state
            and the message. A message whose guard fails never reaches the body; the next
            clause is tried.
        batch: when several such messages are already waiting, handle them all, then
            run the actor's ``after_batch`` hook once.

    Example::

        @on(Chunk, when=lambda self, run: run == self.current_run, batch=True)
        def chunk(self, text: str) -> None:
            self.draft += text

    The return value of the handler is the reply to an ``ask``. Several ``@on`` may
    decorate one method; they are tried in the order written.
    """

    def decorate(handler: F) -> F:
        pending: list[dict[str, Any]] = getattr(handler, _CLAUSES_ATTR, [])
        pending.insert(
            0,
            {
                "message_type": message_type,
                "match": dict(match or {}),
                "when": when,
                "batch": batch,
            },
        )
        setattr(handler, _CLAUSES_ATTR, pending)
        return handler

    return decorate


def collect_clauses(cls: type) -> tuple[Clause, ...]:
    """All clauses of ``cls`` and its bases, checked, in declaration order.

    A subclass that redefines a method replaces the base class's clauses for it.
    """
    by_name: dict[str, list[dict[str, Any]]] = {}
    for base in reversed(cls.__mro__):
        for name, value in vars(base).items():
            declared = getattr(value, _CLAUSES_ATTR, None)
            if declared is not None:
                by_name[name] = declared
            elif name in by_name and callable(value):
                del by_name[name]
    return tuple(
        _make_clause(cls, name, getattr(cls, name), declared)
        for name, declarations in by_name.items()
        for declared in declarations
    )


def require_sendable(
    where: str, message_type: type, sendable: Iterable[type], unsent: str, fix: str
) -> None:
    """Refuse a clause for ``message_type`` when nothing can send it: no type in
    ``sendable`` is it, a subclass of it or a base of it (such a clause would never run).

    The one check behind actors' ``accepts=`` and views' clauses; the caller says where
    the clause is, why nothing sends its type and what to do:
    ``{where}: a clause for {type}, which nothing can send: {unsent}. {fix}``.

    Raises:
        DefinitionError: when nothing can send it.
    """
    if not any(issubclass(message_type, t) or issubclass(t, message_type) for t in sendable):
        raise DefinitionError(
            f"{where}: a clause for {message_type.__name__}, which nothing can send: "
            f"{unsent}. {fix}"
        )


def _make_clause(
    cls: type, name: str, handler: Callable[..., Any], declared: dict[str, Any]
) -> Clause:
    message_type = declared["message_type"]
    where = f"{cls.__name__}.{name}"
    field_names = _message_fields(where, message_type)
    for field in declared["match"]:
        if field not in field_names:
            raise DefinitionError(
                f"{where}: match names {field!r}, which is not a field of "
                f"{message_type.__name__} (fields: {', '.join(field_names) or 'none'}). "
                f"Match only on declared fields."
            )
    guard = declared["when"]
    return Clause(
        message_type=message_type,
        match=declared["match"],
        guard=guard,
        batch=declared["batch"],
        handler=handler,
        name=name,
        binding=_binding(f"{where} handler", handler, message_type, field_names),
        guard_binding=(
            _binding(f"{where} guard", guard, message_type, field_names) if guard else None
        ),
        is_async=inspect.iscoroutinefunction(handler),
    )


def _message_fields(where: str, message_type: Any) -> tuple[str, ...]:
    if not (isinstance(message_type, type) and attrs.has(message_type)):
        raise DefinitionError(
            f"{where}: @on({message_type!r}) needs an attrs class as the message type. "
            f"Declare messages with @attrs.frozen."
        )
    return tuple(field.name for field in attrs.fields(message_type))


def _binding(
    where: str, function: Callable[..., Any], message_type: type, fields: tuple[str, ...]
) -> Binding:
    parameters = list(inspect.signature(function).parameters.values())[1:]
    for parameter in parameters:
        if parameter.kind not in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            raise DefinitionError(
                f"{where}: parameter {parameter.name!r} must be a plain positional "
                f"parameter; clauses bind message fields by name."
            )
    names = tuple(parameter.name for parameter in parameters)
    if len(names) == 1 and names[0] not in fields:
        return Binding(fields=(), whole=True)
    unknown = [name for name in names if name not in fields]
    if unknown:
        raise DefinitionError(
            f"{where}: parameter(s) {', '.join(map(repr, unknown))} are not fields of "
            f"{message_type.__name__} (fields: {', '.join(fields) or 'none'}). Name "
            f"parameters after fields to bind them, or take a single parameter to "
            f"receive the whole message."
        )
    return Binding(fields=names, whole=False)


def build_dispatch_index(clauses: tuple[Clause, ...]) -> dict[type, tuple[CompiledClause, ...]]:
    """Clauses per declared message type, in declaration order."""
    index: dict[type, list[CompiledClause]] = {}
    for order, clause in enumerate(clauses):
        index.setdefault(clause.message_type, []).append(CompiledClause(clause, order))
    return {message_type: tuple(compiled) for message_type, compiled in index.items()}


def clauses_for(
    index: dict[type, tuple[CompiledClause, ...]], message_type: type
) -> tuple[CompiledClause, ...]:
    """Clauses that may take a message of ``message_type`` (declared for it or for one of
    its bases), in declaration order. The caller computes this once per concrete type."""
    found = [compiled for base in message_type.__mro__ for compiled in index.get(base, ())]
    return tuple(sorted(found, key=lambda compiled: compiled.order))
