"""Every view of one conversation comes to show what the store keeps, whatever mix of
commits reached it: messages sent from either view (a reply streaming), a reply
regenerated (the turn truncated, then answered again), messages added by another worker
(with news on the topic, or with the news lost, as Redis's at-most-once delivery may),
and clears.

Two chat views on one SQLite store through a SharedHistoryStore on a LocalBus; after
the operations and one last message from elsewhere, both views' history must become the
store's newest page, in order, with no gap and no duplicate. (On the way it may not be:
a count and the page read after it can straddle another worker's commit, and the news
of that commit, which follows, puts the view right.) Real clock: the store runs in a
worker thread.
"""

from __future__ import annotations

import trio
from hypothesis import given, settings
from hypothesis import strategies as st

from actorview.pubsub import LocalBus
from actorview.testing import ViewClient, mount
from demo_chat import ChatView
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.messages import Message
from demo_chat.shared_history import SharedHistoryStore
from demo_chat.view import HISTORY_PAGE

CONVERSATION = "fuzzed"

operations = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.integers(0, 1)),
        st.tuples(st.just("elsewhere"), st.booleans()),  # with news, or news lost
        st.tuples(st.just("clear"), st.integers(0, 1)),
        st.tuples(st.just("regenerate"), st.integers(0, 1)),  # a truncate, then a reply
        st.tuples(st.just("pause"), st.floats(0, 0.02)),
    ),
    max_size=12,
)


def texts(view: ViewClient[ChatView]) -> list[str]:
    return [li.text for li in view.find_all("#history > li[data-role]")]


async def run(steps: list[tuple[str, object]]) -> None:
    store = SQLiteHistoryStore()
    bus = LocalBus()
    shared = SharedHistoryStore(store, bus)
    params = {"store": shared, "conversation": CONVERSATION, "token_delay": 0.002}
    params["reply_length"] = 3
    try:
        async with mount(ChatView, params, bus=bus) as a, mount(ChatView, params, bus=bus) as b:
            views = (a, b)
            for number, (kind, argument) in enumerate(steps):
                match kind:
                    case "send":
                        view = views[int(argument)]  # type: ignore[call-overload]
                        await view.type("#prompt", f"prompt {number}")
                        if not view.is_disabled("#send"):  # not while its reply streams
                            await view.click("#send")
                    case "elsewhere":
                        target = shared if argument else store
                        await target.append(CONVERSATION, [Message("user", f"other {number}")])
                    case "clear":
                        view = views[int(argument)]  # type: ignore[call-overload]
                        if not view.is_disabled("#clear"):  # (nothing to clear)
                            await view.click("#clear")
                    case "regenerate":
                        view = views[int(argument)]  # type: ignore[call-overload]
                        if view.has_element("button.regenerate"):
                            await view.click("button.regenerate")
                    case "pause":
                        await trio.sleep(float(argument))  # type: ignore[arg-type]
            for view in views:
                await view.until(lambda v: not v.state["streaming"], timeout=30)
            await shared.append(CONVERSATION, [Message("user", "last")])
            newest = [m.text for _, m in await store.before(CONVERSATION, None, HISTORY_PAGE)]
            for view in views:  # fewer than a page: the whole conversation
                await view.until(lambda v: texts(v) == newest, timeout=30)
    finally:
        store.close()


@settings(max_examples=100, deadline=None)
@given(operations)
def test_every_view_of_a_conversation_comes_to_show_what_the_store_keeps(
    steps: list[tuple[str, object]],
) -> None:
    trio.run(run, steps)
