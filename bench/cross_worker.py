"""Cross-worker token latency: a token published in worker A reaches a client of worker B.

    .venv/bin/python -m bench.cross_worker                   # 100 and 500 sessions
    .venv/bin/python -m bench.cross_worker --steps 20 --hold 2   # a quick look

Three processes and a Redis server of its own, on loopback: worker A (``emit``)
publishes a stamped :class:`~demo_chat.Chunk` on topic ``tokens:<n>`` for each of N
rooms, 20 a second per room (``ops.publish``'s path: ``RedisBus.publish``); worker B
(``serve``) is an actorview server whose view at ``/r/<n>`` subscribes to its room's
topic (``subscribe("tokens:{room}", Chunk, Done)``) and appends each token to the page;
this process holds N WebSocket clients of worker B, one per room, and reads each token's
latency from the stamp in its frame (``CLOCK_MONOTONIC`` microseconds, one clock for
every process on the machine; the method of ``bench.load_server``).

Per step (clients are added, never dropped; worker A is restarted for each step's
rooms): latency p50 and p99 of the tokens that arrived while held, tokens a second,
worker B's CPU per delivered token (utime + stime from /proc) and worker A's CPU as %
of one core. Everything shares the machine's two cores with the clients.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs
import trio
import trio_websocket

from actorview import Application, Element, Route, View, clause, h, ops, state
from actorview.endpoint import Limits
from actorview.pubsub import RedisBus
from actorview.view import subscribe
from bench._live import MAX_MESSAGE, fetch_token, header, percentile, quiet_logs
from bench.loadgen import STAMP, cpu_seconds
from demo_chat import Chunk, Done
from tests.services import redis_server

REPLY = 40
"""Tokens a room's reply has before its ``Done`` clears the page's text."""


class Relay(View):
    """One room's page: the tokens published on ``tokens:<room>`` since the last Done."""

    room = state(str)
    shown = state(str)

    listen = subscribe("tokens:{room}", Chunk, Done)
    on_chunk = clause(Chunk, ops.append(shown=lambda text: text), batch=True)
    on_done = clause(Done, ops.set(shown=""))

    def mount(self, params: dict[str, str]) -> None:
        self.room = params["room"]

    def render(self) -> Element:
        return h.main(h.p(self.shown, id="shown"))


def relay_app(redis_url: str) -> Application:
    return Application(
        [Route("/r/{room}", Relay)],
        secret=b"cross-worker" * 3,
        pubsub=RedisBus(redis_url),
        limits=Limits(
            max_connections=20_000,
            max_connections_per_client=20_000,
            max_sessions_per_client=20_000,
            client_frames_per_second=1e6,
            client_frame_burst=1_000_000,
        ),
    )


# -- worker B ----------------------------------------------------------------------------


async def serve(redis_url: str) -> None:
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with trio.open_nursery() as nursery:
            port = await nursery.start(relay_app(redis_url).serve, "127.0.0.1", 0)
            print(f"listening {port} {os.getpid()}", flush=True)
            async for _ in signals:
                nursery.cancel_scope.cancel()
                break


# -- worker A ----------------------------------------------------------------------------


async def emit(redis_url: str, rooms: int, rate: float) -> None:
    """Publish ``rate`` stamped tokens a second to each of ``rooms`` rooms, each room's
    clock offset evenly within the period, until SIGTERM; a ``Done`` every
    :data:`REPLY` tokens."""
    bus = RedisBus(redis_url)
    period = 1 / rate

    async def room(number: int) -> None:
        await trio.sleep(period * number / rooms)
        topic = f"tokens:{number}"
        due = trio.current_time()
        sent = 0
        while True:
            due += period
            await trio.sleep_until(due)
            await bus.publish(topic, Chunk(f" §{time.monotonic_ns() // 1000}"))
            sent += 1
            if sent % REPLY == 0:
                await bus.publish(topic, Done())

    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with bus.running(), trio.open_nursery() as nursery:
            for number in range(rooms):
                nursery.start_soon(room, number)
            print(f"emitting {os.getpid()}", flush=True)
            async for _ in signals:
                nursery.cancel_scope.cancel()
                break


# -- the clients -------------------------------------------------------------------------


@attrs.define
class Stats:
    latencies_ms: list[float] = attrs.Factory(list)
    errors: list[str] = attrs.Factory(list)
    recording: bool = False


async def client(port: int, room: int, stats: Stats, limiter: trio.CapacityLimiter) -> None:
    """Join room ``room``'s page on worker B and record each token's latency."""
    path = f"/r/{room}"
    try:
        async with limiter:
            token = await fetch_token(port, path)
        async with trio_websocket.open_websocket(
            "127.0.0.1",
            port,
            "/_av/live",
            use_ssl=False,
            extra_headers=[(b"Origin", f"http://127.0.0.1:{port}".encode())],
            max_message_size=MAX_MESSAGE,
        ) as ws:
            await ws.send_message(f'{{"t":"join","token":"{token}","path":"{path}"}}')
            frames = 0
            while True:
                message = str(await ws.get_message())
                now_us = time.monotonic_ns() // 1000
                frames += 1
                if stats.recording and message.startswith("["):
                    for stamp in STAMP.findall(message):
                        stats.latencies_ms.append((now_us - int(stamp)) / 1000)
                if frames % 50 == 0:
                    await ws.send_message(f'{{"t":"ack","n":{frames}}}')
    except (trio_websocket.ConnectionClosed, trio_websocket.HandshakeError, OSError) as error:
        stats.errors.append(f"room {room}: {error!r}")


@attrs.frozen
class Step:
    sessions: int
    p50: float
    p99: float
    tokens_per_s: float
    server_us_per_token: float
    emitter_cpu: float

    def line(self) -> str:
        return (
            f"{self.sessions:>8} {self.p50:>8.1f} {self.p99:>8.1f} {self.tokens_per_s:>9.0f} "
            f"{self.server_us_per_token:>12.1f} {self.emitter_cpu:>11.0f}%"
        )


async def ramp(
    port: int, server: int, url: str, steps: list[int], rate: float, warmup: float, hold: float
) -> list[Step]:
    """Add clients up to each step's count (they stay for the steps after), run an
    emitter for that many rooms, and measure the tokens that arrive while held."""
    stats = Stats()
    limiter = trio.CapacityLimiter(32)
    results = []
    async with trio.open_nursery() as nursery:
        joined = 0
        for rooms in steps:
            for room in range(joined, rooms):
                nursery.start_soon(client, port, room, stats, limiter)
            joined = rooms
            emitting = ("emit", "--redis-url", url, "--rooms", str(rooms), "--rate", str(rate))
            with worker(*emitting) as (_, emitter):
                await trio.sleep(warmup)
                step = await held(stats, rooms, server, int(emitter), hold)
            print(step.line(), flush=True)
            results.append(step)
        nursery.cancel_scope.cancel()
    return results


async def held(stats: Stats, rooms: int, server: int, emitter: int, hold: float) -> Step:
    """The step's figures over ``hold`` seconds."""
    stats.latencies_ms.clear()
    stats.recording = True
    server_before, emitter_before = cpu_seconds(server), cpu_seconds(emitter)
    began = time.monotonic()
    await trio.sleep(hold)
    elapsed = time.monotonic() - began
    stats.recording = False
    server_cpu = cpu_seconds(server) - server_before
    emitter_cpu = cpu_seconds(emitter) - emitter_before
    if stats.errors or not stats.latencies_ms:
        raise RuntimeError(f"{rooms} rooms: {stats.errors[:3] or 'no token arrived'}")
    tokens = len(stats.latencies_ms)
    return Step(
        rooms,
        statistics.median(stats.latencies_ms),
        percentile(stats.latencies_ms, 0.99),
        tokens / elapsed,
        1e6 * server_cpu / tokens,
        100 * emitter_cpu / elapsed,
    )


@contextmanager
def worker(*argv: str) -> Iterator[list[str]]:
    """Run this module with ``argv`` as a process for the block; yields the words of
    the line it prints once it is ready."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.cross_worker", *argv], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().split()
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def run(steps: list[int], rate: float, warmup: float, hold: float) -> None:
    print(
        f"{'sessions':>8} {'p50 ms':>8} {'p99 ms':>8} {'tokens/s':>9} {'B µs/token':>12} "
        f"{'A CPU':>12}",
        flush=True,
    )
    with (
        tempfile.TemporaryDirectory() as directory,
        redis_server(Path(directory)) as url,
        worker("serve", "--redis-url", url) as (_, port, server),
    ):
        results = trio.run(ramp, int(port), int(server), url, steps, rate, warmup, hold)
    last = results[-1]
    print(f"p99 at {last.sessions} sessions: {last.p99:.1f} ms (goal: under 50 ms at 500)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", nargs="?", choices=("run", "serve", "emit"), default="run")
    parser.add_argument("--redis-url")
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20.0, help="tokens a second per room")
    parser.add_argument("--steps", default="100,500", help="comma-separated session counts")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--hold", type=float, default=6.0)
    args = parser.parse_args(argv)
    match args.role:
        case "serve":
            quiet_logs()
            trio.run(serve, args.redis_url)
        case "emit":
            quiet_logs()
            trio.run(emit, args.redis_url, args.rooms, args.rate)
        case _:
            header("bench.cross_worker")
            run([int(s) for s in args.steps.split(",")], args.rate, args.warmup, args.hold)


if __name__ == "__main__":
    main()
