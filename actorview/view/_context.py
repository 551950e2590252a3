"""What a view knows of the request that mounted it: :class:`MountContext` and its parts.

A view reaches it as ``self.context`` (from ``mount`` on, in ``load`` and later) and, if
its ``mount`` takes a second parameter, as ``mount(self, params, context)``. The endpoint
builds it from the page's request (``actorview.endpoint._context``) and signs it into the
join token, so a live view, a view restarted by its supervisor and a view mounted again
after a server restart all get exactly the context the page was rendered with. The test
client takes one (``mount(View, context=MountContext(...))``).

Every value here is JSON-able (:meth:`MountContext.to_json`, :meth:`MountContext.from_json`
give the token's claim back exactly) and bounded: an :class:`Identity` is at most
:data:`MAX_IDENTITY_BYTES` of JSON, and the endpoint bounds the whole context
(``Limits``) when the page is rendered, never mid-session. The guide is docs/DEPLOYMENT.md
("The request and the user in mount").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from actorview.errors import ActorViewError

MAX_IDENTITY_BYTES = 2048
"""The largest identity, as compact JSON: an id, a display name and a few claims (a
role, a tenant), not a profile. Larger ones are refused (:class:`ContextError`)."""
MAX_ID_CHARS = 200

JsonValue = None | bool | int | float | str | list[Any] | dict[str, Any]


class ContextError(ActorViewError, ValueError):
    """A request context or identity does not fit: it is not JSON-able, or too big.

    The message names the part (``identity claims``, ``header 'accept-language'``...)
    and what to do instead. The endpoint raises it when it renders the page, so the
    page is an error (500, logged with the route and view), never a live session.
    """


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen
class Identity:
    """Who the page is for: a small JSON-able value, at most :data:`MAX_IDENTITY_BYTES`.

    Attributes:
        id: a stable id (at most :data:`MAX_ID_CHARS` characters): the host
            application's user id, or, with ``anonymous``, actorview's own random id kept
            in a signed cookie (stable across reloads of the same browser).
        name: a display name, if the host application has one.
        claims: a few more JSON values the host application chose (its session's keys,
            a role); read-only.
        anonymous: the host application established no user; ``id`` is actorview's
            cookie id.

    Raises :class:`ContextError` if ``id`` is empty or too long, or the whole is not
    JSON or larger than :data:`MAX_IDENTITY_BYTES`.
    """

    id: str
    name: str | None = None
    claims: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_mapping)
    anonymous: bool = False

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id or len(self.id) > MAX_ID_CHARS:
            raise ContextError(
                f"an identity's id must be a non-empty string of at most {MAX_ID_CHARS} "
                f"characters, not {str(self.id)[:40]!r}; return the user's stable id"
            )
        if self.name is not None and not isinstance(self.name, str):
            raise ContextError(f"identity {self.id!r}: name must be a string or None")
        try:
            size = len(json.dumps(self.to_json(), separators=(",", ":")).encode())
        except (TypeError, ValueError) as error:
            raise ContextError(
                f"identity {self.id!r}: its claims must be JSON values ({error}); "
                "keep strings, numbers, booleans, lists and dicts there"
            ) from None
        if size > MAX_IDENTITY_BYTES:
            raise ContextError(
                f"identity {self.id!r} is {size} bytes of JSON, more than "
                f"{MAX_IDENTITY_BYTES}: keep its claims to a few ids and names (load the "
                "rest in the view's load() from its id)"
            )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.name is not None:
            out["name"] = self.name
        if self.claims:
            out["claims"] = dict(self.claims)
        if self.anonymous:
            out["anonymous"] = True
        return out

    @classmethod
    def from_json(cls, raw: object) -> Identity:
        """The identity :meth:`to_json` gave. Raises :class:`ContextError` if ``raw``
        is not one."""
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise ContextError("not an identity")
        claims = raw.get("claims", {})
        if not isinstance(claims, dict):
            raise ContextError("an identity's claims must be an object")
        name = raw.get("name")
        return cls(
            raw["id"], name if isinstance(name, str) else None, claims, raw.get("anonymous") is True
        )


ANONYMOUS = Identity("anonymous", anonymous=True)
"""The identity of a context made without a request (a test's default)."""


def _pairs(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(key), str(value)) for key, value in pairs)


@attrs.frozen
class QueryParams(Mapping[str, str]):
    """The query string's parameters, read-only and multi-valued, in their order.

    As a mapping, a name gives its last value (as Starlette's ``QueryParams``);
    :meth:`get_all` gives every value. ``QueryParams.parse("a=1&a=2&b=")`` holds
    ``("a", "1"), ("a", "2"), ("b", "")``.
    """

    items_: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)

    @classmethod
    def parse(cls, query: str) -> QueryParams:
        """The parameters of a query string (without ``?``), percent-decoded, blank
        values kept."""
        from urllib.parse import parse_qsl

        return cls(parse_qsl(query, keep_blank_values=True))

    def get_all(self, name: str) -> tuple[str, ...]:
        return tuple(value for key, value in self.items_ if key == name)

    def __getitem__(self, name: str) -> str:
        values = self.get_all(name)
        if not values:
            raise KeyError(name)
        return values[-1]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(key for key, _ in self.items_))

    def __len__(self) -> int:
        return len(dict.fromkeys(key for key, _ in self.items_))

    def __repr__(self) -> str:
        return f"QueryParams({list(self.items_)!r})"


def _str_mapping(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType({str(k): str(v) for k, v in value.items()})


QueryLike = str | QueryParams | Iterable[tuple[str, str]] | Mapping[str, str]
"""A query: a query string (without ``?``), :class:`QueryParams`, pairs or a mapping."""


def _query(value: QueryLike) -> QueryParams:
    if isinstance(value, QueryParams):
        return value
    if isinstance(value, str):
        return QueryParams.parse(value)
    if isinstance(value, Mapping):
        return QueryParams(value.items())
    return QueryParams(value)


@attrs.frozen
class MountContext:
    """The request a view was mounted for, and who it is for. Read-only.

    Attributes:
        path: the page's path within the application (its mount prefix taken off).
        path_params: the route's path parameters (``{"conversation": "42"}``).
        query: the query parameters (:class:`QueryParams`; a query string, a mapping
            or pairs are converted).
        cookies: the cookies the route chose to pass (``Route(cookies=("theme",))``;
            none by default: the join token is readable by the page's scripts, so an
            HttpOnly session cookie must never be copied into it).
        headers: the request headers the route chose to pass, by lower-case name
            (``Route(headers=("accept-language",))``; none by default).
        client: the client's IP address ("" if unknown).
        identity: who the page is for (:class:`Identity`): the host application's user,
            or actorview's anonymous cookie identity.
        root_path: the prefix the application is mounted under (ASGI's ``root_path``,
            ``serve(root_path=...)``; "" at the root). ``path`` and live navigation are
            within the application; an ``href`` a view renders starts with it
            (``f"{self.context.root_path}/c/{id}"``), or a link followed without live
            navigation (a new tab, before the socket joins) leaves the application.

    A view reads it as ``self.context``; ``MountContext()`` is a blank one (path ``/``,
    the :data:`ANONYMOUS` identity), and ``attrs.evolve`` makes a changed copy.
    """

    path: str = "/"
    path_params: Mapping[str, str] = attrs.field(factory=dict, converter=_str_mapping)
    query: QueryParams = attrs.field(factory=QueryParams, converter=_query)
    cookies: Mapping[str, str] = attrs.field(factory=dict, converter=_str_mapping)
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_str_mapping)
    client: str = ""
    identity: Identity = ANONYMOUS
    root_path: str = ""

    def at(
        self,
        path: str,
        path_params: Mapping[str, str],
        query: QueryLike = "",
    ) -> MountContext:
        """The same request and identity at another location of the application (what
        live navigation gives a view it moves to): a new path, path params and query."""
        return attrs.evolve(self, path=path, path_params=path_params, query=_query(query))

    def to_json(self) -> dict[str, Any]:
        """The context as compact JSON values (the join token's ``"c"`` claim)."""
        out: dict[str, Any] = {"path": self.path, "id": self.identity.to_json()}
        if self.path_params:
            out["pp"] = dict(self.path_params)
        if self.query:
            out["q"] = [list(pair) for pair in self.query.items_]
        if self.cookies:
            out["ck"] = dict(self.cookies)
        if self.headers:
            out["h"] = dict(self.headers)
        if self.client:
            out["a"] = self.client
        if self.root_path:
            out["r"] = self.root_path
        return out

    @classmethod
    def from_json(cls, raw: object) -> MountContext:
        """The context :meth:`to_json` gave, exactly. Raises :class:`ContextError` if
        ``raw`` is not one."""
        try:
            if not isinstance(raw, dict) or not isinstance(raw["path"], str):
                raise TypeError("path")
            pairs = [(str(k), str(v)) for k, v in raw.get("q", [])]
            return cls(
                path=raw["path"],
                path_params=_strings(raw.get("pp", {})),
                query=QueryParams(pairs),
                cookies=_strings(raw.get("ck", {})),
                headers=_strings(raw.get("h", {})),
                client=str(raw.get("a", "")),
                identity=Identity.from_json(raw["id"]),
                root_path=str(raw.get("r", "")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ContextError(f"not a mount context: {error}") from None


def _strings(raw: object) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise TypeError("expected an object of strings")
    return raw
