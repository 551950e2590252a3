"""Each patch op: when the diff emits it, its wire form, and what the applier does with it."""

from __future__ import annotations

import pytest

from actorview.render import (
    AppendText,
    Document,
    Element,
    Patch,
    PatchError,
    RemoveAttr,
    ReplaceNode,
    SetAttr,
    SetInnerHtml,
    SetText,
    StreamDelete,
    StreamDeleteItem,
    StreamInsert,
    StreamInsertItem,
    StreamReset,
    StreamResetItems,
    UpdateChildren,
    WireError,
    decode,
    diff,
    encode,
    h,
    raw,
    to_html,
)
from actorview.render._diffing import longest_increasing_subsequence


def applied(old: Element, new: Element) -> str:
    """The page's HTML after patching a page showing ``old`` with diff(old, new)."""
    return Document.from_tree(old).apply(diff(old, new)).html()


def test_the_same_tree_object_costs_nothing() -> None:
    tree = h.div(h.p("x"), [h.li(i, key=i) for i in range(100)])
    assert diff(tree, tree) == []


def test_an_attribute_set_changed_or_removed() -> None:
    old = h.div(id="a", title="t", hidden=True, data_n=1)
    new = h.div(id="b", title=None, hidden=False, data_n=1, lang="en")
    assert diff(old, new) == [
        SetAttr((), "id", "b"),
        RemoveAttr((), "title"),
        RemoveAttr((), "hidden"),
        SetAttr((), "lang", "en"),
    ]
    assert diff(h.div(title="t"), h.div()) == [RemoveAttr((), "title")]
    assert applied(old, new) == '<div id="b" data-n="1" lang="en"></div>'


def test_attributes_compare_by_the_string_they_write() -> None:
    assert diff(h.div(data_n=1), h.div(data_n="1")) == []
    assert diff(h.div(hidden=True), h.div(hidden="")) == []
    assert diff(h.div(title=False), h.div(title=0)) == [SetAttr((), "title", "0")]
    assert diff(h.div(title=True), h.div(title=1)) == [SetAttr((), "title", "1")]


def test_text_that_extends_the_old_text_is_appended_and_costs_only_the_new_part() -> None:
    old, new = h.div(h.p("Hello")), h.div(h.p("Hello, wor"))
    assert diff(old, new) == [AppendText((0, 0), ", wor")]
    assert applied(old, new) == "<div><p>Hello, wor</p></div>"


def test_other_text_changes_replace_the_text() -> None:
    assert diff(h.p("Hello"), h.p("Help")) == [SetText((0,), "Help")]
    assert diff(h.p("Hello"), h.p("Hell")) == [SetText((0,), "Hell")]
    assert applied(h.p("Hello"), h.p("Help")) == "<p>Help</p>"


def test_a_node_of_another_tag_or_kind_is_replaced() -> None:
    assert diff(h.div(h.p("x")), h.div(h.span("x"))) == [ReplaceNode((0,), "<span>x</span>")]
    assert diff(h.div(h.p("x"), "t"), h.div(h.p("x"), h.b("t"))) == [ReplaceNode((1,), "<b>t</b>")]
    assert diff(h.div("a", h.p()), h.div(h.i(), h.p())) == [ReplaceNode((0,), "<i></i>")]


def test_the_root_itself_may_be_replaced() -> None:
    assert diff(h.div("x"), h.main("y")) == [ReplaceNode((), "<main>y</main>")]
    assert applied(h.div("x"), h.main("y")) == "<main>y</main>"


def test_raw_markup_changes_replace_the_inner_html() -> None:
    old, new = h.div(raw("<b>1</b>")), h.div(raw("<i>2</i><br>"))
    assert diff(old, new) == [SetInnerHtml((), "<i>2</i><br>")]
    assert diff(old, h.div(raw("<b>1</b>"))) == []
    assert diff(old, h.div("t")) == [SetInnerHtml((), "t")]
    assert applied(old, new) == "<div><i>2</i><br></div>"


def test_unkeyed_children_diff_by_position() -> None:
    old = h.ul(h.li("a"), h.li("b"), h.li("c"))
    new = h.ul(h.li("a"), h.li("B"))
    assert diff(old, new) == [UpdateChildren((), removes=(2,)), SetText((1, 0), "B")]
    grown = h.ul(h.li("a"), h.li("b"), h.li("c"), h.li("d"))
    assert diff(old, grown) == [UpdateChildren((), inserts=((3, "<li>d</li>"),))]
    assert applied(old, grown) == "<ul><li>a</li><li>b</li><li>c</li><li>d</li></ul>"


def test_children_with_ids_match_by_id_so_a_sibling_that_comes_and_goes_shifts_none() -> None:
    form = h.form(h.input(id="prompt", name="q"), id="composer")
    old = h.div(h.ul(id="history"), form)
    new = h.div(h.ul(id="history"), h.p("thinking…", id="thinking"), form)
    assert diff(old, new) == [UpdateChildren((), inserts=((1, '<p id="thinking">thinking…</p>'),))]
    assert diff(new, old) == [UpdateChildren((), removes=(1,))]
    assert applied(old, new) == to_html(new)


def test_siblings_sharing_an_id_fall_back_to_their_order() -> None:
    old = h.div(h.p("a", id="x"), h.p("b", id="x"))
    new = h.div(h.p("b", id="x"), h.p("a", id="x"), h.p("c"))
    assert applied(old, new) == to_html(new)


def test_keyed_children_move_by_key_and_only_the_moved_ones_move() -> None:
    keys = [str(i) for i in range(100)]
    old = h.ul([h.li(k, key=k) for k in keys])
    moved = keys[:10] + keys[11:90] + [keys[10]] + keys[90:]
    new = h.ul([h.li(k, key=k) for k in moved])
    assert diff(old, new) == [UpdateChildren((), moves=((10, 89),))]
    assert applied(old, new) == to_html(new)


def test_keyed_children_inserted_removed_and_patched_in_one_op() -> None:
    old = h.ul(h.li("a", key="a"), h.li("b", key="b"), h.li("c", key="c"))
    new = h.ul(h.li("c!", key="c"), h.li("a", key="a"), h.li("x", key="x"))
    children, text = diff(old, new)
    assert isinstance(children, UpdateChildren)
    assert children.removes == (1,) and len(children.moves) == 1
    assert children.inserts == ((2, "<li>x</li>"),)
    assert text == AppendText((0, 0), "!")
    assert applied(old, new) == to_html(new)


def test_a_full_reversal_keeps_one_child_and_moves_the_rest() -> None:
    old = h.ul([h.li(i, key=i) for i in range(6)])
    new = h.ul([h.li(i, key=i) for i in reversed(range(6))])
    (op,) = diff(old, new)
    assert isinstance(op, UpdateChildren) and len(op.moves) == 5
    assert applied(old, new) == to_html(new)


def test_a_stream_ships_only_its_new_ops_never_its_items() -> None:
    first = h.div(h.stream("ul", "m", [StreamInsert(i, h.li(i)) for i in range(1000)]))
    then = h.div(
        h.stream(
            "ul",
            "m",
            [StreamInsert("new", h.li("n"), at=0, limit=3), StreamDelete("5"), StreamReset()],
        )
    )
    assert diff(first, then) == [
        StreamInsertItem((0,), "new", '<li av-key="new">n</li>', 0, 3),
        StreamDeleteItem((0,), "5"),
        StreamResetItems((0,)),
    ]
    assert applied(first, then) == "<div><ul></ul></div>"


def test_a_stream_insert_of_a_shown_key_replaces_that_item_in_place() -> None:
    first = h.div(h.stream("ul", "m", [StreamInsert(i, h.li(i)) for i in range(3)]))
    then = h.div(h.stream("ul", "m", [StreamInsert("1", h.li("one"), at=0)]))
    assert applied(first, then) == (
        '<div><ul><li av-key="0">0</li><li av-key="1">one</li><li av-key="2">2</li></ul></div>'
    )


def test_a_stream_whose_name_changes_is_rendered_afresh() -> None:
    first = h.div(h.stream("ul", "a", [StreamInsert("1", h.li("x"))]))
    then = h.div(h.stream("ul", "b", [StreamInsert("2", h.li("y"))]))
    assert diff(first, then) == [ReplaceNode((0,), '<ul><li av-key="2">y</li></ul>')]


def test_a_memo_with_equal_deps_is_neither_built_nor_diffed() -> None:
    builds: list[int] = []

    def history(n: int) -> Element:
        builds.append(n)
        return h.ul([h.li(i) for i in range(n)])

    old = h.div(h.memo((3,), lambda: history(3)), h.p("a"))
    to_html(old)
    new = h.div(h.memo((3,), lambda: history(3)), h.p("ab"))
    assert diff(old, new) == [AppendText((1, 0), "b")]
    assert builds == [3]
    newer = h.div(h.memo((4,), lambda: history(4)), h.p("ab"))
    assert diff(new, newer) == [UpdateChildren((0,), inserts=((3, "<li>3</li>"),))]
    assert builds == [3, 4]


def test_lis_finds_a_longest_increasing_run() -> None:
    values = [3, 1, 4, 1, 5, 9, 2, 6]
    chosen = sorted(longest_increasing_subsequence(values))
    picked = [values[i] for i in chosen]
    assert len(picked) == 4 and picked == sorted(set(picked))
    assert longest_increasing_subsequence([]) == set()


# ------------------------------------------------------------------------------- wire


def test_a_one_token_append_is_eighteen_bytes_plus_the_token() -> None:
    frame = encode([AppendText((0, 2, 1), "tok")])
    assert frame == '[["a",[0,2,1],"tok"]]'
    assert len(frame.encode()) == 18 + len("tok")


def test_the_cost_of_a_token_does_not_grow_with_the_draft() -> None:
    sizes = []
    for draft in ("", "x" * 10, "x" * 100_000):
        old = h.main(h.div(h.p(draft + "a")))
        new = h.main(h.div(h.p(draft + "a token")))
        sizes.append(len(encode(diff(old, new)).encode()))
    assert sizes == [len('[["a",[0,0,0]," token"]]')] * 3


def test_non_ascii_text_is_sent_as_utf8_not_escapes() -> None:
    assert encode([AppendText((0,), "é€😀")]) == '[["a",[0],"é€😀"]]'


def test_every_op_has_a_compact_form_that_round_trips() -> None:
    ops: list[Patch] = [
        SetAttr((1,), "class", "x"),
        RemoveAttr((1,), "class"),
        SetText((0, 1), "t"),
        AppendText((0, 1), "u"),
        ReplaceNode((2,), "<b>x</b>"),
        SetInnerHtml((), "<i>y</i>"),
        UpdateChildren((3,), (0,), ((1, 2),), ((0, "<p></p>"),)),
        StreamInsertItem((4,), "k", '<li av-key="k"></li>'),
        StreamInsertItem((4,), "k", '<li av-key="k"></li>', 0),
        StreamInsertItem((4,), "k", '<li av-key="k"></li>', -1, 50),
        StreamDeleteItem((4,), "k"),
        StreamResetItems((4,)),
    ]
    assert encode(ops) == (
        '[["s",[1],"class","x"],["r",[1],"class"],["t",[0,1],"t"],["a",[0,1],"u"],'
        '["R",[2],"<b>x</b>"],["h",[],"<i>y</i>"],["c",[3],[0],[1,2],[0,"<p></p>"]],'
        '["i",[4],"k","<li av-key=\\"k\\"></li>"],["i",[4],"k","<li av-key=\\"k\\"></li>",0],'
        '["i",[4],"k","<li av-key=\\"k\\"></li>",-1,50],["d",[4],"k"],["x",[4]]]'
    )
    assert decode(encode(ops)) == ops


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ("{", "must be JSON"),
        ('{"a": 1}', "JSON array of ops"),
        ('[["?", []]]', "unknown op code"),
        ('[["a", [0]]]', "takes 1..1 fields"),
        ('[["a", ["x"], "t"]]', "path must be an array of integers"),
        ('[["a", [0], 5]]', "text must be a string"),
        ('[["c", [0], [], [1], []]]', "flat array of pairs"),
        ("[5]", "an op must be an array"),
    ],
)
def test_a_malformed_frame_is_refused_with_what_is_wrong(frame: str, message: str) -> None:
    with pytest.raises(WireError, match=message):
        decode(frame)


# ------------------------------------------------------------------------------ applier


def test_the_applier_refuses_a_patch_that_does_not_fit() -> None:
    page = Document.from_tree(h.div(h.p("x")))
    with pytest.raises(PatchError, match="does not exist"):
        page.apply([SetText((3, 0), "y")])
    with pytest.raises(PatchError, match="text node"):
        page.apply([SetAttr((0, 0), "id", "y")])
    with pytest.raises(PatchError, match="needs a text node"):
        page.apply([AppendText((0,), "y")])
    with pytest.raises(PatchError, match="out of range or taken twice"):
        page.apply([UpdateChildren((), moves=((0, 4),))])


def test_the_applier_parses_html_as_a_browser_template_does() -> None:
    page = Document.from_html(
        '<div><pre>\n\nx</pre><script>a<b</script><br><p a="&amp;">&lt;</p></div>'
    )
    assert page.snapshot() == (
        "div",
        (),
        (
            ("pre", (), ("\nx",)),
            ("script", (), ("a<b",)),
            ("br", (), ()),
            ("p", (("a", "&"),), ("<",)),
        ),
    )
