"""permessage-deflate: TCP bytes per streamed token on the wire, and what each compressor
setting costs, to choose ``Compression``'s defaults by the numbers.

    .venv/bin/python -m bench.compression [--tokens 200] [--gap 0.02]

1. The wire: the demo's chat (frame pacing on, as served) streams ``--tokens`` words told
   ``--gap`` seconds apart (20 ms: a model at 50 tokens/s, each token its own frame) to a
   client that offers permessage-deflate as Chromium does; the TCP bytes it reads (
   WebSocket headers and compression included) are divided by the tokens, with
   compression off and with the default :class:`~actorview.endpoint.Compression`.
2. The settings: the token frames that run captured are compressed again, one
   compressor per setting, as the server does (context kept, ``Z_SYNC_FLUSH`` per frame):
   bytes a frame, CPU a frame (best of 5) and the memory the compressor holds (traced).

Target (issue 20): at most 12 bytes per token on the wire for tokens 20 ms apart.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc
import zlib
from typing import ClassVar

import trio

from actorview.endpoint import Application, Compression, Limits, Route
from bench._deflate import deflate_client
from bench._live import LiveChat, fetch_token, header, quiet_logs, serving
from demo_chat import Chunk

WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "he",
    "this",
    "are",
    "or",
    "his",
    "from",
    "at",
    "which",
    "but",
    "have",
    "an",
    "they",
    "you",
    "were",
    "her",
    "she",
    "there",
    "had",
    "model",
    "token",
    "stream",
    "reply",
]
SETTINGS = ((6, 15, 8), (6, 12, 2), (6, 11, 1), (6, 10, 1), (1, 11, 1), (9, 11, 1))
"""(level, window_bits, mem_level): zlib's default, then smaller ones."""


class Chat(LiveChat):
    running: ClassVar[list[LiveChat]] = []


async def stream_tokens(
    compression: Compression | None, tokens: int, gap: float
) -> tuple[float, list[str]]:
    """TCP bytes read per token, and the token frames as the client decoded them."""
    app = Application(
        [Route("/", Chat, name="chat", params={"token_delay": 0.0, "history": 10})],
        secret=b"b" * 32,
        limits=Limits(max_outbox_bytes=64 << 20),
        compression=compression,
    )
    frames: list[str] = []
    async with serving(app) as port, deflate_client(port) as client:
        token = await fetch_token(port)
        await client.send_text(f'{{"t":"join","token":"{token}","path":"/"}}')
        await client.message()  # joined
        await client.message()  # the first render
        view = Chat.running[-1]
        view.streaming = True  # the first token's frame also shows the Cancel button
        view.ref.tell_nowait(Chunk(" first"))
        await client.text()
        rng = random.Random(1)
        before = client.bytes_read
        for _ in range(tokens):
            await trio.sleep(gap)
            view.ref.tell_nowait(Chunk(" " + rng.choice(WORDS)))
            frames.append(await client.text())
        read = client.bytes_read - before
    return read / tokens, frames


def settings_table(frames: list[str]) -> list[tuple[tuple[int, int, int], float, float, float]]:
    """(setting, bytes a frame, µs a frame, KiB held) for each of :data:`SETTINGS`."""
    payloads = [frame.encode() for frame in frames]
    rows = []
    for level, bits, mem in SETTINGS:
        tracemalloc.start()
        compressor = zlib.compressobj(level, zlib.DEFLATED, -bits, mem)
        sizes = [
            len(compressor.compress(p) + compressor.flush(zlib.Z_SYNC_FLUSH)) - 4 for p in payloads
        ]
        held = tracemalloc.get_traced_memory()[0] / 1024
        tracemalloc.stop()
        timings = []
        for _ in range(5):
            compressor = zlib.compressobj(level, zlib.DEFLATED, -bits, mem)
            started = time.perf_counter()
            for payload in payloads:
                compressor.compress(payload)
                compressor.flush(zlib.Z_SYNC_FLUSH)
            timings.append((time.perf_counter() - started) / len(payloads) * 1e6)
        rows.append(((level, bits, mem), statistics.mean(sizes), min(timings), held))
    return rows


def _compressed(compressor: zlib._Compress, payload: bytes) -> bytes:
    """One message as permessage-deflate sends it: flushed, without the 4-byte tail."""
    return (compressor.compress(payload) + compressor.flush(zlib.Z_SYNC_FLUSH))[:-4]


async def measure(tokens: int, gap: float) -> None:
    plain, frames = await stream_tokens(None, tokens, gap)
    packed, _ = await stream_tokens(Compression(), tokens, gap)
    median = statistics.median(len(frame.encode()) for frame in frames)
    print(f"\n{tokens} tokens, {gap * 1000:.0f} ms apart; a token frame is {median:.0f} B of JSON")
    print(f"{'wire, TCP bytes per token':<34}{'off':>8}{'default':>9}")
    print(f"{'':<34}{plain:>8.1f}{packed:>9.1f}   (target <= 12)")
    print("\nsettings on the same frames (level, window_bits, mem_level):")
    print(f"{'setting':<14}{'B/frame':>9}{'µs/frame':>10}{'KiB held':>10}")
    default = Compression()
    for setting, size, micros, held in settings_table(frames):
        mark = (
            "  <- default"
            if setting == (default.level, default.window_bits, default.mem_level)
            else ""
        )
        print(f"{setting!s:<14}{size:>9.1f}{micros:>10.2f}{held:>10.1f}{mark}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.02)
    args = parser.parse_args(argv)
    header("bench.compression")
    quiet_logs()
    trio.run(measure, args.tokens, args.gap)


if __name__ == "__main__":
    main()
