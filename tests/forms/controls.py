"""One page of every form control, and the table of what a user does to them and what
must follow, run against the test client (tests/forms/test_control_cases.py) and real
Chromium (tests/browser/test_form_controls.py): the two must agree, case by case.

Each :class:`Case` is a fresh page, the user's steps, then what must hold: the view's
state (as the page shows it in ``#state``), and each control as the user sees it
(checked or not, its value). The checkbox cases are the bugs of issue #17: a checkbox
with ``av-click`` showed unchecked in Chromium while the state was true; ``av-change``
on a checkbox sent ``name``/``value`` params that an action without params rejected,
and the box stayed toggled while the state did not.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from actorview.render import Element, h
from actorview.view import View, action, form, ops, state


@attrs.frozen
class Prefs:
    nickname: str = ""
    bio: str = ""
    age: int | None = None
    height: float | None = None
    born: datetime.date | None = None
    plan: Literal["free", "pro"] = "free"
    color: Literal["red", "green", "blue"] = "red"
    topics: list[str] = attrs.Factory(list)
    langs: list[Literal["py", "js", "go"]] = attrs.Factory(list)
    news: bool = False


def _saved(prefs: Prefs) -> str:
    return json.dumps(attrs.asdict(prefs), default=str, sort_keys=True)


class Controls(View):
    flag = state(bool)
    on = state(bool)
    locked = state(bool, True)
    kept = state(bool)
    saved = state(str)

    toggle_flag = action(ops.set(flag=lambda flag: not flag))
    toggle_on = action(ops.set(on=lambda on: not on))
    toggle_kept = action(ops.set(kept=lambda kept: not kept), when=lambda locked: not locked)

    prefs = form(
        Prefs,
        checks={
            "nickname": lambda nickname: None if nickname.strip() else "Pick a nickname",
            "age": lambda age: None if age is None or 0 < age < 150 else "Between 1 and 149",
        },
        submit=ops.set(saved=lambda prefs: _saved(prefs.data)),
    )

    def render(self) -> Element:
        prefs = self.prefs
        shown = {
            "flag": self.flag,
            "on": self.on,
            "kept": self.kept,
            "saved": self.saved,
            "errors": prefs.shown,
            "raw": {k: list(v) if isinstance(v, tuple) else v for k, v in prefs.raw.items()},
        }

        def error(field: str) -> Element:
            return h.span(prefs.error(field) or "", id=f"{field}-error", class_="error")

        return h.div(
            h.input(id="flag", type="checkbox", checked=self.flag, av_click="toggle_flag"),
            h.input(
                id="on",
                type="checkbox",
                name="on",
                value="yes",
                checked=self.on,
                av_change="toggle_on",
            ),
            h.input(
                id="kept", type="checkbox", name="kept", checked=self.kept, av_change="toggle_kept"
            ),
            h.form(
                h.input(id="nickname", name="nickname", value=prefs.value("nickname")),
                error("nickname"),
                h.textarea(prefs.value("bio"), id="bio", name="bio"),
                h.input(id="age", name="age", inputmode="numeric", value=prefs.value("age")),
                error("age"),
                h.input(
                    id="height",
                    name="height",
                    type="number",
                    step="any",
                    value=prefs.value("height"),
                ),
                h.input(id="born", name="born", type="date", value=prefs.value("born")),
                *(
                    h.input(
                        id=f"plan-{p}",
                        type="radio",
                        name="plan",
                        value=p,
                        checked=prefs.checked("plan", p),
                    )
                    for p in ("free", "pro")
                ),
                h.select(
                    *(
                        h.option(c, value=c, selected=prefs.checked("color", c))
                        for c in ("red", "green", "blue")
                    ),
                    id="color",
                    name="color",
                ),
                *(
                    h.input(
                        id=f"t-{t}",
                        type="checkbox",
                        name="topics",
                        value=t,
                        checked=prefs.checked("topics", t),
                    )
                    for t in ("music", "art", "code")
                ),
                h.select(
                    *(
                        h.option(lang, value=lang, selected=prefs.checked("langs", lang))
                        for lang in ("py", "js", "go")
                    ),
                    id="langs",
                    name="langs",
                    multiple=True,
                ),
                h.input(id="news", type="checkbox", name="news", checked=prefs.checked("news")),
                h.button("Save", id="save"),
                id="prefs",
                av_form="prefs",
            ),
            h.pre(json.dumps(shown, sort_keys=True), id="state"),
        )


@attrs.frozen
class Click:
    selector: str


@attrs.frozen
class Fill:
    """Set a text, number or date control at once (Playwright's ``fill``)."""

    selector: str
    text: str


@attrs.frozen
class Type:
    """Type ``text`` key by key into an empty control."""

    selector: str
    text: str


@attrs.frozen
class Select:
    selector: str
    values: tuple[str, ...]


Step = Click | Fill | Type | Select


@attrs.frozen
class Case:
    """A user's steps on a fresh page, and what must hold after them.

    ``state``: keys of the ``#state`` JSON and their values; ``checked``: selector →
    whether that checkbox or radio shows checked; ``values``: selector → the control's
    value as the user sees it.
    """

    name: str
    steps: tuple[Step, ...]
    state: Mapping[str, Any] = attrs.field(factory=dict)
    checked: Mapping[str, bool] = attrs.field(factory=dict)
    values: Mapping[str, str] = attrs.field(factory=dict)


EMPTY_RAW = {
    "age": "",
    "bio": "",
    "born": "",
    "color": "red",
    "height": "",
    "nickname": "",
    "plan": "free",
}
"""The form as FormData sends it untouched: no box of a group, no option of the
multi-select, and not the unchecked ``news``."""

CASES = (
    Case(
        "av-click on a checkbox shows what the state says (issue #17)",
        (Click("#flag"),),
        state={"flag": True},
        checked={"#flag": True},
    ),
    Case(
        "av-click on a checkbox twice: unchecked with the state",
        (Click("#flag"), Click("#flag")),
        state={"flag": False},
        checked={"#flag": False},
    ),
    Case(
        "av-change on a checkbox reaches an action without params (issue #17)",
        (Click("#on"),),
        state={"on": True},
        checked={"#on": True},
    ),
    Case(
        "a checkbox whose change the view does not apply shows its state again (issue #17)",
        (Click("#kept"),),
        state={"kept": False},
        checked={"#kept": False},
    ),
    Case(
        "typing in a text input: the form holds it, no error once it is valid",
        (Type("#nickname", "Ada"),),
        state={"errors": {}, "raw": {**EMPTY_RAW, "nickname": "Ada"}},
        values={"#nickname": "Ada"},
    ),
    Case(
        "an error shows only beside the field the user changed",
        (Type("#age", "12x"),),
        state={"errors": {"age": "'12x' is not a whole number"}},
        values={"#age": "12x", "#nickname": ""},
    ),
    Case(
        "a submit with errors is refused and shows every error; what was typed stays",
        (Fill("#age", "200"), Click("#save")),
        state={
            "saved": "",
            "errors": {"age": "Between 1 and 149", "nickname": "Pick a nickname"},
        },
        values={"#age": "200"},
    ),
    Case(
        "a textarea",
        (Fill("#bio", "two\nlines"),),
        state={"raw": {**EMPTY_RAW, "bio": "two\nlines"}},
        values={"#bio": "two\nlines"},
    ),
    Case(
        "radios: one of the group",
        (Click("#plan-pro"),),
        state={"raw": {**EMPTY_RAW, "plan": "pro"}},
        checked={"#plan-pro": True, "#plan-free": False},
    ),
    Case(
        "a select",
        (Select("#color", ("green",)),),
        state={"raw": {**EMPTY_RAW, "color": "green"}},
        values={"#color": "green"},
    ),
    Case(
        "a multi-select sends a list",
        (Select("#langs", ("py", "go")),),
        state={"raw": {**EMPTY_RAW, "langs": ["py", "go"]}},
    ),
    Case(
        "a checkbox group sends a list, in page order",
        (Click("#t-code"), Click("#t-music")),
        state={"raw": {**EMPTY_RAW, "topics": ["music", "code"]}},
        checked={"#t-music": True, "#t-art": False, "#t-code": True},
    ),
    Case(
        "one checkbox is a bool: present when checked",
        (Click("#news"),),
        state={"raw": {**EMPTY_RAW, "news": "on"}},
        checked={"#news": True},
    ),
    Case(
        "number and date inputs",
        (Fill("#height", "1.75"), Fill("#born", "2026-12-03")),
        state={"errors": {}, "raw": {**EMPTY_RAW, "height": "1.75", "born": "2026-12-03"}},
        values={"#height": "1.75", "#born": "2026-12-03"},
    ),
    Case(
        "a valid submit runs with every value typed",
        (
            Type("#nickname", "Ada"),
            Fill("#age", "36"),
            Fill("#height", "1.7"),
            Fill("#born", "1815-12-10"),
            Click("#plan-pro"),
            Select("#color", ("blue",)),
            Click("#t-art"),
            Select("#langs", ("js",)),
            Click("#news"),
            Click("#save"),
        ),
        state={
            "errors": {},
            "saved": _saved(
                Prefs(
                    nickname="Ada",
                    age=36,
                    height=1.7,
                    born=datetime.date(1815, 12, 10),
                    plan="pro",
                    color="blue",
                    topics=["art"],
                    langs=["js"],
                    news=True,
                )
            ),
        },
        checked={"#plan-pro": True, "#t-art": True, "#news": True},
        values={"#nickname": "Ada", "#age": "36"},
    ),
)


def differences(case: Case, shown: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The keys of ``case.state`` whose value in ``shown`` differs: key → (want, got)."""
    return {
        key: (want, shown.get(key)) for key, want in case.state.items() if shown.get(key) != want
    }
