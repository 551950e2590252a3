"""The in-process bus: order, types, closing, refusals counted and logged, topic checks."""

from __future__ import annotations

import attrs
import pytest

from actorview.pubsub import LocalBus, PubSubError
from tests.logs import logged


@attrs.frozen
class Said:
    text: str


@attrs.frozen
class Left:
    who: str


async def test_every_subscriber_of_a_topic_gets_each_message_in_publish_order() -> None:
    bus = LocalBus()
    first: list[object] = []
    second: list[object] = []
    bus.subscribe("room:a", first.append)
    bus.subscribe("room:a", second.append)
    elsewhere: list[object] = []
    bus.subscribe("room:b", elsewhere.append)
    for text in ("one", "two", "three"):
        await bus.publish("room:a", Said(text))
    assert first == second == [Said("one"), Said("two"), Said("three")]
    assert elsewhere == []


async def test_a_subscription_takes_only_its_types_and_nothing_after_close() -> None:
    bus = LocalBus()
    got: list[object] = []
    subscription = bus.subscribe("room:a", got.append, (Said,))
    await bus.publish("room:a", Left("ada"))
    await bus.publish("room:a", Said("hi"))
    subscription.close()
    subscription.close()  # idempotent
    await bus.publish("room:a", Said("after"))
    assert got == [Said("hi")]
    assert subscription.delivered == 1
    assert bus.subscribers("room:a") == 0


async def test_a_receiver_that_refuses_loses_that_message_alone_counted_and_logged() -> None:
    bus = LocalBus()
    calm: list[object] = []

    def full(message: object) -> None:
        raise RuntimeError("mailbox full")

    refusing = bus.subscribe("room:a", full)
    bus.subscribe("room:a", calm.append)
    with logged() as logs:
        await bus.publish("room:a", Said("hi"))
    assert calm == [Said("hi")]
    assert refusing.dropped == 1
    dropped = [event for event in logs if event["event"] == "pubsub.dropped"]
    assert dropped and dropped[0]["topic"] == "room:a"
    assert "mailbox full" in dropped[0]["reason"]


@pytest.mark.parametrize("topic", ["", "x" * 300, "room:\n", 42])
async def test_a_topic_that_is_not_one_is_refused_with_what_is_wrong(topic: object) -> None:
    bus = LocalBus()
    with pytest.raises(PubSubError, match="topic"):
        await bus.publish(topic, Said("hi"))  # type: ignore[arg-type]
    with pytest.raises(PubSubError, match="topic"):
        bus.subscribe(topic, print)  # type: ignore[arg-type]
