"""Mailbox throughput: clause dispatch with a guard vs a raw trio memory channel.

    python -m bench.bench_mailbox [--messages N] [--rounds R]

Both sides move the same frozen attrs messages from one sender task to one receiver
task through a buffer of the same capacity, in the same process and run; the figure is
the median over rounds of actor throughput / raw throughput (target: at least 0.6).
The actor side also pays for what the raw side does not do: the sender's type check,
the envelope, the clause lookup, the guard, binding a field, and the after-batch hook.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import attrs
import structlog
import trio

from actorview.mailbox import Actor, on
from bench._machine import machine_facts

CAPACITY = 64


@attrs.frozen
class Token:
    run: int
    text: str


class Sink(Actor):
    def __init__(self) -> None:
        super().__init__(capacity=CAPACITY)
        self.count = 0

    @on(Token, when=lambda self, run: run == 1)
    def token(self, text: str) -> None:
        self.count += 1


async def actor_round(messages: list[Token]) -> float:
    sink = Sink()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(sink.run)
        start = time.perf_counter()
        for message in messages:
            await ref.tell(message)
        ref.request_stop()
    elapsed = time.perf_counter() - start
    assert sink.count == len(messages)
    return len(messages) / elapsed


async def raw_round(messages: list[Token]) -> float:
    send, receive = trio.open_memory_channel[Token](CAPACITY)
    count = 0

    async def consume() -> None:
        nonlocal count
        async for message in receive:
            if message.run == 1:
                count += 1

    async with trio.open_nursery() as nursery:
        nursery.start_soon(consume)
        start = time.perf_counter()
        async with send:
            for message in messages:
                await send.send(message)
    elapsed = time.perf_counter() - start
    assert count == len(messages)
    return len(messages) / elapsed


async def main(count: int, rounds: int) -> None:
    messages = [Token(1, "tok") for _ in range(count)]
    ratios, actor_rates, raw_rates = [], [], []
    for _ in range(rounds):
        raw = await raw_round(messages)
        actor = await actor_round(messages)
        raw_rates.append(raw)
        actor_rates.append(actor)
        ratios.append(actor / raw)
    print(f"$ .venv/bin/python -m bench.bench_mailbox --messages {count} --rounds {rounds}")
    print(machine_facts())
    print(f"raw trio memory channel: {statistics.median(raw_rates):,.0f} msg/s (median)")
    print(f"actor, clause + guard:   {statistics.median(actor_rates):,.0f} msg/s (median)")
    print(
        f"ratio actor/raw:         {statistics.median(ratios):.2f} (median of {rounds}; "
        f"target >= 0.6)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))
    trio.run(main, args.messages, args.rounds)
    sys.exit(0)
