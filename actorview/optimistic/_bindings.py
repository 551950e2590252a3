"""Bindings inferred from a view's ``render``: what the page recomputes as the user types.

When a view class with a client program is defined, :func:`infer_bindings` (called by
``View.__init_subclass__``, after the validator and
:func:`~actorview.optimistic._program.plan_client`) parses its ``render`` method, as
Phoenix LiveView compiles its templates, and finds the builder calls whose output the
browser can compute on its own:

- ``disabled=``, ``hidden=``, ``checked=`` and ``class_=`` values, and an element's only
  child (its text), whose expression reads a client field or an optimistic calc off
  ``self``: ``h.button("Send", disabled=not self.input_valid or self.streaming)``;
- ``h.input(name="field")`` / ``h.textarea(name="field")`` naming a client ``str`` field:
  the control holds the field (``av-input="field"``).

Each expression is transpiled with ``self.x`` read as ``x``. Names the browser does not
compute (server fields and calcs, such as ``streaming``) are the binding's *server
inputs*: the server renders their current values onto the element, as JSON in
``av-bind-env``, so the browser evaluates the whole expression. The render function is
rewritten (its syntax tree, compiled with the original file name and line numbers, so
tracebacks point at the view's source) to add ``av-bind`` (the bindings' indexes in the
client program) and ``av-bind-env``, and installed as the class's ``render``.

Inference never fails a class: a ``render`` that cannot be rewritten (a closure,
``super()``, no source, a decorator) keeps its code, and an expression outside the
optimistic subset is left to the server; the reasons are in ``ClientPlan.unbound``.
The guide is docs/OPTIMISTIC.md ("Bindings").
"""

from __future__ import annotations

import ast
import copy
import functools
import inspect
import json
import types as pytypes
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

import attrs

from actorview.declare._expressions import return_annotation
from actorview.declare._fields import Origin
from actorview.declare._spec import ViewSpec
from actorview.errors import ActorViewError
from actorview.optimistic._errors import TranspileError
from actorview.optimistic._program import (
    ClientBinding,
    ClientFunction,
    ClientPlan,
    _json_value,
)
from actorview.optimistic._source import locate
from actorview.optimistic._templates import TemplateError, build_list_template
from actorview.optimistic._transpile import _short_path, name_resolver, transpile_expression
from actorview.render._builder import h as builder_h

BOOLEAN_ATTRS: Final = ("disabled", "hidden", "checked")
"""Attributes the builder writes bare for ``True`` and leaves out for ``False``/``None``."""

_HAND: Final[Mapping[str, tuple[str, ...]]] = {
    "disabled": ("av-disable-unless",),
    "hidden": ("av-show-if", "av-hide-if"),
    "class": ("av-class-if",),
    "text": ("av-text",),
}
"""The hand-written attributes that already bind each inferred kind (never bind twice)."""

_TEXT_INPUTS: Final = frozenset({"text", "search", "email", "url", "tel", "password"})
_RAW_TEXT_TAGS: Final = frozenset({"textarea", "script", "style", "title"})
_ENV: Final = "_av_bind_env"
"""The rewritten render's closure variable: turns server inputs into ``av-bind-env``."""
_SCOPE: Final = "_av_bindings_scope"


def _attr_name(keyword: str) -> str:
    """The attribute a builder keyword writes (``class_`` -> ``class``), or the tag
    ``h.<name>`` builds, as the builder names them."""
    return keyword.rstrip("_").replace("_", "-") if "_" in keyword else keyword


def server_inputs_json(values: Mapping[str, Any]) -> str:
    """``av-bind-env``: the server inputs JSON can carry exactly.

    A value it cannot (an int past 2**53, a tuple, a record) is left out; the browser then
    finds the name unknown and leaves the server's rendering of the element alone.
    Renders call this for every bound element, with the same few scalars again and again
    (``{"streaming": False}``), so scalar inputs are encoded once.
    """
    if all(_cacheable(value) for value in values.values()):
        # The type is part of the key: True == 1 == 1.0, yet they encode differently.
        return _scalar_inputs_json(tuple((n, type(v), v) for n, v in values.items()))
    return _inputs_json(values)


_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


def _cacheable(value: Any) -> bool:
    """A scalar small enough to keep (a long text, such as a draft, is encoded anew)."""
    return type(value) in _SCALARS and (type(value) is not str or len(value) <= 64)


@functools.lru_cache(maxsize=4096)
def _scalar_inputs_json(items: tuple[tuple[str, type, Any], ...]) -> str:
    return _inputs_json({name: value for name, _, value in items})


def _inputs_json(values: Mapping[str, Any]) -> str:
    shipped: dict[str, Any] = {}
    for name, value in values.items():
        try:
            shipped[name] = _json_value(value)
        except ValueError:
            continue
    return json.dumps(shipped, ensure_ascii=False, separators=(",", ":"))


def infer_bindings(cls: type, spec: ViewSpec, plan: ClientPlan | None) -> ClientPlan | None:
    """``plan`` (``cls``'s client plan, from ``spec``) with the bindings of ``cls``'s
    render; installs the rewritten ``render`` on ``cls`` when it binds anything. ``None``
    (nothing optimistic) stays ``None``.

    A base class's rewritten render keeps emitting its own indexes (a subclass may call
    it), so a class's bindings start with its nearest base's and its own follow.
    Never raises for a render it cannot read: see the module docstring.
    """
    if plan is None:
        return None
    inherited = _inherited(cls)
    render = getattr(cls, "render", None)
    if render is None or getattr(render, "__av_rewritten__", False):
        return attrs.evolve(plan, bindings=inherited)
    inference = _Inference(spec, plan, render, start=len(inherited))
    rewritten = inference.run()
    if rewritten is not None:
        cls.render = rewritten  # type: ignore[attr-defined]
        bindings = (*inherited, *inference.bindings)
    else:
        bindings = inherited
    return attrs.evolve(plan, bindings=bindings, unbound=tuple(inference.unbound))


def _inherited(cls: type) -> tuple[ClientBinding, ...]:
    for base in cls.__mro__[1:]:
        if "__view_spec__" in base.__dict__:
            plan: ClientPlan | None = base.__dict__.get("__view_client__")
            return plan.bindings if plan is not None else ()
    return ()


def _is_json_type(tp: Any) -> bool:
    """Whether every value of ``tp`` has a JSON form the browser reads back exactly."""
    if tp in (str, int, float, bool, None, type(None)):
        return True
    origin = typing.get_origin(tp)
    arguments = typing.get_args(tp)
    if origin in (typing.Union, pytypes.UnionType):
        return all(_is_json_type(argument) for argument in arguments)
    if origin is typing.Literal:
        return all(
            value is None or isinstance(value, (str, int, float, bool)) for value in arguments
        )
    if origin is typing.Annotated:
        return _is_json_type(arguments[0])
    if origin is list:
        return len(arguments) == 1 and _is_json_type(arguments[0])
    return False


class _Skip(ActorViewError):
    """An expression the browser will not compute (the reason says why)."""


@attrs.define
class _Site:
    """What one ``h.<tag>(...)`` call gets: binding indexes and server inputs."""

    indexes: list[int] = attrs.Factory(list)
    server: dict[str, None] = attrs.Factory(dict)
    av_input: str | None = None


class _Inference:
    def __init__(self, spec: ViewSpec, plan: ClientPlan, render: Any, start: int) -> None:
        self.spec = spec
        self.view = spec.name
        self.render = render
        self.start = start
        self.bindings: list[ClientBinding] = []
        self.unbound: list[str] = []
        self.predictable = frozenset(plan.fields) | frozenset(c.name for c in plan.calcs)
        self.text_fields = frozenset(n for n, v in plan.fields.items() if isinstance(v, str))
        self.types: dict[str, Any] = {n: f.type for n, f in spec.fields.items()}
        for name, calc in spec.calcs.items():
            declared = return_annotation(calc.expression)
            if declared is not None:
                self.types[name] = declared
        for planned in plan.calcs:
            # What the transpiler inferred of an optimistic calc (len() is an int), as a
            # Kind: it lets str() of an integral value run in the browser.
            self.types.setdefault(planned.name, planned.function.kind)
        self.filename = ""
        self.self_name = "self"
        self.bound_in_render: frozenset[str] = frozenset()
        self.changed = False

    def note(self, message: str) -> None:
        self.unbound.append(f"{self.view}.render: {message}")

    # -- the whole function ------------------------------------------------------------

    def run(self) -> Callable[..., Any] | None:
        render = self.render
        if not inspect.isfunction(render):
            return None
        try:
            located = locate(render)
        except TranspileError as error:
            self.note(f"not read for bindings: {error.reason}")
            return None
        node = located.node
        if not isinstance(node, ast.FunctionDef) or not node.args.args:
            return None
        self.filename = render.__code__.co_filename
        self.self_name = node.args.args[0].arg
        self.bound_in_render = _bound_names(node)
        if render.__globals__.get("h") is not builder_h or "h" in self.bound_in_render:
            return None
        tree = copy.deepcopy(node)
        _Rewriter(self).visit(tree)
        if not self.changed:
            return None
        why = self.cannot_rewrite(render, node)
        if why is not None:
            for binding in self.bindings:
                self.note(f"{binding.where}: `{binding.attr}` is not bound: {why}")
            self.bindings.clear()
            return None
        return self.compile(tree, render)

    def cannot_rewrite(self, render: Any, node: ast.FunctionDef) -> str | None:
        code = render.__code__
        if "__class__" in code.co_freevars:
            return (
                "render calls super() (it reads the enclosing __class__ cell, which a "
                "rewritten render cannot share). Call the base's render by name "
                "(`Base.render(self)`), or bind by hand (av-disable-unless, av-text...)"
            )
        if code.co_freevars:
            return (
                f"render reads {', '.join(code.co_freevars)} from an enclosing function (a "
                f"closure, which a rewritten render cannot share). Pass the value as a field "
                f"or a module constant, or bind by hand (av-disable-unless, av-text...)"
            )
        if node.decorator_list:
            return "render is decorated; bind by hand (av-disable-unless, av-text...)"
        return None

    def compile(self, tree: ast.FunctionDef, render: Any) -> Callable[..., Any]:
        """``tree`` as a function like ``render``: same file, lines, globals, defaults."""
        tree.decorator_list = []
        tree.returns = None
        for argument in [*tree.args.posonlyargs, *tree.args.args, *tree.args.kwonlyargs]:
            argument.annotation = None
        for extra in (tree.args.vararg, tree.args.kwarg):
            if extra is not None:
                extra.annotation = None
        tree.args.defaults = []
        tree.args.kw_defaults = [None] * len(tree.args.kwonlyargs)
        scope = ast.FunctionDef(
            name=_SCOPE,
            args=ast.arguments(
                posonlyargs=[],
                args=[ast.arg(_ENV)],
                kwonlyargs=[],
                kw_defaults=[],
                defaults=[],
            ),
            body=[tree, ast.Return(ast.Name(tree.name, ast.Load()))],
            decorator_list=[],
            returns=None,
        )
        for made in (scope, *scope.body, scope.args, *scope.args.args):
            ast.copy_location(made, tree)
        module = ast.fix_missing_locations(ast.Module(body=[scope], type_ignores=[]))
        code = compile(module, self.filename, "exec", dont_inherit=True)
        namespace: dict[str, Any] = {}
        exec(code, render.__globals__, namespace)
        function = namespace[_SCOPE](server_inputs_json)
        function.__code__ = function.__code__.replace(co_qualname=render.__code__.co_qualname)
        functools.update_wrapper(function, render)
        function.__defaults__ = render.__defaults__
        function.__kwdefaults__ = render.__kwdefaults__
        function.__av_rewritten__ = True
        result: Callable[..., Any] = function
        return result

    # -- one call ----------------------------------------------------------------------

    def where(self, node: ast.AST) -> str:
        return f"{_short_path(self.filename)}:{getattr(node, 'lineno', 0)}"

    def site(self, call: ast.Call, tag: str, inside_av_input: bool) -> _Site | None:
        """The bindings of one builder call, or ``None`` when it gets none."""
        present: set[str] = set()
        opaque = False
        for keyword in call.keywords:
            if keyword.arg is None:
                opaque = True
            else:
                present.add(_attr_name(keyword.arg))
        positional = []
        for argument in call.args:
            if isinstance(argument, ast.Dict):
                for key in argument.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        present.add(key.value)
                    else:
                        opaque = True
            else:
                positional.append(argument)
        candidates: list[tuple[str, ast.expr]] = [
            (_attr_name(k.arg), k.value)
            for k in call.keywords
            if k.arg is not None and _attr_name(k.arg) in (*BOOLEAN_ATTRS, "class")
        ]
        if (
            len(positional) == 1
            and not isinstance(positional[0], ast.Starred)
            and tag not in _RAW_TEXT_TAGS
            and not _builds_elements(positional[0])
        ):
            candidates.append(("text", positional[0]))
        site = _Site()
        comprehension = _comprehension_of(positional)
        if comprehension is not None:
            self.items_site(site, comprehension, opaque or "av-bind" in present)
        for attr, expression in candidates:
            names = self.names_read(expression)
            if not any(name in self.predictable for name in names):
                continue  # the server's alone: nothing the browser computes
            label = f"{self.where(expression)}: `{_label(attr, expression)}`"
            if opaque or "av-bind" in present or "av-bind-env" in present:
                self.note(
                    f"{label} is not bound: the call passes attributes the inference "
                    f"cannot read (`**` or a dict with computed keys); write them as "
                    f"keywords, or bind by hand"
                )
                continue
            hand = [a for a in _HAND.get(attr, ()) if a in present]
            if hand:
                continue  # bound by hand: the author's binding wins, never two
            try:
                binding = self.binding(attr, expression, names)
            except _Skip as skip:
                self.note(f"{label} is not bound: {skip}")
                continue
            site.indexes.append(self.start + len(self.bindings))
            site.server.update(dict.fromkeys(binding.server))
            self.bindings.append(binding)
        if (
            tag in ("input", "textarea")
            and not opaque
            and not inside_av_input
            and "av-input" not in present
        ):
            site.av_input = self.input_field(call, tag)
        if not site.indexes and site.av_input is None:
            return None
        return site

    def items_site(self, site: _Site, comprehension: ast.expr, opaque: bool) -> None:
        """The children of a call drawn from a client list field: ``h.ul(*[h.li(tag) for
        tag in self.tags])`` gets an ``"items"`` binding (the browser draws each item,
        an optimistic push too, from a template of the element)."""
        assert isinstance(comprehension, (ast.ListComp, ast.GeneratorExp))
        iterated = comprehension.generators[0].iter
        names = self.names_read(iterated)
        if not names or names[0] not in self.predictable:
            return
        label = f"{self.where(comprehension)}: the items of `self.{names[0]}`"
        if opaque:
            self.note(
                f"{label} are not drawn: the call passes attributes the inference cannot "
                f"read (`**` or a dict with computed keys); write them as keywords"
            )
            return
        try:
            binding = self.items_binding(comprehension, names)
        except _Skip as skip:
            self.note(f"{label} are not drawn: {skip}")
            return
        site.indexes.append(self.start + len(self.bindings))
        self.bindings.append(binding)

    def items_binding(
        self, comprehension: ast.ListComp | ast.GeneratorExp, names: list[str]
    ) -> ClientBinding:
        """The ``"items"`` binding of a comprehension over a client list field, or
        :class:`_Skip` saying why the browser cannot draw its items."""
        (generator,) = comprehension.generators or (None,)
        iterated = comprehension.generators[0].iter
        if (
            generator is None
            or len(comprehension.generators) != 1
            or generator.ifs
            or generator.is_async
            or not isinstance(generator.target, ast.Name)
            or not (isinstance(iterated, ast.Attribute) and iterated.attr == names[0])
        ):
            raise _Skip(
                "only `*[<element> for <item> in self.<field>]` is drawn (one `for`, no "
                "`if`, the field itself)"
            )
        field = self.spec.fields.get(names[0])
        if field is None or field.origin is not Origin.CLIENT or field.item_type is not str:
            raise _Skip("only the items of a client list[str] field are drawn")
        variable = generator.target.id
        if self.names_read(comprehension.elt):
            raise _Skip("the element reads the view (`self.`); draw only the item")
        for node in ast.walk(comprehension.elt):
            if (
                isinstance(node, ast.Name)
                and node.id != variable
                and node.id in self.bound_in_render
            ):
                raise _Skip(f"the element reads `{node.id}`, a local of render")
        lambda_ = ast.Expression(
            ast.Lambda(
                ast.arguments(
                    posonlyargs=[],
                    args=[ast.arg(variable)],
                    kwonlyargs=[],
                    kw_defaults=[],
                    defaults=[],
                ),
                copy.deepcopy(comprehension.elt),
            )
        )
        code = compile(ast.fix_missing_locations(lambda_), self.filename, "eval")
        draw = eval(code, self.render.__globals__)  # render's own element, as a function
        try:
            template = build_list_template(draw, TemplateError)
        except TemplateError as error:
            raise _Skip(str(error)) from None
        binding = self.binding("items", iterated, names)
        return attrs.evolve(binding, items=template)

    def input_field(self, call: ast.Call, tag: str) -> str | None:
        """The client str field a text control holds, from its literal ``name=``."""
        keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
        name = keywords.get("name")
        if not (isinstance(name, ast.Constant) and name.value in self.text_fields):
            return None
        kind = keywords.get("type")
        if (
            tag == "input"
            and kind is not None
            and not (isinstance(kind, ast.Constant) and kind.value in _TEXT_INPUTS)
        ):
            return None
        field: str = name.value
        return field

    def names_read(self, expression: ast.expr) -> list[str]:
        """The names the expression reads off ``self``, in order."""
        reads = [
            node
            for node in ast.walk(expression)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == self.self_name
        ]
        reads.sort(key=lambda node: (node.lineno, node.col_offset))
        return list(dict.fromkeys(node.attr for node in reads))

    def binding(self, attr: str, expression: ast.expr, names: list[str]) -> ClientBinding:
        """The binding of ``attr`` to ``expression``, or :class:`_Skip` saying why not."""
        server: list[str] = []
        for name in names:
            if name in self.predictable:
                continue
            if name in self.spec.collections:
                raise _Skip(f"it reads the stream field `{name}`, which the browser does not hold")
            if name in self.spec.fields:
                field = self.spec.fields[name]
                if field.origin is Origin.CLIENT:
                    raise _Skip(f"the browser cannot hold the client field `{name}`")
                if not _is_json_type(field.type):
                    raise _Skip(
                        f"it reads `{name}`, whose type cannot travel as JSON for the browser "
                        f"to read back exactly (str, int, float, bool, None and lists of "
                        f"those can); compute the part that reads it in a calc of a plain type"
                    )
            elif name in self.spec.calcs:
                declared = self.types.get(name)
                if declared is not None and not _is_json_type(declared):
                    raise _Skip(f"it reads the calc `{name}`, whose type cannot travel as JSON")
            else:
                raise _Skip(
                    f"`self.{name}` is not a field or calc of {self.view} (the browser only "
                    f"knows those)"
                )
            server.append(name)
        for node in ast.walk(expression):
            if not isinstance(node, ast.Name) or node.id == self.self_name:
                continue
            if node.id in names:
                raise _Skip(f"it reads both `self.{node.id}` and another `{node.id}`")
            if node.id in self.bound_in_render:
                raise _Skip(f"it reads `{node.id}`, a local of render the browser cannot see")
        mapped = _SelfReads(self.self_name).visit(copy.deepcopy(expression))
        if any(isinstance(n, ast.Name) and n.id == self.self_name for n in ast.walk(mapped)):
            raise _Skip(f"it reads `{self.self_name}` itself, not only its fields and calcs")
        source = ast.unparse(mapped)
        types = {name: self.types[name] for name in names if name in self.types}
        resolve = name_resolver(self.render.__globals__)
        try:
            value = transpile_expression(source, names, types=types, resolve=resolve)
            text = (
                transpile_expression(f"str({source})", names, types=types, resolve=resolve)
                if attr == "text"
                else None
            )
        except TranspileError as error:
            raise _Skip(
                f"{error.reason} (`{error.construct}`); compute it in an optimistic calc "
                f"in the subset (docs/OPTIMISTIC.md), or let the server render it"
            ) from None
        return ClientBinding(
            attr,
            ClientFunction(tuple(names), value.js, value.kind),
            ClientFunction(tuple(names), text.js, text.kind) if text is not None else None,
            tuple(server),
            self.where(expression),
        )


def _label(attr: str, expression: ast.expr) -> str:
    source = ast.unparse(expression)
    if len(source) > 60:
        source = source[:57] + "..."
    if attr == "text":
        return f"text {source}"
    return f"{'class_' if attr == 'class' else attr}={source}"


class _SelfReads(ast.NodeTransformer):
    """``self.x`` becomes the name ``x``: the binding's parameter."""

    def __init__(self, self_name: str) -> None:
        self.self_name = self_name

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if isinstance(node.value, ast.Name) and node.value.id == self.self_name:
            return ast.copy_location(ast.Name(node.attr, ast.Load()), node)
        self.generic_visit(node)
        return node


class _Rewriter(ast.NodeTransformer):
    """Adds ``av_bind=``, ``av_bind_env=`` and ``av_input=`` to the builder calls."""

    def __init__(self, inference: _Inference) -> None:
        self.inference = inference
        self.av_input_depth = 0

    def visit_Call(self, node: ast.Call) -> ast.AST:
        tag = _builder_tag(node)
        if tag is None:
            self.generic_visit(node)
            return node
        carries_input = any(
            k.arg is not None and _attr_name(k.arg) == "av-input" for k in node.keywords
        )
        site = self.inference.site(node, tag, self.av_input_depth > 0)
        self.av_input_depth += carries_input
        try:
            self.generic_visit(node)
        finally:
            self.av_input_depth -= carries_input
        if site is None:
            return node
        self.inference.changed = True
        self_name = self.inference.self_name
        added: list[ast.keyword] = []
        if site.indexes:
            added.append(ast.keyword("av_bind", ast.Constant(" ".join(map(str, site.indexes)))))
        if site.server:
            values = ast.Dict(
                keys=[ast.Constant(name) for name in site.server],
                values=[
                    ast.Attribute(ast.Name(self_name, ast.Load()), name, ast.Load())
                    for name in site.server
                ],
            )
            added.append(
                ast.keyword("av_bind_env", ast.Call(ast.Name(_ENV, ast.Load()), [values], []))
            )
        keywords = list(node.keywords)
        if site.av_input is not None:
            # Right after name=, so the markup reads as if written by hand.
            at = next(i for i, k in enumerate(keywords) if k.arg == "name") + 1
            keywords.insert(at, ast.keyword("av_input", ast.Constant(site.av_input)))
        node.keywords = keywords + added
        for made in _walk_all(added + keywords):
            ast.copy_location(made, node)
        return node


def _comprehension_of(positional: list[ast.expr]) -> ast.ListComp | ast.GeneratorExp | None:
    """The comprehension that is a call's only children, ``*[... for ... in ...]``."""
    if len(positional) != 1:
        return None
    argument = positional[0]
    if isinstance(argument, ast.Starred):
        argument = argument.value
    return argument if isinstance(argument, (ast.ListComp, ast.GeneratorExp)) else None


def _walk_all(nodes: list[ast.keyword]) -> Iterator[ast.AST]:
    for node in nodes:
        for inner in ast.walk(node):
            if not hasattr(inner, "lineno") or getattr(inner, "lineno", None) is None:
                yield inner


def _is_builder_call(node: ast.AST) -> bool:
    """``h.<anything>(...)``: an element, a stream container or a memo."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "h"
        and not node.func.attr.startswith("__")
    )


def _builder_tag(node: ast.Call) -> str | None:
    """The tag ``h.<tag>(...)`` builds (as the builder names it), or ``None``."""
    if not _is_builder_call(node):
        return None
    assert isinstance(node.func, ast.Attribute)
    if node.func.attr in ("stream", "memo"):
        return None
    return _attr_name(node.func.attr)


def _builds_elements(expression: ast.expr) -> bool:
    """Whether a child expression builds elements (``self.ok and h.p(...)``): not text."""
    return any(_is_builder_call(node) for node in ast.walk(expression))


def _bound_names(node: ast.FunctionDef) -> frozenset[str]:
    """Every name render (or a function, lambda or comprehension inside it) binds."""
    names: set[str] = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and not isinstance(inner.ctx, ast.Load):
            names.add(inner.id)
        elif isinstance(inner, ast.arg):
            names.add(inner.arg)
        elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if inner is not node:
                names.add(inner.name)
        elif isinstance(inner, ast.alias):
            names.add((inner.asname or inner.name).split(".")[0])
        elif isinstance(inner, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and inner.name:
            names.add(inner.name)
        elif isinstance(inner, ast.MatchMapping) and inner.rest:
            names.add(inner.rest)
        elif isinstance(inner, (ast.Global, ast.Nonlocal)):
            names.update(inner.names)
    return frozenset(names)


__all__ = ["BOOLEAN_ATTRS", "infer_bindings", "server_inputs_json"]
