"""Overflow policies: what a full mailbox does with one more message.

The default, :class:`Backpressure`, makes ``await tell`` wait for space: nothing is lost,
and a fast sender is slowed to the speed of the actor. Senders that must never wait (a
socket reader, a timer) pick a policy that bounds memory by giving something up instead.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import attrs


@attrs.frozen
class Backpressure:
    """Wait for space: ``await tell`` blocks while the mailbox is full.

    ``tell_nowait`` on a full mailbox raises :class:`~actorview.mailbox.MailboxFull`.
    """


@attrs.frozen
class DropOldest:
    """Never block: a message arriving at a full mailbox evicts the oldest waiting one.

    The evicted message is counted in ``mailbox.stats.evicted``; an evicted ``ask`` is
    answered with :class:`~actorview.mailbox.Superseded`.
    """


@attrs.frozen
class CoalesceByKey:
    """Never block: a new message replaces the waiting one with the same key.

    The replaced message leaves its place and the new one joins at the end, so the
    order in which one sender's messages are handled stays the order they were sent.
    Messages whose key is ``None`` are never coalesced. If the mailbox is still full, the
    oldest waiting message is evicted, as with :class:`DropOldest`.

    Example: ``CoalesceByKey(lambda m: ("scroll", m.view_id) if isinstance(m, Scroll) else None)``
    """

    key: Callable[[Any], Hashable | None]


OverflowPolicy = Backpressure | DropOldest | CoalesceByKey
