"""``View.refresh_pages``: a paged stream takes in what its source gained or lost outside
the view (another view, another worker wrote to it), with no gap and no duplicate.

The chat calls it when its conversation's topic says the store changed
(demo_chat.shared_history); here a :class:`~tests.view.paging.Feed` whose list grows or
is rewritten behind its back, told so by a message.
"""

from __future__ import annotations

import attrs
import trio.testing

from actorview import on
from actorview.testing import ViewClient, mount
from tests.view.paging import LIMIT, PAGE, Feed, FeedParams, Item, ListSource, items


@attrs.frozen
class Changed:
    rewritten: bool = False


class SharedFeed(Feed, receives=(Changed,)):
    @on(Changed)
    async def take_in(self, changed: Changed) -> None:
        await self.refresh_pages("items", rewritten=changed.rewritten)


def shown(view: ViewClient[SharedFeed]) -> list[int]:
    return [int(li.text) for li in view.find_all("#feed > li")]


async def told(view: ViewClient[SharedFeed], changed: Changed) -> None:
    await view.ref.tell(changed)
    await view.settle()


async def test_items_added_elsewhere_at_the_newest_end_are_shown_in_one_frame(
    autojump_clock: trio.testing.MockClock,
) -> None:
    source = ListSource(items(10))
    async with mount(SharedFeed, FeedParams(source)) as view:
        assert shown(view) == [7, 8, 9]
        mark = view.mark()
        source.items += [Item(10), Item(11)]
        await told(view, Changed())
        assert shown(view) == [7, 8, 9, 10, 11]
        assert len(view.frames_since(mark, "patch")) == 1
        await told(view, Changed())  # nothing new: nothing sent
        assert len(view.frames_since(mark, "patch")) == 1
        source.items += items(20)[12:]
        await told(view, Changed())  # one page at a time, pruned to the limit
        assert shown(view) == list(range(15 - LIMIT, 15))
        assert "av-viewport-bottom" in view.find("#feed").attrs


async def test_items_added_while_older_pages_are_read_are_offered_below_not_shown(
    autojump_clock: trio.testing.MockClock,
) -> None:
    source = ListSource(items(20))
    async with mount(SharedFeed, FeedParams(source)) as view:
        while "av-viewport-top" in view.find("#feed").attrs:
            await view.scroll_to_top("#feed")
        reading = shown(view)
        assert reading == list(range(LIMIT))
        source.items.append(Item(20))
        await told(view, Changed())
        assert shown(view) == reading
        while "av-viewport-bottom" in view.find("#feed").attrs:
            await view.scroll_to_bottom("#feed")
        assert shown(view)[-1] == 20 and shown(view) == list(range(21 - LIMIT, 21))


async def test_a_source_rewritten_elsewhere_shows_its_newest_page_again(
    autojump_clock: trio.testing.MockClock,
) -> None:
    source = ListSource(items(10))
    async with mount(SharedFeed, FeedParams(source)) as view:
        source.items = [Item(100 + n) for n in range(5)]
        await told(view, Changed(rewritten=True))
        assert shown(view) == [102, 103, 104]
        await view.scroll_to_top("#feed")  # positions from the rewritten source
        assert shown(view) == [100, 101, 102, 103, 104]
        source.items = source.items[:1]  # fewer items is a rewrite too
        await told(view, Changed())
        assert shown(view) == [100] and len(shown(view)) <= PAGE
        assert "av-viewport-top" not in view.find("#feed").attrs
