"""A view's topics at run time: the subscriptions it declared, held for its life, and
the messages its ops published, sent after each message.

The bus (``actorview.pubsub``) delivers a subscribed topic's messages by calling the
view's receiver, ``ref.tell_nowait``: they join the mailbox like any message. What the
mailbox refuses (full under backpressure, the view stopped) the subscription counts as
dropped and logs. Publishing waits for the bus (a Redis ``PUBLISH``, bounded by the
bus's own timeout); a refusal is logged and told to the page, and changes nothing the
ops already applied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from actorview.declare._spec import ViewSpec
from actorview.declare._subscriptions import fill
from actorview.pubsub import Bus, PubSubError, Receiver, Subscription
from actorview.view._store import Published

PUBLISH_FAILED_TEXT = "A message could not be sent to the others; try again."


def open_subscriptions(
    spec: ViewSpec, read: Callable[[str], Any], bus: Bus, receiver: Receiver
) -> list[Subscription]:
    """Subscribe to each topic ``spec`` declares, filled in from ``read`` now."""
    return [
        bus.subscribe(fill(declared.topic, declared.names, read), receiver, declared.types)
        for declared in spec.subscriptions.values()
    ]


async def publish_all(
    bus: Bus, published: Sequence[Published], log: Any, notify: Callable[[str], None]
) -> None:
    """Publish each message in order; a refusal is logged and noticed, the rest go on."""
    for each in published:
        try:
            await bus.publish(each.topic, each.message)
        except PubSubError as error:
            log.error("view.publish_failed", topic=each.topic, error=str(error))
            notify(PUBLISH_FAILED_TEXT)
