"""The client program of a view class: what its page computes before the server answers.

When a view class is defined, :func:`plan_client` (called by ``View.__init_subclass__``,
once the validator has compiled the class's :class:`~actorview.declare._spec.ViewSpec`) reads its
declarations and decides, op by op, what the browser can predict: its client fields,
its ``calculate(..., optimistic=True)`` values and the ops of its
``action(..., optimistic=True)``. Every function involved is transpiled then, and every
item an optimistic action pushes onto a stream gets a template
(:mod:`actorview.optimistic._templates`), so any mistake is a ``DefinitionError`` of the
class statement, naming the view, the declaration and the fix.

:func:`program_source` turns the plan into a script file the page loads (never a string
evaluated in the page: the CSP forbids it). It registers the program under
:func:`program_id` in ``globalThis.ActorViewPrograms``; ``client.js`` runs it.

What an optimistic action predicts (the rest is the server's, as always):

- ``set``/``append`` of a client field (``origin="client"``), and ``push``/``unshift``/
  ``pop``/``shift``/``update_at`` of a client list field, from client fields,
  optimistic calcs and ``str`` params: the browser writes it at once (items are
  type-checked and indexes bounds-checked as the server does);
- ``push``/``unshift`` onto a stream field whose item reads only those names: the
  browser shows a provisional item under a key it proposes, or, for a stream keyed
  with ``key=``, under the key it computes as the server will;
- ops on server or stream fields, ``fire`` and ``cancel`` stay on the server.

The guide is docs/OPTIMISTIC.md.
"""

from __future__ import annotations

import json
import math
import types as pytypes
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any, assert_never

import attrs

from actorview.declare._actions import Action
from actorview.declare._calculate import Calc
from actorview.declare._collections import CollectionField
from actorview.declare._expressions import Expr
from actorview.declare._fields import FieldKind, Origin, StateField
from actorview.declare._spec import ViewSpec
from actorview.declare._values import type_name
from actorview.declare.ops import (
    Append,
    Cancel,
    Delete,
    FieldOp,
    Fire,
    Navigate,
    Op,
    PatchUrl,
    Pop,
    Publish,
    Push,
    Reset,
    Set,
    Shift,
    TellParent,
    Unshift,
    UpdateAt,
)
from actorview.errors import DefinitionError
from actorview.optimistic._errors import TranspileError
from actorview.optimistic._templates import (
    ItemTemplate,
    TemplateError,
    build_template,
    record_shape,
)
from actorview.optimistic._transpile import (
    MAX_EXACT,
    Kind,
    kind_of_value,
    transpile,
    transpile_expression,
)


@attrs.frozen
class ClientFunction:
    """A transpiled expression: the names it reads, in order, and its JavaScript
    (a function expression taking those values positionally)."""

    names: tuple[str, ...]
    js: str
    kind: Kind = Kind.ANY
    """The kinds the value may have (the transpiler's inference): where a list item is
    checked against ``int``, or an index must be an int, the browser needs to know
    whether an integral number is an int or a float."""


@attrs.frozen
class ClientCalc:
    """An optimistic calc the browser recomputes whenever a client field changes."""

    name: str
    function: ClientFunction


@attrs.frozen
class ClientOp:
    """One op the browser applies before the server answers.

    Attributes:
        index: the op's position in the action's ops (the server matches proposed keys
            to ops by it).
        kind: ``"set"``, ``"append"``, ``"push"``, ``"unshift"``, ``"pop"``,
            ``"shift"`` or ``"update_at"``.
        field: the client field or stream field it changes.
        value: the new value, the appended text, the pushed item or ``update_at``'s new
            item; ``None`` for ``pop``/``shift``.
        when: the op's own condition (``ops.when``), or ``None``.
        template: for a push onto a stream, how the browser draws the item.
        at: ``update_at``'s index.
        check: for an item of a client list field, the type it must conform to, as JSON
            the runtime reads (``AV.conforms``): the server refuses the whole action on
            a wrong item, so the browser checks before it shows anything.
        list_field: the op writes a client list field (the browser forgets that list's
            value when it cannot predict the action: the server may change it).
        key: for a push onto a stream keyed with ``key=``, the item's key as the server
            computes it (``str(key(item))``), a function of the item.
    """

    index: int
    kind: str
    field: str
    value: ClientFunction | None
    when: ClientFunction | None = None
    template: ItemTemplate | None = None
    at: ClientFunction | None = None
    check: Any = None
    list_field: bool = False
    key: ClientFunction | None = None


@attrs.frozen
class ClientAction:
    """An optimistic action: its guard and the ops the browser predicts."""

    name: str
    when: ClientFunction | None
    ops: tuple[ClientOp, ...]
    params: tuple[str, ...] = ()


@attrs.frozen
class ClientBinding:
    """An attribute (or the text) of an element, recomputed by the browser.

    Inferred from the view's ``render`` (:mod:`actorview.optimistic._bindings`): the
    element carries ``av-bind`` with this binding's index in :attr:`ClientPlan.bindings`,
    and ``av-bind-env`` with the current values of :attr:`server` as JSON.

    Attributes:
        attr: ``"disabled"``, ``"hidden"``, ``"checked"``, ``"class"``, ``"text"`` or
            ``"items"``.
        function: the expression, over client fields, optimistic calcs and the server
            inputs.
        text: for ``"text"``, ``str()`` of the same expression (it knows whether an
            integral number is an int or a float); otherwise ``None``.
        server: the names the server renders onto the element (fields and calcs the
            browser does not compute).
        where: ``file:line`` of the expression in ``render``.
    """

    attr: str
    function: ClientFunction
    text: ClientFunction | None = None
    server: tuple[str, ...] = ()
    where: str = ""
    items: ItemTemplate | None = None
    """For ``"items"`` (the children of an element drawn from a client ``list[str]``
    field, ``h.ul(*[h.li(tag) for tag in self.tags])``): the markup of one item, its
    hole named ``item``."""


@attrs.frozen
class ClientPlan:
    """Everything the browser predicts for one view class.

    Attributes:
        view: the view class's name.
        fields: the client fields and their defaults (JSON values).
        calcs: the optimistic calcs, in dependency order.
        actions: the optimistic actions by name.
        bindings: the bindings inferred from ``render`` (and its bases' ``render``),
            indexed by the elements' ``av-bind``.
        unbound: why expressions of ``render`` that read client fields or optimistic
            calcs were not bound (the server's rendering is all the page shows of them).
        predicted_streams: the stream fields an optimistic action pushes onto: the view
            marks their containers (``av-stream``) so the browser can find them.
    """

    view: str
    fields: Mapping[str, Any]
    calcs: tuple[ClientCalc, ...]
    actions: Mapping[str, ClientAction]
    bindings: tuple[ClientBinding, ...] = ()
    unbound: tuple[str, ...] = ()
    predicted_streams: frozenset[str] = frozenset()


def plan_client(spec: ViewSpec) -> ClientPlan | None:
    """The plan of ``spec``'s view, or ``None`` when it declares nothing optimistic.

    Raises:
        DefinitionError: a declaration the browser cannot predict as declared (the
            message names the view, the declaration and the fix).
    """
    optimistic_calcs = [calc for calc in spec.calc_order if calc.optimistic]
    optimistic_actions = [a for a in spec.actions.values() if a.optimistic]
    if not optimistic_calcs and not optimistic_actions:
        return None
    return _Planner(spec).plan(optimistic_calcs, optimistic_actions)


class _Planner:
    def __init__(self, spec: ViewSpec) -> None:
        self.spec = spec
        self.view = spec.name
        self.fields: dict[str, Any] = {}
        self.unshippable: dict[str, str] = {}
        for name, field in spec.fields.items():
            if field.origin is not Origin.CLIENT:
                continue
            try:
                self.fields[name] = _json_value(field.default)
            except ValueError as error:
                self.unshippable[name] = str(error)
        self.calcs: set[str] = set()
        self.types: dict[str, Any] = {name: f.type for name, f in spec.fields.items()}
        self.predicted_streams: set[str] = set()

    def fail(self, where: str, message: str) -> DefinitionError:
        return DefinitionError(f"{self.view}.{where}: {message}")

    def plan(self, calcs: list[Calc[Any]], actions: list[Action]) -> ClientPlan:
        planned_calcs = []
        for calc in calcs:
            where = f"{calc.name} (calculate)"
            for name in calc.inputs:
                if name in self.unshippable:
                    raise self.fail(
                        where,
                        f"optimistic=True, but it reads the client field {name!r}, whose "
                        f"value the browser cannot hold ({self.unshippable[name]}). Give "
                        f"{name!r} a str, int, float, bool, None or list type, or remove "
                        f"optimistic=True.",
                    )
            planned_calcs.append(ClientCalc(calc.name, self.function(where, calc.expression)))
            self.calcs.add(calc.name)
        planned_actions = {a.name: self.action(a) for a in actions}
        return ClientPlan(
            self.view,
            dict(self.fields),
            tuple(planned_calcs),
            planned_actions,
            predicted_streams=frozenset(self.predicted_streams),
        )

    # -- names -------------------------------------------------------------------------

    def predictable(self, name: str, params: Mapping[str, Any]) -> bool:
        """Whether the browser knows ``name`` when an event is sent: a client field it
        holds, an optimistic calc, or a ``str`` param (sent as the text it has)."""
        if name in params:
            return params[name] is str
        return name in self.fields or name in self.calcs

    def unknown(self, expression: Expr | None, params: Mapping[str, Any]) -> list[str]:
        if expression is None:
            return []
        return [n for n in expression.names if not self.predictable(n, params)]

    def function(
        self, where: str, expression: Expr, params: Mapping[str, Any] | None = None
    ) -> ClientFunction:
        if expression.function is None:
            try:
                value = _json_value(expression.constant)
            except ValueError as error:
                raise self.fail(
                    where,
                    f"the browser cannot hold the constant {expression.constant!r} "
                    f"({error}). Compute it on the server: drop optimistic=True.",
                ) from None
            return ClientFunction(
                (),
                f"() => ({json.dumps(value, ensure_ascii=False)})",
                kind_of_value(expression.constant),
            )
        types = {n: self.types[n] for n in expression.names if n in self.types}
        types.update({n: t for n, t in (params or {}).items() if n in expression.names})
        try:
            transpiled = transpile(expression.function, types=types)
        except TranspileError as error:
            raise self.fail(where, str(error)) from error
        return ClientFunction(expression.names, transpiled.js, transpiled.kind)

    # -- actions -----------------------------------------------------------------------

    def action(self, declared: Action) -> ClientAction:
        where = f"{declared.name} (action)"
        params = _param_types(declared)
        unknown = self.unknown(declared.when, params)
        if unknown:
            raise self.fail(
                f"{where} guard",
                f"optimistic=True, but the guard reads {', '.join(map(repr, unknown))}, "
                f"which the browser cannot know, so it could show changes the server then "
                f"ignores. Make the guard read client fields, optimistic calcs and str "
                f"params only, or remove optimistic=True.",
            )
        when = (
            self.function(f"{where} guard", declared.when, params)
            if declared.when is not None
            else None
        )
        ops: list[ClientOp] = []
        left: list[str] = []
        for index, op in enumerate(declared.ops):
            planned = self.op(where, index, op, params)
            if planned is None:
                left.append(_describe(op))
            else:
                ops.append(planned)
        if not ops:
            raise self.fail(
                where,
                f"optimistic=True, but the browser can predict none of its ops "
                f"({', '.join(left) or 'it has none'}): only a set or append of a client "
                f"field, a push/unshift/pop/shift/update_at of a client list field, or a "
                f"push/unshift onto a stream field, from client fields, optimistic calcs and "
                f"str params, can be shown before the server answers. Remove "
                f"optimistic=True.",
            )
        return ClientAction(declared.name, when, tuple(ops), tuple(params))

    def op(self, where: str, index: int, op: Op, params: Mapping[str, Any]) -> ClientOp | None:
        match op:
            case Fire() | Cancel() | Publish() | PatchUrl() | Navigate() | TellParent():
                return None  # fire, cancel, publish, navigation and tell_parent are the server's
            case _:
                return self.field_op(where, index, op, params)

    def field_op(
        self, where: str, index: int, op: FieldOp, params: Mapping[str, Any]
    ) -> ClientOp | None:
        label = f"{where} ops.{op.verb}({op.field}=...)"
        field = self.spec.fields.get(op.field)
        stream_field = self.spec.collections.get(op.field)
        unknown = [*self.unknown(op.when, params), *_unknown_values(self, op, params)]
        if field is not None:
            if field.origin is not Origin.CLIENT:
                return None  # server and stream fields: the server writes them
            return self.client_field_op(label, index, op, field, unknown, params)
        if stream_field is None or unknown:
            return None  # items the browser cannot compute
        match op:
            case Push() | Unshift():
                return self.stream_push(label, index, op, stream_field, params)
            case _:
                return None  # other stream ops stay with the server

    def client_field_op(
        self,
        label: str,
        index: int,
        op: FieldOp,
        field: StateField[Any],
        unknown: list[str],
        params: Mapping[str, Any],
    ) -> ClientOp:
        if op.field in self.unshippable:
            raise self.fail(
                label,
                f"the browser cannot hold the client field {op.field!r} "
                f"({self.unshippable[op.field]}). Remove optimistic=True from the action.",
            )
        is_list = field.kind is FieldKind.LIST
        match op:
            case Set():
                predictable = True
            case Append():
                predictable = field.kind is FieldKind.TEXT
            case Push() | Unshift() | Pop() | Shift() | UpdateAt():
                predictable = is_list
            case Delete() | Reset():
                predictable = False
            case _:
                assert_never(op)
        if not predictable:
            raise self.fail(
                label,
                f"the browser cannot predict ops.{op.verb} on the client field "
                f"{op.field!r} ({type_name(field.type)}): it predicts set, append on str "
                f"fields, and push, unshift, pop, shift and update_at on list fields, so "
                f"the field would differ from the server's. Use one of those, or remove "
                f"optimistic=True.",
            )
        if unknown:
            raise self.fail(
                label,
                f"writes the client field {op.field!r} from "
                f"{', '.join(map(repr, dict.fromkeys(unknown)))}, which the browser cannot "
                f"know. Compute it from client fields, optimistic calcs and str params, or "
                f"remove optimistic=True.",
            )
        when = self.function(label, op.when, params) if op.when is not None else None
        at: ClientFunction | None = None
        item: ClientFunction | None = None
        check: Any = None  # pop and shift check nothing: they remove whatever is there
        match op:
            case Set(value=value) | Append(value=value):
                function = self.function(label, value, params)
                return ClientOp(index, op.verb, op.field, function, when, list_field=is_list)
            case Push(item=pushed) | Unshift(item=pushed):
                check = self.item_check(label, op.field, field.item_type)
                item = self.function(label, pushed, params)
            case UpdateAt():
                check = self.item_check(label, op.field, field.item_type)
                at = self.function(label, op.index, params)
                item = self.function(label, op.value, params)
            case Pop() | Shift():
                pass
            case Delete() | Reset():
                raise AssertionError(f"{op!r} was refused as unpredictable above")
            case _:
                assert_never(op)
        return ClientOp(index, op.verb, op.field, item, when, at=at, check=check, list_field=True)

    def item_check(self, label: str, name: str, item_type: Any) -> Any:
        """The JSON type descriptor the browser checks a list item against.

        The server type-checks every item before it changes anything, and refuses the
        whole action on a wrong one; the browser must agree, or it would show an item the
        server then refuses. Types it cannot check exactly are a definition error.
        """
        check = _type_check(item_type)
        if check is None:
            raise self.fail(
                label,
                f"the browser cannot check that an item of the client field {name!r} is "
                f"{_article_name(item_type)} (it checks str, int, float, bool, None, "
                f"Literal[...] of str, bool or None, attrs classes, unions and lists of "
                f"those), so it could show an item the server refuses. Declare the items "
                f"with one of those types, or remove optimistic=True.",
            )
        return check

    def stream_push(
        self,
        label: str,
        index: int,
        op: Push | Unshift,
        field: CollectionField[Any],
        params: Mapping[str, Any],
    ) -> ClientOp:
        if field.item is None:
            raise self.fail(
                label,
                f"the browser cannot draw the pushed item: the stream {op.field!r} has no "
                f"item renderer. Declare it with stream({type_name(field.item_type)}, "
                f"item=render_item) (slot() then uses it too), or remove optimistic=True.",
            )
        if op.item.function is None:
            raise self.fail(
                label,
                "the item is a constant: the browser cannot tell one push from the next. "
                "Compute it with a lambda, or remove optimistic=True.",
            )

        def fail(message: str) -> TemplateError:
            return TemplateError(f"{self.view}.{label}: {message}")

        shape = record_shape(op.item.function, fail)
        template = build_template(shape, field.item, fail)
        value = self.function(label, op.item, params)
        when = self.function(label, op.when, params) if op.when is not None else None
        key = self.stream_key(label, op.field, field) if field.key is not None else None
        self.predicted_streams.add(op.field)
        return ClientOp(index, op.verb, op.field, value, when, template, key=key)

    def stream_key(self, label: str, name: str, field: CollectionField[Any]) -> ClientFunction:
        """The browser's copy of a ``key=`` stream's key function (before ``str()``).

        The server keys the pushed item with ``str(key(item))``; the browser computes the
        same text and shows its provisional item under it, so the server's insert under
        that key takes its place (no proposal is sent). A key the browser cannot compute
        exactly is a definition error: a guessed key would leave a duplicate.
        """
        item_type = field.item_type
        key = field.key
        if isinstance(key, str):
            names = {f.name for f in attrs.fields(item_type)} if attrs.has(item_type) else set()
            if key not in names:
                raise self.fail(
                    label,
                    f"the stream {name!r} keys its items with key={key!r}, which is not a "
                    f"field of {type_name(item_type)}: the browser only knows a pushed "
                    f"record's fields. Key the stream by a field, or by a lambda in the "
                    f"optimistic subset, or remove optimistic=True.",
                )
            transpiled = transpile_expression(f"item.{key}", ["item"], types={"item": item_type})
            return ClientFunction(("item",), transpiled.js, transpiled.kind)
        assert key is not None
        try:
            transpiled = transpile(key)
            if len(transpiled.params) != 1:
                raise ValueError("it must take one parameter, the item")
            transpiled = transpile(key, types={transpiled.params[0]: item_type})
        except (TranspileError, ValueError) as error:
            raise self.fail(
                label,
                f"the stream {name!r} keys its items with a function the browser cannot "
                f"compute, so it cannot show the pushed item under the server's key "
                f'({error}). Key the stream by a field (key="id") or by a lambda of the '
                f"item in the optimistic subset (docs/OPTIMISTIC.md), or remove "
                f"optimistic=True.",
            ) from None
        return ClientFunction(transpiled.params, transpiled.js, transpiled.kind)


def _unknown_values(planner: _Planner, op: FieldOp, params: Mapping[str, Any]) -> list[str]:
    unknown: list[str] = []
    for expression in op.expressions():
        if expression is not op.when:
            unknown.extend(planner.unknown(expression, params))
    return unknown


_SCALAR_CHECKS: dict[Any, str] = {
    str: "str",
    int: "int",
    float: "float",
    bool: "bool",
    None: "none",
    type(None): "none",
    Any: "any",
    object: "any",
}


def _type_check(tp: Any) -> Any:
    """``tp`` as the descriptor ``AV.conforms`` reads, or ``None`` when the browser cannot
    decide ``conforms(value, tp)`` (``actorview.declare._values``) exactly.

    ``"str"``, ``"int"``, ``"float"`` (int or float, as in the view layer), ``"bool"``,
    ``"none"``, ``"any"``; ``["record", "Name"]`` for an attrs class (the browser's
    records carry the class name); ``["literal", v, ...]`` of str, bool and None values;
    ``["union", d, ...]``; ``["list", d]``.
    """
    if tp in _SCALAR_CHECKS:
        return _SCALAR_CHECKS[tp]
    origin = typing.get_origin(tp)
    arguments = typing.get_args(tp)
    if origin is typing.Union or origin is pytypes.UnionType:
        parts = [_type_check(argument) for argument in arguments]
        return None if None in parts else ["union", *parts]
    if origin is typing.Literal:
        if all(value is None or isinstance(value, (str, bool)) for value in arguments):
            return ["literal", *arguments]
        return None
    if origin is list and len(arguments) == 1:
        inner = _type_check(arguments[0])
        return None if inner is None else ["list", inner]
    if isinstance(tp, type) and attrs.has(tp):
        return ["record", tp.__name__]
    return None


def _article_name(tp: Any) -> str:
    name = type_name(tp)
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _describe(op: Op) -> str:
    match op:
        case Fire() | Cancel() | Publish() | PatchUrl() | Navigate() | TellParent():
            return f"ops.{op.verb}"
        case _:
            return f"ops.{op.verb}({op.field})"


def _param_types(declared: Action) -> dict[str, Any]:
    if declared.params is None:
        return {}
    try:
        hints = typing.get_type_hints(declared.params)
    except Exception:
        hints = {}
    return {f.name: hints.get(f.name, f.type) for f in attrs.fields(declared.params)}


def _json_value(value: Any) -> Any:
    """``value`` as JSON the browser reads back as the same Python value, or ValueError."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_EXACT:
            raise ValueError(f"{value} is past 2**53")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not finite")
        return value
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    raise ValueError(f"a {type(value).__name__} value has no plain JSON form")


# -- the script --------------------------------------------------------------------------


def program_id(view_class: type) -> str:
    """The name a program registers under: ``module.QualName`` of the view class.

    The page's view container names it in ``data-av-program`` (when a page holds one
    program only, the client also finds it without).
    """
    return f"{view_class.__module__}.{view_class.__qualname__}"


@cache
def program_source(view_class: type) -> str:
    """The script that registers ``view_class``'s client program (cached per class).

    Serve it as a file (``<script src=...>``), after nothing in particular: it only
    registers data and functions; ``client.js`` and the runtime (``runtime_source()``)
    run them. A view without optimistic declarations gets a program with nothing in it.
    """
    spec: ViewSpec | None = getattr(view_class, "__view_spec__", None)
    if spec is None:
        raise TypeError(f"{view_class!r} is not a View class")
    client: ClientPlan | None = getattr(view_class, "__view_client__", None)
    plan = client or ClientPlan(spec.name, {}, (), {})
    ident = program_id(view_class)
    return (
        f"// actorview client program of {ident} (generated from its declarations)\n"
        f"(function (programs) {{\n"
        f'  "use strict";\n'
        f"  programs[{_js(ident)}] = {_plan_js(plan)};\n"
        f"}})(globalThis.ActorViewPrograms || (globalThis.ActorViewPrograms = {{}}));\n"
    )


def _js(value: Any) -> str:
    # JSON is JavaScript, except for U+2028/U+2029 in old engines: escape them anyway.
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _function_js(function: ClientFunction | None) -> str:
    if function is None:
        return "null"
    return f"{{ names: {_js(list(function.names))}, fn: {function.js} }}"


def _template_js(template: ItemTemplate | None) -> str:
    if template is None:
        return "null"
    holes = [[hole.name, hole.context] for hole in template.holes]
    return (
        f"{{ parts: {_js(list(template.parts))}, holes: {_js(holes)}, "
        f"fields: {_js(list(template.fields))}, nonempty: {_js(template.nonempty)} }}"
    )


def _number_hint(function: ClientFunction | None) -> str | None:
    """The runtime's int-or-float hint for a value: ``"i"``, ``"f"`` or ``None``."""
    if function is None:
        return None
    numbers = function.kind & (Kind.INT | Kind.FLOAT)
    if numbers == Kind.INT:
        return "i"
    if numbers == Kind.FLOAT:
        return "f"
    return None


def _op_js(op: ClientOp) -> str:
    extra = ""
    if op.list_field:
        extra += ", list: true"
    if op.check is not None:
        extra += f", check: {_js(op.check)}, valueHint: {_js(_number_hint(op.value))}"
    if op.at is not None:
        extra += f", at: {_function_js(op.at)}, atHint: {_js(_number_hint(op.at))}"
    if op.key is not None:
        extra += f", key: {{ fn: {op.key.js}, hint: {_js(_number_hint(op.key))} }}"
    return (
        f"{{ index: {op.index}, kind: {_js(op.kind)}, field: {_js(op.field)}, "
        f"value: {_function_js(op.value)}, when: {_function_js(op.when)}, "
        f"template: {_template_js(op.template)}{extra} }}"
    )


def _plan_js(plan: ClientPlan) -> str:
    indent = "\n      "
    calcs = "".join(
        f"{indent}{{ name: {_js(c.name)}, names: {_js(list(c.function.names))}, "
        f"fn: {c.function.js} }},"
        for c in plan.calcs
    )
    actions = "".join(
        f"{indent}{_js(a.name)}: {{ params: {_js(list(a.params))}, when: "
        f"{_function_js(a.when)}, ops: [{', '.join(_op_js(op) for op in a.ops)}] }},"
        for a in plan.actions.values()
    )
    bindings = "".join(
        f"{indent}{{ attr: {_js(b.attr)}, names: {_js(list(b.function.names))}, "
        f"fn: {b.function.js}, text: {_function_js(b.text)}, items: {_template_js(b.items)} }},"
        for b in plan.bindings
    )
    return (
        f"{{\n    view: {_js(plan.view)},\n    fields: {_js(dict(plan.fields))},\n"
        f"    calcs: [{calcs}\n    ],\n    actions: {{{actions}\n    }},\n"
        f"    bindings: [{bindings}\n    ],\n  }}"
    )


__all__ = [
    "ClientAction",
    "ClientBinding",
    "ClientCalc",
    "ClientFunction",
    "ClientOp",
    "ClientPlan",
    "plan_client",
    "program_id",
    "program_source",
]
