"""Live navigation at the endpoint: where a URL from a page or a view leads.

A navigation comes from the page (an ``av-patch`` / ``av-navigate`` link, the back and
forward buttons: a ``nav`` frame) or from the view (``ops.patch`` / ``ops.navigate``: a
:class:`~actorview.view.NavigationRequest`). Either way its href is untrusted until
:func:`split_href` passed it: at most :data:`MAX_URL_CHARS`, a path of this application
(it starts with one ``/``; no scheme, no host, no control characters), its fragment
dropped. :func:`destination` then says where it leads, rules in the order they apply:

1. a path no route serves is loaded as a whole page (:class:`LoadPage`; the browser's
   own request gets the application's 404 page, or a page of the host application);
2. a patch (or a back/forward move) to a path the session's own route serves changes
   the URL of the running view (:class:`PatchTo`: its ``handle_params`` runs);
3. anything else mounts the route that serves the path over the same socket
   (:class:`NavigateTo`); a view's ``ops.patch`` that lands here is logged as an error
   by the caller (it should be an ``ops.navigate``).

The connection core (``_core.py``) carries the result out; docs/NAVIGATION.md is the
guide and docs/PROTOCOL.md has the frames.
"""

from __future__ import annotations

import enum
import urllib.parse

import attrs

from actorview.endpoint._errors import EndpointError
from actorview.endpoint._routes import Route, Router
from actorview.view import PageAnswer, PageUrl

MAX_URL_CHARS = 2048
"""The longest href a navigation or a page's URL may have (path and query)."""

MAX_REDIRECTS = 5
"""Views that may answer a live navigation with ``PageRedirect`` in a row; past them the
page is loaded (the browser then follows its own redirects, and stops a loop)."""


class BadUrl(EndpointError, ValueError):
    """An href that is not a path of this application; the message says why (it is
    sent to the page in an error frame)."""


class History(enum.Enum):
    """What the browser does with its history when a navigation lands."""

    PUSH = "push"
    """A new entry (a link, ``ops.patch``)."""
    REPLACE = "replace"
    """The current entry is replaced (``replace=True``)."""
    KEEP = "none"
    """Nothing: the browser is already there (back, forward)."""


@attrs.frozen
class PatchTo:
    """The session's running view gets a new URL (``handle_params``), no remount."""

    url: PageUrl


@attrs.frozen
class NavigateTo:
    """``route``'s view replaces the session's view, mounted at ``url``."""

    route: Route
    url: PageUrl


@attrs.frozen
class LoadPage:
    """No live route serves ``href`` (within the application): a whole page load."""

    href: str


Destination = PatchTo | NavigateTo | LoadPage


def split_href(href: object) -> tuple[str, str]:
    """The path and query of an untrusted ``href`` (fragment dropped), or raise
    :class:`BadUrl` saying what is wrong with it."""
    if not isinstance(href, str):
        raise BadUrl(f"a URL must be a string, not {type(href).__name__}")
    if len(href) > MAX_URL_CHARS:
        raise BadUrl(f"a URL of {len(href)} characters is longer than {MAX_URL_CHARS}")
    if not href.startswith("/") or href.startswith(("//", "/\\")):
        raise BadUrl(
            f"{href[:80]!r} is not a path of this site: give a path that starts with one "
            f'"/" (no scheme, no host)'
        )
    if any(ord(char) < 0x21 or ord(char) == 0x7F or char == "\\" for char in href):
        raise BadUrl(f"{href[:80]!r} holds a space, a control character or a backslash")
    parts = urllib.parse.urlsplit(href)
    if parts.scheme or parts.netloc:
        raise BadUrl(f"{href[:80]!r} names a scheme or a host; give a path of this site")
    return parts.path or "/", parts.query


def destination(router: Router, current: Route | None, href: str, *, patch: bool) -> Destination:
    """Where ``href`` (a path and query within the application, already passed by
    :func:`split_href`) leads from a session showing ``current``'s view; ``patch``: the
    move asks to keep the view (a patch or a back/forward move)."""
    path, query = split_href(href)
    found = router.match(path)
    if found is None:
        return LoadPage(path + (f"?{query}" if query else ""))
    route, params = found
    url = PageUrl(path, query, params)
    if patch and current is not None and route.name == current.name:
        return PatchTo(url)
    return NavigateTo(route, url)


def page_answer_of(error: BaseException) -> PageAnswer | None:
    """The :class:`~actorview.view.PageAnswer` a view's failed start raised, wherever
    the supervisor's wrapping put it (the error itself, its cause or context, an
    exception group's members), or None if it raised something else."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        found = pending.pop()
        if id(found) in seen:
            continue
        seen.add(id(found))
        if isinstance(found, PageAnswer):
            return found
        if isinstance(found, BaseExceptionGroup):
            pending.extend(found.exceptions)
        pending.extend(e for e in (found.__cause__, found.__context__) if e is not None)
    return None
