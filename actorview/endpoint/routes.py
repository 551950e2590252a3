"""Routes: which view class answers which path, with named path parameters.

``Route("/chat/{room}", ChatView)`` matches ``/chat/lobby`` with ``{"room": "lobby"}``.
A parameter matches one non-empty path segment. Mistakes in a route table are raised when
the table is built, naming the route and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from actorview.endpoint.errors import RouteError

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_RESERVED_PREFIX = "/_av/"


@attrs.frozen
class Route:
    """A path pattern and the view class mounted for it.

    Attributes:
        path: e.g. ``"/"`` or ``"/rooms/{room}"``.
        view: the view class.
        name: identifies the route in join tokens; defaults to the view's class name.
        params: mount params every view of this route gets (configuration such as a
            model name); the path's parameters are added to them, and win on a clash.
        session_param: if set, the mount param that receives the id of the page's live
            session: stable across reconnects and restarts of the view, signed into the
            join token (a browser cannot choose it), new with each page load. A view
            uses it as the key of what it keeps outside itself (the chat's history).
    """

    path: str
    view: type
    name: str = attrs.field(default="")
    params: Mapping[str, Any] = attrs.field(factory=dict)
    session_param: str | None = None

    def mount_params(
        self, path_params: Mapping[str, str], session_id: str | None = None
    ) -> dict[str, Any]:
        params = {**self.params, **path_params}
        if self.session_param is not None and session_id is not None:
            params[self.session_param] = session_id
        return params

    def __attrs_post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.view.__name__)


@attrs.frozen
class _CompiledRoute:
    route: Route
    pattern: re.Pattern[str]


class Router:
    """Matches request paths to routes, in the order given."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = tuple(routes)
        self._compiled = tuple(_compile(route) for route in self.routes)
        self._by_name: dict[str, Route] = {}
        seen_paths: dict[str, Route] = {}
        for route in self.routes:
            if route.path in seen_paths:
                raise RouteError(
                    f"route {route.path!r} is declared twice ({seen_paths[route.path].name} "
                    f"and {route.name}); give each path one view"
                )
            if route.name in self._by_name:
                raise RouteError(
                    f"two routes are named {route.name!r}; pass name= to tell them apart"
                )
            seen_paths[route.path] = route
            self._by_name[route.name] = route

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        for compiled in self._compiled:
            found = compiled.pattern.fullmatch(path)
            if found is not None:
                return compiled.route, found.groupdict()
        return None

    def by_name(self, name: str) -> Route | None:
        return self._by_name.get(name)


def _compile(route: Route) -> _CompiledRoute:
    path = route.path
    if not path.startswith("/"):
        raise RouteError(f"route {path!r} for {route.name}: a path must start with '/'")
    if path.startswith(_RESERVED_PREFIX):
        raise RouteError(
            f"route {path!r} for {route.name}: paths under {_RESERVED_PREFIX} are "
            f"actorview's own (client script, socket); choose another path"
        )
    pattern, position = "", 0
    names: set[str] = set()
    for found in _PLACEHOLDER.finditer(path):
        name = found.group(1)
        if not name.isidentifier():
            raise RouteError(
                f"route {path!r} for {route.name}: {{{name}}} is not a valid parameter "
                f"name; use a Python identifier such as {{room}}"
            )
        if name in names:
            raise RouteError(f"route {path!r} for {route.name}: {{{name}}} appears twice")
        names.add(name)
        pattern += re.escape(path[position : found.start()]) + f"(?P<{name}>[^/]+)"
        position = found.end()
    pattern += re.escape(path[position:])
    if route.session_param is not None and route.session_param in names:
        raise RouteError(
            f"route {path!r} for {route.name}: session_param {route.session_param!r} is also "
            f"a path parameter; the session id would hide it, so name them apart"
        )
    return _CompiledRoute(route, re.compile(pattern))
