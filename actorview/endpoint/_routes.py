"""Routes: which view class answers which path, with named path parameters.

``Route("/chat/{room}", ChatView)`` matches ``/chat/lobby`` with ``{"room": "lobby"}``.
A parameter matches one non-empty path segment. Mistakes in a route table are raised when
the table is built, naming the route and the fix.

A route chooses what of the request its views see besides the path and query: the
headers (``Route(..., headers=("accept-language",))``) and cookies it names, none by
default; they are signed into the page's join token with the rest of its
``MountContext``, which the page's scripts can read, so name only what a page may know.

A route also says how its sessions' views are supervised: each view has its own restart
intensity and backoff (``Route("/", ChatView, max_restarts=3, period=5.0)``), so one
session's crash loop stops that session's view alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import attrs
import trio

from actorview.endpoint._errors import RouteError
from actorview.supervisor import Backoff, ChildEvent, ChildSpec, Restart, StartFunction

H = TypeVar("H")

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""An HTTP token (RFC 9110): what a header or cookie name may be."""
_SECRET_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})

IDENTITY_COOKIE = "av_identity"
"""The cookie that keeps actorview's anonymous identity (signed; HttpOnly)."""
_RESERVED_PREFIX = "/_av/"

VIEW_BACKOFF = Backoff(initial=0.1, factor=2.0, max=10.0, jitter=0.25)
"""The default wait before a session's view is started again: 0.1 s after a crash (the
page is back at once, to the eye), doubling while its starts keep failing, up to 10 s."""
DEPENDENCY_ERRORS: tuple[type[Exception], ...] = (ConnectionError, TimeoutError, trio.TooSlowError)
"""Errors of a view's start (its ``on_start``) that mean a service it needs is down: its
page shows that it waits, and it is tried again with the backoff until it comes up."""


def _lower_names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(name).lower() for name in names)


def _names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(names)


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
        max_restarts, period: each session's view may be restarted at most
            ``max_restarts`` times in any ``period`` seconds (default 3 in 5 s; a restart
            whose start fails again counts). One more crash stops that view for good: its
            page shows an error with "Try again" (a reload, which mounts a fresh view).
            Counted per session: no other session, and nothing above the sessions, is
            restarted or stopped because of it.
        backoff: the wait before each restart (:data:`VIEW_BACKOFF` by default).
        waits_on: errors of a failed start (``on_start``) that mean a dependency is
            down (:data:`DEPENDENCY_ERRORS` by default; add your store's own). Such a
            view is tried again with the backoff for as long as its session lives, while
            its page shows that it waits, and counted in no restart intensity.
        headers: request headers the view's :class:`~actorview.view.MountContext` gets
            (``("accept-language",)``; names in any case, kept in lower case). None by
            default; never ``cookie`` or ``authorization`` (they would be copied into the
            join token, readable by the page's scripts: name cookies in ``cookies``).
        cookies: cookies the view's context gets, by name (``("theme",)``). None by
            default; never actorview's own identity cookie (the context has the
            identity itself).
    """

    path: str
    view: type
    name: str = attrs.field(default="")
    params: Mapping[str, Any] = attrs.field(factory=dict)
    session_param: str | None = None
    max_restarts: int = 3
    period: float = 5.0
    backoff: Backoff = VIEW_BACKOFF
    waits_on: tuple[type[Exception], ...] = DEPENDENCY_ERRORS
    headers: tuple[str, ...] = attrs.field(default=(), converter=_lower_names)
    cookies: tuple[str, ...] = attrs.field(default=(), converter=_names)

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
        self._check_supervision()
        self._check_request_parts()

    def _check_request_parts(self) -> None:
        for header in self.headers:
            if header in _SECRET_HEADERS:
                raise RouteError(
                    f"route {self.path!r} for {self.name}: headers=({header!r},) would copy "
                    f"it into the join token, which the page's scripts can read; pass the "
                    f"cookies the view needs by name in cookies=(...), and the user through "
                    f"the application's identity (Application(identify=...))"
                )
            if not header or not _TOKEN.fullmatch(header):
                raise RouteError(
                    f"route {self.path!r} for {self.name}: {header!r} is not a header "
                    f"name; write it as sent, e.g. 'accept-language'"
                )
        for cookie in self.cookies:
            if not isinstance(cookie, str) or not _TOKEN.fullmatch(cookie):
                raise RouteError(
                    f"route {self.path!r} for {self.name}: {cookie!r} is not a cookie name"
                )
            if cookie == IDENTITY_COOKIE:
                raise RouteError(
                    f"route {self.path!r} for {self.name}: {IDENTITY_COOKIE!r} is "
                    f"actorview's identity cookie; read self.context.identity instead"
                )

    def view_spec(
        self,
        child_id: str,
        start: StartFunction[H],
        observer: Callable[[ChildEvent], object] | None,
    ) -> ChildSpec[H]:
        """The child spec of one session's view: transient (a view that returns is done),
        with this route's restart intensity, backoff and dependency errors."""
        return ChildSpec(
            child_id,
            start,
            restart=Restart.TRANSIENT,
            shutdown=2.0,
            max_restarts=self.max_restarts,
            period=self.period,
            backoff=self.backoff,
            waits_on=self.waits_on,
            observer=observer,
        )

    def _check_supervision(self) -> None:
        if not isinstance(self.max_restarts, int) or isinstance(self.max_restarts, bool):
            raise RouteError(
                f"route {self.path!r} for {self.name}: max_restarts must be an int >= 0 "
                f"(each session's own restart intensity), not {self.max_restarts!r}"
            )
        try:
            self.view_spec("route", _no_start, None)
        except (ValueError, TypeError) as error:
            raise RouteError(f"route {self.path!r} for {self.name}: {error}") from None


async def _no_start(*, task_status: trio.TaskStatus[None]) -> None:
    """Stands in for a view's start where a route checks its supervision options."""


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
