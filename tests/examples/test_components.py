"""examples/components.py: counters that keep their own count, todo rows as components."""

from __future__ import annotations

from actorview.testing import ViewClient, mount
from examples.components import Board, Counter, Todos


def counts(view: ViewClient[Board]) -> dict[str, str]:
    return {
        item["id"].removeprefix("counter-"): view.text(f"#{item['id']} .count")
        for item in view.find_all("#counters li.counter")
    }


async def test_each_counter_keeps_its_count_and_the_board_adds_them_up() -> None:
    async with mount(Board, strict=True) as view:
        await view.click("#counter-apples .inc")
        await view.click("#counter-apples .inc")
        await view.click("#counter-pears .dec")
        assert counts(view) == {"apples": "2", "pears": "-1"}
        assert view.text("#total") == "1"
        assert view.component(Counter, "apples").renders == 3
        assert view.component(Counter, "pears").renders == 2


async def test_a_counter_keeps_its_count_when_it_moves_and_starts_again_when_it_comes_back() -> (
    None
):
    async with mount(Board, strict=True) as view:
        await view.click("#counter-pears .inc")
        await view.type("#add-counter input", "plums")
        await view.submit("#add-counter")
        await view.click("#counter-plums .inc")
        await view.click("#row-plums .up")
        assert list(counts(view)) == ["apples", "plums", "pears"]
        assert counts(view) == {"apples": "0", "plums": "1", "pears": "1"}
        await view.click("#row-pears .remove")
        assert view.text("#total") == "1"
        await view.type("#add-counter input", "pears")
        await view.submit("#add-counter")
        assert counts(view) == {"apples": "0", "plums": "1", "pears": "0"}


async def test_a_changed_prop_renders_every_counter_again() -> None:
    async with mount(Board, strict=True) as view:
        await view.click("#counter-apples .inc")
        await view.click("#double-step")
        await view.click("#counter-apples .inc")
        assert counts(view)["apples"] == "3"
        assert view.component(Counter, "pears").renders == 2  # first, then the new step


async def test_a_counter_on_its_own() -> None:
    async with mount(Counter, {"label": "figs", "step": 5}, strict=True) as view:
        await view.click(".inc")
        assert view.text(".count") == "5"
        assert [(m.name, m.count) for m in view.told] == [("figs", 5)]
        await view.set_props(step=1)
        await view.click(".dec")
        assert view.component(Counter).count == 4


async def test_todo_rows_tick_off_in_place_and_remove_through_the_list() -> None:
    async with mount(Todos, strict=True) as view:
        for text in ("milk", "eggs", "bread"):
            await view.type("#add-todo input", text)
            await view.submit("#add-todo")
        mark = view.mark()
        await view.click("#todo-1 .toggle")
        assert view.find("#todo-1")["class"] == "todo done"
        (frame,) = view.frames_since(mark, "patch")
        assert "eggs" in frame.text and "milk" not in frame.text  # only that row is sent
        await view.click("#todo-0 .remove")
        assert [item.text for item in view.find_all("#todos .text")] == ["eggs", "bread"]
        assert sorted(view.view.components) == ["TodoRow/1", "TodoRow/2"]
        await view.click("#todo-1 .toggle")
        assert view.find("#todo-1")["class"] == "todo"
