"""How many worker processes the ASGI server that started this process runs.

An Application built in a worker of hypercorn (``hypercorn -w N``) checks that its
join-token secret is shared when N > 1 (``SecretNotShared``); the number is read from
the parent's command line, best effort (Linux ``/proc``).
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path


def sibling_workers() -> int:
    """How many workers the hypercorn process that started this one runs (its ``-w`` /
    ``--workers``), read from its command line; 1 when this process is not a worker of
    hypercorn or the number cannot be read (a config file's ``workers``)."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.pid is None:
        return 1
    try:
        argv = Path(f"/proc/{parent.pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return 1
    args = [arg.decode(errors="replace") for arg in argv if arg]
    if not any("hypercorn" in arg for arg in args):
        return 1
    return _workers_flag(args)


def _workers_flag(args: list[str]) -> int:
    value: str | None = None
    for i, arg in enumerate(args):
        if arg in ("-w", "--workers") and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--workers="):
            value = arg.partition("=")[2]
        elif arg.startswith("-w") and arg[2:].isdigit():
            value = arg[2:]
    try:
        return max(1, int(value)) if value is not None else 1
    except ValueError:
        return 1
