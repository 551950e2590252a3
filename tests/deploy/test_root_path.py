"""On a path under ASGI: every URL a page links (hashed files, the socket) starts with
the mount's prefix and answers there, and so does ``/_av/health``."""

from __future__ import annotations

import json
import re

from actorview.endpoint import Application, Route
from tests.asgi.test_starlette import site
from tests.endpoint.harness import Counter, exchange, fetch, running_hypercorn

SECRET = b"root-path-secret-" * 3


async def test_under_a_starlette_mount_every_linked_url_answers_under_the_prefix() -> None:
    chat = Application([Route("/", Counter)], secret=SECRET)
    async with running_hypercorn(site(chat)) as port:
        page = await fetch(port, "/chat/")
        urls = re.findall(r'(?:src|href)="(/[^"]+)"', page.body)
        assert 'data-av-socket="/chat/_av/live"' in page.body
        assert urls and all(
            re.match(r"/chat/_av/(static/|program/)?[0-9a-f]{12}/", u) for u in urls
        )
        for url in urls:
            head = f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
            status_line, headers, _ = await exchange(port, head.encode())
            assert status_line.split()[1] == "200", url
            assert headers["cache-control"] == "public, max-age=31536000, immutable", url
        health = await fetch(port, "/chat/_av/health")
    assert health.status == 200 and json.loads(health.body)["status"] == "ok"
