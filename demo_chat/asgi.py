"""The chat demo as an ASGI application: ``hypercorn -k trio demo_chat.asgi:app``.

The same chat as ``python -m demo_chat``. An ASGI server passes no flags, so every flag
of ``python -m demo_chat`` but ``--host`` and ``--port`` (the server's ``--bind`` says
where to listen) is read from an environment variable instead: ``ACTORVIEW_CHAT_`` and
the flag's name in capitals, dashes as underscores. The ones that matter most:

- ``ACTORVIEW_SECRET``: the join-token secret itself (wins over the kept one);
- ``ACTORVIEW_CHAT_DATA_DIR`` (``--data-dir``): where the secret is kept, in its file
  ``secret`` (default ``~/.local/share/actorview-chat``);
- ``ACTORVIEW_CHAT_HISTORY_DB`` (``--history-db``): where the history is kept, a URL
  (``postgresql://...``, ``sqlite:///PATH``, a file path, ``:memory:``; default the file
  ``history.sqlite3`` in the data dir);
- ``ACTORVIEW_CHAT_REDIS_URL`` (``--redis-url``): the Redis server carrying the views'
  topics between workers and machines (``redis://HOST:6379/0``);
- ``ACTORVIEW_CHAT_ALLOWED_HOST`` (``--allowed-host``): host names, comma-separated;
- ``ACTORVIEW_CHAT_TRUSTED_PROXY`` (``--trusted-proxy``): the proxies in front whose
  ``X-Forwarded-*`` headers are believed, comma-separated (``127.0.0.1``);
- ``ACTORVIEW_CHAT_TOKEN_DELAY``, ``..._REPLY_LENGTH``, ``..._HISTORY``: the fake LLM's;
- ``ACTORVIEW_CHAT_LLM=openai``, ``..._MODEL``, ``..._OPENAI_BASE_URL``: a real model
  (the key in ``OPENAI_API_KEY``, needed for OpenAI's own API only), with
  ``..._OPENAI_TIMEOUT`` (seconds), ``..._CONTEXT_CHARS`` (the conversation's character
  budget) and ``..._SYSTEM`` (a system prompt);
- ``ACTORVIEW_CHAT_LOG_LEVEL``, ``ACTORVIEW_CHAT_JSON_LOGS=1``: logging.

With several workers (``-w N``), each needs the same secret: set ``ACTORVIEW_SECRET``
or share ``ACTORVIEW_CHAT_DATA_DIR`` (the default one is shared), and one history store
(``ACTORVIEW_CHAT_HISTORY_DB``): any worker then serves any page's socket, mounting its
view again from the join token and the history (docs/DEPLOYMENT.md). With
``ACTORVIEW_CHAT_REDIS_URL`` too, a message committed through one worker is shown by
every other's views of that conversation; on several machines, the history store must
be PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from actorview import configure_logging
from actorview.endpoint import Application
from demo_chat.__main__ import HISTORY_FILE, join_secret, needs_api_key, parse_args
from demo_chat.environment import argv_from
from demo_chat.server import build_app
from demo_chat.store_url import HistoryStoreUnavailable, open_history_store


def build(environ: Mapping[str, str]) -> Application:
    """The chat Application the environment describes (see the module's list)."""
    args = parse_args(argv_from(environ))
    if args.llm == "openai" and needs_api_key(args.openai_base_url, environ):
        raise RuntimeError(
            f"ACTORVIEW_CHAT_LLM=openai at {args.openai_base_url} needs the API key in "
            "OPENAI_API_KEY (a local server, given by ACTORVIEW_CHAT_OPENAI_BASE_URL, needs none)"
        )
    configure_logging(args.log_level, json=args.json_logs)
    secret = join_secret(args.data_dir)
    if args.history_db == str(args.data_dir / HISTORY_FILE):
        args.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        store = open_history_store(args.history_db)  # lives as long as the worker process
    except HistoryStoreUnavailable as error:
        raise RuntimeError(f"ACTORVIEW_CHAT_HISTORY_DB={error}") from None
    return build_app(args, store=store, secret=secret)


app = build(os.environ)
