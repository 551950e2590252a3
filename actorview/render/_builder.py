"""The HTML builder a view's ``render`` uses: ``h.div({"class": "x"}, h.p("hi"), key=...)``.

Any tag is an attribute of :data:`h` (``h("my-widget", ...)`` for names that are not
identifiers). Arguments, in any order:

- a mapping: attributes (``{"class": "x", "disabled": True}``);
- keyword arguments: more attributes; a trailing ``_`` is dropped and ``_`` becomes
  ``-`` (``class_="x"``, ``av_click="send"``, ``data_id=3``);
- ``key=``: the element's identity among its siblings;
- anything else: children. Strings and numbers become escaped text; ``None``, ``False``
  and ``True`` are skipped, so ``cond and h.p(...)`` works; lists, tuples and generators
  are spliced in, so loops are plain comprehensions.

A ``class`` value may also be a list (falsy entries dropped) or a dict of
``{name: condition}``. Example::

    h.ul({"class": "messages"},
         [h.li(m.text, key=m.id) for m in messages],
         not messages and h.li("No messages yet"))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeAlias, runtime_checkable

from actorview.render._errors import InvalidTree
from actorview.render._nodes import (
    AttrValue,
    Element,
    Memo,
    Node,
    Raw,
    StreamOp,
    StreamSlot,
    Text,
    check_attrs,
    check_tag,
    make_element,
    make_slot,
    make_text,
)


@runtime_checkable
class SupportsHtml(Protocol):
    """Trusted markup from another library (markupsafe's ``Markup``): written as-is."""

    def __html__(self) -> str: ...


Child: TypeAlias = "Node | str | int | float | bool | SupportsHtml | Iterable[Child] | None"
"""What may be passed as a child: nodes, text, numbers, skipped values, nested iterables."""

ClassValue: TypeAlias = "str | Iterable[str | bool | None] | Mapping[str, object]"

_NODE_TYPES = (Element, Text, Raw, StreamSlot, Memo)


def text(value: object) -> Text:
    """An escaped text node showing ``str(value)``."""
    return Text(value if isinstance(value, str) else str(value))


def fragment(*children: Child) -> tuple[Node, ...]:
    """Several siblings as one value, to return from a helper and splice into a parent."""
    out: list[Node] = []
    _collect(children, out)
    return tuple(out)


def _collect(items: Iterable[Child], out: list[Node]) -> None:
    for item in items:
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, _NODE_TYPES):
            out.append(item)
        elif isinstance(item, str):
            out.append(Text(item))
        elif isinstance(item, (int, float)):
            out.append(Text(str(item)))
        elif isinstance(item, SupportsHtml):
            out.append(Raw(item.__html__()))
        elif isinstance(item, Iterable):
            _collect(item, out)
        else:
            raise InvalidTree(
                f"cannot use a {type(item).__name__} ({item!r}) as a child: pass a node, a "
                "string, a number, None/False (skipped) or a list of those"
            )


_ATTR_NAMES: dict[str, str] = {}


def _attr_name(name: str) -> str:
    """The attribute a keyword names (``class_`` -> ``class``), remembered per keyword."""
    found = _ATTR_NAMES.get(name)
    if found is None:
        found = name.rstrip("_").replace("_", "-") if "_" in name else name
        if len(_ATTR_NAMES) < 4096:
            _ATTR_NAMES[name] = found
    return found


def _class_text(value: object) -> AttrValue:
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is list or kind is tuple:  # the common forms first: no ABC test (a render's hot path)
        names = [str(name) for name in value if name and name is not True]  # type: ignore[attr-defined]
        return " ".join(names) or None
    if isinstance(value, Mapping):
        names = [str(name) for name, on in value.items() if on]
        return " ".join(names) or None
    if isinstance(value, (list, tuple, set, frozenset)):
        names = [str(name) for name in value if name and name is not True]
        return " ".join(names) or None
    return value  # type: ignore[return-value]


def _attrs_of(
    mappings: list[Mapping[str, Any]], keywords: Mapping[str, Any]
) -> dict[str, AttrValue]:
    out: dict[str, Any] = {}
    for mapping in mappings:
        out.update(mapping)
    for name, value in keywords.items():
        out[_attr_name(name)] = value
    if "class" in out:
        out["class"] = _class_text(out["class"])
    return out


_NODE_KINDS = frozenset(_NODE_TYPES)
_SHARED_CHILDREN = frozenset({Element, Text, Raw})
_KEY_VALUES = frozenset({str, int, bool, type(None)})
_CLASS_ITEMS = frozenset({str, bool, type(None)})
_SHORT = 200
"""Longest string an element may hold to be shared (hashing a long draft on every token
would make a token's cost grow with the draft)."""
_SHARED_MAX = 4096
_shared: dict[tuple[Any, ...], Element] = {}
"""Elements built from the same arguments, shared (see :func:`_sharing_key`)."""
_NODE = object()


def _attrs_key(attributes: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The keyword attributes' part of a sharing key (their names, types and values), or
    None when one of them does not qualify (see :func:`_sharing_key`)."""
    parts: list[Any] = []
    for name, value in attributes.items():
        kind = type(value)
        if kind in _KEY_VALUES:
            if kind is str and len(value) > _SHORT:
                return None
            parts += (name, kind, value)
        elif (kind is list or kind is tuple) and _CLASS_ITEMS.issuperset(map(type, value)):
            parts += (name, kind, tuple(value))  # a class list of literals (checked later)
        else:
            return None
    return tuple(parts)


def _sharing_key(
    tag: str, args: tuple[Any, ...], key: Any, attrs_key: tuple[Any, ...]
) -> tuple[Any, ...] | None:
    """The key under which an element built from these arguments is shared, or None.

    A render rebuilds the whole page on every token, yet most of it (buttons, forms,
    labels) is built from the same arguments every time. Sharing the element built last
    time makes the diff's ``old is new`` test skip it, subtree and all, and lets every
    view of the process hold one copy. Nodes are immutable values, so sharing is not
    visible. Only plain arguments qualify: short strings, ints, bools, None (each with its
    type: ``1``, ``True`` and ``1.0`` write differently), and Element/Text/Raw children
    by identity (the shared element keeps them alive, so an id is never reused while it
    is a key); ``attrs_key`` is :func:`_attrs_key` of the keyword attributes. Mappings,
    lists, floats, memos and stream containers are built fresh.
    """
    parts: list[Any] = [tag, key, attrs_key]
    for arg in args:
        kind = type(arg)
        if kind is str:
            if len(arg) > _SHORT:
                return None
            parts.append(arg)
        elif kind in _SHARED_CHILDREN:
            parts += (_NODE, id(arg))
        elif kind in _KEY_VALUES:
            parts += (kind, arg)
        else:
            return None
    return tuple(parts)


def _slot_attrs_key(
    mappings: tuple[Mapping[str, Any], ...], attributes: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """:func:`_attrs_key` of a stream container's attribute mappings and keywords (a
    mapping's names are kept as they are, a keyword's converted: told apart by a mark)."""
    parts: list[Any] = [_NODE]
    for mapping in mappings:
        if type(mapping) is not dict:
            return None
        part = _attrs_key(mapping)
        if part is None:
            return None
        parts += (part, _NODE)
    part = _attrs_key(attributes) if attributes else ()
    if part is None:
        return None
    parts.append(part)
    return tuple(parts)


_ATTRS_MAX = 4096
_shared_attrs: dict[tuple[Any, ...], dict[str, AttrValue]] = {}
"""Checked attribute dicts by :func:`_attrs_key`, shared by the elements built with
those keyword attributes, so that an element built anew because a child changed (the
reply's ``li``, the containers above it) does not convert, join and check its
attributes again, and the diff's ``old.attrs is new.attrs`` test skips them. No one
mutates a node's attributes (nodes are immutable values), so sharing is not visible."""


def element(
    tag: str, *args: Child | Mapping[str, Any], key: str | int | None = None, **attributes: Any
) -> Element:
    """Build an :class:`Element`; ``h.<tag>(...)`` and ``h(tag, ...)`` call this.

    An element built from the same plain arguments as one built before is that same
    (immutable) element: see :func:`_sharing_key`.
    """
    return _element(tag, args, key, attributes)


def _element(
    tag: str, args: tuple[Any, ...], key: str | int | None, attributes: dict[str, Any]
) -> Element:
    attrs_key = _attrs_key(attributes) if attributes else ()
    if attrs_key is None:
        return _build(tag, args, key, attributes, None)
    sharing = _sharing_key(tag, args, key, attrs_key)
    if sharing is None:
        return _build(tag, args, key, attributes, attrs_key)
    found = _shared.get(sharing)
    if found is not None:
        return found
    built = _build(tag, args, key, attributes, attrs_key)
    if len(_shared) >= _SHARED_MAX:
        _shared.clear()  # a new generation: what is still in use comes back at once
    _shared[sharing] = built
    return built


def _build(
    tag: str,
    args: tuple[Any, ...],
    key: str | int | None,
    attributes: Mapping[str, Any],
    attrs_key: tuple[Any, ...] | None,
) -> Element:
    """Exact-type tests come first because a render builds every element of the page on
    every streamed token; anything unusual takes the general path (:func:`_collect`).
    With ``attrs_key`` (the keyword attributes qualify) and no mapping among ``args``,
    the checked attributes are :data:`_shared_attrs`' dict for them."""
    attrs: dict[str, Any] = {}
    children: list[Node] = []
    for arg in args:
        kind = type(arg)
        if kind is str:
            children.append(make_text(arg))
        elif kind in _NODE_KINDS:
            children.append(arg)
        elif arg is None or kind is bool:
            continue
        elif kind is dict or isinstance(arg, Mapping):
            attrs.update(arg)
            attrs_key = None
        else:
            _collect((arg,), children)
    if attrs_key is not None:
        shared = _shared_attrs.get(attrs_key)
        if shared is None:
            shared = check_attrs(_keyword_attrs(attrs, attributes))
            if len(_shared_attrs) >= _ATTRS_MAX:
                _shared_attrs.clear()
            _shared_attrs[attrs_key] = shared
        return make_element(tag, shared, tuple(children), key, checked=True)
    return make_element(tag, _keyword_attrs(attrs, attributes), tuple(children), key)


def _keyword_attrs(attrs: dict[str, Any], attributes: Mapping[str, Any]) -> dict[str, Any]:
    """``attrs`` with the keyword attributes added under their attribute names and a
    ``class`` list or mapping joined."""
    for name, value in attributes.items():
        attrs[_attr_name(name)] = value
    if "class" in attrs:
        attrs["class"] = _class_text(attrs["class"])
    return attrs


class TagBuilder:
    """``h.div``: calling it builds a ``<div>`` (see the module docstring for arguments)."""

    __slots__ = ("tag",)

    def __init__(self, tag: str) -> None:
        self.tag = check_tag(tag)

    def __call__(
        self, *args: Child | Mapping[str, Any], key: str | int | None = None, **attributes: Any
    ) -> Element:
        return _element(self.tag, args, key, attributes)  # no second packing of the arguments

    def __repr__(self) -> str:
        return f"h.{self.tag}"


class HtmlBuilder:
    """The type of :data:`h`: ``h.<tag>(...)``, ``h(tag, ...)``, ``h.stream``, ``h.memo``."""

    def __init__(self) -> None:
        self._tags: dict[str, TagBuilder] = {}

    def __getattr__(self, name: str) -> TagBuilder:
        if name.startswith("__"):
            raise AttributeError(name)
        tag = name.rstrip("_").replace("_", "-")
        builder = self._tags.get(tag)
        if builder is None:
            builder = self._tags[tag] = TagBuilder(tag)
        self.__dict__[name] = builder  # later lookups of h.<name> skip __getattr__
        return builder

    def __call__(
        self,
        tag: str,
        *args: Child | Mapping[str, Any],
        key: str | int | None = None,
        **attributes: Any,
    ) -> Element:
        return _element(tag, args, key, attributes)

    def stream(
        self,
        tag: str,
        name: str,
        ops: Iterable[StreamOp],
        *attrs: Mapping[str, Any],
        key: str | int | None = None,
        tail: Element | None = None,
        **attributes: Any,
    ) -> StreamSlot:
        """The container of stream ``name``, carrying the ops pending since the last
        render, and its live ``tail`` element after the items (see :class:`StreamSlot`)."""
        attrs_key = _slot_attrs_key(attrs, attributes)
        if attrs_key is None or type(name) is not str:
            return StreamSlot(
                tag, _attrs_of(list(attrs), attributes), name, tuple(ops), key, tail=tail
            )
        shared = _shared_attrs.get(attrs_key)
        if shared is None:
            shared = check_attrs(_attrs_of(list(attrs), attributes))
            if len(_shared_attrs) >= _ATTRS_MAX:
                _shared_attrs.clear()
            _shared_attrs[attrs_key] = shared
        return make_slot(tag, shared, name, tuple(ops), key, tail)

    def memo(
        self, deps: Iterable[Any], build: Callable[[], Element], key: str | int | None = None
    ) -> Memo:
        """A subtree rebuilt (and diffed) only when ``deps`` change; see :class:`Memo`."""
        return Memo(tuple(deps), build, key)


h = HtmlBuilder()
"""Build elements: ``h.div({"class": "x"}, h.p("text"), key="k")``."""
