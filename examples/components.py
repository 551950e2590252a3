"""Components: counters that keep their own count, and a todo list whose rows are components.

``Board`` shows one ``Counter`` component per name, keyed by the name: each counter keeps
its own count, its buttons go to it alone, and it tells the board each new count
(``ops.tell_parent``), which an ordinary clause of the board adds up. Names are added,
removed and moved up; a counter keeps its count when it moves and starts again from
zero when its name comes back. ``Todos`` is a ``stream`` of todos, each rendered by a
``TodoRow`` component: a row is ticked off in place (only that row is sent again), and
its remove button tells the view, which deletes the item (and the row's component with it).

DOM hooks: ``#counters`` (one ``li.counter`` per name, ``#counter-<name>``, with
``.count``, ``.inc``, ``.dec``, in a ``#row-<name>`` with ``.up`` and ``.remove``),
``#total``, ``#double-step``, the ``#add-counter`` form with its input
``name="new_name"``; ``#todos`` (one ``li.todo`` per todo, ``#todo-<id>``, with
``.toggle`` and ``.remove``), the ``#add-todo`` form with its input ``name="text"``.
"""

from __future__ import annotations

import attrs
import trio

from actorview import (
    Application,
    Component,
    Element,
    Route,
    View,
    action,
    calculate,
    clause,
    h,
    ops,
    prop,
    state,
    stream,
)


@attrs.frozen
class Counted:
    """A counter's new count, told to its board."""

    name: str
    count: int


class Counter(Component, sends=(Counted,)):
    """One named counter: its count is its own; the board passes the name and the step."""

    label = prop(str)
    step = prop(int, 1)
    count = state(int)

    inc = action(
        ops.set(count=lambda count, step: count + step),
        ops.tell_parent(lambda label, count, step: Counted(label, count + step)),
    )
    dec = action(
        ops.set(count=lambda count, step: count - step),
        ops.tell_parent(lambda label, count, step: Counted(label, count - step)),
    )

    def render(self) -> Element:
        return h.li(
            h.span(self.label, class_="label"),
            h.button("-", class_="dec", av_click="dec"),
            h.span(str(self.count), class_="count"),
            h.button("+", class_="inc", av_click="inc"),
            class_="counter",
            id=f"counter-{self.label}",
        )


def _added(names: list[str], new_name: str) -> list[str]:
    return [*names, new_name.strip()]


def _moved_up(names: list[str], name: str) -> list[str]:
    at = names.index(name) if name in names else 0
    if at == 0:
        return names
    return [*names[: at - 1], name, names[at - 1], *names[at + 1 :]]


class Board(View, receives=(Counted,)):
    """Counters by name, their total kept from what they tell."""

    names = state(list[str], ["apples", "pears"])
    counts = state(dict[str, int], {})
    step = state(int, 1)
    new_name = state(str, origin="client")
    total = calculate(lambda counts, names: sum(counts.get(name, 0) for name in names))

    add = action(
        ops.set(names=_added),
        ops.set(new_name=""),
        when=lambda new_name, names: bool(new_name.strip()) and new_name.strip() not in names,
    )
    remove = action(
        ops.set(names=lambda names, name: [n for n in names if n != name]),
        ops.set(counts=lambda counts, name: {k: v for k, v in counts.items() if k != name}),
        params={"name": str},
    )
    up = action(ops.set(names=_moved_up), params={"name": str})
    double_step = action(ops.set(step=lambda step: step * 2))

    on_counted = clause(
        Counted, ops.set(counts=lambda counts, name, count: {**counts, name: count})
    )

    def render(self) -> Element:
        return h.div(
            h.ul(
                *(
                    h.div(
                        self.component(Counter, key=name, label=name, step=self.step),
                        h.button("up", class_="up", av_click="up", av_value_name=name),
                        h.button("x", class_="remove", av_click="remove", av_value_name=name),
                        class_="row",
                        id=f"row-{name}",
                        key=name,
                    )
                    for name in self.names
                ),
                id="counters",
            ),
            h.p("total ", h.span(str(self.total), id="total")),
            h.button(f"step {self.step}", id="double-step", av_click="double_step"),
            h.form(
                h.input(name="new_name", value=self.new_name, placeholder="a name"),
                h.button("Add"),
                id="add-counter",
                av_submit="add",
            ),
        )


@attrs.frozen
class Todo:
    """One todo."""

    id: str
    text: str


@attrs.frozen
class RemoveTodo:
    """A row asks its list to remove its todo."""

    id: str


class TodoRow(Component, sends=(RemoveTodo,)):
    """One todo's row: ticking it off is the row's own state."""

    todo = prop(Todo)
    done = state(bool)

    toggle = action(ops.set(done=lambda done: not done))
    remove = action(ops.tell_parent(lambda todo: RemoveTodo(todo.id)))

    def render(self) -> Element:
        todo = self.todo
        return h.li(
            h.span(todo.text, class_="text"),
            h.button("undo" if self.done else "done", class_="toggle", av_click="toggle"),
            h.button("x", class_="remove", av_click="remove"),
            class_="todo done" if self.done else "todo",
            id=f"todo-{todo.id}",
        )


class Todos(View, receives=(RemoveTodo,)):
    """A stream of todos, each row a component."""

    todos = stream(Todo, key="id")
    added = state(int)
    text = state(str, origin="client")

    add = action(
        ops.push(todos=lambda added, text: Todo(str(added), text.strip())),
        ops.set(added=lambda added: added + 1),
        ops.set(text=""),
        when=lambda text: bool(text.strip()),
    )
    on_remove = clause(RemoveTodo, ops.delete("todos", lambda id: id))

    def render(self) -> Element:
        return h.div(
            self.todos.slot(
                "ul", lambda todo: self.component(TodoRow, key=todo.id, todo=todo), id="todos"
            ),
            h.form(
                h.input(name="text", value=self.text, placeholder="a todo"),
                h.button("Add"),
                id="add-todo",
                av_submit="add",
            ),
        )


if __name__ == "__main__":
    trio.run(Application([Route("/", Board), Route("/todos", Todos)]).serve)
