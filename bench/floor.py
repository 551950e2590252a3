"""The floor under the per-token cost: what trio itself charges to write one small frame
to each of many sockets, with a wake-up per frame or with one clock for all.

    .venv/bin/python -m bench.floor [--connections 200,600] [--seconds 3]

No actorview code runs here: a stand-alone trio server on loopback accepts
``--connections`` TCP connections from a reader process (another interpreter, so the
readers' CPU is not counted) and writes one pre-framed 24-byte WebSocket text frame to
each, 20 times a second, for ``--seconds``, in two shapes:

1. **a task per connection**, each sleeping 50 ms on its own timer and then calling
   ``send_all`` (as a session's writer wakes for each frame);
2. **one frame clock** for the whole process, waking every 1/60 s and writing every frame
   that is due (about one connection in three each tick), one ``send_all`` per socket.

The report is this process's CPU (``time.process_time``) divided by the frames written:
the cost of the wake-up and the write alone. Issue 20 measured 71-75 µs for (1) and
8.5-10.5 µs for (2); the distance from actorview's own figure (``bench.load``'s CPU per
delivered token) to these is what structure, not trimming, can win.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time

import trio

from bench._live import header

FRAME = bytes([0x81, 22]) + b'[["a",[2,0]," token"]]'
assert len(FRAME) == 24
RATE = 20.0
"""Frames a second per connection (a model at 20 tokens/s)."""
TICK = 1 / 60

READER = """
import socket, sys, selectors
port, count = int(sys.argv[1]), int(sys.argv[2])
selector = selectors.DefaultSelector()
conns = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    selector.register(s, selectors.EVENT_READ)
    conns.append(s)
sys.stdout.write("ready\\n"); sys.stdout.flush()
open_ = count
while open_:
    for key, _ in selector.select(timeout=30):
        if not key.fileobj.recv(65536):
            selector.unregister(key.fileobj); key.fileobj.close(); open_ -= 1
"""


async def accept_all(listener: trio.SocketListener, count: int) -> list[trio.SocketStream]:
    streams: list[trio.SocketStream] = []
    while len(streams) < count:
        stream = await listener.accept()
        assert isinstance(stream, trio.SocketStream)
        stream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        streams.append(stream)
    return streams


async def task_per_connection(streams: list[trio.SocketStream], seconds: float) -> int:
    written = 0

    async def writer(stream: trio.SocketStream, offset: float) -> None:
        nonlocal written
        await trio.sleep(offset)
        deadline = trio.current_time() + seconds
        while trio.current_time() < deadline:
            await trio.sleep(1 / RATE)
            await stream.send_all(FRAME)
            written += 1

    async with trio.open_nursery() as nursery:
        for index, stream in enumerate(streams):
            nursery.start_soon(writer, stream, (index / len(streams)) / RATE)
    return written


async def one_frame_clock(streams: list[trio.SocketStream], seconds: float) -> int:
    written = 0
    start = trio.current_time()
    due = [start + (index / len(streams)) / RATE for index in range(len(streams))]
    while (now := trio.current_time()) < start + seconds:
        for index, stream in enumerate(streams):
            if due[index] <= now:
                await stream.send_all(FRAME)
                written += 1
                due[index] += 1 / RATE
        await trio.sleep_until(now + TICK)
    return written


async def measure(count: int, seconds: float) -> dict[str, float]:
    results: dict[str, float] = {}
    for name, shape in (
        ("task per connection", task_per_connection),
        ("one frame clock", one_frame_clock),
    ):
        listener = (await trio.open_tcp_listeners(0, host="127.0.0.1"))[0]
        port = listener.socket.getsockname()[1]
        reader = await trio.lowlevel.open_process(
            [sys.executable, "-c", READER, str(port), str(count)], stdout=subprocess.PIPE
        )
        try:
            streams = await accept_all(listener, count)
            assert reader.stdout is not None
            with trio.fail_after(30):
                while b"ready" not in await reader.stdout.receive_some():
                    pass
            before = time.process_time()
            written = await shape(streams, seconds)
            results[name] = (time.process_time() - before) / written * 1e6
            for stream in streams:
                await stream.aclose()
        finally:
            await listener.aclose()
            with trio.fail_after(30):
                await reader.wait()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--connections", default="200,600")
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args(argv)
    header("bench.floor")
    counts = [int(part) for part in args.connections.split(",")]
    print(f"\nCPU per frame written (µs), 24-byte frames at {RATE:.0f}/s per connection")
    print(f"{'connections':>12}{'task per connection':>22}{'one frame clock':>18}")
    for count in counts:
        results = trio.run(measure, count, args.seconds)
        print(
            f"{count:>12}{results['task per connection']:>22.1f}{results['one frame clock']:>18.1f}"
        )


if __name__ == "__main__":
    main()
