"""``python -m demo_chat``: the streaming chat demo, served on http://127.0.0.1:8000.

One page, one live view per browser tab. Flags choose the address, the LLM (a
deterministic fake, or any OpenAI-compatible server), the fake's speed and a pre-loaded
history for demos and benchmarks. Ctrl-C stops the views and closes every socket with a
close frame. ``--workers N`` serves the port from N processes (any of them serves any
page; they share ``--history-db`` and the kept secret), ``--trusted-proxy`` and
``--root-path`` put it behind a proxy, ``--history-db postgresql://...`` and
``--redis-url`` let workers on several machines share conversations (docs/DEPLOYMENT.md).
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import signal
import sys
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import Path

import trio

from actorview import configure_logging
from actorview.endpoint import (
    SECRET_ENV,
    Application,
    SecretNotShared,
    WorkerFailed,
    kept_secret,
    serve_workers,
)
from actorview.logging import get_logger
from demo_chat.postgres_store import redacted_url
from demo_chat.server import build_app, worker_app
from demo_chat.store_url import URL_FORMS, HistoryStoreUnavailable, open_history_store

HISTORY_FILE = "history.sqlite3"
"""The history's SQLite file in ``--data-dir`` when ``--history-db`` is not given."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m demo_chat", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port (0 picks a free one)")
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name browsers may reach the server by (repeatable); the bound address "
        "is always allowed, and localhost with a loopback one, any IP with 0.0.0.0",
    )
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        metavar="N",
        help="pre-load N alternating user/assistant messages of about 200 characters",
    )
    parser.add_argument(
        "--token-delay",
        type=float,
        default=0.05,
        metavar="SECONDS",
        help="the fake LLM's delay between tokens",
    )
    parser.add_argument(
        "--reply-length",
        type=int,
        default=60,
        metavar="TOKENS",
        help="tokens in a fake reply (a prompt asking for something long gets 10x)",
    )
    parser.add_argument(
        "--history-db",
        default=None,
        metavar="URL",
        help=f"where committed chat messages are kept: {URL_FORMS} (default: the file "
        f"{HISTORY_FILE} in --data-dir)",
    )
    parser.add_argument(
        "--redis-url",
        default=None,
        metavar="URL",
        help="a Redis server (redis://HOST:6379/0) carrying the views' topics between "
        "workers and machines, so every worker shows a conversation's new messages "
        "(default: none, the topics stay in the process)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default_data_dir(),
        metavar="DIR",
        help="where the demo keeps its join-token secret (file `secret`, mode 0600), so "
        "open pages rejoin a restarted server, and its history file unless --history-db "
        "says otherwise; ACTORVIEW_SECRET, when set, wins (default: %(default)s)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes serving the one port; any serves any page, so with N > 1 "
        "--history-db must be a file or server they share (default: %(default)s)",
    )
    parser.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="a proxy in front (an address or network, repeatable) whose X-Forwarded-For, "
        "-Proto, -Host and Forwarded headers are believed",
    )
    parser.add_argument(
        "--root-path",
        default="",
        metavar="PREFIX",
        help="the path prefix the chat is served under behind a proxy, e.g. /chat",
    )
    parser.add_argument("--llm", choices=("fake", "openai"), default="fake")
    parser.add_argument(
        "--openai-base-url",
        type=http_url,
        default="https://api.openai.com/v1",
        help="an OpenAI-compatible API; the key comes from OPENAI_API_KEY",
    )
    parser.add_argument("--model", default="gpt-4o-mini", help="model name for --llm openai")
    parser.add_argument(
        "--max-reply-chars",
        type=int,
        default=200_000,
        metavar="N",
        help="--llm openai: cut a reply past N characters and mark it (default: %(default)s)",
    )
    parser.add_argument(
        "--openai-timeout",
        type=positive_seconds,
        default=60.0,
        metavar="SECONDS",
        help="--llm openai: how long the model server may take to connect and between two "
        "parts of a reply before the reply fails as timed out (default: %(default)s)",
    )
    parser.add_argument(
        "--context-chars",
        type=non_negative_int,
        default=24_000,
        metavar="N",
        help="--llm openai: the character budget of the conversation sent to the model: "
        "the newest messages that fit, the prompt always whole (default: %(default)s)",
    )
    parser.add_argument(
        "--system",
        default="",
        metavar="TEXT",
        help="--llm openai: a system prompt the conversation sent starts with",
    )
    parser.add_argument("--json-logs", action="store_true", help="log JSON lines")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    if args.history_db is None:
        args.history_db = str(args.data_dir / HISTORY_FILE)
    return args


def positive_seconds(text: str) -> float:
    """``text`` as a number of seconds above 0, or the error argparse shows."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(f"expected seconds above 0, such as 30, not {text!r}")
    return seconds


def http_url(text: str) -> str:
    """``text`` if it is an ``http://`` or ``https://`` URL, or the error argparse shows."""
    if not text.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(
            f"expected the API's http:// or https:// URL, such as http://127.0.0.1:11434/v1,"
            f" not {text!r}"
        )
    return text


def non_negative_int(text: str) -> int:
    """``text`` as a whole number of at least 0, or the error argparse shows."""
    try:
        number = int(text)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of at least 0, such as 24000, not {text!r}"
        )
    return number


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/actorview-chat``, or ``~/.local/share/actorview-chat``."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "actorview-chat"


def join_secret(data_dir: Path) -> bytes | None:
    """The secret join tokens are signed with: None when ``ACTORVIEW_SECRET`` is set
    (the Application reads it), else the one kept in ``data_dir``."""
    if os.environ.get(SECRET_ENV):
        return None
    return kept_secret(data_dir / "secret")


def history_note(history_db: str) -> str:
    """The line saying where the history is kept, printed at start."""
    shown = redacted_url(history_db)
    if history_db == ":memory:":
        shown += " (in memory, for the process's life)"
    return f"actorview chat: history in {shown}"


async def serve(
    app: Application, host: str, port: int, root_path: str = "", note: str = ""
) -> None:
    """Serve until SIGINT or SIGTERM, then shut down in order. The URL is printed once
    listening (the first line), then ``note``."""
    log = get_logger(component="demo_chat")
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with trio.open_nursery() as nursery:
            serving = functools.partial(app.serve, host, port, root_path=root_path)
            bound = await nursery.start(serving)
            print(f"actorview chat: http://{host}:{bound}{root_path}/", flush=True)
            if note:
                print(note, flush=True)
            async for signum in signals:
                log.info("demo_chat.stopping", signal=signal.Signals(signum).name)
                nursery.cancel_scope.cancel()
                break


def serve_many(args: argparse.Namespace, secret: bytes | None) -> int:
    """``--workers N``: N processes on the port, until SIGINT or SIGTERM."""
    if args.history_db in (":memory:", "sqlite://", "sqlite:///:memory:"):
        print(
            f"--workers {args.workers} needs --history-db FILE or a server: each worker "
            "would keep its own history in memory, and a page reaching another worker "
            "would lose it",
            file=sys.stderr,
        )
        return 2

    def listening(bound: int) -> None:
        url = f"http://{args.host}:{bound}{args.root_path}/"
        print(f"actorview chat: {url} ({args.workers} workers)", flush=True)
        print(history_note(args.history_db), flush=True)

    try:
        return serve_workers(
            functools.partial(worker_app, args, secret),
            workers=args.workers,
            host=args.host,
            port=args.port,
            root_path=args.root_path,
            on_listening=listening,
        )
    except (SecretNotShared, WorkerFailed) as error:
        print(error, file=sys.stderr)
        return 2


def needs_api_key(base_url: str, environ: Mapping[str, str]) -> bool:
    """Whether the model server at ``base_url`` is OpenAI's own API (which refuses every
    request without a key) and ``OPENAI_API_KEY`` is not set. Any other server (vLLM,
    llama.cpp, Ollama, LM Studio) may need none: the key is sent when it is set."""
    host = urllib.parse.urlsplit(base_url).hostname or ""
    openai = host == "api.openai.com" or host.endswith(".openai.com")
    return openai and not environ.get("OPENAI_API_KEY")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.llm == "openai" and needs_api_key(args.openai_base_url, os.environ):
        print(
            f"--llm openai at {args.openai_base_url} needs the API key in OPENAI_API_KEY "
            "(a local server, given by --openai-base-url, needs none)",
            file=sys.stderr,
        )
        return 2
    if args.workers < 1:
        print(f"--workers must be at least 1, got {args.workers}", file=sys.stderr)
        return 2
    try:
        secret = join_secret(args.data_dir)
        if args.history_db == str(args.data_dir / HISTORY_FILE):
            args.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except (OSError, ValueError) as error:
        print(f"--data-dir {args.data_dir}: {error}", file=sys.stderr)
        return 2
    try:
        store = open_history_store(args.history_db)  # with workers, each opens its own
    except HistoryStoreUnavailable as error:
        print(f"--history-db {error}", file=sys.stderr)
        return 2
    if args.workers > 1:
        store.close()
        return serve_many(args, secret)
    configure_logging(args.log_level, json=args.json_logs)
    try:
        application = build_app(args, store=store, secret=secret)
        note = history_note(args.history_db)
        trio.run(serve, application, args.host, args.port, args.root_path, note)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
