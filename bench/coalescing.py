"""Coalescing: a burst of tokens faster than frames gives one render and one frame per
frame interval, not one per token.

    .venv/bin/python -m bench.coalescing [--tokens 2000]

The chat view is served by the real endpoint and read by a real WebSocket client on
loopback. Two kinds of burst, each with frame pacing on (the endpoint's default, the
class's ``frame_interval`` of 1/60 s) and off (``frame_interval = 0``), in one run:

- *told*: a task tells ``--tokens`` chunks to the view as fast as the mailbox takes them
  (what a stream that emits without waiting does);
- *streamed*: the browser submits a prompt and the view's own ``async_stream`` (the demo's
  fake LLM with ``--token-delay 0``) emits a ``--tokens``-token reply.

Reported: renders (view versions), frames the client received until the whole reply was
on the page, the burst's duration, and frames per second. With pacing on, frames should
be about duration / interval, and never more than one per token.
"""

from __future__ import annotations

import argparse
import time

import trio

from actorview.endpoint import Application
from bench._live import (
    Client,
    LiveChat,
    UnpacedChat,
    chat_app,
    header,
    joined,
    quiet_logs,
    reply_kept,
    serving,
)
from demo_chat import Chunk


async def told_burst(client: Client, tokens: int) -> tuple[int, int, float]:
    """Tell ``tokens`` chunks; read frames until the last token is on the page."""
    view = client.view
    version, frames = view.live.version, client.frames
    last = f" t{tokens - 1}!"
    start = time.perf_counter()

    async def tell_all() -> None:
        for i in range(tokens - 1):
            await view.ref.tell(Chunk(f" t{i}"))
        await view.ref.tell(Chunk(last))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(tell_all)
        while True:
            if last in await client.frame():
                break
    return view.live.version - version, client.frames - frames, time.perf_counter() - start


async def streamed_burst(client: Client, tokens: int) -> tuple[int, int, float]:
    """Submit a prompt; read frames until the reply moved into the history (Done).

    The reply frame does not count: it is the answer to the submit, not a render."""
    view = client.view
    version, frames = view.live.version, client.frames
    start = time.perf_counter()
    await client.send(t="event", ref=1, name="submit", params={"input": "go"})
    while True:
        frame = await client.frame()
        if frame.startswith("{"):
            frames += 1
        elif reply_kept(frame):
            break
    return view.live.version - version, client.frames - frames, time.perf_counter() - start


async def measure(tokens: int) -> None:
    print(f"\n{tokens}-token bursts; frame interval when paced: {LiveChat.frame_interval:.4f} s")
    print(
        f"{'burst':<9} {'pacing':<12} {'renders':>8} {'frames':>7} {'seconds':>8} "
        f"{'frames/s':>9} {'tokens/frame':>13}"
    )
    for pacing, view in (("on (1/60)", LiveChat), ("off (0)", UnpacedChat)):
        app: Application = chat_app(view, history=10, reply_length=tokens)
        async with serving(app) as port:
            for name, burst in (("told", told_burst), ("streamed", streamed_burst)):
                async with joined(app, port, view) as client:  # a fresh session per burst
                    renders, frames, seconds = await burst(client, tokens)
                    print(
                        f"{name:<9} {pacing:<12} {renders:>8} {frames:>7} {seconds:>8.3f} "
                        f"{frames / seconds:>9.1f} {tokens / frames:>13.1f}"
                    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=2000)
    args = parser.parse_args(argv)
    header("bench.coalescing")
    quiet_logs()
    trio.run(measure, args.tokens)


if __name__ == "__main__":
    main()
