"""The chat's ``python -m demo_chat`` flags, read from ``ACTORVIEW_CHAT_*`` variables.

For ``demo_chat.asgi``, whose server passes no flags: ``ACTORVIEW_CHAT_`` and a flag's
name in capitals, dashes as underscores (``ACTORVIEW_CHAT_HISTORY_DB=chat.db`` is
``--history-db chat.db``); ``--allowed-host`` takes a comma-separated list, the switch
``--json-logs`` a ``1``.
"""

from __future__ import annotations

from collections.abc import Mapping

PREFIX = "ACTORVIEW_CHAT_"
_SWITCHES = frozenset({"json-logs"})
_REPEATED = frozenset({"allowed-host", "trusted-proxy"})
_SERVER_FLAGS = frozenset({"host", "port", "workers", "root-path"})


def argv_from(environ: Mapping[str, str]) -> list[str]:
    """The ``python -m demo_chat`` arguments the ``ACTORVIEW_CHAT_*`` variables say."""
    argv: list[str] = []
    for name, value in sorted(environ.items()):
        if not name.startswith(PREFIX):
            continue
        flag = name[len(PREFIX) :].lower().replace("_", "-")
        if flag in _SERVER_FLAGS:
            raise ValueError(
                f"{name}: under ASGI the server says this (hypercorn's --bind, -w, --root-path)"
            )
        if flag in _SWITCHES:
            argv += [f"--{flag}"] if value not in ("", "0", "false") else []
        elif flag in _REPEATED:
            argv += [part for item in value.split(",") if item for part in (f"--{flag}", item)]
        else:
            argv += [f"--{flag}", value]
    return argv
