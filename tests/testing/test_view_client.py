"""The view test client: mounting, reading with selectors, clicking, the wire, failures."""

from __future__ import annotations

import re

import attrs
import pytest
import trio
import trio.testing

from actorview.render import Document, Element, h
from actorview.testing import (
    EventRejected,
    NoMatch,
    NotInteractive,
    ViewCrashed,
    ViewTestError,
    mount,
)
from actorview.view import (
    Applied,
    Ignored,
    OpError,
    Rejected,
    View,
    action,
    calculate,
    clause,
    ops,
    state,
)


class Counter(View):
    count = state(int)
    label = state(str, "clicks")
    doubled = calculate(lambda count: count * 2)
    # av-value-* params are text on the wire (docs/PROTOCOL.md); an int param takes it.
    add = action(ops.set(count=lambda count, by: count + by), params={"by": int})
    add_small = action(ops.set(count=lambda count: count + 1), when=lambda count: count < 2)

    def render(self) -> Element:
        return h.div(
            {"id": "counter"},
            h.p(h.span(str(self.count), id="count"), " ", self.label, class_="total"),
            h.button("+1", id="inc", av_click="add", av_value_by="1"),
            h.button("+5", id="inc5", class_=["big", "primary"], av_click="add", av_value_by="5"),
            h.button("bad", id="bad", av_click="add"),
            h.button("small", id="small", av_click="add_small"),
            h.div(h.span("wrapped", class_="inner"), id="card", av_click="add", av_value_by="10"),
            h.button("off", id="off", av_click="add", av_value_by="1", disabled=True),
            h.ul(h.li("a", class_="item"), h.li(h.b("b"), class_="item"), id="list"),
            h.p(f"doubled {self.doubled}", id="doubled"),
        )


async def test_mount_shows_the_first_render_and_the_state() -> None:
    async with mount(Counter) as view:
        assert view.text("#count") == "0"
        assert view.state["count"] == 0 and view.state["doubled"] == 0
        assert view.html.startswith('<div id="counter"><p class="total"><span id="count">0</span>')
        assert [frame.kind for frame in view.frames] == ["render"]
        assert view.frames[0].data == {"t": "render", "html": view.html}


async def test_click_sends_av_click_with_its_av_value_params() -> None:
    async with mount(Counter) as view:
        assert await view.click("#inc5") == Applied()
        assert view.text("#count") == "5"
        assert view.text("#doubled") == "doubled 10"
        assert view.state["count"] == 5
        assert view.replies[-1].params == {"by": "5"}
        with pytest.raises(TypeError, match="not an input"):
            _ = view.replies[-1].value


async def test_a_click_on_a_child_goes_to_the_nearest_av_click_ancestor() -> None:
    async with mount(Counter) as view:
        await view.click("#card .inner")
        assert view.state["count"] == 10


async def test_a_guard_that_is_false_comes_back_as_ignored() -> None:
    async with mount(Counter) as view:
        await view.click("#small")
        await view.click("#small")
        outcome = await view.click("#small")
        assert isinstance(outcome, Ignored)
        assert view.text("#count") == "2"


async def test_a_rejected_event_is_returned_and_the_view_runs_on() -> None:
    async with mount(Counter) as view:
        outcome = await view.click("#bad")
        assert isinstance(outcome, Rejected)
        assert "by" in str(outcome.error)
        assert view.frames[-1].data["outcome"] == "rejected"
        assert await view.click("#inc") == Applied()


async def test_strict_mode_raises_on_a_rejected_event() -> None:
    async with mount(Counter, strict=True) as view:
        with pytest.raises(EventRejected, match="rejected"):
            await view.click("#bad")


async def test_a_disabled_button_gets_no_click() -> None:
    async with mount(Counter) as view:
        assert view.is_disabled("#off")
        with pytest.raises(NotInteractive, match="disabled"):
            await view.click("#off")
        assert view.state["count"] == 0
        assert len(view.replies) == 0


async def test_a_click_on_an_element_that_sends_nothing_says_so() -> None:
    async with mount(Counter) as view:
        with pytest.raises(NotInteractive, match="neither it nor an ancestor has av-click"):
            await view.click("#count")


async def test_css_selectors_find_by_tag_id_class_attribute_descendant_and_child() -> None:
    async with mount(Counter) as view:
        assert view.find("button.big.primary")["id"] == "inc5"
        assert view.find('[av-value-by="5"]').text == "+5"
        assert view.find("#counter > [av-value-by='1']", text="+1")["id"] == "inc"
        assert [f.attrs["id"] for f in view.find_all("button[disabled]")] == ["off"]
        assert len(view.find_all("#counter button")) == 5
        assert len(view.find_all("#counter > button")) == 5
        assert view.find_all("#counter > span") == []
        assert [f.text for f in view.find_all("ul > li.item")] == ["a", "b"]
        assert [f.text for f in view.find_all("li b, #count")] == ["0", "b"]
        assert view.find("[id$=c5]")["id"] == "inc5"
        assert view.find("[id^=dou]")["id"] == "doubled"
        assert view.find("button[class~=big]")["id"] == "inc5"
        assert view.find("*[id*=oubl]")["id"] == "doubled"


async def test_has_element_filters_by_text_or_pattern() -> None:
    async with mount(Counter) as view:
        assert view.has_element("p.total", text="clicks")
        assert not view.has_element("p.total", text="clocks")
        assert view.has_element("li", text=re.compile(r"^b$"))
        assert not view.has_element("#nothing")
        assert view.find("li", text="b").html == '<li class="item"><b>b</b></li>'


async def test_a_selector_that_matches_nothing_shows_the_page_around_where_it_looked() -> None:
    async with mount(Counter) as view:
        with pytest.raises(NoMatch) as failure:
            view.find("#list li.missing")
        message = str(failure.value)
        assert "'#list' matches ul#list" in message
        assert '<ul id="list"><li class="item">a</li>' in message
        with pytest.raises(NoMatch, match="Ids on the page: counter, count, inc"):
            view.find("#nope")
        with pytest.raises(NoMatch, match="none with text 'zzz'"):
            view.find("li", text="zzz")


async def test_an_action_needs_exactly_one_element() -> None:
    async with mount(Counter) as view:
        with pytest.raises(NoMatch, match="matches 5 elements"):
            await view.click("button")


async def test_an_unsupported_selector_is_an_error_not_a_silent_miss() -> None:
    async with mount(Counter) as view:
        with pytest.raises(ViewTestError, match="pseudo-class ':first-child' is not supported"):
            view.find_all("li:first-child")
        with pytest.raises(ViewTestError, match="'\\+' combinator"):
            view.find_all("li + li")


async def test_reading_an_unknown_state_name_lists_the_names() -> None:
    async with mount(Counter) as view:
        with pytest.raises(KeyError, match="count, label, doubled"):
            view.state["nope"]


async def test_every_patch_frame_is_encoded_as_the_endpoint_sends_it() -> None:
    async with mount(Counter) as view:
        mark = view.mark()
        await view.click("#inc")
        patches = view.frames_since(mark, "patch")
        assert [frame.text for frame in patches] == ['[["t",[0,0,0],"1"],["t",[8,0],"doubled 2"]]']
        assert patches[0].size == len(patches[0].text)
        assert (
            view.frames_since(mark, "reply")[0].text == '{"t":"reply","ref":1,"outcome":"applied"}'
        )


async def test_the_page_built_from_frames_equals_the_view_s_last_tree() -> None:
    async with mount(Counter) as view:
        for selector in ["#inc", "#inc5", "#card", "#small"]:
            await view.click(selector)
        assert view.view.live.tree is not None
        assert view.page.document is not None
        assert view.page.document.snapshot() == Document.from_tree(view.view.live.tree).snapshot()


@attrs.frozen
class Boom:
    pass


class Fragile(View, receives=(Boom,)):
    n = state(int)
    on_boom = clause(Boom, ops.set(n=lambda n: n // 0))

    def render(self) -> Element:
        return h.div(h.span(str(self.n)))


async def test_a_crash_of_the_view_is_raised_in_the_test_with_its_cause() -> None:
    with pytest.raises(ViewCrashed, match="ZeroDivisionError") as failure:
        async with mount(Fragile) as view:
            await view.send(Boom())
    assert isinstance(failure.value.__cause__, OpError)
    assert isinstance(failure.value.__cause__.__cause__, ZeroDivisionError)


async def test_an_assertion_in_the_test_body_is_not_wrapped_in_an_exception_group() -> None:
    with pytest.raises(AssertionError, match="plain"):
        async with mount(Counter):
            raise AssertionError("plain")


async def test_bad_mount_params_fail_the_mount() -> None:
    class Titled(View):
        title = state(str)

        def mount(self, params: TitleParams) -> None:
            self.title = params.title

    with pytest.raises(Exception, match="title"):
        async with mount(Titled, {"title": 3}):
            pass


@attrs.frozen
class TitleParams:
    title: str


async def test_mount_works_under_a_manual_mock_clock(mock_clock: trio.testing.MockClock) -> None:
    async with mount(Counter) as view:
        await view.click("#inc")
        assert view.text("#count") == "1"
        assert trio.current_time() == 0


async def test_a_frame_that_does_not_fit_the_page_fails_the_next_step() -> None:
    from actorview.render import SetText
    from actorview.view import Rendered

    async with mount(Counter) as view:
        assert view.view.live.tree is not None
        view._sink(Rendered(99, view.view.live.tree, (SetText((7, 7, 7), "x"),)))  # a wrong diff
        with pytest.raises(ViewTestError, match=r"frame 1 \(version 99\) does not fit"):
            await view.click("#inc")
        view._failure = None  # let the block end cleanly
