"""Two demo workers on one PostgreSQL and one Redis: a message committed through one is
shown, without a reload, by a view of the same conversation on the other.

Real processes (``python -m demo_chat``, one per port, as two machines behind a balancer
would run it), a real PostgreSQL and a real redis-server (tests/services.py). The page
is loaded from worker A; its join token is taken to both workers, as a page whose socket
moved would (any worker serves any join), so each holds a view of the one conversation.
Each socket's frames are applied to a document (``tests.hardening.chat.ChatPage``), so
what is checked is what a page on B shows, however the frames carried it.
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from demo_chat.postgres_store import PostgresHistoryStore
from tests.browser.demo import demo_server
from tests.hardening.chat import ChatPage, idle, joined, open_page
from tests.services import redis_server

SECRET = "shared-workers-secret-" * 2


def port_of(url: str) -> int:
    found = re.search(r":(\d+)/", url)
    assert found, url
    return int(found.group(1))


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
            on_a = await open_page(port_of(worker_a))  # `/` redirects to a new conversation
            on_b = ChatPage(port_of(worker_b), on_a.token, path=on_a.path)
            async with joined(on_a) as a, joined(on_b) as b:
                await on_a.submit(a, "hello from A")
                await on_b.read_until(b, lambda page: bool(page.history), within=30)
                assert on_b.history == [("user", "hello from A")]
                # The reply, committed through A when it is done, reaches B too.
                await on_b.read_until(b, idle, within=30)
        store = PostgresHistoryStore(postgres_database)
        try:
            (conversation,) = {c for (c,) in await conversations(postgres_database)}
            kept = await store.load(conversation)
        finally:
            store.close()
        assert [m.role for m in kept] == ["user", "assistant"]
        assert on_b.history == [("user", "hello from A"), ("assistant", kept[1].text)]


async def conversations(url: str) -> list[tuple[str]]:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT DISTINCT conversation FROM messages").fetchall()
