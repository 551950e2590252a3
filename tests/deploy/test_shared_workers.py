"""Two demo workers on one PostgreSQL and one Redis: a message committed through one is
shown, without a reload, by a view of the same conversation on the other.

Real processes (``python -m demo_chat``, one per port, as two machines behind a balancer
would run it), a real PostgreSQL and a real redis-server (tests/services.py). The page
is loaded from worker A; its join token is taken to both workers, as a page whose socket
moved would (any worker serves any join), so each holds a view of the one conversation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import psycopg
import trio
import trio_websocket

from demo_chat.postgres_store import PostgresHistoryStore
from tests.browser.demo import demo_server
from tests.demo_chat.opened import fetch_chat
from tests.endpoint.harness import join, live, send
from tests.services import redis_server

SECRET = "shared-workers-secret-" * 2


def port_of(url: str) -> int:
    found = re.search(r":(\d+)/", url)
    assert found, url
    return int(found.group(1))


async def frames_until(
    ws: trio_websocket.WebSocketConnection, text: str, within: float
) -> list[Any]:
    """The frames ``ws`` receives until one holds ``text`` (fails after ``within`` s)."""
    seen: list[Any] = []
    with trio.fail_after(within):
        while True:
            frame = await ws.get_message()
            seen.append(json.loads(frame))
            if text in str(frame):
                return seen


async def test_a_message_committed_through_one_worker_is_shown_by_the_other(
    tmp_path: Path, postgres_database: str
) -> None:
    with redis_server(tmp_path) as redis_url:
        options = (
            *("--history-db", postgres_database, "--redis-url", redis_url),
            *("--token-delay", "0.01", "--reply-length", "4", "--data-dir", str(tmp_path)),
        )
        with (
            demo_server(*options, secret=SECRET) as worker_a,
            demo_server(*options, secret=SECRET) as worker_b,
        ):
            a, b = port_of(worker_a), port_of(worker_b)
            page, _, path = await fetch_chat(a)  # `/` redirects to a new conversation
            async with live(a) as on_a, live(b) as on_b:
                (joined_a, _), (joined_b, _) = (
                    await join(on_a, page.token, path),
                    await join(on_b, page.token, path),
                )
                assert joined_a["t"] == joined_b["t"] == "joined"
                await send(on_a, t="input", ref=1, field="input", value="hello from A")
                await send(on_a, t="event", ref=2, name="submit")
                shown = await frames_until(on_b, "hello from A", within=30)
                assert inserted(shown[-1], "user") == ["hello from A"]
                # The reply, committed through A when it is done, reaches B too.
                replies: list[str] = []
                with trio.fail_after(30):
                    while not replies:
                        replies = inserted(json.loads(await on_b.get_message()), "assistant")
        store = PostgresHistoryStore(postgres_database)
        try:
            (conversation,) = {c for (c,) in await conversations(postgres_database)}
            kept = await store.load(conversation)
        finally:
            store.close()
        assert [m.role for m in kept] == ["user", "assistant"]
        assert kept[0].text == "hello from A" and kept[1].text in replies[0]


def inserted(frame: Any, role: str) -> list[str]:
    """The texts of the history items of ``role`` a patch frame inserts."""
    return [
        re.sub(r"<[^>]+>", "", op[3])
        for op in frame
        if isinstance(op, list) and op[:1] == ["i"] and f'data-role="{role}"' in str(op[3:4])
    ]


async def conversations(url: str) -> list[tuple[str]]:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT DISTINCT conversation FROM messages").fetchall()
