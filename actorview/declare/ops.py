"""Ops: the declarative changes an action or a clause makes to a view.

Each op is a frozen value naming its target and holding :class:`Expr` values, so the
validator can check it against the view's fields when the class is defined (``push`` on a
``str`` field, an item of the wrong type, an unknown name) and the optimistic layer can
replay it in the browser. Use them through this module's namespace::

    from actorview.view import ops

    submit = action(
        ops.push(history=lambda input: Message("user", input.strip())),
        ops.set(input=""),
        ops.fire("llm", prompt=lambda input: input.strip()),
        when=lambda input_valid: input_valid,
    )

``Op`` is a closed union of frozen values (:data:`FieldOp`, :data:`TaskOp` and
:class:`Publish`): the
store, the validator and the client planner each dispatch on it with one ``match``.

Semantics, for all the ops of one action or clause: every expression reads the state and
calc values as they were when the message arrived (not as changed by an earlier op of
the same message); the ops then apply in the order written, all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeAlias

import attrs

from actorview.declare._expressions import Expr, expr
from actorview.declare._subscriptions import placeholders
from actorview.errors import DefinitionError


@attrs.frozen
class _Conditional:
    """What every op has: ``when``, an optional condition; the op is skipped when false."""

    when: Expr | None = attrs.field(default=None, kw_only=True)

    verb: ClassVar[str]
    """The op's name as users write it: ``set``, ``push``, ..."""

    def expressions(self) -> tuple[Expr, ...]:
        """Every expression the op evaluates (for name checks)."""
        found = [value for value in attrs.astuple(self, recurse=False) if isinstance(value, Expr)]
        return tuple(found)


@attrs.frozen
class _OnField(_Conditional):
    """What every field op has: the ``field`` it changes."""

    field: str


@attrs.frozen
class Set(_OnField):
    """Replace the field's value."""

    verb: ClassVar[str] = "set"
    value: Expr


@attrs.frozen
class Append(_OnField):
    """Append text to a ``str`` field (O(1): no copy of what was there)."""

    verb: ClassVar[str] = "append"
    value: Expr


@attrs.frozen
class Push(_OnField):
    """Add one item at the end of a list or stream field.

    ``limit`` (stream fields only; Phoenix's ``stream_insert(..., limit:)``): after the
    insert the page keeps at most ``abs(limit)`` items of the stream, the last ones for a
    negative limit, the first for a positive one. ``None``: the stream's own ``limit``,
    keeping the last ones.
    """

    verb: ClassVar[str] = "push"
    item: Expr
    limit: int | None = attrs.field(default=None, kw_only=True)


@attrs.frozen
class Unshift(_OnField):
    """Add one item at the start of a list or stream field.

    ``limit``: as for :class:`Push`; ``None`` is the stream's own ``limit``, keeping the
    first ones.
    """

    verb: ClassVar[str] = "unshift"
    item: Expr
    limit: int | None = attrs.field(default=None, kw_only=True)


@attrs.frozen
class Pop(_OnField):
    """Remove the last item of a list or stream field; nothing happens when it is empty."""

    verb: ClassVar[str] = "pop"


@attrs.frozen
class Shift(_OnField):
    """Remove the first item of a list or stream field; nothing happens when it is empty."""

    verb: ClassVar[str] = "shift"


@attrs.frozen
class UpdateAt(_OnField):
    """Replace one item: by index in a list field, by key in a stream field."""

    verb: ClassVar[str] = "update_at"
    index: Expr
    value: Expr


@attrs.frozen
class Delete(_OnField):
    """Remove the item with ``key`` from a stream field; nothing happens if it is absent."""

    verb: ClassVar[str] = "delete"
    key: Expr


@attrs.frozen
class Reset(_OnField):
    """Remove every item of a stream field."""

    verb: ClassVar[str] = "reset"


@attrs.frozen
class Fire(_Conditional):
    """Start a run of an async_stream with ``args`` (see :func:`fire`)."""

    verb: ClassVar[str] = "fire"
    stream: str
    args: Mapping[str, Expr] = attrs.field(factory=dict)
    key: Expr | None = None
    """The run's key (keyed streams only)."""
    keys: Expr | None = None
    """Keys to start one run each under, with the same ``args`` (keyed streams only)."""

    def expressions(self) -> tuple[Expr, ...]:
        values = tuple(self.args.values())
        return (*values, *(e for e in (self.key, self.keys) if e is not None))


@attrs.frozen
class Cancel(_Conditional):
    """Cancel the live run of an async_stream (see :func:`cancel`)."""

    verb: ClassVar[str] = "cancel"
    stream: str
    key: Expr | None = None
    """The key of the run to cancel (keyed streams); ``None``: every run."""


@attrs.frozen
class TellParent(_Conditional):
    """Tell a component's parent view a message (see :func:`tell_parent`)."""

    verb: ClassVar[str] = "tell_parent"
    message: Expr


@attrs.frozen
class Publish(_Conditional):
    """Publish a message on a topic of the bus (see :func:`publish`)."""

    verb: ClassVar[str] = "publish"
    topic: str
    names: tuple[str, ...]
    """The names the topic template reads."""
    message: Expr

    def expressions(self) -> tuple[Expr, ...]:
        return (self.message,)


# -- navigation (docs/NAVIGATION.md) ------------------------------------------------------


@attrs.frozen
class PatchUrl(_Conditional):
    """Change the page's URL within its route; the view's ``handle_params`` runs (see
    :func:`patch`)."""

    verb: ClassVar[str] = "patch"
    to: Expr | None = None
    """The target path (with an optional query); ``None``: the page's current URL."""
    query: Mapping[str, Expr] = attrs.field(factory=dict)
    """Query parameters to set (a ``None`` value removes the name)."""
    replace: bool = False

    def expressions(self) -> tuple[Expr, ...]:
        return (*(() if self.to is None else (self.to,)), *self.query.values())


@attrs.frozen
class Navigate(_Conditional):
    """Move the page to another live route over the same socket (see :func:`navigate`)."""

    verb: ClassVar[str] = "navigate"
    to: Expr
    replace: bool = False


NavOp: TypeAlias = PatchUrl | Navigate
"""An op that moves the page (``ops.patch``, ``ops.navigate``)."""


FieldOp: TypeAlias = Set | Append | Push | Unshift | Pop | Shift | UpdateAt | Delete | Reset
"""An op on one field (``op.field``)."""

TaskOp: TypeAlias = Fire | Cancel
"""An op on one async_stream (``op.stream``)."""

ParentOp: TypeAlias = TellParent
"""An op of a component towards the view it lives in."""

Op: TypeAlias = FieldOp | TaskOp | NavOp | Publish | ParentOp
"""Every op, a closed union: dispatch on it with ``match`` and end with
``case _: assert_never(op)``, so mypy finds every place a new op must be handled."""

OpLike: TypeAlias = Op | Iterable[Op]
"""An op, or several (``ops.set(a=1, b=2)`` makes one per field)."""


def flatten(items: Iterable[OpLike]) -> tuple[Op, ...]:
    """The ops of ``items``, nested tuples flattened, in order."""
    out: list[Op] = []
    for item in items:
        if isinstance(item, Op):
            out.append(item)
        else:
            out.extend(flatten(item))
    return tuple(out)


def _each(verb: str, make: Callable[[str, Expr], Op], fields: Mapping[str, Any]) -> tuple[Op, ...]:
    return tuple(
        make(name, expr(value, where=f"ops.{verb}({name}=...)")) for name, value in fields.items()
    )


def set(**fields: Any) -> tuple[Op, ...]:
    """``ops.set(input="", count=lambda count: count + 1)``: replace field values."""
    return _each("set", lambda name, value: Set(name, value), fields)


def append(**fields: Any) -> tuple[Op, ...]:
    """``ops.append(draft=lambda text: text)``: append text to ``str`` fields."""
    return _each("append", lambda name, value: Append(name, value), fields)


def push(*, limit: int | None = None, **fields: Any) -> tuple[Op, ...]:
    """``ops.push(history=lambda input: Message("user", input))``: add an item at the end.

    ``limit=-N`` (stream fields): the page then keeps the last ``N`` items of the stream
    (``N`` keeps the first ``N``); without it, the stream's declared ``limit`` applies.
    ``limit`` is the one name push takes for itself: it is never a field.
    """
    return _each("push", lambda name, value: Push(name, value, limit=limit), fields)


def unshift(*, limit: int | None = None, **fields: Any) -> tuple[Op, ...]:
    """``ops.unshift(todos=Todo("new"))``: add an item at the start.

    ``limit=N`` (stream fields): the page then keeps the first ``N`` items of the stream
    (``-N`` keeps the last ``N``); without it, the stream's declared ``limit`` applies.
    """
    return _each("unshift", lambda name, value: Unshift(name, value, limit=limit), fields)


def pop(*fields: str) -> tuple[Op, ...]:
    """``ops.pop("todos")``: remove the last item."""
    return tuple(Pop(name) for name in fields)


def shift(*fields: str) -> tuple[Op, ...]:
    """``ops.shift("todos")``: remove the first item."""
    return tuple(Shift(name) for name in fields)


def update_at(field: str, index: Any, value: Any) -> UpdateAt:
    """``ops.update_at("todos", lambda i: i, lambda text: Todo(text))``: replace one item.

    ``index`` is a list index (negative counts from the end) or a stream item's key.
    """
    where = f"ops.update_at({field!r})"
    return UpdateAt(field, expr(index, where=where), expr(value, where=where))


def delete(field: str, key: Any) -> Delete:
    """``ops.delete("history", lambda id: id)``: remove a stream item by key."""
    return Delete(field, expr(key, where=f"ops.delete({field!r})"))


def reset(*fields: str) -> tuple[Op, ...]:
    """``ops.reset("history")``: remove every item of stream fields."""
    return tuple(Reset(name) for name in fields)


def fire(stream: str, *, key: Any = None, keys: Any = None, **args: Any) -> Fire:
    """``ops.fire("llm", prompt=lambda input: input)``: start a run of an async_stream.

    ``key`` (keyed streams, declared with ``max_runs``, only; required there): the key
    the run lives under, a value or an expression (``key=lambda name: name``), hashable
    and not ``None``. Everything below then holds per key: a live run of another key
    is left alone, and a fire of a new key while ``max_runs`` are live is refused with
    ``StreamBusy``. ``keys`` (instead of ``key``): a collection of keys, one run each,
    with the same ``args`` (``keys=lambda agents: agents``); refused as a whole if the
    new keys among them would pass ``max_runs``.

    ``args`` fill the body's parameters; parameters not given are read from the view's
    fields and calcs of the same name, when the op runs (values, not live references).

    When the op applies, a live run of a ``supersede`` stream has its lease revoked at
    once: none of its messages reaches a clause any more, even those already queued.
    After the message, before the next one is taken, the view cancels that run, waits
    for its task to end and starts the new run in its own nursery. A ``refuse`` stream
    with a live run makes the whole action fail with ``StreamBusy`` (nothing changes); a
    ``queue`` stream starts the new run when the live one ends.
    """
    return Fire(
        stream,
        {
            name: expr(value, where=f"ops.fire({stream!r}, {name}=...)")
            for name, value in args.items()
        },
        None if key is None else expr(key, where=f"ops.fire({stream!r}, key=...)"),
        None if keys is None else expr(keys, where=f"ops.fire({stream!r}, keys=...)"),
    )


def cancel(stream: str, *, key: Any = None) -> Cancel:
    """``ops.cancel("llm")``: cancel the live run of an async_stream, if any.

    For a keyed stream, ``key=`` (a value or an expression) cancels that key's run only;
    without it, every run of the stream is cancelled, and the op returns (after the
    message) when all of them have ended.

    When the op applies, the run's lease is revoked: from that moment none of its
    messages reaches a clause, even those already queued. After the message, the view
    cancels the run's scope and waits for its task to end (cleanup included) before it
    takes its next message. Queued runs are dropped too. Nothing happens if no run is
    live.
    """
    return Cancel(
        stream, None if key is None else expr(key, where=f"ops.cancel({stream!r}, key=...)")
    )


def tell_parent(message: Any) -> TellParent:
    """``ops.tell_parent(lambda key, count: Changed(key, count))``: a component tells the
    view it lives in a message (components only; the validator refuses it in a view).

    ``message`` is a value or an expression giving an instance of one of the types the
    component declares it ``sends=`` (``class Counter(Component, sends=(Changed,))``).
    After the component's action, the message is put in the parent view's mailbox and
    handled there by an ordinary clause, like a message from any other task; the parent
    must accept it (``receives=(Changed,)``).
    """
    return TellParent(expr(message, where="ops.tell_parent"))


def publish(topic: str, message: Any) -> Publish:
    """``ops.publish("room:{room}", lambda room, text: Said(room, text))``: publish a
    message on a topic of the view's bus (``actorview.pubsub``).

    ``topic`` may name fields, calcs and params (``{room}``), filled in when the op
    applies; ``message`` is a value or an expression, evaluated then (an attrs
    instance: what every bus can carry). The message is published after the message
    that applied the op has been handled, before the view takes its next one, to every
    subscriber of the topic of that moment (this view too, if it subscribes). A bus
    that refuses it (a Redis bus that is down, a message that does not encode) changes
    nothing that was applied: the page gets a notice and the error is logged.
    """
    names, problem = placeholders(topic) if isinstance(topic, str) else ((), "not a str")
    if problem is not None:
        raise DefinitionError(f"ops.publish({topic!r}, ...): {problem}")
    return Publish(topic, names, expr(message, where=f"ops.publish({topic!r}, ...)"))


def patch(to: Any = None, *, replace: bool = False, **query: Any) -> PatchUrl:
    """``ops.patch(page=lambda page: page + 1)``: change the page's URL within its route.

    ``to`` (a value or an expression) is the new path, with an optional query
    (``"/?page=2"``, ``lambda item: f"/items/{item}"``); left out, the page's current
    URL. Each keyword sets that query parameter (a value or an expression, made a
    ``str``; ``None`` removes it). After the message, the host checks the target (a path
    the same route serves, see docs/NAVIGATION.md), the browser's history gets a new
    entry (``replace=True``: the current one is replaced) and the view's
    ``handle_params`` runs with the new URL, without a remount. A target another route
    serves is navigated to instead (logged as an error: use :func:`navigate`).
    """
    where = "ops.patch"
    return PatchUrl(
        to=None if to is None else expr(to, where=f"{where}(to=...)"),
        query={name: expr(value, where=f"{where}({name}=...)") for name, value in query.items()},
        replace=replace,
    )


def navigate(to: Any, *, replace: bool = False) -> Navigate:
    """``ops.navigate("/settings")``: move the page to another live route, over the same
    socket (LiveView's ``push_navigate``).

    ``to`` (a value or an expression) is a path with an optional query. After the
    message, this view stops and the target route's view mounts in its place, with the
    same session; the page's container is replaced and its URL pushed to the history
    (``replace=True``: replaced), with no HTTP page load. A path no live route serves is
    loaded as a whole page.
    """
    return Navigate(expr(to, where="ops.navigate(to=...)"), replace=replace)


def when(condition: Callable[..., Any], *items: OpLike) -> tuple[Op, ...]:
    """Apply ``items`` only when ``condition`` holds (read like every other expression).

    ``ops.when(lambda draft: draft != "", ops.push(history=...))``
    """
    condition_expr = expr(condition, where="ops.when")
    return tuple(attrs.evolve(op, when=condition_expr) for op in flatten(items))


__all__ = [
    "Append",
    "Cancel",
    "Delete",
    "FieldOp",
    "Fire",
    "NavOp",
    "Navigate",
    "Op",
    "OpLike",
    "ParentOp",
    "PatchUrl",
    "Pop",
    "Publish",
    "Push",
    "Reset",
    "Set",
    "Shift",
    "TaskOp",
    "TellParent",
    "Unshift",
    "UpdateAt",
    "append",
    "cancel",
    "delete",
    "fire",
    "flatten",
    "navigate",
    "patch",
    "pop",
    "publish",
    "push",
    "reset",
    "set",
    "shift",
    "tell_parent",
    "unshift",
    "update_at",
    "when",
]
