"""Real servers for tests: each started on a free 127.0.0.1 port in a temporary directory
by the test that needs it, and stopped (and waited for) when it is done.

Debian's packages, installed by ``.ci/setup``: ``redis-server``, ``postgresql``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
POSTGRES_USER = "postgres"
"""Who runs PostgreSQL when the tests run as root (it refuses root; Debian's package
makes this user)."""
POSTGRES_PASSWORD = "test-secret-do-not-show"
"""The password of the server's superuser: host connections need it (scram-sha-256),
so the tests see that no error shows it."""


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
