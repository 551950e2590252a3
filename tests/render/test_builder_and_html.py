"""The builder and ``to_html``: what a view writes and what the first response sends."""

from __future__ import annotations

import pytest

from actorview.render import (
    DuplicateKey,
    Element,
    InvalidName,
    InvalidTree,
    Memo,
    StreamDelete,
    StreamInsert,
    StreamReset,
    StreamSlot,
    Text,
    UnsafeContent,
    diff,
    fragment,
    h,
    raw,
    to_html,
)


def test_builder_takes_a_mapping_keywords_children_and_a_key() -> None:
    node = h.div({"class": "box"}, h.p("hi"), key=7, data_id=3, av_click="go", for_="x")
    assert node == Element(
        "div",
        {"class": "box", "data-id": 3, "av-click": "go", "for": "x"},
        (Element("p", {}, (Text("hi"),)),),
        "7",
    )


def test_none_false_and_true_children_are_skipped_and_iterables_spliced() -> None:
    items = ["a", "b"]
    node = h.ul(None, False, True, [h.li(i, key=i) for i in items], (h.li("c"),), 0, 1.5)
    assert to_html(node) == "<ul><li>a</li><li>b</li><li>c</li>01.5</ul>"
    assert [child.key for child in node.children[:2]] == ["a", "b"]  # type: ignore[union-attr]


def test_conditionals_read_as_plain_python() -> None:
    messages: list[str] = []
    node = h.div(not messages and h.p("No messages yet"), messages and h.ul())
    assert to_html(node) == "<div><p>No messages yet</p></div>"


def test_adjacent_text_merges_and_empty_text_vanishes_as_in_the_dom() -> None:
    assert h.p("a", "b", "", h.br(), "").children == (Text("ab"), Element("br"))


def test_class_may_be_a_list_or_a_dict_of_conditions() -> None:
    assert to_html(h.p(class_=["a", None, False, "b"])) == '<p class="a b"></p>'
    assert to_html(h.p(class_={"on": True, "off": False})) == '<p class="on"></p>'
    assert to_html(h.p(class_=[])) == "<p></p>"


def test_custom_elements_and_fragments() -> None:
    assert to_html(h("my-widget", "x")) == "<my-widget>x</my-widget>"
    assert to_html(h.div(fragment("a", h.b("b")))) == "<div>a<b>b</b></div>"


def test_objects_with_dunder_html_are_trusted_markup() -> None:
    class Safe:
        def __html__(self) -> str:
            return "<i>ok</i>"

    assert to_html(h.div(Safe())) == "<div><i>ok</i></div>"


def test_text_is_escaped() -> None:
    assert to_html(h.p("<script>alert('x')</script> & co")) == (
        "<p>&lt;script&gt;alert('x')&lt;/script&gt; &amp; co</p>"
    )


def test_attribute_values_are_quoted_and_escaped() -> None:
    html = to_html(h.a("x", href="/q?a=1&b=2", title='say "hi" <now>', data_q="it's"))
    assert html == (
        '<a href="/q?a=1&amp;b=2" title="say &quot;hi&quot; &lt;now&gt;" data-q="it&#x27;s">x</a>'
    )


def test_boolean_none_and_number_attributes_are_written_as_html_expects() -> None:
    html = to_html(h.input(disabled=True, checked=False, placeholder=None, maxlength=5, step=0.5))
    assert html == '<input disabled maxlength="5" step="0.5">'


def test_void_elements_have_no_end_tag_and_no_children() -> None:
    assert (
        to_html(h.div(h.br(), h.img(src="a.png"), h.hr())) == '<div><br><img src="a.png"><hr></div>'
    )
    with pytest.raises(InvalidTree, match="void element"):
        to_html(h.br("text"))


@pytest.mark.parametrize("tag", ["pre", "textarea", "listing"])
def test_a_leading_newline_in_pre_and_textarea_survives_parsing(tag: str) -> None:
    assert to_html(h(tag, "\nline")) == f"<{tag}>\n\nline</{tag}>"
    assert to_html(h(tag, "line")) == f"<{tag}>line</{tag}>"


def test_textarea_content_is_escaped() -> None:
    assert (
        to_html(h.textarea("</textarea><b>")) == "<textarea>&lt;/textarea&gt;&lt;b&gt;</textarea>"
    )


@pytest.mark.parametrize("tag", ["script", "style"])
def test_script_and_style_text_is_raw_but_may_not_close_the_element(tag: str) -> None:
    assert to_html(h(tag, "a < b && c > d")) == f"<{tag}>a < b && c > d</{tag}>"
    with pytest.raises(UnsafeContent, match=f"</{tag}"):
        to_html(h(tag, f"x</{tag.upper()}><img src=x>"))
    with pytest.raises(UnsafeContent):
        to_html(h(tag, "<!-- x"))


def test_raw_is_written_verbatim_and_must_be_the_only_child() -> None:
    assert to_html(h.div(raw("<b>md</b>"))) == "<div><b>md</b></div>"
    with pytest.raises(InvalidTree, match="only child"):
        h.div("x", raw("<b>md</b>"))


@pytest.mark.parametrize("tag", ["Div", "di v", "1a", "a>", ""])
def test_bad_tag_names_are_refused(tag: str) -> None:
    with pytest.raises(InvalidName, match="not a valid tag name"):
        Element(tag)


@pytest.mark.parametrize("name", ['a"b', "a b", "a=b", "a>", "/x", ""])
def test_bad_attribute_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidName, match="not a valid attribute name"):
        h.div({name: "x"})


def test_event_handler_attributes_are_refused_with_the_alternative() -> None:
    with pytest.raises(UnsafeContent, match="av-click"):
        h.button(onclick="steal()")


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:x", "java\tscript:x"])
def test_script_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeContent, match="script URL"):
        h.a("x", href=url)


def test_an_attribute_value_of_another_type_is_refused() -> None:
    with pytest.raises(InvalidTree, match="list value"):
        h.div(title=["a"])


def test_a_child_of_another_type_is_refused_with_the_fix() -> None:
    with pytest.raises(InvalidTree, match="cannot use a object"):
        h.div(object())  # type: ignore[arg-type]
    with pytest.raises(InvalidTree, match="must be a node"):
        Element("div", {}, ("text",))  # type: ignore[arg-type,unused-ignore]


def test_duplicate_sibling_keys_are_refused_by_the_diff() -> None:
    old = h.ul(h.li("a", key="x"))
    with pytest.raises(DuplicateKey, match="'x'"):
        diff(old, h.ul(h.li("a", key="x"), h.li("b", key="x")))


def test_a_stream_renders_the_items_its_ops_insert_tagged_with_their_key() -> None:
    slot = h.stream(
        "ul",
        "messages",
        [
            StreamInsert("1", h.li("one")),
            StreamInsert("2", h.li("two")),
            StreamInsert("0", h.li("zero"), at=0),
            StreamDelete("2"),
            StreamInsert("1", h.li("ONE")),
        ],
        id="log",
    )
    assert to_html(slot) == ('<ul id="log"><li av-key="0">zero</li><li av-key="1">ONE</li></ul>')
    reset = StreamSlot("ul", {}, "m", (StreamInsert("1", h.li("x")), StreamReset()))
    assert to_html(reset) == "<ul></ul>"


def test_a_stream_limit_trims_the_end_opposite_the_insert() -> None:
    appends = [StreamInsert(str(i), h.li(str(i)), limit=2) for i in range(4)]
    assert (
        to_html(h.stream("ul", "m", appends))
        == '<ul><li av-key="2">2</li><li av-key="3">3</li></ul>'
    )
    prepends = [StreamInsert(str(i), h.li(str(i)), at=0, limit=2) for i in range(4)]
    assert (
        to_html(h.stream("ul", "m", prepends))
        == '<ul><li av-key="3">3</li><li av-key="2">2</li></ul>'
    )


def test_a_stream_item_must_be_an_element() -> None:
    with pytest.raises(InvalidTree, match="stream item must be an Element"):
        StreamInsert("1", Text("x"))  # type: ignore[arg-type]


def test_a_memo_builds_once_and_must_build_an_element() -> None:
    calls: list[int] = []

    def build() -> Element:
        calls.append(1)
        return h.p("x")

    memo = h.memo((1,), build)
    assert to_html(h.div(memo)) == to_html(h.div(memo)) == "<div><p>x</p></div>"
    assert calls == [1]
    with pytest.raises(InvalidTree, match="Memo build must return an Element"):
        Memo((), lambda: Text("x")).resolve()  # type: ignore[arg-type, return-value]


def test_elements_built_with_the_same_keyword_attributes_share_them_and_diff_children() -> None:
    before = h.li("a long reply " * 20, id="draft", class_=["message", False, "streaming"])
    after = h.li("a long reply " * 21, id="draft", class_=["message", False, "streaming"])
    assert before is not after  # a long text is not shared: the element is built anew
    assert after.attrs is before.attrs  # its checked attributes are
    assert after.attrs == {"id": "draft", "class": "message streaming"}
    assert [type(op).__name__ for op in diff(before, after)] == ["AppendText"]


def test_shared_attributes_keep_the_type_of_each_value() -> None:
    assert to_html(h.input(value=1)) == '<input value="1">'
    assert to_html(h.input(value=True)) == "<input value>"
    assert to_html(h.input(value=1)) == '<input value="1">'
    assert h.p("x", class_=["a", 0, "b"]).attrs == {"class": "a b"}  # an int: built fresh
    assert h.p("x", class_=("a", None)).attrs == {"class": "a"}
    assert h.p("y", class_=["a", None]).attrs is h.p("z", class_=["a", None]).attrs


def test_a_refused_attribute_is_refused_every_time_it_is_built() -> None:
    for _ in range(2):
        with pytest.raises(InvalidTree, match="'title' has a list value"):
            h.p("x", title=["not", "text"])
