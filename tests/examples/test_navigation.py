"""examples/navigation.py through the test client: patch, navigate, back and forward."""

from __future__ import annotations

import pytest
import trio.testing

from actorview.testing import NavigationFailed, mount
from actorview.view import Applied
from examples.navigation import PAGES, Article, Articles


async def test_the_url_given_at_mount_is_the_first_render(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Articles, url="/?page=3") as view:
        assert view.text("#page") == f"Page 3 of {PAGES}"
        assert view.find_all("#titles a")[0].text == "Article 21"


async def test_an_av_patch_link_changes_the_url_without_a_remount(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Articles) as view:
        first = view.view
        assert await view.click("#older") == Applied()
        assert view.url == "/?page=2"
        assert view.text("#page") == f"Page 2 of {PAGES}"
        assert view.view is first and view.history.entries == ["/", "/?page=2"]


async def test_ops_patch_from_an_action_and_back_and_forward(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Articles, url="/?page=2") as view:
        await view.click("#last")
        assert view.url == f"/?page={PAGES}"
        assert view.text("#page") == f"Page {PAGES} of {PAGES}"
        await view.back()
        assert view.url == "/?page=2" and view.text("#page") == f"Page 2 of {PAGES}"
        await view.forward()
        assert view.text("#page") == f"Page {PAGES} of {PAGES}"
        with pytest.raises(NavigationFailed, match="no history entry forward"):
            await view.forward()


async def test_untrusted_query_values_are_bounded_by_handle_params(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Articles, url="/?page=nope") as view:
        assert view.text("#page") == f"Page 1 of {PAGES}"
        await view.patch("/?page=999999999")
        assert view.text("#page") == f"Page 1 of {PAGES}"
        await view.patch(f"/?page={PAGES + 3}")
        assert view.text("#page") == f"Page {PAGES} of {PAGES}"


async def test_a_link_to_another_route_navigates_away(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Articles) as view:
        await view.click("#titles a", text="Article 3")
        assert view.navigated == "/articles/3"
    async with mount(Article, {"article": "3"}, url="/articles/3") as article:
        assert article.text("#article") == "Article 3"
        await article.click("#back")
        assert article.navigated == "/"


async def test_a_bad_url_is_refused_and_changes_nothing(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Articles, url="/?page=2") as view:
        with pytest.raises(NavigationFailed, match="not a path of this site"):
            await view.patch("//evil.example/")
        with pytest.raises(NavigationFailed, match="longer than"):
            await view.patch("/?q=" + "x" * 3000)
        assert view.url == "/?page=2" and view.text("#page") == f"Page 2 of {PAGES}"
