"""Jobs: how long a view that joins a run mid-way takes to show its parts so far, and
how long a live part takes from the owner's emit to a view on another worker.

    .venv/bin/python -m bench.job_resume                    # 1,000 and 5,000 parts so far
    .venv/bin/python -m bench.job_resume --parts 200 --live 50   # a quick look

For each backend (``LocalJobs``; ``RedisJobs`` on a redis-server of its own on loopback,
owner and follower each their own backend, as two workers are): a run emits N parts of
``examples.jobs.Writer`` (one word each) and keeps running; then a ``Writer`` view is
started on the follower's backend (paced, as the endpoint runs it; no socket), and the
time from its start until its state holds all N words is the *resume* time (the issue's goal:
a reloaded tab shows the reply so far within 300 ms of its join). Then the run emits
``--live`` more parts, 5 ms apart; the time from each one's emit to the view's state
holding it is its *live* latency (p50, p99). Every part is
counted: a missing or repeated word fails the run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import trio
import trio.lowlevel

from actorview.jobs import JobEmit, Jobs, LocalJobs, RedisJobs
from bench._live import header, percentile, quiet_logs
from examples.jobs import Begun, Finished, Writer, Wrote
from tests.services import redis_server

KEY = "writer:bench"


async def measure(owner: Jobs, follower: Jobs, parts: int, live: int) -> tuple[float, list[float]]:
    emitted: dict[int, float] = {}
    gate = trio.Event()

    async def body(emit: JobEmit) -> None:
        await emit(Begun("w"))
        for n in range(parts):
            await emit(Wrote(f"w{n} "))
        await gate.wait()
        for n in range(parts, parts + live):
            emitted[n] = trio.current_time()
            await emit(Wrote(f"w{n} "))
            await trio.sleep(0.005)
        await emit(Finished())

    await owner.start(KEY, body, (Begun, Wrote, Finished))
    async with follower.follow(KEY, (Begun, Wrote, Finished)) as probe:
        async for event in probe:  # the owner has written every part so far
            if getattr(event, "index", -1) == parts:
                break
    so_far = sum(len(f"w{n} ") for n in range(parts))
    view = Writer({"doc": "bench"}, jobs=follower, paced=True)  # as the endpoint runs it
    store = view.live.store
    started = trio.current_time()
    async with trio.open_nursery() as nursery:
        await nursery.start(view.live.run)
        while len(store.read("text")) < so_far:  # noqa: ASYNC110 (a length check is O(1))
            await trio.sleep(0.001)
        resumed = trio.current_time() - started
        latencies: list[float] = []
        gate.set()
        counted = parts
        with trio.fail_after(30):
            while counted < parts + live or store.read("status") != "done":
                await trio.lowlevel.checkpoint()
                now = trio.current_time()
                words = store.read("text").count(" ")
                latencies.extend(now - emitted[n] for n in range(counted, words))
                counted = words
        words_shown = store.read("text").split()
        if words_shown != [f"w{n}" for n in range(parts + live)]:
            raise SystemExit(f"lost or repeated parts: {len(words_shown)} of {parts + live}")
        nursery.cancel_scope.cancel()
    return resumed, latencies


@asynccontextmanager
async def backends(kind: str, directory: Path) -> AsyncIterator[tuple[Jobs, Jobs]]:
    if kind == "local":
        jobs = LocalJobs()
        async with jobs.running():
            yield jobs, jobs
        return
    with redis_server(directory) as url:
        owner, follower = RedisJobs(url), RedisJobs(url)
        async with owner.running(), follower.running():
            yield owner, follower


async def main(parts: list[int], live: int) -> None:
    header("bench.job_resume")
    print(f"{'backend':>8} {'parts':>6}  {'resume ms':>9}  {'live p50 ms':>11}  {'p99 ms':>7}")
    with tempfile.TemporaryDirectory() as directory:
        for kind in ("local", "redis"):
            for count in parts:
                async with backends(kind, Path(directory)) as (owner, follower):
                    resumed, latencies = await measure(owner, follower, count, live)
                p50 = statistics.median(latencies) * 1000
                p99 = percentile(latencies, 0.99) * 1000
                print(f"{kind:>8} {count:>6}  {resumed * 1000:>9.1f}  {p50:>11.2f}  {p99:>7.2f}")
    print("every part counted, none lost or repeated; goal: resume within 300 ms of the join")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--live", type=int, default=200)
    options = parser.parse_args()
    quiet_logs()
    trio.run(main, options.parts, options.live)
