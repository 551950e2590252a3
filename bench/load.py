"""Concurrent streaming sessions: start the load server and the load generator as two
processes on loopback, ramp the sessions, report latency, CPU and the most sessions held.

    .venv/bin/python -m bench.load                      # the long profile (see below)
    .venv/bin/python -m bench.load --profile ci         # 20 sessions for 3 s

Profiles: ``ci`` is one step of 20 sessions held 3 s (about 10 s in all); ``long`` ramps
50, 100, 150, 200, 250, 300, 400, 600, 800, 1000 sessions, each held 6 s after 2 s of warm-up,
and stops at the first step whose p99 is over 100 ms (a few minutes at most). Each
session streams a 40-token reply at 20 tokens per second (fake LLM, ``--token-delay
0.05``) and submits the next prompt when it ends. ``--steps`` and ``--hold`` override.
``--workers N`` serves with N processes on one port (``serve_workers``); the server CPU
is then every worker's.
The method (tokens stamped with their emit time on the machine's monotonic clock) is in
``bench.load_server``; the measurements in ``bench.loadgen``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from bench._live import header
from bench.load_server import spawned

PROFILES = {
    "ci": {"steps": "20", "hold": 3.0, "warmup": 1.0},
    "long": {"steps": "50,100,150,200,250,300,400,600,800,1000", "hold": 6.0, "warmup": 2.0},
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="long")
    parser.add_argument("--steps", help="comma-separated session counts (overrides profile)")
    parser.add_argument("--hold", type=float, help="seconds measured per step")
    parser.add_argument("--token-delay", type=float, default=0.05)
    parser.add_argument("--reply-length", type=int, default=40)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    args = parser.parse_args(argv)
    header("bench.load")
    profile = dict(PROFILES[args.profile])
    if args.steps:
        profile["steps"] = args.steps
    if args.hold:
        profile["hold"] = args.hold
    serving = spawned(
        token_delay=args.token_delay, reply_length=args.reply_length, workers=args.workers
    )
    with serving as (port, pid):
        print(
            f"server: pid {pid}, port {port}, {args.workers} worker(s); "
            f"{args.reply_length}-token replies, "
            f"{1 / args.token_delay:.0f} tokens/s per session",
            flush=True,
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.loadgen",
                "--no-header",
                "--port",
                port,
                "--server-pid",
                pid,
                "--steps",
                str(profile["steps"]),
                "--hold",
                str(profile["hold"]),
                "--warmup",
                str(profile["warmup"]),
            ],
            check=True,
            timeout=900,
        )


if __name__ == "__main__":
    main()
