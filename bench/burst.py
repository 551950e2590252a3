"""CPU per token in a burst: one session's reply emitted as fast as its stream can.

    .venv/bin/python -m bench.burst [--tokens 500] [--rounds 7]

The demo's chat view (frame pacing on, as served) behind the real endpoint, read by a
trio-websocket client on loopback, in one process: the client submits a prompt, the
view's own ``async_stream`` (the demo's fake LLM with no delay) emits a ``--tokens``
reply, and the client reads frames until the reply is in the history. Reported: the
process's CPU (``time.process_time``: server, stream, view, frame clock and the client's
reads) divided by the tokens, the median of ``--rounds`` bursts, each on a fresh
session, for history 10 and 10,000, and for a ``--tokens`` reply against a reply of
``--long`` tokens (its draft grows to that length; the figure is the cost per token over
the whole of it). The ratios are the flatness target (issue 20, item 5: ≤ 1.2).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

import trio

from actorview.endpoint import Application
from bench._live import (
    Client,
    LiveChat,
    chat_app,
    header,
    joined,
    quiet_logs,
    reply_kept,
    serving,
)


async def burst(client: Client) -> tuple[float, int]:
    """Submit; read frames until the reply moved into the history. Returns the CPU
    seconds it took and the frames read."""
    gc.collect()
    frames = 0
    start = time.process_time()
    await client.send(t="event", ref=1, name="submit", params={"input": "go"})
    while True:
        frame = await client.frame()
        frames += 1
        if reply_kept(frame):
            break
    return time.process_time() - start, frames


async def cpu_per_token(history: int, tokens: int, rounds: int) -> tuple[float, int]:
    """Median µs of CPU per token over ``rounds`` bursts, and the frames of the last."""
    app: Application = chat_app(LiveChat, history=history, reply_length=tokens)
    per_token: list[float] = []
    frames = 0
    async with serving(app) as port:
        for _ in range(rounds + 1):  # the first is a warm-up
            async with joined(app, port, LiveChat) as client:
                seconds, frames = await burst(client)
                per_token.append(seconds * 1e6 / tokens)
    return statistics.median(per_token[1:]), frames


async def measure(tokens: int, long: int, rounds: int) -> None:
    print(f"{'history':>8} {'reply':>6} {'µs/token':>9} {'ratio':>6} {'frames':>7}")
    base: float | None = None
    worst = 1.0
    for history, reply in ((10, tokens), (10_000, tokens), (10, long)):
        rounds_here = max(1, rounds * tokens // reply)
        figure, frames = await cpu_per_token(history, reply, rounds_here)
        base = figure if base is None else base
        ratio = figure / base
        worst = max(worst, ratio)
        print(f"{history:>8,} {reply:>6,} {figure:>9.1f} {ratio:>6.2f} {frames:>7}")
    print(f"worst ratio: {worst:.2f} (target <= 1.2); target per token <= 20 µs")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=500)
    parser.add_argument("--long", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    header("bench.burst")
    quiet_logs()
    trio.run(measure, args.tokens, args.long, args.rounds)


if __name__ == "__main__":
    main()
