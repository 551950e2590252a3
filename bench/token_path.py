"""Full-path cost of one streamed token, and its bytes on the socket, for short and long
histories and drafts.

    .venv/bin/python -m bench.token_path [--rounds 15] [--tokens 100]

The path is the real one: a ``Chunk`` told to the chat view's mailbox (what ``emit``
does) -> clause -> ``draft`` append -> incremental calcs -> render -> structural diff ->
wire ops -> session outbox -> JSON encode -> the writer task's ``send_message`` on a real
loopback WebSocket -> a trio-websocket client reading the frame. The next token is told
only once the client has the frame, so every token is one batch, one render, one frame
(frame pacing off: ``frame_interval = 0``; pacing is measured by ``bench.coalescing``).

Two times per token: *written* (tell -> the writer is back for the next frame, i.e. the
socket write returned) and *received* (tell -> the client has the message). Six cases,
history 10 / 1,000 / 10,000 messages x draft 10 / 5,000 tokens, are measured in
interleaved rounds in one process; each figure is the median of the per-round medians,
and the ratios compare each case with (history 10, draft 10). Target: every ratio <= 1.2.
Wire bytes are the frame's UTF-8 payload minus the token's bytes (target <= 40).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

import trio

from actorview.endpoint import Application
from bench._live import Client, UnpacedChat, chat_app, header, joined, quiet_logs, serving
from demo_chat import Chunk

HISTORIES = (10, 1_000, 10_000)
DRAFTS = (10, 5_000)
TOKEN = " token"


class Case:
    """One session: a history length and a draft length, with its samples."""

    def __init__(self, history: int, draft: int, client: Client) -> None:
        self.history = history
        self.draft = draft
        self.client = client
        self.initial = "".join(f" w{i}" for i in range(draft))
        self.written: list[float] = []
        self.received: list[float] = []
        self.overhead: list[int] = []

    async def reset(self) -> None:
        """Put the draft back to its starting length and render it (untimed)."""
        view = self.client.view
        view.draft = self.initial
        view.streaming = True
        await view.after_batch()
        await self.client.frame()

    async def round(self, tokens: int) -> None:
        await self.reset()
        ref = self.client.view.ref
        stamps = self.client.written_at
        written: list[float] = []
        received: list[float] = []
        gc.collect()
        for _ in range(tokens):
            stamps.clear()
            start = time.perf_counter()
            ref.tell_nowait(Chunk(TOKEN))
            message = await self.client.frame()
            done = time.perf_counter()
            received.append(done - start)
            if stamps:
                written.append(stamps[0] - start)
            self.overhead.append(len(message.encode()) - len(TOKEN.encode()))
        self.received.append(statistics.median(received))
        if written:
            self.written.append(statistics.median(written))


async def measure(rounds: int, tokens: int, histories: tuple[int, ...]) -> list[Case]:
    cases: list[Case] = []
    async with trio.open_nursery() as nursery:
        for history in histories:
            app: Application = chat_app(UnpacedChat, history=history)
            port = await nursery.start(_serve, app)
            for draft in DRAFTS:
                client = await nursery.start(_client, app, port)
                cases.append(Case(history, draft, client))
        for case in cases:  # warm up
            await case.round(tokens)
            case.written.clear()
            case.received.clear()
            case.overhead.clear()
        for _ in range(rounds):
            for case in cases:
                await case.round(tokens)
        nursery.cancel_scope.cancel()
    return cases


async def _serve(app: Application, *, task_status: trio.TaskStatus[int]) -> None:
    async with serving(app) as port:
        task_status.started(port)
        await trio.sleep_forever()


async def _client(app: Application, port: int, *, task_status: trio.TaskStatus[Client]) -> None:
    async with joined(app, port, UnpacedChat) as client:
        task_status.started(client)
        await trio.sleep_forever()


def report(cases: list[Case], rounds: int, tokens: int) -> None:
    base = cases[0]
    print(f"\n{rounds} rounds x {tokens} tokens per case, token {TOKEN!r} ({len(TOKEN)} bytes)")
    print(
        f"{'history':>8} {'draft':>6} {'written us':>11} {'ratio':>6} {'received us':>12} "
        f"{'ratio':>6} {'wire bytes - token':>19}"
    )
    worst = 0.0
    for case in cases:
        written = statistics.median(case.written)
        received = statistics.median(case.received)
        w_ratio = written / statistics.median(base.written)
        r_ratio = received / statistics.median(base.received)
        worst = max(worst, w_ratio, r_ratio)
        print(
            f"{case.history:>8,} {case.draft:>6,} {written * 1e6:>11.1f} {w_ratio:>6.2f} "
            f"{received * 1e6:>12.1f} {r_ratio:>6.2f} {statistics.median(case.overhead):>19.0f}"
        )
    overhead = max(max(case.overhead) for case in cases)
    print(f"worst ratio: {worst:.2f} ({'ok' if worst <= 1.2 else 'OVER'} target <= 1.2)")
    print(f"most wire bytes beyond the token: {overhead} ({'ok' if overhead <= 40 else 'OVER'} 40)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--tokens", type=int, default=100, help="tokens per case per round")
    parser.add_argument("--histories", type=int, nargs="+", default=list(HISTORIES))
    args = parser.parse_args(argv)
    header("bench.token_path")
    quiet_logs()
    cases = trio.run(measure, args.rounds, args.tokens, tuple(args.histories))
    report(cases, args.rounds, args.tokens)


if __name__ == "__main__":
    main()
