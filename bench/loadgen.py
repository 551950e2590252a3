"""The load generator: trio-websocket clients that join real chat sessions on loopback,
send prompts and read the streamed patches, in steps of more and more sessions.

    .venv/bin/python -m bench.loadgen --port P --server-pid PID [--steps 20,50] [--hold 5]

Run it against ``bench.load_server`` (``bench.load`` starts both). Each session fetches the
page, joins with its token, submits a prompt, reads frames until the reply is done, and
submits again, for as long as the run lasts. Tokens carry their emit time (``§<µs>`` of
``CLOCK_MONOTONIC``, see ``bench.load_server``), so each token's latency is its frame's
arrival minus that stamp; a token counts once, the first time a frame shows it.

Per step (sessions are added, never dropped, then held for ``--hold`` seconds): latency
p50 and p99 of the tokens that arrived while held, tokens per second, the server's CPU
(utime + stime from /proc/PID/stat, its worker processes included) as % of one core
and per delivered token, and this process's CPU. The
run stops after the first step whose p99 is over ``--p99-limit`` ms, or when a client
sees an error; it prints the most sessions held under the limit. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time

import attrs
import trio
import trio_websocket

from bench._live import fetch_token, header, join, percentile

STAMP = re.compile(r"§(\d+)")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of process ``pid`` and of every process under it (the workers of
    a server started with ``--workers N``), in seconds."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / TICK
    return own + sum(cpu_seconds(child) for child in _children(pid))


def _children(pid: int) -> list[int]:
    children: list[int] = []
    try:
        for thread in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{thread}/children") as listed:
                children.extend(int(child) for child in listed.read().split())
    except (FileNotFoundError, ProcessLookupError):
        pass  # gone meanwhile
    return children


def rss_kib(pid: int) -> int:
    """Resident set size of process ``pid`` in KiB (VmRSS)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


@attrs.define
class Stats:
    """What the sessions report, read and reset by the step loop."""

    latencies_ms: list[float] = attrs.Factory(list)
    tokens: int = 0
    replies: int = 0
    errors: list[str] = attrs.Factory(list)
    recording: bool = False


async def open_session(nursery: trio.Nursery, port: int) -> trio_websocket.WebSocketConnection:
    """A joined socket (its ``joined`` and ``render`` frames read), living in ``nursery``."""
    token = await fetch_token(port)
    ws = await trio_websocket.connect_websocket(
        nursery,
        "127.0.0.1",
        port,
        "/_av/live",
        use_ssl=False,
        extra_headers=[(b"Origin", f"http://127.0.0.1:{port}".encode())],
        max_message_size=64 << 20,
    )
    await join(ws, token)
    return ws


async def chat(ws: trio_websocket.WebSocketConnection, stats: Stats, number: int) -> None:
    """Submit, read the reply's frames, record each token's latency; again, forever."""
    ref = 0
    frames = 1  # the render
    while True:
        ref += 1
        await ws.send_message(
            json.dumps(
                {"t": "event", "ref": ref, "name": "submit", "params": {"input": f"q{number}"}}
            )
        )
        seen: set[str] = set()
        while True:
            message = str(await ws.get_message())
            now_us = time.monotonic_ns() // 1000
            frames += 1
            if message.startswith('{"t":"error"'):
                stats.errors.append(message[:200])
                return
            if not message.startswith("["):
                continue
            for stamp in STAMP.findall(message):
                if stamp in seen:
                    continue
                seen.add(stamp)
                if stats.recording:
                    stats.latencies_ms.append((now_us - int(stamp)) / 1000)
                    stats.tokens += 1
            # Done: kept in history, inserted as an item or its tail promoted into one.
            if seen and ('["p",' in message or ('["i",' in message and "assistant" in message)):
                stats.replies += 1
                break
        # client.js acks about once a second; once per reply is close, and keeps the
        # frames the server holds for a rejoin what a browser's would be.
        await ws.send_message(json.dumps({"t": "ack", "n": frames}))


async def run_session(
    nursery: trio.Nursery,
    port: int,
    stats: Stats,
    number: int,
    limiter: trio.CapacityLimiter,
    streaming: bool,
) -> None:
    """One session: join, then chat forever (or hold the socket idle)."""
    try:
        async with limiter:
            ws = await open_session(nursery, port)
        if streaming:
            await chat(ws, stats, number)
        else:
            await trio.sleep_forever()
    except (trio_websocket.ConnectionClosed, trio_websocket.HandshakeError, OSError) as error:
        stats.errors.append(f"session {number}: {error!r}")


@attrs.frozen
class Step:
    sessions: int
    p50: float
    p99: float
    tokens_per_s: float
    server_cpu: float
    client_cpu: float

    @property
    def server_us_per_token(self) -> float:
        """The server's CPU per delivered token (every worker's, with ``--workers``)."""
        return 1e4 * self.server_cpu / self.tokens_per_s

    def line(self) -> str:
        return (
            f"{self.sessions:>8} {self.p50:>8.1f} {self.p99:>8.1f} {self.tokens_per_s:>9.0f} "
            f"{self.server_cpu:>10.0f}% {self.server_us_per_token:>10.1f} "
            f"{self.client_cpu:>10.0f}%"
        )


async def ramp(
    port: int, server_pid: int, steps: list[int], hold: float, p99_limit: float, warmup: float
) -> list[Step]:
    stats = Stats()
    results: list[Step] = []
    limiter = trio.CapacityLimiter(32)
    print(
        f"{'sessions':>8} {'p50 ms':>8} {'p99 ms':>8} {'tokens/s':>9} {'server CPU':>11} "
        f"{'µs/token':>10} {'client CPU':>11}",
        flush=True,
    )
    async with trio.open_nursery() as nursery:
        started = 0
        for target in steps:
            for number in range(started, target):
                nursery.start_soon(run_session, nursery, port, stats, number, limiter, True)
            started = target
            await trio.sleep(warmup)
            stats.latencies_ms.clear()
            stats.tokens = 0
            stats.recording = True
            server_before, client_before = cpu_seconds(server_pid), time.process_time()
            began = time.monotonic()
            await trio.sleep(hold)
            elapsed = time.monotonic() - began
            stats.recording = False
            if stats.errors:
                print(f"errors: {stats.errors[:3]}", flush=True)
                break
            if not stats.latencies_ms:
                print(f"{target:>8}: no token arrived while held", flush=True)
                break
            step = Step(
                target,
                statistics.median(stats.latencies_ms),
                percentile(stats.latencies_ms, 0.99),
                stats.tokens / elapsed,
                100 * (cpu_seconds(server_pid) - server_before) / elapsed,
                100 * (time.process_time() - client_before) / elapsed,
            )
            results.append(step)
            print(step.line(), flush=True)
            if step.p99 > p99_limit:
                break
        nursery.cancel_scope.cancel()
    return results


def summary(results: list[Step], p99_limit: float) -> None:
    held = [step.sessions for step in results if step.p99 <= p99_limit]
    best = max(held, default=0)
    print(f"most sessions held with p99 <= {p99_limit:.0f} ms: {best}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--steps", default="20", help="comma-separated session counts")
    parser.add_argument("--hold", type=float, default=5.0, help="seconds measured per step")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--p99-limit", type=float, default=100.0)
    parser.add_argument("--no-header", action="store_true")
    args = parser.parse_args(argv)
    if not args.no_header:
        header("bench.loadgen")
    steps = [int(step) for step in args.steps.split(",")]
    results = trio.run(
        ramp, args.port, args.server_pid, steps, args.hold, args.p99_limit, args.warmup
    )
    summary(results, args.p99_limit)


if __name__ == "__main__":
    main()
