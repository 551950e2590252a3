"""Shared test settings: quiet logs unless a test asks for them; Hypothesis's CI profile
(tests/profiles.py); a data directory of the tests' own; a PostgreSQL server for the
tests that need one.

``XDG_DATA_HOME`` points at a temporary directory for the whole run (subprocesses
inherit it): the chat demo keeps its secret and its default history file there, and
tests must never write the real home.
"""

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator

import pytest

from tests import profiles
from tests.logs import configure_quiet_logs

_DATA_HOME = tempfile.mkdtemp(prefix="actorview-tests-data-")
os.environ["XDG_DATA_HOME"] = _DATA_HOME
atexit.register(shutil.rmtree, _DATA_HOME, ignore_errors=True)

profiles.load()
configure_quiet_logs()


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One PostgreSQL server for the session (tests/services.py); tests take a database
    of their own from :func:`postgres_database`."""
    from tests.services import postgres_server

    with postgres_server(tmp_path_factory.mktemp("postgres")) as url:
        yield url


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[str]:
    """The URL of a new, empty database on the session's server, dropped afterwards."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
