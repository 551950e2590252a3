"""Memory a started chat view keeps for its history: what a long conversation costs idle.

    .venv/bin/python -m bench.history_memory [--views 20]

Starts ``--views`` demo chat views (no sockets) with 0, 100 and 1,000 messages of about
200 characters preloaded, as a view that reloads a long conversation from its store, and
reports the memory traced per idle view after its first render (tracemalloc, after a
collection). A ``stream`` field keeps only its items' keys on the server, so the cost
should grow with the key count, not with the messages' text.

Then the same for a fresh view of a conversation kept in a history store (one
conversation of 100 or 10,000 messages per view, in one SQLite store): its history is a
paged stream, so its first frame (the ``render`` frame, bytes as the socket carries
them) and what it keeps should be those of one page, whatever the conversation's length.
"""

from __future__ import annotations

import argparse
import gc
import tracemalloc

import trio

from actorview.endpoint._live import render_frame
from actorview.view import Rendered
from bench._live import header, quiet_logs
from demo_chat import ChatParams, ChatView
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.llm import sample_history


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


async def paged_per_view(views: int, history: int) -> tuple[float, int]:
    """(KiB traced per started, idle view, first frame bytes) for fresh views of kept
    conversations of ``history`` messages each."""
    store = SQLiteHistoryStore()
    for index in range(views):
        await store.append(f"c{index}", sample_history(history))
    first: list[int] = []

    def sink(rendered: Rendered) -> None:
        if rendered.version == 0:
            first.append(len(render_frame(rendered).encode()))

    kept: list[ChatView] = []
    try:
        async with trio.open_nursery() as nursery:
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            for index in range(views):
                params = ChatParams(store=store, conversation=f"c{index}")
                view = ChatView(params, sink=sink)
                await nursery.start(view.run)
                kept.append(view)
            gc.collect()
            after = tracemalloc.get_traced_memory()[0]
            nursery.cancel_scope.cancel()
    finally:
        store.close()
    return (after - before) / views / 1024, max(first)


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
    print("fresh view of a kept conversation (paged history, newest page first):")
    for history in (100, 10_000):
        per_view, frame = trio.run(paged_per_view, args.views, history)
        print(
            f"kept {history:>6}: {per_view:7.1f} KiB traced per idle view, "
            f"first frame {frame:,} bytes"
        )


if __name__ == "__main__":
    main()
