"""The node values a view's ``render`` returns: elements, text, raw markup, streams, memos.

Every node is a frozen attrs value; a tree is built fresh on each render and compared
with the previous one by :func:`actorview.render.diff`. The builder in
``actorview.render._builder`` (``h.div(...)``) is the pleasant way to make them; the classes
here are the contract between the view layer, the diff and the wire.

Shape rules the constructors enforce, so that a tree maps one-to-one onto the browser's
DOM (the diff addresses nodes by child index, see docs/PROTOCOL.md):

- adjacent :class:`Text` children are merged and empty ones dropped (the HTML parser
  would do the same);
- a :class:`Raw` child must be the only child of its element (its markup may parse into
  any number of DOM nodes, so it owns its parent's content);
- tag and attribute names are checked once, when the node is built;
- every text, raw markup, string attribute value and key is passed through
  :func:`~actorview.render._normalize.normalize_text`, so a tree holds nothing a frame
  cannot encode or a browser's HTML parser would change (a lone surrogate or a NUL
  becomes U+FFFD, CR LF and CR become LF): the page's nodes are the tree's nodes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeAlias

from attrs import Attribute, field, frozen, validators

from actorview.render._errors import InvalidName, InvalidTree, UnsafeContent
from actorview.render._normalize import normalize_text

AttrValue: TypeAlias = str | int | float | bool | None
"""An attribute value: ``True`` writes a bare boolean attribute, ``False``/``None`` omit it."""

_TAG_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*\Z")
_ATTR_RE = re.compile(r"[A-Za-z_:@][A-Za-z0-9_:.@-]*\Z")
_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "data"})
_CHECKED_TAGS: set[str] = set()
_CHECKED_ATTRS: set[str] = set()
_URL_NAMES: set[str] = set()
"""Checked attribute names that are URL attributes in any case (``href``, ``SRC``...)."""


def check_tag(tag: str) -> str:
    """Return ``tag`` if it is a safe lowercase HTML tag name, else raise :class:`InvalidName`."""
    if tag in _CHECKED_TAGS:
        return tag
    if not isinstance(tag, str) or not _TAG_RE.match(tag):
        raise InvalidName(
            f"{tag!r} is not a valid tag name: use lowercase letters, digits and inner "
            "hyphens, e.g. 'div' or 'my-widget'"
        )
    _CHECKED_TAGS.add(tag)
    return tag


def _check_attr_name(name: str) -> None:
    if name in _CHECKED_ATTRS:
        return
    if not isinstance(name, str) or not _ATTR_RE.match(name):
        raise InvalidName(
            f"{name!r} is not a valid attribute name: use letters, digits, '-', '_', ':' "
            "or '.', with no spaces, quotes, '=' or '>'"
        )
    if name.lower().startswith("on"):
        raise UnsafeContent(
            f"attribute {name!r} would run its value as JavaScript: use av-click / "
            "av-submit / av-keydown for events, or a client hook (av-hook) for custom JS"
        )
    if name.lower() in _URL_ATTRS:
        _URL_NAMES.add(name)
    _CHECKED_ATTRS.add(name)


def _check_attr_value(name: str, value: object) -> None:
    if value is None or isinstance(value, (str, bool, int, float)):
        if (
            isinstance(value, str)
            and name.lower() in _URL_ATTRS
            and re.sub(r"[\x00-\x20]", "", value).lower().startswith(("javascript:", "vbscript:"))
        ):
            raise UnsafeContent(
                f"attribute {name!r} holds a script URL ({value[:30]!r}...): a URL from "
                "state must not run code; use an http(s) or relative URL"
            )
        return
    raise InvalidTree(
        f"attribute {name!r} has a {type(value).__name__} value; use str, int, float, "
        "bool or None (True writes a bare attribute, False/None leaves it out)"
    )


def _freeze_attrs(value: Mapping[str, AttrValue] | None) -> Mapping[str, AttrValue]:
    if not value:
        return {}
    return check_attrs(dict(value))


_PLAIN_VALUES = frozenset({int, float, bool, type(None)})


def check_attrs(attrs: dict[str, AttrValue]) -> dict[str, AttrValue]:
    """Check every name and value of ``attrs`` (a dict the caller owns); return it, its
    string values normalised (in place).

    The common case costs two set lookups per attribute and a scan of each string value:
    names are checked once per process, and only string values of URL attributes are
    inspected further.
    """
    for name, value in attrs.items():
        if name not in _CHECKED_ATTRS:
            _check_attr_name(name)
        kind = type(value)
        if kind is str:
            clean = normalize_text(value)  # type: ignore[arg-type]
            if clean is not value:
                attrs[name] = value = clean  # an existing key: iterating goes on
            if name in _URL_NAMES:
                _check_attr_value(name, value)
        elif kind not in _PLAIN_VALUES:
            _check_attr_value(name, value)
    return attrs


def _key(value: str | int | None) -> str | None:
    if value is None:
        return value
    if isinstance(value, str):
        return normalize_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise InvalidTree(f"key must be a str or int, got {type(value).__name__} {value!r}")


def _normal(value: str) -> str:
    """``value`` normalised when it is a ``str`` (anything else is left to the validator)."""
    return normalize_text(value) if type(value) is str else value


@frozen(slots=True)
class Text:
    """A run of text, normalised (:func:`~actorview.render._normalize.normalize_text`).
    Always escaped when written as HTML."""

    text: str = field(converter=_normal, validator=validators.instance_of(str))


@frozen(slots=True)
class Raw:
    """Markup written as-is, never escaped: the explicit, greppable opt-in (see :func:`raw`).

    It must be the only child of its element, e.g. ``h.div(raw(markdown_html))``.
    Only pass markup you produced or sanitised yourself, never a string from a user.
    """

    html: str = field(converter=_normal, validator=validators.instance_of(str))


Markup = Raw
"""Alias of :class:`Raw` for readers used to markupsafe/Jinja."""


def raw(html: str) -> Raw:
    """Mark ``html`` as trusted markup to be written without escaping."""
    return Raw(html)


def _normalize_children(children: Iterable[Node]) -> tuple[Node, ...]:
    items = children if isinstance(children, tuple) else tuple(children)
    return items if _already_normal(items) else _normalized(items)


def _already_normal(items: tuple[Node, ...]) -> bool:
    """Whether ``items`` needs no merge, drop or check: no empty or adjacent text, no
    raw markup, nothing but nodes (one type test per child, the render's common case)."""
    after_text = False
    for child in items:
        kind = type(child)
        if kind is Text:
            if after_text or not child.text:  # type: ignore[union-attr]
                return False
            after_text = True
        elif kind is Element or kind is StreamSlot or kind is Memo:
            after_text = False
        else:
            return False
    return True


def _normalized(items: tuple[Node, ...]) -> tuple[Node, ...]:
    out: list[Node] = []
    merge = False
    has_raw = False
    for child in items:
        if isinstance(child, Text):
            if not child.text:
                merge = True
                continue
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text + child.text)
                merge = True
                continue
        elif isinstance(child, Raw):
            has_raw = True
        elif not isinstance(child, (Element, StreamSlot, Memo)):
            raise InvalidTree(
                f"a child must be a node (Element, Text, Raw, StreamSlot, Memo), got "
                f"{type(child).__name__} {child!r}; build children with h.<tag>(...) which "
                "turns strings into escaped Text"
            )
        out.append(child)
    if has_raw and len(out) > 1:
        raise InvalidTree(
            "raw markup must be the only child of its element, because its markup may "
            "parse into any number of nodes; wrap it: h.span(raw(...))"
        )
    if not merge and len(out) == len(items):
        return items
    return tuple(out)


@frozen(slots=True)
class Element:
    """An HTML element: ``tag``, attributes, children and an optional sibling ``key``.

    ``key`` identifies the element among its siblings across renders, so a reordered
    list moves elements instead of rebuilding them.
    """

    tag: str = field(converter=check_tag)
    attrs: Mapping[str, AttrValue] = field(factory=dict, converter=_freeze_attrs)
    children: tuple[Node, ...] = field(default=(), converter=_normalize_children)
    key: str | None = field(default=None, converter=_key)


@frozen(slots=True)
class StreamInsert:
    """Insert (or replace, when ``key`` is already shown) one item of a stream.

    ``at``: ``-1`` appends, ``0`` prepends, ``i`` inserts before the item now at index ``i``.
    ``limit``: keep at most this many items afterwards, trimming from the end opposite
    to the insertion (an append trims the oldest at the start; any other insert trims
    at the end). Replacing an existing key keeps its place and ignores ``at``.
    """

    key: str = field(converter=_key)
    node: Element = field()
    at: int = -1
    limit: int | None = None

    @node.validator
    def _check_node(self, _attribute: Attribute[Element], value: object) -> None:
        if not isinstance(value, Element):
            raise InvalidTree(
                f"a stream item must be an Element (it carries its key in the page as "
                f"av-key), got {type(value).__name__}; wrap it: h.div(...)"
            )


@frozen(slots=True)
class StreamDelete:
    """Remove the item with ``key`` from a stream (nothing happens if it is not shown)."""

    key: str = field(converter=_key)


@frozen(slots=True)
class StreamReset:
    """Remove every item of a stream; later ops of the same render insert afresh."""


StreamOp: TypeAlias = StreamInsert | StreamDelete | StreamReset


def _ops(value: Iterable[StreamOp]) -> tuple[StreamOp, ...]:
    return tuple(value)


STREAM_TAIL_ATTR = "av-tail"
"""The attribute that marks a stream container's tail element in the page (inserts go
before it; a reset keeps it)."""


def _tail(value: Element | None) -> Element | None:
    if value is None:
        return None
    if not isinstance(value, Element):
        raise InvalidTree(
            f"a stream's tail must be an Element (one live element after its items), got "
            f"{type(value).__name__}; wrap it: h.li(...), or h.template() for an empty one"
        )
    if STREAM_TAIL_ATTR in value.attrs:
        return value
    node: Element = _new(Element)
    _init_field(node, "tag", value.tag)
    _init_field(node, "attrs", _tail_attrs(value.attrs))
    _init_field(node, "children", value.children)
    _init_field(node, "key", value.key)
    return node


_TAILS_MAX = 256
_tails: dict[int, tuple[Mapping[str, AttrValue], dict[str, AttrValue]]] = {}
"""A tail's attributes with ``av-tail``, by the id of the attributes it was given (held,
so the id is not reused): the builder shares the attributes of elements built alike,
so the streamed reply's tail, built anew on every token, is marked by a lookup."""


def _tail_attrs(attrs: Mapping[str, AttrValue]) -> dict[str, AttrValue]:
    """``attrs`` (checked already: an element's) and ``av-tail``, shared while ``attrs`` is."""
    found = _tails.get(id(attrs))
    if found is not None and found[0] is attrs:
        return found[1]
    marked = {**attrs, STREAM_TAIL_ATTR: True}
    if len(_tails) >= _TAILS_MAX:
        _tails.clear()
    _tails[id(attrs)] = (attrs, marked)
    return marked


@frozen(slots=True)
class StreamSlot:
    """The container element of a ``stream`` field, carrying only the pending ops.

    The items already in the page are neither held nor walked: the first render writes
    the items the ops insert, and later diffs ship just the new ops. ``name`` is the
    stream's identity; a slot whose name changes is rendered afresh.

    ``tail``: one live element after the items (the reply being streamed at the end of
    a chat's history), diffed like any element on every render, at the path step ``-1``
    (the container's last child: the server never knows how many items the page
    shows). Items are inserted before it and a reset keeps it. A slot with a tail must
    have one in every render (``h.template()`` when there is nothing to show), and one
    without never gains one: a change either way would have to re-render the items,
    which the server does not hold (:class:`InvalidTree`).
    """

    tag: str = field(converter=check_tag)
    attrs: Mapping[str, AttrValue] = field(factory=dict, converter=_freeze_attrs)
    name: str = ""
    ops: tuple[StreamOp, ...] = field(default=(), converter=_ops)
    key: str | None = field(default=None, converter=_key)
    tail: Element | None = field(default=None, converter=_tail, kw_only=True)


def _deps(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


def _no_node() -> list[Element]:
    return []


@frozen(slots=True)
class Memo:
    """A subtree rebuilt only when ``deps`` change.

    On each render the diff compares ``deps`` with those of the :class:`Memo` at the same
    place in the previous tree; when equal, ``build`` is not called and the previous
    subtree is reused as-is, so neither building nor diffing it costs anything.
    ``deps`` must be immutable values compared with ``==`` (ids, versions, tuples): a list
    mutated in place compares equal to itself and would hide the change (and ``==`` holds
    ``1 == True == 1.0``, so do not mix such values in one dependency).
    ``build`` must return an :class:`Element`. Keep stream containers outside memos: a
    memo that is reused ships nothing from inside it, stream ops included.
    """

    deps: tuple[Any, ...] = field(converter=_deps)
    build: Callable[[], Element] = field(eq=False, repr=False)
    key: str | None = field(default=None, converter=_key)
    _cell: list[Element] = field(factory=_no_node, init=False, eq=False, repr=False)

    def resolve(self) -> Element:
        """The built subtree; built on first use, then cached."""
        if not self._cell:
            node = self.build()
            if not isinstance(node, Element):
                raise InvalidTree(
                    f"Memo build must return an Element, got {type(node).__name__}; "
                    "wrap the content: lambda: h.div(...)"
                )
            self._cell.append(node)
        return self._cell[0]

    def adopt(self, previous: Memo) -> None:
        """Reuse ``previous``'s built subtree (the diff calls this when deps are equal)."""
        if not self._cell:
            self._cell.append(previous.resolve())


Node: TypeAlias = Element | Text | Raw | StreamSlot | Memo
"""Any node of a tree."""

_new = object.__new__
_init_field = object.__setattr__


def make_text(value: str) -> Text:
    """``Text(value)`` for a value known to be a ``str`` (the builder's hot path)."""
    node: Text = _new(Text)
    _init_field(node, "text", normalize_text(value))
    return node


def make_element(
    tag: str,
    attrs: dict[str, AttrValue],
    children: tuple[Node, ...],
    key: str | int | None,
    *,
    checked: bool = False,
) -> Element:
    """``Element(tag, attrs, children, key)`` for a caller that hands over ``attrs`` (a
    fresh dict no one else holds), as the builder does on every render; ``checked``:
    ``attrs`` is a dict :func:`check_attrs` returned, kept unchanged by everyone (the
    builder's shared attributes), held as it is.

    The same checks as the constructor, without its copy of ``attrs`` and the per-field
    converter calls: a render builds every element of the page on every token.
    """
    node: Element = _new(Element)
    _init_field(node, "tag", tag if tag in _CHECKED_TAGS else check_tag(tag))
    _init_field(node, "attrs", attrs if checked or not attrs else check_attrs(attrs))
    _init_field(node, "children", children if _already_normal(children) else _normalized(children))
    _init_field(node, "key", key if key is None else _key(key))
    return node


def make_slot(
    tag: str,
    attrs: dict[str, AttrValue],
    name: str,
    ops: tuple[StreamOp, ...],
    key: str | int | None,
    tail: Element | None,
) -> StreamSlot:
    """``StreamSlot(tag, attrs, name, ops, key, tail=tail)`` for a caller whose ``attrs``
    :func:`check_attrs` returned and no one changes (the builder's shared attributes):
    the constructor's checks but the copy of ``attrs``, as :func:`make_element`."""
    node: StreamSlot = _new(StreamSlot)
    _init_field(node, "tag", tag if tag in _CHECKED_TAGS else check_tag(tag))
    _init_field(node, "attrs", attrs)
    _init_field(node, "name", name)
    _init_field(node, "ops", ops)
    _init_field(node, "key", key if key is None else _key(key))
    _init_field(node, "tail", _tail(tail))
    return node


def node_key(node: Node) -> str | None:
    """The sibling key of ``node`` (``None`` for text, raw markup and unkeyed nodes)."""
    if isinstance(node, (Text, Raw)):
        return None
    return node.key
