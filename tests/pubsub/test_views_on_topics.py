"""Views on topics, through the test client: ``subscribe`` (topic from the view's fields,
held for the view's life), ``ops.publish``, and the validator's errors for both.

Several views are mounted on one ``LocalBus`` in one trio loop, as the endpoint runs
them in one process.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

import attrs
import pytest
import trio

from actorview import DefinitionError, Element, View, action, clause, h, ops, state, stream
from actorview.mailbox import Backpressure
from actorview.pubsub import LocalBus
from actorview.testing import mount
from actorview.view import subscribe
from examples.rooms import Room, Said
from tests.logs import logged


def said(view: Any) -> list[str]:
    return [item.text for item in view.find_all("#said li")]


async def test_what_one_view_publishes_every_view_of_the_topic_handles() -> None:
    bus = LocalBus()
    async with AsyncExitStack() as stack:
        ada = await stack.enter_async_context(mount(Room, {"room": "lobby"}, bus=bus))
        bob = await stack.enter_async_context(mount(Room, {"room": "lobby"}, bus=bus))
        other = await stack.enter_async_context(mount(Room, {"room": "kitchen"}, bus=bus))
        assert bus.subscribers("room:lobby") == 2
        await ada.type("#draft", "hello")
        await ada.submit("form")
        await bob.until(lambda v: said(v) == ["hello"])
        await ada.until(lambda v: said(v) == ["hello"])  # the sayer hears it too
        await bob.type("#draft", "hi ada")
        await bob.submit("form")
        await ada.until(lambda v: said(v) == ["hello", "hi ada"])
        await other.settle()
        assert said(other) == []
        assert ada.text("#draft") == ""
    assert bus.subscribers("room:lobby") == 0  # a stopped view lets go


async def test_a_cancelled_view_lets_go_of_its_topics_too() -> None:
    """Not only a stopped view: one whose run is cancelled (its host went away) holds
    no subscription afterwards, and no task of its own held it meanwhile."""
    bus = LocalBus()
    with trio.CancelScope() as scope:
        async with mount(Room, {"room": "lobby"}, bus=bus):
            assert bus.subscribers("room:lobby") == 1
            scope.cancel()
            await trio.sleep_forever()
    assert scope.cancelled_caught
    assert bus.subscribers("room:lobby") == 0


async def test_a_message_from_any_task_reaches_the_views_as_a_clause() -> None:
    bus = LocalBus()
    async with mount(Room, {"room": "lobby"}, bus=bus) as view:
        await bus.publish("room:lobby", Said("from a worker"))
        await view.until(lambda v: said(v) == ["from a worker"])


async def test_a_full_mailbox_drops_for_that_view_alone_and_says_so() -> None:
    """A view whose mailbox applies backpressure and is full refuses the message: it is
    counted and logged for that subscriber; the publisher and the others go on."""

    class Slow(Room):
        pass

    bus = LocalBus()
    async with mount(Room, {"room": "lobby"}, bus=bus) as calm:
        slow = Slow({"room": "lobby"}, bus=bus, capacity=1, overflow=Backpressure())
        async with trio.open_nursery() as nursery:
            await nursery.start(slow.run)
            with logged() as logs:
                for n in range(5):  # no checkpoint: the slow view takes none meanwhile
                    bus.publish_nowait("room:lobby", Said(f"m{n}"))
            await calm.until(lambda v: len(said(v)) == 5)
            nursery.cancel_scope.cancel()
    dropped = [event for event in logs if event["event"] == "pubsub.dropped"]
    assert len(dropped) == 4  # the one slot took m0
    assert {event["topic"] for event in dropped} == {"room:lobby"}


def test_a_topic_naming_what_the_view_does_not_have_is_refused_at_class_definition() -> None:
    with pytest.raises(
        DefinitionError, match=r"Lost\.listen: the topic 'room:\{room\}' reads 'room'"
    ):

        class Lost(View):
            said = stream(Said)
            listen = subscribe("room:{room}", Said)
            heard = clause(Said, ops.push(said=lambda text: Said(text)))

            def render(self) -> Element:
                return h.div()


def test_a_subscription_names_its_types_and_they_are_attrs_classes() -> None:
    with pytest.raises(DefinitionError, match=r"names no message type"):

        class NoTypes(View):
            room = state(str)
            listen = subscribe("room:{room}")

    with pytest.raises(DefinitionError, match=r"takes attrs classes.*not <class 'str'>"):

        class NotAttrs(View):
            room = state(str)
            listen = subscribe("room:{room}", str)

    with pytest.raises(DefinitionError, match=r"write bare names"):

        class Formatted(View):
            room = state(str)
            listen = subscribe("room:{room!r}", Said)


def test_a_published_topic_must_read_known_names() -> None:
    refused = r"Loud\.shout \(action\) ops\.publish: the topic 'room:\{where\}' reads 'where'"
    with pytest.raises(DefinitionError, match=refused):

        class Loud(View):
            room = state(str)
            shout = action(ops.publish("room:{where}", lambda room: Said(room)))


def test_subscribed_types_may_be_handled_with_no_receives_declared() -> None:
    """Subscribing to a topic is what lets the view take its types: a clause for them
    needs no ``receives=``."""

    @attrs.frozen
    class Ping:
        n: int

    class Pinged(View):
        count = state(int)
        listen = subscribe("pings", Ping)
        heard = clause(Ping, ops.set(count=lambda count, n: count + n))

    assert Ping in Pinged.__view_spec__.receives
