"""Uploads in Chromium against the real endpoint: a real file input (Playwright's
``set_input_files``) with the progress the view renders, a file dropped on the drop
zone, a refusal shown beside its file, and the user's cancel."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from actorview.endpoint import Application, Limits, Route
from examples.attachments import Attachments
from tests.browser.served import served_in_thread

pytestmark = pytest.mark.browser

WAIT = 15_000
"""Milliseconds an expectation waits: eight test runs may share two cores."""

RECORD_PERCENTS = """
() => {
  window.__percents = [];
  new MutationObserver(() => {
    for (const el of document.querySelectorAll("#entries .percent")) {
      window.__percents.push(parseInt(el.textContent, 10));
    }
  }).observe(document.getElementById("av-root"), {subtree: true, childList: true,
                                                  characterData: true});
}
"""

DROP = """
() => {
  const data = new DataTransfer();
  data.items.add(new File(["dropped on the zone"], "dropped.txt", {type: "text/plain"}));
  const zone = document.getElementById("drop");
  zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true,
                                                cancelable: true}));
  zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true,
                                            cancelable: true}));
}
"""


@pytest.fixture
def saved_dir(tmp_path: Path) -> Path:
    target = tmp_path / "saved"
    target.mkdir()
    return target


@pytest.fixture
def live_port(saved_dir: Path) -> Iterator[int]:
    # Small frames: a 1.5 MB file takes some 190 chunks, so its progress is seen.
    routes = [Route("/", Attachments, params={"directory": str(saved_dir)})]
    app = Application(routes, secret=b"u" * 32, limits=Limits(max_frame_bytes=8 * 1024))
    with served_in_thread(app) as port:
        yield port


def test_a_chosen_file_uploads_with_progress_and_is_saved(
    browser: Any, live_port: int, tmp_path: Path, saved_dir: Path
) -> None:
    from playwright.sync_api import expect

    data = os.urandom(1_500_000)
    source = tmp_path / "photo.png"
    source.write_bytes(data)
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{live_port}/")
        page.wait_for_selector("#av-root.av-connected")
        page.evaluate(RECORD_PERCENTS)
        page.set_input_files("#files", str(source))
        expect(page.locator("#saved li")).to_have_text(
            ["photo.png (1500000 bytes)"], timeout=20_000
        )
        expect(page.locator("#entries .percent")).to_have_text(["100%"], timeout=WAIT)
        percents = page.evaluate("window.__percents")
        assert any(0 < p < 100 for p in percents), percents  # progress was drawn
        assert percents == sorted(percents)
    finally:
        page.close()
    assert (saved_dir / "photo.png").read_bytes() == data


def test_a_dropped_file_uploads_and_a_refused_one_is_shown_and_cancelled(
    browser: Any, live_port: int, tmp_path: Path, saved_dir: Path
) -> None:
    from playwright.sync_api import expect

    bad = tmp_path / "tool.exe"
    bad.write_bytes(b"MZ")
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{live_port}/")
        page.wait_for_selector("#av-root.av-connected")
        page.evaluate(DROP)
        expect(page.locator("#saved li")).to_have_text(["dropped.txt (19 bytes)"], timeout=WAIT)
        # The input's accept list is a courtesy: the server checks it again.
        page.set_input_files("#files", str(bad))
        refused = page.locator("#entries li.failed")
        not_accepted = "this type of file is not accepted"
        expect(refused.locator(".error")).to_contain_text(not_accepted, timeout=WAIT)
        refused.locator(".cancel").click()
        expect(page.locator("#entries li.failed")).to_have_count(0, timeout=WAIT)
        expect(page.locator("#entries li")).to_have_count(1, timeout=WAIT)
    finally:
        page.close()
    assert (saved_dir / "dropped.txt").read_text() == "dropped on the zone"
    assert not (saved_dir / "tool.exe").exists()


CANCEL_ONCE_ARRIVING = """
() => {
  const root = document.getElementById("av-root");
  root.addEventListener("av:upload", (e) => {
    const file = (e.detail.files || [])[0];
    const button = document.querySelector("#entries li.uploading .cancel");
    if (file && file.state === "uploading" && file.received > 0 && button) {
      window.__cancelled = true;
      button.click();
    }
  });
}
"""


def test_a_file_cancelled_while_it_arrives_is_not_saved(
    browser: Any, live_port: int, tmp_path: Path, saved_dir: Path
) -> None:
    from playwright.sync_api import expect

    source = tmp_path / "long.txt"
    source.write_bytes(b"l" * 1_500_000)
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{live_port}/")
        page.wait_for_selector("#av-root.av-connected")
        page.evaluate(CANCEL_ONCE_ARRIVING)
        page.set_input_files("#files", str(source))
        page.wait_for_function("() => window.__cancelled === true", timeout=WAIT)
        expect(page.locator("#entries li")).to_have_count(0, timeout=WAIT)
        page.evaluate(DROP)  # the socket still serves the next file
        expect(page.locator("#saved li")).to_have_text(["dropped.txt (19 bytes)"], timeout=WAIT)
    finally:
        page.close()
    assert not (saved_dir / "long.txt").exists()
