"""client.js shows the server's ``notice`` frames in ``#av-notice``, outside the view.

The socket is a fake (see conftest.py) that the test opens and feeds by hand.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from actorview.endpoint._protocol import NoticeKind, control_frame
from actorview.render import h, to_html

pytestmark = pytest.mark.browser


def connect(page: Any) -> None:
    page.evaluate(
        """html => {
          const view = document.getElementById('view');
          view.innerHTML = html;
          view.setAttribute('data-av-socket', 'ws://127.0.0.1:9/_av/live');
          view.setAttribute('data-av-token', 'tok1');
          ActorView.connect(view, {minDelay: 10, maxDelay: 40});
          __sockets[0].open();
        }""",
        to_html(h.div(h.p("hello", id="p"))),
    )


def deliver(page: Any, frame: str) -> None:
    page.evaluate("f => __sockets[0].deliver(JSON.parse(f))", frame)


def notice(page: Any) -> dict[str, Any] | None:
    return page.evaluate(  # type: ignore[no-any-return]
        """() => { const n = document.getElementById('av-notice');
          return n && {hidden: n.hidden, kind: n.dataset.kind, role: n.getAttribute('role'),
                       text: n.querySelector('.av-notice-text').textContent,
                       action: n.querySelector('.av-notice-action').textContent,
                       inView: document.getElementById('view').contains(n)}; }"""
    )


def test_a_restart_notice_is_shown_outside_the_view_and_can_be_dismissed(client_page: Any) -> None:
    connect(client_page)
    assert notice(client_page) is None
    deliver(
        client_page,
        control_frame("notice", kind=NoticeKind.RESTARTED.value, text="The page was reloaded"),
    )
    shown = notice(client_page)
    assert shown == {
        "hidden": False,
        "kind": "restarted",
        "role": "status",
        "text": "The page was reloaded",
        "action": "Dismiss",
        "inView": False,
    }
    client_page.click("#av-notice .av-notice-action")
    assert notice(client_page)["hidden"] is True  # type: ignore[index]


def test_waiting_stays_until_the_view_renders_again(client_page: Any) -> None:
    connect(client_page)
    deliver(client_page, control_frame("notice", kind="waiting", text="Waiting for the database"))
    deliver(client_page, json.dumps([["t", [0, 0], "still old"]]))
    assert notice(client_page)["hidden"] is False  # type: ignore[index]
    deliver(client_page, control_frame("render", html=to_html(h.div(h.p("back")))))
    assert notice(client_page)["hidden"] is True  # type: ignore[index]
    assert client_page.inner_text("#view") == "back"


def test_failed_offers_to_try_again_with_a_reload(client_page: Any) -> None:
    connect(client_page)
    deliver(client_page, control_frame("notice", kind="failed", text="This page stopped"))
    shown = notice(client_page)
    assert shown is not None
    assert (shown["role"], shown["action"]) == ("alert", "Try again")
    client_page.evaluate("() => { window.__marker = 1; }")
    with client_page.expect_navigation():
        client_page.click("#av-notice .av-notice-action")
    assert client_page.evaluate("window.__marker") is None  # the page really reloaded


def test_the_notice_text_is_text_never_markup(client_page: Any) -> None:
    connect(client_page)
    payload = '<img src=x onerror="window.__pwned=1">'
    deliver(client_page, control_frame("notice", kind="error", text=payload))
    assert notice(client_page)["text"] == payload  # type: ignore[index]
    assert client_page.evaluate("window.__pwned") is None
    assert client_page.query_selector("#av-notice img") is None


def test_the_last_render_of_a_failed_view_is_marked_and_inert_and_waiting_ends_with_a_render(
    client_page: Any,
) -> None:
    connect(client_page)

    def state() -> list[Any]:
        return client_page.evaluate(  # type: ignore[no-any-return]
            "() => { const v = document.getElementById('view');"
            " return [v.getAttribute('data-av-state'), v.inert]; }"
        )

    deliver(client_page, control_frame("notice", kind="waiting", text="Waiting"))
    assert state() == ["waiting", False]
    deliver(client_page, control_frame("render", html=to_html(h.div(h.p("back")))))
    assert state() == [None, False]
    deliver(client_page, control_frame("notice", kind="restarted", text="Reloaded"))
    assert state() == [None, False], "a restarted view is live"
    deliver(client_page, control_frame("notice", kind="failed", text="Stopped"))
    assert state() == ["failed", True]
