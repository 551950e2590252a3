"""A stateful machine uses the chat as a person would, through the test client.

Rules type into the prompt, click Send, Cancel and Clear, press Enter, submit the form
with fields, and move the test clock one token delay. A plain model says what should be
on screen; after every step the machine compares it with the page the client built from
the frames the view sent: the history items, the draft, the token count, which buttons
are disabled, the "thinking" note and the prompt's value. It also checks that the page
equals a fresh render of the view's last tree (the diff and the applier agree), and that
the client refuses exactly what a browser would (a click on a disabled button).

The view runs with ``frame_interval = 0`` so each step's render is on the page when the
step ends; the pacing of renders is the view layer's own test.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import pytest
import trio
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from actorview.render import Document
from actorview.render._document import Snapshot
from actorview.testing import NotInteractive, TrioDriver, ViewClient, mount
from actorview.view import Applied, Ignored
from demo_chat import ChatView, count_tokens, reply_tokens

DELAY = 1.0  # whole seconds: each tick lands exactly on the next token's deadline
LENGTH = 4


class UnpacedChat(ChatView):
    """The chat, rendering after every message (no frame pacing)."""

    frame_interval = 0


texts = st.text(alphabet="ab \n", max_size=5).filter(lambda text: text.strip() != "fail")


@attrs.define
class Model:
    """What the chat should show: plain lists and strings, no runtime."""

    history: list[tuple[str, str]] = attrs.Factory(list)
    input: str = ""  # the server's client field
    typed: str = ""  # what the prompt shows
    streaming: bool = False
    tokens: list[str] = attrs.Factory(list)
    emitted: int = 0

    @property
    def draft(self) -> str:
        return "".join(self.tokens[: self.emitted]) if self.streaming else ""

    @property
    def send_disabled(self) -> bool:
        return not self.input.strip() or self.streaming

    def keep_draft(self) -> None:
        """A reply still streaming stays in the history as stopped, text or none."""
        if self.streaming:
            self.history.append(("assistant", self.draft + " (stopped)"))

    def submit(self, value: str) -> bool:
        """The submit action with the form's ``input`` field; True if it was applied."""
        self.input = value
        self.typed = ""  # av-reset
        prompt = value.strip()
        if not prompt:
            return False
        self.keep_draft()
        self.history.append(("user", prompt))
        self.input = ""
        self.streaming = True
        self.tokens = reply_tokens(prompt, LENGTH)
        self.emitted = 0
        return True

    def tick(self) -> None:
        if not self.streaming:
            return
        self.emitted += 1
        if self.emitted == len(self.tokens):
            self.history.append(("assistant", "".join(self.tokens)))
            self.streaming = False

    def cancel(self) -> None:
        self.keep_draft()
        self.streaming = False

    def clear(self) -> None:
        self.history.clear()
        self.streaming = False


def without_history(node: Snapshot) -> Snapshot:
    """``node`` with the children of ``#history`` left out."""
    if isinstance(node, str):
        return node
    tag, attributes, children = node
    if ("id", "history") in attributes:
        return tag, attributes, ()
    return tag, attributes, tuple(without_history(child) for child in children)


def history_tail(node: Snapshot) -> Snapshot | None:
    """The last child of ``#history`` (its tail) in ``node``, or None if there is none."""
    if isinstance(node, str):
        return None
    _tag, attributes, children = node
    if ("id", "history") in attributes:
        return children[-1] if children else None
    for child in children:
        found = history_tail(child)
        if found is not None:
            return found
    return None


async def serve(*, task_status: trio.TaskStatus[ViewClient[UnpacedChat]]) -> None:
    params = {"token_delay": DELAY, "reply_length": LENGTH}
    async with mount(UnpacedChat, params) as view:
        task_status.started(view)
        await trio.sleep_forever()


class ChatThroughClient(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.driver = TrioDriver().__enter__()
        self.view: ViewClient[UnpacedChat] = self.driver.start(serve)
        self.model = Model()

    def teardown(self) -> None:
        self.driver.__exit__(None, None, None)

    def run(self, function: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
        return self.driver.call(functools.partial(function, *args, **kwargs))

    @rule(text=texts)
    def type_prompt(self, text: str) -> None:
        self.run(self.view.type, "#prompt", text)
        self.model.typed = self.model.input = text

    @rule()
    def click_send(self) -> None:
        if self.model.send_disabled:
            with pytest.raises(NotInteractive):
                self.run(self.view.click, "#send")
            return
        outcome = self.run(self.view.click, "#send")  # the form's fields go with it
        applied = self.model.submit(self.model.typed)
        assert outcome == Applied() if applied else isinstance(outcome, Ignored)

    @rule()
    def press_enter(self) -> None:
        outcome = self.run(self.view.keydown, "#prompt", "Enter")
        applied = self.model.submit(self.model.typed)
        assert outcome == Applied() if applied else isinstance(outcome, Ignored)

    @rule(text=texts)
    def submit_form(self, text: str) -> None:
        self.model.typed = self.model.input = text
        if self.model.send_disabled:
            with pytest.raises(NotInteractive):
                self.run(self.view.submit, "#composer", {"input": text})
            return
        assert self.run(self.view.submit, "#composer", {"input": text}) == Applied()
        assert self.model.submit(text)

    @rule()
    def click_cancel(self) -> None:
        if not self.model.streaming:
            with pytest.raises(NotInteractive):
                self.run(self.view.click, "#cancel")
            return
        assert self.run(self.view.click, "#cancel") == Applied()
        self.model.cancel()

    @rule()
    def click_clear(self) -> None:
        if not (self.model.history or self.model.streaming):
            with pytest.raises(NotInteractive):
                self.run(self.view.click, "#clear")
            return
        assert self.run(self.view.click, "#clear") == Applied()
        self.model.clear()

    @rule()
    def a_token_delay_passes(self) -> None:
        self.run(self.view.advance, DELAY)
        self.model.tick()

    def follow_lost_input(self) -> None:
        """KNOWN ISSUES, each pinned by an xfail test in test_chat_through_client.py:

        1. when ``#thinking`` comes or goes, the chat's children are compared by position
           and the form is replaced, so a prompt without focus loses what was typed in it
           (as it would in a browser), while the server still holds the typed input;
        2. a submit whose guard is false writes the form's fields but does not render, so
           the page would then keep showing Send enabled for an input it no longer has.

        Until the view is fixed, the machine acts as a user who sees the box emptied and
        clears it (an input event of ""), which brings server and page back in step.
        """
        if self.model.typed and self.view.value("#prompt") == "":
            focused = self.view.focused
            assert focused is None or focused.attrs.get("id") != "prompt"
            self.run(self.view.type, "#prompt", "")
            self.model.typed = self.model.input = ""

    @invariant()
    def the_page_shows_the_model(self) -> None:
        self.follow_lost_input()
        view, model = self.view, self.model
        kept = view.find_all("#history > li[av-key]")
        assert [(li.attrs["data-role"], li.text) for li in kept] == model.history
        # The reply streams as the history's last item, "Thinking…" until its first token.
        assert view.has_element("#history > li#draft") == model.streaming
        if model.streaming:
            assert view.text("#draft") == (model.draft or "Thinking…")
        assert view.text("#token-count") == f"{count_tokens(model.draft)} tokens"
        thinking_shown = view.has_element("#draft #thinking")
        assert thinking_shown == (model.streaming and not model.draft)
        assert view.is_disabled("#send") == model.send_disabled
        assert view.is_disabled("#cancel") == (not model.streaming)
        assert view.is_disabled("#clear") == (not (model.history or model.streaming))
        assert view.value("#prompt") == model.typed

    @invariant()
    def the_page_is_what_a_fresh_render_would_show(self) -> None:
        """Outside the history's items (a stream container: the tree carries only its
        pending inserts, the page all items), the page equals the last tree rendered
        afresh, the history's tail (its last child) included."""
        tree = self.view.view.live.tree
        document = self.view.page.document
        assert tree is not None and document is not None
        fresh = Document.from_tree(tree).snapshot()
        assert without_history(document.snapshot()) == without_history(fresh)
        assert history_tail(document.snapshot()) == history_tail(fresh)


ChatThroughClient.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestChatThroughClient = ChatThroughClient.TestCase
