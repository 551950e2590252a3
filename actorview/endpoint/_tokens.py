"""Join tokens: the signed ticket a page carries from its HTTP response to its WebSocket.

The first, server-rendered page embeds a token that says which view, with which route
parameters, for which session, with which request context (``"c"``: the view's
``MountContext``, its identity included), until when. The WebSocket join must present it; the
endpoint verifies the HMAC and the expiry before any view is started, so a client can
only ever join the view its page was rendered for.

Format: ``base64url(json payload) "." base64url(hmac_sha256(secret, payload))``. The
payload is signed, not encrypted: the page's scripts can read it, so nothing secret goes
in (a route passes only the cookies and headers it names).

The same secret signs actorview's anonymous identity cookie (:meth:`TokenSigner.sign_identity`),
so a browser cannot choose another visitor's id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from actorview.endpoint._errors import JoinRefused


@attrs.frozen
class JoinClaims:
    """What a valid token proves."""

    view: str
    params: Mapping[str, str]
    session: str
    expires: float
    context: Mapping[str, Any] | None = None
    """The page's request context as JSON (``MountContext.to_json``): claim ``"c"``
    (``None`` in a token signed without one)."""
    url: str | None = None
    """The page's URL (path and query within the application) the view was given:
    claim ``"u"`` (live navigation; ``None`` in a token from before it)."""


class TokenSigner:
    """Signs and verifies join tokens with one secret.

    ``secret`` must be at least 32 bytes; :func:`random_secret` makes one. ``ttl`` is how
    long a rendered page may wait before it joins.
    """

    def __init__(
        self, secret: bytes, *, ttl: float = 300.0, clock: Callable[[], float] = time.time
    ) -> None:
        if len(secret) < 32:
            raise ValueError(
                "the join token secret must be at least 32 bytes; use "
                "actorview.endpoint.random_secret() or 32+ random bytes from configuration"
            )
        self._secret = secret
        self._ttl = ttl
        self._clock = clock

    def __repr__(self) -> str:
        return f"<TokenSigner ttl={self._ttl}s secret=***>"

    def sign(
        self,
        view: str,
        params: Mapping[str, str],
        session: str,
        *,
        context: Mapping[str, Any] | None = None,
        url: str | None = None,
    ) -> str:
        """A token for ``view`` with these path ``params``, for ``session``; ``context``
        (JSON values, ``MountContext.to_json()``) is signed in under ``"c"``, ``url``
        under ``"u"``."""
        payload: dict[str, Any] = {
            "v": view,
            "p": dict(params),
            "s": session,
            "e": round(self._clock() + self._ttl, 3),
        }
        if context is not None:
            payload["c"] = dict(context)
        if url is not None:
            payload["u"] = url
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64(body)}.{_b64(self._mac(body))}"

    def verify(self, token: object, *, view: str) -> JoinClaims:
        """The claims of ``token`` if it is genuine, unexpired and for ``view``.

        Raises :class:`JoinRefused` with the reason otherwise.
        """
        if not isinstance(token, str) or token.count(".") != 1:
            raise JoinRefused("malformed join token")
        body_part, mac_part = token.split(".")
        try:
            body = _unb64(body_part)
            mac = _unb64(mac_part)
        except ValueError:
            raise JoinRefused("malformed join token") from None
        if not hmac.compare_digest(mac, self._mac(body)):
            raise JoinRefused("forged join token: its signature does not match")
        claims = _parse_claims(body)
        if claims.expires < self._clock():
            raise JoinRefused("expired join token: reload the page")
        if claims.view != view:
            raise JoinRefused(f"join token is for view {claims.view!r}, not {view!r}")
        return claims

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._secret, body, hashlib.sha256).digest()

    def sign_identity(self, identity_id: str) -> str:
        """The value of the anonymous identity cookie for ``identity_id``: the id and its
        MAC (domain-separated from join tokens, so neither passes for the other)."""
        return f"{identity_id}.{_b64(self._identity_mac(identity_id))}"

    def verify_identity(self, value: str) -> str | None:
        """The id in an identity cookie's ``value`` if its MAC is genuine, else None."""
        identity_id, dot, mac_part = value.rpartition(".")
        if not dot or not identity_id or len(identity_id) > 64:
            return None
        try:
            mac = _unb64(mac_part)
        except ValueError:
            return None
        if not hmac.compare_digest(mac, self._identity_mac(identity_id)):
            return None
        return identity_id

    def _identity_mac(self, identity_id: str) -> bytes:
        body = b"actorview-identity:" + identity_id.encode()
        return hmac.new(self._secret, body, hashlib.sha256).digest()[:18]


def random_secret() -> bytes:
    """A fresh random secret: tokens signed with it die with the process."""
    return secrets.token_bytes(32)


def kept_secret(path: str | os.PathLike[str]) -> bytes:
    """The secret kept in the file at ``path``, made first if there is none: 32 random
    bytes (hex), readable by its owner only (mode 0600), created atomically so that two
    processes starting at once agree on one secret.

    Tokens signed with it survive a restart, so open pages rejoin a restarted server.
    Raises :class:`ValueError` naming the file if it holds fewer than 32 characters or
    can be read by others (someone else could forge tokens), and ``OSError`` if it
    cannot be made (its directory is created if missing).
    """
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(handle, "w") as out:
            out.write(secrets.token_hex(32))
    if file.stat().st_mode & 0o077:
        raise ValueError(
            f"the secret file {file} can be read by others; run `chmod 600 {file}`, "
            f"or delete it to make a new one (open pages then reload)"
        )
    secret = file.read_text().strip().encode()
    if len(secret) < 32:
        raise ValueError(f"the secret file {file} holds fewer than 32 characters; delete it")
    return secret


def _parse_claims(body: bytes) -> JoinClaims:
    try:
        raw = json.loads(body)
        params = raw["p"]
        if not isinstance(params, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in params.items()
        ):
            raise TypeError("params")
        context = raw.get("c")
        if context is not None and not isinstance(context, dict):
            raise TypeError("context")
        return JoinClaims(
            view=str(raw["v"]),
            params=params,
            session=str(raw["s"]),
            expires=float(raw["e"]),
            context=context,
            url=_url_claim(raw),
        )
    except (ValueError, KeyError, TypeError):
        raise JoinRefused("malformed join token") from None


def _url_claim(raw: dict[str, object]) -> str | None:
    """Claim ``"u"``, the page's URL, if the token has one (a str, else malformed)."""
    url = raw.get("u")
    if url is not None and not isinstance(url, str):
        raise TypeError("url")
    return url


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise ValueError(str(error)) from None
