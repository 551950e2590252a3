"""Files are served cacheable and compressed: pages link them by content-hashed URLs
(immutable), the plain URLs revalidate by ETag, gzip goes to a browser that takes it;
``/_av/health`` answers load balancers. On both transports."""

from __future__ import annotations

import functools
import gzip
import json
import re

import pytest
import trio

from actorview.endpoint import Application, Route
from actorview.endpoint._answers import PageRequest
from actorview.optimistic import client_modules
from tests.endpoint.harness import Counter, exchange, fetch, join, live, running

SECRET = b"assets-secret-" * 3
IMMUTABLE = "public, max-age=31536000, immutable"


def counter_app() -> Application:
    return Application([Route("/", Counter)], secret=SECRET)


async def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    lines = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{lines}Connection: close\r\n\r\n"
    status_line, response_headers, body = await exchange(port, head.encode())
    return int(status_line.split()[1]), response_headers, body


def linked(body: str) -> list[str]:
    return re.findall(r'(?:src|href)="((?:/chat)?/_av/[^"]+)"', body)


async def test_a_page_links_every_file_by_a_hashed_url_served_immutable() -> None:
    async with running(counter_app()) as port:
        urls = linked((await fetch(port)).body)
        assert len(urls) == len(client_modules()) + 1 + 1 + 1 + 1  # + css, runtime, program, entry
        for url in urls:
            status, headers, body = await get(port, url)
            assert status == 200, url
            assert re.fullmatch(r"/_av/(static/|program/)?[0-9a-f]{12}/[\w.]+", url), url
            assert headers["cache-control"] == IMMUTABLE, url
            assert headers["etag"].strip('"') in url, "the ETag is the URL's digest"
            assert body, url
    modules = {url for url in urls if url.endswith(tuple(client_modules()))}
    folders = {url.rsplit("/", 1)[0] for url in modules}
    assert len(folders) == 1, "client.js imports ./patch.js etc. from its own hashed folder"


async def test_a_plain_url_revalidates_with_its_etag() -> None:
    async with running(counter_app()) as port:
        status, headers, body = await get(port, "/_av/client.js")
        assert status == 200 and headers["cache-control"] == "no-cache"
        again = await get(port, "/_av/client.js", If_None_Match=headers["etag"])
        assert (again[0], again[2]) == (304, b"")
        stale = await get(port, "/_av/000000000000/client.js")
        assert stale[0] == 200 and stale[1]["cache-control"] == "no-cache", "an old page's URL"
        assert stale[2] == body
        assert (await get(port, "/_av/000000000000/nope.js"))[0] == 404


async def test_text_files_are_gzipped_for_a_browser_that_takes_it() -> None:
    async with running(counter_app()) as port:
        plain = await get(port, "/_av/client.js")
        packed = await get(port, "/_av/client.js", Accept_Encoding="gzip, deflate, br")
        refused = await get(port, "/_av/client.js", Accept_Encoding="gzip;q=0, identity")
    assert "content-encoding" not in plain[1] and "content-encoding" not in refused[1]
    assert packed[1]["content-encoding"] == "gzip"
    assert packed[1]["vary"] == "Accept-Encoding"
    assert gzip.decompress(packed[2]) == plain[2]
    assert len(packed[2]) < len(plain[2]) / 2


async def test_health_answers_ok_with_the_number_of_sessions() -> None:
    async with running(counter_app()) as port:
        status, headers, body = await get(port, "/_av/health")
        assert status == 200 and headers["cache-control"] == "no-store"
        assert json.loads(body) == {"status": "ok", "sessions": 0}
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            assert json.loads((await get(port, "/_av/health"))[2])["sessions"] == 1


@pytest.mark.builtin_only("no server: the page answer itself")
async def test_health_is_503_while_the_views_do_not_run() -> None:
    application = counter_app()
    answer = await application.pages.answer(PageRequest("GET", "/_av/health"))
    assert answer.status == 503
    assert json.loads(answer.body) == {"status": "stopping", "sessions": 0}


@pytest.mark.builtin_only("the built-in server's root_path option (ASGI has the scope's)")
async def test_the_builtin_server_serves_under_a_root_path() -> None:
    application = counter_app()
    async with trio.open_nursery() as nursery:
        serve = functools.partial(application.serve, "127.0.0.1", 0, root_path="/chat")
        port = await nursery.start(serve)
        page = await fetch(port, "/chat/")
        urls = linked(page.body)
        assert 'data-av-socket="/chat/_av/live"' in page.body
        assert urls and all(url.startswith("/chat/_av/") for url in urls)
        for url in urls:
            assert (await get(port, url))[0] == 200, url
        assert (await get(port, "/chat/_av/health"))[0] == 200
        async with live(port, path="/chat/_av/live") as ws:
            assert (await join(ws, page.token, "/chat/"))[0]["t"] == "joined"
        nursery.cancel_scope.cancel()
