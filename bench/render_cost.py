"""Where a token's render time goes in the demo's chat view: ``render()``, the diff, the
wire ops, each timed alone, per token.

    .venv/bin/python -m bench.render_cost [--tokens 3000] [--sidebar 0,20,100]

The view is the demo's ``ChatView`` (history 10), outside any actor: each step appends a
token to the draft, recomputes the calcs, then times ``render()`` (building the tree),
``diff(previous, tree)`` and ``op_to_wire`` of the patch separately. Medians over
``--tokens`` tokens after 500 warm-up tokens. To compare with another checkout, run the
same command with ``PYTHONPATH=<that checkout>`` (how docs/PERFORMANCE.md got its
before/after figures).

``--sidebar N,...`` measures, after the plain chat, the served one as well
(:class:`~demo_chat.view.UserChatView`, ``ChatParams(conversations=True)``) with N
conversations in its sidebar: what a token costs on the page the demo serves.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from actorview.render import Element, diff
from actorview.render._wire import op_to_wire
from bench._machine import machine_facts
from demo_chat import ChatParams, ChatView
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.messages import Conversation
from demo_chat.view import UserChatView


def chat_view(sidebar: int | None) -> ChatView:
    """The plain chat (``sidebar`` None), or the served one listing ``sidebar``
    conversations, the first of them open."""
    if sidebar is None:
        return ChatView(ChatParams(token_delay=0.0, history=10))
    params = ChatParams(
        token_delay=0.0, conversations=True, store=SQLiteHistoryStore(), conversation="c0"
    )
    view = UserChatView(params)
    view.listed = tuple(
        Conversation(f"c{i}", view.owner, f"Conversation number {i}", updated=float(i))
        for i in range(sidebar)
    )
    return view


def measure(tokens: int, sidebar: int | None = None) -> tuple[float, float, float]:
    view = chat_view(sidebar)
    view.live.store.recompute()
    previous: Element = view.render()
    view.history.take_pending()
    samples: list[tuple[float, float, float]] = []
    for i in range(500 + tokens):
        view.draft = view.draft + " tok"
        view.live.store.recompute()
        start = time.perf_counter()
        tree = view.render()
        built = time.perf_counter()
        patches = diff(previous, tree)
        diffed = time.perf_counter()
        [op_to_wire(op) for op in patches]
        done = time.perf_counter()
        previous = tree
        if i >= 500:
            samples.append((built - start, diffed - built, done - diffed))
    return tuple(statistics.median(s[k] for s in samples) for k in range(3))  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=3000)
    parser.add_argument("--sidebar", help="comma-separated conversation counts (served chat)")
    args = parser.parse_args(argv)
    print("$ " + " ".join([".venv/bin/python -m bench.render_cost", *sys.argv[1:]]))
    print(machine_facts())
    import actorview

    print(f"actorview from {actorview.__file__}")
    sidebars: list[int | None] = [None]
    if args.sidebar:
        sidebars += [int(n) for n in args.sidebar.split(",")]
    for sidebar in sidebars:
        render, diffed, wire = measure(args.tokens, sidebar)
        what = "chat" if sidebar is None else f"served, sidebar {sidebar}"
        print(
            f"{what:20s} render() {render * 1e6:6.2f} us   diff {diffed * 1e6:6.2f} us   "
            f"wire ops {wire * 1e6:5.2f} us"
        )


if __name__ == "__main__":
    main()
