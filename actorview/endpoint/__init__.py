"""The endpoint: one port for server-rendered pages and live WebSocket connections.

Start with :class:`Application` and :class:`Route`; ``actorview.endpoint._server`` describes
the supervisor tree it builds and the modules behind it (the built-in server and the ASGI
adapter share one live-socket core), docs/PROTOCOL.md the frames on the socket and
docs/DEPLOYMENT.md the two ways to serve.
"""

from actorview.endpoint._compression import Compression
from actorview.endpoint._errors import BadFrame, EndpointError, JoinRefused, RouteError
from actorview.endpoint._limits import Limits
from actorview.endpoint._routes import Route, Router
from actorview.endpoint._server import SECRET_ENV, Application
from actorview.endpoint._tokens import TokenSigner, kept_secret, random_secret

__all__ = [
    "SECRET_ENV",
    "Application",
    "BadFrame",
    "Compression",
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
