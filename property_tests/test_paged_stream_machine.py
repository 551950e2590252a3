"""A paged stream with ``limit`` under any mix of pushes, unshifts, page loads and resets
always shows one contiguous run of its sequence: exactly the slice a plain model expects.

The view (``tests.view.paging.Feed``: page 3, limit 7) runs under the test client; the
page is the reference applier's DOM built only from the frames it sent. The model keeps
the whole sequence as a list and the window as two indexes. After every step the items on
the page must equal ``sequence[start:stop]``, the asks for older and newer pages must be
there exactly when something is there to load, and the source must hold the sequence.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import trio
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from actorview.testing import NotInteractive, TrioDriver, ViewClient, mount
from actorview.view import ActionEvent, Applied
from tests.view.paging import LIMIT, PAGE, Feed, FeedParams, Item, ListSource, items


async def serve(source: ListSource, *, task_status: trio.TaskStatus[ViewClient[Feed]]) -> None:
    async with mount(Feed, FeedParams(source)) as view:
        task_status.started(view)
        await trio.sleep_forever()


class PagedWindow(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.driver = TrioDriver().__enter__()
        self.next_id = 1000

    @initialize(length=st.integers(min_value=0, max_value=25))
    def open_on_a_sequence(self, length: int) -> None:
        self.sequence = items(length)
        self.source = ListSource(self.sequence)
        self.view: ViewClient[Feed] = self.driver.start(functools.partial(serve, self.source))
        self.start, self.stop = max(0, length - PAGE), length

    def teardown(self) -> None:
        self.driver.__exit__(None, None, None)

    def run(self, function: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        return self.driver.call(functools.partial(function, *args))

    def fresh(self) -> Item:
        self.next_id += 1
        return Item(self.next_id)

    def trim(self, *, keep_start: bool) -> None:
        if self.stop - self.start > LIMIT:
            if keep_start:
                self.stop = self.start + LIMIT
            else:
                self.start = self.stop - LIMIT

    @rule()
    def push(self) -> None:
        item = self.fresh()
        at_end = self.stop == len(self.sequence)
        self.sequence.append(item)
        assert self.run(self.view.ref.ask, ActionEvent("push", {"id": item.id})) == Applied()
        if at_end:
            self.stop += 1
            self.trim(keep_start=False)

    @rule()
    def unshift(self) -> None:
        item = self.fresh()
        self.sequence.insert(0, item)
        assert self.run(self.view.ref.ask, ActionEvent("unshift", {"id": item.id})) == Applied()
        if self.start == 0:
            self.stop += 1
            self.trim(keep_start=True)
        else:
            self.start += 1
            self.stop += 1

    @rule()
    def scroll_to_top(self) -> None:
        if self.start == 0:
            with pytest.raises(NotInteractive):
                self.run(self.view.scroll_to_top, "#feed")
            return
        mark = self.view.mark()
        assert self.run(self.view.scroll_to_top, "#feed") == Applied()
        self.start = max(0, self.start - PAGE)
        self.trim(keep_start=True)
        self.one_bounded_frame_since(mark)

    @rule()
    def scroll_to_bottom(self) -> None:
        if self.stop == len(self.sequence):
            with pytest.raises(NotInteractive):
                self.run(self.view.scroll_to_bottom, "#feed")
            return
        mark = self.view.mark()
        assert self.run(self.view.scroll_to_bottom, "#feed") == Applied()
        self.stop = min(len(self.sequence), self.stop + PAGE)
        self.trim(keep_start=False)
        self.one_bounded_frame_since(mark)

    @rule()
    def reset(self) -> None:
        assert self.run(self.view.ref.ask, ActionEvent("reset")) == Applied()
        self.sequence.clear()
        self.start = self.stop = 0

    def one_bounded_frame_since(self, mark: int) -> None:
        """A page load is one frame of at most PAGE inserts (and the prunes they cause)."""
        (frame,) = self.view.frames_since(mark, "patch")
        assert sum(1 for op in frame.data if op[0] == "i") <= PAGE

    @invariant()
    def the_page_shows_the_expected_contiguous_slice(self) -> None:
        if not hasattr(self, "view"):
            return
        self.run(self.view.settle)
        shown = [int(li.text) for li in self.view.find_all("#feed > li")]
        assert shown == [item.id for item in self.sequence[self.start : self.stop]]
        assert len(shown) <= LIMIT
        attrs = self.view.find("#feed").attrs
        assert ("av-viewport-top" in attrs) == (self.start > 0)
        assert ("av-viewport-bottom" in attrs) == (self.stop < len(self.sequence))
        assert self.source.items == self.sequence
        assert self.view.view.items.window_start == self.start


PagedWindow.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestPagedWindow = PagedWindow.TestCase
