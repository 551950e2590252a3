"""Render + diff + encode cost of one streamed token, with a short and a long chat history.

A chat view re-renders on every token: the history (10 or 10,000 messages) sits in a
stream container (as a ``stream`` field renders it) or in a memo keyed by its length,
and the draft message grows by one token. The cost per token and the bytes on the wire
must not grow with the history: the script prints medians and the large/small ratios
measured in one run (ratios, since absolute times depend on the machine).

Run: .venv/bin/python bench/bench_render.py [--tokens N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

from actorview.render import Element, Node, StreamInsert, diff, encode, h, to_html

SIZES = (10, 10_000)
TOKEN = " token"


def message(i: int) -> Element:
    return h.li(h.b(f"user {i % 3}"), h.p(f"message number {i} with a little text"), key=i)


def history_stream(n: int, first: bool) -> Node:
    ops = [StreamInsert(str(i), message(i)) for i in range(n)] if first else []
    return h.stream("ul", "history", ops, class_="history", av_autoscroll=True)


def history_memo(n: int, first: bool) -> Node:
    return h.memo((n,), lambda: h.ul([message(i) for i in range(n)], class_="history"))


def chat(history: Node, draft: str) -> Element:
    return h.main(
        {"class": "chat"},
        h.header(h.h1("Chat"), h.span("online", class_="status")),
        history,
        h.div(h.p(draft, class_="draft-text"), class_="draft"),
        h.form(h.input(name="msg", value="", autocomplete="off"), av_submit="send"),
    )


def run(make_history: Callable[[int, bool], Node], n: int, tokens: int) -> tuple[float, float]:
    """(median ns per token, median wire bytes per token) for a history of ``n`` messages."""
    previous = chat(make_history(n, True), "")
    to_html(previous)
    times: list[int] = []
    sizes: list[int] = []
    draft = "Answer:"
    for _ in range(tokens):
        draft += TOKEN
        start = time.perf_counter_ns()
        tree = chat(make_history(n, False), draft)
        frame = encode(diff(previous, tree))
        times.append(time.perf_counter_ns() - start)
        sizes.append(len(frame.encode()))
        previous = tree
    return statistics.median(times), statistics.median(sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=3000, help="tokens per run (default 3000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    args = parser.parse_args()
    print("$ " + " ".join([".venv/bin/python", "bench/bench_render.py", *sys.argv[1:]]))
    print(f"tokens per run: {args.tokens}, rounds: {args.rounds}, token: {TOKEN!r}\n")
    sample = encode(
        diff(chat(history_stream(10, False), "ab"), chat(history_stream(10, False), "ab" + TOKEN))
    )
    print(f"one-token frame: {sample}  ({len(sample.encode())} bytes, token {len(TOKEN)} bytes)\n")
    print(f"{'history as':<10} {'messages':>9} {'us/token':>10} {'bytes/token':>12}")
    for label, make in (("stream", history_stream), ("memo", history_memo)):
        results: dict[int, list[tuple[float, float]]] = {n: [] for n in SIZES}
        for _ in range(args.rounds):
            for n in SIZES:
                results[n].append(run(make, n, args.tokens))
        medians = {
            n: (statistics.median(t for t, _ in r), statistics.median(b for _, b in r))
            for n, r in results.items()
        }
        for n in SIZES:
            ns, size = medians[n]
            print(f"{label:<10} {n:>9} {ns / 1000:>10.2f} {size:>12.0f}")
        small, large = medians[SIZES[0]], medians[SIZES[-1]]
        print(
            f"{label:<10} {'ratio':>9} {large[0] / small[0]:>10.2f} {large[1] / small[1]:>12.2f}"
            f"   (10,000 / 10; target time ratio <= 1.2, bytes = token + <= 40)\n"
        )


if __name__ == "__main__":
    main()
