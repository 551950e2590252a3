"""examples/signup.py: errors beside their fields as the user types, a refused submit."""

from __future__ import annotations

import trio.testing

from actorview.testing import mount
from actorview.view import Applied, Ignored
from examples.signup import SignupPage

GOOD = {
    "name": "Ada",
    "email": "ada@example.com",
    "password": "analytical",
    "confirm": "analytical",
    "age": "36",
    "birthday": "1815-12-10",
    "plan": "pro",
    "topics": ["code", "art"],
    "terms": True,
}


async def test_an_error_shows_beside_a_field_once_the_user_changed_it(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(SignupPage) as view:
        assert view.text("#name-error") == "" and view.text("#email-error") == ""
        await view.type("#email", "ada@")
        await view.settle()
        assert view.text("#email-error") == "An email looks like ada@example.com"
        assert view.text("#name-error") == "", "no error on a field nobody touched"
        await view.type("#email", "example.com", append=True)
        await view.settle()
        assert view.text("#email-error") == ""


async def test_a_submit_with_errors_is_refused_and_keeps_what_was_typed(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(SignupPage) as view:
        outcome = await view.submit("#signup", {"name": "Ada", "age": "9"})
        assert isinstance(outcome, Ignored)
        assert view.text("#age-error") == "Between 13 and 120"
        assert view.text("#terms-error") == "Please accept the terms"
        assert view.text("#password-error") == "At least 8 characters"
        assert view.value("#name") == "Ada" and view.value("#age") == "9"
        assert view.find_all("#members li") == []


async def test_a_valid_submit_adds_the_member_and_clears_the_form(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(SignupPage) as view:
        assert await view.submit("#signup", GOOD) == Applied()
        assert view.text("#welcome") == "Welcome, Ada!"
        assert [li.text for li in view.find_all("#members li")] == ["Ada <ada@example.com> (pro)"]
        assert view.value("#name") == "" and not view.find("#topic-code").checked
        assert view.find("#plan-free").checked
        assert view.text("#name-error") == "", "a cleared form shows no error"
