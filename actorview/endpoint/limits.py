"""Limits on what one client may cost the server, each with a safe default.

Every limit is enforced by the endpoint (``actorview.endpoint.server``) and tested in
``tests/hardening/test_limits.py``; a limit that is zero, negative or not a number is
refused when :class:`Limits` is made, naming the field.
"""

from __future__ import annotations

from typing import Any

import attrs


def _positive(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(
            f"Limits.{attribute.name} must be a number above 0, got {value!r}; "
            f"leave it out for the default ({attribute.default!r})"
        )


@attrs.frozen
class Limits:
    """What the endpoint enforces per connection and per process.

    Attributes:
        max_frame_bytes: largest frame a browser may send; a larger one gets an error
            frame and is dropped.
        events_per_second: sustained events a connection may send; bursts up to
            ``event_burst`` pass. Excess events get an error frame, not a queue.
        event_burst: size of the token bucket behind ``events_per_second``.
        max_connections: live connections per process; more are refused at upgrade.
        join_timeout: seconds a new socket has to send its join frame.
        idle_timeout: seconds of silence (no frame, not even a ping) before the socket
            is closed; the client pings well within it.
        rejoin_grace: seconds a view outlives its dropped socket, so a reconnecting
            browser finds it; after that the view is stopped.
        max_outbox_bytes: how far a slow reader may fall behind before it is
            disconnected with a reason (pending frames are merged up to then); also
            how many bytes of sent, unacknowledged frames a session keeps for a rejoin.
        max_head_bytes: largest HTTP request head.
    """

    max_frame_bytes: int = attrs.field(default=64 * 1024, validator=_positive)
    events_per_second: float = attrs.field(default=50.0, validator=_positive)
    event_burst: int = attrs.field(default=100, validator=_positive)
    max_connections: int = attrs.field(default=10_000, validator=_positive)
    join_timeout: float = attrs.field(default=10.0, validator=_positive)
    idle_timeout: float = attrs.field(default=75.0, validator=_positive)
    rejoin_grace: float = attrs.field(default=15.0, validator=_positive)
    max_outbox_bytes: int = attrs.field(default=1 << 20, validator=_positive)
    max_head_bytes: int = attrs.field(default=16 * 1024, validator=_positive)


class TokenBucket:
    """Rate limiting by token bucket: ``rate`` per second, bursts up to ``capacity``."""

    def __init__(self, rate: float, capacity: int, now: float) -> None:
        self.rate = rate
        self.capacity = float(capacity)
        self._tokens = float(capacity)
        self._stamp = now

    def take(self, now: float) -> bool:
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False
