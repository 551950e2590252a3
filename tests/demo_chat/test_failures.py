"""The closed set of reasons a chat reply fails for, and the words the page shows."""

from __future__ import annotations

import typing

import pytest

from demo_chat import failures
from demo_chat.failures import (
    Asked,
    ContextTooLong,
    Cut,
    Empty,
    Failure,
    Internal,
    KeyRefused,
    Malformed,
    ModelFailed,
    RateLimited,
    Rejected,
    ServerFailed,
    ServerStopped,
    TimedOut,
    TooLong,
    Unreachable,
    describe,
)
from demo_chat.llm import failure_text

WORDS: list[tuple[Failure, str]] = [
    (KeyRefused(), "the model server refused the API key"),
    (RateLimited(20.0), "the model is rate-limited; try again in 20 s"),
    (RateLimited(0.2), "the model is rate-limited; try again in 1 s"),
    (RateLimited(19.01), "the model is rate-limited; try again in 20 s"),
    (RateLimited(None), "the model is rate-limited; try again later"),
    (ServerFailed(503), "the model server failed (HTTP 503); try again"),
    (
        Rejected(404),
        "the model server rejected the request (HTTP 404); "
        "check the model name and the server's address",
    ),
    (
        ContextTooLong(),
        "the conversation is longer than the model can read; start a new chat",
    ),
    (Unreachable(), "the model server could not be reached"),
    (Cut(), "the reply was cut off: the model server stopped sending it"),
    (Malformed(), "the model server sent a reply that could not be read"),
    (TimedOut(30.0), "the model server sent nothing for 30 s"),
    (TooLong(200_000), "the reply passed 200,000 characters and was cut there"),
    (Empty(), "the model finished without any reply text"),
    (ServerStopped(), "the model server stopped the reply with an error"),
    (Asked(), "the fake LLM was asked to fail"),
    (Internal(), "something went wrong on the server."),
]


@pytest.mark.parametrize(("failure", "words"), WORDS, ids=[repr(f) for f, _ in WORDS])
def test_each_reason_has_its_words(failure: Failure, words: str) -> None:
    assert describe(failure) == words


def test_every_reason_of_the_set_is_described_here() -> None:
    assert {type(f) for f, _ in WORDS} == set(typing.get_args(failures.Failure))


def test_a_model_failure_shows_its_reason_and_anything_else_shows_no_internals() -> None:
    error = ModelFailed(RateLimited(20.0))
    assert str(error) == "the model is rate-limited; try again in 20 s"
    assert error.failure == RateLimited(20.0)
    shown = failure_text(str(error), type(error).__name__)
    assert shown == "The reply failed: the model is rate-limited; try again in 20 s"
    leak = "connection to postgres://admin:hunter2@db failed"
    assert failure_text(leak, "OperationalError") == (
        "The reply failed: something went wrong on the server."
    )
