"""Which history store a URL names: ``--history-db`` (and ``ACTORVIEW_CHAT_HISTORY_DB``).

- ``postgresql://user:password@host:5432/db`` (or ``postgres://``): PostgreSQL
  (:class:`~demo_chat.postgres_store.PostgresHistoryStore`), for workers on several
  machines;
- ``sqlite:///relative/path.sqlite3``, ``sqlite:////absolute/path.sqlite3`` (the form
  SQLAlchemy uses: three slashes, then the path) or a plain path: a SQLite file
  (:class:`~demo_chat.history_store.SQLiteHistoryStore`);
- ``:memory:`` (or ``sqlite://``, ``sqlite:///:memory:``): SQLite in memory, for the
  process's life.

Anything else with a scheme is refused, naming the URL (its password left out) and the
forms above.
"""

from __future__ import annotations

import sqlite3
import urllib.parse

from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.postgres_store import PostgresHistoryStore, PostgresStoreError, redacted_url

URL_FORMS = "postgresql://USER:PASSWORD@HOST:PORT/DB, sqlite:///PATH, a file path or :memory:"

"""The forms a history store URL takes, for error messages and ``--help``."""


class HistoryStoreUnavailable(Exception):
    """A history store URL that names no store (a bad URL), or a store that cannot be
    opened (a SQLite file in a missing directory, a PostgreSQL that cannot be reached).
    The message says what is wrong and what to do; ``url`` is the URL, its password
    left out (``python -m demo_chat`` prints ``--history-db <url>: <message>``)."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(message)
        self.url = url

    def __str__(self) -> str:
        return f"{self.url}: {self.args[0]}"


def open_history_store(url: str) -> SQLiteHistoryStore | PostgresHistoryStore:
    """The history store ``url`` names (see the module), open.

    Raises :class:`HistoryStoreUnavailable` for a URL of another kind, or a store that
    cannot be opened (with the reason); nothing is left open then.
    """
    shown = redacted_url(url)
    scheme, has_scheme, rest = url.partition("://")
    if not url.strip():
        raise HistoryStoreUnavailable(
            repr(url), f"an empty history store URL; give one of {URL_FORMS}"
        )
    if not has_scheme:
        return _sqlite(url, shown)
    match scheme.lower():
        case "postgresql" | "postgres":
            try:
                return PostgresHistoryStore(url)
            except PostgresStoreError as error:
                raise HistoryStoreUnavailable(
                    shown,
                    f"PostgreSQL could not {error.what} ({error.reason}); check that the "
                    f"server runs and the URL's host, user, password and database",
                ) from None
        case "sqlite":
            path = urllib.parse.unquote(rest[1:] if rest.startswith("/") else rest)
            if rest and not rest.startswith("/"):
                raise HistoryStoreUnavailable(
                    shown,
                    "a SQLite URL is sqlite:///PATH (three slashes, then the path; four "
                    "for an absolute one)",
                )
            return _sqlite(path or ":memory:", shown)
        case _:
            raise HistoryStoreUnavailable(
                shown, f"not a history store URL (scheme {scheme!r}); give one of {URL_FORMS}"
            )


def _sqlite(path: str, shown: str) -> SQLiteHistoryStore:
    try:
        return SQLiteHistoryStore(path)
    except sqlite3.Error as error:
        raise HistoryStoreUnavailable(
            shown,
            f"cannot open it as a SQLite database ({error}); check that its directory "
            f"exists and is writable",
        ) from None
