"""Where committed chat messages live: outside the view actor, so a crash loses no history.

A view keeps no history items in memory (its history is a ``stream`` field), and a view
that crashes is restarted empty. So the chat writes each *committed* message (a user
message, a finished or stopped assistant reply) to a :class:`HistoryStore` before the
frame that shows it leaves the server, and a (re)started view loads its conversation
from the store before its first render. What a crash can lose is the uncommitted draft.

:class:`HistoryStore` is the small interface a deployment implements to keep history
elsewhere; :class:`SQLiteHistoryStore` is the default: stdlib ``sqlite3``, called from a
worker thread (``trio.to_thread.run_sync``) so the event loop never waits on the disk.

Example::

    store = SQLiteHistoryStore("chat.sqlite3")
    await store.append("conversation-1", [Message("user", "hi")])
    assert await store.load("conversation-1") == [Message("user", "hi")]
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar, runtime_checkable

import trio

from demo_chat.messages import Message

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    text TEXT NOT NULL,
    stopped INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation, seq);
"""


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


class SQLiteHistoryStore:
    """A :class:`HistoryStore` in one SQLite database file (or ``":memory:"``).

    One connection, used by one worker thread at a time (a capacity limiter of 1 and a
    lock), in WAL mode with ``synchronous=NORMAL``: a commit survives a crash of the
    process; the last commits may be lost on a power failure. ``":memory:"`` keeps the
    history across view crashes and reconnects but not across process restarts.
    """

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._limiter = trio.CapacityLimiter(1)

    def __repr__(self) -> str:
        return f"<SQLiteHistoryStore {self.path!r}>"

    async def load(self, conversation: str) -> list[Message]:
        rows = await self._run(self._select, conversation)
        return [_message(role, text, stopped) for role, text, stopped in rows]

    async def append(self, conversation: str, messages: Sequence[Message]) -> None:
        if messages:
            await self._run(self._insert, conversation, tuple(messages))

    async def clear(self, conversation: str) -> None:
        await self._run(self._delete, conversation)

    def close(self) -> None:
        """Close the database (sync: call it after the event loop has finished)."""
        with self._lock:
            self._connection.close()

    # -- in the worker thread ----------------------------------------------------------

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        return await trio.to_thread.run_sync(work, *args, limiter=self._limiter)

    def _select(self, conversation: str) -> list[tuple[str, str, int]]:
        with self._lock:
            cursor = self._connection.execute(
                "SELECT role, text, stopped FROM messages WHERE conversation = ? ORDER BY seq",
                (conversation,),
            )
            return list(cursor.fetchall())

    def _insert(self, conversation: str, messages: tuple[Message, ...]) -> None:
        rows = [(conversation, m.role, m.text, int(m.stopped)) for m in messages]
        with self._lock, self._transaction():
            self._connection.executemany(
                "INSERT INTO messages (conversation, role, text, stopped) VALUES (?, ?, ?, ?)",
                rows,
            )

    def _delete(self, conversation: str) -> None:
        with self._lock, self._transaction():
            self._connection.execute("DELETE FROM messages WHERE conversation = ?", (conversation,))

    def _transaction(self) -> sqlite3.Connection:
        """BEGIN now; the connection, used as a context manager, commits or rolls back."""
        self._connection.execute("BEGIN")
        return self._connection


def _message(role: str, text: str, stopped: int) -> Message:
    return Message("user" if role == "user" else "assistant", text, bool(stopped))
