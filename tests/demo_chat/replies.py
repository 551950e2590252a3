"""Reading a chat reply's item as the page has it: what its copy button copies, what it
shows (for the Markdown tests, unit and property)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from actorview.render import DomElement, DomNode, parse_html
from actorview.render._document import dom_html


def elements(nodes: list[DomNode]) -> Iterator[DomElement]:
    """Every element of ``nodes`` and their descendants, in page order."""
    for node in nodes:
        if isinstance(node, DomElement):
            yield node
            yield from elements(node.children)


def copied(reply: str) -> str:
    """What a reply's ``button.copy`` copies (as chat.js does): the sources of the
    blocks of the reply item's ``.markdown`` (``data-md``), joined in page order."""
    (item,) = parse_html(reply)
    assert isinstance(item, DomElement)
    markdown = [c for c in item.children if isinstance(c, DomElement) and c.tag == "div"]
    assert markdown and markdown[0].attrs.get("class") == "markdown"
    return "".join(
        e.attrs["data-md"] for e in elements(markdown[0].children) if "data-md" in e.attrs
    )


def unwrapped(html: str) -> str:
    """``html`` without its ``div`` tags: a reply's blocks, however they are grouped."""
    return re.sub(r"</?div[^>]*>", "", html)


def shown(reply: str) -> str:
    """The HTML of a reply item's blocks, without the ``div`` wrappers around them."""
    (item,) = parse_html(reply)
    assert isinstance(item, DomElement)
    return unwrapped(dom_html(item.children[0]))
