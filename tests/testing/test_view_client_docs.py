"""The complete example of docs/TESTING.md runs as written."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import trio
import trio.testing

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "TESTING.md"


def first_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    assert blocks, "docs/TESTING.md has no python example"
    return str(blocks[0])


def test_the_guide_s_complete_example_passes() -> None:
    namespace: dict[str, Any] = {"__name__": "guide_example"}
    exec(compile(first_example(), str(GUIDE), "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert len(tests) == 2
    for test in tests:
        assert inspect.iscoroutinefunction(test)
        clock = trio.testing.MockClock(autojump_threshold=0)
        trio.run(test, clock, clock=clock)
