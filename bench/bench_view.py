"""Cost per streamed token through a view, for short and long histories and drafts.

Command (from the repository root)::

    .venv/bin/python -m bench.bench_view

Each token travels the path a real one does: a message into the chat view's mailbox
(``ask``, so the next token is sent only once this one was handled: one token per batch,
no coalescing to flatter the numbers), the ``Chunk`` clause appends it to ``draft`` (an
O(1) append), the incremental ``token_count`` calc is updated, and ``after_batch`` runs.
Two pipelines are measured:

- ``calcs``: emit -> mailbox -> clause -> state -> calcs (the view renders a constant tree);
- ``render``: the same plus ``render``, the structural diff and the patch handed to a sink
  (with the encoded bytes per token).

The four cases (history 10 / 10,000 messages x draft 10 / 10,000 tokens) are measured in
interleaved rounds in one process, and each figure is the median over the rounds, so the
ratios compare like with like on a noisy machine. Target: large/small <= 1.2.
"""

from __future__ import annotations

import argparse
import gc
import logging
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import structlog
import trio

from actorview.render import Element, encode, h
from actorview.view import Rendered, ops
from bench._machine import machine_facts
from demo_chat import ChatParams, ChatView, Chunk, Message

COMMAND = ".venv/bin/python -m bench.bench_view"
SIZES = (10, 10_000)
TOKENS_PER_ROUND = 200
ROUNDS = 31

_CONSTANT = h.div({"id": "chat"})


class HeadlessChat(ChatView):
    """The chat view with a constant tree, to time the path up to the calcs alone."""

    def render(self) -> Element:
        return _CONSTANT


class Case:
    def __init__(self, view_type: type[ChatView], history: int, draft: int) -> None:
        self.history = history
        self.draft = draft
        self.bytes = 0
        self.view = view_type(ChatParams(token_delay=0.0), sink=self._count)
        store = self.view.live.store
        for i in range(history):
            store.apply(ops.push(history=Message("user" if i % 2 else "assistant", f"m{i}")))
        store.recompute()
        self.view.history.take_pending()  # as if rendered: the server forgets the items
        self.initial_draft = "".join(f" w{i}" for i in range(draft))
        self.samples: list[float] = []

    def _count(self, rendered: Rendered) -> None:
        self.bytes += len(encode(rendered.patches))

    async def reset(self) -> None:
        """Put the draft back to its starting length, recompute and render it (untimed).

        Runs in the bench's task while the view waits for its next message.
        """
        self.view.draft = self.initial_draft
        self.view.streaming = True
        await self.view.after_batch()
        self.bytes = 0


async def time_round(case: Case, ref: Any) -> float:
    await case.reset()
    chunks = [Chunk(f" t{i}") for i in range(TOKENS_PER_ROUND)]
    gc.collect()
    start = time.perf_counter()
    for chunk in chunks:
        await ref.ask(chunk)
    await trio.lowlevel.checkpoint()
    return (time.perf_counter() - start) / TOKENS_PER_ROUND


async def measure(view_type: type[ChatView]) -> dict[tuple[int, int], Case]:
    cases = {(h_, d): Case(view_type, h_, d) for h_ in SIZES for d in SIZES}
    async with trio.open_nursery() as nursery:
        refs = {key: await nursery.start(case.view.run) for key, case in cases.items()}
        for key, case in cases.items():  # warm up
            await time_round(case, refs[key])
        for _ in range(ROUNDS):
            for key, case in cases.items():
                case.samples.append(await time_round(case, refs[key]))
        nursery.cancel_scope.cancel()
    return cases


def report(name: str, cases: dict[tuple[int, int], Case], show_bytes: bool) -> list[str]:
    def median(key: tuple[int, int]) -> float:
        return statistics.median(cases[key].samples)

    small, large = SIZES
    lines = [f"{name}: median cost per token (us), {ROUNDS} rounds x {TOKENS_PER_ROUND} tokens"]
    for (history, draft), case in cases.items():
        extra = ""
        if show_bytes:
            extra = f"  {case.bytes / TOKENS_PER_ROUND:5.1f} B/token on the wire"
        lines.append(
            f"  history {history:>6,} draft {draft:>6,}: {median((history, draft)) * 1e6:7.2f} us"
            f"{extra}"
        )
    ratios: list[tuple[str, Callable[[], float]]] = [
        ("history 10,000 / 10 (draft 10)", lambda: median((large, small)) / median((small, small))),
        ("draft 10,000 / 10 (history 10)", lambda: median((small, large)) / median((small, small))),
        ("both large / both small", lambda: median((large, large)) / median((small, small))),
    ]
    for label, ratio in ratios:
        value = ratio()
        lines.append(f"  ratio {label}: {value:.2f}  {'ok' if value <= 1.2 else 'OVER 1.2'}")
    return lines


def main() -> None:
    global ROUNDS, TOKENS_PER_ROUND
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--tokens", type=int, default=TOKENS_PER_ROUND, help="per round")
    args = parser.parse_args()
    ROUNDS, TOKENS_PER_ROUND = args.rounds, args.tokens
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    print("$ " + " ".join([COMMAND, *sys.argv[1:]]))
    print(machine_facts())
    headless = trio.run(measure, HeadlessChat)
    for line in report("calcs (emit -> mailbox -> clause -> state -> calcs)", headless, False):
        print(line)
    full = trio.run(measure, ChatView)
    for line in report("render (... -> render -> diff -> patch to sink)", full, True):
        print(line)


if __name__ == "__main__":
    main()
