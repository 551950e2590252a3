"""The shared table of form-control cases (tests/forms/controls.py), in the test client.

The same table runs in Chromium in tests/browser/test_form_controls.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import trio.testing

from actorview.testing import ViewClient, mount
from tests.forms.controls import CASES, Case, Click, Controls, Fill, Select, Step, Type, differences


async def _do(view: ViewClient[Any], step: Step) -> None:
    match step:
        case Click(selector):
            await view.click(selector)
        case Fill(selector, text):
            await view.fill(selector, text)
        case Type(selector, text):
            await view.type(selector, text)
        case Select(selector, values):
            multiple = "multiple" in view.find(selector).attrs
            await view.fill(selector, list(values) if multiple else values[0])


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_each_control_case_holds_in_the_test_client(
    case: Case, autojump_clock: trio.testing.MockClock
) -> None:
    async with mount(Controls) as view:
        for step in case.steps:
            await _do(view, step)
        await view.settle()
        assert differences(case, json.loads(view.text("#state"))) == {}
        for selector, checked in case.checked.items():
            assert view.find(selector).checked is checked, selector
        for selector, value in case.values.items():
            assert view.value(selector) == value, selector
