"""Live navigation in the view layer: PageUrl, handle_params, ops.patch and ops.navigate."""

from __future__ import annotations

import pytest
import trio.testing

from actorview.render import Element, h
from actorview.testing import mount
from actorview.view import (
    ActionEvent,
    Failed,
    NavigationKind,
    OpError,
    PageUrl,
    Rejected,
    View,
    action,
    ops,
    state,
)


def test_page_url_reads_its_query_and_changes_it() -> None:
    url = PageUrl("/items", "tag=a&tag=b&q=x%20y&empty=", {"shop": "1"})
    assert url.href == "/items?tag=a&tag=b&q=x%20y&empty="
    assert url.get("tag") == "a" and url.get_all("tag") == ["a", "b"]
    assert url.get("q") == "x y" and url.get("empty") == "" and url.get("none", "-") == "-"
    assert url.with_query({"tag": "c", "q": None, "page": "2"}) == "/items?tag=c&empty=&page=2"
    assert PageUrl("/").with_query({"q": None}) == "/"


class Search(View):
    """A query in the URL, patched by actions."""

    q = state(str)
    page = state(int, 1)
    seen = state(list[str], [])

    find = action(ops.patch(q=lambda q: q.upper(), page=None), params=None)
    go_to = action(ops.patch(lambda page: f"/search?page={page + 1}", replace=True))
    wrong = action(ops.patch(to=42))
    leave = action(ops.navigate("/elsewhere"))

    def handle_params(self, url: PageUrl) -> None:
        if url.get("q") == "boom":
            raise RuntimeError("handle_params failed")
        self.q = url.get("q")
        self.page = int(url.get("page", "1"))
        self.seen = [*self.seen, url.href]

    def render(self) -> Element:
        return h.p(f"{self.q} {self.page}", id="shown")


async def test_handle_params_runs_after_mount_and_on_every_patch(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Search, url="/search?q=cats&page=3", route="/search") as view:
        assert view.text("#shown") == "cats 3"
        await view.patch("/search?q=dogs")
        assert view.text("#shown") == "dogs 1"
        assert view.view.live.url == PageUrl("/search", "q=dogs", {})
        assert view.state["seen"] == ["/search?q=cats&page=3", "/search?q=dogs"]


async def test_ops_patch_sets_query_params_on_the_current_url_or_goes_to_a_target(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Search, url="/search?q=cats&page=3", route="/search") as view:
        await view.ref.ask(_action("find"))
        await view.settle()
        assert view.url == "/search?q=CATS"
        assert view.history.entries == ["/search?q=cats&page=3", "/search?q=CATS"]
        await view.ref.ask(_action("go_to"))
        await view.settle()
        assert view.url == "/search?page=2"
        assert view.history.entries == ["/search?q=cats&page=3", "/search?page=2"]  # replaced
        assert [r.kind for r in view.history.requests] == [NavigationKind.PATCH] * 2


async def test_a_patch_target_that_is_not_a_path_is_an_op_error_naming_the_fix(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Search, url="/search") as view:
        outcome = await view.ref.ask(_action("wrong"))
    assert isinstance(outcome, Rejected)
    assert isinstance(outcome.error, OpError)
    assert "Search" in str(outcome.error) and "ops.patch(to=...) gave 42" in str(outcome.error)
    assert 'starts with "/"' in str(outcome.error)


async def test_handle_params_that_raises_on_a_patch_keeps_the_url(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Search, url="/search?q=cats", route="/search") as view:
        outcome = await view.patch("/search?q=boom")
        assert isinstance(outcome, Failed)
        assert view.url == "/search?q=cats" and view.view.live.url == PageUrl("/search", "q=cats")
        assert view.notices  # the page was told something failed
        assert view.text("#shown") == "cats 1"


async def test_ops_navigate_is_handed_to_the_host(autojump_clock: trio.testing.MockClock) -> None:
    async with mount(Search, url="/search") as view:
        await view.ref.ask(_action("leave"))
        await view.settle()
        assert view.navigated == "/elsewhere"


def test_a_view_mounted_without_a_url_never_hears_handle_params() -> None:
    view = Search()
    assert view.live.url is None and view.live.store.read("seen") == []
    view.live.store.apply(ops.flatten([ops.navigate("/x")]))
    assert [move.to for move in view.live.store.moves] == ["/x"]  # for its host, if it has one


def _action(name: str) -> ActionEvent:
    return ActionEvent(name)


@pytest.mark.parametrize("href", ["/a", "/a?b=c"])
def test_page_url_href_round_trips(href: str) -> None:
    path, _, query = href.partition("?")
    assert PageUrl(path, query).href == href
