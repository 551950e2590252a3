"""The chat's history in PostgreSQL: one store that workers on several machines share.

:class:`PostgresHistoryStore` is a :class:`~demo_chat.history_store.HistoryStore` with
exactly the SQLite store's semantics (messages numbered in commit order, the page
queries, truncate, kept failures, a user's conversations and their titles), on a
PostgreSQL server named by a URL (``postgresql://user:password@host:5432/chat``).

It uses psycopg 3's blocking connection in a worker thread, batched as the SQLite store
batches (:class:`~demo_chat.thread_batches.ThreadBatches`): the event loop never waits
on the network. Every wait is bounded: connecting (``connect_timeout``), each statement
(the server's ``statement_timeout``) and a peer that stops answering (TCP keepalives and
``tcp_user_timeout``). A connection that breaks (the server restarted, the backend was
terminated) is made again on the next call; a call that failed before it wrote anything
(its connection was found broken when it began) is run again once on the new one.
Errors are :class:`PostgresStoreError`, naming the server by its URL without the
password, and the call that failed.

Install it with ``pip install 'actorview[postgres]'``.
"""

from __future__ import annotations

import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from actorview.render import normalize_text
from demo_chat.history_store import Numbered, title_of
from demo_chat.messages import Conversation, Message
from demo_chat.thread_batches import ThreadBatches

if TYPE_CHECKING:
    import psycopg

T = TypeVar("T")

CONNECT_TIMEOUT = 5.0
"""Seconds a connection may take to be made."""

STATEMENT_TIMEOUT = 10.0
"""Seconds one statement may run on the server before it cancels it."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    text TEXT NOT NULL,
    stopped BOOLEAN NOT NULL DEFAULT false,
    failure TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation, seq);
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    updated DOUBLE PRECISION NOT NULL,
    made BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations (owner, updated);
"""

_SCHEMA_LOCK = 0x61637476  # "actv": workers starting together make the schema one at a time


class PostgresStoreError(RuntimeError):
    """A call to the PostgreSQL history store failed: the server could not be reached,
    refused the statement, or did not answer in time. The message names the server (its
    URL, the password left out) and the call; ``what`` is the call, ``reason`` the
    driver's error."""

    def __init__(self, url: str, what: str, reason: str) -> None:
        super().__init__(f"the history store at {url} could not {what} ({reason})")
        self.url = url
        self.what = what
        self.reason = reason


def redacted_url(url: str) -> str:
    """``url`` with its password (if any: after the user, or a ``password=`` query
    parameter, as libpq also takes it) shown as ``***``."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is not None:
        host = parts.netloc.rpartition("@")[2]
        user = urllib.parse.quote(parts.username or "", safe="")
        parts = parts._replace(netloc=f"{user}:***@{host}")
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "password" for name, _ in query):
        hidden = [(name, "***" if name == "password" else value) for name, value in query]
        parts = parts._replace(query=urllib.parse.urlencode(hidden, safe="*"))
    return urllib.parse.urlunsplit(parts)


def _passwords(url: str) -> list[str]:
    """Every password ``url`` holds, to be kept out of error messages."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    found = [parts.password or "", *(value for name, value in query if name == "password")]
    return [password for password in found if password]


class PostgresHistoryStore:
    """A :class:`~demo_chat.history_store.HistoryStore` on the PostgreSQL server at
    ``url``; its tables are made if missing.

    Message text is written normalised (:func:`actorview.normalize_text`), as the SQLite
    store writes it: NUL, which PostgreSQL's text cannot hold, and lone surrogates are
    stored as U+FFFD, as the page shows them.

    Appends to one conversation are serialised (a transaction lock on the conversation),
    so its message numbers increase in commit order whichever worker commits.

    Raises :class:`PostgresStoreError` if the server cannot be reached or the schema
    cannot be made (within ``connect_timeout`` and ``statement_timeout`` seconds).
    """

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float = CONNECT_TIMEOUT,
        statement_timeout: float = STATEMENT_TIMEOUT,
    ) -> None:
        import psycopg  # the `postgres` extra: only this store needs it

        self._psycopg = psycopg
        self.url = redacted_url(url)
        self._passwords = _passwords(url)
        self._conninfo = url
        self._options: dict[str, Any] = {
            "autocommit": True,
            "connect_timeout": max(1, round(connect_timeout)),
            "options": f"-c statement_timeout={round(statement_timeout * 1000)}",
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 3,
            "tcp_user_timeout": round((connect_timeout + statement_timeout) * 1000),
            "application_name": "actorview-chat",
        }
        self._connection: psycopg.Connection[Any] | None = None
        self._lock = threading.Lock()
        self._batches = ThreadBatches()
        self.connections = 0
        """Connections made so far (more than one: a broken one was made again)."""
        with self._lock:
            self._call("create the schema", _make_schema, retry=True)

    def __repr__(self) -> str:
        return f"<PostgresHistoryStore {self.url}>"

    @property
    def trips(self) -> int:
        """Thread trips so far (each runs one batch); calls per trip show the batching."""
        return self._batches.trips

    async def load(self, conversation: str) -> list[Message]:
        rows = await self._read(f"load {conversation!r}", _SELECT, (conversation,))
        return [_message(*row) for row in rows]

    async def append(self, conversation: str, messages: Sequence[Message]) -> None:
        if messages:
            work = _append_work(conversation, tuple(messages))
            await self._run(f"append to {conversation!r}", work, transaction=True)

    async def clear(self, conversation: str) -> None:
        await self._write(f"clear {conversation!r}", (_CLEAR, (conversation,)))

    async def count(self, conversation: str) -> int:
        rows = await self._read(f"count {conversation!r}", _COUNT, (conversation,))
        return int(rows[0][0])

    async def before(self, conversation: str, seq: int | None, count: int) -> list[Numbered]:
        if seq is None:
            rows = await self._read(f"page {conversation!r}", _NEWEST, (conversation, count))
        else:
            rows = await self._read(f"page {conversation!r}", _BEFORE, (conversation, seq, count))
        return _numbered(reversed(rows))

    async def after(self, conversation: str, seq: int, count: int) -> list[Numbered]:
        rows = await self._read(f"page {conversation!r}", _AFTER, (conversation, seq, count))
        return _numbered(rows)

    async def at(self, conversation: str, offset: int, count: int) -> list[Numbered]:
        rows = await self._read(f"page {conversation!r}", _AT, (conversation, count, offset))
        return _numbered(rows)

    async def truncate(self, conversation: str, keep: int) -> None:
        args = (conversation, conversation, max(keep, 0))
        await self._write(f"truncate {conversation!r}", (_TRUNCATE, args))

    async def replace(self, conversation: str, keep: int, messages: Sequence[Message]) -> None:
        args = (conversation, conversation, max(keep, 0))
        append = _append_work(conversation, tuple(messages))

        def replace(connection: psycopg.Connection[Any]) -> None:
            connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (conversation,))
            connection.execute(_TRUNCATE, args)
            if messages:
                append(connection)  # (its lock again: held already, by this transaction)

        await self._run(f"replace in {conversation!r}", replace, transaction=True)

    async def start(self, owner: str) -> Conversation:
        started = Conversation(secrets.token_urlsafe(12), owner, "", time.time())
        await self._write("start a conversation", (_START, (started.id, owner, started.updated)))
        return started

    async def conversations(self, owner: str, limit: int = 100) -> list[Conversation]:
        rows = await self._read("list conversations", _LIST, (owner, limit))
        return [_conversation(*row) for row in rows]

    async def conversation(self, id: str) -> Conversation | None:
        rows = await self._read(f"read conversation {id!r}", _ONE, (id,))
        return _conversation(*rows[0]) if rows else None

    async def rename(self, id: str, title: str) -> None:
        if not title_of(title):
            raise ValueError(f"a conversation's title cannot be blank (got {title!r})")
        await self._write(f"rename {id!r}", (_RENAME, (title_of(title), id)))

    async def delete(self, id: str) -> None:
        statements = ((_CLEAR, (id,)), ("DELETE FROM conversations WHERE id = %s", (id,)))
        await self._write(f"delete {id!r}", *statements)

    def close(self) -> None:
        """Close the connection (sync: call it after the event loop has finished)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # -- in the worker thread ----------------------------------------------------------

    async def _read(self, what: str, sql: str, args: tuple[object, ...]) -> list[tuple[Any, ...]]:
        def query(connection: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
            return list(connection.execute(sql, args).fetchall())

        return await self._run(what, query, transaction=False)

    async def _write(self, what: str, *statements: tuple[str, tuple[object, ...]]) -> None:
        def write(connection: psycopg.Connection[Any]) -> None:
            for sql, args in statements:
                connection.execute(sql, args)

        await self._run(what, write, transaction=True)

    async def _run(
        self, what: str, work: Callable[[psycopg.Connection[Any]], T], *, transaction: bool
    ) -> T:
        """Run ``work`` with the connection in the worker thread, batched; in one
        transaction if ``transaction`` (committed, or rolled back if it raises)."""
        return await self._batches.run(self._locked, what, work, transaction)

    def _locked(
        self, what: str, work: Callable[[psycopg.Connection[Any]], T], transaction: bool
    ) -> T:
        with self._lock:
            return self._call(what, work, transaction=transaction, retry=not transaction)

    def _call(
        self,
        what: str,
        work: Callable[[psycopg.Connection[Any]], T],
        *,
        transaction: bool = True,
        retry: bool = False,
    ) -> T:
        """``work`` on a live connection, wrapped in a transaction if asked; errors as
        :class:`PostgresStoreError`. A connection found broken is replaced; the call is
        run again once on the new one if nothing it did can have been written: a read
        (``retry``), or a transaction whose ``BEGIN`` failed."""
        psycopg = self._psycopg
        for attempt in (1, 2):
            began = False
            try:
                connection = self._connected()
                if not transaction:
                    return work(connection)
                connection.execute("BEGIN")
                began = True
                try:
                    result = work(connection)
                except BaseException:
                    if not connection.broken:
                        connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
                return result
            except psycopg.OperationalError as error:
                broken = self._connection is None or self._connection.broken
                if broken:
                    self._drop()
                if broken and attempt == 1 and (retry or not began):
                    continue
                raise self._error(what, error) from None
            except psycopg.Error as error:
                raise self._error(what, error) from None
        raise AssertionError("unreachable")

    def _connected(self) -> psycopg.Connection[Any]:
        if self._connection is None or self._connection.closed:
            self._connection = None
            self._connection = self._psycopg.connect(self._conninfo, **self._options)
            self.connections += 1
        return self._connection

    def _drop(self) -> None:
        """Forget a broken connection: the next call connects again."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def _error(self, what: str, error: Exception) -> PostgresStoreError:
        reason = f"{type(error).__name__}: {str(error).strip()}"
        for password in self._passwords:
            reason = reason.replace(password, "***")
        return PostgresStoreError(self.url, what, reason)


def _make_schema(connection: psycopg.Connection[Any]) -> None:
    connection.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
    connection.execute(_SCHEMA)


def _append_work(
    conversation: str, messages: tuple[Message, ...]
) -> Callable[[psycopg.Connection[Any]], None]:
    # normalize_text: PostgreSQL's text holds no NUL, and a lone surrogate cannot be
    # encoded; the page shows the same text, normalised by its render.
    rows = [
        (conversation, m.role, normalize_text(m.text), m.stopped, normalize_text(m.failure))
        for m in messages
    ]
    first_prompt = next((m.text for m in messages if m.role == "user"), "")
    title = title_of(normalize_text(first_prompt))

    def append(connection: psycopg.Connection[Any]) -> None:
        connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (conversation,))
        with connection.cursor() as cursor:
            cursor.executemany(_INSERT, rows)
        connection.execute(_TOUCH, (time.time(), title, conversation))

    return append


def _numbered(rows: Any) -> list[Numbered]:
    return [(int(seq), _message(*message)) for seq, *message in rows]


def _message(role: str, text: str, stopped: bool, failure: str) -> Message:
    return Message("user" if role == "user" else "assistant", text, bool(stopped), failure)


def _conversation(id: str, owner: str, title: str, updated: float) -> Conversation:
    return Conversation(id, owner, title, float(updated))


_SELECT = "SELECT role, text, stopped, failure FROM messages WHERE conversation = %s ORDER BY seq"
_INSERT = (
    "INSERT INTO messages (conversation, role, text, stopped, failure) VALUES (%s, %s, %s, %s, %s)"
)
_CLEAR = "DELETE FROM messages WHERE conversation = %s"
_COLUMNS = "SELECT seq, role, text, stopped, failure FROM messages WHERE conversation = %s"
_COUNT = "SELECT count(*) FROM messages WHERE conversation = %s"
_NEWEST = f"{_COLUMNS} ORDER BY seq DESC LIMIT %s"
_BEFORE = f"{_COLUMNS} AND seq < %s ORDER BY seq DESC LIMIT %s"
_AFTER = f"{_COLUMNS} AND seq > %s ORDER BY seq LIMIT %s"
_AT = f"{_COLUMNS} ORDER BY seq LIMIT %s OFFSET %s"
"""The page queries, as the SQLite store's: ranges of the (conversation, seq) index."""

_TRUNCATE = (
    "DELETE FROM messages WHERE conversation = %s AND seq IN"
    " (SELECT seq FROM messages WHERE conversation = %s ORDER BY seq OFFSET %s)"
)
_START = "INSERT INTO conversations (id, owner, title, updated) VALUES (%s, %s, '', %s)"
_TOUCH = (
    "UPDATE conversations SET updated = %s,"
    " title = CASE WHEN title = '' THEN %s ELSE title END WHERE id = %s"
)
_CONVERSATION = "SELECT id, owner, title, updated FROM conversations"
_LIST = f"{_CONVERSATION} WHERE owner = %s ORDER BY updated DESC, made DESC LIMIT %s"
_ONE = f"{_CONVERSATION} WHERE id = %s"
_RENAME = "UPDATE conversations SET title = %s WHERE id = %s"
