"""The ``store`` fixture: every history store the chat ships, one test run per store, so
each answers the same questions the same way (SQLite in memory; PostgreSQL, a database
of its own on the session's server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.postgres_store import PostgresHistoryStore

Store = SQLiteHistoryStore | PostgresHistoryStore


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opened: Store
    if request.param == "sqlite":
        opened = SQLiteHistoryStore()
    else:
        opened = PostgresHistoryStore(request.getfixturevalue("postgres_database"))
    yield opened
    opened.close()
