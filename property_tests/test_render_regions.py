"""A view with render regions shows, after any sequence of changes, the page the same
view shows with every region built afresh (``View.region`` calling its lambda): kept
regions never hide a change of a field, a calc, a stream or a closed-over value."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import trio
from hypothesis import given, settings
from hypothesis import strategies as st

from actorview import ActionEvent
from actorview.render import Element, h
from actorview.testing import mount
from actorview.view import View, action, calculate, ops, state, stream


class Regions(View):
    a = state(int)
    b = state(str)
    tags = state(tuple[str, ...], ())
    loud = state(bool)
    items = stream(str)
    longest = calculate(lambda tags: max(tags, key=len) if tags else "")
    set_a = action(ops.set(a=lambda n: n), params={"n": int})
    set_b = action(ops.set(b=lambda text: text), params={"text": str})
    append_b = action(ops.append(b=lambda text: text), params={"text": str})
    tag = action(ops.set(tags=lambda tags, text: (*tags, text)), params={"text": str})
    untag = action(ops.set(tags=lambda tags: tags[1:]))
    shout = action(ops.set(loud=lambda loud: not loud))
    push = action(ops.push(items=lambda text: text), params={"text": str})

    def render(self) -> Element:
        mark = "!" if self.loud else ""  # closed over by the tags region
        return h.div(
            self.region(
                lambda: h.section(
                    h.h1(str(self.a), class_=["a"]),
                    self.region(lambda: h.ul(*[h.li(t + mark, class_=["t"]) for t in self.tags])),
                    class_=["outer"],
                )
            ),
            h.p(self.b, id="b"),
            self.region(lambda: h.p(self.longest, class_=["longest"])),
            self.region(lambda: h.div(self.items.slot("ol", h.li), h.span(self.b[:3]), id="s")),
            self.region(lambda: h.footer(str(self.a % 2), class_=["parity"]), key="parity"),
        )


class Afresh(Regions):
    """The same page with no region kept."""

    def region(self, build: Callable[[], Element], /, *, key: Hashable = None) -> Element:
        return build()


texts = st.text(alphabet="ab c", max_size=4)
steps: st.SearchStrategy[tuple[str, dict[str, Any]]] = st.one_of(
    st.tuples(st.just("set_a"), st.fixed_dictionaries({"n": st.integers(-3, 3)})),
    st.tuples(
        st.sampled_from(["set_b", "append_b", "tag", "push"]),
        st.fixed_dictionaries({"text": texts}),
    ),
    st.tuples(st.sampled_from(["untag", "shout"]), st.just({})),
)


async def pages(script: list[tuple[str, dict[str, Any]]]) -> tuple[list[str], list[str]]:
    """The page after each step, then every patch frame, of each view."""
    shown: tuple[list[str], list[str]] = ([], [])
    async with mount(Regions, strict=True) as kept, mount(Afresh, strict=True) as fresh:
        for name, params in script:
            for client, seen in ((kept, shown[0]), (fresh, shown[1])):
                await client.ref.ask(ActionEvent(name, params))
                await client.settle()
                seen.append(client.html)
        for client, seen in ((kept, shown[0]), (fresh, shown[1])):
            seen.extend(frame.text for frame in client.patch_frames)
    return shown


@settings(max_examples=60, deadline=None)
@given(st.lists(steps, min_size=1, max_size=12))
def test_kept_regions_show_what_fresh_ones_would(script: list[tuple[str, dict[str, Any]]]) -> None:
    kept, fresh = trio.run(pages, script)
    assert kept == fresh
