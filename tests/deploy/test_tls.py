"""TLS through hypercorn (its ``--certfile``/``--keyfile``): the page over https and its
live socket over wss, with a certificate from a throwaway CA made in the test
(trustme)."""

from __future__ import annotations

import functools
import json
import re
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import trio
import trio_websocket
import trustme

from actorview.endpoint import Application, Route
from tests.endpoint.harness import Counter

SECRET = b"tls-secret-" * 4


@asynccontextmanager
async def served_over_tls(app: Any, tmp_path: Path) -> AsyncIterator[tuple[int, ssl.SSLContext]]:
    """``app`` under hypercorn's trio worker with a certificate for 127.0.0.1; yields
    the port and a client context that trusts the test's CA."""
    from hypercorn.config import Config
    from hypercorn.trio import serve

    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    certificate.private_key_and_cert_chain_pem.write_to_path(str(certfile))
    certificate.private_key_pem.write_to_path(str(keyfile))
    config = Config()
    config.bind = ["127.0.0.1:0"]
    config.certfile, config.keyfile = str(certfile), str(keyfile)
    config.graceful_timeout = 0.2
    config.accesslog = None
    client = ssl.create_default_context()
    authority.configure_trust(client)
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        binds: list[str] = await nursery.start(
            functools.partial(serve, app, config, shutdown_trigger=stop.wait)
        )
        assert binds[0].startswith("https://"), binds
        yield int(binds[0].rsplit(":", 1)[1]), client
        stop.set()


async def https_get(port: int, context: ssl.SSLContext, path: str = "/") -> tuple[str, str]:
    tcp = await trio.open_tcp_stream("127.0.0.1", port)
    stream = trio.SSLStream(tcp, context, server_hostname="127.0.0.1")
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    await stream.send_all(head.encode())
    data = b""
    with trio.fail_after(5):
        try:
            while chunk := await stream.receive_some():
                data += chunk
        except trio.BrokenResourceError:
            pass  # a close without close_notify
    status, _, body = data.decode().partition("\r\n\r\n")
    return status.split("\r\n")[0], body


async def test_a_page_over_https_joins_its_live_socket_over_wss(tmp_path: Path) -> None:
    app = Application([Route("/", Counter)], secret=SECRET)
    async with served_over_tls(app, tmp_path) as (port, context):
        status, body = await https_get(port, context)
        assert status.split()[1] == "200", status
        found = re.search(r'data-av-token="([^"]+)"', body)
        assert found is not None
        async with trio_websocket.open_websocket(
            "127.0.0.1",
            port,
            "/_av/live",
            use_ssl=context,
            extra_headers=[(b"Origin", f"https://127.0.0.1:{port}".encode())],
        ) as ws:
            await ws.send_message(json.dumps({"t": "join", "token": found[1], "path": "/"}))
            with trio.fail_after(5):
                joined = json.loads(await ws.get_message())
                render = json.loads(await ws.get_message())
    assert joined["t"] == "joined"
    assert render["t"] == "render" and 'id="doubled"' in render["html"]
