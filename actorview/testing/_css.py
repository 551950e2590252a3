"""A small CSS selector engine over the reference DOM (:class:`~actorview.render.Document`).

The test client finds elements with the selectors a browser understands, so a test reads
like the page it checks. Supported: type (``button``), universal (``*``), ``#id``,
``.class``, attributes (``[name]``, ``[name=value]``, ``[name="quoted value"]``,
``~=``, ``^=``, ``$=``, ``*=``, ``|=``), compound selectors (``button.primary[disabled]``),
the descendant (space) and child (``>``) combinators, and groups (``a, b``). Anything else
(pseudo-classes, ``+``, ``~``) raises :class:`SelectorError` rather than matching wrongly.

    >>> from actorview.render import Document
    >>> doc = Document.from_html('<div><ul id="h"><li class="m user">hi</li></ul></div>')
    >>> [text_of(e) for e in select(doc.root, "#h > li.user")]
    ['hi']
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import attrs

from actorview.errors import ActorViewError
from actorview.render import DomElement, DomNode, DomText


class SelectorError(ActorViewError, ValueError):
    """A selector the engine cannot parse or does not support; the message shows where."""


@attrs.frozen
class AttrTest:
    """One ``[name op value]`` test; ``op`` is ``None`` for a bare ``[name]``."""

    name: str
    op: str | None = None
    value: str = ""

    def matches(self, element: DomElement) -> bool:
        actual = element.attrs.get(self.name)
        if actual is None:
            return False
        value = self.value
        match self.op:
            case None:
                return True
            case "=":
                return actual == value
            case "~=":
                return value in actual.split()
            case "^=":
                return bool(value) and actual.startswith(value)
            case "$=":
                return bool(value) and actual.endswith(value)
            case "*=":
                return bool(value) and value in actual
            case "|=":
                return actual == value or actual.startswith(value + "-")
        return False  # pragma: no cover - the parser only makes the ops above


@attrs.frozen
class Compound:
    """A compound selector: an optional tag and tests that must all hold."""

    tag: str | None = None
    ids: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    attributes: tuple[AttrTest, ...] = ()

    def matches(self, element: DomElement) -> bool:
        if self.tag is not None and element.tag != self.tag:
            return False
        if any(element.attrs.get("id") != ident for ident in self.ids):
            return False
        if self.classes:
            have = element.attrs.get("class", "").split()
            if any(name not in have for name in self.classes):
                return False
        return all(test.matches(element) for test in self.attributes)


@attrs.frozen
class Complex:
    """Compounds joined by combinators, left to right: ``parts[i]`` is preceded by
    ``combinators[i - 1]`` (``" "`` descendant or ``">"`` child)."""

    source: str
    parts: tuple[Compound, ...]
    combinators: tuple[str, ...]

    def prefixes(self) -> Iterator[Complex]:
        """The shorter selectors made of the first 1..n-1 compounds (for error messages)."""
        for size in range(len(self.parts) - 1, 0, -1):
            yield Complex(
                _join(self.parts[:size], self.combinators[: size - 1]),
                self.parts[:size],
                self.combinators[: size - 1],
            )


_IDENT = r"-?[_a-zA-Z][-_a-zA-Z0-9]*"
_TOKEN = re.compile(
    rf"""
    (?P<space>\s*(?P<comb>[>,+~])\s*|\s+)
  | (?P<tag>{_IDENT}|\*)
  | \#(?P<id>-?[_a-zA-Z0-9][-_a-zA-Z0-9]*)
  | \.(?P<cls>{_IDENT})
  | \[\s*(?P<attr>[^\s~|^$*=\]]+)\s*
        (?:(?P<op>[~|^$*]?=)\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s\]]+))\s*)?\]
  | (?P<other>:{{1,2}}[-a-zA-Z]+|.)
    """,
    re.VERBOSE,
)


def parse(selector: str) -> tuple[Complex, ...]:
    """Parse a selector group into its complex selectors; :class:`SelectorError` if bad."""
    text = selector.strip()
    if not text:
        raise SelectorError("an empty selector matches nothing; write e.g. 'button#send'")
    groups: list[Complex] = []
    parts: list[Compound] = []
    combinators: list[str] = []
    current: dict[str, list[object]] | None = None
    pending: str | None = None
    start = 0

    def close_compound(at: int) -> None:
        nonlocal current, pending
        if current is None:
            raise SelectorError(_where(selector, at, "expected a selector here"))
        if parts:
            combinators.append(pending or " ")
        parts.append(_compound(current))
        current, pending = None, None

    def close_group(at: int) -> None:
        nonlocal start
        close_compound(at)
        groups.append(Complex(text[start:at].strip(), tuple(parts), tuple(combinators)))
        parts.clear()
        combinators.clear()

    position = 0
    while position < len(text):
        token = _TOKEN.match(text, position)
        assert token is not None  # the last alternative matches any character
        kind = token.lastgroup if token.group("space") is None else "space"
        if kind == "space":
            comb = token.group("comb")
            if comb in ("+", "~"):
                raise SelectorError(
                    _where(selector, position, f"the {comb!r} combinator is not supported")
                )
            if comb == ",":
                close_group(position)
                start = token.end()
            elif current is not None:
                close_compound(position)
                pending = comb or " "
            elif comb == ">" and parts and pending == " ":
                pending = ">"
            else:
                raise SelectorError(_where(selector, position, "a combinator needs a selector"))
        elif token.group("other") is not None:
            found = token.group("other")
            what = (
                f"pseudo-class {found!r} is not supported"
                if found.startswith(":")
                else f"unexpected {found!r}"
            )
            raise SelectorError(_where(selector, position, what))
        else:
            if current is None:
                current = {"tag": [], "id": [], "cls": [], "attr": []}
            elif token.group("tag") is not None:
                raise SelectorError(_where(selector, position, "a type selector must come first"))
            if token.group("tag") is not None:
                current["tag"].append(token.group("tag").lower())
            elif token.group("id") is not None:
                current["id"].append(token.group("id"))
            elif token.group("cls") is not None:
                current["cls"].append(token.group("cls"))
            else:
                value = next(
                    (v for v in token.group("dq", "sq", "bare") if v is not None),
                    "",
                )
                current["attr"].append(AttrTest(token.group("attr"), token.group("op"), value))
        position = token.end()
    if current is None:
        raise SelectorError(_where(selector, len(selector), "the selector ends with a combinator"))
    close_group(len(text))
    return tuple(groups)


def _compound(parts: dict[str, list[object]]) -> Compound:
    tag = str(parts["tag"][0]) if parts["tag"] else "*"
    return Compound(
        tag=None if tag == "*" else tag,
        ids=tuple(str(i) for i in parts["id"]),
        classes=tuple(str(c) for c in parts["cls"]),
        attributes=tuple(a for a in parts["attr"] if isinstance(a, AttrTest)),
    )


def _join(parts: Sequence[Compound], combinators: Sequence[str]) -> str:
    out = [_compound_source(parts[0])]
    for combinator, part in zip(combinators, parts[1:], strict=True):
        out.append(" > " if combinator == ">" else " ")
        out.append(_compound_source(part))
    return "".join(out)


def _compound_source(part: Compound) -> str:
    out = part.tag or ("" if part.ids or part.classes or part.attributes else "*")
    out += "".join(f"#{i}" for i in part.ids) + "".join(f".{c}" for c in part.classes)
    for test in part.attributes:
        out += f"[{test.name}]" if test.op is None else f'[{test.name}{test.op}"{test.value}"]'
    return out


def _where(selector: str, at: int, problem: str) -> str:
    return f"bad selector {selector!r}: {problem} (at position {at})"


def _matches(selector: Complex, element: DomElement, ancestors: Sequence[DomElement]) -> bool:
    parts, combinators = selector.parts, selector.combinators
    if not parts[-1].matches(element):
        return False
    return _match_left(parts, combinators, len(parts) - 2, ancestors, len(ancestors))


def _match_left(
    parts: Sequence[Compound],
    combinators: Sequence[str],
    index: int,
    ancestors: Sequence[DomElement],
    limit: int,
) -> bool:
    """Whether ``parts[: index + 1]`` matches going up from ``ancestors[limit - 1]``."""
    if index < 0:
        return True
    if combinators[index] == ">":
        if limit == 0 or not parts[index].matches(ancestors[limit - 1]):
            return False
        return _match_left(parts, combinators, index - 1, ancestors, limit - 1)
    for position in range(limit - 1, -1, -1):
        if parts[index].matches(ancestors[position]) and _match_left(
            parts, combinators, index - 1, ancestors, position
        ):
            return True
    return False


def walk(root: DomNode) -> Iterator[tuple[DomElement, tuple[DomElement, ...]]]:
    """Every element under and including ``root``, in document order, with its ancestors
    (outermost first)."""
    if not isinstance(root, DomElement):
        return
    stack: list[tuple[DomElement, tuple[DomElement, ...]]] = [(root, ())]
    while stack:
        element, ancestors = stack.pop()
        yield element, ancestors
        inner = (*ancestors, element)
        for child in reversed(element.children):
            if isinstance(child, DomElement):
                stack.append((child, inner))


def select(root: DomNode, selector: str | Sequence[Complex]) -> list[DomElement]:
    """The elements under and including ``root`` that match ``selector``, in page order."""
    groups = parse(selector) if isinstance(selector, str) else selector
    return [
        element
        for element, ancestors in walk(root)
        if any(_matches(group, element, ancestors) for group in groups)
    ]


def text_of(node: DomNode) -> str:
    """The text content of ``node`` (all its text nodes, in order)."""
    if isinstance(node, DomText):
        return node.text
    return "".join(text_of(child) for child in node.children)
