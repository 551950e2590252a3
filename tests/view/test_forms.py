"""form(...): typed values, per-field checks shown once a field is used, a submit that is
refused with its errors, and the validator's errors for a wrong form declaration."""

from __future__ import annotations

import datetime
from typing import Any, Literal

import attrs
import pytest

from actorview.errors import DefinitionError
from actorview.render import Element, h
from actorview.view import (
    FORM_EVENT,
    ActionEvent,
    Applied,
    Failed,
    FormState,
    Ignored,
    InvalidParams,
    Rejected,
    View,
    action,
    form,
    ops,
    state,
)
from tests.view.helpers import running


@attrs.frozen
class Signup:
    name: str = ""
    password: str = ""
    confirm: str = ""
    age: int | None = None
    born: datetime.date | None = None
    plan: Literal["free", "pro"] = "free"
    terms: bool = False


class Join(View):
    members = state(list[str])
    signup = form(
        Signup,
        checks={
            "name": lambda name: None if name.strip() else "Tell us your name",
            "confirm": lambda password, confirm: "" if confirm == password else "Does not match",
            "terms": lambda terms: None if terms else "Please accept the terms",
        },
        submit=(
            ops.push(members=lambda name, age: f"{name} ({age})"),
            ops.set(signup=lambda signup: signup.cleared()),
        ),
    )

    def render(self) -> Element:
        return h.div(h.p(self.signup.error("name") or "", id="name-error"))


def event(fields: dict[str, Any], used: list[str] | None = None, submit: bool = False) -> Any:
    params = {"form": "signup", "fields": fields, "used": used or [], "submit": submit}
    return ActionEvent(FORM_EVENT, params)


GOOD = {"name": "Ada", "password": "pw", "confirm": "pw", "age": "36", "plan": "pro", "terms": "on"}


def test_a_new_form_holds_its_defaults_and_shows_no_error() -> None:
    view = Join()
    signup: FormState[Signup] = view.signup
    assert signup.value("plan") == "free" and signup.value("age") == ""
    assert not signup.valid and signup.errors["name"] == "Tell us your name"
    assert signup.shown == {} and signup.error("name") is None


async def test_an_error_shows_only_on_a_field_the_user_changed() -> None:
    view = Join()
    async with running(view) as ref:
        outcome = await ref.ask(event({"name": "", "age": "3x"}, used=["age"]))
    assert outcome == Applied()
    assert view.signup.shown == {"age": "'3x' is not a whole number"}
    assert view.signup.value("age") == "3x", "what was typed stays"


async def test_a_check_reads_other_fields_by_name() -> None:
    view = Join()
    async with running(view) as ref:
        await ref.ask(event({**GOOD, "confirm": "pq"}, used=["confirm"]))
    assert view.signup.shown == {"confirm": "Does not match"}


async def test_a_submit_with_errors_is_refused_and_shows_every_error() -> None:
    view = Join()
    async with running(view) as ref:
        outcome = await ref.ask(event({"name": "", "age": "7", "plan": "free"}, submit=True))
    assert isinstance(outcome, Ignored) and "has errors" in outcome.reason
    assert view.members == []
    assert view.signup.submitted and view.signup.shown == {
        "name": "Tell us your name",
        "terms": "Please accept the terms",
    }
    assert view.signup.value("age") == "7"


async def test_a_valid_submit_runs_its_ops_with_the_typed_values() -> None:
    view = Join()
    async with running(view) as ref:
        assert await ref.ask(event(GOOD, submit=True)) == Applied()
    assert view.members == ["Ada (36)"]
    assert view.signup == view.signup.cleared(), "the submit cleared the form"


def test_values_parse_by_their_declared_types() -> None:
    spec = Join.signup.form
    state = spec.update(spec.initial(), {**GOOD, "born": "2026-12-03"}, frozenset(), submit=False)
    assert state.data == Signup("Ada", "pw", "pw", 36, datetime.date(2026, 12, 3), "pro", True)
    bad = spec.update(
        spec.initial(), {**GOOD, "born": "03/12/2026", "plan": "gold"}, frozenset(), submit=False
    )
    assert bad.errors == {
        "born": "'03/12/2026' is not a date (YYYY-MM-DD)",
        "plan": "'gold' is not one of free, pro",
    }


def test_filled_shows_a_record_with_nothing_used() -> None:
    filled = Join().signup.filled(Signup(name="Grace", age=85, terms=True))
    assert filled.value("age") == "85" and filled.checked("terms") and filled.valid
    assert filled.used == frozenset() and not filled.submitted


async def test_a_form_event_of_another_shape_is_rejected_and_changes_nothing() -> None:
    view = Join()
    async with running(view) as ref:
        outcome = await ref.ask(ActionEvent(FORM_EVENT, {"form": "nope", "fields": {}}))
        assert isinstance(outcome, Rejected) and isinstance(outcome.error, InvalidParams)
        assert "'nope' is not a form of the view" in str(outcome.error)
        outcome = await ref.ask(ActionEvent(FORM_EVENT, {"form": "signup", "fields": {"a": 1}}))
        assert isinstance(outcome, Rejected)
    assert view.signup == Join().signup


def test_a_values_class_that_is_not_attrs_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match=r"Bad\.f: form\(<class 'dict'>\): the values must"):

        class Bad(View):
            f = form(dict)


def test_a_field_without_a_default_is_a_definition_error() -> None:
    @attrs.frozen
    class NoDefault:
        name: str

    with pytest.raises(DefinitionError, match=r"Bad\.f: .*field 'name' has no default"):

        class Bad(View):
            f = form(NoDefault)


def test_a_field_of_a_type_no_control_sends_is_a_definition_error() -> None:
    @attrs.frozen
    class Odd:
        when: datetime.datetime | None = None

    with pytest.raises(DefinitionError, match=r"field 'when' is datetime \| None, which no form"):

        class Bad(View):
            f = form(Odd)


def test_a_check_of_an_unknown_field_or_reading_one_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match=r"checks=\{'nmae': ...\} names no field of Signup"):

        class Bad(View):
            f = form(Signup, checks={"nmae": lambda name: None})

    with pytest.raises(DefinitionError, match=r"checks\['name'\] reads 'nmae', which is not"):

        class Worse(View):
            f = form(Signup, checks={"name": lambda nmae: None})


def test_submit_ops_are_checked_as_an_action_s() -> None:
    with pytest.raises(DefinitionError, match=r"Bad\.f \(form submit\) .*'nope'"):

        class Bad(View):
            f = form(Signup, submit=ops.set(nope=lambda name: name))


class Buggy(View):
    f = form(Signup, checks={"age": lambda age: 1 / 0 if age == 13 else None})


async def test_a_check_that_raises_fails_the_event_and_the_view_runs_on() -> None:
    view = Buggy()
    async with running(view) as ref:
        outcome = await ref.ask(ActionEvent(FORM_EVENT, {"form": "f", "fields": {"age": "13"}}))
        assert isinstance(outcome, Failed)
        assert "form 'f' checks: an expression raised ZeroDivisionError" in str(outcome.error)
        assert await ref.ask(ActionEvent(FORM_EVENT, {"form": "f", "fields": {}})) == Applied()
    assert view.f.value("age") == ""


class Toggles(View):
    on = state(bool)
    seen = state(str)
    toggle = action(ops.set(on=lambda on: not on))
    pick = action(ops.set(seen=lambda value: value or ""), params={"value": str | None})


def test_av_change_s_name_and_value_reach_only_an_action_that_declares_them() -> None:
    view = Toggles()
    assert view.live.store.act("toggle", {"name": "on", "value": "yes"}) and view.on
    assert view.live.store.act("pick", {"name": "color", "value": "red"}) and view.seen == "red"
    with pytest.raises(InvalidParams, match=r"takes no params, got \{'other': 'x'\}"):
        view.live.store.act("toggle", {"name": "on", "other": "x"})
