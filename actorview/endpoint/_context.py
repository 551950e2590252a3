"""The request context of a view: built from the page's request, checked at the join.

At page render, :meth:`Identities.page_context` makes the view's
:class:`~actorview.view.MountContext` from the request: its path and query, the path
params, the cookies and headers the route names, the client address, and the identity,
found in this order:

1. ``Application(identify=...)``: a callable from the request (a ``PageRequest``, with
   the ASGI ``scope`` under ASGI) to an :class:`~actorview.view.Identity`, or None for
   "nobody signed in"; sync or async. When given, it alone decides.
2. ASGI ``scope["user"]`` when it is authenticated (Starlette's
   ``AuthenticationMiddleware``): its ``identity`` (else ``display_name``) is the id,
   its ``display_name`` the name.
3. ``Application(session_keys=(...))``: the values of these keys of the Starlette
   session (``scope["session"]``, ``SessionMiddleware``) become the identity's claims
   (under 2 too); with no authenticated user, the first key's value is the id.
4. Otherwise actorview's anonymous identity: a random id kept in the signed cookie
   :data:`~actorview.endpoint._routes.IDENTITY_COOKIE` (HttpOnly, SameSite=Lax, Secure
   over https, a year), set by the page's response when the request had none, so it is
   stable across reloads.

The context is signed into the join token (``"c"``), which must fit in a join frame:
:func:`check_fits` refuses a context past half of ``Limits.max_frame_bytes`` at render
(the page is a 500, logged), naming its largest part. At the join,
:meth:`Identities.check_join` compares the token's identity with the socket's request:
a socket signed in as someone else (or no longer signed in), or carrying another
anonymous cookie, is refused. A socket that carries no identity cookie at all joins on
its token alone (the token is the page's credential, for its ``ttl``).
"""

from __future__ import annotations

import inspect
import json
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import attrs

from actorview.endpoint._errors import JoinRefused
from actorview.endpoint._routes import IDENTITY_COOKIE, Route
from actorview.endpoint._tokens import TokenSigner
from actorview.logging import get_logger
from actorview.view import ContextError, Identity, MountContext, QueryParams

IDENTITY_MAX_AGE = 365 * 24 * 3600
"""Seconds the anonymous identity cookie is kept: a year, renewed by no request."""

_log = get_logger(component="endpoint")


class RequestParts(Protocol):
    """What the context is built from: the endpoint's ``PageRequest``."""

    @property
    def path(self) -> str: ...
    @property
    def query(self) -> str: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def client(self) -> str: ...
    @property
    def root_path(self) -> str: ...
    @property
    def scheme(self) -> str: ...
    @property
    def scope(self) -> Mapping[str, Any] | None: ...


Identify = Callable[[Any], "Identity | Awaitable[Identity | None] | None"]
"""``Application(identify=...)``: the request (a ``PageRequest``) to its identity, or
None when nobody is signed in; may be async."""


def parse_cookies(header: str | None) -> dict[str, str]:
    """The cookies of a ``Cookie`` header, by name (the first of a repeated name wins,
    as browsers send the most specific path first); quoted values unquoted."""
    found: dict[str, str] = {}
    for part in (header or "").split(";"):
        name, eq, value = part.strip().partition("=")
        if not eq or not name:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        found.setdefault(name.strip(), value)
    return found


@attrs.frozen
class PageContext:
    """What a page render gets: the view's context, and the ``Set-Cookie`` value of a
    new anonymous identity (None when the request had one, or the host decided)."""

    context: MountContext
    set_cookie: str | None


@attrs.frozen
class Identities:
    """How the application finds who a request is for (see the module docstring)."""

    signer: TokenSigner
    identify: Identify | None = None
    session_keys: tuple[str, ...] = ()

    async def host_identity(self, request: RequestParts) -> Identity | None:
        """The identity the host application established for ``request``, or None.
        Raises what ``identify`` raises, and :class:`ContextError` for an identity that
        does not fit."""
        if self.identify is not None:
            found = self.identify(request)
            if inspect.isawaitable(found):
                found = await found
            if found is not None and not isinstance(found, Identity):
                raise ContextError(
                    f"Application(identify=...) returned {type(found).__name__}; return an "
                    "actorview.Identity(id, name=..., claims=...) or None"
                )
            return found
        scope = request.scope or {}
        claims = _session_claims(scope.get("session"), self.session_keys)
        user = _authenticated_user(scope.get("user"))
        if user is not None:
            user_id, name = user
            return Identity(user_id, name, claims)
        stored = claims.get(self.session_keys[0]) if self.session_keys else None
        if isinstance(stored, str | int) and not isinstance(stored, bool) and str(stored):
            return Identity(str(stored), None, claims)
        return None

    def cookie_identity(self, request: RequestParts) -> Identity | None:
        """The anonymous identity of the request's signed cookie, if it has a genuine one."""
        value = parse_cookies(request.headers.get("cookie")).get(IDENTITY_COOKIE)
        if value is None:
            return None
        identity_id = self.signer.verify_identity(value)
        return None if identity_id is None else Identity(identity_id, anonymous=True)

    async def page_context(
        self, route: Route, path_params: Mapping[str, str], request: RequestParts
    ) -> PageContext:
        """The context of a page of ``route`` rendered for ``request``."""
        identity = await self.host_identity(request)
        set_cookie = None
        if identity is None:
            identity = self.cookie_identity(request)
        if identity is None:
            identity = Identity(secrets.token_urlsafe(18), anonymous=True)
            set_cookie = self._cookie(identity.id, request)
        cookies = parse_cookies(request.headers.get("cookie"))
        headers = request.headers
        context = MountContext(
            path=request.path,
            path_params=path_params,
            query=QueryParams.parse(request.query),
            cookies={name: cookies[name] for name in route.cookies if name in cookies},
            headers={name: headers[name] for name in route.headers if name in headers},
            client=request.client,
            identity=identity,
            root_path=request.root_path,
        )
        return PageContext(context, set_cookie)

    async def check_join(self, claimed: Identity, request: RequestParts | None) -> None:
        """Refuse (:class:`JoinRefused`) a socket whose request is not for ``claimed``,
        the identity its token's page was rendered for."""
        if request is None:
            return
        try:
            host = await self.host_identity(request)
        except Exception:
            _log.exception("endpoint.identify_failed", path=request.path[:200])
            raise JoinRefused("the server could not tell who this socket is for") from None
        if not claimed.anonymous:
            if host is None or host.id != claimed.id:
                raise JoinRefused(
                    "join token is for another user than this socket's (signed out or "
                    "switched): reload the page"
                )
            return
        if host is not None:
            raise JoinRefused(
                "join token is for an anonymous visitor, but this socket is signed in: "
                "reload the page"
            )
        cookie = self.cookie_identity(request)
        if cookie is not None and cookie.id != claimed.id:
            raise JoinRefused(
                "join token is for another browser's identity than this socket's cookie: "
                "reload the page"
            )

    def _cookie(self, identity_id: str, request: RequestParts) -> str:
        secure = "; Secure" if request.scheme in ("https", "wss") else ""
        return (
            f"{IDENTITY_COOKIE}={self.signer.sign_identity(identity_id)}; "
            f"Path={request.root_path or '/'}; Max-Age={IDENTITY_MAX_AGE}; HttpOnly; "
            f"SameSite=Lax{secure}"
        )


def claimed_context(
    raw: Mapping[str, Any] | None, path: str, path_params: Mapping[str, str]
) -> MountContext:
    """The context a join token carries (``JoinClaims.context``); a token signed
    without one gets a blank context of its page. Raises :class:`JoinRefused` if the
    signed claim is not a context (a token of an incompatible version)."""
    if raw is None:
        return MountContext(path=path, path_params=path_params)
    try:
        return MountContext.from_json(dict(raw))
    except ContextError as error:
        raise JoinRefused(f"join token's context is not readable ({error}): reload") from None


def check_fits(context: MountContext, *, view: str, max_bytes: int) -> dict[str, Any]:
    """The context's JSON if it is at most ``max_bytes`` (half a join frame: the other
    half is the frame's own fields and the page's URL). Raises :class:`ContextError`
    naming the view, the largest part and the fix otherwise."""
    claim = context.to_json()
    size = _size(claim)
    if size <= max_bytes:
        return claim
    parts: dict[str, int] = {"identity": _size(claim["id"]), "query string": _size(claim.get("q"))}
    parts.update({f"header {name!r}": len(value) for name, value in context.headers.items()})
    parts.update({f"cookie {name!r}": len(value) for name, value in context.cookies.items()})
    parts["path"] = len(context.path)
    largest = max(parts, key=parts.__getitem__)
    raise ContextError(
        f"{view}: the request context is {size} bytes of JSON, more than the {max_bytes} a "
        f"join frame leaves for it (half of Limits.max_frame_bytes); its largest part is the "
        f"{largest} ({parts[largest]} bytes). Pass fewer or smaller headers and cookies in "
        f"the Route, keep the identity's claims small, or raise Limits.max_frame_bytes"
    )


def _size(value: object) -> int:
    return 0 if value is None else len(json.dumps(value, separators=(",", ":")).encode())


def _authenticated_user(user: object) -> tuple[str, str | None] | None:
    """The id and display name of a Starlette-style user that is authenticated."""
    if user is None or getattr(user, "is_authenticated", False) is not True:
        return None
    name = _attribute(user, "display_name")
    user_id = _attribute(user, "identity") or name
    if not user_id:
        return None
    return user_id, name or None


def _attribute(user: object, name: str) -> str | None:
    try:
        value = getattr(user, name, None)
    except NotImplementedError:  # Starlette's BaseUser leaves them abstract
        return None
    return value if isinstance(value, str) else None


def _session_claims(session: object, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(session, Mapping):
        return {}
    return {key: session[key] for key in keys if key in session}
