"""The history stores under many callers: calls a second, calls per thread trip, latency.

    .venv/bin/python -m bench.history_store                 # 100 callers, 20 rounds each
    .venv/bin/python -m bench.history_store --callers 10 --rounds 2   # a quick look

Each caller stands for a chat view: per round it commits a message to its own
conversation (``append``) and reads its newest page back (``before(None, 50)``), all
callers at once on one store, as a hundred streaming chats saving while restarting views
load. Measured for the SQLite store (a file in a temporary directory) and the PostgreSQL
store (a server of its own, ``tests/services.py``, on loopback, fsync off), both batched
by ``demo_chat.thread_batches``: a call that waits while a trip runs goes in the next.
Reported per store: calls a second, calls per thread trip (1.0 would be no batching), and
the p50 / p99 of one call's latency.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import trio

from bench._live import header, quiet_logs
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.llm import sample_history
from demo_chat.messages import Message
from demo_chat.postgres_store import PostgresHistoryStore
from tests.services import postgres_server

Store = SQLiteHistoryStore | PostgresHistoryStore


async def drive(store: Store, callers: int, rounds: int) -> tuple[float, int, list[float]]:
    """(seconds for every caller's rounds, thread trips they took, each call's latency
    in seconds)."""
    for index in range(callers):
        await store.append(f"c{index}", sample_history(50))
    latencies: list[float] = []

    async def caller(index: int) -> None:
        for round in range(rounds):
            started = time.perf_counter()
            await store.append(f"c{index}", [Message("user", f"round {round}")])
            middle = time.perf_counter()
            await store.before(f"c{index}", None, 50)
            latencies.extend((middle - started, time.perf_counter() - middle))

    trips_before = store.trips
    started = time.perf_counter()
    async with trio.open_nursery() as nursery:
        for index in range(callers):
            nursery.start_soon(caller, index)
    return time.perf_counter() - started, store.trips - trips_before, latencies


def report(name: str, store: Store, callers: int, rounds: int) -> None:
    elapsed, trips, latencies = trio.run(drive, store, callers, rounds)
    calls = 2 * callers * rounds
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"{name:<10} {calls / elapsed:>9,.0f} calls/s  {calls / max(trips, 1):>6.1f} calls/trip"
        f"  p50 {quantiles[49] * 1000:>6.1f} ms  p99 {quantiles[98] * 1000:>6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    header("bench.history_store")
    quiet_logs()
    print(f"{args.callers} callers x {args.rounds} rounds of append + before(None, 50)")
    with tempfile.TemporaryDirectory() as directory:
        sqlite = SQLiteHistoryStore(str(Path(directory) / "history.sqlite3"))
        report("sqlite", sqlite, args.callers, args.rounds)
        sqlite.close()
        with postgres_server(Path(directory)) as url:
            postgres = PostgresHistoryStore(url)
            report("postgresql", postgres, args.callers, args.rounds)
            postgres.close()


if __name__ == "__main__":
    main()
