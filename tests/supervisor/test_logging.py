"""Every lifecycle event is a structlog event with the child's id and the supervisor's name."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest
import trio

from actorview.supervisor import Restart, RestartIntensityExceeded, Supervisor
from tests.logs import logged
from tests.supervisor.puppets import Boom, Troupe, settle


@pytest.fixture
def logs() -> Iterator[list[MutableMapping[str, Any]]]:
    with logged() as captured:
        yield captured


def child_events(logs: list[MutableMapping[str, Any]]) -> list[tuple[str, str]]:
    return [(e["event"], e["child_id"]) for e in logs if "child_id" in e]


async def test_lifecycle_events_name_the_child_and_the_supervisor(
    logs: list[MutableMapping[str, Any]],
) -> None:
    troupe = Troupe()
    sup = Supervisor(
        [troupe.spec("a"), troupe.spec("b", Restart.TRANSIENT)], name="tree", max_restarts=1
    )
    with pytest.RaisesGroup(RestartIntensityExceeded):
        async with trio.open_nursery() as nursery:
            await nursery.start(sup.run)
            troupe.handles["b"].crash()
            await settle()
            troupe.handles["b"].crash()
    assert child_events(logs) == [
        ("child_started", "a"),
        ("child_started", "b"),
        ("child_crashed", "b"),
        ("child_restarted", "b"),
        ("child_crashed", "b"),
        ("supervisor_gave_up", "b"),
        ("child_stopped", "a"),
    ]
    assert all(e["supervisor"] == "tree" for e in logs)
    crashes = [e for e in logs if e["event"] == "child_crashed"]
    assert all(isinstance(e["exc_info"], Boom) and e["log_level"] == "error" for e in crashes)
    assert [e["event"] for e in logs if "child_id" not in e] == [
        "supervisor_starting",
        "supervisor_running",
        "supervisor_stopping",
        "supervisor_failed",
    ]
