"""``demo_chat.asgi``'s configuration: the chat's flags from ``ACTORVIEW_CHAT_*`` variables."""

from __future__ import annotations

import pytest

from demo_chat.__main__ import parse_args
from demo_chat.environment import argv_from


def test_each_variable_is_the_flag_of_its_name() -> None:
    argv = argv_from(
        {
            "ACTORVIEW_CHAT_HISTORY_DB": "/srv/chat.db",
            "ACTORVIEW_CHAT_TOKEN_DELAY": "0.01",
            "ACTORVIEW_CHAT_ALLOWED_HOST": "chat.example.com,www.example.com",
            "ACTORVIEW_CHAT_JSON_LOGS": "1",
            "ACTORVIEW_CHAT_REDIS_URL": "redis://10.0.0.5:6379/0",
            "HOME": "/root",
        }
    )
    args = parse_args(argv)
    assert args.history_db == "/srv/chat.db" and args.token_delay == 0.01
    assert args.allowed_host == ["chat.example.com", "www.example.com"]
    assert args.json_logs is True
    assert args.redis_url == "redis://10.0.0.5:6379/0"


def test_where_to_listen_is_the_servers_to_say() -> None:
    with pytest.raises(ValueError, match="--bind"):
        argv_from({"ACTORVIEW_CHAT_PORT": "8000"})


def test_the_openai_backend_is_configured_by_variables_too() -> None:
    """The system prompt, the context budget and the read timeout, as under
    ``python -m demo_chat`` (tests/browser/test_chat_llmock.py shows them reach llmock)."""
    args = parse_args(
        argv_from(
            {
                "ACTORVIEW_CHAT_LLM": "openai",
                "ACTORVIEW_CHAT_SYSTEM": "You are terse. Answer in one line.",
                "ACTORVIEW_CHAT_CONTEXT_CHARS": "8000",
                "ACTORVIEW_CHAT_OPENAI_TIMEOUT": "12.5",
            }
        )
    )
    assert (args.llm, args.system, args.context_chars, args.openai_timeout) == (
        "openai",
        "You are terse. Answer in one line.",
        8000,
        12.5,
    )
