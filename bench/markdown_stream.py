"""Cost per streamed token of a Markdown reply: a 5,000-token reply against a 100-token one.

Command (from the repository root)::

    .venv/bin/python -m bench.markdown_stream

The chat view with Markdown on (as the demo serves it) streams the fake model's Markdown
reply (headings, lists, emphasis, links, inline code, fenced Python, tables, repeated),
one ``Chunk`` per ``ask``: mailbox -> clause -> state -> calcs -> render (the incremental
Markdown: the open block parsed and rendered again, a finished one highlighted once) ->
structural diff -> encoded patch to a sink. CPU is the process's CPU time around each
token's ``ask`` (``time.process_time``), each token's median over interleaved rounds in
one process (a ratio within one run, on a noisy machine). Two figures per reply:

- ``last 100``: the same last 100 tokens of text in both replies (the long one streams
  4,900 tokens before them): what a token costs late in a long reply;
- ``whole``: the mean over the whole reply.

Wire bytes are the encoded patch frames (what goes on the socket, less the WebSocket
header). Target: long / short <= 1.2 for bytes and CPU.

``end``: the bytes of the reply's last frame, the ``Done`` that makes the streamed reply
its history item (issue 19 item 2: finished blocks are never sent again). The diff
promotes the tail into the item (``StreamPromoteTail``): what it sends is the last block
(highlighted on close) with its Markdown source (``data-md``: each block brought its own
when it finished), the copy bar, the changed attributes and the new tail. Before that op
the item was sent whole: 3,160 / 134,574 B for these two replies; promoted, with the
reply's whole source in the copy button (``data-copy``), 1,343 / 32,361 B.
"""

from __future__ import annotations

import argparse
import gc
import logging
import statistics
import sys
import time
from typing import Any

import structlog
import trio

from actorview.render import encode
from actorview.view import Rendered
from bench._machine import machine_facts
from demo_chat import ChatParams, ChatView, Chunk, Done
from demo_chat.llm import markdown_tokens

COMMAND = ".venv/bin/python -m bench.markdown_stream"
SHORT, LONG, ROUNDS = 100, 5_000, 11


def reply(length: int, tail: list[str]) -> list[str]:
    """``length`` tokens of Markdown ending with ``tail``."""
    if length <= len(tail):
        return tail[-length:]
    prefix = markdown_tokens(length - len(tail))[: length - len(tail)]
    return [*prefix, "\n\n" + tail[0].lstrip(), *tail[1:]]


class Case:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.view = ChatView(ChatParams(token_delay=0.0, markdown=True), sink=self._count)
        self.bytes = 0
        self.seconds: list[tuple[float, ...]] = []
        self.sizes: list[int] = []
        self.end = 0
        """Bytes of the last frame: the reply's end (``Done``)."""

    def _count(self, rendered: Rendered) -> None:
        self.bytes += len(encode(rendered.patches))

    async def round(self, ref: Any) -> None:
        self.view.draft = ""
        self.view.streaming = True
        await self.view.after_batch()
        chunks = [Chunk(token) for token in self.tokens]
        seconds: list[float] = []
        sizes: list[int] = []
        gc.collect()
        for chunk in chunks:
            before, start = self.bytes, time.process_time()
            await ref.ask(chunk)
            seconds.append(time.process_time() - start)
            sizes.append(self.bytes - before)
        self.seconds.append(tuple(seconds))
        self.sizes = sizes
        before = self.bytes
        await ref.ask(Done())
        self.end = self.bytes - before

    def cost(self, last: int | None) -> float:
        """CPU seconds per token (of the last ``last``): each token's median over the
        rounds (a token preempted in one round is not the figure), averaged."""
        per_token: list[float] = [
            statistics.median(round_) for round_ in zip(*self.seconds, strict=True)
        ]
        picked = per_token[-last:] if last else per_token
        return sum(picked) / len(picked)

    def wire(self, last: int | None) -> float:
        sizes = self.sizes[-last:] if last else self.sizes
        return sum(sizes) / len(sizes)


async def measure(short: int, long: int, rounds: int) -> tuple[Case, Case]:
    tail = markdown_tokens(short)[:short]
    cases = Case(reply(short, tail)), Case(reply(long, tail))
    async with trio.open_nursery() as nursery:
        refs = [await nursery.start(case.view.run) for case in cases]
        for case, ref in zip(cases, refs, strict=True):  # warm up
            await case.round(ref)
            case.seconds.clear()
        for _ in range(rounds):
            for case, ref in zip(cases, refs, strict=True):
                await case.round(ref)
        nursery.cancel_scope.cancel()
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", type=int, default=SHORT, help="tokens of the short reply")
    parser.add_argument("--long", type=int, default=LONG, help="tokens of the long reply")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    print("$ " + " ".join([COMMAND, *sys.argv[1:]]))
    print(machine_facts())
    short, long = trio.run(measure, args.short, args.long, args.rounds)
    print(f"Markdown reply of {args.short:,} vs {args.long:,} tokens, {args.rounds} rounds")
    for label, last in ((f"last {args.short}", args.short), ("whole", None)):
        cpu = long.cost(last) / short.cost(last)
        wire = long.wire(last) / short.wire(last)
        print(
            f"  {label:>9}: {short.cost(last) * 1e6:6.1f} / {long.cost(last) * 1e6:6.1f} us "
            f"per token (ratio {cpu:.2f} {'ok' if cpu <= 1.2 else 'OVER 1.2'}), "
            f"{short.wire(last):5.1f} / {long.wire(last):5.1f} B per token on the wire "
            f"(ratio {wire:.2f} {'ok' if wire <= 1.2 else 'OVER 1.2'})"
        )
    print(
        f"        end: {short.end:,} / {long.end:,} B in the reply's last frame (the "
        f"streamed reply promoted into its history item; sent whole: 3,160 / 134,574 B, "
        f"with the whole source in the copy bar: 1,343 / 32,361 B)"
    )


if __name__ == "__main__":
    main()
