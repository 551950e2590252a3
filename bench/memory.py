"""Memory: RSS per idle connected view and per streaming view, for 1,000 views.

    .venv/bin/python -m bench.memory [--views 1000] [--token-delay 0.25]

Starts ``bench.load_server`` as its own process and, from this process, opens
``--views`` real sessions on loopback (page fetched, socket joined, first render read),
so the server holds one live view, session, outbox and socket per client. The server's
RSS (VmRSS from /proc) is read at four moments:

1. *baseline*: after start-up and ten warm-up sessions (imports, caches, first pages);
2. *idle*: with ``--views`` more sessions joined and idle (no stream running);
3. *streaming*: after each of them submitted a prompt and streamed for ``--stream-for``
   seconds (a reply long enough not to end, ``--token-delay`` apart; slow enough that
   the server is not saturated, since what is measured is memory, not throughput);
4. *after*: once the clients closed and the views' rejoin grace passed is not waited for
   (views outlive sockets by design), so it is not reported.

Per view = (RSS at that moment - baseline) / views. Target: idle <= 30 KB per view.
"""

from __future__ import annotations

import argparse
import json

import trio

from bench._live import header
from bench.load_server import spawned
from bench.loadgen import open_session, rss_kib

WARMUP = 10


async def measure(port: int, pid: int, views: int, stream_for: float) -> dict[str, int]:
    rss: dict[str, int] = {}
    limiter = trio.CapacityLimiter(32)
    async with trio.open_nursery() as nursery:
        warm = [await open_session(nursery, port) for _ in range(WARMUP)]
        await trio.sleep(1)
        rss["baseline"] = rss_kib(pid)
        sockets = []

        async def join() -> None:
            async with limiter:
                sockets.append(await open_session(nursery, port))

        async with trio.open_nursery() as joining:
            for _ in range(views):
                joining.start_soon(join)
        await trio.sleep(1)
        rss["idle"] = rss_kib(pid)
        for number, ws in enumerate(sockets):
            event = {"t": "event", "ref": 1, "name": "submit", "params": {"input": f"q{number}"}}
            await ws.send_message(json.dumps(event))
            nursery.start_soon(_drain, ws)
        await trio.sleep(stream_for)
        rss["streaming"] = rss_kib(pid)
        del warm
        nursery.cancel_scope.cancel()
    return rss


async def _drain(ws: object) -> None:
    """Read the reply, acknowledging frames about once a second as client.js does."""
    frames = 1  # the render
    while True:
        await ws.get_message()  # type: ignore[attr-defined]
        frames += 1
        if frames % 4 == 0:  # tokens come every 0.25 s
            await ws.send_message(json.dumps({"t": "ack", "n": frames}))  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=1000)
    parser.add_argument("--token-delay", type=float, default=0.25)
    parser.add_argument("--stream-for", type=float, default=5.0)
    args = parser.parse_args(argv)
    header("bench.memory")
    with spawned(token_delay=args.token_delay, reply_length=100_000) as (port, pid):
        rss = trio.run(measure, int(port), int(pid), args.views, args.stream_for)
    base = rss["baseline"]
    print(f"server RSS baseline (after {WARMUP} warm-up sessions): {base / 1024:.1f} MiB")
    for moment in ("idle", "streaming"):
        per_view = (rss[moment] - base) / args.views
        target = "  (target <= 30 KB: " + ("ok)" if per_view <= 30 else "OVER)")
        print(
            f"{moment:<9} {args.views} views: RSS {rss[moment] / 1024:.1f} MiB, "
            f"{per_view:.1f} KiB per view{target if moment == 'idle' else ''}"
        )


if __name__ == "__main__":
    main()
