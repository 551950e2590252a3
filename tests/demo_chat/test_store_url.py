"""``--history-db``: which store a URL names, what a bad one says, and the default file
in the user's data directory (here the tests' own: tests/conftest.py sets XDG_DATA_HOME)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from demo_chat.__main__ import HISTORY_FILE, main, parse_args
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.messages import Message
from demo_chat.postgres_store import PostgresHistoryStore
from demo_chat.store_url import HistoryStoreUnavailable, open_history_store
from tests.browser.demo import stop


@pytest.mark.parametrize("url", [":memory:", "sqlite://", "sqlite:///:memory:"])
def test_memory_is_named_three_ways(url: str) -> None:
    store = open_history_store(url)
    assert isinstance(store, SQLiteHistoryStore) and store.path == ":memory:"
    store.close()


def test_a_sqlite_url_or_a_plain_path_is_a_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for url, path in (
        ("sqlite:///relative.sqlite3", "relative.sqlite3"),
        (f"sqlite:///{tmp_path}/absolute.sqlite3", f"{tmp_path}/absolute.sqlite3"),
        (str(tmp_path / "plain.sqlite3"), str(tmp_path / "plain.sqlite3")),
        ("plain-relative.sqlite3", "plain-relative.sqlite3"),
    ):
        store = open_history_store(url)
        assert isinstance(store, SQLiteHistoryStore) and store.path == path, url
        store.close()
        assert Path(path).is_file(), url


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
async def test_a_postgresql_url_is_the_postgresql_store(
    scheme: str, postgres_database: str
) -> None:
    store = open_history_store(postgres_database.replace("postgresql", scheme, 1))
    try:
        assert isinstance(store, PostgresHistoryStore)
        await store.append("c", [Message("user", "kept in PostgreSQL")])
        assert await store.count("c") == 1
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "shown", "says"),
    [
        ("mysql://me:pw123@db/chat", "mysql://me:***@db/chat", "not a history store URL"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0", "scheme 'redis'"),
        ("sqlite://host/chat.db", "sqlite://host/chat.db", "three slashes"),
        ("", "''", "an empty history store URL"),
    ],
)
def test_a_url_naming_no_store_is_refused_naming_it_and_the_forms(
    url: str, shown: str, says: str
) -> None:
    with pytest.raises(HistoryStoreUnavailable) as raised:
        open_history_store(url)
    message = str(raised.value)
    assert message.startswith(f"{shown}: ") and says in message
    assert "pw123" not in message
    if url and not url.startswith("sqlite"):
        assert "postgresql://USER:PASSWORD@HOST:PORT/DB, sqlite:///PATH" in message


def test_the_demo_refuses_a_bad_history_url_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--history-db", "mysql://me:pw123@db/chat", "--data-dir", str(tmp_path)]) == 2
    printed = capsys.readouterr().err
    assert printed.count("\n") == 1
    assert printed.startswith("--history-db mysql://me:***@db/chat: not a history store URL")


def test_the_history_defaults_to_a_file_in_the_users_data_directory() -> None:
    data_home = os.environ["XDG_DATA_HOME"]
    assert not data_home.startswith(str(Path.home() / ".local")), "tests/conftest.py sets it"
    args = parse_args([])
    assert args.data_dir == Path(data_home) / "actorview-chat"
    assert args.history_db == str(args.data_dir / HISTORY_FILE)
    assert parse_args(["--data-dir", "/srv/chat"]).history_db == f"/srv/chat/{HISTORY_FILE}"
    assert parse_args(["--history-db", ":memory:"]).history_db == ":memory:"


def test_the_first_command_keeps_the_history_in_the_data_directory_and_says_so() -> None:
    """``python -m demo_chat`` (the README's first command, flags for a free port aside)."""
    environment = {k: v for k, v in os.environ.items() if k != "ACTORVIEW_SECRET"}
    process = subprocess.Popen(
        [sys.executable, "-m", "demo_chat", "--port", "0", "--log-level", "WARNING"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )
    assert process.stdout is not None
    try:
        assert process.stdout.readline().startswith("actorview chat: http://127.0.0.1:")
        expected = Path(os.environ["XDG_DATA_HOME"]) / "actorview-chat" / HISTORY_FILE
        assert process.stdout.readline() == f"actorview chat: history in {expected}\n"
        assert expected.is_file()
    finally:
        stop(process)
    assert process.returncode == 0
