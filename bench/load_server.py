"""The server the load and memory benchmarks drive: the chat demo's view, served by the real
endpoint, with a fake LLM whose tokens carry the moment they were emitted.

    .venv/bin/python -m bench.load_server [--port 0] [--token-delay 0.05] [--reply-length 40]
        [--workers 1] [--trace-memory PREFIX]

Each token is ``" §<µs>"``: ``time.monotonic_ns() // 1000`` taken right before ``emit``.
``CLOCK_MONOTONIC`` is one clock for every process on the machine, so a client on the same
host reads the latency from emit to arrival straight off the frame, with no clock sync and
no guess about the server's schedule. Everything else is the demo's chat view as served
(pacing on, 1/60 s). Prints ``listening <port> <pid>`` once it accepts connections, and
stops on SIGINT or SIGTERM. With ``--trace-memory PREFIX`` it traces its allocations
(tracemalloc, from start-up) and, on each SIGUSR1, writes a snapshot to ``PREFIX.<n>``
(n = 1, 2, ...) and prints ``snapshot <path>``: ``bench.memory --profile`` reads them.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager

import trio

from actorview.endpoint import Application, Limits, Route, serve_workers
from actorview.view import Emit, async_stream
from bench._live import quiet_logs
from demo_chat import ChatView, Chunk, Done

MARK = "§"
TRACE_FRAMES = 24
"""Frames kept per traced allocation: enough to reach the project's line that caused one
made deep in trio (``bench.memory --profile`` groups by it)."""


async def stamped_llm(prompt: str, token_delay: float, reply_length: int, emit: Emit) -> None:
    """``reply_length`` tokens, ``token_delay`` apart, each stamped when emitted."""
    for _ in range(reply_length):
        await trio.sleep(token_delay)
        await emit(Chunk(f" {MARK}{time.monotonic_ns() // 1000}"))
    await emit(Done())


class StampedChat(ChatView):
    """The demo's chat view with the stamping fake LLM."""

    llm = async_stream(emits=(Chunk, Done))(stamped_llm)


def build(token_delay: float, reply_length: int, history: int) -> Application:
    params = {"token_delay": token_delay, "reply_length": reply_length, "history": history}
    return Application(
        [Route("/", StampedChat, name="chat", params=params)],
        secret=b"load" * 8,
        limits=Limits(
            max_connections=20_000,
            max_connections_per_client=20_000,  # every load client is 127.0.0.1
            max_sessions_per_client=20_000,
            client_frames_per_second=1e6,
            client_frame_burst=1_000_000,
            max_outbox_bytes=64 << 20,
        ),
    )


async def serve(app: Application, port: int, trace_memory: str | None = None) -> None:
    stops = {signal.SIGINT, signal.SIGTERM}
    with trio.open_signal_receiver(*stops, signal.SIGUSR1) as signals:
        async with trio.open_nursery() as nursery:
            bound = await nursery.start(app.serve, "127.0.0.1", port)
            print(f"listening {bound} {os.getpid()}", flush=True)
            snapshots = 0
            async for signum in signals:
                if signum in stops:
                    nursery.cancel_scope.cancel()
                    break
                if trace_memory is not None:
                    snapshots += 1
                    path = f"{trace_memory}.{snapshots}"
                    gc.collect()
                    tracemalloc.take_snapshot().dump(path)
                    print(f"snapshot {path}", flush=True)


@contextmanager
def spawned(
    *,
    token_delay: float,
    reply_length: int,
    workers: int = 1,
    trace_memory: str | None = None,
    output: list[subprocess.Popen[str]] | None = None,
) -> Iterator[tuple[str, str]]:
    """Run this server as a process of its own (``workers`` processes under it, with
    more than one) for the block; yields its port and pid (as it printed them) once it
    accepts connections, and stops it on the way out. With ``trace_memory`` it traces
    its allocations (see the module docstring); ``output`` gets the process, whose
    stdout then tells each snapshot's path."""
    trace = [] if trace_memory is None else ["--trace-memory", trace_memory]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.load_server",
            "--token-delay",
            str(token_delay),
            "--reply-length",
            str(reply_length),
            "--workers",
            str(workers),
            *trace,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    if output is not None:
        output.append(server)
    try:
        assert server.stdout is not None
        _, port, pid = server.stdout.readline().split()
        yield port, pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a traced server can take longer than that
            server.kill()
            server.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token-delay", type=float, default=0.05)
    parser.add_argument("--reply-length", type=int, default=40)
    parser.add_argument("--history", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve_workers)")
    parser.add_argument(
        "--trace-memory", metavar="PREFIX", help="tracemalloc; a snapshot per SIGUSR1"
    )
    args = parser.parse_args(argv)
    quiet_logs()
    if args.trace_memory is not None:
        tracemalloc.start(TRACE_FRAMES)
    if args.workers > 1:
        factory = functools.partial(build, args.token_delay, args.reply_length, args.history)
        sys.exit(
            serve_workers(
                factory,
                workers=args.workers,
                port=args.port,
                on_listening=lambda port: print(f"listening {port} {os.getpid()}", flush=True),
            )
        )
    app = build(args.token_delay, args.reply_length, args.history)
    trio.run(serve, app, args.port, args.trace_memory)
    sys.exit(0)


if __name__ == "__main__":
    main()
