"""Any string from state reaches the page as that exact string, never as markup, through a
real view: its first render and every kind of patch (text, attribute, replaced node,
stream insert), encoded to the wire and applied to a document as the client would.

Strings include every HTML special character and script payloads; the page must show
each exactly, and gain no element or attribute from it. Raw markup needs ``raw()``.
"""

from __future__ import annotations

import json

import trio
import trio.testing
from hypothesis import given, settings
from hypothesis import strategies as st

from actorview.render import (
    Document,
    DomElement,
    DomText,
    Element,
    decode,
    encode,
    h,
    parse_html,
    raw,
    to_html,
)
from actorview.view import ActionEvent, Applied, InputEvent, Rendered, View, action, ops, state
from actorview.view import stream as stream_field

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</li></ul><script>x</script>",
    "<!--",
    "-->",
    "<![CDATA[x]]>",
    "&lt;b&gt; &amp; &#60; &quot;",
    "javascript:alert(1)",
    '" onmouseover="alert(1)',
    "<svg/onload=alert(1)>",
    "</textarea><script>",
    "<style>*{}</style>",
    "`${x}`",
    "\\u003cscript\\u003e",
]

SPECIALS = "<>&\"'`=/\\;:!-[]{}() \t\n"

state_strings = (
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\x00"),
        max_size=30,
    )
    | st.text(alphabet=SPECIALS + "ascript", max_size=30)
    | st.sampled_from(PAYLOADS)
    | st.lists(st.sampled_from(PAYLOADS), min_size=2, max_size=3).map("".join)
)


class Echo(View):
    """Shows its client field in text, in attributes, in a node whose tag changes (so it
    is replaced as HTML) and in a stream item (inserted as HTML)."""

    text = state(str, origin="client")
    items = stream_field(str)
    remember = action(ops.push(items=lambda text: text))

    def render(self) -> Element:
        swap = h.b if len(self.text) % 2 else h.i
        return h.div(
            h.p(self.text, id="text", title=self.text, data_x=self.text),
            swap(self.text, id="swap"),
            self.items.slot("ul", lambda item: h.li(item, title=item), id="items"),
        )


def elements(node: object) -> list[DomElement]:
    if not isinstance(node, DomElement):
        return []
    return [node, *(e for child in node.children for e in elements(child))]


def text(node: DomElement) -> str:
    return "".join(c.text if isinstance(c, DomText) else text(c) for c in node.children)


def shows_exactly(page: Document, value: str, items: int) -> None:
    found = elements(page.root)
    tags = [e.tag for e in found]
    assert tags[:2] == ["div", "p"] and tags[2] in ("b", "i") and tags[3] == "ul"
    assert tags[4:] == ["li"] * items, f"markup leaked from {value!r}: {tags}"
    p, swap, li = found[1], found[2], found[-1]
    assert p.attrs == {"id": "text", "title": value, "data-x": value}
    assert text(p) == value and text(swap) == value
    if items:
        assert text(li) == value and li.attrs["title"] == value


async def show(value: str) -> None:
    send, receive = trio.open_memory_channel[Rendered](16)
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            ref = await nursery.start(Echo(sink=send).run)
            first = await receive.receive()
            page = Document.from_html(to_html(first.tree))
            for event in (InputEvent("text", value), ActionEvent("remember", {})):
                assert await ref.ask(event) == Applied()
                await trio.testing.wait_all_tasks_blocked()
                while True:
                    try:
                        rendered = receive.receive_nowait()
                    except trio.WouldBlock:
                        break
                    wire = encode(rendered.patches)
                    page.apply(decode(json.dumps(json.loads(wire))))
            shows_exactly(page, value, items=1)
            ref.request_stop()


@settings(max_examples=300, deadline=None)
@given(state_strings)
def test_a_state_string_reaches_the_page_exactly_through_renders_and_patches(
    value: str,
) -> None:
    trio.run(show, value)


@settings(max_examples=100, deadline=None)
@given(state_strings)
def test_a_full_render_of_state_strings_adds_no_markup(value: str) -> None:
    view = Echo({})
    view.live.store.input("text", value)
    view.live.store.recompute()
    (root,) = parse_html(to_html(view.render()))
    shows_exactly(Document(root), value, items=0)


def test_markup_is_written_as_markup_only_through_raw() -> None:
    payload = "<b>bold</b>"
    assert to_html(h.div(payload)) == "<div>&lt;b&gt;bold&lt;/b&gt;</div>"
    assert to_html(h.div(title=payload)) == '<div title="&lt;b&gt;bold&lt;/b&gt;"></div>'
    assert to_html(h.div(raw(payload))) == "<div><b>bold</b></div>"
