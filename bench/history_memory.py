"""Memory a started chat view keeps for its history: what a long conversation costs idle.

    .venv/bin/python -m bench.history_memory [--views 20]

Starts ``--views`` demo chat views (no sockets) with 0, 100 and 1,000 messages of about
200 characters preloaded, as a view that reloads a long conversation from its store, and
reports the memory traced per idle view after its first render (tracemalloc, after a
collection). A ``stream`` field keeps only its items' keys on the server, so the cost
should grow with the key count, not with the messages' text.
"""

from __future__ import annotations

import argparse
import gc
import tracemalloc

import trio

from bench._live import header, quiet_logs
from demo_chat import ChatParams, ChatView


async def traced_per_view(views: int, history: int) -> float:
    """KiB traced per started, idle view with ``history`` messages."""
    kept: list[ChatView] = []
    async with trio.open_nursery() as nursery:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(views):
            view = ChatView(ChatParams(history=history), sink=lambda rendered: None)
            await nursery.start(view.run)
            kept.append(view)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        nursery.cancel_scope.cancel()
    return (after - before) / views / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=20)
    args = parser.parse_args(argv)
    header("bench.history_memory")
    quiet_logs()
    tracemalloc.start()
    for history in (0, 100, 1_000):
        per_view = trio.run(traced_per_view, args.views, history)
        print(f"history {history:>5}: {per_view:7.1f} KiB traced per idle view")


if __name__ == "__main__":
    main()
