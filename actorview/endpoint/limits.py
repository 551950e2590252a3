"""Limits on what one client may cost the server, each with a safe default."""

from __future__ import annotations

import attrs


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
            disconnected with a reason (pending frames are merged up to then).
        max_head_bytes: largest HTTP request head.
    """

    max_frame_bytes: int = 64 * 1024
    events_per_second: float = 50.0
    event_burst: int = 100
    max_connections: int = 10_000
    join_timeout: float = 10.0
    idle_timeout: float = 75.0
    rejoin_grace: float = 15.0
    max_outbox_bytes: int = 1 << 20
    max_head_bytes: int = 16 * 1024


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
