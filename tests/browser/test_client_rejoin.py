"""client.js when the server will not take it back: a refused join is tried once more,
then the page asks its user to reload; a socket replaced by another tab's does not
fight back; the backoff grows until a join is accepted; and a frame past the limit the
server gave at join is never sent.

The socket is a fake (see conftest.py) that the test opens, feeds and closes by hand,
with the close codes the real endpoint sends (docs/PROTOCOL.md, "Closing").
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from actorview.render import h, to_html

pytestmark = pytest.mark.browser


def connect(page: Any, *, min_delay: int = 10, max_delay: int = 40) -> None:
    page.evaluate(
        """([html, minDelay, maxDelay]) => {
          const view = document.getElementById('view');
          view.innerHTML = html;
          view.setAttribute('data-av-socket', 'ws://127.0.0.1:9/_av/live');
          view.setAttribute('data-av-token', 'tok1');
          ActorView.connect(view, {minDelay, maxDelay});
        }""",
        [
            to_html(h.div(h.button("go", id="go", av_click="say", av_value_text="x" * 600))),
            min_delay,
            max_delay,
        ],
    )


def sockets(page: Any) -> int:
    return page.evaluate("() => __sockets.length")  # type: ignore[no-any-return]


def open_last(page: Any, *, joined: dict[str, Any] | None = None) -> None:
    page.evaluate(
        """joined => { const s = __sockets[__sockets.length - 1]; s.open();
          if (joined) s.deliver(Object.assign({t: 'joined', token: 't', seq: 0}, joined)); }""",
        joined,
    )


def close_last(page: Any, code: int, reason: str = "") -> None:
    page.evaluate(
        """([code, reason]) => { const s = __sockets[__sockets.length - 1];
                                 s.readyState = 3; s.onclose({code, reason}); }""",
        [code, reason],
    )


def wait_for_sockets(page: Any, count: int) -> None:
    page.wait_for_function("n => __sockets.length >= n", arg=count, timeout=5000)


def notice(page: Any) -> dict[str, Any] | None:
    return page.evaluate(  # type: ignore[no-any-return]
        """() => { const n = document.getElementById('av-notice');
          return n && {hidden: n.hidden, kind: n.dataset.kind,
                       text: n.querySelector('.av-notice-text').textContent,
                       action: n.querySelector('.av-notice-action').textContent}; }"""
    )


def test_a_refused_join_is_tried_once_more_then_the_page_asks_for_a_reload(
    client_page: Any,
) -> None:
    connect(client_page)
    open_last(client_page)
    close_last(client_page, 4001, "join token has expired")
    wait_for_sockets(client_page, 2)
    assert notice(client_page) is None, "one refusal may be a restart's race: try again"
    open_last(client_page)
    close_last(client_page, 4001, "join token has expired")
    client_page.wait_for_selector("#av-notice:not([hidden])")
    shown = notice(client_page)
    assert shown is not None and shown["kind"] == "failed" and shown["action"] == "Try again"
    assert "(join token has expired). Reload it" in shown["text"]
    time.sleep(0.3)  # ten times the backoff: nothing more is tried
    assert sockets(client_page) == 2


def test_a_refusal_after_an_accepted_join_counts_afresh(client_page: Any) -> None:
    connect(client_page)
    open_last(client_page, joined={})
    close_last(client_page, 4001)
    wait_for_sockets(client_page, 2)
    open_last(client_page, joined={})  # accepted: the refusals in a row start again
    close_last(client_page, 4001)
    wait_for_sockets(client_page, 3)
    assert notice(client_page) is None


def test_a_socket_replaced_by_another_tab_does_not_take_the_session_back(
    client_page: Any,
) -> None:
    connect(client_page)
    open_last(client_page, joined={})
    close_last(client_page, 4009, "replaced by a newer connection")
    client_page.wait_for_selector("#av-notice:not([hidden])")
    assert "opened elsewhere" in notice(client_page)["text"]  # type: ignore[index]
    time.sleep(0.3)
    assert sockets(client_page) == 1


def test_the_backoff_grows_while_joins_fail_and_is_reset_by_an_accepted_join(
    client_page: Any,
) -> None:
    connect(client_page, min_delay=10, max_delay=20_000)
    for count in range(1, 9):  # the socket opens, then drops before any joined frame
        wait_for_sockets(client_page, count)
        open_last(client_page)
        close_last(client_page, 1006)
    # The next try waits at least 10 ms * 2**8 / 2 = 1.28 s, however quickly each opened.
    time.sleep(0.5)
    assert sockets(client_page) == 8
    wait_for_sockets(client_page, 9)
    open_last(client_page, joined={})
    close_last(client_page, 1006)
    started = time.monotonic()
    wait_for_sockets(client_page, 10)
    assert time.monotonic() - started < 1.0, "an accepted join resets the backoff"


def test_an_event_past_the_frame_limit_is_not_sent_and_the_page_says_why(
    client_page: Any,
) -> None:
    connect(client_page)
    open_last(client_page, joined={"limits": {"max_frame_bytes": 300}})
    client_page.click("#go")
    client_page.wait_for_selector("#av-notice:not([hidden])")
    shown = notice(client_page)
    assert shown is not None and shown["kind"] == "error"
    assert shown["text"].startswith("That is too large to send (0.6 KB; the limit is 0.3 KB).")
    sent = client_page.evaluate("() => __sockets[0].sent.map(f => f.t)")
    assert "event" not in sent, sent
