"""A chat page in a test: the DOM built only from the frames the view sent."""

from __future__ import annotations

from collections.abc import Iterator

from actorview.render import Document, DomElement, DomNode, DomText
from actorview.view import Rendered


class Page:
    """Applies every :class:`Rendered` the view sends to a :class:`Document`."""

    def __init__(self) -> None:
        self.document: Document | None = None
        self.frames: list[Rendered] = []

    def __call__(self, rendered: Rendered) -> None:
        self.frames.append(rendered)
        if self.document is None:
            self.document = Document.from_tree(rendered.tree)
        else:
            self.document.apply(rendered.patches)

    def by_id(self, ident: str) -> DomElement:
        assert self.document is not None
        for element in _elements(self.document.root):
            if element.attrs.get("id") == ident:
                return element
        raise AssertionError(f"no #{ident} in {self.document.html()}")

    def text(self, ident: str) -> str:
        return _text(self.by_id(ident))

    def has(self, ident: str) -> bool:
        assert self.document is not None
        return any(e.attrs.get("id") == ident for e in _elements(self.document.root))

    def draft(self) -> str | None:
        """The text of the reply being streamed (``li#draft``), or None when none is."""
        return self.text("draft") if self.has("draft") else None

    def tail(self) -> DomElement:
        """The history's last item after the kept messages (the stream's tail)."""
        last = self.by_id("history").children[-1]
        assert isinstance(last, DomElement) and "av-tail" in last.attrs
        return last

    def disabled(self, ident: str) -> bool:
        return "disabled" in self.by_id(ident).attrs

    def history(self) -> list[tuple[str, str]]:
        """``(data-role, text)`` of each kept history item, in page order (not the
        reply being streamed, nor the bar after the last turn)."""
        return [
            (child.attrs["data-role"], _text(child))
            for child in self.by_id("history").children
            if isinstance(child, DomElement) and "av-tail" not in child.attrs
        ]


def _elements(node: DomNode) -> Iterator[DomElement]:
    if isinstance(node, DomElement):
        yield node
        for child in node.children:
            yield from _elements(child)


def _text(node: DomNode) -> str:
    if isinstance(node, DomText):
        return node.text
    return "".join(_text(child) for child in node.children)
