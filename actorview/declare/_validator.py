"""The validator: checks a view class when it is defined and compiles it into a ViewSpec.

Every mistake the view layer can see without running the view is raised here, as a
:class:`~actorview.errors.DefinitionError` whose message names the view, the declaration
and the fix (the texts are part of the contract and tested): optimistic flags that cannot
hold, names an expression reads that the view does not declare, cycles among calcs,
ops on the wrong kind of field or with items of the wrong type, streams whose messages no
clause handles, and clauses for messages nothing can send.

One thing is only a warning: a stream whose failures no clause handles
(:class:`~actorview.view.MissingFailureClause`, given at the class statement). The view
works, but a failed run shows the person at the page only the runtime's default notice.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, assert_never

import attrs

from actorview.declare._actions import Action
from actorview.declare._calculate import Calc, order_calcs
from actorview.declare._clauses import MESSAGE, VIEW, ViewClause
from actorview.declare._collections import CollectionField
from actorview.declare._declarations import Declaration, article
from actorview.declare._errors import MissingFailureClause
from actorview.declare._expressions import Expr, return_annotation
from actorview.declare._fields import FieldKind, Origin, StateField
from actorview.declare._forms import FormDeclaration
from actorview.declare._jobs import JobTask
from actorview.declare._spec import ViewSpec, sendable
from actorview.declare._subscriptions import Subscribe
from actorview.declare._tasks import (
    RUN_KEY,
    OnFailure,
    StreamFailed,
    StreamTask,
    takes_failures_of,
)
from actorview.declare._values import conforms, type_name
from actorview.declare.ops import (
    Append,
    Cancel,
    Delete,
    FieldOp,
    Fire,
    Flash,
    Navigate,
    Op,
    PatchUrl,
    Pop,
    Publish,
    Push,
    PushEvent,
    Reset,
    Set,
    Shift,
    TellParent,
    Unshift,
    UpdateAt,
)
from actorview.errors import DefinitionError
from actorview.mailbox._clauses import Clause, require_sendable


def compile_view(
    cls: type,
    *,
    receives: Iterable[type] = (),
    runtime_messages: Iterable[type] = (),
    plain_clauses: Iterable[Clause] = (),
    reserved: Iterable[str] = (),
    sends: tuple[type, ...] | None = None,
) -> ViewSpec:
    """Check every declaration of ``cls`` (and its bases) and return its :class:`ViewSpec`.

    Args:
        receives: message types other tasks may send to the view.
        runtime_messages: types the runtime itself sends (browser events, lifecycle).
        plain_clauses: the class's plain ``@on`` methods (they may handle what its
            streams emit, take their failures, and must take what something can send).
        reserved: attribute names the base class uses, which declarations may not take
            (names that start with ``_`` are refused too: they are the runtime's).
        sends: for a component (``declare/_components.py``), the message types it may
            tell its parent with ``ops.tell_parent``; ``None`` for a view, which may not.

    Raises:
        DefinitionError: on the first mistake found, in declaration order.

    Warns:
        MissingFailureClause: for each stream whose failures no clause takes, unless it
            is declared ``on_failure="notice"``.
    """
    declared = _collect(cls)
    plain = tuple(plain_clauses)
    runtime = tuple(runtime_messages)
    topics = _of(declared, Subscribe)
    heard = (kind for subscription in topics.values() for kind in subscription.types)
    receives = tuple(dict.fromkeys((*receives, *heard)))
    checker = _Checker(cls.__name__, declared, receives, runtime)
    checker.sends = sends
    spec = checker.check(tuple(clause.message_type for clause in plain), frozenset(reserved))
    failure_matches = tuple(
        clause.match for clause in plain if issubclass(StreamFailed, clause.message_type)
    )
    spec = attrs.evolve(spec, failure_handled=checker.failure_handled(failure_matches))
    for clause in plain:
        kind = clause.message_type
        require_sendable(
            f"{spec.name}.{clause.name} (@on {kind.__name__})",
            kind,
            (*runtime, *spec.sendable),
            "no async_stream emits it and it is not in receives=(...)",
            f"Declare `class {spec.name}(View, receives=({kind.__name__},))`, or remove "
            f"the clause.",
        )
    return spec


def _collect(cls: type) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for base in reversed(cls.__mro__):
        for name, value in vars(base).items():
            if isinstance(value, Declaration):
                found[name] = value
            elif name in found:
                del found[name]
    return found


def _of(declared: Mapping[str, Any], kind: type) -> dict[str, Any]:
    return {name: value for name, value in declared.items() if isinstance(value, kind)}


class _Checker:
    def __init__(
        self,
        view: str,
        declared: Mapping[str, Any],
        receives: tuple[type, ...],
        runtime_messages: tuple[type, ...],
    ) -> None:
        self.view = view
        self.declared: Mapping[str, Declaration] = declared
        self.fields: dict[str, StateField[Any]] = _of(declared, StateField)
        self.collections: dict[str, CollectionField[Any]] = _of(declared, CollectionField)
        self.calcs: dict[str, Calc[Any]] = _of(declared, Calc)
        self.actions: dict[str, Action] = _of(declared, Action)
        self.clauses: dict[str, ViewClause] = _of(declared, ViewClause)
        self.tasks: dict[str, StreamTask] = _of(declared, StreamTask)
        self.subscriptions: dict[str, Subscribe] = _of(declared, Subscribe)
        self.receives = receives
        self.runtime_messages = runtime_messages
        self.names = set(self.fields) | set(self.collections) | set(self.calcs)
        self.sends: tuple[type, ...] | None = None
        """What a component may tell its parent (``None``: a view, which tells no parent)."""

    def fail(self, where: str, message: str) -> DefinitionError:
        return DefinitionError(f"{self.view}.{where}: {message}")

    def known(self, extra: Iterable[str] = ()) -> str:
        return ", ".join(sorted(self.names | set(extra))) or "none"

    # -- the checks ------------------------------------------------------------------

    def check(self, handled_elsewhere: tuple[type, ...], reserved: frozenset[str]) -> ViewSpec:
        for name, declaration in self.declared.items():
            if name in reserved:
                raise self.fail(
                    name,
                    f"the name {name!r} is used by View itself (a hook or method every view "
                    f"has: {', '.join(sorted(reserved))}). Choose another name.",
                )
            if name.startswith("_"):
                raise self.fail(
                    name,
                    "names that start with '_' are the runtime's. Choose a name without "
                    "the leading underscore.",
                )
            if declaration.problem is not None:
                raise self.fail(name, declaration.problem)
            if name == RUN_KEY:
                raise self.fail(
                    name,
                    f"the name {RUN_KEY!r} is what a clause reads the key of a keyed run by. "
                    f"Choose another name.",
                )
        for name, field in self.fields.items():
            self.check_field(name, field)
        for name, calc in self.calcs.items():
            self.check_calc(name, calc)
        calc_order = order_calcs(self.view, self.calcs)
        for name, stream in self.tasks.items():
            self.check_stream(name, stream)
        for name, declared_action in self.actions.items():
            self.check_action(name, declared_action)
        for name, declared_clause in self.clauses.items():
            self.check_clause(name, declared_clause)
        for name, declared_form in _of(self.declared, FormDeclaration).items():
            self.check_action(name, declared_form.submit, where=f"{name} (form submit)")
        for name, subscription in self.subscriptions.items():
            self.check_subscription(name, subscription)
        self.check_emits_handled(handled_elsewhere)
        readers: dict[str, list[str]] = {}
        for name, calc in self.calcs.items():
            for dependency in calc.inputs:
                readers.setdefault(dependency, []).append(name)
        return ViewSpec(
            name=self.view,
            fields=self.fields,
            collections=self.collections,
            calcs=self.calcs,
            calc_order=calc_order,
            readers={name: tuple(calcs) for name, calcs in readers.items()},
            actions=self.actions,
            clauses=tuple(self.clauses.values()),
            tasks=self.tasks,
            receives=self.receives,
            subscriptions=self.subscriptions,
        )

    def check_field(self, name: str, field: StateField[Any]) -> None:
        if field.optimistic and field.origin is not Origin.CLIENT:
            raise self.fail(
                name,
                f"optimistic=True on a field with origin {field.origin.value!r}; the browser "
                f"can only predict fields it writes. Remove optimistic=True, or declare the "
                f'field with origin="client".',
            )

    def check_calc(self, name: str, calc: Calc[Any]) -> None:
        where = f"{name} (calculate)"
        for dependency in calc.inputs:
            if dependency not in self.names:
                raise self.fail(
                    where,
                    f"reads {dependency!r}, which is not a field, stream or calc of "
                    f"{self.view} (known: {self.known()}). Declare it, or rename the "
                    f"parameter.",
                )
        if calc.step is not None:
            inputs = calc.inputs
            field = self.fields.get(inputs[0]) if len(inputs) == 1 else None
            if field is None or field.kind not in (FieldKind.TEXT, FieldKind.LIST):
                raise self.fail(
                    where,
                    f"incremental=... needs exactly one input that is a str or list state "
                    f"field, but it reads {', '.join(inputs) or 'nothing'}. Drop incremental, "
                    f"or make the calc read one str/list field.",
                )
        if calc.optimistic:
            for dependency in calc.inputs:
                if not self.predictable(dependency):
                    raise self.fail(
                        where,
                        f"optimistic=True, but it reads {dependency!r}, which the browser "
                        f"cannot predict. Read only client or optimistic fields and "
                        f"optimistic calcs, or remove optimistic=True.",
                    )

    def predictable(self, name: str) -> bool:
        field = self.fields.get(name)
        if field is not None:
            return field.origin is Origin.CLIENT or field.optimistic
        calc = self.calcs.get(name)
        return calc is not None and calc.optimistic

    def check_stream(self, name: str, stream: StreamTask) -> None:
        where = f"{name} ({stream.label})"
        if isinstance(stream, JobTask):
            self.check_job_key(where, stream)
        if stream.start is not None:
            for param in stream.params:
                if param not in self.names:
                    raise self.fail(
                        where,
                        f"start={stream.start.value!r} fires it with no arguments, but its "
                        f"parameter {param!r} is not a field or calc of {self.view} "
                        f"(known: {self.known()}). Declare a field of that name, or fire it "
                        f"from an action with ops.fire({name!r}, {param}=...).",
                    )
        if not stream.takes_emit and not getattr(stream, "yields", False):
            raise self.fail(
                where,
                "the body takes no `emit` parameter, so it can never send anything. Add "
                "`emit: Emit` to its parameters.",
            )
        if not stream.emits:
            raise self.fail(where, "emits=() declares no message type. Name what it sends.")
        for kind in stream.emits:
            if not _is_attrs(kind):
                raise self.fail(
                    where,
                    f"emits {kind!r}, which is not an attrs class. Declare messages with "
                    f"@attrs.frozen.",
                )

    def check_no_clash(
        self, where: str, names: Iterable[str], described: Callable[[str], str], rename: str
    ) -> None:
        """Names an expression binds locally (action params, message fields) must not be
        those of fields or calcs, or an expression could not tell which one it reads."""
        for name in names:
            if name in self.names:
                raise self.fail(
                    where,
                    f"{described(name)} has the name of a field or calc of {self.view}, so "
                    f"expressions could not tell them apart. Rename {rename}.",
                )

    def check_action(self, name: str, declared: Action, *, where: str = "") -> None:
        where = where or f"{name} (action)"
        params = declared.param_names
        self.check_no_clash(where, params, lambda param: f"parameter {param!r}", "the parameter")
        if declared.when is not None:
            self.check_names(f"{where} guard", declared.when, params)
        inputs = {name for op in declared.ops for e in op.expressions() for name in e.names}
        inputs |= {name for op in declared.ops if op.when is not None for name in op.when.names}
        if declared.when is not None:
            inputs |= set(declared.when.names)
        for op in declared.ops:
            self.check_op(where, op, params)
            self.check_origin(
                where, op, writer="action", allowed=declared.optimistic or op_field(op) in inputs
            )

    def check_origin(self, where: str, op: Op, *, writer: str, allowed: bool = False) -> None:
        """Who may write a field: ``stream`` fields only clauses; ``client`` fields only
        the browser: its inputs, optimistic actions (what the browser predicts) and an
        action that takes the field as its input (its guard or ops read it: a submit
        that clears its box)."""
        if not isinstance(op, FieldOp):
            return
        field = self.fields.get(op.field)
        if field is None:
            return
        label = f"{where} ops.{op.verb}"
        if field.origin is Origin.STREAM and writer == "action":
            raise self.fail(
                label,
                f'writes {field.name!r}, a field with origin="stream": only clauses (the '
                f"messages of streams) write it. Write it from a clause, or declare it "
                f'origin="server" if actions write it too.',
            )
        if field.origin is Origin.CLIENT and not allowed:
            fix = (
                "Write a server field from the clause instead"
                if writer == "clause"
                else "Declare the action optimistic=True (the browser predicts it), read it "
                "as the action's input, or write a server field"
            )
            raise self.fail(
                label,
                f'writes {field.name!r}, a field with origin="client": only the browser '
                f"writes it (its inputs, optimistic actions, and an action that takes it as "
                f'input). {fix}, or declare it origin="server" if the server writes it.',
            )

    def check_clause(self, name: str, declared: ViewClause) -> None:
        where = f"{name} (clause for {declared.message_type.__name__})"
        kind = declared.message_type
        if kind in self.runtime_messages:
            raise self.fail(
                where,
                f"{kind.__name__} is handled by the View runtime itself, so this clause "
                f"would never run. Declare an action for browser events, or override "
                f"on_connect()/on_disconnect() for the connection.",
            )
        require_sendable(
            f"{self.view}.{where}",
            kind,
            sendable(self.receives, self.tasks),
            "no async_stream emits it and it is not in receives=(...)",
            f"Add it to a stream's emits, declare `class {self.view}(View, "
            f"receives=({kind.__name__},))`, or remove the clause.",
        )
        fields = declared.local_names
        if declared.reads_run_key:
            self.check_run_key(where, kind, declared.message_fields)
        self.check_bare_names(where, declared)
        for field in declared.match:
            if field not in declared.message_fields:
                raise self.fail(
                    where,
                    f"match names {field!r}, which is not a field of {kind.__name__} "
                    f"(fields: {', '.join(declared.message_fields) or 'none'}). Match on "
                    f"declared fields.",
                )
        if declared.when is not None:
            self.check_names(f"{where} guard", declared.when, fields)
        for op in declared.ops:
            self.check_op(where, op, fields)
            self.check_origin(where, op, writer="clause")

    def check_bare_names(self, where: str, declared: ViewClause) -> None:
        """A bare name in a clause is the message's field or the view's field, stream or
        calc, never both (``message`` and ``view`` always mean the message and the view;
        see :mod:`actorview.declare._clauses`)."""
        kind = declared.message_type.__name__
        for name in declared.names_read:
            if name in (MESSAGE, VIEW) or name not in declared.message_fields:
                continue
            if name in self.names:
                what = "calc" if name in self.calcs else "field"
                raise self.fail(
                    where,
                    f"reads {name!r}, which is both {kind}.{name} and a {what} of "
                    f"{self.view}, so the bare name could mean either. Write `lambda "
                    f"message: message.{name}` for the message's field, or `lambda view: "
                    f"view.{name}` for the view's {what}.",
                )

    def check_run_key(self, where: str, kind: type, fields: tuple[str, ...]) -> None:
        """``run_key`` is bound only for messages a keyed stream can emit."""
        if RUN_KEY in fields:
            raise self.fail(
                where,
                f"reads {RUN_KEY!r}, but {kind.__name__} has a field of that name, so it "
                f"could not tell them apart. Rename the field.",
            )
        keyed = [
            name
            for name, stream in self.tasks.items()
            if stream.keyed
            and (kind is StreamFailed or any(issubclass(sent, kind) for sent in stream.emits))
        ]
        if not keyed:
            raise self.fail(
                where,
                f"reads {RUN_KEY!r}, the key of the run that emitted the message, but no "
                f"keyed async_stream emits {kind.__name__}. Declare the stream with "
                f"max_runs=N (keyed), or stop reading {RUN_KEY!r}.",
            )

    def failure_handled(self, elsewhere: tuple[Mapping[str, Any], ...]) -> frozenset[str]:
        """The streams whose failures a clause can take; warns for the others."""
        matches = (
            *(c.match for c in self.clauses.values() if issubclass(StreamFailed, c.message_type)),
            *elsewhere,
        )
        handled = frozenset(
            name for name in self.tasks if any(takes_failures_of(match, name) for match in matches)
        )
        for name, stream in self.tasks.items():
            if name not in handled and stream.on_failure is OnFailure.CLAUSE:
                _warn_at_class_statement(
                    f"{self.view}.{name} ({stream.label}): no clause handles its StreamFailed, "
                    f'so a failed run shows only the default notice ("Something went wrong '
                    f'on the server"). Add `on_{name}_failed = clause(StreamFailed, ..., '
                    f"match={{'stream': {name!r}}})`, or declare async_stream(..., "
                    f'on_failure="notice") if that notice is what you want.',
                    MissingFailureClause,
                )
        return handled

    def emitted(self) -> tuple[type, ...]:
        return tuple(kind for stream in self.tasks.values() for kind in stream.emits)

    def check_emits_handled(self, handled_elsewhere: tuple[type, ...]) -> None:
        handled = (*(c.message_type for c in self.clauses.values()), *handled_elsewhere)
        for name, stream in self.tasks.items():
            for kind in stream.emits:
                if not any(issubclass(kind, other) for other in handled):
                    raise self.fail(
                        f"{name} ({stream.label})",
                        f"emits {kind.__name__}, but no clause handles {kind.__name__}. Add "
                        f"`on_{_snake(kind.__name__)} = clause({kind.__name__}, ...)`, or "
                        f"remove it from emits.",
                    )

    def check_job_key(self, where: str, declared: JobTask) -> None:
        for read in declared.key_names:
            if read not in self.fields and read not in self.calcs:
                raise self.fail(
                    where,
                    f"the key {declared.key!r} reads {read!r}, which is not a field or calc "
                    f"of {self.view} (known: {self.known()}). Declare {read} = state(str), "
                    f"or name one of those: a job's key is read from the view, so every "
                    f"view of the same key follows the same job.",
                )

    def check_subscription(self, name: str, subscription: Subscribe) -> None:
        for read in subscription.names:
            if read not in self.fields and read not in self.calcs:
                raise self.fail(
                    name,
                    f"the topic {subscription.topic!r} reads {read!r}, which is not a field "
                    f"or calc of {self.view} (known: {self.known()}). Declare "
                    f"{read} = state(str), or name one of those.",
                )

    def check_topic_names(self, label: str, op: Publish, local: tuple[str, ...]) -> None:
        for read in op.names:
            if read not in self.names and read not in local:
                raise self.fail(
                    label,
                    f"the topic {op.topic!r} reads {read!r}, which is not a field, stream "
                    f"or calc of {self.view} nor a bound name here (known: "
                    f"{self.known(local)}). Declare it, or rename the placeholder.",
                )

    # -- expressions and ops -------------------------------------------------------------

    def check_names(self, where: str, expression: Expr, local: Iterable[str]) -> None:
        local_names = set(local)
        for name in expression.names:
            if name not in self.names and name not in local_names:
                raise self.fail(
                    where,
                    f"reads {name!r}, which is not a field, stream or calc of {self.view} nor "
                    f"a bound name here (known: {self.known(local_names)}). Declare it, or "
                    f"rename the parameter.",
                )

    def check_op(self, where: str, op: Op, local: tuple[str, ...]) -> None:
        label = f"{where} ops.{op.verb}"
        for expression in op.expressions():
            self.check_names(label, expression, local)
        match op:
            case Fire() | Cancel():
                self.check_stream_op(label, op, local)
            case PushEvent() | Flash():
                pass  # its name and kind were checked when made; its values when it runs
            case TellParent():
                self.check_tell_parent(label, op)
            case Publish():
                self.check_topic_names(label, op, local)
            case PatchUrl() | Navigate():
                pass  # a target is checked by the host when the op runs (docs/NAVIGATION.md)
            case _:
                self.check_target(label, op)

    def check_tell_parent(self, label: str, op: TellParent) -> None:
        """``ops.tell_parent`` is a component's, and tells only what it ``sends``."""
        sends = self.sends
        if sends is None:
            raise self.fail(
                label,
                "tells a parent, but a view has none: ops.tell_parent is how a Component "
                "tells the view it lives in. Change the view's state with its own ops, or "
                "move the action into a Component.",
            )
        named = ", ".join(kind.__name__ for kind in sends) or "nothing"
        value = op.message
        sent: Any = type(value.constant) if value.is_constant else return_annotation(value)
        if not sends or (
            isinstance(sent, type) and sent is not Any and not issubclass(sent, sends)
        ):
            given = sent.__name__ if isinstance(sent, type) else "a message"
            raise self.fail(
                label,
                f"tells the parent {article(given)}, but {self.view} sends {named}. Declare "
                f"`class {self.view}(Component, sends=({given}, ...))`, or tell one of those.",
            )

    def check_target(self, label: str, op: FieldOp) -> None:
        target = op.field
        if target in self.calcs:
            raise self.fail(
                label,
                f"targets {target!r}, a calc; calcs are computed from what they read. "
                f"Change one of {', '.join(self.calcs[target].inputs) or 'its inputs'} "
                f"instead.",
            )
        field = self.fields.get(target)
        stream_field = self.collections.get(target)
        if stream_field is not None:
            self.check_stream_field_op(label, op, stream_field)
        elif field is not None:
            self.check_field_op(label, op, field)
        else:
            raise self.fail(
                label,
                f"targets {target!r}, which is not a field of {self.view} (fields: "
                f"{', '.join(sorted([*self.fields, *self.collections])) or 'none'}). "
                f"Declare it with state(...) or stream(...).",
            )

    def check_field_op(self, label: str, op: FieldOp, field: StateField[Any]) -> None:
        kind = type_name(field.type)
        match op:
            case Delete() | Reset():
                raise self.fail(
                    label,
                    f"targets {field.name!r}, {article(kind)} field; {op.verb} works on stream "
                    f"fields. Use ops.set({field.name}=...) to replace its value.",
                )
            case Set():
                self.check_value(label, op.value, field.type, field.name, "value")
            case Append():
                if field.kind is not FieldKind.TEXT:
                    raise self.fail(
                        label,
                        f"targets {field.name!r}, {article(kind)} field; append works on str "
                        f"fields. Use ops.push for list and stream fields, ops.set otherwise.",
                    )
                self.check_value(label, op.value, str, field.name, "text")
            case Push(item=item) | Unshift(item=item):
                self.check_list(label, op, field)
                self.check_value(label, item, field.item_type, field.name, "item")
                if op.limit is not None:
                    raise self.fail(
                        label,
                        f"passes limit={op.limit!r} for {field.name!r}, a list field; limit "
                        f"works on stream fields (what the page shows). Drop limit, or pop "
                        f"or shift the list.",
                    )
            case Pop() | Shift():
                self.check_list(label, op, field)
            case UpdateAt():
                self.check_list(label, op, field)
                self.check_value(label, op.index, int, field.name, "index")
                self.check_value(label, op.value, field.item_type, field.name, "item")
            case _:
                assert_never(op)

    def check_list(self, label: str, op: FieldOp, field: StateField[Any]) -> None:
        if field.kind is FieldKind.LIST:
            return
        fix = (
            "Use ops.append to add text"
            if field.kind is FieldKind.TEXT
            else f"Declare it as list[...] or stream(...), or use ops.set({field.name}=...)"
        )
        raise self.fail(
            label,
            f"targets {field.name!r}, {article(type_name(field.type))} field; {op.verb} works "
            f"on list and stream fields. {fix}.",
        )

    def check_stream_field_op(self, label: str, op: FieldOp, field: CollectionField[Any]) -> None:
        match op:
            case Set() | Append():
                raise self.fail(
                    label,
                    f"targets {field.name!r}, a stream field; a stream is changed item by "
                    f"item. Use ops.push/unshift/update_at/delete, or ops.reset to empty it.",
                )
            case Pop() | Shift():
                if field.page is not None:
                    raise self.fail(
                        label,
                        f"targets {field.name!r}, a paged stream (page={field.page}); "
                        f"{op.verb} would remove an end of its sequence, which may not be in "
                        f"the page. Use ops.delete({field.name!r}, key) for a shown item, or "
                        f"ops.reset.",
                    )
            case Push(item=item) | Unshift(item=item):
                self.check_value(label, item, field.item_type, field.name, "item")
                self.check_insert_limit(label, op, field)
            case UpdateAt(value=item):
                self.check_value(label, item, field.item_type, field.name, "item")
            case Delete() | Reset():
                pass
            case _:
                assert_never(op)

    def check_insert_limit(
        self, label: str, op: Push | Unshift, field: CollectionField[Any]
    ) -> None:
        """An insert's own ``limit``: a nonzero int, on a stream that is not paged."""
        limit = op.limit
        if limit is None:
            return
        if not isinstance(limit, int) or isinstance(limit, bool) or limit == 0:
            raise self.fail(
                label,
                f"limit={limit!r}: give a nonzero int, -N to keep the last N items of "
                f"{field.name!r} on the page or N to keep the first N.",
            )
        if field.page is not None:
            raise self.fail(
                label,
                f"passes limit={limit!r} for {field.name!r}, a paged stream (page="
                f"{field.page}), whose window is bounded by its declared limit. Drop it, or "
                f"declare stream(..., limit=N).",
            )

    def check_value(self, label: str, value: Expr, expected: Any, target: str, what: str) -> None:
        if value.is_constant:
            if not conforms(value.constant, expected):
                raise self.fail(
                    label,
                    f"gives {target!r} the {what} {value.constant!r}, "
                    f"{article(type(value.constant).__name__)}, but it takes "
                    f"{type_name(expected)}. Give {article(type_name(expected))}.",
                )
            return
        annotation = return_annotation(value)
        if (
            isinstance(annotation, type)
            and isinstance(expected, type)
            and expected is not object
            and not issubclass(annotation, expected)
        ):
            raise self.fail(
                label,
                f"gives {target!r} {article(what)} from a function returning "
                f"{annotation.__name__}, but it takes {type_name(expected)}. Return "
                f"{article(type_name(expected))}.",
            )

    def check_stream_op(self, label: str, op: Fire | Cancel, local: tuple[str, ...]) -> None:
        stream = self.tasks.get(op.stream)
        if stream is None:
            raise self.fail(
                label,
                f"names the stream {op.stream!r}, which {self.view} does not declare "
                f"(streams: {', '.join(self.tasks) or 'none'}). Declare it with "
                f"@async_stream(emits=...).",
            )
        if isinstance(op, Fire) and op.key is not None and op.keys is not None:
            raise self.fail(
                label,
                "passes both key= and keys=. Pass key= for one run, or keys= for one run per key.",
            )
        keyless = op.key is None and (not isinstance(op, Fire) or op.keys is None)
        if keyless and stream.keyed and isinstance(op, Fire):
            raise self.fail(
                label,
                f"fires {op.stream!r}, a keyed stream (max_runs={stream.max_runs}), without "
                f"a key. Pass ops.fire({op.stream!r}, key=...), the key its run lives under.",
            )
        if not keyless and not stream.keyed:
            raise self.fail(
                label,
                f"passes key=, but {op.stream!r} is not keyed: it has one run at a time. "
                f"Declare it async_stream(..., max_runs=N) to run it under several keys at "
                f"once, or drop key=.",
            )
        if isinstance(op, Cancel):
            return
        for arg in op.args:
            if arg not in stream.params:
                raise self.fail(
                    label,
                    f"passes {arg!r}, which the body of {op.stream!r} does not take "
                    f"(parameters: {', '.join(stream.params) or 'none'}). Remove it.",
                )
        for param in stream.params:
            if param == "key" and stream.keyed:
                continue
            if param not in op.args and param not in self.names:
                raise self.fail(
                    label,
                    f"does not give {op.stream!r} its parameter {param!r}, and {self.view} "
                    f"has no field or calc of that name. Pass ops.fire({op.stream!r}, "
                    f"{param}=...).",
                )


def op_field(op: Op) -> str | None:
    """The field a field op writes (``None`` for a stream op)."""
    return op.field if isinstance(op, FieldOp) else None


_PACKAGE = str(Path(__file__).parent.parent) + "/"


def _warn_at_class_statement(message: str, category: type[Warning]) -> None:
    """Warn pointing at the first frame outside actorview: the user's class statement."""
    frame = sys._getframe(1)
    level = 2
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)


def _is_attrs(kind: object) -> bool:
    return isinstance(kind, type) and attrs.has(kind)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))
