"""What a name means in a clause: ``message`` is the message, ``view`` the view, any
other name the message's field or else the view's; a name that is both must be written
``message.x`` or ``view.x`` (the class statement says so)."""

from __future__ import annotations

import attrs
import pytest

from actorview import DefinitionError, View, calculate, clause, ops, state


@attrs.frozen
class Retitled:
    title: str
    count: int


class Profile(View, receives=(Retitled,)):
    title = state(str, "anna")
    count = state(int, 1)
    total = calculate(lambda count: count * 10)
    previous = state(str)

    on_retitled = clause(
        Retitled,
        ops.set(previous=lambda view: view.title),
        ops.set(title=lambda message: message.title),
        ops.set(count=lambda message, view: view.count + message.count),
        when=lambda message, view: message.title != view.title,
    )


def test_a_message_field_may_share_a_name_with_a_view_field() -> None:
    view = Profile()
    store = view._view_store
    declared = Profile.__view_spec__.clauses[0]
    assert store.guard(declared, Retitled("bob", 2))
    store.handle(declared, Retitled("bob", 2))
    store.recompute()
    assert (store.read("title"), store.read("previous"), store.read("count")) == ("bob", "anna", 3)
    assert store.read("total") == 30
    assert not store.guard(declared, Retitled("bob", 5))  # view.title is "bob" now


def test_view_reads_calcs_and_names_an_unknown_attribute() -> None:
    view = Profile()
    store = view._view_store
    assert store.view_values.total == 10
    with pytest.raises(AttributeError, match=r"view\.nope is not a field, stream or calc"):
        _ = store.view_values.nope


def test_a_bare_shared_name_says_which_to_write() -> None:
    with pytest.raises(DefinitionError) as caught:

        class Bad(View, receives=(Retitled,)):
            title = state(str)
            on_retitled = clause(Retitled, ops.set(title=lambda title: title.title()))

    assert str(caught.value) == (
        "Bad.on_retitled (clause for Retitled): reads 'title', which is both Retitled.title and "
        "a field of Bad, so the bare name could mean either. Write `lambda message: "
        "message.title` for the message's field, or `lambda view: view.title` for the "
        "view's field."
    )


def test_names_the_message_has_alone_stay_bare() -> None:
    class Counter(View, receives=(Retitled,)):
        seen = state(int)
        on_retitled = clause(Retitled, ops.set(seen=lambda seen, count: seen + count))

    view = Counter()
    store = view._view_store
    store.handle(Counter.__view_spec__.clauses[0], Retitled("x", 4))
    assert store.read("seen") == 4
