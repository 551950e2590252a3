"""A long-lived node process that runs transpiled functions, and the value encoding both
sides share, so Python and JavaScript results can be compared exactly.

Values travel as tagged JSON (``["num", 1]``, ``["str", "a"]``, ``["rec", "Rec", [...]]``):
bools stay apart from numbers, dict keys are sorted, records keep their type name. Ints
and floats are both ``"num"`` and compare by value; where the int/float kind shows (``str``),
the text compared carries it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from actorview.optimistic import runtime_source

NODE = shutil.which("node") or "/usr/bin/node"
WORKER = Path(__file__).with_name("worker.js")


def encode(value: Any, *, sort_keys: bool = True) -> list[Any]:
    """The tagged JSON form of a Python value of the subset.

    Results are compared with dict keys sorted (JS reorders integer-like keys); arguments
    keep insertion order (``sort_keys=False``), which ``",".join(d)`` shows.
    """

    def tag(v: Any) -> list[Any]:
        if v is None:
            return ["none"]
        if isinstance(v, bool):
            return ["bool", v]
        if isinstance(v, int | float):
            return ["num", v]
        if isinstance(v, str):
            return ["str", v]
        if isinstance(v, list | tuple):
            return ["list", [tag(x) for x in v]]
        if isinstance(v, dict):
            pairs = sorted(v.items()) if sort_keys else list(v.items())
            return ["dict", [[k, tag(x)] for k, x in pairs]]
        if attrs.has(type(v)):
            fields = attrs.fields(type(v))
            return ["rec", type(v).__name__, [[f.name, tag(getattr(v, f.name))] for f in fields]]
        return ["other", repr(v)]

    return tag(value)


class Node:
    """One node process with the runtime loaded; :meth:`run` calls transpiled functions."""

    def __init__(self) -> None:
        if not Path(NODE).exists():
            raise RuntimeError(
                "node is needed to run the optimistic transpiler's tests; install Node.js "
                "(e.g. apt-get install nodejs) so that `node` is on PATH"
            )
        # the runtime as served, with this Python's case tables
        self.runtime = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in close())
            "w", suffix=".js", encoding="utf-8"
        )
        self.runtime.write(runtime_source())
        self.runtime.flush()
        self.process = subprocess.Popen(
            [NODE, str(WORKER), self.runtime.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def run_many(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[dict[str, Any]]:
        """Results of ``(js, args)`` calls: ``{"ok": tagged}`` or ``{"error": kind, ...}``."""
        assert self.process.stdin is not None and self.process.stdout is not None
        for js, args in calls:
            line = json.dumps(
                {"js": js, "args": [encode(a, sort_keys=False) for a in args]}, ensure_ascii=True
            )
            self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        results = []
        for _ in calls:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the node worker exited")
            # numbers parse as floats: JS prints 5.66e16 as 56609534478682180, which is
            # not the double's exact value as a Python int
            results.append(json.loads(line, parse_int=float))
        return results

    def run(self, js: str, *args: Any) -> dict[str, Any]:
        return self.run_many([(js, args)])[0]

    def close(self) -> None:
        """End node and close both pipes (an open pipe is a ResourceWarning at exit)."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.runtime.close()
