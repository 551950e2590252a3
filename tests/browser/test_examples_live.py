"""examples/ in Chromium against the real endpoint: agents answering at once (keyed
runs), and a log tail that starts when the page connects and follows its file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from actorview.endpoint import Application, Route
from examples.log_tail import LogTail
from examples.multi_agent import Agents
from tests.browser.served import served_in_thread

pytestmark = pytest.mark.browser


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "app.log"
    path.write_text("booted\n")
    return path


@pytest.fixture
def live_port(log_file: Path) -> Iterator[int]:
    routes = [Route("/", Agents), Route("/log", LogTail, params={"path": str(log_file)})]
    app = Application(routes, secret=b"k" * 32)
    with served_in_thread(app) as port:
        yield port


def test_three_agents_answer_at_once_in_the_page(browser: Any, live_port: int) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{live_port}/")
        page.wait_for_selector("#av-root.av-connected")
        page.click("#ask-all")
        expect(page.locator("li.answering")).to_have_count(3)
        page.click("#agent-bob .stop")
        for name in ("alice", "carol"):
            expect(page.locator(f"#agent-{name} .answer")).to_contain_text(
                f"says {name}.", timeout=10_000
            )
        expect(page.locator("li.answering")).to_have_count(0)
        assert "says bob." not in page.inner_text("#agent-bob .answer")
    finally:
        page.close()


def test_the_log_tail_follows_its_file_once_the_page_connects(
    browser: Any, live_port: int, log_file: Path
) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{live_port}/log")
        expect(page.locator("#log li")).to_have_text(["booted"])
        with log_file.open("a") as file:
            file.write("served a page\n")
        expect(page.locator("#log li")).to_have_text(["booted", "served a page"], timeout=5_000)
        expect(page.locator("#status")).to_contain_text("following")
    finally:
        page.close()
