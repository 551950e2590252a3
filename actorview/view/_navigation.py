"""Live navigation, as the view sees it: the page's URL and the moves a view asks for.

A view is given the URL of its page (:class:`PageUrl`: its path within the application,
its path parameters and its query) after ``mount`` and again after every patch, in
:meth:`View.handle_params <actorview.view.View.handle_params>` (LiveView's
``handle_params``). ``ops.patch`` and ``ops.navigate`` in an action or a clause become
:class:`NavigationRequest` values the view hands to its host (the endpoint, or the test
client) through its :data:`NavigationSink`; the host checks the target, tells the page,
and answers a patch with :class:`UrlChanged` in the view's mailbox, which runs
``handle_params`` with the new URL. Data flows one way: view → host → page, and
host → view mailbox; the view never changes the page's URL itself. docs/NAVIGATION.md is
the guide.
"""

from __future__ import annotations

import enum
import urllib.parse
from collections.abc import Callable, Mapping

import attrs


@attrs.frozen
class PageUrl:
    """The URL of a view's page, within the application.

    Attributes:
        path: the path within the application (its mount prefix taken off), e.g.
            ``"/items/3"``; always starts with ``/``.
        query: the query string without ``?`` (``""`` if none), as the browser sent it.
        path_params: the route's path parameters (``{"item": "3"}`` for
            ``Route("/items/{item}", ...)``).

    Read query parameters with :meth:`get` (the first value) or :meth:`get_all`.
    Everything in it came from the browser: treat it as untrusted input (structure it,
    bound it) in ``handle_params``.
    """

    path: str = "/"
    query: str = ""
    path_params: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def href(self) -> str:
        """``path`` and ``?query`` (without the mount prefix)."""
        return self.path + (f"?{self.query}" if self.query else "")

    @property
    def params(self) -> dict[str, str]:
        """The query parameters, each name with its first value."""
        out: dict[str, str] = {}
        for name, value in self._pairs():
            out.setdefault(name, value)
        return out

    def get(self, name: str, default: str = "") -> str:
        """The first value of query parameter ``name``, else ``default``."""
        return self.params.get(name, default)

    def get_all(self, name: str) -> list[str]:
        """Every value of query parameter ``name``, in order."""
        return [value for key, value in self._pairs() if key == name]

    def with_query(self, changes: Mapping[str, str | None]) -> str:
        """The href of this path with ``changes`` made to the query: a value replaces
        every value of its name (added at the end if new), ``None`` removes the name."""
        pairs: list[tuple[str, str]] = []
        done: set[str] = set()
        for name, value in self._pairs():
            if name not in changes:
                pairs.append((name, value))
            elif name not in done:
                done.add(name)
                new = changes[name]
                if new is not None:
                    pairs.append((name, new))
        pairs.extend(
            (name, value)
            for name, value in changes.items()
            if name not in done and value is not None
        )
        query = urllib.parse.urlencode(pairs)
        return self.path + (f"?{query}" if query else "")

    def _pairs(self) -> list[tuple[str, str]]:
        return urllib.parse.parse_qsl(self.query, keep_blank_values=True)


class NavigationKind(enum.Enum):
    """What a navigation asks for."""

    PATCH = "patch"
    """Change the URL within the view's route: ``handle_params`` runs, no remount."""
    NAVIGATE = "navigate"
    """Move to another live route over the same socket: this view stops, that route's
    view mounts (a path no live route serves loads as a whole page)."""


@attrs.frozen
class NavigationRequest:
    """A move the view asks its host for (``ops.patch`` / ``ops.navigate``).

    Attributes:
        kind: patch or navigate.
        href: the target, a path with an optional query, within the application.
        replace: replace the browser's history entry instead of pushing one.
    """

    kind: NavigationKind
    href: str
    replace: bool = False


def patched_href(current: PageUrl | None, to: str | None, query: Mapping[str, str | None]) -> str:
    """The href an ``ops.patch`` asks for: ``to`` (else the current URL's href), with
    ``query``'s changes made to its query (see :meth:`PageUrl.with_query`)."""
    base = to if to is not None else (current.href if current is not None else "/")
    if not query:
        return base
    path, _, rest = base.partition("?")
    return PageUrl(path, rest.partition("#")[0]).with_query(query)


NavigationSink = Callable[[NavigationRequest], None]
"""Where a view hands the navigations it asks for (sync, never blocks)."""


@attrs.frozen
class UrlChanged:
    """The page's URL is now ``url`` (a patch, from the view or the page): the view runs
    ``handle_params(url)``. Asked: its answer is the patch's :class:`Outcome`."""

    url: PageUrl
