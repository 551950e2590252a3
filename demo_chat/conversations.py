"""One user's conversations: what the sidebar lists, and its new, rename and delete.

:class:`UserConversations` is the view's link to the :class:`HistoryStore` for one
owner (the page's identity: an anonymous one in a signed cookie when nobody signs in).
Every call checks the owner, so an id a browser sends (``av-value-id``) reaches only the
owner's conversations: another user's id is answered as an unknown one.

The stream bodies below are the view's ``async_stream`` runs for the store's writes
(an action's ops cannot wait on a store): each does its write, then tells the view what
to show next, :class:`~demo_chat.messages.Listed` (the sidebar) or
:class:`~demo_chat.messages.Opened` (move to a conversation).
"""

from __future__ import annotations

from actorview.view import Emit
from demo_chat.history_store import HistoryStore
from demo_chat.messages import Conversation, Listed, Opened

LISTED = 100
"""Conversations the sidebar shows at most, the most recently updated first."""


class UnknownConversation(LookupError):
    """An id that is not one of the owner's conversations (never started, deleted, or
    someone else's: the caller is not told which)."""


class UserConversations:
    """``owner``'s conversations in ``store`` (see the module docstring)."""

    def __init__(self, store: HistoryStore, owner: str) -> None:
        self.store = store
        self.owner = owner

    def __repr__(self) -> str:
        return f"<UserConversations of {self.owner[:8]}… in {self.store!r}>"

    async def listed(self) -> tuple[Conversation, ...]:
        """The owner's conversations, newest first, at most :data:`LISTED`."""
        return tuple(await self.store.conversations(self.owner, LISTED))

    async def owned(self, id: str) -> Conversation | None:
        """Conversation ``id`` if the owner has it, else None."""
        found = await self.store.conversation(id)
        return found if found is not None and found.owner == self.owner else None

    async def newest(self) -> Conversation:
        """The most recently updated conversation, or a new one if there is none (what
        ``/`` opens)."""
        newest = await self.store.conversations(self.owner, 1)
        return newest[0] if newest else await self.store.start(self.owner)

    async def fresh(self) -> Conversation:
        """A conversation with no message for a new chat: the newest one if it is
        still empty (a second "New chat" makes no second empty one), else a new one."""
        newest = await self.store.conversations(self.owner, 1)
        if newest and await self.store.count(newest[0].id) == 0:
            return newest[0]
        return await self.store.start(self.owner)

    async def rename(self, id: str, title: str) -> None:
        """Rename conversation ``id``. Raises :class:`UnknownConversation` if it is not
        the owner's, ValueError if ``title`` is blank."""
        await self._check(id)
        await self.store.rename(id, title)

    async def delete(self, id: str) -> None:
        """Delete conversation ``id`` and its messages. Raises
        :class:`UnknownConversation` if it is not the owner's."""
        await self._check(id)
        await self.store.delete(id)

    async def _check(self, id: str) -> None:
        if await self.owned(id) is None:
            raise UnknownConversation(f"no conversation {id[:40]!r} of this user")


# -- the view's store runs (async_stream bodies) ----------------------------------------


async def list_conversations(shelf: UserConversations | None, changed: bool, emit: Emit) -> None:
    """Tell the view the owner's conversations as they are now: after a submit, which
    may have titled the open one (``changed``: the owner's other views are told), or
    when another view of theirs changed them."""
    if shelf is not None:
        await emit(Listed(await shelf.listed(), changed))


async def start_conversation(shelf: UserConversations | None, emit: Emit) -> None:
    """A new chat: move to an empty conversation (see :meth:`UserConversations.fresh`)."""
    if shelf is not None:
        await emit(Opened((await shelf.fresh()).id))


async def rename_conversation(
    shelf: UserConversations | None, id: str, title: str, emit: Emit
) -> None:
    """Rename conversation ``id``, then list them again. A failure (not the owner's, a
    blank title, the store) fails the run: the view shows its notice."""
    if shelf is not None:
        await shelf.rename(id, title)
        await emit(Listed(await shelf.listed(), changed=True))


async def delete_conversation(
    shelf: UserConversations | None, id: str, conversation_id: str, emit: Emit
) -> None:
    """Delete conversation ``id``; if it is the open one (``conversation_id``), move to
    the newest other (or a new one), else list them again."""
    if shelf is None:
        return
    await shelf.delete(id)
    if id == conversation_id:
        await emit(Opened((await shelf.newest()).id, changed=True))
    else:
        await emit(Listed(await shelf.listed(), changed=True))
