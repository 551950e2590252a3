"""Run a directory's tests on both transports: the built-in server and ASGI (hypercorn).

A conftest imports :func:`parametrize_transport` as its ``pytest_generate_tests`` and
:func:`transport` as a fixture; a test marked ``builtin_only(reason)`` (about our own
HTTP parser or WebSocket layer, which under ASGI are the server's) runs on the built-in
server alone.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest

from tests.endpoint import harness


def parametrize_transport(metafunc: pytest.Metafunc) -> None:
    """Both transports for an async test of a module that serves (imports ``running``);
    one run for the rest (unit tests of tokens, routes, frames), which no server sees."""
    if "transport" not in metafunc.fixturenames:
        return
    serves = getattr(metafunc.module, "running", None) is harness.running
    if not serves or not inspect.iscoroutinefunction(metafunc.function):
        return
    only = metafunc.definition.get_closest_marker("builtin_only")
    chosen = ("builtin",) if only is not None else harness.TRANSPORTS
    metafunc.parametrize("transport", chosen, indirect=True)


@pytest.fixture(autouse=True)
def transport(request: pytest.FixtureRequest) -> Iterator[harness.Transport]:
    """The transport ``harness.running`` serves this test on."""
    chosen: harness.Transport = getattr(request, "param", "builtin")
    before, harness.transport = harness.transport, chosen
    yield chosen
    harness.transport = before
