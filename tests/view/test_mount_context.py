"""A view's request context: ``mount(self, params, context)``, ``self.context``, and the
test client's ``context=``. The endpoint's side is tests/endpoint/test_mount_context.py."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from actorview import Element, Identity, MountContext, QueryParams, View, h, state
from actorview.errors import DefinitionError
from actorview.testing import mount


@attrs.frozen
class Settings:
    greeting: str = "hello"


class Greeter(View):
    """Greets whoever the context says the page is for, in its load() too."""

    line = state(str)
    loaded = state(str)

    def mount(self, params: Settings, context: MountContext) -> None:
        self.line = f"{params.greeting}, {context.identity.name or context.identity.id}"

    async def load(self) -> None:
        self.loaded = f"{self.context.path}?{self.context.query.get('tab', '')}"

    def render(self) -> Element:
        return h.div(h.p(self.line, id="line"), h.p(self.loaded, id="loaded"))


async def test_the_test_client_mounts_a_view_for_a_user() -> None:
    context = MountContext(
        path="/inbox", query=[("tab", "new")], identity=Identity("u1", name="Ada")
    )
    async with mount(Greeter, {"greeting": "hi"}, context=context) as view:
        assert view.text("#line") == "hi, Ada"
        assert view.text("#loaded") == "/inbox?new", "load() reads self.context too"
        assert view.view.context is context


async def test_without_a_context_a_view_gets_a_blank_anonymous_one() -> None:
    async with mount(Greeter) as view:
        assert view.text("#line") == "hello, anonymous"
        assert view.view.context.identity.anonymous


def test_a_mount_with_a_wrong_signature_is_refused_when_the_class_is_defined() -> None:
    with pytest.raises(DefinitionError, match=r"Wrong\.mount.*def mount\(self, params, context"):

        class Wrong(View):
            def mount(self, params: Any, context: MountContext, extra: int) -> None:
                pass

    with pytest.raises(DefinitionError, match=r"annotated str.*MountContext"):

        class Mistyped(View):
            def mount(self, params: Any, context: str) -> None:
                pass

    with pytest.raises(DefinitionError, match=r"Bare\.mount"):

        class Bare(View):
            def mount(self) -> None:  # type: ignore[override]
                pass


def test_query_params_are_multi_valued_and_read_only() -> None:
    query = QueryParams.parse("tag=a&tag=b&empty=&x=%2F")
    assert query.get_all("tag") == ("a", "b") and query["tag"] == "b", "last wins, as Starlette"
    assert query["empty"] == "" and query["x"] == "/"
    assert list(query) == ["tag", "empty", "x"] and len(query) == 3
    assert "missing" not in query and query.get_all("missing") == ()


def test_a_context_round_trips_through_json_exactly() -> None:
    context = MountContext(
        path="/c/1",
        path_params={"c": "1"},
        query=[("a", "1"), ("a", "2")],
        cookies={"theme": "dark"},
        headers={"accept-language": "fr"},
        client="10.0.0.1",
        identity=Identity("u", name="U", claims={"roles": ["admin"]}),
        root_path="/chat",
    )
    assert MountContext.from_json(context.to_json()) == context
    with pytest.raises(TypeError):
        context.path_params["c"] = "2"  # type: ignore[index]


def test_a_context_moves_to_another_location_with_its_identity() -> None:
    context = MountContext(path="/c/1", path_params={"c": "1"}, identity=Identity("u"))
    moved = context.at("/c/2", {"c": "2"}, "tab=new")
    assert (moved.path, dict(moved.path_params)) == ("/c/2", {"c": "2"})
    assert moved.query.get_all("tab") == ("new",) and moved.identity == context.identity
    assert context.at("/", {}, [("tab", "new")]).query["tab"] == "new"
