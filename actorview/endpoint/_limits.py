"""Limits on what one client may cost the server, each with a safe default.

Every limit is enforced by the endpoint (``actorview.endpoint._core`` for both servers,
``tcp`` and ``asgi`` for what is each server's own) and tested in
``tests/hardening/test_limits.py``; a limit that is zero, negative or not a number is
refused when :class:`Limits` is made, naming the field.

Limits are accounted where a client cannot escape them by opening another socket: the
event rate per session (a rejoin with the session's token keeps its bucket), the number
of connections, of live sessions and of frames per client address (:class:`ClientTable`,
an IPv4 address or an IPv6 /64), and the number of connections per process, below the
process's file descriptor limit.
"""

from __future__ import annotations

import ipaddress
import resource
from collections import OrderedDict
from typing import Any

import attrs
import trio


def _positive(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        default = attribute.default
        shown = "computed" if isinstance(default, attrs.Factory) else repr(default)  # type: ignore[arg-type]
        raise ValueError(
            f"Limits.{attribute.name} must be a number above 0, got {value!r}; "
            f"leave it out for the default ({shown})"
        )


DESCRIPTOR_HEADROOM = 128
"""File descriptors kept free of connections by the default ``max_connections`` (for
refusing connections past the limit, stores, logs and the listener itself)."""
MAX_CONNECTIONS_CEILING = 10_000


def default_max_connections() -> int:
    """``RLIMIT_NOFILE``'s soft limit less a quarter of it (at least
    :data:`DESCRIPTOR_HEADROOM`), at most 10,000: the process then never runs out of
    descriptors because of connections. 768 at the common soft limit of 1,024."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS_CEILING
    return max(1, min(MAX_CONNECTIONS_CEILING, soft - max(DESCRIPTOR_HEADROOM, soft // 4)))


@attrs.frozen
class Limits:
    """What the endpoint enforces per session, per client address and per process.

    Attributes:
        max_frame_bytes: largest frame a browser may send; a larger one gets an error
            frame and is dropped.
        events_per_second: sustained events a session may send (across all its sockets:
            a rejoin does not refill the bucket); bursts up to ``event_burst`` pass.
            Excess events get an error frame, not a queue.
        event_burst: size of the token bucket behind ``events_per_second``.
        max_connections: open TCP connections per process (pages and live sockets;
            under ASGI, requests and live sockets in progress); more get 503. The
            default keeps a quarter of the descriptor limit free.
        max_connections_per_client: open TCP connections per client address; more get
            503.
        max_sessions_per_client: live sessions (views running or within their rejoin
            grace) per client address; a join that would start one more is refused
            (4001).
        client_frames_per_second: frames of any kind (events, inputs, acks, protocol
            pings, WebSocket pings) a client address may send over all its sockets.
            Past the budget its sockets are read no faster than it refills, so a flood
            is pushed back onto the sender's TCP window and costs the server that rate.
        client_frame_burst: size of the token bucket behind ``client_frames_per_second``.
        max_tracked_clients: client addresses the per-client accounting remembers; the
            least recently seen idle one is forgotten first.
        join_timeout: seconds a new socket has to send its join frame (and a new
            connection its request head).
        idle_timeout: seconds of silence (no frame, not even a ping) before the socket
            is closed; the client pings well within it.
        write_timeout: seconds one write to a socket (an HTTP response, a frame, a close
            frame) may take; a peer that does not read for that long is dropped.
        close_timeout: seconds a closing WebSocket waits for the peer's close frame
            before its TCP connection is closed anyway.
        rejoin_grace: seconds a view outlives its dropped socket, so a reconnecting
            browser finds it; after that the view is stopped.
        max_outbox_bytes: how far a slow reader may fall behind before it is
            disconnected with a reason (pending frames are merged up to then); also
            how many bytes of sent, unacknowledged frames a session keeps for a rejoin.
        max_head_bytes: largest HTTP request head (the built-in server's; under ASGI
            the server's parser has its own, e.g. hypercorn's ``h11_max_incomplete_size``).
    """

    max_frame_bytes: int = attrs.field(default=64 * 1024, validator=_positive)
    events_per_second: float = attrs.field(default=50.0, validator=_positive)
    event_burst: int = attrs.field(default=100, validator=_positive)
    max_connections: int = attrs.field(factory=default_max_connections, validator=_positive)
    max_connections_per_client: int = attrs.field(default=256, validator=_positive)
    max_sessions_per_client: int = attrs.field(default=100, validator=_positive)
    client_frames_per_second: float = attrs.field(default=200.0, validator=_positive)
    client_frame_burst: int = attrs.field(default=400, validator=_positive)
    max_tracked_clients: int = attrs.field(default=10_000, validator=_positive)
    join_timeout: float = attrs.field(default=10.0, validator=_positive)
    idle_timeout: float = attrs.field(default=75.0, validator=_positive)
    write_timeout: float = attrs.field(default=10.0, validator=_positive)
    close_timeout: float = attrs.field(default=1.0, validator=_positive)
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
        """Take a token if there is one; False (nothing taken) if the bucket is empty."""
        self._refill(now)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    async def acquire(self) -> None:
        """Take a token, sleeping until it is due if the bucket is empty.

        The token is reserved at once (the balance may go below zero), so waiters are
        served in the order they came, each sleeping for its own place in the queue; a
        waiter cancelled in its sleep has still spent its token. The wait is on the
        bucket's refill alone, never on a peer: at most ``waiters / rate`` seconds.
        """
        self._refill(trio.current_time())
        self._tokens -= 1.0
        if self._tokens < 0.0:
            await trio.sleep(-self._tokens / self.rate)
        else:
            await trio.lowlevel.checkpoint()

    def _refill(self, now: float) -> None:
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now


def client_key(address: str) -> str:
    """The unit per-client limits count by: an IPv4 address (an IPv4-mapped IPv6 one
    too), an IPv6 /64 (one host usually holds a whole /64), else the text as given
    (a Unix socket's path)."""
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


class Client:
    """What one client address holds now: connections, sessions and its frame budget.

    A connection keeps its :class:`Client` for its whole life and gives back what it
    took to that object, so a client forgotten by the table meanwhile is harmless.
    """

    def __init__(self, key: str, limits: Limits) -> None:
        self.key = key
        self.connections = 0
        self.session_ids: set[str] = set()
        self.frames = TokenBucket(
            limits.client_frames_per_second, limits.client_frame_burst, trio.current_time()
        )

    def live_sessions(self, live: dict[str, Any]) -> int:
        """How many of this client's sessions are still in ``live`` (forgetting the rest:
        a session ends wherever it is reaped)."""
        self.session_ids &= live.keys()
        return len(self.session_ids)

    @property
    def idle(self) -> bool:
        return self.connections == 0


class ClientTable:
    """Per-client accounting, bounded: at most ``limits.max_tracked_clients`` entries.

    Past the bound the least recently seen client without an open connection is
    forgotten (failing that, the least recently seen one): an attacker with many
    addresses can make the table forget, never grow.
    """

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._clients: OrderedDict[str, Client] = OrderedDict()

    def __len__(self) -> int:
        return len(self._clients)

    def get(self, address: str) -> Client:
        """The entry of ``address``'s client, made if new, marked as seen now."""
        key = client_key(address)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = Client(key, self._limits)
            self._evict()
        else:
            self._clients.move_to_end(key)
        return client

    def _evict(self) -> None:
        while len(self._clients) > self._limits.max_tracked_clients:
            victim = next((k for k, c in self._clients.items() if c.idle), None)
            if victim is None:
                victim = next(iter(self._clients))
            del self._clients[victim]
