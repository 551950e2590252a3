"""Application factories a worker process builds (picklable: module level)."""

from __future__ import annotations

from actorview.endpoint import Application, Route
from tests.endpoint.harness import Counter


def counter_app(secret: str | None) -> Application:
    """The harness's counter, signed with ``secret`` (None: a random one)."""
    return Application([Route("/", Counter)], secret=None if secret is None else secret.encode())
