"""What the topic bus raises."""

from __future__ import annotations

from actorview.errors import ActorViewError


class PubSubError(ActorViewError):
    """A message could not be published: it does not encode (a Redis bus carries JSON),
    the topic is not a topic, or the bus is not running."""
