"""A stream with ``limit`` (not paged) under any mix of pushes and unshifts, with the
stream's limit or their own, and jumps back to the newest item, always shows one
contiguous run of its sequence on the page: never a silent gap.

The view (``tests.view.limited.Ticker``: limit 4, inserts with ``limit=3`` and
``limit=-3``) runs under the test client; the page is the reference applier's DOM built
only from the frames the view sent. The model keeps the whole sequence as a list and the
window as two indexes; after every step the page must show ``sequence[start:stop]`` and
the markers must count what lies before and after it.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import trio
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from actorview.testing import TrioDriver, ViewClient, mount
from actorview.view import ActionEvent, Applied, Ignored
from tests.view.limited import KEEP, LIMIT, Ticker


async def serve(*, task_status: trio.TaskStatus[ViewClient[Ticker]]) -> None:
    async with mount(Ticker) as view:
        task_status.started(view)
        await trio.sleep_forever()


class LimitedWindow(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.driver = TrioDriver().__enter__()
        self.next_id = 0
        self.sequence: list[int] = []
        self.start = self.stop = 0
        self.newest = -1

    @initialize()
    def mount_the_view(self) -> None:
        self.view: ViewClient[Ticker] = self.driver.start(serve)

    def teardown(self) -> None:
        self.driver.__exit__(None, None, None)

    def run(self, function: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        return self.driver.call(functools.partial(function, *args))

    def act(self, name: str, **params: Any) -> Any:
        return self.run(self.view.ref.ask, ActionEvent(name, params))

    def fresh(self) -> int:
        self.next_id += 1
        return self.next_id

    def trim(self, limit: int, *, keep_first: bool) -> None:
        while self.stop - self.start > limit:
            if keep_first:
                self.stop -= 1
            else:
                self.start += 1

    def insert(self, ident: int, *, at_start: bool, limit: int, keep_first: bool) -> None:
        if at_start:
            self.sequence.insert(0, ident)
            if self.start == 0:
                self.stop += 1
                self.trim(limit, keep_first=keep_first)
            else:
                self.start += 1
                self.stop += 1
        else:
            self.sequence.append(ident)
            if self.stop == len(self.sequence) - 1:
                self.stop += 1
                self.trim(limit, keep_first=keep_first)

    @rule()
    def push(self) -> None:
        ident = self.fresh()
        assert self.act("push", id=ident) == Applied()
        self.newest = ident
        self.insert(ident, at_start=False, limit=LIMIT, keep_first=False)

    @rule()
    def unshift(self) -> None:
        ident = self.fresh()
        assert self.act("unshift", id=ident) == Applied()
        self.insert(ident, at_start=True, limit=LIMIT, keep_first=True)

    @rule()
    def push_keeping_the_first(self) -> None:
        ident = self.fresh()
        assert self.act("push_first", id=ident) == Applied()
        self.insert(ident, at_start=False, limit=KEEP, keep_first=True)

    @rule()
    def unshift_keeping_the_last(self) -> None:
        ident = self.fresh()
        assert self.act("unshift_last", id=ident) == Applied()
        self.insert(ident, at_start=True, limit=KEEP, keep_first=False)

    @rule()
    def show_newest(self) -> None:
        outcome = self.act("show_newest")
        if self.newest < 0:
            assert isinstance(outcome, Ignored)
            return
        assert outcome == Applied()
        self.sequence, self.start, self.stop = [self.newest], 0, 1

    @invariant()
    def the_page_shows_one_contiguous_run_and_counts_the_rest(self) -> None:
        if not hasattr(self, "view"):
            return
        self.run(self.view.settle)
        shown = [int(li.text) for li in self.view.find_all("#items > li")]
        assert shown == self.sequence[self.start : self.stop]
        assert len(shown) <= LIMIT
        before, after = self.start, len(self.sequence) - self.stop
        older, newer = self.view.find("#older"), self.view.find("#newer")
        assert ("hidden" in older.attrs) == (before == 0)
        assert ("hidden" in newer.attrs) == (after == 0)
        if before:
            assert older.text == f"{before} older not shown"
        if after:
            assert newer.text == f"{after} newer not shown"


LimitedWindow.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLimitedWindow = LimitedWindow.TestCase
