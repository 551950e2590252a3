"""Item templates: how the browser draws an item an optimistic action pushes onto a stream.

The browser cannot run a view's Python renderer, but it can fill a template. When the
view class is defined, the stream's item renderer (``stream(Message, item=render)``) is
called with a record whose fields that depend on the browser's values are unique
sentinel strings, and whose other fields (``role="user"``, ``stopped=False``) are the
real constants the push writes. The HTML is cut at the sentinels into parts and holes.

Because a sentinel stands for any text, the template is only right if the markup does
not depend on that text beyond showing it. The renderer therefore runs again with other
sentinels (over 200 characters, with ``<&"'`` and spaces in them): the two renders must
agree part for part, or the push is a definition-time error naming the field. A third render
with empty strings says whether the template also holds for empty values; when it does
not (``text and h.p(text)``), the browser predicts only non-empty values.

The guide is docs/OPTIMISTIC.md ("Optimistic actions").
"""

from __future__ import annotations

import ast
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs

from actorview.errors import DefinitionError
from actorview.optimistic._source import locate
from actorview.optimistic._transpile import _resolver
from actorview.render import Element, escape_attr, escape_text, to_html
from actorview.render._serialize import stream_item

KEY_HOLE: Final = "$key"
"""The hole that takes the item's key (the ``av-key`` attribute)."""

_OPEN, _CLOSE = "\ue000", "\ue001"
_PADDING = 200
_CHANGED = (
    "the item renderer changes a computed field's text before showing it (a slice, "
    "upper(), a format...), so the browser cannot fill it in. Show the field as it is, "
    "or compute the change in the push itself."
)


@attrs.frozen
class Hole:
    """A place in the template: the record field (or :data:`KEY_HOLE`) it shows, and
    whether it sits in an attribute value (``"attr"``) or in text (``"text"``), which
    decides how the browser escapes the value."""

    name: str
    context: str


@attrs.frozen
class ItemTemplate:
    """The HTML of one stream item with holes: ``parts[0] hole[0] parts[1] ... parts[-1]``.

    Attributes:
        parts: the literal HTML between the holes (``len(holes) + 1`` of them).
        holes: what goes in each hole.
        fields: the record fields the browser fills (str fields that depend on its values).
        nonempty: the template holds only for non-empty values of ``fields``; for an
            empty one the browser does not predict the item.
    """

    parts: tuple[str, ...]
    holes: tuple[Hole, ...]
    fields: tuple[str, ...]
    nonempty: bool

    def fill(self, values: Mapping[str, str]) -> str:
        """The HTML for ``values`` (field name or :data:`KEY_HOLE` to text), escaped as the
        browser does it; tests compare it with the server's render."""
        return _join(self.parts, self.holes, values)


@attrs.frozen
class RecordShape:
    """What a push's item expression builds: the attrs class, the constant field values
    (literals and defaults) and the fields computed from the browser's values."""

    cls: type
    constants: Mapping[str, Any]
    computed: tuple[str, ...]


class TemplateError(DefinitionError):
    """An optimistic push whose item the browser could not draw exactly."""


def record_shape(function: Callable[..., Any], fail: Callable[[str], TemplateError]) -> RecordShape:
    """Read the item expression ``lambda input: Message("user", input.strip())``.

    The body must be a direct call of an attrs class: its literal arguments and the
    fields it leaves to their defaults are constants; every other argument is computed.
    """
    located = locate(function)
    node = located.node
    body: ast.expr | None
    if isinstance(node, ast.Lambda):
        body = node.body
    else:
        returns = [s for s in node.body if isinstance(s, ast.Return)]
        body = returns[-1].value if returns else None
    cls = _called_class(function, body)
    if body is None or cls is None:
        raise fail(
            "its item must be written as a direct call of an attrs class, e.g. "
            '`lambda input: Message("user", input.strip())`, so the browser knows which '
            "fields are constants. Write it that way, or drop optimistic=True."
        )
    assert isinstance(body, ast.Call)
    fields = [f for f in attrs.fields(cls) if f.init]
    given: dict[str, ast.expr] = {}
    for field, arg in zip(fields, body.args, strict=False):
        given[field.name] = arg
    by_alias = {(f.alias or f.name): f.name for f in fields}
    for keyword in body.keywords:
        if keyword.arg is not None and keyword.arg in by_alias:
            given[by_alias[keyword.arg]] = keyword.value
    constants: dict[str, Any] = {}
    computed: list[str] = []
    for field in attrs.fields(cls):
        argument = given.get(field.name)
        if argument is None:
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                constants[field.name] = default.factory()
            else:
                constants[field.name] = default
        elif isinstance(argument, ast.Constant):
            constants[field.name] = argument.value
        else:
            computed.append(field.name)
    return RecordShape(cls, constants, tuple(computed))


def _called_class(function: Callable[..., Any], body: ast.expr | None) -> type | None:
    if not isinstance(body, ast.Call) or not isinstance(body.func, ast.Name):
        return None
    value = _resolver(function)(body.func.id)
    return value if isinstance(value, type) and attrs.has(value) else None


def build_template(
    shape: RecordShape,
    renderer: Callable[[Any], Element],
    fail: Callable[[str], TemplateError],
) -> ItemTemplate:
    """Render ``renderer`` with sentinel records and cut the HTML into a template.

    Raises :class:`TemplateError` (through ``fail``) when a computed field is not a
    ``str``, or when the markup depends on a computed field beyond showing its text.
    """
    hints = _field_types(shape.cls)
    for name in shape.computed:
        if hints.get(name) is not str:
            raise fail(
                f"the item's field {name!r} is computed in the browser but is not a str "
                f"(it is {getattr(hints.get(name), '__name__', hints.get(name))!r}): the "
                f"browser only fills text into a rendered template. Make it a constant in "
                f"the push, or drop optimistic=True."
            )
    names = (*shape.computed, KEY_HOLE)
    first = {name: f"{_OPEN}{index}{_CLOSE}" for index, name in enumerate(names)}
    second = {
        name: f"{_OPEN}{index} <&\"' {'~' * (_PADDING + index)}{_CLOSE}"
        for index, name in enumerate(names)
    }
    html = _render(shape, renderer, first, fail)
    parts, holes = _cut(html, first, fail)
    expected = _join(parts, holes, second)
    drawn = _render(shape, renderer, second, fail)
    if drawn.count(_OPEN) != drawn.count(_CLOSE):
        raise fail(_CHANGED)
    if drawn != expected:
        changed = _which_changes(shape, renderer, first, second, parts, holes, fail)
        raise fail(
            f"the item's markup depends on {changed!r} beyond showing its text (the "
            f"renderer {_name(renderer)} branches on it, measures it or changes it), so "
            f"the browser cannot draw it from a template. Render {changed!r} as plain "
            f"text, or drop optimistic=True."
        )
    empty = {name: "" for name in shape.computed}
    empty[KEY_HOLE] = first[KEY_HOLE]
    try:
        # An empty attribute is written bare (`title`), which the page reads as `title=""`.
        drawn = _render(shape, renderer, empty, fail).replace('=""', "")
        nonempty = drawn != _join(parts, holes, empty).replace('=""', "")
    except TemplateError:
        nonempty = True
    return ItemTemplate(tuple(parts), tuple(holes), shape.computed, nonempty)


ITEM_HOLE: Final = "item"
"""The hole of a list item template: the item itself (a str)."""


def build_list_template(
    renderer: Callable[[str], Element], fail: Callable[[str], TemplateError]
) -> ItemTemplate:
    """The template of one item of a client ``list[str]`` field as ``render`` draws it
    (``renderer`` is the comprehension's element, ``lambda tag: h.li(tag)``): rendered
    with two sentinels, which must agree part for part, and with ``""`` (``nonempty``
    when the markup differs for an empty item). Raises :class:`TemplateError` (through
    ``fail``) when the markup depends on the item beyond showing it."""

    def draw(text: str) -> str:
        try:
            node = renderer(text)
        except Exception as error:
            raise fail(f"drawing a sample item raised {type(error).__name__}: {error}") from error
        if not isinstance(node, Element):
            raise fail("the item must be an element (an h.<tag>(...) call)")
        return to_html(node)

    first = f"{_OPEN}0{_CLOSE}"
    second = f"{_OPEN}0 <&\"' aZ {'~' * _PADDING}{_CLOSE}"  # letters: upper() shows
    parts, holes = _cut(draw(first), {ITEM_HOLE: first}, fail)
    if draw(second) != _join(parts, holes, {ITEM_HOLE: second}):
        raise fail(
            "the item's markup depends on the item beyond showing its text (the element "
            "branches on it, measures it or changes it)"
        )
    try:
        nonempty = draw("").replace('=""', "") != _join(parts, holes, {ITEM_HOLE: ""}).replace(
            '=""', ""
        )
    except TemplateError:
        nonempty = True
    return ItemTemplate(tuple(parts), tuple(holes), (ITEM_HOLE,), nonempty)


def _field_types(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:
        return {f.name: f.type for f in attrs.fields(cls)}


def _name(renderer: Callable[..., Any]) -> str:
    return getattr(renderer, "__qualname__", repr(renderer))


def _render(
    shape: RecordShape,
    renderer: Callable[[Any], Element],
    values: Mapping[str, str],
    fail: Callable[[str], TemplateError],
) -> str:
    record_values = {**shape.constants, **{n: values[n] for n in shape.computed}}
    kwargs = {(f.alias or f.name): record_values[f.name] for f in attrs.fields(shape.cls) if f.init}
    try:
        record = shape.cls(**kwargs)
        node = renderer(record)
    except Exception as error:
        raise fail(
            f"rendering a sample item with {_name(renderer)} raised "
            f"{type(error).__name__}: {error}. The renderer must draw any text in the "
            f"computed fields ({', '.join(shape.computed)})."
        ) from error
    if not isinstance(node, Element):
        raise fail(f"the item renderer {_name(renderer)} must return an Element.")
    return to_html(stream_item(values[KEY_HOLE], node))


def _cut(
    html: str, sentinels: Mapping[str, str], fail: Callable[[str], TemplateError]
) -> tuple[list[str], list[Hole]]:
    by_text = {text: name for name, text in sentinels.items()}
    parts: list[str] = []
    holes: list[Hole] = []
    rest = html
    current = ""
    while True:
        start = rest.find(_OPEN)
        if start < 0:
            current += rest
            break
        end = rest.find(_CLOSE, start)
        name = by_text.get(rest[start : end + 1]) if end >= 0 else None
        if name is None:
            raise fail(_CHANGED)
        current += rest[:start]
        parts.append(current)
        current = ""
        before = "".join(parts)
        inside_tag = before.rfind("<") > before.rfind(">")
        holes.append(Hole(name, "attr" if inside_tag else "text"))
        rest = rest[end + 1 :]
    parts.append(current)
    return parts, holes


def _join(parts: Sequence[str], holes: Sequence[Hole], values: Mapping[str, str]) -> str:
    out = [parts[0]]
    for hole, part in zip(holes, parts[1:], strict=True):
        value = values[hole.name]
        out.append(escape_attr(value) if hole.context == "attr" else escape_text(value))
        out.append(part)
    return "".join(out)


def _which_changes(
    shape: RecordShape,
    renderer: Callable[[Any], Element],
    first: Mapping[str, str],
    second: Mapping[str, str],
    parts: list[str],
    holes: list[Hole],
    fail: Callable[[str], TemplateError],
) -> str:
    """The first computed field whose second sentinel alone breaks the template."""
    for name in shape.computed:
        mixed = {**first, name: second[name]}
        if _render(shape, renderer, mixed, fail) != _join(parts, holes, mixed):
            return name
    return shape.computed[0] if shape.computed else KEY_HOLE
