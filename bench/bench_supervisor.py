"""Supervisor restart latency: from a child's crash to its restarted instance reporting started.

    .venv/bin/python -m bench.bench_supervisor [--restarts 2000]

The child stamps ``perf_counter()`` right before it raises and right after its next
instance's ``task_status.started()`` returns (by then the supervisor has caught the
crash, decided, started the new instance and registered it). Printed: median and p90
over every restart, for a lone child under ONE_FOR_ONE with logging filtered out,
the same with every event rendered as JSON (crash tracebacks included) to /dev/null,
and ONE_FOR_ALL with 10 siblings (each restart stops and restarts all of them).
Target: median < 1 ms for the first.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import statistics
import sys
from time import perf_counter

import structlog
import trio

from actorview.supervisor import ChildSpec, Strategy, Supervisor
from bench._machine import machine_facts


class Crash(Exception):
    pass


class Timed:
    """A child that crashes on demand and stamps its crash and its next start."""

    def __init__(self) -> None:
        self.crash_now = trio.Event()
        self.restarted = trio.Event()
        self.crashed_at = 0.0
        self.latencies: list[float] = []

    async def start(self, *, task_status: trio.TaskStatus[None]) -> None:
        task_status.started()
        if self.crashed_at:
            self.latencies.append(perf_counter() - self.crashed_at)
            self.restarted.set()
        await self.crash_now.wait()
        self.crash_now = trio.Event()
        self.crashed_at = perf_counter()
        raise Crash


async def idle(*, task_status: trio.TaskStatus[None]) -> None:
    task_status.started()
    await trio.sleep_forever()


async def measure(restarts: int, strategy: Strategy, siblings: int) -> list[float]:
    timed = Timed()
    specs = [ChildSpec("timed", timed.start)]
    specs += [ChildSpec(f"sibling-{n}", idle) for n in range(siblings)]
    sup = Supervisor(specs, strategy=strategy, max_restarts=restarts + 1, period=1e9)
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        for _ in range(restarts):
            timed.restarted = trio.Event()
            timed.crash_now.set()
            await timed.restarted.wait()
        sup.request_stop()
    return timed.latencies


def quiet_logs() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))


def json_logs_to_devnull() -> None:
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(file=open(os.devnull, "w")),  # noqa: SIM115
        cache_logger_on_first_use=False,
    )


def report(label: str, latencies: list[float]) -> None:
    ms = sorted(x * 1000 for x in latencies)
    p90 = ms[int(len(ms) * 0.9)]
    print(f"{label:<48} n={len(ms):>5}  median={statistics.median(ms):.3f} ms  p90={p90:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restarts", type=int, default=2000)
    args = parser.parse_args()
    print("$ .venv/bin/python -m bench.bench_supervisor " + shlex.join(sys.argv[1:]))
    print(machine_facts())
    quiet_logs()
    report(
        "one_for_one, 1 child, logs filtered",
        trio.run(measure, args.restarts, Strategy.ONE_FOR_ONE, 0),
    )
    json_logs_to_devnull()
    report(
        "one_for_one, 1 child, JSON logs to /dev/null",
        trio.run(measure, args.restarts, Strategy.ONE_FOR_ONE, 0),
    )
    quiet_logs()
    report(
        "one_for_all, 1 + 10 children, logs filtered",
        trio.run(measure, args.restarts, Strategy.ONE_FOR_ALL, 10),
    )


if __name__ == "__main__":
    main()
