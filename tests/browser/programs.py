"""Pages that run a view's client program, against a server the test drives by hand.

:func:`program_page` builds the page the way the endpoint serves it: the view's HTML in a
container naming its program, then the runtime (``runtime_source()``), the view's client
program (``program_source``) and client.js (a module), each loaded as a script (no eval: the
endpoint's CSP allows none). The socket is the conftest's fake, already open, so nothing
reaches the page until the test delivers it: whatever changes before is the browser's
own prediction.

:class:`HandServer` is the other side: a real view in a trio loop under a mock clock;
``frames()`` gives the patch frames it rendered since last asked, for the test to deliver.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from actorview.optimistic import runtime_source
from actorview.optimistic._program import program_id, program_source
from actorview.render import to_html
from actorview.render._wire import op_to_wire
from actorview.testing._driver import TrioDriver
from actorview.view import ActionEvent, Rendered, View
from tests.browser.conftest import FAKE_SOCKET, SNAPSHOT, load_client, new_client_page


def program_page(browser: Any, view_class: type, html: str) -> Any:
    """A new page showing ``html`` as ``view_class``'s live root, its program loaded.

    Console errors are recorded in ``page.console_errors``, warnings (a binding or a
    prediction that failed) in ``page.console_warnings``.
    """
    page = new_client_page(
        browser,
        '<!doctype html><html><head><meta charset="utf-8"></head><body>'
        f'<div id="av-root" data-av-socket="ws://127.0.0.1:9/_av/live" '
        f'data-av-program="{program_id(view_class)}">{html}</div></body></html>',
    )
    page.console_errors = []
    page.console_warnings = []
    page.on("console", functools.partial(_record, page))
    page.add_script_tag(content=FAKE_SOCKET + SNAPSHOT)
    page.add_script_tag(content=runtime_source())
    page.add_script_tag(content=program_source(view_class))
    load_client(page)
    page.evaluate("() => __sockets[0].open()")
    return page


def _record(page: Any, message: Any) -> None:
    if message.type == "error":
        page.console_errors.append(message.text)
    elif message.type == "warning":
        page.console_warnings.append(message.text)


V = TypeVar("V", bound=View)


class HandServer(Generic[V]):
    """A view run by ``driver``; its renders are kept for the test to deliver."""

    def __init__(self, driver: TrioDriver, make_view: Callable[..., V]) -> None:
        self.driver = driver
        self.rendered: list[Rendered] = []
        self.view = make_view(sink=self.rendered.append)
        self.ref = driver.start(self.view.run)
        self.taken = 1

    @property
    def first_html(self) -> str:
        return to_html(self.rendered[0].tree)

    def event(self, frame: dict[str, Any]) -> Any:
        """Ask the view the event frame the page sent; returns the outcome."""
        return self.driver.call(self.ref.ask, ActionEvent(frame["name"], frame["params"]))

    def frames(self) -> list[list[Any]]:
        new = self.rendered[self.taken :]
        self.taken = len(self.rendered)
        return [[op_to_wire(op) for op in r.patches] for r in new]


def sent_events(page: Any, socket: int = 0) -> list[dict[str, Any]]:
    """The event frames the page sent on its ``socket``-th socket."""
    frames: list[dict[str, Any]] = page.evaluate("i => __sockets[i].sent", socket)
    return [frame for frame in frames if frame.get("t") == "event"]


def deliver(page: Any, frame: Any, socket: int = 0) -> None:
    """The server sends ``frame`` on the page's ``socket``-th socket."""
    page.evaluate("([f, i]) => __sockets[i].deliver(f)", [frame, socket])
