"""A stream container's tail: one live element after the items, diffed at path step -1.

The chat streams its reply as the last item of ``#history`` this way: the items are
inserted before the tail, a reset keeps it, and the server, which does not know how many
items the page shows, addresses it as the container's last child.
"""

from __future__ import annotations

import pytest

from actorview.render import (
    AppendText,
    Document,
    Element,
    InvalidTree,
    ReplaceNode,
    StreamInsert,
    StreamInsertItem,
    StreamReset,
    decode,
    diff,
    encode,
    h,
    to_html,
)


def page(ops: list[StreamInsert | StreamReset], tail: Element | None) -> Element:
    return h.div(h.stream("ul", "m", ops, id="log", tail=tail))


def test_the_tail_is_written_after_the_items_and_marked() -> None:
    tree = page([StreamInsert("a", h.li("a"))], h.li("live", id="draft"))
    assert to_html(tree) == (
        '<div><ul id="log"><li av-key="a">a</li><li id="draft" av-tail>live</li></ul></div>'
    )


def test_the_tail_is_diffed_at_the_last_child_however_many_items_the_page_shows() -> None:
    old = page([StreamInsert(str(i), h.li(i)) for i in range(3)], h.li("Hel", id="draft"))
    new = page([], h.li("Hello", id="draft"))
    ops = diff(old, new)
    assert ops == [AppendText((0, -1, 0), "lo")]
    assert decode(encode(ops)) == ops
    shown = Document.from_tree(old).apply(ops)
    assert shown.html().endswith('<li id="draft" av-tail>Hello</li></ul></div>')


def test_items_are_inserted_before_the_tail_and_a_limit_never_trims_it() -> None:
    old = page([StreamInsert("a", h.li("a")), StreamInsert("b", h.li("b"))], h.template())
    new = page([StreamInsert("c", h.li("c"), limit=2)], h.template())
    ops = diff(old, new)
    assert ops == [StreamInsertItem((0,), "c", '<li av-key="c">c</li>', -1, 2)]
    assert Document.from_tree(old).apply(ops).html() == (
        '<div><ul id="log"><li av-key="b">b</li><li av-key="c">c</li>'
        "<template av-tail></template></ul></div>"
    )
    front = page([StreamInsert("z", h.li("z"), at=0, limit=2)], h.template())
    assert Document.from_tree(old).apply(diff(old, front)).html() == (
        '<div><ul id="log"><li av-key="z">z</li><li av-key="a">a</li>'
        "<template av-tail></template></ul></div>"
    )


def test_a_reset_removes_the_items_and_keeps_the_tail() -> None:
    old = page([StreamInsert("a", h.li("a"))], h.li("live"))
    new = page([StreamReset()], h.li("live"))
    assert Document.from_tree(old).apply(diff(old, new)).html() == (
        '<div><ul id="log"><li av-tail>live</li></ul></div>'
    )


def test_a_tail_of_another_tag_is_replaced_in_place() -> None:
    old = page([StreamInsert("a", h.li("a"))], h.template())
    new = page([], h.li("thinking", id="draft"))
    ops = diff(old, new)
    assert ops == [ReplaceNode((0, -1), '<li id="draft" av-tail>thinking</li>')]
    assert Document.from_tree(old).apply(ops).html() == (
        '<div><ul id="log"><li av-key="a">a</li><li id="draft" av-tail>thinking</li></ul></div>'
    )


def test_a_slot_that_gains_or_loses_its_tail_is_refused_with_the_fix() -> None:
    with_tail = page([], h.template())
    without = page([], None)
    with pytest.raises(InvalidTree, match=r"gained its tail.*h\.template\(\)"):
        diff(without, with_tail)
    with pytest.raises(InvalidTree, match="lost its tail"):
        diff(with_tail, without)


def test_a_tail_must_be_an_element() -> None:
    with pytest.raises(InvalidTree, match="tail must be an Element"):
        h.stream("ul", "m", [], tail="text")  # type: ignore[arg-type]
