"""The endpoint: one port for server-rendered pages and live WebSocket connections.

Start with :class:`Application` and :class:`Route`; ``actorview.endpoint.server`` describes
the supervisor tree it builds and the modules behind it (the built-in server and the ASGI
adapter share one live-socket core), docs/PROTOCOL.md the frames on the socket and
docs/DEPLOYMENT.md the two ways to serve.
"""

from actorview.endpoint.errors import BadFrame, EndpointError, JoinRefused, RouteError
from actorview.endpoint.limits import Limits
from actorview.endpoint.routes import Route, Router
from actorview.endpoint.server import Application
from actorview.endpoint.tokens import TokenSigner, kept_secret, random_secret

__all__ = [
    "Application",
    "BadFrame",
    "EndpointError",
    "JoinRefused",
    "Limits",
    "Route",
    "RouteError",
    "Router",
    "TokenSigner",
    "kept_secret",
    "random_secret",
]
