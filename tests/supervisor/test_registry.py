"""Finding a running child's handle by name."""

from __future__ import annotations

import pytest

from actorview.supervisor import NameTaken, NotRegistered, Registry, Restart, Supervisor
from tests.supervisor.puppets import Puppet, Troupe, running, settle


async def test_a_child_is_registered_under_its_id_while_it_runs() -> None:
    troupe = Troupe()
    sup = Supervisor([troupe.spec("echo")])
    assert "echo" not in sup.registry
    async with running(sup):
        assert sup.registry.lookup("echo") is troupe.handles["echo"]
        assert sup.registry.lookup("echo", Puppet) is troupe.handles["echo"]
    assert sup.registry.names() == []


async def test_a_restarted_child_is_registered_again_with_its_new_handle() -> None:
    troupe = Troupe()
    async with running(Supervisor([troupe.spec("echo")])) as sup:
        first = sup.registry.lookup("echo")
        troupe.handles["echo"].crash()
        await settle()
        second = sup.registry.lookup("echo")
        assert second is troupe.handles["echo"] and second is not first


async def test_a_child_that_stops_for_good_is_unregistered() -> None:
    troupe = Troupe()
    async with running(
        Supervisor([troupe.spec("job", Restart.TRANSIENT), troupe.spec("x")])
    ) as sup:
        troupe.handles["job"].finish()
        await settle()
        assert sup.registry.get("job") is None
        with pytest.raises(NotRegistered, match=r"'job' \(registered: \['x'\]\)"):
            sup.registry.lookup("job")
        await sup.terminate_child("x")
        assert len(sup.registry) == 0


async def test_a_shared_registry_sees_children_of_every_supervisor_in_a_tree() -> None:
    troupe = Troupe()
    shared = Registry()
    views = Supervisor(name="views", registry=shared)
    root = Supervisor([troupe.spec("db"), views.child_spec()], registry=shared)
    async with running(root):
        await views.start_child(troupe.spec("conn-1"))
        assert shared.names() == ["db", "views", "conn-1"]
        assert shared.lookup("views", Supervisor) is views


async def test_a_name_clash_in_a_shared_registry_is_refused_before_starting() -> None:
    troupe = Troupe()
    shared = Registry()
    first, other = Supervisor([troupe.spec("a")], registry=shared), Supervisor(registry=shared)
    async with running(first), running(other):
        with pytest.raises(NameTaken, match="'a' is already registered"):
            await other.start_child(troupe.spec("a"))
        assert other.which_children() == [] and troupe.of("started") == ["a"]


def test_lookup_with_the_wrong_kind_says_what_is_registered() -> None:
    registry = Registry()
    registry.register("n", 42)
    with pytest.raises(TypeError, match="'n' is registered with a int, not a str"):
        registry.lookup("n", str)


def test_unregister_removes_only_the_handle_it_is_given() -> None:
    registry = Registry()
    old, new = object(), object()
    registry.register("n", new)
    registry.unregister("n", old)
    assert registry.lookup("n") is new
    with pytest.raises(NameTaken):
        registry.register("n", old)
