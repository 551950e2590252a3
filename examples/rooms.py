"""Rooms: everyone at ``/rooms/<room>`` sees what anyone there says, live.

Each page is its own view; they share nothing but a topic. ``listen`` subscribes the
view to ``room:<its room>`` when it starts; ``say`` publishes a :class:`Said` on it
(``ops.publish``), and every view of the room, the sayer's too, handles it with
``heard`` as an ordinary clause. With ``Application(pubsub=RedisBus(url))`` the same
rooms span worker processes and machines (``python -m examples.rooms --redis-url
redis://127.0.0.1:6379/0``).

DOM hooks: ``#said`` (one ``li`` per message), ``#draft``, ``#say``.
"""

from __future__ import annotations

import argparse

import attrs
import trio

from actorview import Application, Element, Route, View, action, clause, h, ops, state, stream
from actorview.pubsub import Bus, RedisBus
from actorview.view import subscribe


@attrs.frozen
class Said:
    """Someone said ``text`` (in the room whose topic carried it)."""

    text: str


class Room(View):
    room = state(str)
    draft = state(str, origin="client")
    said = stream(Said, limit=200)

    listen = subscribe("room:{room}", Said)
    heard = clause(Said, ops.push(said=lambda text: Said(text)))
    say = action(
        ops.publish("room:{room}", lambda draft: Said(draft.strip())),
        ops.set(draft=""),
        when=lambda draft: bool(draft.strip()),
    )

    def mount(self, params: dict[str, str]) -> None:
        self.room = params["room"]

    def render(self) -> Element:
        return h.main(
            h.h1(f"#{self.room}"),
            self.said.slot("ul", lambda said: h.li(said.text), id="said"),
            h.form(
                h.input(id="draft", name="draft", value=self.draft, av_input="draft"),
                h.button("Say", id="say", type="submit"),
                av_submit="say",
            ),
        )


def application(bus: Bus | None = None) -> Application:
    return Application([Route("/rooms/{room}", Room)], pubsub=bus, title="rooms")


def main() -> None:
    parser = argparse.ArgumentParser(description="Rooms: live, shared by topic.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--redis-url", help="carry the rooms across processes on Redis")
    args = parser.parse_args()
    bus = RedisBus(args.redis_url) if args.redis_url else None
    trio.run(application(bus).serve, "127.0.0.1", args.port)


if __name__ == "__main__":
    main()
