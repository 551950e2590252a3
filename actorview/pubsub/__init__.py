"""Topics: views and actors tell each other things by publishing on a topic.

A view subscribes declaratively (``subscribe("room:{room}", Said)`` in its class body,
the topic built from its fields); any action publishes (``ops.publish("room:{room}",
lambda room, text: Said(room, text))``), any actor or task with ``await
bus.publish(topic, message)``. Published messages arrive in each subscriber's mailbox
as ordinary messages, handled by ordinary clauses.

:class:`LocalBus` (the default, :func:`default_bus`) works in one process and needs
nothing; :class:`RedisBus` carries the same topics across processes and machines
(``Application(pubsub=RedisBus("redis://..."))``). The README's "Topics" part is the
guide.
"""

from actorview.pubsub._bus import Bus, LocalBus, Receiver, Subscription, check_topic, default_bus
from actorview.pubsub._errors import PubSubError
from actorview.pubsub._redis import RedisBus

__all__ = [
    "Bus",
    "LocalBus",
    "PubSubError",
    "Receiver",
    "RedisBus",
    "Subscription",
    "check_topic",
    "default_bus",
]
