"""The real chat in Chromium when what the user sends cannot be taken: a history store
that refuses the write, and a prompt past the frame limit. Either way the page says
why, the message does not stay as if sent, and the text the user typed is back in the
box to send again.

The server is the real demo application (real endpoint, real SQLite file), run in a
thread of its own on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from actorview.endpoint import Limits
from actorview.view._notices import KEEP_FAILED_TEXT
from demo_chat.history_store import SQLiteHistoryStore
from tests.browser.served import served_in_thread
from tests.hardening.chat import chat_app

pytestmark = pytest.mark.browser


@attrs.define
class Served:
    url: str
    store: SQLiteHistoryStore


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    store = SQLiteHistoryStore(str(tmp_path / "chat.sqlite3"))
    app = chat_app(store=store, limits=Limits(max_frame_bytes=4096))
    with served_in_thread(app) as port:
        yield Served(f"http://127.0.0.1:{port}/", store)
    store.close()


@pytest.fixture
def chat(browser: Any, served: Served) -> Iterator[Any]:
    page = browser.new_page()
    page.goto(served.url)
    page.wait_for_selector("#av-root.av-connected #prompt")
    yield page
    page.close()


def roles(page: Any) -> list[str]:
    texts: list[str] = page.eval_on_selector_all(
        "#history > li[av-key]", "els => els.map(e => e.dataset.role)"
    )
    return texts


def send(page: Any, text: str) -> None:
    page.fill("#prompt", text)
    page.press("#prompt", "Enter")


def test_a_refused_write_says_so_and_the_text_returns_to_the_box(chat: Any, served: Served) -> None:
    from playwright.sync_api import expect

    send(chat, "first")
    expect(chat.locator("#history > li[av-key]")).to_have_count(2, timeout=10_000)
    served.store._connection.execute("PRAGMA query_only = ON")  # a read-only database

    send(chat, "this one cannot be saved")
    expect(chat.locator("#av-notice .av-notice-text")).to_have_text(KEEP_FAILED_TEXT)
    expect(chat.locator("#prompt")).to_have_value("this one cannot be saved")
    expect(chat.locator("#history > li[av-key]")).to_have_count(2)

    served.store._connection.execute("PRAGMA query_only = OFF")
    chat.press("#prompt", "Enter")
    expect(chat.locator("#history > li[av-key]")).to_have_count(4, timeout=10_000)
    assert roles(chat) == ["user", "assistant", "user", "assistant"]


def test_a_prompt_past_the_frame_limit_is_not_sent_and_stays_in_the_box(chat: Any) -> None:
    from playwright.sync_api import expect

    long_text = "word " * 2000  # 10 KB; the limit is 4 KB
    send(chat, long_text)
    notice = chat.locator("#av-notice .av-notice-text")
    expect(notice).to_contain_text("too large to send (9.9 KB; the limit is 4.0 KB)")
    expect(chat.locator("#prompt")).to_have_value(long_text)
    expect(chat.locator("#history > li[av-key]")).to_have_count(0)
    send(chat, "short")
    expect(chat.locator("#history > li[av-key]")).to_have_count(2, timeout=10_000)
