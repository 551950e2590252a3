"""client.js in a real page: focus and caret, scroll, events, reconnect, hooks.

The socket is a fake (see conftest.py) that the test opens, feeds and drops by hand.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from actorview.render import Element, StreamInsert, diff, encode, h, to_html
from actorview.render._serialize import stream_item

pytestmark = pytest.mark.browser


def mount(page: Any, tree: Element) -> None:
    page.evaluate("html => { document.getElementById('view').innerHTML = html; }", to_html(tree))


def apply(page: Any, old: Element, new: Element) -> None:
    frame = encode(diff(old, new))
    page.evaluate("f => ActorView.apply(document.getElementById('view'), JSON.parse(f))", frame)


def connect(page: Any, tree: Element) -> None:
    mount(page, tree)
    page.evaluate(
        """() => {
          const view = document.getElementById('view');
          view.setAttribute('data-av-socket', 'ws://127.0.0.1:9/_av/live');
          view.setAttribute('data-av-token', 'tok1');
          window.__conn = ActorView.connect(view, {minDelay: 10, maxDelay: 40, ackMs: 20});
          __sockets[__sockets.length - 1].open();
        }"""
    )


def sent(page: Any, socket: int = 0) -> list[Any]:
    return page.evaluate("i => __sockets[i].sent", socket)  # type: ignore[no-any-return]


def join(page: Any, token: str = "tok1") -> dict[str, Any]:
    return {"t": "join", "token": token, "path": page.evaluate("location.pathname")}


def focus_state(page: Any) -> dict[str, Any]:
    return page.evaluate(  # type: ignore[no-any-return]
        """() => { const el = document.activeElement;
          return {id: el.id, value: el.value, start: el.selectionStart, end: el.selectionEnd}; }"""
    )


# ------------------------------------------------------------------ focus and caret


def test_typing_keeps_focus_caret_and_value_while_patches_land(client_page: Any) -> None:
    old = h.div(h.p("x"), h.form(h.input(id="msg", name="msg", value="")))
    mount(client_page, old)
    client_page.click("#msg")
    client_page.keyboard.type("hello world")
    client_page.evaluate("document.getElementById('msg').setSelectionRange(3, 5)")
    new = h.div(h.p("xy"), h.form(h.input(id="msg", name="msg", value="server", class_="t")))
    apply(client_page, old, new)
    assert focus_state(client_page) == {"id": "msg", "value": "hello world", "start": 3, "end": 5}


def test_a_replaced_input_gets_focus_caret_and_typed_value_back(client_page: Any) -> None:
    old = h.div(h.p("x"), h.form(h.input(id="msg", value="")))
    mount(client_page, old)
    client_page.click("#msg")
    client_page.keyboard.type("draft")
    client_page.evaluate("document.getElementById('msg').setSelectionRange(2, 2)")
    new = h.div(h.p("x"), h.section(h.input(id="msg", value="")))
    apply(client_page, old, new)
    assert client_page.evaluate("document.activeElement.parentNode.tagName") == "SECTION"
    assert focus_state(client_page) == {"id": "msg", "value": "draft", "start": 2, "end": 2}


def test_a_value_from_the_server_updates_an_input_not_being_typed_in(client_page: Any) -> None:
    old = h.div(h.input(id="a", value="one"), h.textarea("one", id="t"))
    mount(client_page, old)
    new = h.div(h.input(id="a", value="two"), h.textarea("two", id="t"))
    apply(client_page, old, new)
    values = client_page.evaluate(
        "[document.getElementById('a').value, document.getElementById('t').value]"
    )
    assert values == ["two", "two"]


# ------------------------------------------------------------------ scroll


def _log(ops: list[Any]) -> Element:
    style = "height:60px;overflow-y:auto"
    return h.div(h.stream("div", "m", ops, id="log", av_autoscroll=True, style=style))


def _item(i: int) -> StreamInsert:
    return StreamInsert(str(i), h.div(f"message {i}", style="height:20px"))


def _scroll(page: Any) -> dict[str, int]:
    return page.evaluate(  # type: ignore[no-any-return]
        """() => { const el = document.getElementById('log');
          return {top: el.scrollTop, bottom: el.scrollHeight - el.clientHeight}; }"""
    )


def test_a_log_at_the_bottom_sticks_to_the_bottom(client_page: Any) -> None:
    first = _log([_item(i) for i in range(10)])
    mount(client_page, first)
    client_page.evaluate("const l = document.getElementById('log'); l.scrollTop = l.scrollHeight")
    then = _log([_item(10), _item(11)])
    apply(client_page, first, then)
    state = _scroll(client_page)
    assert state["top"] == state["bottom"] == 12 * 20 - 60


def test_a_log_scrolled_up_by_the_user_stays_where_it_is(client_page: Any) -> None:
    first = _log([_item(i) for i in range(10)])
    mount(client_page, first)
    client_page.evaluate("document.getElementById('log').scrollTop = 40")
    apply(client_page, first, _log([_item(10)]))
    assert _scroll(client_page) == {"top": 40, "bottom": 11 * 20 - 60}


# ------------------------------------------------------------------ events


def test_click_sends_its_event_with_av_value_params(client_page: Any) -> None:
    connect(
        client_page,
        h.div(h.button(h.b("Send"), av_click="send", av_value_id=7, av_value_user_name="a")),
    )
    client_page.click("b")
    assert sent(client_page) == [
        join(client_page),
        {"t": "event", "ref": 1, "name": "send", "params": {"id": "7", "user_name": "a"}},
    ]


def test_submit_sends_the_form_fields_and_resets_when_asked(client_page: Any) -> None:
    form = h.form(
        h.input(name="text", value="hi"),
        h.input(type="checkbox", name="tag", value="x", checked=True),
        h.input(type="checkbox", name="tag", value="y", checked=True),
        h.input(type="checkbox", name="off", value="z"),
        h.button("go", type="submit", id="go"),
        av_submit="post",
        av_reset=True,
        av_value_room="r1",
    )
    connect(client_page, h.div(form))
    client_page.fill("input[name=text]", "hello")
    client_page.click("#go")
    assert sent(client_page)[1] == {
        "t": "event",
        "ref": 1,
        "name": "post",
        "params": {"room": "r1", "text": "hello", "tag": ["x", "y"]},
    }
    assert client_page.input_value("input[name=text]") == "hi"  # reset to its default


def test_input_sets_its_client_field(client_page: Any) -> None:
    connect(client_page, h.div(h.input(name="q", av_input="query")))
    client_page.type("input", "ab")
    assert sent(client_page)[1:] == [
        {"t": "input", "ref": 1, "field": "query", "value": "a"},
        {"t": "input", "ref": 2, "field": "query", "value": "ab"},
    ]


def test_input_with_debounce_sends_once_after_typing_stops(client_page: Any) -> None:
    connect(client_page, h.div(h.input(name="q", av_input="query", av_debounce=300)))
    client_page.type("input", "abc", delay=5)
    client_page.wait_for_timeout(700)
    assert sent(client_page)[1:] == [{"t": "input", "ref": 1, "field": "query", "value": "abc"}]


def test_input_with_throttle_sends_at_most_once_per_interval_and_the_last_value(
    client_page: Any,
) -> None:
    connect(client_page, h.div(h.input(name="q", av_input="search", av_throttle=150)))
    started = time.monotonic()
    client_page.type("input", "abcdef", delay=20)  # ~120 ms, longer on a loaded machine
    typing_ms = (time.monotonic() - started) * 1000
    client_page.wait_for_timeout(300)
    values = [frame["value"] for frame in sent(client_page)[1:]]
    # One send at the first key, then at most one per 150 ms of typing, and the last value.
    assert values[0] == "a" and values[-1] == "abcdef"
    assert len(values) <= 2 + typing_ms // 150, (values, typing_ms)


def test_change_sends_the_control_value(client_page: Any) -> None:
    connect(
        client_page, h.div(h.input(type="checkbox", name="on", value="yes", av_change="toggle"))
    )
    client_page.click("input")
    assert sent(client_page)[1] == {
        "t": "event",
        "ref": 1,
        "name": "toggle",
        "params": {"name": "on", "value": "yes"},
    }


def test_keydown_sends_only_the_keys_in_its_filter(client_page: Any) -> None:
    connect(client_page, h.div(h.input(name="m", av_keydown="key", av_key_filter="Enter, Escape")))
    client_page.click("input")
    client_page.keyboard.type("ab")
    client_page.keyboard.press("Enter")
    assert sent(client_page)[1:] == [
        {"t": "event", "ref": 1, "name": "key", "params": {"key": "Enter", "value": "ab"}}
    ]


# ------------------------------------------------------------------ transport


def test_frames_from_the_socket_patch_the_page(client_page: Any) -> None:
    old, new = h.div(h.p("Hel")), h.div(h.p("Hello"))
    connect(client_page, old)
    client_page.evaluate("f => __sockets[0].deliver(f)", json.loads(encode(diff(old, new))))
    assert client_page.inner_html("#view") == "<div><p>Hello</p></div>"


def test_a_dropped_socket_reconnects_with_backoff_and_rejoins(client_page: Any) -> None:
    connect(client_page, h.div(h.p("old")))
    client_page.evaluate("__sockets[0].deliver({t: 'joined', token: 'tok2'})")
    client_page.evaluate("__sockets[0].close()")
    assert client_page.evaluate("document.getElementById('view').className") == "av-disconnected"
    client_page.wait_for_function("__sockets.length === 2")
    client_page.evaluate("__sockets[1].open()")
    assert sent(client_page, 1) == [join(client_page, "tok2")]
    client_page.evaluate("__sockets[1].deliver({t: 'render', html: '<div><p>fresh</p></div>'})")
    assert client_page.inner_html("#view") == "<div><p>fresh</p></div>"
    assert client_page.evaluate("document.getElementById('view').className") == "av-disconnected"
    client_page.evaluate("__sockets[1].deliver({t: 'joined', token: 'tok3'})")
    assert client_page.evaluate("document.getElementById('view').className") == "av-connected"


def test_the_client_counts_the_sessions_frames_acks_them_and_rejoins_with_the_count(
    client_page: Any,
) -> None:
    connect(client_page, h.div(h.p("x")))
    client_page.evaluate(
        """() => { const s = __sockets[0];
          s.deliver({t: 'joined', token: 'tok2', seq: 5, ref: 0});
          s.deliver({t: 'render', html: '<div><p>a</p></div>'});
          s.deliver([['t', [0, 0], 'b']]);
          s.deliver({t: 'reply', ref: 1, outcome: 'applied'}); }"""
    )
    client_page.wait_for_function("() => __sockets[0].sent.some(f => f.t === 'ack')")
    assert [f for f in sent(client_page) if f["t"] == "ack"] == [{"t": "ack", "n": 8}]
    client_page.evaluate("__sockets[0].close()")
    client_page.wait_for_function("__sockets.length === 2")
    client_page.evaluate("__sockets[1].open()")
    assert sent(client_page, 1) == [{**join(client_page, "tok2"), "seen": 8}]


def test_a_frame_that_does_not_fit_makes_the_client_rejoin(client_page: Any) -> None:
    connect(client_page, h.div(h.p("x")))
    client_page.evaluate("__sockets[0].deliver([['a', [9, 9], 'x']])")
    client_page.wait_for_function("__sockets.length === 2")


def test_replies_and_errors_are_dispatched_on_the_container(client_page: Any) -> None:
    connect(client_page, h.div(h.p("x")))
    client_page.evaluate(
        """() => { window.__got = [];
          const view = document.getElementById('view');
          for (const name of ['av:reply', 'av:error']) {
            view.addEventListener(name, e => __got.push([e.type, e.detail.ref]));
          }
          __sockets[0].deliver({t: 'reply', ref: 1, outcome: 'applied'});
          __sockets[0].deliver({t: 'error', ref: 2, error: 'too many events'}); }"""
    )
    assert client_page.evaluate("__got") == [["av:reply", 1], ["av:error", 2]]


def test_close_stops_reconnecting(client_page: Any) -> None:
    connect(client_page, h.div(h.p("x")))
    client_page.evaluate("__conn.close()")
    client_page.wait_for_timeout(120)
    assert client_page.evaluate("__sockets.length") == 1


# ------------------------------------------------------------------ hooks


def test_hooks_are_mounted_updated_and_destroyed(client_page: Any) -> None:
    client_page.evaluate(
        """() => { window.__log = [];
          ActorView.hooks.Probe = {
            mounted() { __log.push('mounted ' + this.el.id); },
            updated() { __log.push('updated ' + this.el.id); },
            destroyed() { __log.push('destroyed ' + this.el.id); },
          }; }"""
    )
    empty = h.div(h.p("x"))
    with_hook = h.div(h.p("x"), h.div("0", id="h1", av_hook="Probe"))
    changed = h.div(h.p("x"), h.div("1", id="h1", av_hook="Probe", class_="on"))
    mount(client_page, empty)
    apply(client_page, empty, with_hook)
    apply(client_page, with_hook, changed)
    apply(client_page, changed, empty)
    assert client_page.evaluate("__log") == ["mounted h1", "updated h1", "destroyed h1"]


# ------------------------------------------------------------------ paged streams


def _paged(items: range) -> Element:
    ops = [_item(i) for i in items]
    style = "height:60px;overflow-y:auto"
    return h.div(h.stream("div", "m", ops, id="log", style=style, av_viewport_top="m"))


def _page_asks(page: Any) -> list[Any]:
    return [frame for frame in sent(page) if frame.get("name") == "av:page"]


def _deliver(page: Any, frame: Any) -> None:
    page.evaluate("f => __sockets[0].deliver(JSON.parse(f))", json.dumps(frame))


def _connect_paged(page: Any) -> None:
    """Joined, the log scrolled to its end (as av-autoscroll leaves a chat)."""
    connect(page, _paged(range(10, 20)))
    page.evaluate("const l = document.getElementById('log'); l.scrollTop = l.scrollHeight")
    _deliver(page, {"t": "joined", "token": "tok2", "seq": 0, "ref": 0})


def _asked(page: Any, count: int) -> None:
    page.wait_for_function(
        f"() => __sockets[0].sent.filter(f => f.name === 'av:page').length === {count}"
    )


def test_the_top_of_a_paged_stream_asks_once_for_the_page_before(client_page: Any) -> None:
    _connect_paged(client_page)
    client_page.wait_for_timeout(150)
    assert _page_asks(client_page) == []  # the first item is out of view
    client_page.evaluate("document.getElementById('log').scrollTop = 0")
    _asked(client_page, 1)
    client_page.evaluate("document.getElementById('log').scrollTop = 30")
    client_page.wait_for_timeout(100)
    client_page.evaluate("document.getElementById('log').scrollTop = 0")
    client_page.wait_for_timeout(150)
    (ask,) = _page_asks(client_page)  # asked once, though the top was reached twice
    assert ask["params"] == {"stream": "m", "edge": "top"}
    _deliver(client_page, {"t": "reply", "ref": ask["ref"], "outcome": "ignored"})
    _asked(client_page, 2)  # nothing came: the edge, still in view, is asked for again


def test_a_page_above_keeps_the_item_being_read_in_place_and_the_last_one_stops_asks(
    client_page: Any,
) -> None:
    _connect_paged(client_page)
    client_page.evaluate("document.getElementById('log').scrollTop = 0")
    _asked(client_page, 1)
    older = [
        ["i", [0], str(i), to_html(stream_item(str(i), _item(i).node)), 0] for i in range(9, -1, -1)
    ]
    _deliver(client_page, [*older, ["r", [0], "av-viewport-top"]])
    shown = client_page.evaluate(
        """() => { const log = document.getElementById('log');
          const item = log.querySelector('[av-key="10"]');
          return [item.getBoundingClientRect().top - log.getBoundingClientRect().top,
                  log.firstElementChild.getAttribute('av-key'), log.scrollTop,
                  log.hasAttribute('av-viewport-top')]; }"""
    )
    assert shown == [0, "0", 200, False]  # message 10 still at the top of the view
    client_page.evaluate("document.getElementById('log').scrollTop = 0")
    client_page.wait_for_timeout(150)
    assert len(_page_asks(client_page)) == 1, "nothing older: no more asks"
