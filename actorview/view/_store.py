"""The state store: one view instance's values, its ops engine and its recompute.

:class:`ViewStore` is the synchronous core of a view, with no trio and no mailbox in it:
it holds field values, stream keys and calc values; applies the ops of an action or a
clause (all or nothing); tracks which names changed and how (appended text and pushed
items are kept as the change itself); and recomputes the dirty calcs once, in graph
order. The :class:`~actorview.view.View` actor drives it; tests may drive it directly.

Text fields grow in O(1): appended pieces are kept aside and joined only when the full
value is read, so a stream of tokens into a long draft costs the same per token.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from typing import Any, assert_never

import attrs

from actorview.declare._actions import Action
from actorview.declare._calculate import Appended, Calc
from actorview.declare._clauses import ViewClause
from actorview.declare._collections import (
    CollectionItems,
    ItemAdded,
    ItemRemoved,
    ItemReplaced,
    ItemsCleared,
    StreamChange,
    proposed_keys,
)
from actorview.declare._declarations import article
from actorview.declare._errors import (
    CalcNotReady,
    ExpressionError,
    InvalidInput,
    InvalidParams,
    OpError,
    StateTypeError,
    StreamBusy,
    UnknownAction,
)
from actorview.declare._expressions import Expr
from actorview.declare._fields import FieldKind, Origin
from actorview.declare._forms import FormDeclaration, FormState
from actorview.declare._spec import ViewSpec
from actorview.declare._subscriptions import fill
from actorview.declare._tasks import OnBusy
from actorview.declare._values import conforms, structure, type_name
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
from actorview.view._navigation import NavigationKind
from actorview.view._page import PageMessage, flash, pushed_event


@attrs.frozen
class Plan:
    """Ops of one action or clause, evaluated and checked, not yet carried out.

    ``steps``: each op with its evaluated values. ``inputs_before``: the values the
    client fields an action's submit wrote had before (see :meth:`ViewStore.prepare`).
    """

    steps: tuple[tuple[Op, Any, Any], ...]
    inputs_before: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Effect:
    """A stream op to carry out after the message: ``kind`` is ``"fire"`` or ``"cancel"``
    (or ``"tell"``: a component's message for its parent view, ``args["message"]``).

    ``key``: the run's key for a keyed stream; ``None`` for an unkeyed stream's run, or,
    for a cancel, every run of the stream.
    """

    kind: str
    stream: str
    args: dict[str, Any] = attrs.field(factory=dict)
    key: Hashable | None = None


@attrs.frozen
class Published:
    """A message to publish on ``topic`` after the message (an ``ops.publish``)."""

    topic: str
    message: object


@attrs.frozen
class Move:
    """A navigation to hand to the view's host after the message (``ops.patch``,
    ``ops.navigate``): ``to`` the target (``None``: the current URL), ``query`` the
    query parameters a patch sets (``None`` removes one)."""

    kind: NavigationKind
    to: str | None
    query: Mapping[str, str | None] = attrs.field(factory=dict)
    replace: bool = False


class _Growth:
    """How a text or list field grew since the last recompute (appends only)."""

    __slots__ = ("pieces", "preceding")

    def __init__(self, preceding: Any) -> None:
        self.preceding = preceding
        self.pieces: list[Any] = []


_REPLACED = object()


def _never_busy(stream: str, key: Hashable | None) -> bool:
    return False


def _no_runs(stream: str) -> int:
    return 0


_NOTHING: frozenset[str] = frozenset()


def _no_revoke(stream: str, key: Hashable | None) -> None:
    return None


class ViewValues:
    """``view`` in a clause's expressions: the view's fields, streams and calcs as
    attributes (``view.count``), read as they are now, as bare names are. For the names
    a message shares with the view (``lambda view, count: view.count + count``)."""

    __slots__ = ("_names", "_read", "_view")

    def __init__(self, view: str, read: Callable[[str], Any], names: Collection[str]) -> None:
        self._view = view
        self._read = read
        self._names = frozenset(names)  # a frozenset is taken as it is, not copied

    def __getattr__(self, name: str) -> Any:
        if name in self._names:
            return self._read(name)
        raise AttributeError(
            f"{self._view}: view.{name} is not a field, stream or calc of {self._view} "
            f"(known: {', '.join(sorted(self._names)) or 'none'})."
        )

    def __repr__(self) -> str:
        return f"<view {self._view}>"


class ClauseScope:
    """What a clause's local names read: ``message``, ``view``, ``run_key`` and, for any
    other name, the message's field (see :mod:`actorview.declare._clauses`)."""

    __slots__ = ("message", "run_key", "view")

    def __init__(self, message: Any, run_key: Any, view: ViewValues) -> None:
        self.message = message
        self.run_key = run_key
        self.view = view

    def __getattr__(self, name: str) -> Any:
        return getattr(self.message, name)


class ViewStore:
    """The state of one view instance.

    Args:
        spec: the compiled declarations of the view class.
        view: the view's name for error messages.
        busy: whether a stream has a live run under a key (``None`` for an unkeyed
            stream; the view's runners answer).
        live_runs: how many keys of a keyed stream have a live run.
        revoke: revoke the leases of a stream's live and queued runs under a key
            (``None``: under every key), at once.
        marked: the stream fields whose containers carry ``av-stream`` (those an
            optimistic action pushes onto: ``ClientPlan.predicted_streams``).
    """

    reading: set[str] | None = None
    """While a render region builds (``View.region``), the names it reads (fields, calcs,
    streams) are added here; None otherwise (a class default: no per-view cost)."""
    changed_at: dict[str, int] | None = None
    """With :meth:`track_changes`, the :attr:`generation` at which each name last changed
    (a recompute reported it); None until a region asks (a class default)."""
    generation: int = 0
    """Recompute passes that changed something, counted while changes are tracked."""

    def __init__(
        self,
        spec: ViewSpec,
        view: str,
        *,
        busy: Callable[[str, Hashable | None], bool] = _never_busy,
        live_runs: Callable[[str], int] = _no_runs,
        revoke: Callable[[str, Hashable | None], None] = _no_revoke,
        marked: Collection[str] = (),
    ) -> None:
        self.spec = spec
        self.view = view
        self.busy = busy
        self.live_runs = live_runs
        self.revoke = revoke
        self._values: dict[str, Any] = {n: f.initial() for n, f in spec.fields.items()}
        self._pieces: dict[str, list[str]] = {}
        self._collections: dict[str, CollectionItems[Any]] = {
            n: f.items(mark=n in marked) for n, f in spec.collections.items()
        }
        self._calc_values: dict[str, Any] = {}
        self._growth: dict[str, Any] = {}
        self.dirty: set[str] = set()
        """Fields and streams changed since the last recompute."""
        self._carried: frozenset[str] = _NOTHING  # shared while empty, as it mostly is
        """Names changed by a pass run inside a message (form fields before an action's
        guard); the next :meth:`recompute` reports them, so that they are rendered."""
        self.effects: list[Effect] = []
        self.published: list[Published] = []
        """What ``ops.publish`` asked for, published by the view after the message."""
        """Stream fires and cancels waiting for the view to carry them out, in order."""
        self.page_messages: list[PageMessage] = []
        """Events and flashes the ops pushed, in order, waiting for the view to hand them
        to its page after the render that follows (see ``actorview.view._page``)."""
        self.moves: list[Move] = []
        """Navigations (``ops.patch``, ``ops.navigate``) waiting for the view to hand them
        to its host, in order."""
        self.view_values = ViewValues(view, self.read, spec.names)  # shared, not copied
        """``view`` in clause expressions (:class:`ViewValues`)."""
        self.recomputes = 0
        """How many recompute passes ran (one per handled message or batch that changed
        something)."""
        self.evaluations: dict[str, int] = dict.fromkeys(spec.calcs, 0)
        """How many times each calc was computed (from scratch or incrementally)."""

    # -- reading ---------------------------------------------------------------------

    def read(self, name: str) -> Any:
        """The current value of a field, the :class:`CollectionItems` of a stream field, or
        the value of a calc as of the last recompute."""
        if self.reading is not None:
            self.reading.add(name)
        values = self._values
        if name in values:
            pieces = self._pieces.get(name)
            if pieces:
                values[name] = values[name] + "".join(pieces)
                pieces.clear()
            return values[name]
        if name in self._collections:
            return self._collections[name]
        return self.calc_value(name)

    def calc_value(self, name: str) -> Any:
        """A calc's value as of the last recompute."""
        if self.reading is not None:
            self.reading.add(name)
        try:
            return self._calc_values[name]
        except KeyError:
            raise CalcNotReady(self.view, name) from None

    def stream(self, name: str) -> CollectionItems[Any]:
        """The kept keys and pending ops of a stream field."""
        if self.reading is not None:
            self.reading.add(name)
        return self._collections[name]

    def track_changes(self) -> None:
        """Keep, from now on, the generation at which each name changes (:attr:`changed_at`):
        render regions ask it the first time one is built; views without one pay nothing."""
        if self.changed_at is None:
            self.changed_at = {}
            self.generation += 1  # what was built before tracking began is not trusted

    def unchanged_since(self, generation: int, names: Iterable[str]) -> bool:
        """Whether none of ``names`` changed after ``generation`` (:meth:`track_changes`
        must be on), counting changes not yet recomputed (the dirty names) as changed."""
        changed_at = self.changed_at
        if changed_at is None:
            return False
        dirty = self.dirty
        return not any(name in dirty or changed_at.get(name, 0) > generation for name in names)

    def _note_changed(self, names: Iterable[str]) -> None:
        changed_at = self.changed_at
        if changed_at is not None:
            self.generation += 1
            generation = self.generation
            for name in names:
                changed_at[name] = generation

    def stream_changed(self, name: str) -> None:
        """Mark stream field ``name`` changed outside an op (the view showed a page from
        its source): the next recompute reports it and recomputes the calcs reading it."""
        self._replaced(name)

    def snapshot(self) -> dict[str, Any]:
        """Every field and calc value (stream fields as lists of keys), for tests."""
        out = {name: self.read(name) for name in self._values}
        out.update({name: list(items) for name, items in self._collections.items()})
        out.update(self._calc_values)
        return out

    # -- writing -----------------------------------------------------------------------

    def assign(self, name: str, value: Any) -> None:
        """Replace a field's value after checking its type (``view.field = value``).

        Raises :class:`StateTypeError` (the field keeps its value) on a wrong type.
        """
        field = self.spec.fields.get(name)
        if field is None:
            raise AttributeError(f"{self.view} has no state field {name!r}")
        self._check(name, value, field.type, "value")
        self._set(name, value)

    def input(self, name: str, raw: Any) -> None:
        """Apply a browser input: structure ``raw`` into client field ``name``'s type.

        Raises :class:`InvalidInput` (nothing changes) when the field is not a client
        field or the value does not structure.
        """
        field = self.spec.fields.get(name)
        if field is None or field.origin is not Origin.CLIENT:
            clients = [n for n, f in self.spec.fields.items() if f.origin is Origin.CLIENT]
            raise InvalidInput(
                self.view,
                name,
                f"the browser may not write {name!r}; only client fields can be set by "
                f"input (client fields: {', '.join(clients) or 'none'}).",
            )
        try:
            value = structure(raw, field.type)
        except ValueError as error:
            raise InvalidInput(
                self.view,
                name,
                f"input {raw!r} for {name!r} is not {article(type_name(field.type))} "
                f"({error}); the field keeps its value.",
            ) from None
        self._set(name, value)

    def act(self, name: str, raw_params: Any) -> bool:
        """Apply action ``name`` with untrusted ``raw_params``; False if its guard was false.

        :meth:`prepare` then :meth:`carry_out`; see :meth:`prepare` for what is checked
        and raised (in every error case nothing has changed).
        """
        plan = self.prepare(name, raw_params)
        if plan is None:
            return False
        self.carry_out(plan)
        return True

    def prepare(self, name: str, raw_params: Any) -> Plan | None:
        """Check action ``name`` with untrusted ``raw_params`` and plan its ops, changing
        nothing the plan does; None if its guard was false.

        ``name`` and ``value`` params the action does not declare are dropped: they are
        the control's, which ``av-change`` adds to every event (a checkbox's
        ``av-change="toggle"`` works with an action that takes no params).

        Keys of ``raw_params`` that name client fields rather than parameters (a form's
        inputs, sent with its submit) are handled as input events arriving just before
        the action: structured into those fields, written, and the calcs reading them
        recomputed (a pass of its own), so the guard and the ops see them. They stay
        written when the guard is false, as input events would have, and are taken back
        by :meth:`abandon`.

        Raises :class:`UnknownAction`, :class:`InvalidParams` (naming view, action and
        parameter), :class:`StateTypeError`, :class:`OpError` or :class:`StreamBusy`; in
        every case nothing has changed. An expression of the action (its guard, an op's
        value) that raises is an :class:`ExpressionError`, the :class:`OpError` that
        marks a bug in the view's code rather than bad input.
        """
        declared = self.spec.actions.get(name)
        if declared is None:
            raise UnknownAction(self.view, name, list(self.spec.actions))
        raw_params, proposed = proposed_keys(raw_params)
        raw_params, inputs = self._client_fields_of(declared, raw_params)
        params = self._structure_params(declared, _without_control_params(declared, raw_params))
        names = declared.param_names
        previous = {field: self.read(field) for field in inputs}
        for field, value in inputs.items():
            self._set(field, value)
        if inputs:
            self._carried = self._carried | self.recompute()
        try:
            if declared.when is not None:
                try:
                    allowed = self._evaluate(declared.when, params, names)
                except Exception as error:
                    raise ExpressionError(
                        self.view, f"action {name!r}", error, guard=True
                    ) from error
                if not allowed:
                    return None
            plan = self.plan(
                declared.ops,
                params,
                names,
                where=f"action {name!r}",
                proposed=proposed if declared.optimistic else None,
            )
        except BaseException:
            self._restore(previous)
            raise
        return attrs.evolve(plan, inputs_before=previous)

    # -- forms (actorview.declare._forms) ---------------------------------------------

    def prepare_form(self, raw: Any) -> Plan | str:
        """Take a form event from the page (``FORM_EVENT``: untrusted params ``{"form":
        name, "fields": {name: text or [texts]}, "used": [names], "submit": bool}``).

        The form's state is written at once with the values parsed and checked (the
        fields in ``used`` counted as changed by the user). A change returns an empty
        plan. A submit with an error returns why it was refused (its ops do not run; the
        state now shows every error). A valid submit returns the plan of its ops, which
        read the parsed values by field name; :meth:`abandon` takes the state back.

        Raises :class:`InvalidParams` for params of another shape or a name that is no
        form (nothing changed), :class:`ExpressionError` when a check raised (nothing
        changed), and what :meth:`plan` raises (the state taken back).
        """
        name, fields, used, submit = self._form_params(raw)
        declared = self.spec.fields[name]
        assert isinstance(declared, FormDeclaration)
        before: FormState[Any] = self.read(name)
        try:
            after = declared.form.update(before, fields, used, submit=submit)
        except Exception as error:
            raise ExpressionError(self.view, f"form {name!r} checks", error) from error
        if submit and after.valid:
            after = attrs.evolve(after, submitted=before.submitted)
        self._set(name, after)
        if not submit:
            return Plan((), inputs_before={name: before})
        if not after.valid:
            shown = "; ".join(f"{field}: {text}" for field, text in after.errors.items())
            return f"form {name!r} has errors, so its submit did not run ({shown})"
        action = declared.submit
        try:
            plan = self.plan(
                action.ops, after.data, action.param_names, where=f"form {name!r} submit"
            )
        except BaseException:
            self._set(name, before)
            raise
        return attrs.evolve(plan, inputs_before={name: before})

    def _form_params(self, raw: Any) -> tuple[str, dict[str, Any], frozenset[str], bool]:
        forms = [n for n, f in self.spec.fields.items() if isinstance(f, FormDeclaration)]
        shape = (
            '{"form": <a form: ' + (", ".join(forms) or "none") + '>, "fields": {name: '
            'text or [texts]}, "used": [names], "submit": true | false}'
        )
        problem = None
        if not isinstance(raw, Mapping) or set(raw) - {"form", "fields", "used", "submit"}:
            problem = f"a form event needs params {shape}, got {raw!r}."
        elif raw.get("form") not in forms:
            problem = f"{raw.get('form')!r} is not a form of the view; {shape}."
        else:
            fields = raw.get("fields", {})
            used = raw.get("used", [])
            submit = raw.get("submit", False)
            if (
                isinstance(fields, Mapping)
                and all(
                    isinstance(v, str)
                    or (isinstance(v, list) and all(isinstance(i, str) for i in v))
                    for v in fields.values()
                )
                and isinstance(used, list)
                and all(isinstance(u, str) for u in used)
                and isinstance(submit, bool)
            ):
                values = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
                return str(raw["form"]), values, frozenset(used), submit
            problem = f"the form event's params do not fit {shape}: got {raw!r}."
        raise InvalidParams(self.view, f"{problem} Nothing changed.", params=raw)

    def abandon(self, plan: Plan) -> None:
        """Give up a prepared action: the client fields its submit wrote take back the
        values they had (nothing else had changed)."""
        self._restore(plan.inputs_before)

    def _restore(self, values: Mapping[str, Any]) -> None:
        for field, value in values.items():
            self._set(field, value)

    def guard(self, declared: ViewClause, message: Any, run_key: Any = None) -> bool:
        """The value of a clause's guard for ``message`` (True when it has none);
        ``run_key``: the key of the run that emitted it."""
        if declared.when is None:
            return True
        scope = self._scope(declared, message, run_key)
        return bool(self._evaluate(declared.when, scope, declared.local_names))

    def handle(self, declared: ViewClause, message: Any, run_key: Any = None) -> None:
        """Apply a clause's ops to ``message`` (errors propagate: the view crashes)."""
        self.carry_out(self.plan_clause(declared, message, run_key))

    def plan_clause(self, declared: ViewClause, message: Any, run_key: Any = None) -> Plan:
        """Plan a clause's ops for ``message``, changing nothing (see :meth:`plan`)."""
        return self.plan(
            declared.ops,
            self._scope(declared, message, run_key),
            declared.local_names,
            where=f"clause {declared.name!r}",
        )

    def apply(
        self,
        ops: Iterable[Op],
        local: object = None,
        local_names: Collection[str] = (),
        *,
        where: str = "ops",
        proposed: Mapping[int, str] | None = None,
    ) -> None:
        """Apply ``ops`` all or nothing: :meth:`plan` then :meth:`carry_out`."""
        self.carry_out(self.plan(ops, local, local_names, where=where, proposed=proposed))

    def plan(
        self,
        ops: Iterable[Op],
        local: object = None,
        local_names: Collection[str] = (),
        *,
        where: str = "ops",
        proposed: Mapping[int, str] | None = None,
    ) -> Plan:
        """Evaluate and check ``ops``, changing nothing: the first phase of :meth:`apply`.

        Every expression is evaluated against the state as it is now (and ``local``'s
        attributes for ``local_names``); values are type-checked and list indexes
        bounds-checked. An expression that raises is re-raised as an
        :class:`ExpressionError` (its ``__cause__`` the original). ``proposed``: keys
        the browser proposed for stream pushes, by op index (see ``CollectionItems.insert``).
        The plan is valid until the state changes: carry it out before anything else.
        """
        lookup = self._lookup(local, local_names)
        steps: list[tuple[Op, Any, Any]] = []
        lengths: dict[str, int] = {}
        try:
            for index, op in enumerate(ops):
                if op.when is not None and not op.when.evaluate(lookup):
                    continue
                step = self._plan(op, lookup, lengths, where)
                if (
                    proposed
                    and index in proposed
                    and isinstance(op, (Push, Unshift))
                    and op.field in self._collections
                ):
                    step = (op, step[1], proposed[index])
                steps.append(step)
        except (StateTypeError, OpError, StreamBusy):
            raise
        except Exception as error:
            raise ExpressionError(self.view, where, error) from error
        return Plan(tuple(steps))

    def carry_out(self, plan: Plan) -> None:
        """Carry out a plan's ops, in order: the second phase of :meth:`apply`."""
        for op, first, second in plan.steps:
            self._carry_out(op, first, second)

    def stream_changes(self, plan: Plan) -> dict[str, list[StreamChange]]:
        """What ``plan`` would do to each stream field it touches, in order (for the
        field's :class:`~actorview.declare._collections.KeptSource`)."""
        changes: dict[str, list[StreamChange]] = {}
        removed: dict[str, list[str]] = {}
        for op, first, second in plan.steps:
            if not isinstance(op, FieldOp) or op.field not in self._collections:
                continue
            name = op.field
            change = self._stream_change(op, name, first, second, removed)
            if change is not None:
                changes.setdefault(name, []).append(change)
        return changes

    def _stream_change(
        self, op: FieldOp, name: str, first: Any, second: Any, removed: dict[str, list[str]]
    ) -> StreamChange | None:
        items = self._collections[name]
        gone = removed.setdefault(name, [])
        if isinstance(op, (Push, Unshift)):
            return ItemAdded(name, first, at_start=isinstance(op, Unshift))
        if isinstance(op, UpdateAt):
            return ItemReplaced(name, first, second) if first in items else None
        if isinstance(op, Delete):
            if first not in items or first in gone:
                return None
            gone.append(first)
            return ItemRemoved(name, first)
        if isinstance(op, (Pop, Shift)):
            keys = reversed(items) if isinstance(op, Pop) else iter(items)
            key = next((key for key in keys if key not in gone), None)
            if key is None:
                return None
            gone.append(key)
            return ItemRemoved(name, key)
        if isinstance(op, Reset):
            gone.extend(items)
            return ItemsCleared(name)
        return None

    # -- the two phases ------------------------------------------------------------------

    def _plan(
        self, op: Op, lookup: Callable[[str], Any], lengths: dict[str, int], where: str
    ) -> tuple[Op, Any, Any]:
        match op:
            case Fire():
                stream = self.spec.tasks[op.stream]
                keys = self._run_keys(op, lookup, where)
                fresh = [key for key in keys if not self.busy(op.stream, key)]
                if stream.on_busy is OnBusy.REFUSE and len(fresh) < len(keys):
                    raise StreamBusy(self.view, op.stream, where=where)
                limit = stream.max_runs
                if limit is not None and fresh and self.live_runs(op.stream) + len(fresh) > limit:
                    raise StreamBusy(self.view, op.stream, where=where, max_runs=limit)
                args = {
                    param: op.args[param].evaluate(lookup) if param in op.args else lookup(param)
                    for param in stream.params
                    if not (param == "key" and stream.keyed)
                }
                return op, args, keys
            case Cancel():
                return op, self._run_key(op, lookup, where), None
            case PushEvent(name=name, payload=payload):
                return op, pushed_event(self.view, where, name, payload.evaluate(lookup)), None
            case Flash(kind=kind, text=text):
                return op, flash(self.view, where, kind, text.evaluate(lookup)), None
            case TellParent():
                return op, op.message.evaluate(lookup), None
            case Publish():
                return op, fill(op.topic, op.names, lookup), op.message.evaluate(lookup)
            case PatchUrl() | Navigate():
                return op, self._plan_move(op, lookup, where), None
            case _ if op.field in self._collections:
                return self._plan_collection(op, lookup)
            case Set(field=name, value=value):
                field = self.spec.fields[name]
                new = value.evaluate(lookup)
                self._check(name, new, field.type, "value")
                if field.kind is FieldKind.LIST:
                    lengths[name] = len(new)
                return op, new, None
            case Append(field=name, value=value):
                text = value.evaluate(lookup)
                self._check(name, text, str, "appended text")
                return op, text, None
            case Push(field=name, item=item) | Unshift(field=name, item=item):
                length = self._length(name, lengths)
                new = item.evaluate(lookup)
                self._check(name, new, self.spec.fields[name].item_type, "item")
                lengths[name] = length + 1
                return op, new, None
            case Pop(field=name) | Shift(field=name):
                lengths[name] = max(0, self._length(name, lengths) - 1)
                return op, None, None
            case UpdateAt(field=name):
                length = self._length(name, lengths)
                index = op.index.evaluate(lookup)
                if not conforms(index, int) or not -length <= index < length:
                    raise OpError(
                        self.view,
                        where,
                        f"ops.update_at({name!r}) got index {index!r}, but {name} has "
                        f"{length} items.",
                    )
                new = op.value.evaluate(lookup)
                self._check(name, new, self.spec.fields[name].item_type, "item")
                return op, index, new
            case Delete() | Reset():
                raise AssertionError(f"{op!r}: the validator allows it on stream fields only")
            case _:
                assert_never(op)

    def _plan_move(self, op: PatchUrl | Navigate, lookup: Callable[[str], Any], where: str) -> Move:
        """The navigation an ``ops.patch`` or ``ops.navigate`` asks for, its values
        checked (a target must be a ``str`` path; query values are made ``str``)."""
        to = None if op.to is None else op.to.evaluate(lookup)
        if to is not None and not (isinstance(to, str) and to.startswith("/")):
            raise OpError(
                self.view,
                where,
                f"ops.{op.verb}(to=...) gave {to!r}; give a path within the application "
                f'that starts with "/" (such as "/items/3?tab=notes").',
            )
        if isinstance(op, Navigate):
            return Move(NavigationKind.NAVIGATE, to, replace=op.replace)
        query: dict[str, str | None] = {}
        for name, value in op.query.items():
            given = value.evaluate(lookup)
            query[name] = None if given is None else str(given)
        return Move(NavigationKind.PATCH, to, query, op.replace)

    def _run_key(self, op: Fire | Cancel, lookup: Callable[[str], Any], where: str) -> Any:
        """The key an op of a keyed stream names (``None`` when it names none)."""
        if op.key is None:
            return None
        return self._checked_key(op, op.key.evaluate(lookup), where)

    def _run_keys(self, op: Fire, lookup: Callable[[str], Any], where: str) -> tuple[Any, ...]:
        """The keys a fire starts runs under, each once, in order (``(None,)`` for an
        unkeyed stream)."""
        if op.keys is None:
            return (self._run_key(op, lookup, where),)
        given = op.keys.evaluate(lookup)
        if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
            raise OpError(
                self.view,
                where,
                f"ops.fire({op.stream!r}, keys=...) gave {given!r}; give a list or tuple of "
                f"keys (one run each).",
            )
        return tuple(dict.fromkeys(self._checked_key(op, key, where) for key in given))

    def _checked_key(self, op: Fire | Cancel, key: Any, where: str) -> Any:
        try:
            hash(key)
        except TypeError:
            hashable = False
        else:
            hashable = key is not None
        if not hashable:
            raise OpError(
                self.view,
                where,
                f"ops.{op.verb}({op.stream!r}, key=...) gave the key {key!r}; a run's key is "
                f"a hashable value other than None (a str, an int, a tuple of them).",
            )
        return key

    def _length(self, name: str, lengths: dict[str, int]) -> int:
        """The length list field ``name`` will have after the ops planned so far."""
        length = lengths.get(name)
        if length is None:
            length = lengths[name] = len(self._values[name])
        return length

    def _plan_collection(self, op: FieldOp, lookup: Callable[[str], Any]) -> tuple[Op, Any, Any]:
        declared = self.spec.collections[op.field]
        match op:
            case Push(item=item) | Unshift(item=item):
                new = item.evaluate(lookup)
                self._check(declared.name, new, declared.item_type, "item")
                return op, new, None
            case UpdateAt():
                key = str(op.index.evaluate(lookup))
                new = op.value.evaluate(lookup)
                self._check(declared.name, new, declared.item_type, "item")
                return op, key, new
            case Delete():
                return op, str(op.key.evaluate(lookup)), None
            case Pop() | Shift() | Reset():
                return op, None, None
            case Set() | Append():
                raise AssertionError(f"{op!r}: the validator allows it on state fields only")
            case _:
                assert_never(op)

    def _carry_out(self, op: Op, first: Any, second: Any) -> None:
        match op:
            case Fire():
                stream = self.spec.tasks[op.stream]
                for key in second:
                    if stream.on_busy is OnBusy.SUPERSEDE:
                        self.revoke(op.stream, key)
                    args = {**first, "key": key} if stream.keyed and stream.takes_key else first
                    self.effects.append(Effect("fire", op.stream, args, key))
                return
            case Cancel():
                self.revoke(op.stream, first)
                self.effects.append(Effect("cancel", op.stream, key=first))
                return
            case PushEvent() | Flash():
                self.page_messages.append(first)
                return
            case TellParent():
                self.effects.append(Effect("tell", "", {"message": first}))
                return
            case Publish():
                self.published.append(Published(first, second))
                return
            case PatchUrl() | Navigate():
                self.moves.append(first)
                return
            case _:
                pass
        name = op.field
        items = self._collections.get(name)
        if items is not None:
            self._carry_out_collection(op, name, items, first, second)
            return
        match op:
            case Set():
                self._set(name, first)
                return
            case Append():
                self._append_text(name, first)
                return
            case Push():
                self._push_item(name, first)
                return
            case Unshift():
                self._values[name].insert(0, first)
            case Pop():
                if not self._values[name]:
                    return
                self._values[name].pop()
            case Shift():
                if not self._values[name]:
                    return
                self._values[name].pop(0)
            case UpdateAt():
                self._values[name][first] = second
            case Delete() | Reset():
                raise AssertionError(f"{op!r}: the validator allows it on stream fields only")
            case _:
                assert_never(op)
        self._replaced(name)

    def _carry_out_collection(
        self, op: FieldOp, name: str, items: CollectionItems[Any], first: Any, second: Any
    ) -> None:
        changed = True
        match op:
            case Push():
                items.insert(first, at_start=False, proposed=second, limit=op.limit)
            case Unshift():
                items.insert(first, at_start=True, proposed=second, limit=op.limit)
            case Pop():
                changed = items.last is not None and items.delete(items.last)
            case Shift():
                changed = items.first is not None and items.delete(items.first)
            case UpdateAt():
                changed = items.replace(first, second)
            case Delete():
                changed = items.delete(first)
            case Reset():
                items.reset()
            case Set() | Append():
                raise AssertionError(f"{op!r}: the validator allows it on state fields only")
            case _:
                assert_never(op)
        if changed:
            self._replaced(name)

    # -- change tracking -------------------------------------------------------------

    def _set(self, name: str, value: Any) -> None:
        self._pieces.pop(name, None)
        self._values[name] = list(value) if isinstance(value, list) else value
        self._replaced(name)

    def _replaced(self, name: str) -> None:
        self._growth[name] = _REPLACED
        self.dirty.add(name)

    def _append_text(self, name: str, text: str) -> None:
        if not text:
            return
        pieces = self._pieces.get(name)
        if pieces is None:
            pieces = self._pieces[name] = []
        growth = self._growth.get(name)
        if growth is None:
            preceding = pieces[-1][-1:] if pieces else self._values[name][-1:]
            growth = self._growth[name] = _Growth(preceding)
        if growth is not _REPLACED:
            growth.pieces.append(text)
        pieces.append(text)
        self.dirty.add(name)

    def _push_item(self, name: str, item: Any) -> None:
        values: list[Any] = self._values[name]
        growth = self._growth.get(name)
        if growth is None:
            growth = self._growth[name] = _Growth(tuple(values[-1:]))
        if growth is not _REPLACED:
            growth.pieces.append(item)
        values.append(item)
        self.dirty.add(name)

    # -- recompute ---------------------------------------------------------------------

    def compute_all(self) -> None:
        """Compute every calc from scratch (at mount); clears the change tracking."""
        read = self.read
        for calc in self.spec.calc_order:
            self._calc_values[calc.name] = calc.compute(read)
            self.evaluations[calc.name] += 1
        self.dirty.clear()
        self._growth.clear()
        self._note_changed(self.spec.names)

    def recompute(self) -> frozenset[str]:
        """Recompute, in graph order and once each, the calcs whose inputs changed.

        An incremental calc whose one input only grew gets ``step(previous, Appended)``.
        Returns every changed name (fields, streams and recomputed calcs); empty, with no
        pass counted, when nothing changed.
        """
        carried, self._carried = self._carried, _NOTHING
        if not self.dirty:
            return carried
        self.recomputes += 1
        changed = self.dirty | carried
        read = self.read
        values = self._calc_values
        for calc in self.spec.calc_order:
            if changed.isdisjoint(calc.inputs):
                continue
            values[calc.name] = self._compute(calc, read)
            self.evaluations[calc.name] += 1
            changed.add(calc.name)
        self.dirty = set()
        self._growth.clear()
        self._note_changed(changed)
        return frozenset(changed)

    def _compute(self, calc: Calc[Any], read: Callable[[str], Any]) -> Any:
        if calc.step is not None:
            growth = self._growth.get(calc.inputs[0])
            if isinstance(growth, _Growth):
                pieces = growth.pieces
                added: Any = "".join(pieces) if isinstance(growth.preceding, str) else tuple(pieces)
                return calc.step(self._calc_values[calc.name], Appended(added, growth.preceding))
        return calc.compute(read)

    # -- helpers -------------------------------------------------------------------------

    def _scope(self, declared: ViewClause, message: Any, run_key: Any) -> object:
        """What a clause's local names read: a :class:`ClauseScope` when it reads
        ``message``, ``view`` or ``run_key``, else the message itself (per message, on the
        token path: no scope made, no ``__getattr__`` hop per field read)."""
        if declared.scoped:
            return ClauseScope(message, run_key, self.view_values)
        return message

    def _lookup(self, local: object, local_names: Collection[str]) -> Callable[[str], Any]:
        read = self.read
        if not local_names:
            return read

        def lookup(name: str) -> Any:
            if name in local_names:
                return getattr(local, name)
            return read(name)

        return lookup

    def _evaluate(self, expression: Expr, local: object, local_names: Collection[str]) -> Any:
        return expression.evaluate(self._lookup(local, local_names))

    def _check(self, name: str, value: Any, expected: Any, what: str) -> None:
        if not conforms(value, expected):
            raise StateTypeError(self.view, name, value, expected, what)

    def _client_fields_of(self, declared: Action, raw: Any) -> tuple[Any, dict[str, Any]]:
        """Split the client-field values (a form's inputs) off untrusted params."""
        if not isinstance(raw, Mapping):
            return raw, {}
        params = declared.param_names
        inputs: dict[str, Any] = {}
        rest: dict[str, Any] = {}
        for key, value in raw.items():
            field = self.spec.fields.get(key)
            if key in params or field is None or field.origin is not Origin.CLIENT:
                rest[key] = value
                continue
            try:
                inputs[key] = structure(value, field.type)
            except ValueError as error:
                raise InvalidParams(
                    self.view,
                    f"form field {key!r} is not {article(type_name(field.type))} ({error}). "
                    f"Nothing changed.",
                    action=declared.name,
                    params=raw,
                ) from None
        return rest, inputs

    def _structure_params(self, declared: Action, raw: Any) -> Any:
        if declared.params is None:
            if raw:
                raise InvalidParams(
                    self.view,
                    f"takes no params, got {raw!r}. Nothing changed.",
                    action=declared.name,
                    params=raw,
                )
            return None
        try:
            return structure(raw if raw is not None else {}, declared.params)
        except ValueError as error:
            raise InvalidParams(
                self.view,
                f"invalid params: {error}. Nothing changed.",
                action=declared.name,
                params=raw,
            ) from None


CONTROL_PARAMS = ("name", "value")
"""The params ``av-change`` adds to every event (the control's ``name`` and ``value``):
an action that does not declare them does not get them."""


def _without_control_params(declared: Action, raw: Any) -> Any:
    if not isinstance(raw, Mapping) or not any(key in raw for key in CONTROL_PARAMS):
        return raw
    taken = declared.param_names
    return {k: v for k, v in raw.items() if k in taken or k not in CONTROL_PARAMS}
