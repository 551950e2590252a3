"""The test client's page URL and history: live navigation without a browser.

:class:`PageHistory` is what a browser tab keeps for a mounted view: its URL, its
history entries (back and forward), and the navigations the view asked for. The test
client gives the view the URL at mount (``mount(View, url="/?page=2")``; ``route=`` the
pattern whose path parameters it has), hands every ``ops.patch`` / ``ops.navigate`` to
:meth:`PageHistory.requested`, and carries them out as the endpoint does
(``actorview.endpoint._navigation``): a patch to a path of the same route runs
``handle_params``; anything else is a navigation away, which the test client records
(:attr:`PageHistory.navigated`) but does not follow (mount the other view to test it).
"""

from __future__ import annotations

import attrs

from actorview.endpoint._navigation import BadUrl, PatchTo, destination, split_href
from actorview.endpoint._routes import Route, Router
from actorview.testing._errors import ViewTestError
from actorview.view import NavigationKind, NavigationRequest, PageUrl, View


class NavigationFailed(ViewTestError):
    """A navigation the test asked for, or the view's, cannot happen (a bad URL)."""


@attrs.frozen
class Patch:
    """A patch to carry out: the view gets ``url``; the history entry is replaced or a
    new one pushed (``None``: the browser is already there, back or forward)."""

    url: PageUrl
    replace: bool | None


class PageHistory:
    """The URL, the history and the navigations of one mounted view's page."""

    def __init__(self, view_class: type[View], url: str, route: str | None) -> None:
        self._route = Route(route if route is not None else _path_of(url), view_class)
        self._router = Router([self._route])
        first = self.resolve(url)
        if not isinstance(first, PageUrl):
            raise NavigationFailed(
                f"mount(url={url!r}): the route {self._route.path!r} does not serve it; pass "
                f"route= with the pattern of the view's route (such as '/items/{{item}}')"
            )
        self.url: PageUrl = first
        """The page's URL now."""
        self.entries: list[str] = [first.href]
        """The history entries, oldest first (:attr:`index` is the current one)."""
        self.index = 0
        self.requests: list[NavigationRequest] = []
        """Every navigation the view asked for, in order."""
        self.pending: list[NavigationRequest] = []
        self.navigated: str | None = None
        """The href of the last navigation away from the view's route (the endpoint would
        mount that route's view, or load the page)."""

    def requested(self, request: NavigationRequest) -> None:
        """The view's navigation sink."""
        self.requests.append(request)
        self.pending.append(request)

    def resolve(self, href: str) -> PageUrl | str:
        """The URL ``href`` patches the view to, or ``href`` itself when it leads away
        from the view's route. Raises :class:`NavigationFailed` for a bad URL."""
        try:
            split_href(href)
            where = destination(self._router, self._route, href, patch=True)
        except BadUrl as bad:
            raise NavigationFailed(f"cannot go to {href!r}: {bad}") from None
        return where.url if isinstance(where, PatchTo) else href

    def take(self, request: NavigationRequest) -> Patch | None:
        """What ``request`` does: a patch to carry out, or None (it navigated away:
        recorded in :attr:`navigated` and the history)."""
        target = (
            self.resolve(request.href) if request.kind is NavigationKind.PATCH else request.href
        )
        if isinstance(target, PageUrl):
            return Patch(target, request.replace)
        split_href(target)
        self.navigated = target
        self._enter(target, request.replace)
        return None

    def landed(self, patch: Patch) -> None:
        """The view took ``patch``: the page's URL and history follow."""
        self.url = patch.url
        if patch.replace is not None:
            self._enter(patch.url.href, patch.replace)

    def step(self, by: int) -> str | None:
        """Move ``by`` entries back (negative) or forward; the href there, or None when
        there is no such entry."""
        index = self.index + by
        if not 0 <= index < len(self.entries):
            return None
        self.index = index
        return self.entries[index]

    def _enter(self, href: str, replace: bool) -> None:
        if replace:
            self.entries[self.index] = href
            return
        del self.entries[self.index + 1 :]
        self.entries.append(href)
        self.index += 1


def _path_of(url: str) -> str:
    return url.partition("?")[0].partition("#")[0] or "/"
