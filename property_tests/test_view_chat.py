"""A stateful machine drives the chat view's mailbox against a plain model of the chat.

Rules interleave typing, submit, LLM tokens (the test clock moves one token delay), the
end of a reply, cancel, clear, and submits while a reply streams; two "racing" rules move
the clock and queue a cancel or a submit before the run's next token reaches the
mailbox, so that token is queued behind the cancel and must be dropped. After every
step the machine checks that no token of a cancelled or superseded run reached state,
that the draft is the live run's tokens so far, the history (as the page shows it, built
only from the frames the view sent), every calc against a from-scratch recompute, and
that each calc was computed at most once per handled message or batch.
"""

from __future__ import annotations

from typing import Any

import attrs
import trio
import trio.lowlevel
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from actorview.mailbox import ActorRef
from actorview.testing import TrioDriver
from actorview.view import ActionEvent, InputEvent
from demo_chat import ChatParams, ChatView, count_tokens, reply_tokens
from tests.demo_chat.page import Page

DELAY = 1.0  # whole seconds: the test clock lands exactly on each token's deadline
LENGTH = 4

texts = st.text(alphabet="ab \n", max_size=6).filter(lambda text: text != "fail")


@attrs.define
class Model:
    """What the chat should show: plain lists and strings, no runtime."""

    history: list[tuple[str, str]] = attrs.Factory(list)
    input: str = ""
    streaming: bool = False
    tokens: list[str] = attrs.Factory(list)
    emitted: int = 0

    @property
    def draft(self) -> str:
        return "".join(self.tokens[: self.emitted]) if self.streaming else ""

    def keep_draft(self) -> None:
        """A reply still streaming stays in the history as stopped, text or none."""
        if self.streaming:
            self.history.append(("assistant", self.draft + " (stopped)"))

    def submit(self) -> None:
        prompt = self.input.strip()
        if not prompt:
            return
        self.keep_draft()
        self.history.append(("user", prompt))
        self.input = ""
        self.streaming = True
        self.tokens = reply_tokens(prompt, LENGTH)
        self.emitted = 0

    def tick(self) -> None:
        if not self.streaming:
            return
        self.emitted += 1
        if self.emitted == len(self.tokens):
            self.history.append(("assistant", "".join(self.tokens)))
            self.streaming = False

    def cancel(self) -> None:
        if self.streaming:
            self.keep_draft()
            self.streaming = False

    def clear(self) -> None:
        self.history.clear()
        self.streaming = False


class ChatMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.driver = TrioDriver().__enter__()
        self.page = Page()
        self.view = ChatView(ChatParams(token_delay=DELAY, reply_length=LENGTH), sink=self.page)
        self.ref: ActorRef = self.driver.start(self.view.run)
        self.model = Model()
        self.counts = self._counts()

    def teardown(self) -> None:
        self.driver.__exit__(None, None, None)

    def _counts(self) -> tuple[int, int, dict[str, int]]:
        store = self.view.live.store
        return self.view.mailbox.stats.batches, store.recomputes, dict(store.evaluations)

    def _send(self, event: Any) -> None:
        self.driver.call(self.ref.ask, event)

    # -- rules ------------------------------------------------------------------------

    @rule(text=texts)
    def type_input(self, text: str) -> None:
        self._send(InputEvent("input", text))
        self.model.input = text

    @rule()
    def submit(self) -> None:
        self._send(ActionEvent("submit"))
        self.model.submit()

    @precondition(lambda self: self.model.streaming)
    @rule(text=texts.filter(lambda text: bool(text.strip())))
    def submit_while_streaming(self, text: str) -> None:
        self.type_input(text)
        self.submit()

    @rule()
    def token(self) -> None:
        self.driver.advance(DELAY)
        self.model.tick()

    @precondition(lambda self: self.model.streaming)
    @rule()
    def reply_to_the_end(self) -> None:
        while self.model.streaming:
            self.token()

    @rule()
    def cancel(self) -> None:
        self._send(ActionEvent("cancel"))
        self.model.cancel()

    @rule()
    def clear(self) -> None:
        self._send(ActionEvent("clear"))
        self.model.clear()

    @precondition(lambda self: self.model.streaming)
    @rule()
    def cancel_racing_a_token(self) -> None:
        self._race(ActionEvent("cancel"))
        self.model.cancel()

    @precondition(lambda self: self.model.streaming)
    @rule(text=texts.filter(lambda text: bool(text.strip())))
    def submit_racing_a_token(self, text: str) -> None:
        self.type_input(text)
        self._race(ActionEvent("submit"))
        self.model.submit()

    def _race(self, event: Any) -> None:
        """Move the clock to the run's next token and queue ``event`` before it is sent."""

        async def race() -> None:
            self.driver.clock.jump(DELAY)
            self.ref.tell_nowait(event)  # no checkpoint: queued before the token
            await trio.lowlevel.checkpoint()

        self.driver.call(race)

    # -- invariants -------------------------------------------------------------------

    @invariant()
    def state_matches_the_model(self) -> None:
        view, model = self.view, self.model
        assert view.draft == model.draft
        assert view.streaming == model.streaming
        assert view.input == model.input
        assert len(view.history) == len(model.history)

    @invariant()
    def the_page_shows_the_models_history(self) -> None:
        assert self.page.history() == self.model.history
        # The reply streams as the history's last item, "Thinking…" until its first token.
        shown = self.page.draft()
        assert shown == ((self.model.draft or "Thinking…") if self.model.streaming else None)

    @invariant()
    def calcs_equal_a_recompute_from_scratch(self) -> None:
        store = self.view.live.store
        for calc in ChatView.__view_spec__.calc_order:
            assert store.calc_value(calc.name) == calc.compute(store.read), calc.name
        assert self.view.token_count == count_tokens(self.model.draft)
        assert self.view.input_valid == bool(self.model.input.strip())
        assert self.view.has_messages == bool(self.model.history)

    @invariant()
    def each_calc_is_computed_at_most_once_per_message_or_batch(self) -> None:
        batches, recomputes, evaluations = self._counts()
        before_batches, before_recomputes, before_evaluations = self.counts
        passes = recomputes - before_recomputes
        assert passes <= batches - before_batches
        for name, count in evaluations.items():
            assert count - before_evaluations[name] <= passes, name
        self.counts = (batches, recomputes, evaluations)


ChatMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)
TestChatMachine = ChatMachine.TestCase
