"""Where committed chat messages live: outside the view actor, so a crash loses no history.

A view keeps no history items in memory (its history is a ``stream`` field), and a view
that crashes is restarted empty. So the chat writes each *committed* message (a user
message, a finished or stopped assistant reply) to a :class:`HistoryStore` before the
frame that shows it leaves the server, and a (re)started view loads its conversation
from the store before its first render. What a crash can lose is the uncommitted draft.

:class:`HistoryStore` is the small interface a deployment implements to keep history
elsewhere; :class:`SQLiteHistoryStore` is the default: stdlib ``sqlite3``, called from a
worker thread (``trio.to_thread.run_sync``) so the event loop never waits on the disk.

A user's conversations are listed by the same store: :meth:`HistoryStore.start` makes
one for an owner (an identity), :meth:`~HistoryStore.conversations` lists the owner's,
the most recently updated first, each titled from its first prompt until it is renamed.
Messages of a conversation the store did not start are kept too (tests and the library's
benchmarks name conversations freely); only started ones are listed.

A view shows a long conversation a page at a time (its history is a paged stream), so
the store also answers page queries by message number (``seq``, increasing in commit
order): the newest ``n`` before a number, the oldest ``n`` after one. Each is one range
scan of the ``(conversation, seq)`` index, however long the conversation.

Example::

    store = SQLiteHistoryStore("chat.sqlite3")
    await store.append("conversation-1", [Message("user", "hi")])
    assert await store.load("conversation-1") == [Message("user", "hi")]
    assert await store.before("conversation-1", None, 50) == [(1, Message("user", "hi"))]
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

from actorview.render import normalize_text
from demo_chat.messages import Conversation, Message
from demo_chat.thread_batches import ThreadBatches

T = TypeVar("T")

Numbered = tuple[int, Message]
"""A stored message with its number (``seq``): numbers increase in commit order."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    text TEXT NOT NULL,
    stopped INTEGER NOT NULL DEFAULT 0,
    failure TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation, seq);
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations (owner, updated);
"""

TITLE_LENGTH = 80
"""Characters of a conversation's title at most (a longer one is cut, with "…")."""


def title_of(text: str) -> str:
    """A conversation title from a prompt or a rename: its first non-blank line, spaces
    collapsed, cut to :data:`TITLE_LENGTH` characters."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    title = " ".join(line.split())
    if len(title) > TITLE_LENGTH:
        title = title[: TITLE_LENGTH - 1].rstrip() + "…"
    return title


@runtime_checkable
class HistoryStore(Protocol):
    """Committed messages per conversation, in commit order.

    Each method returns once the change is durable (for :class:`SQLiteHistoryStore`:
    committed to the database). If the calling task is cancelled meanwhile, the call
    still finishes its write before the cancellation is delivered, so a message is
    either stored whole or not at all.
    """

    async def load(self, conversation: str) -> list[Message]:
        """Every message of ``conversation``, oldest first (empty if unknown)."""
        ...

    async def append(self, conversation: str, messages: Sequence[Message]) -> None:
        """Add ``messages`` at the end of ``conversation``, all or none."""
        ...

    async def clear(self, conversation: str) -> None:
        """Forget every message of ``conversation``."""
        ...

    async def count(self, conversation: str) -> int:
        """How many messages ``conversation`` has."""
        ...

    async def before(self, conversation: str, seq: int | None, count: int) -> list[Numbered]:
        """The newest ``count`` messages numbered below ``seq`` (``None``: the newest of
        all), oldest first, with their numbers."""
        ...

    async def after(self, conversation: str, seq: int, count: int) -> list[Numbered]:
        """The oldest ``count`` messages numbered above ``seq``, oldest first."""
        ...

    async def at(self, conversation: str, offset: int, count: int) -> list[Numbered]:
        """``count`` messages from the ``offset``-th (0 is the oldest), oldest first. It
        walks ``offset`` index entries: use :meth:`before` / :meth:`after` from a known
        number where there is one."""
        ...

    async def truncate(self, conversation: str, keep: int) -> None:
        """Keep the oldest ``keep`` messages of ``conversation``, forget the others (a
        regenerated reply or an edited prompt replaces the turns after it)."""
        ...

    async def replace(self, conversation: str, keep: int, messages: Sequence[Message]) -> None:
        """Keep the oldest ``keep`` messages of ``conversation``, forget the others and
        add ``messages`` at the end, all in one transaction: all or none. An edited
        prompt or a regenerated reply replaces the turn after ``keep`` this way, so an
        append that fails (a full disk, a constraint) leaves the replaced turn stored."""
        ...

    # -- a user's conversations ---------------------------------------------------------

    async def start(self, owner: str) -> Conversation:
        """A new, empty, untitled conversation of ``owner``, named by a new unguessable
        id. Appending to it sets its ``updated`` time, and its first user message gives
        it its title (:func:`title_of`) while it has none."""
        ...

    async def conversations(self, owner: str, limit: int = 100) -> list[Conversation]:
        """``owner``'s conversations, the most recently updated first, at most
        ``limit``."""
        ...

    async def conversation(self, id: str) -> Conversation | None:
        """The conversation named ``id``, or ``None`` if none was started (or it was
        deleted). Callers check its ``owner`` before they show it."""
        ...

    async def rename(self, id: str, title: str) -> None:
        """Give conversation ``id`` the title ``title`` (through :func:`title_of`).

        Raises ValueError if the title is blank.
        """
        ...

    async def delete(self, id: str) -> None:
        """Forget conversation ``id`` and every message of it, all or none."""
        ...


class SQLiteHistoryStore:
    """A :class:`HistoryStore` in one SQLite database file (or ``":memory:"``).

    Message text is written normalised (:func:`actorview.normalize_text`): a lone
    surrogate, which SQLite's UTF-8 cannot hold, is stored as U+FFFD, as the page shows
    it, instead of failing the insert.

    One connection, in WAL mode with ``synchronous=NORMAL``: a commit survives a crash
    of the process; the last commits may be lost on a power failure. ``":memory:"``
    keeps the history across view crashes and reconnects but not across process
    restarts.

    Calls run in one worker thread at a time, in the order they were made, and every
    call that waits while one runs goes in the next thread trip together (one trip per
    batch, each call in its own transaction): :class:`~demo_chat.thread_batches.ThreadBatches`
    says why.
    """

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        _migrate(self._connection)
        self._connection.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._batches = ThreadBatches()

    @property
    def trips(self) -> int:
        """Thread trips so far (each runs one batch); calls per trip show the batching."""
        return self._batches.trips

    def __repr__(self) -> str:
        return f"<SQLiteHistoryStore {self.path!r}>"

    async def load(self, conversation: str) -> list[Message]:
        rows = await self._run(self._select, conversation)
        return [_message(*row) for row in rows]

    async def append(self, conversation: str, messages: Sequence[Message]) -> None:
        if messages:
            await self._run(self._insert, conversation, tuple(messages))

    async def clear(self, conversation: str) -> None:
        await self._run(self._delete, conversation)

    async def count(self, conversation: str) -> int:
        rows = await self._run(self._query, _COUNT, (conversation,))
        return int(rows[0][0])

    async def before(self, conversation: str, seq: int | None, count: int) -> list[Numbered]:
        if seq is None:
            rows = await self._run(self._query, _NEWEST, (conversation, count))
        else:
            rows = await self._run(self._query, _BEFORE, (conversation, seq, count))
        return _numbered(reversed(rows))

    async def after(self, conversation: str, seq: int, count: int) -> list[Numbered]:
        return _numbered(await self._run(self._query, _AFTER, (conversation, seq, count)))

    async def at(self, conversation: str, offset: int, count: int) -> list[Numbered]:
        return _numbered(await self._run(self._query, _AT, (conversation, count, offset)))

    async def truncate(self, conversation: str, keep: int) -> None:
        await self._run(self._write, _TRUNCATE, (conversation, conversation, max(keep, 0)))

    async def replace(self, conversation: str, keep: int, messages: Sequence[Message]) -> None:
        await self._run(self._replace, conversation, max(keep, 0), tuple(messages))

    async def start(self, owner: str) -> Conversation:
        started = Conversation(secrets.token_urlsafe(12), owner, "", time.time())
        await self._run(self._write, _START, (started.id, owner, started.updated))
        return started

    async def conversations(self, owner: str, limit: int = 100) -> list[Conversation]:
        rows = await self._run(self._query, _LIST, (owner, limit))
        return [_conversation(*row) for row in rows]

    async def conversation(self, id: str) -> Conversation | None:
        rows = await self._run(self._query, _ONE, (id,))
        return _conversation(*rows[0]) if rows else None

    async def rename(self, id: str, title: str) -> None:
        if not title_of(title):
            raise ValueError(f"a conversation's title cannot be blank (got {title!r})")
        await self._run(self._write, _RENAME, (title_of(title), id))

    async def delete(self, id: str) -> None:
        await self._run(self._forget, id)

    def close(self) -> None:
        """Close the database (sync: call it after the event loop has finished)."""
        with self._lock:
            self._connection.close()

    # -- in the worker thread ----------------------------------------------------------

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        """Run ``work(*args)`` in the worker thread, batched (:class:`ThreadBatches`)."""
        return await self._batches.run(work, *args)

    def _select(self, conversation: str) -> list[tuple[str, str, int, str]]:
        with self._lock:
            cursor = self._connection.execute(
                "SELECT role, text, stopped, failure FROM messages"
                " WHERE conversation = ? ORDER BY seq",
                (conversation,),
            )
            return list(cursor.fetchall())

    def _query(self, sql: str, args: tuple[object, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._connection.execute(sql, args).fetchall())

    def _insert(self, conversation: str, messages: tuple[Message, ...]) -> None:
        with self._lock, self._transaction():
            self._append_rows(conversation, messages)

    def _replace(self, conversation: str, keep: int, messages: tuple[Message, ...]) -> None:
        with self._lock, self._transaction():
            self._connection.execute(_TRUNCATE, (conversation, conversation, keep))
            if messages:
                self._append_rows(conversation, messages)

    def _append_rows(self, conversation: str, messages: tuple[Message, ...]) -> None:
        """Insert ``messages`` and touch the conversation, in the caller's transaction."""
        # normalize_text: a lone surrogate cannot be encoded for SQLite (the page shows
        # the same text, normalised by its render), so none ever reaches the insert.
        rows = [
            (
                conversation,
                m.role,
                normalize_text(m.text),
                int(m.stopped),
                normalize_text(m.failure),
            )
            for m in messages
        ]
        first_prompt = next((m.text for m in messages if m.role == "user"), "")
        self._connection.executemany(
            "INSERT INTO messages (conversation, role, text, stopped, failure)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        self._connection.execute(
            _TOUCH, (time.time(), title_of(normalize_text(first_prompt)), conversation)
        )

    def _delete(self, conversation: str) -> None:
        with self._lock, self._transaction():
            self._connection.execute("DELETE FROM messages WHERE conversation = ?", (conversation,))

    def _write(self, sql: str, args: tuple[object, ...]) -> None:
        with self._lock, self._transaction():
            self._connection.execute(sql, args)

    def _forget(self, id: str) -> None:
        with self._lock, self._transaction():
            self._connection.execute("DELETE FROM messages WHERE conversation = ?", (id,))
            self._connection.execute("DELETE FROM conversations WHERE id = ?", (id,))

    def _transaction(self) -> sqlite3.Connection:
        """BEGIN now; the connection, used as a context manager, commits or rolls back."""
        self._connection.execute("BEGIN")
        return self._connection


_COLUMNS = "SELECT seq, role, text, stopped, failure FROM messages WHERE conversation = ?"
_COUNT = "SELECT count(*) FROM messages WHERE conversation = ?"
_NEWEST = f"{_COLUMNS} ORDER BY seq DESC LIMIT ?"
_BEFORE = f"{_COLUMNS} AND seq < ? ORDER BY seq DESC LIMIT ?"
_AFTER = f"{_COLUMNS} AND seq > ? ORDER BY seq LIMIT ?"
_AT = f"{_COLUMNS} ORDER BY seq LIMIT ? OFFSET ?"
"""The page queries: each a range of the (conversation, seq) index, but ``_AT``, which
walks ``offset`` entries of it first (the fallback when no number is known)."""

_TRUNCATE = (
    "DELETE FROM messages WHERE conversation = ? AND seq IN"
    " (SELECT seq FROM messages WHERE conversation = ? ORDER BY seq LIMIT -1 OFFSET ?)"
)
_START = "INSERT INTO conversations (id, owner, title, updated) VALUES (?, ?, '', ?)"
_TOUCH = (
    "UPDATE conversations SET updated = ?, title = CASE WHEN title = '' THEN ? ELSE title END"
    " WHERE id = ?"
)
_CONVERSATION = "SELECT id, owner, title, updated FROM conversations"
_LIST = f"{_CONVERSATION} WHERE owner = ? ORDER BY updated DESC, rowid DESC LIMIT ?"
_ONE = f"{_CONVERSATION} WHERE id = ?"
_RENAME = "UPDATE conversations SET title = ? WHERE id = ?"


def _migrate(connection: sqlite3.Connection) -> None:
    """Bring a history file written before failed replies were kept up to date: its
    ``messages`` table gains the ``failure`` column (the conversations table is new and
    made by the schema)."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(messages)")}
    if columns and "failure" not in columns:
        connection.execute("ALTER TABLE messages ADD COLUMN failure TEXT NOT NULL DEFAULT ''")


def _numbered(rows: Iterable[tuple[Any, ...]]) -> list[Numbered]:
    return [(int(seq), _message(*message)) for seq, *message in rows]


def _message(role: str, text: str, stopped: int, failure: str) -> Message:
    return Message("user" if role == "user" else "assistant", text, bool(stopped), failure)


def _conversation(id: str, owner: str, title: str, updated: float) -> Conversation:
    return Conversation(id, owner, title, float(updated))
