"""A stream container's tail: one live element after the items, diffed at path step -1.

The chat streams its reply as the last item of ``#history`` this way: the items are
inserted before the tail, a reset keeps it, and the server, which does not know how many
items the page shows, addresses it as the container's last child.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from actorview.render import (
    AppendText,
    Document,
    Element,
    InvalidTree,
    PatchError,
    ReplaceNode,
    SetText,
    StreamDelete,
    StreamDeleteItem,
    StreamInsert,
    StreamInsertItem,
    StreamOp,
    StreamPromoteTail,
    StreamReset,
    StreamSlot,
    decode,
    diff,
    encode,
    h,
    to_html,
)
from actorview.render._serialize import stream_item


def page(ops: Sequence[StreamOp], tail: Element | None) -> Element:
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


# -- promotion: the tail becomes the appended item ---------------------------------------


def reply(blocks: int, *, done: bool) -> Element:
    """A chat-like reply: finished blocks (the same objects while it streams and once it
    is done), then the open block while it streams, a copy bar once done."""
    finished = [h.div(h.p(f"block {i} " + "text " * 20), key=i) for i in range(blocks)]
    if done:
        return h.li(h.div(*finished, class_="md"), h.div(h.button("copy"), class_="bar"))
    return h.li(h.div(*finished), h.div("open", class_="tail"), id="draft", class_="streaming")


def test_an_item_appended_where_the_tail_changed_is_promoted_from_the_tail() -> None:
    streaming = reply(20, done=False)
    old = page([StreamInsert("p", h.li("prompt"))], streaming)
    item = reply(20, done=True)
    new = page([StreamInsert("r", item)], h.li("Regenerate", class_="actions"))
    ops = diff(old, new)
    assert len(ops) == 1 and isinstance(ops[0], StreamPromoteTail)
    promoted = ops[0]
    assert (promoted.path, promoted.key, promoted.limit) == ((0,), "r", None)
    assert promoted.tail == '<li class="actions" av-tail>Regenerate</li>'
    assert decode(encode(ops)) == ops
    whole = to_html(stream_item("r", item))
    assert len(encode(ops)) < len(whole) / 5, "the finished blocks are not sent again"
    shown = Document.from_tree(old).apply(decode(encode(ops)))
    fresh = page(
        [StreamInsert("p", h.li("prompt")), StreamInsert("r", item)],
        h.li("Regenerate", class_="actions"),
    )
    assert shown.snapshot() == Document.from_tree(fresh).snapshot()


def test_the_promoted_element_is_the_tail_s_own_node() -> None:
    old = page([], reply(3, done=False))
    new = page([StreamInsert("r", reply(3, done=True))], h.template())
    shown = Document.from_tree(old)
    container = shown.element((0,))
    tail_node = container.children[-1]
    shown.apply(diff(old, new))
    assert container.children[0] is tail_node
    assert "av-tail" not in tail_node.attrs and tail_node.attrs["av-key"] == "r"  # type: ignore[union-attr]


def test_a_promotion_keeps_the_limit_and_the_ops_after_it() -> None:
    items = [StreamInsert(k, h.li(k)) for k in "abc"]
    old = page(items, reply(10, done=False))
    item = reply(10, done=True)
    new_ops: list[StreamOp] = [StreamInsert("r", item, limit=3), StreamDelete("b")]
    new = page(new_ops, h.template())
    ops = diff(old, new)
    assert [type(op) for op in ops] == [StreamPromoteTail, StreamDeleteItem]
    shown = Document.from_tree(old).apply(ops)
    assert shown.snapshot() == Document.from_tree(page([*items, *new_ops], h.template())).snapshot()
    assert [c.attrs.get("av-key") for c in shown.element((0,)).children] == ["c", "r", None]  # type: ignore[union-attr]


def test_a_promoted_key_already_shown_is_replaced_in_place() -> None:
    items = [StreamInsert(k, h.li(k)) for k in "rst"]
    old = page(items, reply(10, done=False))
    item = reply(10, done=True)
    new = page([StreamInsert("r", item)], h.template())
    ops = diff(old, new)
    assert isinstance(ops[0], StreamPromoteTail)
    shown = Document.from_tree(old).apply(ops)
    expected = page([*items, StreamInsert("r", item)], h.template())
    assert shown.snapshot() == Document.from_tree(expected).snapshot()


def test_a_promotion_is_not_chosen_when_it_does_not_fit_or_does_not_pay() -> None:
    streaming = reply(10, done=False)
    old = page([], streaming)
    done = reply(10, done=True)

    def kinds(new: Element) -> list[type]:
        return [type(op) for op in diff(old, new)]

    # another tag than the tail's
    assert StreamPromoteTail not in kinds(page([StreamInsert("r", h.div("x"))], h.template()))
    # not an append: at 0
    assert StreamPromoteTail not in kinds(page([StreamInsert("r", done, at=0)], h.template()))
    # the render's last insert is not an append (an earlier one is)
    last_front = [StreamInsert("r", done), StreamInsert("z", h.li("z"), at=0)]
    assert StreamPromoteTail not in kinds(page(last_front, h.template()))
    # the tail did not change: the same object
    assert kinds(same_tail_page(old, [StreamInsert("r", done)])) == [StreamInsertItem]
    # an unrelated small item: inserting it whole is smaller
    assert kinds(page([StreamInsert("r", h.li("ok"))], h.template())) == [
        StreamInsertItem,
        ReplaceNode,
    ]


def same_tail_page(old: Element, ops: list[StreamInsert]) -> Element:
    """``old``'s page with ``ops`` and the very tail object it had."""
    slot = old.children[0]
    assert isinstance(slot, StreamSlot) and slot.tail is not None
    return h.div(StreamSlot(slot.tag, slot.attrs, slot.name, ops, tail=slot.tail))


def test_a_tail_holding_a_stream_is_never_promoted() -> None:
    inner_old = h.stream("div", "inner", [StreamInsert("i", h.p("shown"))])
    old = page([], h.li(inner_old, h.p("a " * 50)))
    inner_new = h.stream("div", "inner", [])
    item = h.li(inner_new, h.p("a " * 50))
    ops = diff(old, page([StreamInsert("r", item)], h.template()))
    assert StreamPromoteTail not in [type(op) for op in ops]
    shown = Document.from_tree(old).apply(ops)
    assert shown.html() == to_html(page([StreamInsert("r", item)], h.template()))


def test_a_tail_op_on_a_page_whose_last_child_is_not_the_tail_is_refused() -> None:
    # A page that is not what the server diffed (an item after the tail): a tail op
    # applied to the item would leave it reading the tail's text; it is refused, and
    # the browser rejoins instead (socket.js).
    old = page([StreamInsert("a", h.li("a"))], h.li("Regenerate", class_="turn-actions"))
    shown = Document.from_html(
        '<div><ul id="log"><li class="turn-actions" av-tail>Regenerate</li>'
        '<li av-key="a" data-role="user">a</li></ul></div>'
    )
    new = page([], h.li("Retry", class_="turn-actions"))
    ops = diff(old, new)
    assert ops == [SetText((0, -1, 0), "Retry")]
    with pytest.raises(PatchError, match=r"step -1 at depth 1 addresses a stream's tail"):
        shown.apply(ops)


def test_a_rebuilt_slot_and_its_rebuilt_tail_keep_their_attributes_and_diff_only_the_text() -> None:
    def slot(text: str) -> StreamSlot:
        return h.stream("ul", "m", [], {"data-m": "1"}, id="log", tail=h.li(text, id="draft"))

    old, new = slot("Hel"), slot("Hello")
    assert new.attrs is old.attrs and new.attrs == {"data-m": "1", "id": "log"}
    assert new.tail is not None and old.tail is not None
    assert new.tail.attrs is old.tail.attrs
    assert new.tail.attrs == {"id": "draft", "av-tail": True}
    assert diff(h.div(old), h.div(new)) == [AppendText((0, -1, 0), "lo")]
    assert h.stream("ul", "m", [], {"id": "x"}).attrs == {"id": "x"}  # a name as given
    assert h.stream("ul", "m", [], data_id="x").attrs == {"data-id": "x"}  # a keyword's
