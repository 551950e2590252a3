"""What a view's mount can answer instead of its page: "not found" or "go there".

A view whose URL names something that does not exist, or that its user may not see
(``/c/<id>`` of another user's conversation), raises :class:`PageNotFound` from
``mount``, ``handle_params`` or ``load``; a view whose URL stands for another one (``/``
for the newest conversation) raises :class:`PageRedirect`. The endpoint answers them as
HTTP does, on the built-in server and under ASGI alike: a 404 page in the application's
look, or a ``303 See Other`` to the target. A live navigation that lands on such a view
does the same over its socket: a redirect mounts the target's view instead, "not found"
loads the page (the 404 page). Neither is logged as a failure, nor counted as a crash.
"""

from __future__ import annotations

from actorview.errors import ActorViewError


class PageAnswer(ActorViewError):
    """Base of the answers a view's mount or load gives instead of its page."""


class PageNotFound(PageAnswer):
    """Nothing is at this URL for this user: the page is answered 404.

    ``reason`` goes to the log (never to the page: a user must not learn whether
    another user's item exists)."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason or "page not found")
        self.reason = reason


class PageRedirect(PageAnswer):
    """This URL stands for another one: the page is answered ``303 See Other`` to ``to``.

    ``to`` is a path of the application (``"/c/abc"``, with an optional query), checked
    as a navigation's href is: one that is not (a scheme, a host, ``//``) makes the page
    a 500, logged, naming the view."""

    def __init__(self, to: str) -> None:
        super().__init__(f"redirect to {to[:200]!r}")
        self.to = to
