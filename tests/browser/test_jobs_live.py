"""A job that outlives its page (examples/jobs.py), in Chromium: a tab reloaded mid-run
shows what the run wrote so far, then the rest live, every word once; a second tab of
the same doc streams the same run, and Stop in either ends it in both; a page on another
worker (RedisJobs on a real redis-server) follows the run and stops it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from actorview.jobs import LocalJobs, RedisJobs
from examples.jobs import application
from tests.browser.served import served_in_thread
from tests.services import redis_server

pytestmark = pytest.mark.browser

WORDS = 30  # examples.jobs.Writer's default, one each 0.1 s


def shown(page: Any) -> list[str]:
    text: str = page.locator("#text").inner_text()
    return text.split()


def wait_for_words(page: Any, at_least: int, within: float = 10.0) -> None:
    """Poll (the page's CSP allows no evaluated strings) until ``#text`` has words."""
    for _ in range(int(within / 0.05)):
        if len(shown(page)) >= at_least:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"fewer than {at_least} words after {within:g} s: {shown(page)}")


def test_a_tab_reloaded_mid_job_shows_the_parts_so_far_then_live(browser: Any) -> None:
    from playwright.sync_api import expect

    with served_in_thread(application(LocalJobs())) as port:
        page = browser.new_page()
        try:
            page.goto(f"http://127.0.0.1:{port}/docs/reload")
            page.wait_for_selector("#av-root.av-connected")
            page.fill("#prompt", "owl")
            page.click("#write")
            wait_for_words(page, 6)
            before = len(shown(page))
            page.reload()
            page.wait_for_selector("#av-root.av-connected")
            expect(page.locator("#status")).to_have_text("writing")
            wait_for_words(page, before)
            so_far = shown(page)
            assert so_far == [f"owl-{n}" for n in range(len(so_far))]  # from the start
            expect(page.locator("#status")).to_have_text("done", timeout=15_000)
            assert shown(page) == [f"owl-{n}" for n in range(WORDS)]  # no gap, no duplicate
        finally:
            page.close()


def test_two_tabs_stream_one_job_and_stop_in_either_ends_it(browser: Any) -> None:
    from playwright.sync_api import expect

    with served_in_thread(application(LocalJobs())) as port:
        ada, bob = browser.new_page(), browser.new_page()
        try:
            for page in (ada, bob):
                page.goto(f"http://127.0.0.1:{port}/docs/shared")
                page.wait_for_selector("#av-root.av-connected")
            ada.fill("#prompt", "elk")
            ada.click("#write")
            expect(bob.locator("#status")).to_have_text("writing")
            wait_for_words(bob, 3)
            bob.click("#stop")
            expect(bob.locator("#status")).to_have_text("stopped")
            expect(ada.locator("#status")).to_have_text("stopped")
            ada.wait_for_timeout(400)  # a tick of words would have come meanwhile
            words = shown(ada)
            assert words == [f"elk-{n}" for n in range(len(words))]
            assert 0 < len(words) < WORDS
            ada.wait_for_timeout(400)
            assert shown(ada) == words  # nothing after the stop
        finally:
            for page in (ada, bob):
                page.close()


def test_a_page_on_another_worker_follows_the_job_and_stops_it(
    browser: Any, tmp_path: Path
) -> None:
    """Two workers (each an application with its own RedisJobs, on one redis-server):
    the page that fired is on worker A, the other on worker B; B shows what A's run wrote
    so far, then live, and its Stop ends the run on A."""
    from playwright.sync_api import expect

    with (
        redis_server(tmp_path) as url,
        served_in_thread(application(RedisJobs(url))) as port_a,
        served_in_thread(application(RedisJobs(url))) as port_b,
    ):
        ada, bob = browser.new_page(), browser.new_page()
        try:
            ada.goto(f"http://127.0.0.1:{port_a}/docs/moved")
            ada.wait_for_selector("#av-root.av-connected")
            ada.fill("#prompt", "gnu")
            ada.click("#write")
            wait_for_words(ada, 5)
            bob.goto(f"http://127.0.0.1:{port_b}/docs/moved")
            bob.wait_for_selector("#av-root.av-connected")
            expect(bob.locator("#status")).to_have_text("writing")
            wait_for_words(bob, 8)
            words = shown(bob)
            assert words == [f"gnu-{n}" for n in range(len(words))]  # from the start
            bob.click("#stop")
            expect(ada.locator("#status")).to_have_text("stopped")
            ada.wait_for_timeout(400)
            final = shown(ada)
            assert final == [f"gnu-{n}" for n in range(len(final))]
            assert len(final) < WORDS
        finally:
            for page in (ada, bob):
                page.close()
