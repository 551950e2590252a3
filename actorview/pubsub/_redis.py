"""The Redis bus: the same topics across worker processes and machines.

Publishing is Redis ``PUBLISH`` of the message's JSON (``actorview.pubsub._codec``); each
process holds one subscriber connection, subscribed to every topic one of its
subscribers holds (``SUBSCRIBE`` when the first comes, ``UNSUBSCRIBE`` when the last
goes), and fans each message out to its local subscribers, decoded into the types each
declared. A process's own publications come back to it through Redis like any other,
so every subscriber, here or elsewhere, sees one topic's messages in one order.

The client is coredis (https://github.com/alisaifee/coredis), which runs on anyio and
so under trio; it reconnects a dropped subscriber connection and subscribes it again
(with its own backoff), and should its recovery give up, the bus makes a new subscriber
connection itself (``pubsub.reconnecting`` is logged).
Redis pub/sub delivers at most once: what is published while a subscriber's connection
is down is not delivered to it.
Install it with ``pip install 'actorview[redis]'``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import trio

from actorview.logging import get_logger
from actorview.pubsub._bus import Receiver, Subscription, check_topic
from actorview.pubsub._codec import accepting, decode, encode
from actorview.pubsub._errors import PubSubError

_log = get_logger(component="pubsub")

RECONNECT_BACKOFF = 0.1
RECONNECT_BACKOFF_MAX = 5.0


class RedisBus:
    """A bus on the Redis server at ``url`` (``redis://127.0.0.1:6379/0``).

    Enter :meth:`running` (the application does, with its supervision tree) before
    publishing; subscriptions may be made before, and take effect once it runs.

    Args:
        url: the server's URL.
        publish_timeout: seconds a ``PUBLISH`` may take before :meth:`publish` raises
            :class:`PubSubError` (a Redis that does not answer must not hold an action).
        connect_timeout: seconds :meth:`running` waits for the first connection.
    """

    def __init__(
        self, url: str, *, publish_timeout: float = 2.0, connect_timeout: float = 5.0
    ) -> None:
        self.url = url
        self._publish_timeout = publish_timeout
        self._connect_timeout = connect_timeout
        self._topics: dict[str, list[Subscription]] = {}
        self._client: Any = None
        self._redis_errors: tuple[type[Exception], ...] = (ConnectionError, OSError)
        self._changes_in, self._changes_out = trio.open_memory_channel[str](float("inf"))

    def __repr__(self) -> str:
        return f"<RedisBus {self.url} topics={len(self._topics)}>"

    async def publish(self, topic: str, message: object) -> None:
        text = encode(check_topic(topic), message)
        if self._client is None:
            raise PubSubError(
                f"publish({topic!r}, ...): the Redis bus is not running; the application "
                f"runs it (Application(pubsub=...)), or enter `async with bus.running():`"
            )
        try:
            with trio.fail_after(self._publish_timeout):
                await self._client.publish(topic, text)
        except Exception as error:
            if not self._unreachable(error):
                raise
            raise PubSubError(
                f"publish({topic!r}, ...): Redis at {self.url} did not take it "
                f"({type(error).__name__}: {error})"
            ) from None

    def subscribe(self, topic: str, receiver: Receiver, types: Iterable[type] = ()) -> Subscription:
        subscription = Subscription(check_topic(topic), tuple(types), receiver, self._forget)
        held = self._topics.setdefault(topic, [])
        held.append(subscription)
        if len(held) == 1:
            self._changes_in.send_nowait(topic)
        return subscription

    def subscribers(self, topic: str) -> int:
        """How many local subscriptions ``topic`` has now."""
        return len(self._topics.get(topic, ()))

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Connect, subscribe the topics held, and deliver until the block ends.

        Raises :class:`PubSubError` naming the URL if Redis cannot be reached within
        ``connect_timeout``."""
        import coredis  # the `redis` extra: only a Redis bus needs it
        from coredis.exceptions import RedisError

        self._redis_errors = (RedisError, ConnectionError, OSError)
        client: Any = coredis.Redis.from_url(self.url, decode_responses=True)
        connected = False
        try:
            async with client:
                with trio.fail_after(self._connect_timeout):
                    await client.ping()
                connected = True
                self._client = client
                try:
                    async with trio.open_nursery() as nursery:
                        nursery.start_soon(self._subscriber, client)
                        yield
                        nursery.cancel_scope.cancel()
                finally:
                    self._client = None
        except BaseException as error:
            if connected or not self._unreachable(error):
                raise
            raise PubSubError(
                f"cannot reach Redis at {self.url} ({type(error).__name__}: {error}); "
                f"start it, or check the URL (--redis-url)"
            ) from None

    def _unreachable(self, error: BaseException) -> bool:
        """Whether ``error`` (or every error of a group) says Redis cannot be reached:
        a connection error, or a wait past its bound."""
        if isinstance(error, BaseExceptionGroup):
            return all(self._unreachable(inner) for inner in error.exceptions)
        return isinstance(error, (trio.TooSlowError, *self._redis_errors))

    async def _subscriber(self, client: Any) -> None:
        """Hold the subscriber connection for as long as the bus runs: a connection that
        breaks (Redis restarted, the network gone) is made again after a backoff
        (0.1 s, doubling to 5 s) and every held topic subscribed again."""
        backoff = RECONNECT_BACKOFF
        while True:
            failure: BaseException | None = None
            try:
                async with (
                    client.pubsub(ignore_subscribe_messages=True) as pubsub,
                    trio.open_nursery() as nursery,
                ):
                    self._resubscribe_all()
                    nursery.start_soon(self._follow_changes, pubsub)
                    backoff = RECONNECT_BACKOFF
                    await self._deliver(pubsub)
            except* trio.Cancelled:
                # The bus stops. coredis's cleanup under the cancellation may fail on its
                # connection, closed under it (an error grouped with this one): let the
                # cancellation through alone.
                raise
            except* Exception as group:
                failure = group
            _log.warning(
                "pubsub.reconnecting",
                url=self.url,
                error=f"{type(failure).__name__}: {failure}",
                retry_in=backoff,
            )
            await trio.sleep(backoff)
            backoff = min(backoff * 2, RECONNECT_BACKOFF_MAX)

    def _resubscribe_all(self) -> None:
        """Queue every topic held, once, for a fresh subscriber connection."""
        while True:
            try:
                self._changes_out.receive_nowait()
            except trio.WouldBlock:
                break
        for topic in self._topics:
            self._changes_in.send_nowait(topic)

    async def _follow_changes(self, pubsub: Any) -> None:
        """SUBSCRIBE or UNSUBSCRIBE as local subscribers come and go, one at a time."""
        async for topic in self._changes_out:
            if topic in self._topics:
                await pubsub.subscribe(topic)
                _log.debug("pubsub.subscribed", topic=topic)
            else:
                await pubsub.unsubscribe(topic)

    async def _deliver(self, pubsub: Any) -> None:
        while True:
            message = await pubsub.get_message()
            if message is None or message.get("type") != "message":
                continue
            topic = message["channel"]
            held = tuple(self._topics.get(topic, ()))
            if not held:
                continue
            types = {kind for subscription in held for kind in subscription.types}
            try:
                decoded = decode(message["data"], accepting(types))
            except PubSubError as error:
                _log.warning("pubsub.undecodable", topic=topic, reason=str(error))
                continue
            for subscription in held:
                subscription.deliver(decoded)

    def _forget(self, subscription: Subscription) -> None:
        held = self._topics.get(subscription.topic, [])
        if subscription in held:
            held.remove(subscription)
        if not held and self._topics.pop(subscription.topic, None) is not None:
            self._changes_in.send_nowait(subscription.topic)
