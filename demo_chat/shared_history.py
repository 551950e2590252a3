"""One conversation's committed history, seen by every view of it in every worker.

:class:`SharedHistoryStore` wraps the application's :class:`HistoryStore`: once a write
is durable (an append, a clear, a truncate, a delete), it publishes
:class:`HistoryChanged` on the conversation's topic (:func:`history_topic`) of the
application's bus. The chat view subscribes to its conversation's topic and takes in
what changed from the store (``View.refresh_pages``), so a second tab, or a view on
another worker (with the Redis bus, ``--redis-url``), shows a message committed
elsewhere without a reload. The view that wrote already shows it: its count matches
the store's, and it does nothing. A view whose newest message is no longer where it put
it (another view committed at the same moment, its news not there yet) shows the newest
page again rather than a doubled or a missing message (``KeptHistory.in_step``).

A bus that refuses the message (Redis down), or takes longer than
:data:`PUBLISH_BOUND`, fails nothing: the write is already kept; the refusal is logged
(``history.publish_failed``), and the other views show the message at their next change
or reload. (The bound is short: the write is a view's keep, which the view bounds too.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import attrs
import trio

from actorview.logging import get_logger
from actorview.pubsub import Bus, PubSubError
from demo_chat.history_store import HistoryStore, Numbered
from demo_chat.messages import Conversation, Message

_log = get_logger(component="demo_chat.history")

PUBLISH_BOUND: Final = 1.0
"""Seconds a write waits for the bus to take its :class:`HistoryChanged` at most."""


@attrs.frozen
class HistoryChanged:
    """The committed history of ``conversation`` changed: messages were added at its
    end, or (``rewritten``) some were removed or replaced, so positions moved."""

    conversation: str
    rewritten: bool = False


def history_topic(conversation: str) -> str:
    """The topic a conversation's :class:`HistoryChanged` messages are published on."""
    return f"history:{conversation}"


class SharedHistoryStore:
    """``store``, publishing each durable change on ``bus`` (see the module).

    Every call is ``store``'s own, with its contract (durable on return, whole or not
    at all on cancellation); a write then waits for the bus's ``publish`` (bounded by the
    bus: a Redis bus's ``publish_timeout``).
    """

    def __init__(self, store: HistoryStore, bus: Bus) -> None:
        self.store = store
        self.bus = bus

    def __repr__(self) -> str:
        return f"<SharedHistoryStore {self.store!r} on {self.bus!r}>"

    async def load(self, conversation: str) -> list[Message]:
        return await self.store.load(conversation)

    async def append(self, conversation: str, messages: Sequence[Message]) -> None:
        await self.store.append(conversation, messages)
        if messages:
            await self._changed(conversation, rewritten=False)

    async def clear(self, conversation: str) -> None:
        await self.store.clear(conversation)
        await self._changed(conversation, rewritten=True)

    async def count(self, conversation: str) -> int:
        return await self.store.count(conversation)

    async def before(self, conversation: str, seq: int | None, count: int) -> list[Numbered]:
        return await self.store.before(conversation, seq, count)

    async def after(self, conversation: str, seq: int, count: int) -> list[Numbered]:
        return await self.store.after(conversation, seq, count)

    async def at(self, conversation: str, offset: int, count: int) -> list[Numbered]:
        return await self.store.at(conversation, offset, count)

    async def truncate(self, conversation: str, keep: int) -> None:
        await self.store.truncate(conversation, keep)
        await self._changed(conversation, rewritten=True)

    async def replace(self, conversation: str, keep: int, messages: Sequence[Message]) -> None:
        await self.store.replace(conversation, keep, messages)
        await self._changed(conversation, rewritten=True)

    async def start(self, owner: str) -> Conversation:
        return await self.store.start(owner)

    async def conversations(self, owner: str, limit: int = 100) -> list[Conversation]:
        return await self.store.conversations(owner, limit)

    async def conversation(self, id: str) -> Conversation | None:
        return await self.store.conversation(id)

    async def rename(self, id: str, title: str) -> None:
        await self.store.rename(id, title)

    async def delete(self, id: str) -> None:
        await self.store.delete(id)
        await self._changed(id, rewritten=True)

    def close(self) -> None:
        """Close the wrapped store (if it closes)."""
        close = getattr(self.store, "close", None)
        if callable(close):
            close()

    async def _changed(self, conversation: str, *, rewritten: bool) -> None:
        changed = HistoryChanged(conversation, rewritten)
        try:
            with trio.move_on_after(PUBLISH_BOUND) as waited:
                await self.bus.publish(history_topic(conversation), changed)
        except PubSubError as error:
            _log.warning("history.publish_failed", conversation=conversation, error=str(error))
            return
        if waited.cancelled_caught:
            _log.warning(
                "history.publish_failed",
                conversation=conversation,
                error=f"the bus did not take it within {PUBLISH_BOUND:g} s",
            )
