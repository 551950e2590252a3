"""The README's form example runs as written."""

from __future__ import annotations

from pathlib import Path

import trio.testing

from actorview.testing import mount
from actorview.view import Ignored
from tests.test_readme import load_block, python_blocks


async def test_the_readme_form_shows_errors_refuses_and_then_signs_up(
    autojump_clock: trio.testing.MockClock, tmp_path: Path
) -> None:
    (source,) = [block for block in python_blocks() if "signup = form(" in block]
    example = load_block(source, "readme_form", tmp_path)
    async with mount(example.SignupPage) as view:
        await view.type("#age", "3x")
        await view.settle()
        assert view.text("#age-error") == "'3x' is not a whole number"
        assert view.text("#name-error") == ""
        assert isinstance(await view.submit("#signup"), Ignored)
        assert view.text("#terms-error") == "Please accept the terms"
        assert view.value("#age") == "3x"
        await view.submit("#signup", {"name": "Ada", "age": "36", "terms": True})
        assert [li.text for li in view.find_all("#members li")] == ["Ada"]
        assert view.value("#name") == "" and view.text("#name-error") == ""
