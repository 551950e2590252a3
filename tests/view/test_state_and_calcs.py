"""State fields, derived values and their recompute, through a view's store (no trio)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from actorview.declare._values import conforms, structure
from actorview.view import (
    Appended,
    Origin,
    StateTypeError,
    View,
    calculate,
    state,
)


@attrs.frozen
class Item:
    id: int
    text: str


class Profile(View):
    who = state(str, origin="client", optimistic=True)
    age = state(int, 1)
    tags = state(list[str])
    nickname = state(str | None)
    greeting = calculate(lambda who: f"Hello, {who}")
    shout = calculate(lambda greeting: greeting.upper())
    tag_count = calculate(lambda tags: len(tags))


def test_fields_start_at_their_default_or_the_types_empty_value() -> None:
    view = Profile()
    assert (view.who, view.age, view.tags, view.nickname) == ("", 1, [], None)
    assert Profile.who.origin is Origin.CLIENT and Profile.who.optimistic
    assert Profile.age.origin is Origin.SERVER


def test_mutable_defaults_are_not_shared_between_views() -> None:
    first, second = Profile(), Profile()
    first.tags.append("mine")
    assert second.tags == []


def test_calcs_are_computed_at_mount_from_their_inputs() -> None:
    view = Profile()
    assert view.greeting == "Hello, "
    assert view.shout == "HELLO, "


def test_writing_a_wrong_type_raises_naming_view_and_field_and_keeps_the_value() -> None:
    view = Profile()
    with pytest.raises(StateTypeError) as raised:
        view.age = "old"  # type: ignore[assignment]
    assert str(raised.value) == (
        "Profile.age: the value 'old' is a str, not an int. The field keeps its value."
    )
    assert view.age == 1


def test_bool_is_not_an_int_and_int_is_a_float() -> None:
    assert not conforms(True, int)
    assert conforms(3, float)
    assert conforms(None, int | None)
    assert conforms(["a"], list[str]) and not conforms(["a", 1], list[str])
    assert conforms((1, "a"), tuple[int, str]) and conforms((1, 2), tuple[int, ...])
    assert conforms({"a": 1}, dict[str, int]) and not conforms({"a": "b"}, dict[str, int])


def test_calcs_cannot_be_assigned() -> None:
    view = Profile()
    with pytest.raises(AttributeError, match=r"Profile\.greeting is a calc"):
        view.greeting = "x"


def test_only_calcs_reading_a_changed_field_recompute_in_graph_order_once() -> None:
    view = Profile()
    before = dict(view.live.store.evaluations)
    view.who = "ada"
    view.who = "Ada"
    assert view.greeting == "Hello, "  # calcs change only at the recompute
    changed = view.live.store.recompute()
    assert changed == {"who", "greeting", "shout"}
    assert view.shout == "HELLO, ADA"
    after = view.live.store.evaluations
    assert after["greeting"] - before["greeting"] == 1
    assert after["shout"] - before["shout"] == 1
    assert after["tag_count"] == before["tag_count"]


def test_a_recompute_with_nothing_changed_is_not_a_pass() -> None:
    view = Profile()
    passes = view.live.store.recomputes
    assert view.live.store.recompute() == frozenset()
    assert view.live.store.recomputes == passes


calls: list[Appended[Any]] = []


def count_words(text: str) -> int:
    return len(text.split())


def count_more_words(previous: int, change: Appended[str]) -> int:
    calls.append(change)
    added = change.added
    more = len(added.split())
    joins = bool(added[:1].strip()) and bool(change.preceding.strip())
    return previous + more - (1 if more and joins else 0)


class Writer(View):
    text = state(str, "one")
    items = state(list[int])
    words = calculate(count_words, incremental=count_more_words)
    total = calculate(
        lambda items: sum(items), incremental=lambda previous, change: previous + sum(change.added)
    )
    length = calculate(lambda text: len(text))


def test_an_incremental_calc_gets_the_appended_text_and_the_element_before_it() -> None:
    from actorview.view import ops

    calls.clear()
    view = Writer()
    view.live.store.apply(ops.append(text=" tw"))
    view.live.store.apply(ops.append(text="o thr"))
    view.live.store.recompute()
    assert calls == [Appended(added=" two thr", preceding="e")]
    assert view.words == 3 == count_words(view.text)
    view.live.store.apply(ops.append(text="ee"))
    view.live.store.recompute()
    assert calls[-1] == Appended(added="ee", preceding="r")
    assert view.words == 3
    assert view.text == "one two three"


def test_an_incremental_calc_recomputes_from_scratch_after_a_replace() -> None:
    from actorview.view import ops

    calls.clear()
    view = Writer()
    view.live.store.apply((*ops.append(text=" two"), *ops.set(text="a b c d")))
    view.live.store.recompute()
    assert calls == []
    assert view.words == 4


def test_an_incremental_list_calc_gets_the_pushed_items() -> None:
    from actorview.view import ops

    view = Writer()
    view.live.store.apply((*ops.push(items=3), *ops.push(items=4)))
    view.live.store.recompute()
    assert view.total == 7
    view.live.store.apply(ops.pop("items"))
    view.live.store.recompute()
    assert view.total == 3


class Tokens(View):
    text = state(str, "one")
    words = calculate(count_words, incremental=count_more_words)


def test_text_appends_are_joined_only_when_read() -> None:
    from actorview.view import ops

    view = Tokens()
    for piece in ["a", "b", "c"]:
        view.live.store.apply(ops.append(text=piece))
        view.live.store.recompute()
    assert view.live.store._values["text"] == "one"  # nothing copied yet
    assert view.text == "oneabc"
    assert view.words == 1


@attrs.frozen
class Point:
    x: int
    y: int


def test_untrusted_values_are_structured_strictly() -> None:
    assert structure({"x": 1, "y": 2}, Point) == Point(1, 2)
    assert structure({"x": "-12", "y": "+3"}, Point) == Point(-12, 3), "a browser sends text"
    for text in ["1.5", " 1", "1_000", "", "0x10", "1" * 19, "\u0661"]:
        with pytest.raises(ValueError, match=r"\$.x: expected int \(a number or its decimal"):
            structure({"x": text, "y": 2}, Point)
    assert structure("2.5e3", float) == 2500.0 and structure(".5", float) == 0.5
    for text in ["inf", "nan", "1e999", "2,5", "1.5 "]:
        with pytest.raises(ValueError, match="expected float"):
            structure(text, float)
    with pytest.raises(ValueError, match=r"\$.x: expected int, got a bool"):
        structure({"x": True, "y": 2}, Point)
    with pytest.raises(ValueError, match=r"\$.y: missing"):
        structure({"x": 1}, Point)
    with pytest.raises(ValueError, match=r"unexpected key\(s\) 'z'"):
        structure({"x": 1, "y": 2, "z": 3}, Point)
    with pytest.raises(ValueError, match="expected an object, got list"):
        structure([1, 2], Point)
    with pytest.raises(ValueError, match="expected int, got a bool"):
        structure(True, int)
