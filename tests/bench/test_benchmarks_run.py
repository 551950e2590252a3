"""Every benchmark runs end to end from its documented command, with tiny parameters.

Not a timed test: it checks that each script starts, drives the real path (sockets,
processes, views) and prints its report, so the README's commands keep working. The
figures themselves come from the full runs documented in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SMOKE = {
    "bench.token_path": ["--rounds", "1", "--tokens", "3", "--histories", "10"],
    "bench.wire_bytes": ["--tokens", "2", "--short-only"],
    "bench.coalescing": ["--tokens", "60"],
    "bench.burst": ["--tokens", "40", "--long", "80", "--rounds", "1"],
    "bench.cancel_latency": ["--trials", "3"],
    "bench.memory": ["--views", "20", "--stream-for", "0.5"],
    "bench.load": ["--steps", "5", "--hold", "1"],
    "bench.bench_mailbox": ["--messages", "2000", "--rounds", "1"],
    "bench.bench_supervisor": ["--restarts", "20"],
    "bench.bench_view": ["--rounds", "1", "--tokens", "5"],
    "bench.render_cost": ["--tokens", "50", "--sidebar", "3"],
    "bench.history_memory": ["--views", "2"],
    "bench.history_store": ["--callers", "4", "--rounds", "2"],
    "bench.markdown_stream": ["--short", "20", "--long", "200", "--rounds", "1"],
    "bench.compression": ["--tokens", "5", "--gap", "0.001"],
    "bench.floor": ["--connections", "20", "--seconds", "0.3"],
    "bench.cross_worker": ["--steps", "3", "--warmup", "1", "--hold", "1"],
    "bench.job_resume": ["--parts", "50", "--live", "10"],
    "bench.chat_resume": ["--tokens", "50", "--live", "10"],
}
"""Module -> arguments that make its run take a second or two."""

EXPECTED = {
    "bench.token_path": "worst ratio",
    "bench.wire_bytes": "target: at most 40 bytes",
    "bench.coalescing": "streamed",
    "bench.burst": "worst ratio",
    "bench.cancel_latency": "must be 0",
    "bench.memory": "per view",
    "bench.load": "most sessions held",
    "bench.bench_mailbox": "",
    "bench.bench_supervisor": "",
    "bench.bench_view": "ratio",
    "bench.render_cost": "served, sidebar 3",
    "bench.history_memory": "history  1000",
    "bench.history_store": "postgresql",
    "bench.markdown_stream": "in the reply's last frame",
    "bench.compression": "<- default",
    "bench.floor": "one frame clock",
    "bench.cross_worker": "goal: under 50 ms",
    "bench.job_resume": "none lost or repeated",
    "bench.chat_resume": "none lost or repeated",
}
"""Module -> a phrase of its report that shows it got to the end."""


@pytest.mark.parametrize("module", sorted(SMOKE))
def test_the_benchmark_runs_end_to_end(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, *SMOKE[module]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("$ "), "a report starts with the command that produced it"
    assert EXPECTED[module] in done.stdout, done.stdout[-2000:]


def test_bench_render_runs_end_to_end() -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_render.py", "--tokens", "20", "--rounds", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "bytes/token" in done.stdout
