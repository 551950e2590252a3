"""Real servers for tests: each started on a free 127.0.0.1 port in a temporary directory
by the test that needs it, and stopped (and waited for) when it is done.

Debian's packages, installed by ``.ci/setup``: ``redis-server``. From PyPI (the ``test``
extra): ``llmock``, an OpenAI-compatible mock server that scripts failures.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
LLMOCK = str(Path(sys.executable).with_name("llmock"))
"""The ``llmock`` command installed beside this Python (the ``test`` extra)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def redis_server(directory: Path, port: int | None = None) -> Iterator[str]:
    """A redis-server of its own (no persistence, loopback only), on ``port`` or a free
    one; yields its URL."""
    port = port or free_port()
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(directory),
            "--protected-mode", "yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for_port(port, process, within=10)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def llmock_server(directory: Path, *, chunk_delay_ms: int = 0) -> Iterator[str]:
    """An llmock server of its own (``llmock serve``, a uvicorn process) on a free
    127.0.0.1 port, working in ``directory``; yields its root URL (the OpenAI API is under
    ``/v1``, the control API under ``/_llmock``: see :class:`LLMockControl`).

    ``chunk_delay_ms`` paces its streams (a pause before each event after the first), as
    a model generating would. Tool calls are off (every answer is text); no ``LLMOCK_*``
    variable of the caller's environment reaches it. Stopped with SIGTERM, and waited for,
    when the block exits.
    """
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LLMOCK_")}
    process = subprocess.Popen(
        [
            LLMOCK, "serve",
            "--host", "127.0.0.1",
            "--port", str(port),
            "--log-level", "warning",
            "--tool-mode", "off",
            "--stream-chunk-delay-ms", str(chunk_delay_ms),
        ],
        cwd=directory,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(url + "/health", process, within=30)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


_Answer = dict[str, list[dict[str, object]]]


class LLMockControl:
    """llmock's control API (``/_llmock``) at ``url``: queue behaviours for the next
    requests, read back the requests it served. Blocking calls, each bounded by
    ``timeout`` seconds: use them before a client runs and after it has finished (or from
    a thread)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def script(self, *behaviors: Mapping[str, object]) -> None:
        """Queue ``behaviors`` (llmock's JSON form, e.g. ``{"type": "fail", "status":
        429, "retry_after": 20}``); each is used once by the next request it matches."""
        self._call("POST", "/_llmock/scenario", {"behaviors": list(behaviors)})

    def requests(self) -> list[dict[str, object]]:
        """Every request served so far, oldest first, as llmock recorded it: ``body``,
        ``status``, ``completed`` (the response was sent to its end), ``chunks_sent``,
        ``fault``, ``stall_waited`` (how long a client sat through a scripted stall
        before it hung up), ``started_at``/``ended_at``. A request still being served is
        not listed (llmock waits up to 2 s for it first)."""
        answer = self._call("GET", "/_llmock/requests")
        requests: list[dict[str, object]] = answer["requests"]
        return requests

    def _call(
        self, method: str, path: str, body: object = None
    ) -> dict[str, list[dict[str, object]]]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            answer: _Answer = json.load(response)
            return answer


def _wait_for_health(url: str, process: subprocess.Popen[bytes], *, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {within} s")


def _wait_for_port(port: int, process: subprocess.Popen[bytes], *, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {within} s")
