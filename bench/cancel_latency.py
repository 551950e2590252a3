"""Cancel latency: from the cancel event's arrival at the view to the end of the stream's
task, and proof that no frame carries a token of the cancelled run afterwards.

    .venv/bin/python -m bench.cancel_latency [--trials 200]

The chat view is served by the real endpoint (pacing on) and driven by a real WebSocket
client on loopback, in one process so one ``perf_counter`` clock times both ends. Each
trial: submit prompt ``p<k>``; the stream emits ``" p<k>#<i>"`` every 2 ms; once a few of
its tokens are on the page the client sends ``cancel``. Three moments are stamped:

- *sent*: the client's ``send_message`` of the cancel frame returned;
- *arrived*: the cancel event was put into the view's mailbox (the view's ``mailbox.put``
  is wrapped: that is the event's arrival at the view, after the endpoint read and parsed
  the frame);
- *ended*: the stream body's ``finally`` ran (its task is unwinding its last frame).

Reported: median and p99 of ended - arrived (target: median < 1 ms on an idle server) and
of ended - sent. Proof: after the frame that moves the stopped reply into the history,
the client reads on for 30 ms and counts frames that still carry ``p<k>#``: must be 0.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any, ClassVar

import trio

from actorview.endpoint import Application
from actorview.view import ActionEvent, Emit, async_stream
from bench._live import (
    Client,
    LiveChat,
    chat_app,
    header,
    joined,
    percentile,
    quiet_logs,
    reply_kept,
    serving,
)
from demo_chat import Chunk, Done

ENDED: dict[str, float] = {}
ARRIVED: dict[str, float] = {}


async def marked_llm(prompt: str, token_delay: float, reply_length: int, emit: Emit) -> None:
    """Tokens that name their run (``" p3#17"``); stamps the moment the body ends."""
    try:
        for i in range(reply_length):
            await trio.sleep(token_delay)
            await emit(Chunk(f" {prompt}#{i}"))
        await emit(Done())
    finally:
        ENDED[prompt] = time.perf_counter()


class CancelChat(LiveChat):
    running: ClassVar[list[LiveChat]] = []
    llm = async_stream(emits=(Chunk, Done))(marked_llm)


def stamp_arrivals(view: LiveChat, current: list[str]) -> None:
    """Wrap the view's mailbox ``put`` to stamp the arrival of each cancel event."""
    put = view.live.mailbox.put

    async def stamped_put(envelope: Any) -> None:
        message = envelope[0]
        if isinstance(message, ActionEvent) and message.name == "cancel":
            ARRIVED[current[0]] = time.perf_counter()
        await put(envelope)

    view.live.mailbox.put = stamped_put  # type: ignore[method-assign]


async def trial(client: Client, k: int, current: list[str]) -> tuple[float, float, int]:
    prompt = f"p{k}"
    current[0] = prompt
    marker = f"{prompt}#"
    await client.send(t="event", ref=2 * k, name="submit", params={"input": prompt})
    seen = 0
    while seen < 5:
        frame = await client.frame()
        seen += frame.count(marker) if frame.startswith('[["a"') else 0
    await client.send(t="event", ref=2 * k + 1, name="cancel", params={})
    sent = time.perf_counter()
    while True:  # up to the frame that moves the stopped reply into the history
        frame = await client.frame()
        if reply_kept(frame) and "stopped" in frame:
            break
    late = 0
    with trio.move_on_after(0.03):
        while True:
            if marker in await client.frame():
                late += 1
    ended = ENDED[prompt]
    assert marker not in client.view.draft
    return ended - ARRIVED[prompt], ended - sent, late


async def measure(trials: int) -> None:
    app: Application = chat_app(CancelChat, history=10, token_delay=0.002, reply_length=100_000)
    async with serving(app) as port, joined(app, port, CancelChat) as client:
        current = [""]
        stamp_arrivals(client.view, current)
        results = [await trial(client, k, current) for k in range(trials)]
    at_view = [r[0] for r in results]
    at_client = [r[1] for r in results]
    late = sum(r[2] for r in results)
    print(f"\n{trials} cancels of a stream emitting every 2 ms")
    for label, values in (
        ("arrival at view -> task end", at_view),
        ("client send -> task end", at_client),
    ):
        print(
            f"{label:<28} median {statistics.median(values) * 1e3:6.3f} ms   "
            f"p99 {percentile(values, 0.99) * 1e3:6.3f} ms"
        )
    median = statistics.median(at_view) * 1e3
    print(f"target median < 1 ms (arrival at view): {'ok' if median < 1 else 'OVER'}")
    print(f"frames with a cancelled run's token after its cancel: {late} (must be 0)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    args = parser.parse_args(argv)
    header("bench.cancel_latency")
    quiet_logs()
    trio.run(measure, args.trials)


if __name__ == "__main__":
    main()
