"""The chat demo's application: one route, the chat view, its stylesheet."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from actorview.endpoint import Application, Limits, Route
from actorview.view import View
from demo_chat.view import ChatView

STYLESHEET = Path(__file__).parent / "static" / "chat.css"


def build_app(args: argparse.Namespace, *, limits: Limits | None = None) -> Application:
    """The Application for parsed command-line ``args`` (see ``demo_chat.__main__``)."""
    params: dict[str, Any] = {
        "token_delay": args.token_delay,
        "reply_length": args.reply_length,
        "history": args.history,
    }
    view: type[View] = ChatView
    if args.llm == "openai":
        from demo_chat.openai_view import OpenAIChatView

        view = OpenAIChatView
        params |= {"model": args.model, "base_url": args.openai_base_url}
    return Application(
        [Route("/", view, name="chat", params=params)],
        title="actorview chat",
        static_files={"chat.css": STYLESHEET},
        stylesheets=["chat.css"],
        limits=limits,
    )
