"""An open page and a restarted demo: the page rejoins by itself and shows its
conversation, because the demo keeps its join-token secret in its data directory and its
history in a SQLite file (issue: a restart used to strand every open page, refused as a
forged token and retrying five times a second for ever).

Two real ``python -m demo_chat`` processes, one after the other, on the same port.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.demo import demo_server, free_port

pytestmark = pytest.mark.browser


def texts(page: Any) -> list[str]:
    found: list[str] = page.eval_on_selector_all(
        "#history > li[av-key]", "els => els.map(e => e.textContent)"
    )
    return found


def test_an_open_page_rejoins_a_restarted_demo_with_its_conversation(
    browser: Any, tmp_path: Path
) -> None:
    options = [
        *("--port", str(free_port()), "--data-dir", str(tmp_path)),
        *("--history-db", str(tmp_path / "chat.sqlite3"), "--token-delay", "0.01"),
    ]
    page = browser.new_page()
    try:
        with demo_server(*options, secret=None) as url:
            page.goto(url)
            page.wait_for_selector("#av-root.av-connected")
            page.fill("#prompt", "remember this")
            page.press("#prompt", "Enter")
            page.wait_for_function(
                "() => document.querySelectorAll('#history > li[av-key]').length === 2"
            )
        before = texts(page)
        page.wait_for_selector("#av-root.av-disconnected")
        with demo_server(*options, secret=None):
            page.wait_for_selector("#av-root.av-connected", timeout=20_000)
            page.wait_for_function(
                "() => document.querySelectorAll('#history > li[av-key]').length === 2"
            )
            assert texts(page) == before
            notice = page.query_selector("#av-notice")
            assert notice is None or not notice.is_visible(), "no refusal, no reload asked"
            page.fill("#prompt", "and now")
            page.press("#prompt", "Enter")
            page.wait_for_function(
                "() => document.querySelectorAll('#history > li[av-key]').length === 4"
            )
        assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600
    finally:
        page.close()
