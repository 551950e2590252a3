"""A user's conversations in the chat view, through the test client: ``/`` opens the
newest, ``/c/<id>`` only for its owner, the sidebar's new, rename, delete and links.

Real clock: the history store runs in a worker thread, which an autojump clock would race
past (the view bounds each store call in time); ``settle`` returns while a thread runs,
so each step waits with ``until`` for what it must lead to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from actorview.pubsub import LocalBus
from actorview.testing import ViewClient, mount
from actorview.view import (
    ActionEvent,
    Applied,
    Identity,
    Ignored,
    MountContext,
    PageNotFound,
    PageRedirect,
)
from demo_chat import ChatView
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.messages import Message
from demo_chat.view import UserChatView

ALICE = MountContext(identity=Identity("alice", anonymous=True))
BOB = MountContext(identity=Identity("bob", anonymous=True))


def params(store: SQLiteHistoryStore, conversation: str = "") -> dict[str, object]:
    return {
        "token_delay": 0.001,
        "reply_length": 4,
        "store": store,
        "conversations": True,
        "conversation": conversation,
    }


@asynccontextmanager
async def opened(
    store: SQLiteHistoryStore, conversation: str, context: MountContext = ALICE
) -> AsyncIterator[ViewClient[ChatView]]:
    async with mount(
        ChatView,
        params(store, conversation),
        context=context,
        url=f"/c/{conversation}",
        route="/c/{conversation}",
    ) as view:
        yield view


async def answer_of(
    store: SQLiteHistoryStore, context: MountContext, conversation: str
) -> Exception:
    """What mounting the view at ``/c/<conversation>`` (``/`` for "") raised."""
    view = ChatView(params(store, conversation), context=context)
    with pytest.raises((PageRedirect, PageNotFound)) as raised:
        await view.load()
    return raised.value


def sidebar(view: ViewClient[ChatView]) -> list[str]:
    return [item.text for item in view.find_all("#conversations a")]


async def test_the_start_page_opens_the_newest_conversation_or_a_new_one() -> None:
    store = SQLiteHistoryStore()
    first = await answer_of(store, ALICE, "")
    assert isinstance(first, PageRedirect) and first.to.startswith("/c/")
    (started,) = await store.conversations("alice")
    assert first.to == f"/c/{started.id}"
    again = await answer_of(store, ALICE, "")  # no second empty one
    assert isinstance(again, PageRedirect) and again.to == first.to
    newer = await store.start("alice")
    await store.append(newer.id, [Message("user", "later")])
    latest = await answer_of(store, ALICE, "")
    assert isinstance(latest, PageRedirect) and latest.to == f"/c/{newer.id}"


async def test_another_users_or_an_unknown_conversation_is_not_found() -> None:
    store = SQLiteHistoryStore()
    mine = await store.start("alice")
    await store.append(mine.id, [Message("user", "secret plans")])
    assert isinstance(await answer_of(store, BOB, mine.id), PageNotFound)
    assert isinstance(await answer_of(store, ALICE, "nope"), PageNotFound)
    await store.delete(mine.id)
    assert isinstance(await answer_of(store, ALICE, mine.id), PageNotFound)


async def test_the_sidebar_lists_only_the_owners_conversations_titled_by_their_first_prompt() -> (
    None
):
    store = SQLiteHistoryStore()
    theirs = await store.start("bob")
    await store.append(theirs.id, [Message("user", "bob's question")])
    older = await store.start("alice")
    await store.append(older.id, [Message("user", "first topic\nmore")])
    mine = await store.start("alice")
    async with opened(store, mine.id) as view:
        assert sidebar(view) == ["New chat", "first topic"]
        assert view.title is None  # untitled: the application's title
        assert view.find("#conversations a[aria-current=page]").text == "New chat"
        assert view.find(f'#conversations a[href="/c/{older.id}"]').attrs["av-navigate"] == ""
        await view.type("#prompt", "what is   actorview?")
        assert await view.click("#send") == Applied()
        await view.until(lambda v: sidebar(v) == ["what is actorview?", "first topic"])
        assert view.title == "what is actorview? · actorview chat"
        await view.until(lambda v: not v.view.streaming)
        assert "bob" not in view.text("#sidebar")
        assert [m.role for m in await store.load(mine.id)] == ["user", "assistant"]


async def test_new_chat_moves_to_an_empty_conversation_and_reuses_an_empty_one() -> None:
    store = SQLiteHistoryStore()
    mine = await store.start("alice")
    async with opened(store, mine.id) as view:
        assert isinstance(await view.click("#new-chat"), Ignored)  # this one is empty
        await view.type("#prompt", "hello")
        await view.click("#send")
        await view.until(lambda v: not v.view.streaming)
        assert await view.click("#new-chat") == Applied()
        await view.until(lambda v: v.navigated is not None)
        target = view.navigated
    conversations = await store.conversations("alice")
    assert len(conversations) == 2 and target == f"/c/{conversations[0].id}"
    assert await store.count(conversations[0].id) == 0


async def test_rename_edits_the_title_in_place_and_a_blank_one_is_ignored() -> None:
    store = SQLiteHistoryStore()
    mine = await store.start("alice")
    await store.append(mine.id, [Message("user", "old name")])
    async with opened(store, mine.id) as view:
        await view.click("#conversations button.rename")
        assert view.find("#conversations form.rename-form input[name=title]").attrs["value"] == (
            "old name"
        )
        assert isinstance(
            await view.submit("#conversations form.rename-form", {"title": "  "}), Ignored
        )
        await view.submit("#conversations form.rename-form", {"title": "Trip  to Lisbon"})
        await view.until(lambda v: sidebar(v) == ["Trip to Lisbon"])
        assert not view.has_element("#conversations form")
    (renamed,) = await store.conversations("alice")
    assert renamed.title == "Trip to Lisbon"


async def test_rename_or_delete_of_someone_elses_id_changes_nothing() -> None:
    store = SQLiteHistoryStore()
    theirs = await store.start("bob")
    await store.append(theirs.id, [Message("user", "bob's")])
    mine = await store.start("alice")
    async with opened(store, mine.id) as view:
        await view.send(ActionEvent("rename", {"id": theirs.id, "title": "pwned"}))
        await view.send(ActionEvent("delete", {"id": theirs.id}))
        await view.until(lambda v: len(v.notices) == 2)  # each failed run: its notice
    kept = await store.conversation(theirs.id)
    assert kept is not None and kept.title == "bob's"
    assert await store.load(theirs.id) == [Message("user", "bob's")]


async def test_delete_asks_first_then_lists_again_or_moves_off_the_open_one() -> None:
    store = SQLiteHistoryStore()
    other = await store.start("alice")
    await store.append(other.id, [Message("user", "keep me")])
    spare = await store.start("alice")
    await store.append(spare.id, [Message("user", "drop me")])
    mine = await store.start("alice")
    await store.append(mine.id, [Message("user", "open one")])
    async with opened(store, mine.id) as view:
        await view.click(f'#conversations li[data-id="{spare.id}"] button.delete')
        assert view.text(f'#conversations li[data-id="{spare.id}"] .confirm-text') == (
            "Delete “drop me”?"
        )
        await view.click("#conversations button.keep")  # not yet: nothing is deleted
        assert sidebar(view) == ["open one", "drop me", "keep me"]
        assert await store.count(spare.id) == 1
        await view.click(f'#conversations li[data-id="{spare.id}"] button.delete')
        await view.click("#conversations button.delete-confirm")
        await view.until(lambda v: sidebar(v) == ["open one", "keep me"])
        assert view.navigated is None
        await view.click(f'#conversations li[data-id="{mine.id}"] button.delete')
        await view.click("#conversations button.delete-confirm")
        await view.until(lambda v: v.navigated == f"/c/{other.id}")
    assert [c.id for c in await store.conversations("alice")] == [other.id]
    assert await store.load(mine.id) == []


async def test_a_patch_to_another_conversations_url_mounts_the_view_there_again() -> None:
    store = SQLiteHistoryStore()
    first = await store.start("alice")
    second = await store.start("alice")
    async with opened(store, first.id) as view:
        await view.patch(f"/c/{second.id}")  # as the back button's pop lands
        await view.until(lambda v: v.navigated == f"/c/{second.id}")


async def test_another_tab_of_the_owner_follows_renames_titles_and_deletes() -> None:
    store = SQLiteHistoryStore()
    first = await store.start("alice")
    await store.append(first.id, [Message("user", "first")])
    second = await store.start("alice")
    theirs = await store.start("bob")
    bus = LocalBus()

    def tab(conversation: str, context: MountContext = ALICE) -> Any:
        return mount(
            UserChatView,  # the served view: ChatView that listens to the owner's topic
            params(store, conversation),
            context=context,
            url=f"/c/{conversation}",
            route="/c/{conversation}",
            bus=bus,
        )

    async with tab(first.id) as one, tab(second.id) as two, tab(theirs.id, BOB) as bobs:
        await two.type("#prompt", "a title from tab two")
        await two.click("#send")
        await one.until(lambda v: sidebar(v) == ["a title from tab two", "first"])
        await one.click(f'#conversations li[data-id="{first.id}"] button.rename')
        await one.submit("#conversations form.rename-form", {"title": "renamed in one"})
        await two.until(lambda v: sidebar(v) == ["a title from tab two", "renamed in one"])
        await one.click(f'#conversations li[data-id="{second.id}"] button.delete')
        await one.click("#conversations button.delete-confirm")
        await two.until(lambda v: v.navigated == "/")  # its conversation is gone: the newest
        await one.until(lambda v: sidebar(v) == ["renamed in one"])
        assert one.navigated is None
        assert sidebar(bobs) == ["New chat"]  # another owner hears nothing
    assert "told" not in ChatView.__view_spec__.subscriptions, "the plain chat does not listen"
