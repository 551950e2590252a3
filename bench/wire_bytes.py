"""Wire bytes per streamed token, measured on a real socket: the frame's UTF-8 payload
minus the token's own UTF-8 bytes, for several kinds of token, short and long histories
and drafts.

    .venv/bin/python -m bench.wire_bytes [--tokens 50]

Each token is told to the chat view behind a real session and the client reads the one
frame it causes (pacing off, so one token is one frame: under pacing a frame carries
several tokens and costs less per token). WebSocket framing adds 2 bytes per frame below
126 bytes of payload, 4 up to 64 KiB (server frames are not masked); it is shown apart.

Two views: the demo's chat as it is, whose frame per token also updates the
``"N tokens"`` counter, and the same view with the number in its own element (so the
counter's op carries the digits only). Target: token + at most 40 bytes.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from typing import Any, ClassVar

import attrs
import trio

from actorview.endpoint import Application
from actorview.render import Element, h
from bench._live import Client, LiveChat, chat_app, header, joined, quiet_logs, serving
from demo_chat import Chunk

TOKENS = {
    "ascii": " token",
    "utf-8": " é€😀",
    "json-escaped": ' "q"\\',
    "html-special": " <b>&amp;",
}
CASES = ((10, 10), (10_000, 5_000))
"""(history, draft) pairs: the short chat and the long one."""


def _replace_by_id(node: Any, target: str, make: Callable[[Element], Element]) -> Any:
    if not isinstance(node, Element):
        return node
    if node.attrs.get("id") == target:
        return make(node)
    children = tuple(_replace_by_id(child, target, make) for child in node.children)
    return node if children == node.children else attrs.evolve(node, children=children)


class Unpaced(LiveChat):
    running: ClassVar[list[LiveChat]] = []
    frame_interval = 0.0


class CountApart(Unpaced):
    """The demo's chat with the token count's digits in an element of their own."""

    running: ClassVar[list[LiveChat]] = []

    def render(self) -> Element:
        count = self.token_count
        replaced: Element = _replace_by_id(
            super().render(),
            "token-count",
            lambda old: h.span(h.b(str(count)), " tokens", id="token-count"),
        )
        return replaced


def ws_header(payload: int) -> int:
    return 2 if payload < 126 else 4 if payload < 65536 else 10


async def per_token(client: Client, draft: int, token: str, tokens: int) -> tuple[int, int]:
    """(median payload bytes beyond the token, median WebSocket header bytes)."""
    view = client.view
    view.draft = "".join(f" w{i}" for i in range(draft))
    view.streaming = True
    await view.after_batch()
    await client.frame()
    beyond: list[int] = []
    framing: list[int] = []
    for _ in range(tokens):
        view.ref.tell_nowait(Chunk(token))
        payload = len((await client.frame()).encode())
        beyond.append(payload - len(token.encode()))
        framing.append(ws_header(payload))
    return int(statistics.median(beyond)), int(statistics.median(framing))


async def measure(tokens: int, cases: tuple[tuple[int, int], ...]) -> None:
    print(f"\nmedian over {tokens} tokens per cell: payload bytes beyond the token (+ ws header)")
    names = "".join(f"{name:>16}" for name in TOKENS)
    print(f"{'view':<12} {'history':>8} {'draft':>6}{names}")
    for label, view in (("demo", Unpaced), ("count apart", CountApart)):
        for history, draft in cases:
            app: Application = chat_app(view, history=history)
            cells = []
            async with serving(app) as port, joined(app, port, view) as client:
                for token in TOKENS.values():
                    beyond, framing = await per_token(client, draft, token, tokens)
                    cells.append(f"{beyond:>10} (+{framing})")
            print(f"{label:<12} {history:>8,} {draft:>6,}" + "".join(f"{c:>16}" for c in cells))
    print("target: at most 40 bytes beyond the token")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=50)
    parser.add_argument("--short-only", action="store_true", help="history 10, draft 10 only")
    args = parser.parse_args(argv)
    header("bench.wire_bytes")
    print("tokens: " + ", ".join(f"{k} {v!r} ({len(v.encode())} B)" for k, v in TOKENS.items()))
    quiet_logs()
    trio.run(measure, args.tokens, CASES[:1] if args.short_only else CASES)


if __name__ == "__main__":
    main()
