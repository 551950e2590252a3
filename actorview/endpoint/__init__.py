"""The endpoint: one port for server-rendered pages and live WebSocket connections.

Start with :class:`Application` and :class:`Route`; ``actorview.endpoint._server`` describes
the supervisor tree it builds and the modules behind it (the built-in server and the ASGI
adapter share one live-socket core), docs/PROTOCOL.md the frames on the socket and
docs/DEPLOYMENT.md the two ways to serve.
"""

from actorview.endpoint._answers import PageRequest
from actorview.endpoint._compression import Compression
from actorview.endpoint._context import Identify
from actorview.endpoint._errors import (
    BadFrame,
    EndpointError,
    JoinRefused,
    RouteError,
    SecretNotShared,
)
from actorview.endpoint._limits import Limits
from actorview.endpoint._routes import IDENTITY_COOKIE, Route, Router
from actorview.endpoint._server import SECRET_ENV, Application
from actorview.endpoint._tokens import TokenSigner, kept_secret, random_secret
from actorview.endpoint._workers import WorkerFailed, serve_workers
from actorview.view import ContextError, Identity, MountContext, QueryParams

__all__ = [
    "IDENTITY_COOKIE",
    "SECRET_ENV",
    "Application",
    "BadFrame",
    "Compression",
    "ContextError",
    "EndpointError",
    "Identify",
    "Identity",
    "JoinRefused",
    "Limits",
    "MountContext",
    "PageRequest",
    "QueryParams",
    "Route",
    "RouteError",
    "Router",
    "SecretNotShared",
    "TokenSigner",
    "WorkerFailed",
    "kept_secret",
    "random_secret",
    "serve_workers",
]
