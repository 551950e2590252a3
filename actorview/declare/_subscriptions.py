"""``subscribe(topic, *types)``: a view's standing subscription to a topic of the bus.

The topic is a template over the view's fields and calcs (``"room:{room}"``), filled in
when the view starts, after ``mount`` and ``load``; the view holds the subscription for
its life and lets go when it stops (a view restarted by its supervisor subscribes
again). Messages of the declared types published on the topic arrive in the view's
mailbox and are handled by its clauses, as if the view ``receives=`` them.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

import attrs

from actorview.declare._declarations import Declaration


def placeholders(template: str) -> tuple[tuple[str, ...], str | None]:
    """The names a topic template reads, and what is wrong with it (None if nothing).

    A placeholder is a bare name (``{room}``): no format spec, conversion, index or
    attribute, so a topic is always the names' values as text."""
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        return (), f"the topic {template!r} is not a template ({error}); double a literal brace"
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            written = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            return (), (
                f"the topic {template!r} has the placeholder {{{written}}}; write bare "
                f"names of fields or calcs, as in 'room:{{room}}'"
            )
        names.append(name)
    return tuple(dict.fromkeys(names)), None


def fill(template: str, names: tuple[str, ...], lookup: Callable[[str], Any]) -> str:
    """The topic ``template`` with each name's current value (as ``str``)."""
    return template.format_map({name: str(lookup(name)) for name in names})


class Subscribe(Declaration):
    """A subscription a view class declares (see :func:`subscribe`)."""

    def __init__(self, topic: str, types: tuple[type, ...]) -> None:
        self._declare()
        self.topic = topic
        self.types = types
        self.names: tuple[str, ...] = ()
        if not isinstance(topic, str) or not topic:
            self.problem = f"subscribe(...) takes a topic str first, not {topic!r}"
            return
        self.names, self.problem = placeholders(topic)
        if self.problem is not None:
            return
        if not types:
            self.problem = (
                f"subscribe({topic!r}) names no message type; name the types the topic "
                f"carries, as in subscribe({topic!r}, Said), and handle each with a clause"
            )
            return
        for kind in types:
            if not (isinstance(kind, type) and attrs.has(kind)):
                self.problem = (
                    f"subscribe({topic!r}, ...) takes attrs classes (what a bus across "
                    f"processes can carry), not {kind!r}; declare it @attrs.frozen"
                )
                return


def subscribe(topic: str, *types: type) -> Subscribe:
    """Subscribe the view to ``topic`` for messages of ``types`` (attrs classes).

    ``topic`` may name the view's fields and calcs (``"room:{room}"``): it is filled in
    when the view starts. Each published message of one of ``types`` is told to the
    view and handled by its clauses; a message the view's mailbox refuses is dropped for
    this view and logged (``pubsub.dropped``), never silently.

    Example::

        class Room(View):
            room = state(str)
            said = stream(item=render_said)
            listen = subscribe("room:{room}", Said)
            heard = clause(Said, ops.push(said=lambda text: text))
    """
    return Subscribe(topic, tuple(types))
