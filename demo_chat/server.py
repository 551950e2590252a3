"""The chat demo's application: the chat view at two routes, its stylesheet, its history
store.

Each conversation has its URL, ``/c/<id>`` (route ``conversation``): the view shows it
to the identity that owns it (the page's identity: actorview's anonymous one, in a
signed cookie, when nobody signs in) and the 404 page to anyone else. ``/`` (route
``chat``) is redirected to the user's newest conversation, or a new one. The history
store keeps the messages and the list of conversations, so a reload, a second tab, a
restarted view or server (with a history file) show the same conversation.

The store is shared through the application's topic bus (``demo_chat.shared_history``):
each committed change is published on its conversation's topic, and every view of the
conversation takes it in. ``--redis-url`` makes the bus Redis's, so views in other
workers and on other machines do too.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from actorview import configure_logging
from actorview.endpoint import Application, Limits, Route
from actorview.jobs import Jobs, LocalJobs, RedisJobs
from actorview.pubsub import Bus, RedisBus, default_bus
from actorview.view import View
from demo_chat.history_store import HistoryStore, SQLiteHistoryStore
from demo_chat.reply_job import UserResumableChatView
from demo_chat.shared_history import SharedHistoryStore
from demo_chat.store_url import open_history_store

STYLESHEET = Path(__file__).parent / "static" / "chat.css"
SCRIPT = Path(__file__).parent / "static" / "chat.js"


def build_app(
    args: argparse.Namespace,
    *,
    limits: Limits | None = None,
    store: HistoryStore | None = None,
    secret: bytes | None = None,
) -> Application:
    """The Application for parsed command-line ``args`` (see ``demo_chat.__main__``).

    ``store`` keeps the committed history; by default a :class:`SQLiteHistoryStore` in
    memory (it outlives views, not the process). The views see it through a
    :class:`SharedHistoryStore` on the application's bus: a :class:`RedisBus` at
    ``args.redis_url`` if given, else the process's own. The chat's reply is a job of
    its conversation (:class:`~demo_chat.reply_job.UserResumableChatView`; with
    ``--llm openai``, :class:`~demo_chat.openai_view.UserResumableOpenAIChatView`), on
    :class:`RedisJobs` at the same URL (one owner across the workers), else on the
    process's :class:`LocalJobs`.
    """
    if store is None:
        store = SQLiteHistoryStore()
    redis_url = getattr(args, "redis_url", None)
    bus: Bus = RedisBus(redis_url) if redis_url else default_bus()
    jobs: Jobs = RedisJobs(redis_url) if redis_url else LocalJobs()
    params: dict[str, Any] = {
        "token_delay": args.token_delay,
        "reply_length": args.reply_length,
        "history": args.history,
        "store": SharedHistoryStore(store, bus),
        "markdown": True,
        "conversations": True,
    }
    view: type[View] = UserResumableChatView  # the reply is a job: it outlives its page
    if args.llm == "openai":
        from demo_chat.openai_backend import MAX_REPLY_CHARS
        from demo_chat.openai_view import CONTEXT_CHARS, UserResumableOpenAIChatView

        view = UserResumableOpenAIChatView
        params |= {
            "model": args.model,
            "base_url": args.openai_base_url,
            "max_reply_chars": getattr(args, "max_reply_chars", MAX_REPLY_CHARS),
            "timeout": getattr(args, "openai_timeout", 60.0),
            "context_chars": getattr(args, "context_chars", CONTEXT_CHARS),
            "system": getattr(args, "system", ""),
        }
    return Application(
        [
            Route("/", view, name="chat", params=params),
            Route("/c/{conversation}", view, name="conversation", params=params),
        ],
        title="actorview chat",
        static_files={"chat.css": STYLESHEET, "chat.js": SCRIPT},
        stylesheets=["chat.css"],
        scripts=["chat.js"],
        limits=limits,
        secret=secret,
        pubsub=bus,
        jobs=jobs,
        allowed_hosts=getattr(args, "allowed_host", ()),
        trusted_proxies=getattr(args, "trusted_proxy", ()),
    )


def worker_app(args: argparse.Namespace, secret: bytes | None) -> Application:
    """One worker's chat (``python -m demo_chat --workers N``; built in the worker
    process): logging as ``args`` say, its own connection to the shared history store
    (``--history-db``: a file or a PostgreSQL server) and to Redis (``--redis-url``)."""
    configure_logging(args.log_level, json=args.json_logs)
    return build_app(args, store=open_history_store(args.history_db), secret=secret)
