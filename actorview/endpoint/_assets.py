"""Static assets as HTTP answers: content-hashed URLs, ETags, gzip.

Every file the endpoint serves as it is (the client's ES modules, the optimistic
runtime, a route's client program, ``static_files``) is an :class:`Asset`: its bytes,
its type, a digest of its content and, for text types, its gzip form. A page links
each by its hashed URL: the plain URL's last segment with the digest as a directory
before it (``/_av/static/chat.css`` → ``/_av/static/3f2a9c01b7d4/chat.css``). The
client's modules share one digest (of the whole set), so ``/_av/<digest>/client.js``
imports ``./patch.js`` from the same hashed directory and every import stays hashed.

The answer (:func:`asset_answer`: a status, a body and headers), in order:

1. ``ETag`` is the digest; a request whose ``If-None-Match`` names it gets ``304``.
2. A hashed URL whose digest is the asset's is ``Cache-Control: public,
   max-age=31536000, immutable``; a plain URL, or a hashed one of another digest (a page
   from before a deploy), is ``no-cache`` (the browser revalidates with the ETag).
3. With ``Accept-Encoding: gzip`` (not ``q=0``), a text asset of 512 bytes or more is
   sent gzipped (``Content-Encoding: gzip``); every compressible answer says
   ``Vary: Accept-Encoding``.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import re
from collections.abc import Mapping

import attrs

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
MIN_GZIP_BYTES = 512
DIGEST_CHARS = 12

_HASHED = re.compile(r"^(?P<dir>/_av/(?:static/|program/)?)(?P<digest>[0-9a-f]{12})/(?P<name>.+)$")
_COMPRESSIBLE = ("text/", "application/json", "image/svg+xml")


@attrs.frozen
class Asset:
    """One served file, ready to answer (see the module's docstring). Its gzip form is
    made the first time a browser takes it, then kept."""

    body: bytes
    content_type: str
    digest: str

    @classmethod
    def of(cls, body: bytes, content_type: str, *, digest: str | None = None) -> Asset:
        """An asset of ``body``; ``digest`` defaults to that of ``body`` (a module set
        passes its shared one)."""
        return cls(body, content_type, digest or content_digest(body))

    @property
    def compressible(self) -> bool:
        """Text of :data:`MIN_GZIP_BYTES` or more (smaller gains nothing)."""
        return self.content_type.startswith(_COMPRESSIBLE) and len(self.body) >= MIN_GZIP_BYTES

    @functools.cached_property
    def gzipped(self) -> bytes | None:
        """The body gzipped, or None if not :attr:`compressible` or no smaller so."""
        if not self.compressible:
            return None
        packed = gzip.compress(self.body, compresslevel=9, mtime=0)
        return packed if len(packed) < len(self.body) else None


def content_digest(*parts: bytes) -> str:
    """The first :data:`DIGEST_CHARS` hex digits of the SHA-256 of ``parts`` (each
    length-prefixed, so two splits of one text differ)."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()[:DIGEST_CHARS]


def hashed_url(path: str, digest: str) -> str:
    """``path`` with ``digest`` as a directory before its last segment, within the
    ``/_av/``, ``/_av/static/`` or ``/_av/program/`` folder it is in."""
    folder, _, name = path.rpartition("/")
    for base in ("/_av/static", "/_av/program"):
        if path.startswith(base + "/"):
            return f"{base}/{digest}/{path[len(base) + 1 :]}"
    return f"{folder}/{digest}/{name}"


def split_hashed(path: str) -> tuple[str, str] | None:
    """The plain path and the digest of a hashed URL, or None if ``path`` is not one."""
    found = _HASHED.match(path)
    if found is None:
        return None
    return found["dir"] + found["name"], found["digest"]


Headers = tuple[tuple[str, str], ...]


def asset_answer(
    asset: Asset, headers: Mapping[str, str], *, digest: str | None
) -> tuple[int, bytes, Headers]:
    """The status, body and headers answering a GET of ``asset`` with request
    ``headers`` by a URL hashed with ``digest`` (None: the plain URL)."""
    cache = IMMUTABLE if digest == asset.digest else REVALIDATE
    common: Headers = (("ETag", f'"{asset.digest}"'), ("Cache-Control", cache))
    if asset.compressible:
        common += (("Vary", "Accept-Encoding"),)
    if _matches(headers.get("if-none-match", ""), asset.digest):
        return 304, b"", common
    if asset.compressible and accepts_gzip(headers.get("accept-encoding", "")):
        packed = asset.gzipped
        if packed is not None:
            return 200, packed, (*common, ("Content-Encoding", "gzip"))
    return 200, asset.body, common


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value takes gzip (named, or ``*``, without ``q=0``)."""
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip() not in ("gzip", "*"):
            continue
        quality = params.strip()
        if quality.startswith("q="):
            try:
                return float(quality[2:]) > 0
            except ValueError:
                return False
        return True
    return False


def _matches(if_none_match: str, digest: str) -> bool:
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return f'"{digest}"' in tags or "*" in tags
