"""The PostgreSQL history store at its edges: a connection the server drops, a server
that restarts or is not there, a wrong password, two workers making the schema at once.

A real server (tests/services.py, one per session; a database per test). The store's
contract itself (messages, pages, conversations) is tested over every store by
tests/demo_chat/test_store_conversations.py and test_history_store.py.
"""

from __future__ import annotations

import time
import urllib.parse
from pathlib import Path

import psycopg
import pytest
import trio

from demo_chat.messages import Message
from demo_chat.postgres_store import PostgresHistoryStore, PostgresStoreError, redacted_url
from demo_chat.store_url import HistoryStoreUnavailable, open_history_store
from tests.services import POSTGRES_PASSWORD, free_port, postgres_cluster


def terminate_store_backends(url: str) -> int:
    """End every server backend of the chat's stores (what a server restart or a killed
    backend does to their connections); how many were ended."""
    with psycopg.connect(url, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'actorview-chat'"
        ).fetchall()
    return len(rows)


def with_password(url: str, password: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts._replace(netloc=f"postgres:{password}@{parts.hostname}:{parts.port}").geturl()


async def test_a_connection_the_server_ended_is_made_again_and_nothing_is_lost(
    postgres_database: str,
) -> None:
    store = PostgresHistoryStore(postgres_database)
    try:
        await store.append("c", [Message("user", "before")])
        assert terminate_store_backends(postgres_database) == 1
        await store.append("c", [Message("assistant", "after a write")])  # BEGIN failed: rerun
        assert terminate_store_backends(postgres_database) == 1
        assert await store.load("c") == [  # a read: rerun on the new connection
            Message("user", "before"),
            Message("assistant", "after a write"),
        ]
        assert store.connections == 3
    finally:
        store.close()


async def test_a_server_that_is_not_there_is_an_error_in_bounded_time_naming_it() -> None:
    url = f"postgresql://postgres:{POSTGRES_PASSWORD}@127.0.0.1:{free_port()}/chat"
    started = time.monotonic()
    with pytest.raises(HistoryStoreUnavailable) as raised:
        open_history_store(url)
    assert time.monotonic() - started < 15
    message = str(raised.value)
    assert POSTGRES_PASSWORD not in message
    assert message.startswith(f"postgresql://postgres:***@127.0.0.1:{url.split(':')[3]}")
    assert "could not create the schema" in message and "check that the server runs" in message


async def test_a_wrong_password_is_refused_without_showing_any_password(
    postgres_database: str,
) -> None:
    wrong = with_password(postgres_database, "not-the-password-42")
    in_query = postgres_database.replace(f":{POSTGRES_PASSWORD}@", "@") + "?password=not-42"
    for url, hidden in ((wrong, ":***@"), (in_query, "?password=***")):
        with pytest.raises(PostgresStoreError) as raised:
            PostgresHistoryStore(url)
        message = str(raised.value)
        assert "not-the-password-42" not in message and POSTGRES_PASSWORD not in message
        assert "not-42" not in message
        assert "password authentication failed" in message and hidden in message


async def test_a_call_the_server_refuses_to_reconnect_fails_naming_the_call(
    postgres_url: str, postgres_database: str
) -> None:
    store = PostgresHistoryStore(postgres_database)
    name = postgres_database.rsplit("/", 1)[1]
    try:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false")
        terminate_store_backends(postgres_url)
        with pytest.raises(PostgresStoreError, match="could not append to 'c'") as raised:
            await store.append("c", [Message("user", "lost")])
        assert POSTGRES_PASSWORD not in str(raised.value)
        assert "is not currently accepting connections" in str(raised.value)
    finally:
        store.close()


async def test_workers_starting_together_make_the_schema_once(postgres_database: str) -> None:
    stores: list[PostgresHistoryStore] = []

    def open_one() -> None:
        stores.append(PostgresHistoryStore(postgres_database))

    async with trio.open_nursery() as nursery:
        for _ in range(4):
            nursery.start_soon(trio.to_thread.run_sync, open_one)
    try:
        await stores[0].append("c", [Message("user", "one schema")])
        assert await stores[3].load("c") == [Message("user", "one schema")]
    finally:
        for store in stores:
            store.close()


def test_a_url_is_shown_without_its_password() -> None:
    assert redacted_url("postgresql://me:s3cret@db:5432/chat") == "postgresql://me:***@db:5432/chat"
    assert redacted_url("postgresql://db/chat") == "postgresql://db/chat"
    assert redacted_url("postgres://me@db/chat") == "postgres://me@db/chat"
    assert (
        redacted_url("postgresql://db/chat?user=me&password=s3cret&sslmode=require")
        == "postgresql://db/chat?user=me&password=***&sslmode=require"
    )


async def test_a_store_goes_on_after_its_server_restarted(tmp_path: Path) -> None:
    with postgres_cluster(tmp_path) as cluster:
        store = PostgresHistoryStore(cluster.url)
        try:
            await store.append("c", [Message("user", "before the restart")])
            await trio.to_thread.run_sync(cluster.stop)
            with pytest.raises(PostgresStoreError, match="could not count 'c'"):
                await store.count("c")  # down: an error naming the call, in bounded time
            await trio.to_thread.run_sync(cluster.start)
            await store.append("c", [Message("assistant", "after it")])
            assert await store.load("c") == [
                Message("user", "before the restart"),
                Message("assistant", "after it"),
            ]
        finally:
            store.close()
