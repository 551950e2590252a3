"""client.js applies the Python diff's patches to a real DOM exactly as the Python applier.

For generated tree pairs (the property tests' strategies) and hand-picked ones, the page
starts from ``to_html(a)``, client.js applies the wire frame of ``diff(a, b)``, and the
browser's DOM must equal the Python reference applier's, node for node.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from actorview.render import (
    Document,
    Element,
    StreamDelete,
    StreamInsert,
    StreamPromoteTail,
    StreamReset,
    diff,
    encode,
    h,
    raw,
    to_html,
)
from tests.render.strategies import tail_endings, tree_pairs

pytestmark = pytest.mark.browser

APPLY = """([html, frame]) => {
  const view = document.getElementById("view");
  view.innerHTML = html;
  ActorView.apply(view, JSON.parse(frame));
  return __snapshot(view.firstElementChild);
}"""


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value))


def browser_result(page: Any, a: Element, b: Element) -> Any:
    return page.evaluate(APPLY, [to_html(a), encode(diff(a, b))])


def python_result(a: Element, b: Element) -> Any:
    return _as_json(Document.from_tree(a).apply(diff(a, b)).snapshot())


@settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tree_pairs())
def test_generated_patches_give_the_same_dom_as_the_python_applier(
    shared_page: Any, pair: tuple[Element, Element]
) -> None:
    a, b = pair
    expected = python_result(a, b)  # before the browser: the diff builds memos once
    assert browser_result(shared_page, a, b) == expected


@settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tail_endings())
def test_generated_tail_endings_give_the_same_dom_as_the_python_applier(
    shared_page: Any, pair: tuple[Element, Element]
) -> None:
    a, b = pair
    expected = python_result(a, b)
    assert browser_result(shared_page, a, b) == expected


def test_a_promoted_tail_keeps_its_dom_nodes_and_its_listeners(shared_page: Any) -> None:
    a = h.div(_stream([StreamInsert("p", h.li("prompt"))], tail=_reply(6, done=False)))
    b = h.div(_stream([StreamInsert("r", _reply(6, done=True))], tail=h.li("again")))
    ops = diff(a, b)
    assert [type(op) for op in ops] == [StreamPromoteTail]
    kept = shared_page.evaluate(
        """([html, frame]) => {
          const view = document.getElementById("view");
          view.innerHTML = html;
          const tail = view.querySelector("#log > [av-tail]");
          const block = tail.firstChild.children[3];
          tail.marked = "tail"; block.marked = "block";
          ActorView.apply(view, JSON.parse(frame));
          const item = view.querySelector('#log > [av-key="r"]');
          return [item === tail, item.marked, item.firstChild.children[3].marked,
                  item.hasAttribute("av-tail"), view.querySelector("#log").lastChild.outerHTML,
                  __snapshot(view.firstElementChild)];
        }""",
        [to_html(a), encode(ops)],
    )
    assert kept[:5] == [True, "tail", "block", False, '<li av-tail="">again</li>']
    assert (
        kept[5]
        == python_result(a, b)
        == _as_json(
            Document.from_tree(
                h.div(
                    _stream(
                        [
                            StreamInsert("p", h.li("prompt")),
                            StreamInsert("r", _reply(6, done=True)),
                        ],
                        tail=h.li("again"),
                    )
                )
            ).snapshot()
        )
    )


def _stream(ops: list[Any], name: str = "m", tail: Any = None) -> Any:
    return h.stream("ul", name, ops, id="log", tail=tail)


def _reply(blocks: int, *, done: bool) -> Element:
    """A reply's item as it streams (the tail) and as it ended (its history item)."""
    finished = [h.div(h.p(f"block {i} ", h.b("text " * 10)), key=i) for i in range(blocks)]
    if done:
        code = h.pre(h.code(h.span("x", class_="k"), " = 1"), class_="hl")
        return h.li(h.div(*finished, h.div(code, key=blocks)), h.button("copy"), class_="md")
    return h.li(h.div(*finished), h.div("x = 1", class_="tail"), id="draft", class_="streaming")


HAND_PICKED = {
    "append text": (h.div(h.p("Hel")), h.div(h.p("Hello"))),
    "append to a long draft": (h.div(h.p("x" * 5000)), h.div(h.p("x" * 5000 + " tok"))),
    "set and remove attributes": (
        h.div(id="a", title="t", hidden=True),
        h.div(id="b", hidden=False, lang="en"),
    ),
    "text becomes an element": (h.div("a", h.p()), h.div(h.i("x"), h.p())),
    "replace root": (h.div("x"), h.section("y")),
    "keyed reorder with insert and remove": (
        h.ul([h.li(i, key=i) for i in "abcdefg"]),
        h.ul([h.li(i, key=i) for i in "gxbacfe"]),
    ),
    "keyed reversal": (
        h.ul([h.li(i, key=i) for i in range(20)]),
        h.ul([h.li(i, key=i) for i in reversed(range(20))]),
    ),
    "mixed keyed and unkeyed": (
        h.div(h.p("head"), h.p("a", key="a"), h.p("b", key="b"), "tail"),
        h.div(h.p("head!"), h.p("b", key="b"), h.p("a", key="a"), "tail!"),
    ),
    "raw markup changes": (h.div(h.div(raw("<b>1</b>"))), h.div(h.div(raw("<i>2</i> &amp; 3")))),
    "pre and textarea keep leading newlines": (
        h.div(h.pre("a"), h.textarea("b")),
        h.div(h.pre(h.b("x"), "\nz"), h.textarea("\n\nb")),
    ),
    "escaped text and attributes": (
        h.div(h.p("a")),
        h.div(h.p('<script>alert("x")</script> & é', title='"><img src=x>')),
    ),
    "stream insert delete limit": (
        h.div(_stream([StreamInsert(i, h.li(i)) for i in range(5)])),
        h.div(
            _stream(
                [
                    StreamInsert("new", h.li("n"), at=1),
                    StreamDelete("3"),
                    StreamInsert("0", h.li("zero!")),
                    StreamInsert("tail", h.li("t"), limit=3),
                ]
            )
        ),
    ),
    "stream reset then insert": (
        h.div(_stream([StreamInsert(i, h.li(i)) for i in range(3)])),
        h.div(_stream([StreamReset(), StreamInsert("z", h.li("z"), at=0, limit=1)])),
    ),
    "stream tail: inserts go before it, a limit and a reset keep it": (
        h.div(_stream([StreamInsert(i, h.li(i)) for i in range(4)], tail=h.li("Hel"))),
        h.div(
            _stream(
                [
                    StreamInsert("new", h.li("n"), limit=3),
                    StreamInsert("front", h.li("f"), at=0, limit=3),
                    StreamInsert("mid", h.li("m"), at=1),
                ],
                tail=h.li("Hello", h.span("caret")),
            )
        ),
    ),
    "stream tail replaced, after a reset": (
        h.div(_stream([StreamInsert(i, h.li(i)) for i in range(3)], tail=h.template())),
        h.div(_stream([StreamReset(), StreamInsert("z", h.li("z"))], tail=h.li("draft"))),
    ),
    "stream tail promoted into the appended item, a limit trimming": (
        h.div(_stream([StreamInsert(i, h.li(i)) for i in range(3)], tail=_reply(8, done=False))),
        h.div(_stream([StreamInsert("r", _reply(8, done=True), limit=3)], tail=h.li("again"))),
    ),
    "stream tail promoted over an item shown with its key": (
        h.div(_stream([StreamInsert(i, h.li(i)) for i in "rst"], tail=_reply(8, done=False))),
        h.div(_stream([StreamInsert("r", _reply(8, done=True))], tail=h.template())),
    ),
    "stream renamed is rendered afresh": (
        h.div(_stream([StreamInsert("1", h.li("x"))], name="a")),
        h.div(_stream([StreamInsert("2", h.li("y"))], name="b")),
    ),
}


@pytest.mark.parametrize("name", list(HAND_PICKED))
def test_hand_picked_patches_give_the_same_dom_as_the_python_applier(
    shared_page: Any, name: str
) -> None:
    a, b = HAND_PICKED[name]
    expected = python_result(a, b)
    assert browser_result(shared_page, a, b) == expected
    assert expected == _as_json(Document.from_tree(b).snapshot()) or "stream" in name


def test_a_sequence_of_frames_follows_render_after_render(shared_page: Any) -> None:
    renders = [h.div(h.p(""), _stream([]))]
    for n in range(1, 30):
        tokens = " ".join(f"t{i}" for i in range(n))
        ops = [StreamInsert(str(n), h.li(f"m{n}"), limit=10)] if n % 5 == 0 else []
        renders.append(h.div(h.p(tokens, class_="draft"), _stream(ops)))
    frames = [encode(diff(a, b)) for a, b in itertools.pairwise(renders)]
    page = Document.from_tree(renders[0])
    for a, b in itertools.pairwise(renders):
        page.apply(diff(a, b))
    result = shared_page.evaluate(
        """([html, frames]) => {
          const view = document.getElementById("view");
          view.innerHTML = html;
          for (const frame of frames) ActorView.apply(view, JSON.parse(frame));
          return __snapshot(view.firstElementChild);
        }""",
        [to_html(renders[0]), frames],
    )
    assert result == _as_json(page.snapshot())


def test_a_tail_op_on_a_page_whose_last_child_is_not_the_tail_is_refused(
    shared_page: Any,
) -> None:
    # An item after the tail: the page is not what the server diffed. client.js throws
    # (socket.js then rejoins) rather than write the tail's text into the item.
    html = (
        '<div><ul id="log"><li class="turn-actions" av-tail>Regenerate</li>'
        '<li av-key="a" data-role="user">a</li></ul></div>'
    )
    outcome = shared_page.evaluate(
        """([html, frame]) => {
          const view = document.getElementById("view");
          view.innerHTML = html;
          try { ActorView.apply(view, JSON.parse(frame)); } catch (e) { return String(e); }
          return view.innerHTML;
        }""",
        [html, '[["t",[0,-1,0],"Retry"]]'],
    )
    assert "is not a stream tail" in outcome
    assert (
        shared_page.evaluate("() => document.querySelector('#log [av-key=a]').textContent") == "a"
    )
