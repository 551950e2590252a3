"""Render regions (``View.region``, view/_regions.py): a part of ``render`` built again
only when a field, calc or stream it read, or a value it closes over, changed; kept by
identity otherwise, so the diff skips it; and the mistakes that would make a kept region
wrong refused with the view, the region and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from actorview import ActionEvent, DefinitionError
from actorview.render import Element, h
from actorview.testing import ViewClient, mount
from actorview.view import (
    Applied,
    Component,
    RegionError,
    View,
    action,
    calculate,
    ops,
    state,
    stream,
)


class Page(View):
    """A page whose sidebar and footer are regions; ``draft`` is the per-token part."""

    draft = state(str)
    titles = state(tuple[str, ...], ("a", "b"))
    note = state(str, "n")
    count = calculate(lambda titles: len(titles))
    builds = state(int)  # not read by render: changes nothing on the page
    add = action(ops.set(titles=lambda titles, title: (*titles, title)), params={"title": str})
    type_ = action(ops.append(draft=lambda text: text), params={"text": str})
    renote = action(ops.set(note=lambda text: text), params={"text": str})
    bump = action(ops.set(builds=lambda builds: builds + 1))

    def render(self) -> Element:
        suffix = "!" if self.note == "loud" else ""  # a local the footer closes over
        return h.div(
            self.region(
                lambda: h.ul(
                    *[h.li(t + suffix, key=t) for t in self.titles],
                    id="side",
                    class_=["side"],  # a list: never a shared element, kept only as a region
                    data_n=self.count,
                )
            ),
            h.p(self.draft, id="draft"),
            self.region(lambda: h.footer(h.span(self.note), id="foot", class_=["foot"])),
        )


async def act(client: ViewClient[Any], name: str, params: dict[str, Any] | None = None) -> None:
    """Invoke action ``name`` as the page would, and wait for its render."""
    assert await client.ref.ask(ActionEvent(name, params or {})) == Applied()
    await client.settle()


def parts(view: View) -> tuple[Element, Element]:
    tree = view.live.tree
    assert tree is not None
    side, _, foot = tree.children
    assert isinstance(side, Element) and isinstance(foot, Element)
    return side, foot


async def test_a_region_is_kept_by_identity_while_what_it_read_is_unchanged() -> None:
    async with mount(Page, strict=True) as client:
        side, foot = parts(client.view)
        for text in ("x", "y", "z"):
            await act(client, "type_", {"text": text})
            assert parts(client.view) == (side, foot)
            assert parts(client.view)[0] is side and parts(client.view)[1] is foot
        assert client.text("#draft") == "xyz"
        await act(client, "bump")  # a field no region reads
        assert parts(client.view)[0] is side


async def test_a_region_is_built_again_when_a_field_or_calc_it_read_changed() -> None:
    async with mount(Page, strict=True) as client:
        side, foot = parts(client.view)
        await act(client, "add", {"title": "c"})
        new_side, new_foot = parts(client.view)
        assert new_side is not side and new_foot is foot
        assert [li.text for li in client.find_all("#side li")] == ["a", "b", "c"]
        assert client.find("#side")["data-n"] == "3"  # the calc it read
        await act(client, "renote", {"text": "quiet"})
        assert client.text("#foot") == "quiet"
        assert parts(client.view)[0] is new_side  # the sidebar did not read note


async def test_a_region_is_built_again_when_a_value_it_closes_over_changed() -> None:
    async with mount(Page, strict=True) as client:
        await act(client, "renote", {"text": "loud"})  # render's suffix is now "!"
        assert [li.text for li in client.find_all("#side li")] == ["a!", "b!"]


class Nested(View):
    inner = state(int)
    outer = state(int)
    other = state(int)
    bump_inner = action(ops.set(inner=lambda inner: inner + 1))
    bump_outer = action(ops.set(outer=lambda outer: outer + 1))
    bump_other = action(ops.set(other=lambda other: other + 1))

    def render(self) -> Element:
        return h.div(
            self.region(
                lambda: h.section(
                    h.h1(str(self.outer)),
                    self.region(lambda: h.p(str(self.inner), id="inner")),
                    id="outer",
                    class_=["outer"],  # never shared: kept only as a region
                )
            ),
            h.p(str(self.other), id="other"),
        )


async def test_an_outer_region_is_built_again_when_an_inner_one_would_be() -> None:
    async with mount(Nested, strict=True) as client:
        tree = client.view.live.tree
        assert tree is not None
        outer = tree.children[0]
        await act(client, "bump_other")
        assert client.view.live.tree.children[0] is outer  # type: ignore[union-attr]
        await act(client, "bump_inner")
        assert client.text("#inner") == "1"
        assert client.view.live.tree.children[0] is not outer  # type: ignore[union-attr]
        await act(client, "bump_outer")  # the outer is built again, the inner one kept
        await act(client, "bump_inner")  # what the kept inner read still counts
        assert client.text("#inner") == "2"


class Listing(View):
    items = stream(str)
    label = state(str, "l")
    push = action(ops.push(items=lambda text: text), params={"text": str})
    relabel = action(ops.set(label=lambda label: label + "!"))

    def render(self) -> Element:
        return h.div(
            self.region(lambda: h.section(self.items.slot("ul", h.li, id="items"), id="box")),
            self.region(lambda: h.p(self.label, id="label")),
        )


async def test_a_region_reading_a_stream_is_built_every_render_and_sends_each_item_once() -> None:
    async with mount(Listing, strict=True) as client:
        await act(client, "push", {"text": "one"})
        mark = client.mark()
        await act(client, "relabel")  # the stream did not change: its ops are gone
        relabelled = client.frames_since(mark, "patch")
        assert relabelled and all("one" not in frame.text for frame in relabelled)
        await act(client, "push", {"text": "two"})
        await act(client, "relabel")
        assert [li.text for li in client.find_all("#items li")] == ["one", "two"]
        assert client.text("#label") == "l!!"


class Secret(View):
    shown = state(int)

    def mount(self, params: object) -> None:
        self._hidden = "x"

    def render(self) -> Element:
        return h.div(self.region(lambda: h.p(self._hidden, str(self.shown))))


class NotAnElement(View):
    def render(self) -> Element:
        return h.div(self.region(lambda: "text"))  # type: ignore[arg-type,return-value]


class Shown(Component):
    def render(self) -> Element:
        return h.p("c")


class WithComponent(View):
    def render(self) -> Element:
        return h.div(self.region(lambda: h.div(self.component(Shown, key="a"))))


@pytest.mark.parametrize(
    ("view_class", "expected"),
    [
        (Secret, "Secret: the region at "),
        (NotAnElement, "NotAnElement: the region at "),
        (WithComponent, "WithComponent: a component is shown inside a render region"),
    ],
)
async def test_region_mistakes_name_the_view_the_region_and_the_fix(
    view_class: type[View], expected: str
) -> None:
    with pytest.raises(Exception) as raised:
        async with mount(view_class):
            pass
    error = raised.value.__cause__ or raised.value
    assert isinstance(error, RegionError), raised.value
    message = str(error)
    assert message.startswith(expected), message
    if view_class is Secret:
        assert "test_regions.py:" in message and "reads self._hidden" in message
        assert "read it in render outside the region" in message
    if view_class is NotAnElement:
        assert "built a str, not an element; return one element" in message
    if view_class is WithComponent:
        assert "show the component outside the region" in message


def test_a_declaration_named_region_is_refused() -> None:
    with pytest.raises(DefinitionError, match="region"):

        class Shadowing(View):
            region = state(str)  # type: ignore[assignment]

            def render(self) -> Element:
                return h.p(self.region)
