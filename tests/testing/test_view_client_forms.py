"""The test client types, submits and presses keys by client.js's rules."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from actorview.render import Element, h
from actorview.testing import NoMatch, NotInteractive, mount
from actorview.view import Applied, InputEvent, View, action, calculate, ops, state


class Profile(View):
    who = state(str, origin="client")
    city = state(str, origin="client")
    saved = state(str)
    keys = state(str)
    who_ok = calculate(lambda who: bool(who.strip()))
    save = action(
        ops.set(saved=lambda who, city, plan, news: f"{who}|{city}|{plan}|{news}"),
        params={"plan": str, "news": str},
    )
    key = action(
        ops.set(keys=lambda keys, key, value: f"{keys}{key}:{value};"),
        params={"key": str, "value": str},
    )
    echo = action(ops.set(who=lambda text: text), params={"text": str}, optimistic=True)

    def render(self) -> Element:
        return h.div(
            h.form(
                h.input(id="who", name="who", av_input="who", av_debounce="300"),
                h.input(id="city", name="city", av_input="city", av_throttle="100"),
                h.select(
                    h.option("Free", value="free"),
                    h.option("Pro", value="pro", selected=self.saved == ""),
                    name="plan",
                ),
                h.input(id="n1", type="checkbox", name="news", value="weekly", checked=True),
                h.input(id="n2", type="checkbox", name="news", value="daily"),
                h.input(id="ignored", name="secret", disabled=True, value="x"),
                h.button("Save", id="save", disabled=not self.who_ok),
                id="profile",
                av_submit="save",
                av_reset=True,
            ),
            h.input(
                id="keys",
                av_keydown="key",
                av_key_filter="Enter, Escape",
                value=self.keys,
            ),
            h.input(id="mirror", name="mirror", value=self.who),
            h.button("echo", id="echo", av_click="echo", av_value_text="from server"),
            h.p(self.saved, id="saved"),
        )


async def test_debounced_typing_sends_one_input_once_the_keys_stop(
    mock_clock: trio.testing.MockClock,
) -> None:
    async with mount(Profile) as view:
        assert await view.type("#who", "ada", delay=0.1) is None
        assert view.value("#who") == "ada"
        assert view.state["who"] == ""
        await view.advance(0.299)
        assert view.state["who"] == ""
        await view.advance(0.001)
        assert view.state["who"] == "ada"
        assert [r.message for r in view.replies] == [InputEvent("who", "ada")]


async def test_settle_sends_a_pending_debounced_input(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Profile) as view:
        await view.type("#who", "grace")
        await view.settle()
        assert view.state["who"] == "grace"


async def test_throttled_typing_sends_at_most_one_input_per_period_and_the_last_value(
    mock_clock: trio.testing.MockClock,
) -> None:
    async with mount(Profile) as view:
        await view.type("#city", "abcdefg", delay=0.03)  # keys at 0, .03, ... .18 s
        await view.advance(1)
        sent = [(r.value) for r in view.replies]
        assert sent == ["a", "abcd", "abcdefg"]
        assert view.state["city"] == "abcdefg"


async def test_submit_fills_fields_and_sends_form_data_as_the_browser_does(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Profile) as view:
        assert await view.submit("#profile", {"who": "ada", "city": "Paris"}) == Applied()
        assert view.text("#saved") == "ada|Paris|pro|weekly"
        assert view.replies[-1].params == {
            "who": "ada",
            "city": "Paris",
            "plan": "pro",
            "news": "weekly",
        }


async def test_submit_sends_repeated_names_as_a_list_and_the_chosen_option(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Profile) as view:
        await view.submit("#profile", {"who": "x", "news": True, "plan": "free"})
        assert view.replies[-1].params["plan"] == "free"
        await view.click("#n2")
        await view.submit("#profile")
        assert view.replies[-1].params["news"] == ["weekly", "daily"]


async def test_av_reset_resets_what_the_user_typed_after_submit(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Profile) as view:
        await view.type("#city", "Oslo")
        await view.submit("#profile", {"who": "ada"})
        assert view.value("#city") == ""
        assert view.value("#who") == ""


async def test_a_form_whose_default_button_is_disabled_cannot_be_submitted(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Profile) as view:
        with pytest.raises(NotInteractive, match=r"default button button#save.* is disabled"):
            await view.submit("#profile")
        await view.type("#who", "ada")
        assert await view.keydown("#who", "Enter") is None  # debounce not yet fired
        await view.settle()
        assert await view.keydown("#who", "Enter") == Applied()
        assert view.text("#saved").startswith("ada|")


async def test_submit_names_the_fields_when_one_is_unknown() -> None:
    async with mount(Profile) as view:
        with pytest.raises(NoMatch, match="no field named 'nmae'; its fields: who, city, plan"):
            await view.submit("#profile", {"nmae": "x"})


async def test_keydown_sends_key_and_value_only_for_filtered_keys() -> None:
    async with mount(Profile) as view:
        assert await view.keydown("#keys", "a") is None
        assert await view.keydown("#keys", "Escape") == Applied()
        assert view.state["keys"] == "Escape:;"
        assert await view.keydown("#keys", "Enter") == Applied()
        assert view.state["keys"] == "Escape:;Enter:Escape:;;"


async def test_keydown_on_an_element_without_av_keydown_says_it_sends_nothing() -> None:
    async with mount(Profile) as view:
        with pytest.raises(NotInteractive, match="pressing 'x'"):
            await view.keydown("#saved", "x")


async def test_typing_into_a_focused_control_survives_the_server_changing_its_value() -> None:
    async with mount(Profile) as view:
        await view.type("#mirror", "mine")
        await view.click("#echo")  # the click moves focus to the button
        assert view.value("#mirror") == "from server"
        await view.type("#mirror", "typed")
        await view.send(InputEvent("who", "server again"))
        assert view.find("#mirror")["value"] == "server again"
        assert view.value("#mirror") == "typed"  # focused: what the user types wins
        assert view.focused is not None and view.focused.attrs["id"] == "mirror"


async def test_type_refuses_what_one_cannot_type_into() -> None:
    async with mount(Profile) as view:
        with pytest.raises(NotInteractive, match="disabled"):
            await view.type("#ignored", "x")
        with pytest.raises(NotInteractive, match="not a control one can type in"):
            await view.type("#saved", "x")


class Signup(View):
    email = state(str, origin="client")
    checked = state(str)
    validate = action(
        ops.set(checked=lambda name, value: f"{name}={value}"),
        params={"name": str, "value": str},
    )

    def render(self) -> Element:
        return h.form(
            h.input(id="email", name="email", av_change="validate"),
            h.textarea(id="bio", name="bio"),
            h.p(self.checked, id="checked"),
        )


async def test_av_change_fires_when_a_changed_text_field_loses_focus() -> None:
    async with mount(Signup) as view:
        await view.type("#email", "ada@")
        assert view.text("#checked") == ""  # no change while typing
        assert await view.type("#bio", "hello") == Applied()  # focus moves: change fires
        assert view.text("#checked") == "email=ada@"
        await view.type("#email", "bob@")
        assert await view.blur() == Applied()
        assert view.text("#checked") == "email=bob@"
        await view.type("#email", "bob@")  # typed over with the same value: no change
        assert await view.blur() is None
