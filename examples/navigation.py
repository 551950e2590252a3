"""Live navigation: a paged list of articles, each article on its own route.

``Articles`` (``/``) shows :data:`PER_PAGE` titles of page ``?page=N``: its page number
comes from the URL in ``handle_params``, so a page loaded at ``/?page=3`` shows page 3
in its first HTML, and the "Newer" / "Older" links (``av_patch=True``) and the "Last"
button (``ops.patch``) change the URL without a remount. A title links to its article
with ``av_navigate=True``: ``Article`` (``/articles/{article}``) mounts over the same
socket, no page load; its "Back to the list" button is an ``ops.navigate``. The browser's
back and forward buttons move between them all. ``/about`` is not a live route: a link
there is a whole page load.

DOM hooks: ``#page`` (the page number), ``#titles a`` (one link per title), ``#newer``,
``#older``, ``#last``; ``#article`` and ``#back`` on an article's page.
"""

from __future__ import annotations

import attrs
import trio

from actorview import (
    Application,
    Element,
    PageUrl,
    Route,
    View,
    action,
    calculate,
    h,
    ops,
    state,
)

ARTICLES = tuple(f"Article {number}" for number in range(1, 48))
PER_PAGE = 10
PAGES = (len(ARTICLES) + PER_PAGE - 1) // PER_PAGE


def page_number(url: PageUrl) -> int:
    """The page ``?page=`` asks for, within 1 .. PAGES (anything else is page 1)."""
    raw = url.get("page", "1")
    number = int(raw) if raw.isdigit() and len(raw) < 6 else 1
    return min(max(number, 1), PAGES)


class Articles(View):
    page = state(int, 1)
    shown = calculate(lambda page: ARTICLES[(page - 1) * PER_PAGE : page * PER_PAGE])

    last = action(ops.patch(page=PAGES))

    def handle_params(self, url: PageUrl) -> None:
        self.page = page_number(url)

    def render(self) -> Element:
        first = (self.page - 1) * PER_PAGE
        return h.main(
            h.h1("Articles"),
            h.p(f"Page {self.page} of {PAGES}", id="page"),
            h.ul(
                [
                    h.li(h.a(title, href=f"/articles/{first + index + 1}", av_navigate=True))
                    for index, title in enumerate(self.shown)
                ],
                id="titles",
            ),
            h.nav(
                h.a("Newer", href=f"/?page={self.page - 1}", av_patch=True, id="newer")
                if self.page > 1
                else h.span("Newer"),
                h.a("Older", href=f"/?page={self.page + 1}", av_patch=True, id="older")
                if self.page < PAGES
                else h.span("Older"),
                h.button("Last", id="last", av_click="last"),
                h.a("About", href="/about", av_navigate=True, id="about"),
            ),
        )


@attrs.frozen
class ArticleParams:
    article: str


class Article(View):
    number = state(int, 1)

    home = action(ops.navigate("/"))

    def mount(self, params: ArticleParams) -> None:
        self.number = int(params.article) if params.article.isdigit() else 1

    def render(self) -> Element:
        title = ARTICLES[self.number - 1] if 1 <= self.number <= len(ARTICLES) else "Missing"
        return h.main(
            h.h1(title, id="article"),
            h.p(f"The text of {title.lower()}."),
            h.button("Back to the list", id="back", av_click="home"),
        )


ROUTES = (Route("/", Articles), Route("/articles/{article}", Article))


def app(**options: object) -> Application:
    """The example's application (options go to :class:`Application`)."""
    return Application(list(ROUTES), **options)  # type: ignore[arg-type]


if __name__ == "__main__":
    trio.run(app().serve)
