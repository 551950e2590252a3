"""Memory: RSS per idle connected view and per streaming view, for 1,000 views.

    .venv/bin/python -m bench.memory [--views 1000] [--token-delay 0.25] [--profile [N]]

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

``--profile`` runs the server under tracemalloc (its RSS figures are then inflated by the
tracing) and prints where the idle views' bytes go: the traced growth from the baseline
to *idle* and to *streaming*, per view, grouped by file and by line (the ``N`` largest).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import tempfile
import tracemalloc
from collections.abc import Awaitable, Callable

import trio

from bench._live import header
from bench.load_server import spawned
from bench.loadgen import open_session, rss_kib

WARMUP = 10
PROJECT = ("actorview", "demo_chat", "bench")


Snap = Callable[[str], Awaitable[None]]


async def measure(
    port: int, pid: int, views: int, stream_for: float, snap: Snap | None = None
) -> dict[str, int]:
    rss: dict[str, int] = {}
    limiter = trio.CapacityLimiter(32)
    async with trio.open_nursery() as nursery:
        warm = [await open_session(nursery, port) for _ in range(WARMUP)]
        await trio.sleep(1)
        rss["baseline"] = rss_kib(pid)
        if snap is not None:
            await snap("baseline")
        sockets = []

        async def join() -> None:
            async with limiter:
                sockets.append(await open_session(nursery, port))

        async with trio.open_nursery() as joining:
            for _ in range(views):
                joining.start_soon(join)
        await trio.sleep(1)
        rss["idle"] = rss_kib(pid)
        if snap is not None:
            await snap("idle")
        for number, ws in enumerate(sockets):
            event = {"t": "event", "ref": 1, "name": "submit", "params": {"input": f"q{number}"}}
            await ws.send_message(json.dumps(event))
            nursery.start_soon(_drain, ws)
        await trio.sleep(stream_for)
        rss["streaming"] = rss_kib(pid)
        if snap is not None:
            await snap("streaming")
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
    parser.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=25,
        metavar="N",
        help="trace the server's allocations; show the N largest lines per view",
    )
    args = parser.parse_args(argv)
    header("bench.memory")
    if args.profile is not None:
        profile(args)
        return
    with spawned(token_delay=args.token_delay, reply_length=100_000) as (port, pid):
        rss = trio.run(measure, int(port), int(pid), args.views, args.stream_for)
    report(rss, args.views)


def report(rss: dict[str, int], views: int) -> None:
    base = rss["baseline"]
    print(f"server RSS baseline (after {WARMUP} warm-up sessions): {base / 1024:.1f} MiB")
    for moment in ("idle", "streaming"):
        per_view = (rss[moment] - base) / views
        target = "  (target <= 30 KB: " + ("ok)" if per_view <= 30 else "OVER)")
        print(
            f"{moment:<9} {views} views: RSS {rss[moment] / 1024:.1f} MiB, "
            f"{per_view:.1f} KiB per view{target if moment == 'idle' else ''}"
        )


def profile(args: argparse.Namespace) -> None:
    """The run under tracemalloc, then where the bytes went (see the module docstring)."""
    processes: list[subprocess.Popen[str]] = []
    snapshots: dict[str, tracemalloc.Snapshot] = {}
    with tempfile.TemporaryDirectory() as directory:
        traced = spawned(
            token_delay=args.token_delay,
            reply_length=100_000,
            trace_memory=f"{directory}/snapshot",
            output=processes,
        )
        with traced as (port, pid):
            server = processes[0]
            assert server.stdout is not None
            stdout = server.stdout

            async def snap(moment: str) -> None:
                os.kill(int(pid), signal.SIGUSR1)
                line = await trio.to_thread.run_sync(stdout.readline)
                snapshots[moment] = tracemalloc.Snapshot.load(line.split()[1])

            rss = trio.run(measure, int(port), int(pid), args.views, args.stream_for, snap)
    report(rss, args.views)
    print("(RSS under tracemalloc: the tracing itself inflates it)")
    for moment in ("idle", "streaming"):
        print_growth(snapshots[moment], snapshots["baseline"], moment, args.views, args.profile)


def print_growth(
    after: tracemalloc.Snapshot, before: tracemalloc.Snapshot, moment: str, views: int, top: int
) -> None:
    """The traced growth per view from ``before`` to ``after``: by file, then by line."""
    total = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    print(f"\ntraced growth, baseline -> {moment}: {total / views / 1024:.1f} KiB per view")
    for key in ("filename", "lineno"):
        print(f"  by {key}:  bytes/view  blocks/view")
        for stat in after.compare_to(before, key)[:top]:
            frame = stat.traceback[0]
            where = _short(frame.filename) + ("" if key == "filename" else f":{frame.lineno}")
            print(f"    {stat.size_diff / views:10.0f}  {stat.count_diff / views:11.1f}  {where}")
    print("  by the project's line that caused it:  bytes/view  blocks/view")
    growth: dict[str, list[int]] = {}
    for stat in after.compare_to(before, "traceback"):
        where = _project_line(stat.traceback)
        sums = growth.setdefault(where, [0, 0])
        sums[0] += stat.size_diff
        sums[1] += stat.count_diff
    for where, (size, count) in sorted(growth.items(), key=lambda item: -item[1][0])[:top]:
        print(f"    {size / views:10.0f}  {count / views:11.1f}  {where}")


def _project_line(traceback: tracemalloc.Traceback) -> str:
    """The most recent frame in the project's code (else the most recent one), as
    ``path:line``."""
    frames = list(traceback)  # oldest first
    for frame in reversed(frames):
        short = _short(frame.filename)
        if short.startswith(PROJECT):
            return f"{short}:{frame.lineno}"
    return f"{_short(frames[-1].filename)}:{frames[-1].lineno}" if frames else "?"


def _short(filename: str) -> str:
    """A path from its package root (``trio/_core/_run.py``, ``actorview/...``)."""
    parts = filename.split("/")
    for root in ("site-packages", "lib"):
        if root in parts:
            return "/".join(parts[len(parts) - parts[::-1].index(root) :])
    for root in PROJECT:
        if root in parts:
            return "/".join(parts[parts.index(root) :])
    return filename


if __name__ == "__main__":
    main()
