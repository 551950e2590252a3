"""Paged streams: the first render holds the newest page, each scroll to an edge brings one
more page in one frame, ``limit`` prunes the far end, and the page is never left with a gap.

Driven through the test client (``scroll_to_top`` / ``scroll_to_bottom`` send what
client.js sends); the page read here is built only from the frames the view sent.
"""

from __future__ import annotations

import json

import pytest
import trio
import trio.testing

from actorview.endpoint._routes import DEPENDENCY_ERRORS
from actorview.errors import DefinitionError
from actorview.testing import NotInteractive, ViewClient, ViewCrashed, mount
from actorview.view import (
    PAGE_EVENT,
    ActionEvent,
    Applied,
    Failed,
    Ignored,
    ItemAdded,
    ItemRemoved,
    ItemReplaced,
    ItemsCleared,
    KeepFailed,
    Rejected,
    SourceTimeout,
    View,
    ops,
    stream,
)
from actorview.view import action as declare_action
from actorview.view._notices import KEEP_FAILED_TEXT
from actorview.view._view import PAGE_TIMEOUT
from tests.view.paging import PAGE, Feed, FeedParams, Item, ListSource, items


async def act(view: ViewClient[Feed], name: str, **params: int) -> object:
    """Send action ``name`` as the page would, and let its render arrive."""
    outcome = await view.ref.ask(ActionEvent(name, params))
    await view.settle()
    return outcome


def shown(view: ViewClient[Feed]) -> list[int]:
    return [int(li.text) for li in view.find_all("#feed > li")]


def feed_attrs(view: ViewClient[Feed]) -> dict[str, str]:
    return dict(view.find("#feed").attrs)


def inserts(view: ViewClient[Feed], mark: int) -> list[list[object]]:
    sent = view.frames_since(mark, "patch")
    return [op for frame in sent for op in json.loads(frame.text) if op[0] == "i"]


async def test_the_first_render_holds_only_the_newest_page(
    autojump_clock: trio.testing.MockClock,
) -> None:
    source = ListSource(items(1000))
    async with mount(Feed, FeedParams(source)) as view:
        assert shown(view) == [997, 998, 999]
        assert feed_attrs(view).get("av-viewport-top") == "items"
        assert "av-viewport-bottom" not in feed_attrs(view)
        assert source.slices == [(997, 1000)]
        assert view.frames[0].kind == "render" and view.frames[0].size < 400


async def test_each_scroll_to_the_top_brings_the_page_before_in_one_frame(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Feed, FeedParams(ListSource(items(8)))) as view:
        mark = view.mark()
        assert await view.scroll_to_top("#feed") == Applied()
        assert shown(view) == [2, 3, 4, 5, 6, 7]
        assert len(view.frames_since(mark, "patch")) == 1
        assert [op[2] for op in inserts(view, mark)] == ["4", "3", "2"]
        assert await view.scroll_to_top("#feed") == Applied()
        assert shown(view) == [0, 1, 2, 3, 4, 5, 6]  # two were left: a short page
        assert "av-viewport-top" not in feed_attrs(view)  # nothing older: the ask goes
        with pytest.raises(NotInteractive, match="nothing older to load"):
            await view.scroll_to_top("#feed")


async def test_reading_back_prunes_the_newest_and_scrolling_down_brings_them_back(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Feed, FeedParams(ListSource(items(20)))) as view:
        for _ in range(3):
            await view.scroll_to_top("#feed")
        assert shown(view) == list(range(8, 15))  # limit 7: 15..19 were pruned
        assert feed_attrs(view).get("av-viewport-bottom") == "items"
        assert await view.scroll_to_bottom("#feed") == Applied()
        assert shown(view) == list(range(11, 18))
        assert await view.scroll_to_bottom("#feed") == Applied()
        assert shown(view) == list(range(13, 20))
        assert "av-viewport-bottom" not in feed_attrs(view)
        with pytest.raises(NotInteractive, match="nothing newer to load"):
            await view.scroll_to_bottom("#feed")


async def test_a_push_while_older_pages_are_read_leaves_no_gap(
    autojump_clock: trio.testing.MockClock,
) -> None:
    source = ListSource(items(20))
    async with mount(Feed, FeedParams(source)) as view:
        for _ in range(3):
            await view.scroll_to_top("#feed")
        mark = view.mark()
        assert await view.ref.ask(ActionEvent("push", {"id": 100})) == Applied()
        await view.settle()
        assert shown(view) == list(range(8, 15))  # not after 14: 15..19 are not shown
        assert inserts(view, mark) == []
        assert source.items[-1] == Item(100)  # the sequence has it
        while "av-viewport-bottom" in feed_attrs(view):
            await view.scroll_to_bottom("#feed")
        assert shown(view) == [*range(14, 20), 100]


async def test_a_push_at_the_newest_end_shows_and_prunes_the_oldest(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Feed, FeedParams(ListSource(items(6)))) as view:
        await view.scroll_to_top("#feed")
        assert shown(view) == [0, 1, 2, 3, 4, 5]
        for ident in (100, 101):
            await view.ref.ask(ActionEvent("push", {"id": ident}))
        await view.settle()
        assert shown(view) == [1, 2, 3, 4, 5, 100, 101]
        assert feed_attrs(view).get("av-viewport-top") == "items"  # 0 comes back
        await view.scroll_to_top("#feed")
        assert shown(view) == [0, 1, 2, 3, 4, 5, 100]


async def test_a_reset_empties_the_sequence_and_the_asks_go(
    autojump_clock: trio.testing.MockClock,
) -> None:
    source = ListSource(items(20))
    async with mount(Feed, FeedParams(source)) as view:
        await view.ref.ask(ActionEvent("reset"))
        await view.settle()
        assert shown(view) == [] and source.items == []
        assert "av-viewport-top" not in feed_attrs(view)
        await view.ref.ask(ActionEvent("push", {"id": 5}))
        await view.settle()
        assert shown(view) == [5] and source.items == [Item(5)]


async def test_a_source_slower_than_the_bound_is_dropped_and_can_be_asked_again(
    autojump_clock: trio.testing.MockClock,
) -> None:
    source = ListSource(items(10))
    async with mount(Feed, FeedParams(source)) as view:
        source.delay = PAGE_TIMEOUT + 1
        outcome = await view.scroll_to_top("#feed")
        assert isinstance(outcome, Ignored) and "did not answer within" in outcome.reason
        assert shown(view) == [7, 8, 9]
        source.delay = 0
        assert await view.scroll_to_top("#feed") == Applied()
        assert shown(view) == [4, 5, 6, 7, 8, 9]


async def test_a_page_of_the_wrong_length_crashes_the_view_naming_the_slice(
    autojump_clock: trio.testing.MockClock,
) -> None:
    source = ListSource(items(10))
    with pytest.raises(ViewCrashed, match=r"slice\(4, 7\) gave 2 items, not 3"):
        async with mount(Feed, FeedParams(source)) as view:
            source.wrong = True
            await view.scroll_to_top("#feed")


@pytest.mark.parametrize(
    "params",
    [{}, {"stream": "nope", "edge": "top"}, {"stream": "items", "edge": "left"}, [1]],
)
async def test_a_malformed_page_request_is_rejected_and_changes_nothing(
    autojump_clock: trio.testing.MockClock, params: object
) -> None:
    async with mount(Feed, FeedParams(ListSource(items(10)))) as view:
        outcome = await view.ref.ask(ActionEvent(PAGE_EVENT, params))  # type: ignore[arg-type]
        assert isinstance(outcome, Rejected)
        assert "needs params" in str(outcome.error) and "items" in str(outcome.error)
        assert shown(view) == [7, 8, 9]


async def test_opening_a_stream_that_is_not_paged_names_the_fix(
    autojump_clock: trio.testing.MockClock,
) -> None:
    class Plain(View):
        items = stream(Item, key="id")

        async def on_start(self) -> None:
            await self.open_pages("items", ListSource())
            await super().on_start()

    with pytest.raises(ViewCrashed, match=r"not a paged stream field; declare items = stream"):
        async with mount(Plain):
            pass


def test_a_paged_stream_refuses_pop_and_shift_when_the_class_is_defined() -> None:
    with pytest.raises(DefinitionError, match=r"a paged stream .* ops\.delete"):

        class Popping(View):
            items = stream(Item, key="id", page=3)
            drop = declare_action(ops.pop("items"))


def test_a_limit_below_two_pages_is_refused() -> None:
    with pytest.raises(DefinitionError, match=r"limit must be at least 2 \* page \(6\)"):

        class Tight(View):
            items = stream(Item, key="id", page=PAGE, limit=5)


async def test_a_kept_source_is_told_each_change_before_the_view_makes_it(
    autojump_clock: trio.testing.MockClock,
) -> None:
    source = ListSource(items(5))
    async with mount(Feed, FeedParams(source)) as view:
        await act(view, "push", id=5)
        await act(view, "unshift", id=-1)
        await act(view, "renumber", id=4, to=40)
        await act(view, "delete", id=3)
        await act(view, "reset")
        assert source.kept == [
            [ItemAdded("items", Item(5))],
            [ItemAdded("items", Item(-1), at_start=True)],
            [ItemReplaced("items", "4", Item(40))],
            [ItemRemoved("items", "3")],
            [ItemsCleared("items")],
        ]
        assert source.items == [] and shown(view) == []


async def test_a_change_the_source_cannot_keep_is_not_made_and_the_page_is_told(
    autojump_clock: trio.testing.MockClock,
) -> None:
    source = ListSource(items(5))
    async with mount(Feed, FeedParams(source)) as view:
        source.refuse = True
        outcome = await act(view, "push", id=5)
        assert isinstance(outcome, Failed) and isinstance(outcome.error, KeepFailed)
        assert "action 'push'" in str(outcome.error)
        assert shown(view) == [2, 3, 4] and source.items == items(5)
        assert [notice.text for notice in view.notices] == [KEEP_FAILED_TEXT]

        source.refuse = False
        assert await act(view, "push", id=5) == Applied(), "the view runs on"
        assert shown(view) == [2, 3, 4, 5] and source.items == items(6)


async def test_a_source_slower_than_the_bound_to_keep_fails_the_action(
    autojump_clock: trio.testing.MockClock,
) -> None:
    source = ListSource(items(5))
    async with mount(Feed, FeedParams(source)) as view:
        source.delay = PAGE_TIMEOUT + 1
        outcome = await view.ref.ask(ActionEvent("push", {"id": 5}), timeout=PAGE_TIMEOUT + 5)
        await view.settle()
        assert isinstance(outcome, Failed)
        assert shown(view) == [2, 3, 4]
        assert [notice.text for notice in view.notices] == [KEEP_FAILED_TEXT]


async def test_a_source_too_slow_at_start_is_a_timeout_the_route_waits_on(
    autojump_clock: trio.testing.MockClock,
) -> None:
    # A TimeoutError: a served view's route (waits_on) shows "waiting" and retries with
    # the backoff instead of counting a crash.
    source = ListSource(items(5))
    source.delay = PAGE_TIMEOUT + 1
    with pytest.raises(ViewCrashed) as crashed:
        async with mount(Feed, FeedParams(source)):
            pass
    cause = crashed.value.__cause__
    assert isinstance(cause, SourceTimeout) and isinstance(cause, TimeoutError)
    assert "its source did not count its items within 5 s" in str(cause)
    assert isinstance(cause, TimeoutError) and TimeoutError in DEPENDENCY_ERRORS
