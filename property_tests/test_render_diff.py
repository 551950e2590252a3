"""Properties of the diff, checked with the Python reference applier.

For any two trees a and b, a page showing a, patched with diff(a, b), shows b; the diff
of a tree with itself (or an equal rebuild) is empty; the wire form round-trips. A
stream's tail that ends as the appended item (promoted, or the item sent whole) leaves
the page a fresh render would show.
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, event, given, settings

from actorview.render import (
    Document,
    Element,
    Memo,
    Node,
    Raw,
    StreamPromoteTail,
    StreamSlot,
    Text,
    decode,
    diff,
    encode,
    without_stream_items,
)
from actorview.render._document import snapshot
from tests.render.strategies import expected_dom, roots, tail_endings, tree_pairs

PROFILE = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(tree_pairs())
def test_applying_the_diff_of_a_and_b_to_a_gives_b(pair: tuple[Element, Element]) -> None:
    a, b = pair
    page = Document.from_tree(a)
    page.apply(diff(a, b))
    assert page.snapshot() == snapshot(expected_dom(a, b))


@PROFILE
@given(tree_pairs())
def test_the_wire_form_round_trips_and_applies_the_same(pair: tuple[Element, Element]) -> None:
    a, b = pair
    patches = diff(a, b)
    assert decode(encode(patches)) == patches
    page = Document.from_tree(a).apply(decode(encode(patches).encode()))
    assert page.snapshot() == snapshot(expected_dom(a, b))


@PROFILE
@given(roots)
def test_the_diff_of_a_tree_with_itself_is_empty(a: Element) -> None:
    assert diff(a, a) == []


def _rebuilt(node: Node) -> Node:
    """An equal tree made of new objects, as the next render would be (no new stream ops)."""
    if isinstance(node, Element):
        return Element(node.tag, dict(node.attrs), tuple(map(_rebuilt, node.children)), node.key)
    if isinstance(node, StreamSlot):
        tail = None if node.tail is None else _rebuilt(node.tail)
        assert tail is None or isinstance(tail, Element)
        return StreamSlot(node.tag, dict(node.attrs), node.name, (), node.key, tail=tail)
    if isinstance(node, Memo):
        return Memo(node.deps, node.build, node.key)
    if isinstance(node, Text):
        return Text(node.text)
    assert isinstance(node, Raw)
    return Raw(node.html)


@PROFILE
@given(roots)
def test_the_diff_of_a_tree_with_an_equal_rebuild_is_empty(a: Element) -> None:
    assert diff(a, _rebuilt(a)) == []


@PROFILE
@given(tree_pairs())
def test_the_diff_needs_no_stream_items_of_the_old_tree(pair: tuple[Element, Element]) -> None:
    a, b = pair
    # A view renders its stream containers afresh each time: one never reappears as the
    # same object in the next tree (the generator reuses subtrees, slots included).
    assume(not _slot_objects(a) & _slot_objects(b))
    kept = without_stream_items(a)
    assert diff(kept, b) == diff(a, b)
    assert without_stream_items(kept) is kept, "nothing left to drop: the same tree"


def _slot_objects(node: Node) -> set[int]:
    if isinstance(node, StreamSlot):
        return {id(node)}
    if isinstance(node, Element):
        return set().union(*(_slot_objects(child) for child in node.children))
    return set()


@PROFILE
@given(tail_endings())
def test_a_tail_promoted_or_not_shows_what_a_fresh_render_shows(
    pair: tuple[Element, Element],
) -> None:
    a, b = pair
    patches = diff(a, b)
    promoted = any(isinstance(op, StreamPromoteTail) for op in patches)
    event("promoted" if promoted else "inserted whole")
    assert decode(encode(patches)) == patches
    page = Document.from_tree(a).apply(decode(encode(patches)))
    assert page.snapshot() == snapshot(expected_dom(a, b))
