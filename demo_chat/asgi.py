"""The chat demo as an ASGI application: ``hypercorn -k trio demo_chat.asgi:app``.

The same chat as ``python -m demo_chat``. An ASGI server passes no flags, so every flag
of ``python -m demo_chat`` but ``--host`` and ``--port`` (the server's ``--bind`` says
where to listen) is read from an environment variable instead: ``ACTORVIEW_CHAT_`` and
the flag's name in capitals, dashes as underscores. The ones that matter most:

- ``ACTORVIEW_SECRET``: the join-token secret itself (wins over the kept one);
- ``ACTORVIEW_CHAT_DATA_DIR`` (``--data-dir``): where the secret is kept, in its file
  ``secret`` (default ``~/.local/share/actorview-chat``);
- ``ACTORVIEW_CHAT_HISTORY_DB`` (``--history-db``): the SQLite file of the history
  (default ``:memory:``, for the worker's life);
- ``ACTORVIEW_CHAT_ALLOWED_HOST`` (``--allowed-host``): host names, comma-separated;
- ``ACTORVIEW_CHAT_TRUSTED_PROXY`` (``--trusted-proxy``): the proxies in front whose
  ``X-Forwarded-*`` headers are believed, comma-separated (``127.0.0.1``);
- ``ACTORVIEW_CHAT_TOKEN_DELAY``, ``..._REPLY_LENGTH``, ``..._HISTORY``: the fake LLM's;
- ``ACTORVIEW_CHAT_LLM=openai``, ``..._MODEL``, ``..._OPENAI_BASE_URL``: a real model
  (the key in ``OPENAI_API_KEY``), with ``..._OPENAI_TIMEOUT`` (seconds),
  ``..._CONTEXT_CHARS`` (the conversation's character budget) and ``..._SYSTEM`` (a
  system prompt);
- ``ACTORVIEW_CHAT_LOG_LEVEL``, ``ACTORVIEW_CHAT_JSON_LOGS=1``: logging.

With several workers (``-w N``), each needs the same secret: set ``ACTORVIEW_SECRET``
or share ``ACTORVIEW_CHAT_DATA_DIR`` (the default one is shared), and one history file
(``ACTORVIEW_CHAT_HISTORY_DB``): any worker then serves any page's socket, mounting its
view again from the join token and the history (docs/DEPLOYMENT.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from actorview import configure_logging
from actorview.endpoint import Application
from demo_chat.__main__ import join_secret, parse_args
from demo_chat.environment import argv_from
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.server import build_app


def build(environ: Mapping[str, str]) -> Application:
    """The chat Application the environment describes (see the module's list)."""
    args = parse_args(argv_from(environ))
    if args.llm == "openai" and not environ.get("OPENAI_API_KEY"):
        raise RuntimeError("ACTORVIEW_CHAT_LLM=openai needs the API key in OPENAI_API_KEY")
    configure_logging(args.log_level, json=args.json_logs)
    store = SQLiteHistoryStore(args.history_db)  # lives as long as the worker process
    return build_app(args, store=store, secret=join_secret(args.data_dir))


app = build(os.environ)
