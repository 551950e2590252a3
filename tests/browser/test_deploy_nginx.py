"""The deployment recipe, run: Debian's nginx with ``examples/deploy/nginx.conf`` (only
its ports changed) in front of two hypercorn trio workers serving ``demo_chat.asgi:app``
with one secret and one SQLite history, driven in Chromium. The worker that holds the
page's view is stopped: the page's socket reconnects through nginx to the other worker,
which mounts the view again from the join token and shows the committed history. With
the file's TLS lines filled in (a certificate made by trustme), nginx terminates TLS and
the page's socket is wss.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.demo import free_port, stop
from tests.browser.test_chat_asgi import wait_until_listening
from tests.browser.test_chat_demo import open_chat, send

NGINX = Path("/usr/sbin/nginx")
CONFIG = Path(__file__).parents[2] / "examples" / "deploy" / "nginx.conf"
SECRET = "nginx-deploy-secret-" * 2

pytestmark = pytest.mark.browser


def nginx_config(listen: int, upstreams: tuple[int, int], tls: tuple[Path, Path] | None) -> str:
    """The recipe's configuration with this test's ports, in the foreground; with
    ``tls`` (certificate and key files), its TLS lines filled in."""
    text = CONFIG.read_text()
    assert "listen 127.0.0.1:8080;" in text and "server 127.0.0.1:8001;" in text
    assert "#   listen 443 ssl;" in text, "the file shows how to terminate TLS"
    if tls is None:
        text = text.replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{listen};")
    else:
        text = text.replace(
            "listen 127.0.0.1:8080;",
            f"listen 127.0.0.1:{listen} ssl; ssl_certificate {tls[0]};"
            f" ssl_certificate_key {tls[1]};",
        )
    text = text.replace("server 127.0.0.1:8001;", f"server 127.0.0.1:{upstreams[0]};")
    text = text.replace("server 127.0.0.1:8002;", f"server 127.0.0.1:{upstreams[1]};")
    return "daemon off;\n" + text


def hypercorn(port: int, tmp_path: Path) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    environment |= {
        "ACTORVIEW_SECRET": SECRET,
        "ACTORVIEW_CHAT_HISTORY_DB": str(tmp_path / "chat.sqlite3"),
        "ACTORVIEW_CHAT_TRUSTED_PROXY": "127.0.0.1",
        "ACTORVIEW_CHAT_TOKEN_DELAY": "0.01",
        "ACTORVIEW_CHAT_REPLY_LENGTH": "12",
        "ACTORVIEW_CHAT_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "hypercorn", "-k", "trio", "--graceful-timeout", "1"]
    return subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}", "demo_chat.asgi:app"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )


@contextmanager
def deployment(
    tmp_path: Path, tls: tuple[Path, Path] | None = None
) -> Iterator[tuple[str, dict[int, subprocess.Popen[str]]]]:
    """The nginx URL, and the workers by port."""
    if not NGINX.exists():
        pytest.fail(f"the deployment test needs Debian's nginx at {NGINX}: run bash .ci/setup")
    ports = (free_port(), free_port())
    workers = {port: hypercorn(port, tmp_path) for port in ports}
    prefix = tmp_path / "nginx"
    for folder in ("logs", "tmp"):
        (prefix / folder).mkdir(parents=True)
    listen = free_port()
    (prefix / "nginx.conf").write_text(nginx_config(listen, ports, tls))
    nginx = None
    try:
        for port, process in workers.items():
            wait_until_listening(port, process)
        nginx = subprocess.Popen(
            [str(NGINX), "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        wait_until_listening(listen, nginx)
        yield f"{'https' if tls else 'http'}://127.0.0.1:{listen}/", workers
    finally:
        if nginx is not None:
            stop(nginx)
        for process in workers.values():
            if process.poll() is None:
                stop(process)


@pytest.fixture
def deployed(tmp_path: Path) -> Iterator[tuple[str, dict[int, subprocess.Popen[str]]]]:
    with deployment(tmp_path) as served:
        yield served


def sessions(port: int) -> int:
    """The sessions a worker holds, asked directly (not through nginx)."""
    answer = httpx.get(f"http://127.0.0.1:{port}/_av/health", timeout=5)
    assert answer.status_code == 200
    count: int = json.loads(answer.text)["sessions"]
    return count


def history(page: Any) -> list[str]:
    found: list[str] = page.eval_on_selector_all(
        "#history > li[av-key]", "els => els.map(e => e.textContent)"
    )
    return found


def test_through_nginx_a_dropped_socket_reconnects_to_the_other_worker_with_its_history(
    browser: Any, deployed: tuple[str, dict[int, subprocess.Popen[str]]]
) -> None:
    url, workers = deployed
    page = open_chat(browser, url)
    try:
        page.wait_for_selector("#av-root.av-connected")
        send(page, "remember this")
        page.wait_for_function(
            "() => document.querySelectorAll('#history > li[av-key]').length === 2"
        )
        page.wait_for_function("() => !document.querySelector('#draft')")
        before = history(page)
        assert before[0] == "remember this" and before[1].startswith("You said remember")
        held = {port: sessions(port) for port in workers}
        assert sorted(held.values()) == [0, 1], f"one worker holds the view: {held}"
        holder = next(port for port, count in held.items() if count == 1)
        other = next(port for port in workers if port != holder)

        stop(workers[holder])  # its sockets are closed with 1001; nginx skips it now
        page.wait_for_selector("#av-root.av-connected", timeout=20_000)
        page.wait_for_function(
            "() => document.querySelectorAll('#history > li[av-key]').length === 2"
        )
        assert history(page) == before, "the other worker shows the committed history"
        assert sessions(other) == 1
        send(page, "and now")
        page.wait_for_function(
            "() => document.querySelectorAll('#history > li[av-key]').length === 4"
        )
        assert history(page)[2] == "and now"
        csp = [error for error in page.console_errors if "Content Security Policy" in error]
        assert csp == [], "hashed, gzipped files load under the page's CSP through nginx"
    finally:
        page.close()


def test_nginx_terminates_tls_and_the_page_talks_over_wss(browser: Any, tmp_path: Path) -> None:
    import trustme

    certificate = trustme.CA().issue_cert("127.0.0.1")
    files = (tmp_path / "cert.pem", tmp_path / "key.pem")
    certificate.cert_chain_pems[0].write_to_path(str(files[0]))
    certificate.private_key_pem.write_to_path(str(files[1]))
    with deployment(tmp_path, files) as (url, _):
        context = browser.new_context(ignore_https_errors=True)  # the test's own CA
        page = context.new_page()
        sockets: list[str] = []
        page.on("websocket", lambda socket: sockets.append(socket.url))
        try:
            page.goto(url)
            page.wait_for_selector("#av-root.av-connected")
            assert page.evaluate("location.protocol") == "https:"
            assert sockets == [f"wss://{url.removeprefix('https://')}_av/live"]
            send(page, "over tls")
            page.wait_for_function(
                "() => document.querySelectorAll('#history > li[av-key]').length === 2"
            )
            assert history(page)[0] == "over tls"
        finally:
            context.close()
