"""Opening the served chat as a browser does: ``/`` answers 303 to the visitor's newest
conversation with a new identity cookie; the page is fetched there with that cookie."""

from __future__ import annotations

from tests.endpoint.harness import Page, fetch, request


async def fetch_chat(
    port: int, path: str = "/", cookie: str | None = None
) -> tuple[Page, str, str]:
    """The chat page ``path`` leads to (following ``/``'s redirect), the identity cookie
    (``name=value``) it was fetched with (the one the redirect set, or ``cookie``) and
    the path it was fetched at (``/c/<id>``, with any mount prefix)."""
    first = await _get(port, path, cookie)
    if first.status != 303:
        return first, cookie or "", path
    cookie = first.headers["set-cookie"].split(";")[0] if "set-cookie" in first.headers else cookie
    location = first.headers["location"]
    return await _get(port, location, cookie), cookie or "", location


async def _get(port: int, path: str, cookie: str | None) -> Page:
    if cookie is None:
        return await fetch(port, path)
    head = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        "Connection: close\r\n\r\n"
    )
    return await request(port, head.encode())
