"""A signup form: per-field errors as the user types, a submit refused with them.

``signup = form(Signup, checks=..., submit=...)`` declares the form from the attrs class
of its values; ``av-form="signup"`` on the ``<form>`` sends it to the view as the user
types (paced by ``av-debounce``) and on submit. Each field's error is shown beside it
once the user has changed that field, and every error once a submit was tried; a submit
with an error does not run (the page keeps what was typed), a valid one adds the member
and clears the form. The age is typed (``int | None``: text that is not a whole number
is its error), the birthday a ``date``, the plan a ``Literal`` (radios), the topics a
``list[str]`` (a checkbox group), the terms a ``bool`` (one checkbox).

DOM hooks: ``#signup`` (the form; each control ``#<field>``, its error
``#<field>-error``), ``#members`` (one ``li`` per member), ``#welcome``.
"""

from __future__ import annotations

import datetime
from typing import Literal

import attrs
import trio

from actorview import Application, Element, Route, View, form, h, ops, state

TOPICS = ("music", "art", "code")


@attrs.frozen
class Signup:
    """What the form holds, one field per control name (each with its default)."""

    name: str = ""
    email: str = ""
    password: str = ""
    confirm: str = ""
    age: int | None = None
    birthday: datetime.date | None = None
    plan: Literal["free", "pro"] = "free"
    topics: list[str] = attrs.Factory(list)
    terms: bool = False


@attrs.frozen
class Member:
    name: str
    email: str
    plan: str


def _email(email: str) -> str | None:
    user, at, domain = email.strip().partition("@")
    return None if user and at and "." in domain else "An email looks like ada@example.com"


class SignupPage(View):
    members = state(list[Member])
    welcome = state(str)

    signup = form(
        Signup,
        checks={
            "name": lambda name: None if name.strip() else "Tell us your name",
            "email": _email,
            "password": lambda password: None if len(password) >= 8 else "At least 8 characters",
            "confirm": lambda password, confirm: None if confirm == password else "Does not match",
            "age": lambda age: None if age is None or 13 <= age <= 120 else "Between 13 and 120",
            "terms": lambda terms: None if terms else "Please accept the terms",
        },
        submit=(
            ops.push(members=lambda name, email, plan: Member(name.strip(), email.strip(), plan)),
            ops.set(welcome=lambda name: f"Welcome, {name.strip()}!"),
            ops.set(signup=lambda signup: signup.cleared()),
        ),
    )

    def render(self) -> Element:
        signup = self.signup

        def field(label: str, name: str, **attributes: str) -> Element:
            return h.p(
                h.label(label, for_=name),
                h.input(id=name, name=name, value=signup.value(name), **attributes),
                h.span(signup.error(name) or "", id=f"{name}-error", class_="error"),
            )

        return h.div(
            h.form(
                field("Name", "name"),
                field("Email", "email", type="email"),
                field("Password", "password", type="password"),
                field("Again", "confirm", type="password"),
                field("Age", "age", type="number"),
                field("Birthday", "birthday", type="date"),
                h.p(
                    *(
                        h.label(
                            h.input(
                                id=f"plan-{plan}",
                                type="radio",
                                name="plan",
                                value=plan,
                                checked=signup.checked("plan", plan),
                            ),
                            plan,
                        )
                        for plan in ("free", "pro")
                    )
                ),
                h.p(
                    *(
                        h.label(
                            h.input(
                                id=f"topic-{topic}",
                                type="checkbox",
                                name="topics",
                                value=topic,
                                checked=signup.checked("topics", topic),
                            ),
                            topic,
                        )
                        for topic in TOPICS
                    )
                ),
                h.p(
                    h.label(
                        h.input(
                            id="terms",
                            type="checkbox",
                            name="terms",
                            checked=signup.checked("terms"),
                        ),
                        "I accept the terms",
                    ),
                    h.span(signup.error("terms") or "", id="terms-error", class_="error"),
                ),
                h.button("Sign up", id="join"),
                id="signup",
                av_form="signup",
                av_debounce="150",
            ),
            h.p(self.welcome, id="welcome"),
            h.ul(*(h.li(f"{m.name} <{m.email}> ({m.plan})") for m in self.members), id="members"),
        )


if __name__ == "__main__":
    trio.run(Application([Route("/", SignupPage)], title="signup").serve)
