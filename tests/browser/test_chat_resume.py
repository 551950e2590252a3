"""The chat's reply outlives its page, in Chromium against ``python -m demo_chat``: a
reload of ``/c/<id>`` mid-reply shows the reply where it is (the text so far, then
live); two tabs of one conversation stream the same reply and Cancel in either stops
it; with two demo processes on one redis-server and one PostgreSQL, the page moved to
the other worker mid-reply follows it there. Each reply is kept once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demo_chat.llm import reply_tokens
from tests.browser.demo import demo_server, free_port
from tests.services import redis_server

pytestmark = pytest.mark.browser

PROMPT = "keep going"
LENGTH = 60
DELAY = 0.05
WAIT = 20_000
EXPECTED = "".join(reply_tokens(PROMPT, LENGTH))
DRAFT = "(document.querySelector('#draft:not(:has(#thinking))')?.textContent || '')"
"""The streaming reply's text so far (empty while it thinks, or when none streams)."""
KEPT = "#history > li[av-key][data-role]"
CONVERSATION = re.compile(r"/c/[A-Za-z0-9_-]+$")


def options(tmp_path: Path, history_db: str) -> list[str]:
    return [
        *("--port", str(free_port()), "--data-dir", str(tmp_path)),
        *("--history-db", history_db),
        *("--token-delay", str(DELAY), "--reply-length", str(LENGTH)),
    ]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    with demo_server(*options(tmp_path, str(tmp_path / "chat.sqlite3")), secret=None) as url:
        yield url


def open_page(context: Any, url: str) -> Any:
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#av-root.av-connected")
    return page


def kept(page: Any) -> list[tuple[str, str]]:
    found: list[list[str]] = page.eval_on_selector_all(
        KEPT, "els => els.map(e => [e.dataset.role, e.textContent])"
    )
    return [(role, text) for role, text in found]


def draft(page: Any) -> str:
    return str(page.evaluate(f"() => {DRAFT}"))


def wait_draft(page: Any, words: int) -> str:
    page.wait_for_function(f"() => {DRAFT}.split(' ').length >= {words}", timeout=WAIT)
    return draft(page)


def wait_kept_reply(page: Any) -> None:
    page.wait_for_function(
        f"""() => !document.querySelector('#draft')
                  && document.querySelectorAll('{KEPT}').length === 2""",
        timeout=WAIT,
    )


def send(page: Any) -> None:
    page.fill("#prompt", PROMPT)
    page.press("#prompt", "Enter")


def test_a_reload_mid_reply_shows_the_reply_so_far_then_live_kept_once(
    browser: Any, demo: str
) -> None:
    context = browser.new_context()
    page = open_page(context, demo)
    assert CONVERSATION.search(page.url)
    send(page)
    before = wait_draft(page, 8)
    assert EXPECTED.startswith(before)
    page.reload()
    page.wait_for_selector("#av-root.av-connected")
    assert kept(page) == [("user", PROMPT)]  # the prompt is kept; the reply still streams
    after = wait_draft(page, len(before.split()) + 1)
    assert after.startswith(before) and EXPECTED.startswith(after)  # no gap: so far, then live
    assert len(after.split()) < LENGTH, "the reload came mid-reply"
    wait_kept_reply(page)
    assert kept(page) == [("user", PROMPT), ("assistant", EXPECTED)]
    page.reload()  # what the store keeps: the reply once
    page.wait_for_selector("#av-root.av-connected")
    assert kept(page) == [("user", PROMPT), ("assistant", EXPECTED)]
    context.close()


def test_two_tabs_stream_one_reply_and_cancel_in_either_stops_it(browser: Any, demo: str) -> None:
    context = browser.new_context()  # one identity: the second tab opens the same URL
    first = open_page(context, demo)
    second = open_page(context, first.url)
    send(first)
    seen = wait_draft(second, 8)
    assert EXPECTED.startswith(seen)
    assert second.is_disabled("#send") and not second.is_disabled("#cancel")
    second.click("#cancel")
    for page in (first, second):
        wait_kept_reply(page)
    stopped = kept(first)
    assert stopped == kept(second)
    assert stopped[1][0] == "assistant" and stopped[1][1].endswith("(stopped)")
    text = stopped[1][1].removesuffix(" (stopped)")
    assert EXPECTED.startswith(text) and len(text) < len(EXPECTED)
    first.wait_for_timeout(int(DELAY * 1000 * 8))
    assert kept(first) == stopped and kept(second) == stopped, "nothing after the cancel"
    first.reload()
    first.wait_for_selector("#av-root.av-connected")
    assert kept(first) == stopped  # kept once
    context.close()


def test_a_page_moved_to_the_other_worker_mid_reply_follows_it_there(
    browser: Any, tmp_path: Path, postgres_database: str
) -> None:
    with redis_server(tmp_path) as redis_url:
        common = ["--redis-url", redis_url]
        for worker in ("a", "b"):
            (tmp_path / worker).mkdir()
        secret = "resume-workers-secret-" * 2
        with (
            demo_server(
                *options(tmp_path / "a", postgres_database), *common, secret=secret
            ) as worker_a,
            demo_server(
                *options(tmp_path / "b", postgres_database), *common, secret=secret
            ) as worker_b,
        ):
            context = browser.new_context()  # cookies ignore the port: one identity
            page = open_page(context, worker_a)
            path = CONVERSATION.search(page.url)
            assert path
            send(page)
            before = wait_draft(page, 8)
            page.goto(worker_b.rstrip("/") + path.group(0))  # the same conversation on B
            page.wait_for_selector("#av-root.av-connected")
            after = wait_draft(page, len(before.split()) + 1)
            assert after.startswith(before) and EXPECTED.startswith(after)
            wait_kept_reply(page)
            assert kept(page) == [("user", PROMPT), ("assistant", EXPECTED)]
            context.close()
