"""The chat's finished look in Chromium against ``python -m demo_chat``: light and dark
following the system, a phone's 390x844 screen with the sidebar as a drawer and no
horizontal scroll, the keyboard's focus (back in the message box after a send or a
cancel; visible on every control) and what a screen reader is told (a polite live region
for the streaming reply, names on every control, landmarks).

The first tests save the README's screenshots: docs/chat-light.png, docs/chat-dark.png
and docs/chat-phone.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.demo import demo_server

pytestmark = pytest.mark.browser

EMPTY = "() => !document.querySelector('#history > li[data-role]')"
"""The conversation shown has no message (the history may hold other items: a tail)."""

DOCS = Path(__file__).resolve().parents[2] / "docs"
DESKTOP = {"width": 1100, "height": 720}
PHONE = {"width": 390, "height": 844}

CONTRAST = """([fg, bg]) => {
  const rgb = (css) => css.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (css) => {
    const [r, g, b] = rgb(css).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""

STYLE = """([selector, property]) =>
  getComputedStyle(document.querySelector(selector)).getPropertyValue(property)"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("look")
    options = [
        *("--data-dir", str(data), "--history-db", str(data / "chat.sqlite3")),
        *("--token-delay", "0.02", "--reply-length", "30"),
    ]
    with demo_server(*options, secret=None) as url:
        yield url


def opened(browser: Any, url: str, **options: Any) -> Any:
    """A page of a new visitor (its own context), joined."""
    context = browser.new_context(**options)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#av-root.av-connected")
    return page


def ask(page: Any, prompt: str) -> None:
    before = page.locator("#history > li[data-role]").count()
    page.fill("#prompt", prompt)
    page.press("#prompt", "Enter")
    page.wait_for_function(
        f"""() => document.querySelectorAll('#history > li[data-role]').length
                  === {before + 2} && document.querySelector('#cancel').disabled""",
        timeout=20_000,
    )


def style(page: Any, selector: str, prop: str) -> str:
    return str(page.evaluate(STYLE, [selector, prop]))


def contrast(page: Any, selector: str, background_of: str) -> float:
    fg = style(page, selector, "color")
    bg = style(page, background_of, "background-color")
    return float(page.evaluate(CONTRAST, [fg, bg]))


def luminance_is_dark(page: Any, selector: str) -> bool:
    bg = style(page, selector, "background-color")
    return float(page.evaluate(CONTRAST, [bg, "rgb(0, 0, 0)"])) < 3


def a_conversation(page: Any) -> None:
    """An earlier conversation in the sidebar, then one with a Markdown reply."""
    ask(page, "Plan a weekend in Lisbon")
    if page.is_visible("#sidebar-toggle"):  # a phone: the sidebar is a drawer
        page.click("#sidebar-toggle")
    page.click("#new-chat")
    page.wait_for_function(EMPTY)
    ask(page, "show me some markdown")
    ask(page, "hello")
    page.fill("#prompt", "What is actorview?")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_light_and_dark_follow_the_system_and_stay_readable(
    browser: Any, demo: str, scheme: str
) -> None:
    page = opened(browser, demo, color_scheme=scheme, viewport=DESKTOP)
    try:
        a_conversation(page)
        assert luminance_is_dark(page, "body") == (scheme == "dark")
        assert luminance_is_dark(page, "#history") == (scheme == "dark")
        # WCAG AA for text: 4.5:1 against what it is drawn on.
        assert contrast(page, "body", "body") >= 4.5
        assert contrast(page, "#history > li.assistant", "#history > li.assistant") >= 4.5
        assert contrast(page, "#history > li.user", "#history > li.user") >= 4.5
        assert contrast(page, "#prompt", "#prompt") >= 4.5
        assert contrast(page, "#conversations a", "#sidebar") >= 4.5
        assert contrast(page, ".brand", "body") >= 4.5
        assert style(page, ":root", "color-scheme").strip() == "light dark"
        assert page.is_visible("#sidebar") and not page.is_visible("#sidebar-toggle")
        page.screenshot(path=str(DOCS / f"chat-{scheme}.png"))
    finally:
        page.context.close()


def test_a_phone_has_no_horizontal_scroll_and_the_sidebar_is_a_drawer(
    browser: Any, demo: str
) -> None:
    page = opened(browser, demo, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        a_conversation(page)
        page.screenshot(path=str(DOCS / "chat-phone.png"))
        ask(page, "an unbroken word: " + "x" * 300)  # no page-wide scroll for it either
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways ({width}px)"
        assert page.evaluate("() => document.body.scrollWidth") <= PHONE["width"]
        assert not page.is_visible("#sidebar"), "closed: off screen and out of the tab order"
        assert not page.is_visible("#token-count"), "developer figures stay out of the way"
        toggle = page.locator("#sidebar-toggle")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        toggle.click()
        page.wait_for_function(
            "() => getComputedStyle(document.querySelector('#sidebar')).transform === 'none'"
        )
        assert (
            page.is_visible("#conversations a") and toggle.get_attribute("aria-expanded") == "true"
        )
        box = page.locator("#sidebar").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.body.classList.contains('sidebar-open')")
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.click()
        page.mouse.click(PHONE["width"] - 10, PHONE["height"] // 2)  # beside the drawer
        page.wait_for_function("() => !document.body.classList.contains('sidebar-open')")
        toggle.click()
        page.click("#new-chat")  # moves to a new chat and closes the drawer
        page.wait_for_function(EMPTY)
        page.wait_for_function("() => !document.body.classList.contains('sidebar-open')")
        assert page.locator("#sidebar-toggle").get_attribute("aria-expanded") == "false"
    finally:
        page.context.close()


def test_focus_returns_to_the_message_box_after_send_and_cancel(browser: Any, demo: str) -> None:
    page = opened(browser, demo, viewport=DESKTOP)
    try:
        page.fill("#prompt", "sent by the button")
        page.click("#send")  # the button takes the focus, and is disabled at once
        page.wait_for_function("() => document.activeElement?.id === 'prompt'")
        page.wait_for_function("() => !document.querySelector('#cancel').disabled")
        page.click("#cancel")
        page.wait_for_function("() => document.querySelector('#cancel').disabled")
        page.wait_for_function("() => document.activeElement?.id === 'prompt'")
        page.keyboard.type("typed on")  # straight on, no click needed
        assert page.input_value("#prompt") == "typed on"
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelector('#cancel').disabled")
        assert page.evaluate("() => document.activeElement.id") == "prompt"
        page.click("#new-chat")  # a live navigation replaces the page's container
        page.wait_for_function(EMPTY)
        page.wait_for_function("() => document.activeElement?.id === 'prompt'")
    finally:
        page.context.close()


def test_the_keyboard_sees_where_it_is_on_every_control(browser: Any, demo: str) -> None:
    page = opened(browser, demo, viewport=DESKTOP)
    try:
        ask(page, "hello")
        seen: dict[str, str] = {}
        page.click("#history")  # start from the page, then walk it by Tab
        for _ in range(12):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => { const e = document.activeElement;
                  const s = getComputedStyle(e);
                  return [e.id || e.className || e.tagName, s.outlineStyle, s.outlineWidth] }"""
            )
            name, outline, width = focused
            if name == "BODY":  # past the last control (the browser's own UI next)
                continue
            seen[name] = outline
            assert outline != "none" and float(width.rstrip("px")) >= 2, focused
        assert {"new-chat", "prompt"} <= set(seen), seen
    finally:
        page.context.close()


def test_a_screen_reader_hears_the_reply_politely_and_every_control_has_a_name(
    browser: Any, demo: str
) -> None:
    page = opened(browser, demo, viewport=DESKTOP)
    try:
        page.fill("#prompt", "hello")
        page.press("#prompt", "Enter")
        page.wait_for_function(
            "() => /\\w/.test(document.querySelector('#draft')?.textContent ?? '')"
        )
        live = page.evaluate(
            """() => { const d = document.querySelector('#draft');
              return d.closest('[aria-live]')?.getAttribute('aria-live') }"""
        )
        assert live == "polite"
        unnamed = page.evaluate(
            """() => [...document.querySelectorAll('button, input, a[href]')]
              .filter(e => !(e.getAttribute('aria-label') || e.textContent.trim()
                             || e.labels?.length))
              .map(e => e.outerHTML.slice(0, 80))"""
        )
        assert unnamed == []
        assert page.get_attribute("#prompt", "aria-label") == "Message"
        assert page.locator("main").count() == 1
        assert page.get_attribute("#sidebar nav", "aria-label") == "Conversations"
        assert page.get_attribute("#failure", "role") == "alert"
    finally:
        page.context.close()
