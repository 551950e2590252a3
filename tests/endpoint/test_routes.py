"""Routes map paths to views; a wrong route table fails when it is built."""

from __future__ import annotations

import pytest

from actorview.endpoint._errors import RouteError
from actorview.endpoint._routes import Route, Router


class ChatView:
    pass


class RoomView:
    pass


def test_paths_match_with_named_parameters() -> None:
    router = Router([Route("/", ChatView), Route("/rooms/{room}", RoomView)])
    assert router.match("/") == (router.routes[0], {})
    assert router.match("/rooms/lobby") == (router.routes[1], {"room": "lobby"})
    assert router.match("/rooms/") is None
    assert router.match("/rooms/a/b") is None
    assert router.match("/nope") is None
    assert router.by_name("RoomView") is router.routes[1]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("rooms", "a path must start with '/'"),
        ("/_av/live", "paths under /_av/ are actorview's own"),
        ("/rooms/{room-id}", "{room-id} is not a valid parameter name"),
        ("/{a}/{a}", "{a} appears twice"),
    ],
)
def test_bad_paths_are_errors_naming_the_route_and_the_fix(path: str, message: str) -> None:
    with pytest.raises(RouteError, match=message.replace("{", r"\{").replace("}", r"\}")):
        Router([Route(path, ChatView)])


def test_duplicates_are_errors() -> None:
    with pytest.raises(RouteError, match="declared twice"):
        Router([Route("/", ChatView), Route("/", RoomView)])
    with pytest.raises(RouteError, match="two routes are named 'ChatView'"):
        Router([Route("/", ChatView), Route("/other", ChatView)])
