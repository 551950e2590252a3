"""Many workers: ``serve_workers`` runs processes on one port; they need one secret, stop
on SIGTERM within their bound, and any of them serves any page's join."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from actorview.endpoint import SecretNotShared, serve_workers
from tests.browser.demo import demo_server, free_port, stop
from tests.deploy.apps import counter_app


def test_workers_without_a_shared_secret_are_refused_naming_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ACTORVIEW_SECRET", raising=False)
    with pytest.raises(SecretNotShared) as refused:
        serve_workers(functools.partial(counter_app, None), workers=2, port=0)
    message = str(refused.value)
    assert "2 worker processes but no shared join-token secret" in message
    for fix in ("ACTORVIEW_SECRET", "kept_secret(path)", "secret="):
        assert fix in message


def test_workers_must_be_a_whole_number_of_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least 1, got 0"):
        serve_workers(functools.partial(counter_app, None), workers=0, port=0)


SERVE_TWO = """
import functools, sys
from actorview.endpoint import serve_workers
from tests.deploy.apps import counter_app

def listening(port):
    print(f"listening {port}", flush=True)

sys.exit(serve_workers(functools.partial(counter_app, "w" * 40), workers=2, port=0,
                       on_listening=listening, stop_timeout=5))
"""


def test_two_workers_share_one_port_and_stop_cleanly_on_sigterm() -> None:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE_TWO],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("listening "), line
    port = int(line.split()[1])
    children = subprocess.run(
        ["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert len(children) >= 2, "two worker processes (and multiprocessing's helper)"
    for _ in range(6):
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200 and "data-av-token" in page.text
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    stop(process)
    assert process.returncode == 0, "every worker stopped cleanly"
    assert time.monotonic() - started < 8, "within the stop bound"


def test_the_demo_with_workers_needs_a_history_file_they_share(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from demo_chat.__main__ import main

    assert main(["--workers", "2", "--port", "0", "--history-db", ":memory:"]) == 2
    assert "--workers 2 needs --history-db FILE" in capsys.readouterr().err


def test_a_hypercorn_workers_flag_is_read_from_its_command_line() -> None:
    from actorview.endpoint._siblings import _workers_flag

    hypercorn = ["python", "-m", "hypercorn", "-k", "trio"]
    assert _workers_flag([*hypercorn, "-w", "4", "app:app"]) == 4
    assert _workers_flag([*hypercorn, "--workers=3", "app:app"]) == 3
    assert _workers_flag([*hypercorn, "-w2", "app:app"]) == 2
    assert _workers_flag([*hypercorn, "app:app"]) == 1


def test_hypercorn_with_two_workers_and_no_shared_secret_stops_naming_the_fix() -> None:
    env = {k: v for k, v in os.environ.items() if k != "ACTORVIEW_SECRET"}
    command = [sys.executable, "-m", "hypercorn", "-k", "trio", "-w", "2"]
    port = free_port()
    finished = subprocess.run(
        [*command, "--bind", f"127.0.0.1:{port}", "tests.deploy.unshared:app"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    # It stopped by itself (hypercorn's own exit status says 0 when a worker failed to
    # load the application), with the error in its output.
    assert "SecretNotShared: hypercorn: 2 worker processes" in finished.stderr
    assert "ACTORVIEW_SECRET" in finished.stderr


def test_the_demo_serves_one_port_from_two_workers_sharing_its_history(tmp_path: Path) -> None:
    options = ["--workers", "2", "--history-db", str(tmp_path / "chat.sqlite3")]
    with demo_server(*options, "--data-dir", str(tmp_path), secret=None) as url:
        for _ in range(4):  # `/` redirects a new visitor to a new conversation of theirs
            page = httpx.get(url, timeout=5, follow_redirects=True)
            assert page.status_code == 200 and "/c/" in str(page.url)
        health = httpx.get(f"{url}_av/health", timeout=5)
        assert health.status_code == 200 and health.json()["status"] == "ok"
    # demo_server checked that SIGTERM stopped it, every worker, with status 0
