"""``python -m demo_chat`` (or hypercorn serving ``demo_chat.asgi``) in a subprocess, for
the browser tests that open the demo."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def demo_server(
    *options: str, secret: str | None, env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Serve the demo on a free port (unless ``options`` give ``--port``) with ``options``
    (its command-line flags) and yield its URL; on exit, stop it with SIGTERM and check it
    stopped cleanly. ``secret``: ``ACTORVIEW_SECRET``, or None for none (the demo then
    keeps one in its ``--data-dir``). ``env``: more environment variables; proxies are
    left out (the demo only talks to 127.0.0.1)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name != "ACTORVIEW_SECRET" and "proxy" not in name.lower()
    }
    environment |= dict(env or {})
    if secret is not None:
        environment["ACTORVIEW_SECRET"] = secret
    process = subprocess.Popen(
        [sys.executable, "-m", "demo_chat", "--port", "0", *options, "--log-level", "WARNING"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert found, f"the demo did not print its URL: {line!r}"
        yield found.group(0)
    except BaseException:
        stop(process)  # the test failed: stop the demo, and let the test's error stand
        raise
    stop(process)
    assert process.returncode == 0, "the demo must stop cleanly on SIGTERM"


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM ``process`` and wait for it (at most 10 s, then kill it and raise)."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    finally:
        if process.stdout is not None:
            process.stdout.close()
