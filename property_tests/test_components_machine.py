"""A stateful machine clicks, shows, hides, reorders and relabels keyed components at
random: some in a list the view renders, some as the items of a stream field, some
inside another component.

Each component keeps a count and a list of the keys whose events its handlers took;
the machine keeps a model of what each shown component's count must be. After every
step: the page shows every component the model holds, in the model's order, with the
model's count, and nothing else; each component's state is the model's; no handler of
a component ever took another component's event; what the components told their view
(``ops.tell_parent``, handled by the view's clause) is each one's last count; and a
click renders again only the component clicked.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import trio
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from actorview.render import Element, h
from actorview.testing import TrioDriver, ViewClient, mount
from actorview.view import (
    ActionEvent,
    Applied,
    Component,
    View,
    action,
    clause,
    ops,
    prop,
    state,
    stream,
)

LISTED = ("l1", "l2", "l3", "l4")
STREAMED = ("s1", "s2", "s3")
INNER = ("g1", "g2", "g3")
"""Tallies inside the ``Pane`` component (a component showing components)."""


@attrs.frozen
class Counted:
    key: str
    count: int


@attrs.frozen
class Slot:
    id: str


class Tally(Component, sends=(Counted,)):
    label = prop(str)
    count = state(int)
    hits = state(list[str])

    inc = action(
        ops.set(count=lambda count: count + 1),
        ops.push(hits=lambda key: str(key)),
        ops.tell_parent(lambda key, count: Counted(str(key), count + 1)),
    )
    dec = action(
        ops.set(count=lambda count: count - 1),
        ops.push(hits=lambda key: str(key)),
        ops.tell_parent(lambda key, count: Counted(str(key), count - 1)),
    )

    def render(self) -> Element:
        return h.li(
            h.span(self.label, class_="label"),
            h.span(str(self.count), class_="count"),
            h.button("+", class_="inc", av_click="inc"),
            h.button("-", class_="dec", av_click="dec"),
            id=f"t-{self.key}",
            class_="tally",
        )


def _toggled(shows: list[str], which: str) -> list[str]:
    return [k for k in shows if k != which] if which in shows else [*shows, which]


class Pane(Component):
    shows = state(list[str], ["g1"])
    toggle = action(ops.set(shows=_toggled), params={"which": str})

    def render(self) -> Element:
        return h.section(
            *(
                h.button(k, class_=f"toggle-{k}", av_click="toggle", av_value_which=k)
                for k in INNER
            ),
            h.ul(*(self.component(Tally, key=k, label="g") for k in self.shows)),
            id="pane",
        )


class Tallies(View, receives=(Counted,)):
    listed = state(list[str])
    label = state(str, "x")
    told = state(dict[str, int], {})
    slots = stream(Slot, key="id")

    show = action(
        ops.set(listed=lambda listed, key, at: [*listed[:at], key, *listed[at:]]),
        params={"key": str, "at": int},
    )
    hide = action(
        ops.set(listed=lambda listed, key: [k for k in listed if k != key]), params={"key": str}
    )
    order = action(ops.set(listed=lambda keys: keys), params={"keys": list[str]})
    relabel = action(ops.set(label=lambda label: label + "x"))
    push_slot = action(ops.push(slots=lambda key: Slot(key)), params={"key": str})
    delete_slot = action(ops.delete("slots", lambda key: key), params={"key": str})
    on_counted = clause(Counted, ops.set(told=lambda told, key, count: {**told, key: count}))

    def render(self) -> Element:
        return h.div(
            h.ul(*(self.component(Tally, key=k, label=self.label) for k in self.listed), id="list"),
            self.component(Pane, key="g"),
            self.slots.slot(
                "ul", lambda slot: self.component(Tally, key=slot.id, label="s"), id="streamed"
            ),
        )


async def serve(*, task_status: trio.TaskStatus[ViewClient[Tallies]]) -> None:
    async with mount(Tallies, strict=True) as view:
        task_status.started(view)
        await trio.sleep_forever()


class Components(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.driver = TrioDriver().__enter__()
        self.view: ViewClient[Tallies] = self.driver.start(serve)
        self.listed: list[str] = []
        self.streamed: list[str] = []
        self.counts: dict[str, int] = {"g1": 0}
        self.inner: list[str] = ["g1"]
        self.told: dict[str, int] = {}
        self.label = "x"

    def teardown(self) -> None:
        self.driver.__exit__(None, None, None)

    def run(self, function: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        return self.driver.call(functools.partial(function, *args))

    def ask(self, name: str, **params: Any) -> None:
        assert self.run(self.view.ref.ask, ActionEvent(name, params)) == Applied()
        self.run(self.view.settle)

    def renders(self) -> dict[str, int]:
        return {cid: c.renders for cid, c in self.view.view.components.items()}

    @precondition(lambda self: self.counts)
    @rule(data=st.data(), button=st.sampled_from(["inc", "dec"]))
    def click(self, data: st.DataObject, button: str) -> None:
        key = data.draw(st.sampled_from(sorted(self.counts)))
        before = self.renders()
        self.run(self.view.click, f"#t-{key} .{button}")
        self.counts[key] += 1 if button == "inc" else -1
        self.told[key] = self.counts[key]
        after = self.renders()
        touched = {f"Tally/{key}", *(["Pane/g"] if key in INNER else [])}  # and its outer
        assert {c: n for c, n in after.items() if c not in touched} == {
            c: n for c, n in before.items() if c not in touched
        }
        assert all(after[c] == before[c] + 1 for c in touched)

    @rule(key=st.sampled_from(LISTED), at=st.integers(0, len(LISTED)))
    def show(self, key: str, at: int) -> None:
        if key in self.listed:
            return
        at = min(at, len(self.listed))
        self.ask("show", key=key, at=at)
        self.listed.insert(at, key)
        self.counts[key] = 0

    @precondition(lambda self: self.listed)
    @rule(data=st.data())
    def hide(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(self.listed))
        self.ask("hide", key=key)
        self.listed.remove(key)
        del self.counts[key]

    @precondition(lambda self: len(self.listed) > 1)
    @rule(data=st.data())
    def reorder(self, data: st.DataObject) -> None:
        keys = data.draw(st.permutations(self.listed))
        before = self.renders()
        self.ask("order", keys=keys)
        self.listed = list(keys)
        assert self.renders() == before  # moved, not rendered again

    @rule(key=st.sampled_from(INNER))
    def toggle_inner(self, key: str) -> None:
        self.run(self.view.click, f"#pane .toggle-{key}")
        if key in self.inner:
            self.inner.remove(key)
            del self.counts[key]
        else:
            self.inner.append(key)
            self.counts[key] = 0

    @rule()
    def relabel(self) -> None:
        before = self.renders()
        self.ask("relabel")
        self.label += "x"
        after = self.renders()
        for key in self.listed:  # a changed prop: rendered again, once
            assert after[f"Tally/{key}"] == before[f"Tally/{key}"] + 1
        for key in (*self.streamed, *self.inner):  # their props did not change
            assert after[f"Tally/{key}"] == before[f"Tally/{key}"]
        assert after["Pane/g"] == before["Pane/g"]

    @rule(key=st.sampled_from(STREAMED))
    def push_slot(self, key: str) -> None:
        if key in self.streamed:
            return
        self.ask("push_slot", key=key)
        self.streamed.append(key)
        self.counts[key] = 0

    @precondition(lambda self: self.streamed)
    @rule(data=st.data())
    def delete_slot(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(self.streamed))
        self.ask("delete_slot", key=key)
        self.streamed.remove(key)
        del self.counts[key]

    @invariant()
    def the_page_and_each_components_state_agree_with_the_model(self) -> None:
        view = self.view
        listed = [item["id"][2:] for item in view.find_all("#list li.tally")]
        streamed = [item["id"][2:] for item in view.find_all("#streamed li.tally")]
        inner = [item["id"][2:] for item in view.find_all("#pane li.tally")]
        assert listed == self.listed
        assert streamed == self.streamed
        assert inner == self.inner
        for key, count in self.counts.items():
            assert view.text(f"#t-{key} .count") == str(count)
            component = view.component(Tally, key)
            assert component.count == count
            assert set(component.hits) <= {key}  # never another component's event
            label = self.label if key in self.listed else "g" if key in INNER else "s"
            assert view.text(f"#t-{key} .label") == label
        assert sorted(view.view.components) == sorted(
            ["Pane/g", *(f"Tally/{k}" for k in self.counts)]
        )
        assert view.state["told"] == self.told


Components.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestComponents = Components.TestCase
