"""Fixtures of the optimistic transpiler's tests: one node process for the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.optimistic.node import Node


@pytest.fixture(scope="session")
def node() -> Iterator[Node]:
    runner = Node()
    yield runner
    runner.close()
