"""Real servers for tests: each started on a free 127.0.0.1 port in a temporary directory
by the test that needs it, and stopped (and waited for) when it is done.

Debian's packages, installed by ``.ci/setup``: ``redis-server``, ``postgresql``. From
PyPI (the ``test`` extra): ``llmock``, an OpenAI-compatible mock server that scripts
failures.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
POSTGRES_USER = "postgres"
"""Who runs PostgreSQL when the tests run as root (it refuses root; Debian's package
makes this user)."""
POSTGRES_PASSWORD = "test-secret-do-not-show"
"""The password of the server's superuser: host connections need it (scram-sha-256),
so the tests see that no error shows it."""
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


def postgres_bin() -> Path:
    """The directory of Debian's newest PostgreSQL server programs (initdb, postgres)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=_version)
    if not found:
        raise RuntimeError("no PostgreSQL server: install Debian's postgresql (.ci/setup)")
    return found[-1].parent


def _version(path: Path) -> int:
    name = path.parent.parent.name
    return int(name) if name.isdigit() else 0


@contextmanager
def postgres_server(directory: Path | None = None, port: int | None = None) -> Iterator[str]:
    """A PostgreSQL server of its own, on ``port`` or a free one of 127.0.0.1, its data
    and socket in a temporary directory (in ``directory`` unless the tests run as root:
    then in one the ``postgres`` user may enter); yields its URL,
    ``postgresql://postgres:<POSTGRES_PASSWORD>@127.0.0.1:<port>/postgres``.

    Made for tests: no fsync, so it starts and writes fast and loses what it has on a
    crash of the machine. Stopped with a fast shutdown and waited for on exit.
    """
    with postgres_cluster(directory, port) as cluster:
        yield cluster.url


@contextmanager
def postgres_cluster(
    directory: Path | None = None, port: int | None = None
) -> Iterator[PostgresCluster]:
    """As :func:`postgres_server`, yielding the running :class:`PostgresCluster` (which a
    test may stop and start again, its data kept)."""
    as_root = os.geteuid() == 0
    home = Path(tempfile.mkdtemp(prefix="actorview-pg-", dir=None if as_root else directory))
    user = POSTGRES_USER if as_root else None
    if user is not None:
        shutil.chown(home, user, user)
    cluster = PostgresCluster(home, port or free_port(), user)
    try:
        cluster.initdb()
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(home, ignore_errors=True)


class PostgresCluster:
    """One PostgreSQL data directory in ``home`` and the server running on it."""

    def __init__(self, home: Path, port: int, user: str | None) -> None:
        self.home = home
        self.port = port
        self.user = user
        self.url = f"postgresql://postgres:{POSTGRES_PASSWORD}@127.0.0.1:{port}/postgres"
        self._bin = postgres_bin()
        self._process: subprocess.Popen[bytes] | None = None

    def initdb(self) -> None:
        password = self.home / "password"
        password.write_text(POSTGRES_PASSWORD)
        if self.user is not None:
            shutil.chown(password, self.user, self.user)
        subprocess.run(
            [
                str(self._bin / "initdb"), "-D", str(self.home / "data"), "-U", "postgres",
                "--pwfile", str(password), "--auth-local=trust", "--auth-host=scram-sha-256",
                "--no-sync", "-E", "UTF8", "--locale=C.UTF-8",
            ],
            check=True, capture_output=True, user=self.user, group=self.user,
        )  # fmt: skip

    def start(self) -> None:
        """Start the server and wait until it takes connections (30 s at most)."""
        self._process = subprocess.Popen(
            [
                str(self._bin / "postgres"), "-D", str(self.home / "data"),
                "-p", str(self.port), "-k", str(self.home),
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            user=self.user, group=self.user,
        )  # fmt: skip
        _wait_for_port(self.port, self._process, within=30)
        ready = [str(self._bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        subprocess.run([*ready, "-t", "30"], check=True)  # past "the database is starting up"

    def stop(self) -> None:
        """A fast shutdown (sessions are ended), waited for; killed after 20 s."""
        process, self._process = self._process, None
        if process is None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
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
