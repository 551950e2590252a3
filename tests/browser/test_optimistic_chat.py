"""Optimistic updates of the chat in a real browser, against the real ChatView.

The page is built by hand the way the endpoint will serve it: the view's first render in
a container naming its program, then the runtime (``runtime_source()``), the view's client
program (``program_source(ChatView)``) and client.js, each loaded as a script (no eval: the
endpoint's CSP allows none). The socket is the conftest's fake, so the server is as slow
as the test wants: nothing reaches the page until the test delivers it. The server side is
a real ChatView run by a :class:`TrioDriver` under a mock clock (its LLM never speaks);
the frames the test delivers are the ones it renders for the events the page sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from actorview.optimistic import runtime_source
from actorview.optimistic.program import program_id, program_source
from actorview.render import client_script_path, to_html
from actorview.render.wire import op_to_wire
from actorview.testing.driver import TrioDriver
from actorview.view import ActionEvent, Applied, Rendered
from demo_chat.messages import ChatParams
from demo_chat.view import ChatView
from tests.browser.conftest import FAKE_SOCKET, SNAPSHOT

pytestmark = pytest.mark.browser

HISTORY = "#history > li"


class Server:
    """A ChatView in a trio loop; ``frames()`` gives what it rendered since last asked."""

    def __init__(self, driver: TrioDriver) -> None:
        self.driver = driver
        self.rendered: list[Rendered] = []
        self.view = ChatView(
            ChatParams(token_delay=0.05, reply_length=5, history=2), sink=self.rendered.append
        )
        self.ref = driver.start(self.view.run)
        self.taken = 1

    @property
    def first_html(self) -> str:
        return to_html(self.rendered[0].tree)

    def event(self, frame: dict[str, Any]) -> Any:
        return self.driver.call(self.ref.ask, ActionEvent(frame["name"], frame["params"]))

    def frames(self) -> list[list[Any]]:
        new = self.rendered[self.taken :]
        self.taken = len(self.rendered)
        return [[op_to_wire(op) for op in r.patches] for r in new]


@pytest.fixture
def server() -> Iterator[Server]:
    with TrioDriver() as driver:
        yield Server(driver)


@pytest.fixture
def chat(browser: Any, server: Server) -> Iterator[Any]:
    page = browser.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.set_content(
        '<!doctype html><html><head><meta charset="utf-8"></head><body>'
        f'<div id="av-root" data-av-socket="ws://127.0.0.1:9/_av/live" '
        f'data-av-program="{program_id(ChatView)}">{server.first_html}</div></body></html>'
    )
    page.add_script_tag(content=FAKE_SOCKET + SNAPSHOT)
    page.add_script_tag(content=runtime_source())
    page.add_script_tag(content=program_source(ChatView))
    page.add_script_tag(path=str(client_script_path()))
    page.evaluate("() => __sockets[0].open()")
    yield page
    assert page.console_errors == []
    page.close()


def sent_events(page: Any) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = page.evaluate("() => __sockets[0].sent")
    return [frame for frame in frames if frame.get("t") == "event"]


def deliver(page: Any, frame: Any) -> None:
    page.evaluate("f => __sockets[0].deliver(f)", frame)


def items(page: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.eval_on_selector_all(
        HISTORY,
        """els => els.map(e => ({text: e.textContent, role: e.dataset.role,
              key: e.getAttribute('av-key'), provisional: e.hasAttribute('av-provisional'),
              html: e.outerHTML}))""",
    )
    return found


def send_disabled(page: Any) -> bool:
    return bool(page.evaluate("() => document.querySelector('#send').disabled"))


def test_send_enables_and_disables_as_the_user_types_while_the_server_is_silent(
    chat: Any,
) -> None:
    assert send_disabled(chat)
    prompt = chat.locator("#prompt")
    prompt.press_sequentially("h")
    assert not send_disabled(chat), "one letter enables Send, with no frame from the server"
    prompt.press("Backspace")
    assert send_disabled(chat)
    prompt.press_sequentially("   ")
    assert send_disabled(chat), "only spaces: input_valid is false, as in Python"
    prompt.press_sequentially("x")
    assert not send_disabled(chat)
    prompt.fill("")
    assert send_disabled(chat)
    assert not any(f.get("t") == "event" for f in chat.evaluate("() => __sockets[0].sent"))


def test_the_server_keeps_send_disabled_while_a_reply_streams(chat: Any, server: Server) -> None:
    chat.locator("#prompt").press_sequentially("first")
    chat.press("#prompt", "Enter")
    assert server.event(sent_events(chat)[0]) == Applied()
    for frame in server.frames():
        deliver(chat, frame)
    chat.locator("#prompt").press_sequentially("second")
    assert send_disabled(chat), "streaming: the server's av-disable-also keeps Send disabled"


def test_the_message_appears_before_any_frame_then_the_servers_item_takes_its_place(
    chat: Any, server: Server
) -> None:
    before = items(chat)
    assert len(before) == 2
    chat.locator("#prompt").press_sequentially("  hello <there> & you  ")
    chat.press("#prompt", "Enter")

    shown = items(chat)
    assert len(shown) == 3, "the user's message is shown before the server answers"
    mine = shown[-1]
    assert mine["provisional"] and mine["role"] == "user"
    assert mine["text"] == "hello <there> & you", "the browser stripped it as Python does"
    assert chat.input_value("#prompt") == ""
    assert send_disabled(chat)

    (event,) = sent_events(chat)
    assert event["params"]["_av_keys"] == {"1": mine["key"]}
    assert server.event(event) == Applied()
    frames = server.frames()
    assert frames, "the server renders the submit"
    deliver(chat, {"t": "reply", "ref": event["ref"], "outcome": "applied"})
    for frame in frames:
        deliver(chat, frame)
        now = items(chat)
        texts = [item["text"] for item in now]
        assert texts.count("hello <there> & you") == 1, f"a duplicate after {frame}"
        assert len(now) == 3
    final = items(chat)[-1]
    assert final["key"] == mine["key"], "the server used the key the browser proposed"
    assert not final["provisional"]
    assert final["html"] == mine["html"].replace(' av-provisional=""', ""), (
        "the browser drew the item exactly as the server renders it"
    )


def test_the_servers_frame_may_come_before_its_reply(chat: Any, server: Server) -> None:
    chat.locator("#prompt").press_sequentially("quick")
    chat.press("#prompt", "Enter")
    (event,) = sent_events(chat)
    server.event(event)
    for frame in server.frames():
        deliver(chat, frame)
        assert [i["text"] for i in items(chat)].count("quick") == 1
    deliver(chat, {"t": "reply", "ref": event["ref"], "outcome": "applied"})
    assert [i["text"] for i in items(chat)].count("quick") == 1
    assert not items(chat)[-1]["provisional"]


def test_a_rejected_submit_removes_the_message_and_restores_the_input(chat: Any) -> None:
    chat.locator("#prompt").press_sequentially("refused")
    chat.press("#prompt", "Enter")
    assert len(items(chat)) == 3 and chat.input_value("#prompt") == ""
    (event,) = sent_events(chat)
    deliver(chat, {"t": "reply", "ref": event["ref"], "outcome": "rejected", "error": "no"})
    assert len(items(chat)) == 2
    assert chat.input_value("#prompt") == "refused"
    assert not send_disabled(chat), "the restored input is valid again"


def test_an_ignored_submit_is_rolled_back_too(chat: Any) -> None:
    chat.locator("#prompt").press_sequentially("ignored")
    chat.press("#prompt", "Enter")
    (event,) = sent_events(chat)
    deliver(chat, {"t": "reply", "ref": event["ref"], "outcome": "ignored", "reason": "x"})
    assert len(items(chat)) == 2
    assert chat.input_value("#prompt") == "ignored"


def test_a_key_the_server_declined_leaves_no_duplicate(chat: Any, server: Server) -> None:
    chat.locator("#prompt").press_sequentially("declined")
    chat.press("#prompt", "Enter")
    (event,) = sent_events(chat)
    event["params"]["_av_keys"] = {"1": "not a proposed key"}
    server.event(event)
    deliver(chat, {"t": "reply", "ref": event["ref"], "outcome": "applied"})
    for frame in server.frames():
        deliver(chat, frame)
    shown = items(chat)
    assert [i["text"] for i in shown].count("declined") == 1
    assert not shown[-1]["provisional"] and shown[-1]["key"].startswith("history-")


def test_nothing_is_predicted_for_an_invalid_input(chat: Any) -> None:
    chat.locator("#prompt").press_sequentially("   ")
    chat.press("#prompt", "Enter")
    assert len(items(chat)) == 2
    (event,) = sent_events(chat)
    assert "_av_keys" not in event["params"], "the guard is false: the server decides"


def test_an_event_refused_before_the_view_saw_it_is_rolled_back(chat: Any) -> None:
    chat.locator("#prompt").press_sequentially("too fast")
    chat.press("#prompt", "Enter")
    (event,) = sent_events(chat)
    deliver(chat, {"t": "error", "error": "too many events: slow down", "ref": event["ref"]})
    assert len(items(chat)) == 2
    assert chat.input_value("#prompt") == "too fast"
