"""The runtime's attributes live behind ``view.live``, so a view may declare fields,
calcs and actions under the common names a View used to reserve."""

from __future__ import annotations

import attrs
import pytest
import trio

import actorview as av
from actorview import DefinitionError, Element, View, h, ops
from actorview.testing import mount

FORMERLY_RESERVED = (
    "name", "version", "state", "log", "connected", "stop", "run", "kill", "ref",
    "mailbox", "store", "streams", "tree", "nursery", "actor_id", "max_batch",
    "current_lease", "render_held_back",
)  # fmt: skip


@attrs.frozen
class Entry:
    text: str


class Everything(View):
    name = av.state(str, "anna")
    state = av.state(str, "draft")
    log = av.stream(Entry)
    connected = av.state(bool)
    ref = av.state(str, "r-1")
    mailbox = av.state(list[str])
    store = av.state(dict[str, int], {})
    streams = av.state(int)
    tree = av.state(str, "oak")
    nursery = av.state(int, 3)
    actor_id = av.state(int, 7)
    max_batch = av.state(int, 9)
    current_lease = av.state(str)
    render_held_back = av.state(bool)
    version = av.calculate(lambda name, state: f"{name}:{state}")
    run = av.action(
        ops.set(state="running", streams=lambda streams: streams + 1),
        ops.push(log=lambda name: Entry(f"ran {name}")),
        ops.push(mailbox=lambda tree: tree),
    )
    stop = av.action(ops.set(state="stopped", connected=True))
    kill = av.action(ops.set(store=lambda store, nursery: {**store, "killed": nursery}))

    def render(self) -> Element:
        return h.div(
            h.p(self.version, id="version"),
            h.p(f"{self.streams} {self.connected} {self.tree} {self.mailbox}", id="more"),
            self.log.slot("ul", lambda entry: h.li(entry.text), id="log"),
            h.button("run", id="run", av_click="run"),
            h.button("stop", id="stop", av_click="stop"),
            h.button("kill", id="kill", av_click="kill"),
        )


def test_every_formerly_reserved_common_name_is_declared() -> None:
    declared = {*Everything.__view_spec__.fields, *Everything.__view_spec__.collections}
    declared |= {*Everything.__view_spec__.calcs, *Everything.__view_spec__.actions}
    assert set(FORMERLY_RESERVED) <= declared


async def test_a_view_with_those_names_runs_renders_and_acts(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Everything) as client:
        assert client.text("#version") == "anna:draft"
        await client.click("#run")
        await client.settle()
        assert client.text("#version") == "anna:running"
        assert client.text("#more") == "1 False oak ['oak']"
        assert client.has_element("#log li", text="ran anna")
        await client.click("#stop")
        await client.click("#kill")
        await client.settle()
        view = client.view
        assert (view.state, view.connected, view.store) == ("stopped", True, {"killed": 3})
        assert view.live.version == 2 and not view.live.connected
        await client.connect()
        assert view.live.connected and view.connected is True  # the runtime's; the field
        assert view.live.name.startswith("Everything") and view.live.state.name == "RUNNING"
        assert view.live.store.read("tree") == "oak"
        assert view.live.ref is client.ref


def test_the_old_runtime_attributes_warn_and_point_at_live() -> None:
    class Plain(View):
        count = av.state(int)

    view = Plain()
    with pytest.warns(DeprecationWarning, match=r"Plain\.store is deprecated: read view\.live"):
        assert view.store is view.live.store  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match=r"view\.live\.version"):
        assert view.version == 0  # type: ignore[attr-defined]


def test_what_a_view_is_made_of_stays_reserved() -> None:
    with pytest.raises(DefinitionError, match=r"V\.live: the name 'live' is used by View"):

        class V(View):
            live = av.state(int)  # type: ignore[assignment]
