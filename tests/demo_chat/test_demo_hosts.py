"""``python -m demo_chat`` serves its default address, and the names given with
``--allowed-host``, and refuses any other Host (a DNS-rebinding page)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import trio

from tests.endpoint.harness import fetch


async def test_the_demo_serves_its_address_and_allowed_hosts_only(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "demo_chat", "--port", "0", "--allowed-host", "chat.test"]
    command += ["--data-dir", str(tmp_path)]
    process = await trio.lowlevel.open_process(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        assert process.stdout is not None
        printed = b""
        with trio.fail_after(30):
            while b"\n" not in printed:
                chunk = await process.stdout.receive_some()
                assert chunk, "the demo exited before listening"
                printed += chunk
        found = re.search(rb"http://127\.0\.0\.1:(\d+)/", printed)
        assert found is not None, printed
        port = int(found.group(1))
        own = await fetch(port)
        named = await fetch(port, host=f"chat.test:{port}")
        rebound = await fetch(port, host=f"attacker.example:{port}")
    finally:
        process.send_signal(signal.SIGINT)
        with trio.move_on_after(10):
            await process.wait()
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert (own.status, named.status, rebound.status) == (303, 303, 400)  # / opens a /c/<id>
    assert named.headers["location"].startswith("/c/")
