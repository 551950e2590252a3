"""The topic bus: publish a message on a topic; every subscriber of the topic gets it.

A subscriber is a *receiver*, a plain function called with each message, which must not
block: a view's receiver queues the message in its mailbox (``tell_nowait``), so a
message arrives as an ordinary message, handled by ordinary clauses (guards,
coalescing and all). What a full mailbox does is its overflow policy's business; a
message a receiver refuses (a backpressure mailbox that is full, a view that stopped)
is dropped for that subscriber alone, counted on its :class:`Subscription` and logged
(``pubsub.dropped``): a slow subscriber never slows the bus or the other subscribers,
and never loses a message silently.

:class:`LocalBus` is the in-process bus, the default: it needs nothing, and delivers in
the publisher's task, in publish order. ``actorview.pubsub._redis.RedisBus`` carries the
same topics across processes and machines.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import attrs

from actorview.logging import get_logger
from actorview.pubsub._errors import PubSubError

Receiver = Callable[[object], None]
"""Called with each message of a subscribed topic; must not block. An exception it
raises drops that message for that subscriber (counted, logged)."""

MAX_TOPIC_CHARS = 256

_log = get_logger(component="pubsub")


@attrs.define(eq=False)
class Subscription:
    """One subscriber's hold on one topic. ``close()`` ends it (idempotent).

    Attributes:
        topic: the topic.
        types: the message types this subscriber takes (what a bus that crosses
            processes decodes into; a message of another type is dropped for it).
        delivered: messages handed to the receiver.
        dropped: messages the receiver refused (see the module docstring).
    """

    topic: str
    types: tuple[type, ...]
    receiver: Receiver = attrs.field(repr=False)
    _close: Callable[[Subscription], None] = attrs.field(repr=False)
    delivered: int = 0
    dropped: int = 0
    closed: bool = False

    def deliver(self, message: object) -> None:
        """Hand ``message`` to the receiver if it is of a subscribed type; never raises."""
        if self.closed:
            return
        if self.types and not isinstance(message, self.types):
            return
        try:
            self.receiver(message)
        except Exception as error:
            self.dropped += 1
            _log.warning(
                "pubsub.dropped",
                topic=self.topic,
                message=type(message).__name__,
                reason=f"{type(error).__name__}: {error}",
                dropped=self.dropped,
            )
        else:
            self.delivered += 1

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._close(self)


class Bus(Protocol):
    """What views and actors publish and subscribe through."""

    async def publish(self, topic: str, message: object) -> None:
        """Send ``message`` to every subscriber of ``topic`` (none is fine). Raises
        :class:`PubSubError` if the message cannot travel on this bus."""
        ...

    def subscribe(self, topic: str, receiver: Receiver, types: Iterable[type] = ()) -> Subscription:
        """Start delivering ``topic``'s messages (of ``types``; any, if empty) to
        ``receiver``. Never blocks; a bus that crosses processes delivers from the
        moment its server confirmed the subscription."""
        ...

    def running(self) -> AbstractAsyncContextManager[None]:
        """An async context manager that runs what the bus needs (its connections);
        the application enters it with its supervision tree."""
        ...


def check_topic(topic: object) -> str:
    """``topic`` if it is a topic (a non-empty str of at most 256 characters with no
    control characters); raises :class:`PubSubError` saying what is wrong otherwise."""
    if not isinstance(topic, str) or not topic:
        raise PubSubError(f"a topic is a non-empty str, not {topic!r}")
    if len(topic) > MAX_TOPIC_CHARS or not topic.isprintable():
        raise PubSubError(
            f"topic {topic[:40]!r}...: at most {MAX_TOPIC_CHARS} printable characters"
        )
    return topic


class LocalBus:
    """The in-process bus: delivery in the publisher's task, in publish order, to the
    subscribers of the moment. Messages are passed as they are (publish frozen values)."""

    def __init__(self) -> None:
        self._topics: dict[str, list[Subscription]] = {}

    def __repr__(self) -> str:
        return f"<LocalBus topics={len(self._topics)}>"

    async def publish(self, topic: str, message: object) -> None:
        self.publish_nowait(topic, message)

    def publish_nowait(self, topic: str, message: object) -> None:
        """:meth:`publish` without a checkpoint (from synchronous code)."""
        for subscription in tuple(self._topics.get(check_topic(topic), ())):
            subscription.deliver(message)

    def subscribe(self, topic: str, receiver: Receiver, types: Iterable[type] = ()) -> Subscription:
        subscription = Subscription(check_topic(topic), tuple(types), receiver, self._forget)
        self._topics.setdefault(topic, []).append(subscription)
        return subscription

    def subscribers(self, topic: str) -> int:
        """How many subscriptions ``topic`` has now."""
        return len(self._topics.get(topic, ()))

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        yield  # nothing to run

    def _forget(self, subscription: Subscription) -> None:
        held = self._topics.get(subscription.topic, [])
        if subscription in held:
            held.remove(subscription)
        if not held:
            self._topics.pop(subscription.topic, None)


_default = LocalBus()


def default_bus() -> LocalBus:
    """The process's own :class:`LocalBus`: what views and applications use when given
    no bus, so that every actor of one process shares one by default."""
    return _default
