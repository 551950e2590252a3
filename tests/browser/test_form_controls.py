"""The shared table of form-control cases (tests/forms/controls.py), in Chromium against
the real endpoint: what the test client shows for each case (tests/forms/
test_control_cases.py), the browser shows too."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from actorview.endpoint import Application, Route
from tests.browser.served import served_in_thread
from tests.forms.controls import CASES, Case, Click, Controls, Fill, Select, Step, Type, differences

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def controls_port() -> Iterator[int]:
    app = Application([Route("/", Controls)], secret=b"f" * 32)
    with served_in_thread(app) as port:
        yield port


def _do(page: Any, step: Step) -> None:
    match step:
        case Click(selector):
            page.click(selector)
        case Fill(selector, text):
            page.fill(selector, text)
        case Type(selector, text):
            page.locator(selector).press_sequentially(text)
        case Select(selector, values):
            page.select_option(selector, list(values))


def _state_once_it_holds(page: Any, case: Case, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        shown: dict[str, Any] = json.loads(page.text_content("#state") or "{}")
        if not differences(case, shown) or time.monotonic() > deadline:
            return shown
        page.wait_for_timeout(25)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_control_case_holds_in_chromium(browser: Any, controls_port: int, case: Case) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{controls_port}/")
        page.wait_for_selector("#av-root.av-connected")
        for step in case.steps:
            _do(page, step)
        assert differences(case, _state_once_it_holds(page, case)) == {}
        for selector, checked in case.checked.items():
            expect(page.locator(selector)).to_be_checked(checked=checked)
        for selector, value in case.values.items():
            expect(page.locator(selector)).to_have_value(value)
    finally:
        page.close()
