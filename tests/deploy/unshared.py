"""An ASGI application with no secret of its own (hypercorn imports ``app``): under
``-w 2`` each worker would sign with a random one."""

from __future__ import annotations

from tests.deploy.apps import counter_app

app = counter_app(None)
