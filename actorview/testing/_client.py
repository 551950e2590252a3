"""The view test client: mount a view in-process and drive it as a browser would.

Modelled on Phoenix's ``LiveViewTest``. ``mount`` runs a view in the test's own trio loop
(no sockets, no browser) and hands back a :class:`ViewClient` that

- keeps the page a browser would show, built **only** from the frames the view sent,
  encoded as the endpoint encodes them (so a test through it tests the diff too);
- reads it with CSS selectors (``find``, ``find_all``, ``has_element``, ``text``);
- acts on it with the rules of ``client.js`` (``click``, ``submit``, ``type``,
  ``keydown``, ``blur``, ``scroll_to_top`` / ``scroll_to_bottom`` of a paged stream,
  with ``av-debounce`` / ``av-throttle`` timed on the test clock)
  and sends messages straight into the mailbox (``send``);
- waits for it under trio's test clock (``settle``, ``until``, ``advance``).

A complete example, with pytest-trio's ``autojump_clock`` fixture::

    async def test_counter(autojump_clock):
        async with mount(Counter) as view:
            await view.click("#inc")
            assert view.text("#count") == "1"

The guide is docs/TESTING.md.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Generic, Literal, TypeVar, assert_never, overload

import attrs
import trio
import trio.testing

from actorview.endpoint._limits import Limits
from actorview.endpoint._live import notice_frame, page_frame
from actorview.endpoint._uploads import chunk_bytes
from actorview.jobs import Jobs, LocalJobs
from actorview.mailbox import ActorCrashed, ActorRef, ActorStopped, AskTimeout
from actorview.pubsub import Bus
from actorview.render import DomElement, RenderError
from actorview.testing._css import SelectorError, parse, select, text_of, walk
from actorview.testing._errors import (
    EventRejected,
    NoMatch,
    NotInteractive,
    SettleTimeout,
    UntilTimeout,
    ViewCrashed,
    ViewTestError,
)
from actorview.testing._frames import Frame, FrameKind, frames_for, reply_frame
from actorview.testing._navigation import NavigationFailed, PageHistory, Patch
from actorview.testing._page import (
    BrowserPage,
    Intent,
    Message,
    describe,
    outer_html,
    preview_html,
)
from actorview.view import (
    ActionEvent,
    Applied,
    Connected,
    Disconnected,
    Failed,
    FlashMessage,
    InputEvent,
    MountContext,
    NavigationKind,
    NavigationRequest,
    Notice,
    Outcome,
    PageMessage,
    PageTitle,
    PageUrl,
    PushedEvent,
    Rejected,
    Rendered,
    UploadEntry,
    UrlChanged,
    View,
)
from actorview.view._component_host import ComponentHost, SetProps, host_view
from actorview.view._components import Component, component_id
from actorview.view._uploads import UploadAnswer, UploadCancel, UploadChunk, UploadStart

V = TypeVar("V", bound=View)
C = TypeVar("C", bound=Component)

ASK_TIMEOUT = 10.0
"""Seconds (of the test clock) an event waits for the view's answer, as the endpoint."""

SETTLE_LIMIT = 600.0
"""Seconds of clock time ``settle`` lets pass, at most, waiting for streams to end."""

ClockMode = Literal["manual", "autojump", "real"]
TextFilter = str | re.Pattern[str] | None
Condition = Callable[["ViewClient[Any]"], object] | str


@attrs.frozen
class Found:
    """A snapshot of one element of the page, taken when it was found.

    Attributes:
        tag: the tag name.
        attrs: its attributes as the server sent them.
        text: its text content.
        html: its outer HTML.
        value: for a form control, its live value (what the user typed, else the
            server's); ``None`` for other elements.
        checked: for a checkbox or radio, whether it is checked now.
        disabled: whether a browser treats it as disabled.
    """

    tag: str
    attrs: Mapping[str, str]
    text: str
    html: str
    value: str | None
    checked: bool
    disabled: bool

    def __getitem__(self, name: str) -> str:
        """An attribute: ``view.find("#send")["type"]``."""
        return self.attrs[name]


@attrs.frozen
class Reply:
    """The view's answer to one event or input the client sent."""

    ref: int
    message: Message | Any
    outcome: Outcome

    @property
    def params(self) -> Mapping[str, Any]:
        """The params an event carried (what the browser would have sent)."""
        if not isinstance(self.message, ActionEvent):
            raise TypeError(f"reply {self.ref} answers {self.message!r}, not an event")
        params: Mapping[str, Any] = self.message.params
        return params

    @property
    def value(self) -> Any:
        """The value an input carried."""
        if not isinstance(self.message, InputEvent):
            raise TypeError(f"reply {self.ref} answers {self.message!r}, not an input")
        return self.message.value


class State(Mapping[str, Any]):
    """The view's fields and calcs by name, read live (a stream field reads as the list of
    its kept keys)."""

    def __init__(self, view: View) -> None:
        self._view = view
        spec = type(view).__view_spec__
        self._names = (*spec.fields, *spec.collections, *spec.calcs)
        self._streams = frozenset(spec.collections)

    def __getitem__(self, name: str) -> Any:
        if name not in self._names:
            raise KeyError(
                f"{type(self._view).__name__} has no field or calc {name!r}; it has: "
                f"{', '.join(self._names)}"
            )
        value = self._view.live.store.read(name)
        return list(value) if name in self._streams else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


@attrs.define
class _Slot:
    """Rate-limit state of one element and event type, as ``rateLimited`` keeps it."""

    timer: trio.CancelScope | None = None
    last: float = -math.inf
    pending: Intent | None = None


class ViewClient(Generic[V]):
    """A mounted view, seen and driven as a browser would. Made by :func:`mount`.

    Attributes:
        view: the view instance (its ``store``, ``streams`` and ``version``).
        ref: the view's :class:`~actorview.mailbox.ActorRef`.
        frames: every frame sent to the browser, in order (:class:`Frame`).
        replies: the answer to every event and input sent, in order (:class:`Reply`).
        notices: every :class:`~actorview.view.Notice` the view sent, in order (each is
            also a ``"notice"`` frame in :attr:`frames`).
        events: every :class:`~actorview.view.PushedEvent` the view pushed to the page's
            hooks (``ops.push_event``), in order (``event.name``, ``event.value``); each
            is also an ``"event"`` frame, after the render it follows.
        flashes: every :class:`~actorview.view.FlashMessage` the view showed
            (``ops.flash``), in order (``flash.kind.value``, ``flash.text``); each is
            also a ``"flash"`` frame. A browser hides them after a few seconds; here
            they stay, for the test to read.
        title: the page's title as the view last set it (its ``page_title``), or
            ``None`` if it never set one (the page keeps the application's).
        strict: raise :class:`EventRejected` when the view rejects an event, or its
            action fails.
    """

    def __init__(
        self,
        view_class: type[V],
        params: Any,
        nursery: trio.Nursery,
        *,
        strict: bool,
        name: str | None = None,
        context: MountContext | None = None,
        bus: Bus | None = None,
        jobs: Jobs | None = None,
        url: str = "/",
        route: str | None = None,
    ) -> None:
        self.strict = strict
        self.history = PageHistory(view_class, url, route)
        self.frames: list[Frame] = []
        self.replies: list[Reply] = []
        self.notices: list[Notice] = []
        self.events: list[PushedEvent] = []
        self.flashes: list[FlashMessage] = []
        self.title: str | None = None
        self.page = BrowserPage()
        self._nursery = nursery
        self._ref: ActorRef | None = None
        self._crash: BaseException | None = None
        self._failure: ViewTestError | None = None
        self._next_ref = 0
        self._next_file = 0
        self._slots: dict[tuple[int, str], tuple[DomElement, _Slot]] = {}
        self._timers = 0
        self.view: V = view_class(
            params,
            sink=self._sink,
            notices=self._notice,
            page=self._page_message,
            name=name or f"{view_class.__name__}:test",
            context=context,
            bus=bus,
            jobs=jobs,
            url=self.history.url,
            navigation=self.history.requested,
        )

    # -- life ------------------------------------------------------------------------------

    def _sink(self, rendered: Rendered) -> None:
        kind: FrameKind = "render" if rendered.version == 0 else "patch"
        for text in frames_for(rendered):
            self.frames.append(Frame(kind, text, rendered.version))
            if self._failure is not None:
                continue
            try:
                self.page.receive(text)
            except RenderError as error:
                self._failure = ViewTestError(
                    f"frame {len(self.frames) - 1} (version {rendered.version}) does not fit "
                    f"the page the earlier frames built: {error}. The diff and the page "
                    f"disagree; a browser would drop the socket and rejoin.\nframe: "
                    f"{_trim(text)}\npage: {_trim(self.page.html())}"
                )

    def _notice(self, notice: Notice) -> None:
        self.notices.append(notice)
        self.frames.append(Frame("notice", notice_frame(notice)))

    def _page_message(self, message: PageMessage) -> None:
        match message:
            case PushedEvent():
                self.events.append(message)
                kind: FrameKind = "event"
            case FlashMessage():
                self.flashes.append(message)
                kind = "flash"
            case PageTitle(text=text):
                self.title = text
                kind = "title"
            case _:
                assert_never(message)
        self.frames.append(Frame(kind, page_frame(message)))

    async def _run_view(self, *, task_status: trio.TaskStatus[ActorRef]) -> None:
        try:
            await self.view.live.run(task_status=task_status)
        except Exception as error:
            self._crash = error

    async def _start(self) -> None:
        try:
            self._ref = await self._nursery.start(self._run_view)
        except RuntimeError:
            if self._crash is not None:
                raise ViewCrashed(
                    f"{type(self.view).__name__} crashed while starting: "
                    f"{type(self._crash).__name__}: {self._crash}"
                ) from self._crash
            raise
        await self._quiet()
        self._check()

    def _check(self) -> None:
        """Raise what went wrong in the background: a crash, a bad frame, a rejection."""
        if self._crash is not None:
            crash, self._crash = self._crash, None
            self._failure = ViewCrashed(
                f"{type(self.view).__name__} crashed: {type(crash).__name__}: {crash}"
            )
            self._failure.__cause__ = crash
        if self._failure is not None:
            raise self._failure

    @property
    def ref(self) -> ActorRef:
        assert self._ref is not None
        return self._ref

    # -- reading ---------------------------------------------------------------------------

    @property
    def html(self) -> str:
        """The page's HTML, as built from the frames (attributes as the server sent them;
        typed values are in :meth:`value`)."""
        return self.page.html()

    @property
    def state(self) -> State:
        """The view's fields and calcs: ``view.state["draft"]``, ``view.state["token_count"]``."""
        return State(self.view)

    def find_all(self, selector: str, *, text: TextFilter = None) -> list[Found]:
        """Every element matching ``selector`` (and ``text``, see :meth:`has_element`)."""
        return [self._found(e) for e in self._select(selector, text)]

    def find(self, selector: str, *, text: TextFilter = None) -> Found:
        """The one element matching ``selector``; :class:`NoMatch` (showing the page around
        where it looked) if none or several match."""
        return self._found(self._one(selector, text))

    def has_element(self, selector: str, *, text: TextFilter = None) -> bool:
        """Whether some element matches ``selector`` and, if given, ``text``: a substring
        of its text content, or a regular expression searched in it."""
        return bool(self._select(selector, text))

    def text(self, selector: str) -> str:
        """The text content of the one element matching ``selector``."""
        return text_of(self._one(selector, None))

    def value(self, selector: str) -> str:
        """The live value of the one control matching ``selector`` (what the user typed,
        else what the server sent)."""
        return self.page.value_of(self._one(selector, None))

    def is_disabled(self, selector: str) -> bool:
        """Whether the one element matching ``selector`` is a disabled control."""
        return self.page.is_disabled(self._one(selector, None))

    @property
    def focused(self) -> Found | None:
        """The element with focus (the last typed into, key-pressed or clicked control)."""
        focused = self.page.focused
        return None if focused is None else self._found(focused)

    def mark(self) -> int:
        """A position in :attr:`frames`: pass it to :meth:`frames_since`."""
        return len(self.frames)

    def frames_since(self, mark: int, kind: FrameKind | None = None) -> list[Frame]:
        """The frames sent after ``mark`` (only those of ``kind`` if given)."""
        return [f for f in self.frames[mark:] if kind is None or f.kind == kind]

    @property
    def patch_frames(self) -> list[Frame]:
        """Every patch frame sent so far."""
        return [f for f in self.frames if f.kind == "patch"]

    # -- components ----------------------------------------------------------------------

    def component(self, cls: type[C], key: str | int | None = None) -> C:
        """The component ``cls`` the page shows under ``key`` (without it, the one
        :func:`mount` mounted on its own). Read its fields, props and calcs as
        attributes, and ``renders``, the number of times it was rendered."""
        view: View = self.view
        if key is None:
            if not isinstance(view, ComponentHost):
                raise TypeError(
                    f"{type(view).__name__} is a view: name the component's key, "
                    f"view.component({cls.__name__}, 'a') (shown: "
                    f"{', '.join(view.components) or 'none'})."
                )
            key = view.key
        found = view.components.get(component_id(cls, key))
        if not isinstance(found, cls):
            raise KeyError(
                f"{type(view).__name__} shows no {cls.__name__} keyed {key!r} (shown: "
                f"{', '.join(view.components) or 'none'})"
            )
        return found

    @property
    def told(self) -> list[Any]:
        """What the component mounted on its own told its parent, in order."""
        view: View = self.view
        if not isinstance(view, ComponentHost):
            raise TypeError(f"{type(view).__name__} is a view; read its state instead.")
        return view.told

    async def set_props(self, **props: Any) -> None:
        """Pass the component mounted on its own new prop values, as a parent's render
        would, then wait until the view has rendered."""
        await self.send(SetProps(props))

    # -- acting as the browser -----------------------------------------------------------------

    async def click(self, selector: str, *, text: TextFilter = None) -> Outcome | None:
        """Click the one element matching ``selector``, as ``client.js`` handles it.

        Sends its ``av-click`` (or that of its nearest ancestor with one) with its
        ``av-value-*`` params; a submit button without ``av-click`` submits its form's
        ``av-submit``; a checkbox or radio toggles and sends its ``av-input``/``av-change``.
        Returns the view's answer once the render it caused is on the page (``None`` if the
        event waits on ``av-debounce``/``av-throttle``). A link with ``av-patch`` or
        ``av-navigate`` is followed as :meth:`patch` or :meth:`navigate` follow it. An
        element with ``av-upload-cancel="<id>"`` (or inside one) cancels that file, as
        ``uploads.js`` does (see :meth:`cancel_upload`); that click returns ``None``.
        Raises :class:`NotInteractive` for a disabled control or an element that sends
        nothing.
        """
        self._check()
        target = self._one(selector, text)
        canceller = self.page.closest(target, lambda el: "av-upload-cancel" in el.attrs)
        if canceller is not None and canceller.attrs["av-upload-cancel"].isdigit():
            self.page.require_enabled(canceller, "cancel")
            await self.cancel_upload(int(canceller.attrs["av-upload-cancel"]))
            return None
        link = self.page.closest(target, _is_live_link)
        if link is not None:  # navigation.js's click handler
            kind = NavigationKind.NAVIGATE if "av-navigate" in link.attrs else NavigationKind.PATCH
            href = urllib.parse.urljoin(self.url, link.attrs.get("href", ""))
            return await self._follow(NavigationRequest(kind, href))
        return await self._send_all(self.page.click(target))

    async def submit(
        self, selector: str, fields: Mapping[str, Any] | None = None
    ) -> Outcome | None:
        """Fill ``fields`` (by control name) into the form matching ``selector``, then
        submit it, as a user would.

        Each filled text control gets the value and sends one ``av-input`` (like a paste);
        a checkbox takes a bool, a radio or select the value to choose. The fields count as
        typed before the submit: input events they left waiting on ``av-debounce`` or
        ``av-throttle`` are sent before the form is checked and submitted. Then, as a user
        pressing Enter or clicking Send: if the form's default submit button is disabled,
        :class:`NotInteractive` is raised (a browser would not submit); otherwise its
        ``av-submit`` is sent with its ``av-value-*`` params and its fields as ``FormData``
        reads them (live values; repeated names as lists), and an ``av-reset`` form is
        reset. An ``av-form`` form sends its form events instead (``forms.js``: one per
        filled field, then the submit at once), and shows what the view rendered once the
        view applied the submit. A list fills a checkbox group or a multi-select.
        Returns the view's answer.
        """
        self._check()
        form = self._one(selector, None)
        if form.tag != "form":
            raise NotInteractive(
                f"submit({selector!r}) found {describe(form)}, not a <form>. Pass the form's "
                f"selector, or click its submit button."
            )
        for name, value in (fields or {}).items():
            await self._fill(form, name, value)
        if "av-form" in form.attrs:
            self._cancel_pending(form, "form")  # the submit carries every field
        if fields:
            await self._flush(form)
            await self._quiet()
            self._check()
        buttons = self.page.submit_buttons(form)
        if buttons and self.page.is_disabled(buttons[0]):
            raise NotInteractive(
                f"{describe(form)} cannot be submitted: its default button "
                f"{describe(buttons[0])} is disabled, so neither Enter nor a click submits "
                f"it. The form:\n{_trim(preview_html(form))}"
            )
        return await self._send_all([self.page.submit_intent(form)])

    async def fill(self, selector: str, value: str | bool | Sequence[str]) -> Outcome | None:
        """Set the control matching ``selector`` at once, as Playwright's ``fill`` /
        ``select_option`` / ``check`` do it in a browser: one ``input`` event (and, for
        a select, checkbox or radio, its ``change``).

        A text control (an input, a textarea) takes a ``str``: its value is replaced
        (a number or date input keeps only a valid number or ``YYYY-MM-DD`` date, else
        ``""``, as a browser sanitizes it); its ``av-change`` fires when it loses focus.
        A ``<select>`` takes the value of the option to choose, a ``<select multiple>``
        a list of them; a checkbox takes a bool, a checkbox group (by its first box) a
        list of the values to check; a radio is checked (``True``). Sends what
        ``client.js`` would (``av-input``, ``av-change``, the ``av-form`` form event)
        and returns the last answer.
        """
        self._check()
        control = self._one(selector, None)
        if control.tag not in ("input", "textarea", "select") or "readonly" in control.attrs:
            raise NotInteractive(
                f"fill({selector!r}): {describe(control)} is not a control one can fill (an "
                f"<input>, <textarea> or <select>, not readonly)."
            )
        name = control.attrs.get("name")
        kind = control.attrs.get("type", "text").lower() if control.tag == "input" else ""
        if kind == "checkbox" and not isinstance(value, bool | str):
            scope = self.page.form_of(control) or self.page.root
            assert isinstance(scope, DomElement)
            group = [c for c in self.page.controls_named(scope, name or "") if c.tag == "input"]
            before = len(self.replies)
            await self._fill_group(group or [control], {str(v) for v in value})
            await self._quiet()
            self._check()
            return self.replies[-1].outcome if len(self.replies) > before else None
        if kind in ("checkbox", "radio"):
            if self.page.is_checked(control) != bool(value) or kind == "radio":
                return await self.click(selector)
            return None
        self.page.require_enabled(control, "input")
        last: Outcome | None = None
        for intent in self.page.focus(control):
            last = await self._send(intent)
        if control.tag == "select":
            chosen = [value] if isinstance(value, str) else list(map(str, value))  # type: ignore[arg-type]
            self._require_options(control, name or "", chosen)
            if "multiple" in control.attrs:
                self.page.choose(control, tuple(chosen))
            else:
                self.page.set_value(control, chosen[0])
        else:
            self.page.set_value(control, str(value))
        for intent in self.page.input_intents(control):
            last = await self._send(intent)
        if control.tag == "select":
            for intent in self.page.change_intents(control):
                last = await self._send(intent)
        await self._quiet()
        self._check()
        return last

    async def type(
        self, selector: str, text: str, *, append: bool = False, delay: float = 0.0
    ) -> Outcome | None:
        """Type ``text`` into the control matching ``selector``, one key at a time.

        The control takes focus and, per character, its live value grows and an ``input``
        event goes through ``client.js``'s rules (``av-input`` on the control or its form,
        ``av-debounce``/``av-throttle`` on the test clock). The value first replaces what
        the control held, unless ``append``; typing ``""`` clears it (one input event).
        ``delay`` is the clock time between keys. Returns the last answer the view gave
        (``None`` when the last input waits on a rate limit: ``settle`` sends it).
        """
        self._check()
        control = self._one(selector, None)
        if control.tag not in ("input", "textarea") or "readonly" in control.attrs:
            raise NotInteractive(
                f"type({selector!r}): {describe(control)} is not a control one can type in "
                f"(an <input> or <textarea>, not readonly)."
            )
        self.page.require_enabled(control, "input")
        last: Outcome | None = None
        for intent in self.page.focus(control):  # a change of the control left behind
            last = await self._send(intent)
        start = self.page.value_of(control) if append else ""
        steps = [start + text[: i + 1] for i in range(len(text))] or [start]
        for index, value in enumerate(steps):
            if index and delay:
                await self.advance(delay)
            self.page.set_value(control, value)
            for intent in self.page.input_intents(control):
                last = await self._send(intent)
        await self._quiet()
        self._check()
        return last

    async def keydown(self, selector: str, key: str) -> Outcome | None:
        """Press ``key`` (a DOM ``KeyboardEvent.key``: ``"Enter"``, ``"Escape"``, ``"a"``)
        in the element matching ``selector``.

        Sends the nearest ``av-keydown`` with ``key`` and the control's ``value`` unless
        ``av-key-filter`` leaves the key out. ``Enter`` in an input of a
        ``form[av-enter-submits]`` submits the form (even with its button disabled);
        otherwise ``Enter`` in a one-line text field submits its form as a browser does
        (through its default button, and not at all if that button is disabled). Returns
        the last answer (``None`` if nothing was sent: a filtered key, a blocked submit).
        Raises :class:`NotInteractive` if the element has no ``av-keydown`` and the key
        has no default action here.
        """
        self._check()
        target = self._one(selector, None)
        intents, handled = self.page.keydown(target, key)
        if not handled:
            raise NotInteractive(
                f"pressing {key!r} in {describe(target)} sends nothing: neither it nor an "
                f"ancestor has av-keydown, and the key does not submit a form here."
            )
        return await self._send_all(intents)

    async def blur(self) -> Outcome | None:
        """Take focus away from the focused control (the user clicks on the page around
        it). A text control changed while it had focus fires its ``av-change``, as in a
        browser. Returns the view's answer to that, if one was sent."""
        self._check()
        return await self._send_all(self.page.focus(None))

    async def scroll_to_top(self, selector: str) -> Outcome | None:
        """Scroll the paged stream container matching ``selector`` to its top, as a
        person reading back: ``client.js`` then asks for the page before the window (the
        ``av:page`` event of its ``av-viewport-top``). Returns the view's answer once that
        page is on the page. Raises :class:`NotInteractive` if the container has no
        ``av-viewport-top``: nothing older to load.
        """
        self._check()
        return await self._send_all([self.page.viewport_intent(self._one(selector, None), "top")])

    async def scroll_to_bottom(self, selector: str) -> Outcome | None:
        """As :meth:`scroll_to_top`, at the bottom: the page after the window, which the
        stream's ``limit`` pruned while older pages were read (``av-viewport-bottom``)."""
        self._check()
        target = self._one(selector, None)
        return await self._send_all([self.page.viewport_intent(target, "bottom")])

    async def send(self, message: Any) -> None:
        """Tell ``message`` to the view's mailbox (as another task or a pubsub would),
        then wait until the view has handled it and rendered."""
        self._check()
        await self.ref.tell(message)
        await self._quiet()
        await self._carry_out_navigations()
        self._check()

    async def connect(self) -> None:
        """A browser connects, as the endpoint tells the view on join (:class:`Connected`):
        ``on_connect`` runs and streams declared ``start="connect"`` fire."""
        await self.send(Connected())

    async def disconnect(self) -> None:
        """The browser goes away (:class:`Disconnected`): ``start="connect"`` streams are
        cancelled (their timers stopped), ``start="disconnect"`` ones fire."""
        await self.send(Disconnected())

    # -- uploads ---------------------------------------------------------------------------

    async def upload(
        self,
        upload: str,
        name: str,
        data: bytes,
        *,
        content_type: str = "",
        partial: int | None = None,
    ) -> UploadEntry:
        """Choose the file ``name`` holding ``data`` in the page's input for ``upload``
        (``[av-upload="<upload>"]``, which must be there and enabled), and send it as
        uploads.js does: a start, then chunks of the endpoint's size (the default frame
        limit less the header), each acknowledged before the next.

        ``partial`` sends only that many bytes (a file still arriving: cancel it, let it
        stall). Returns the file's entry as the view then holds it: ``done``, still
        ``uploading``, or ``failed`` with its ``error`` (the view's refusal is not an
        exception: the page shows it beside the file). The view has handled its
        :class:`~actorview.Uploaded` message and rendered when this returns.
        """
        self._check()
        target = self._one(f'[av-upload="{upload}"]', None)
        self.page.require_enabled(target, "upload")
        self._next_file += 1
        file_id = self._next_file
        chosen = {"id": file_id, "name": name, "size": len(data), "type": content_type}
        answer = await self._ask_upload(UploadStart(upload, [chosen]))
        step = chunk_bytes(Limits().max_frame_bytes)
        end = len(data) if partial is None else min(partial, len(data))
        offset = 0
        while answer.files and answer.files[0].state == "uploading" and offset < end:
            piece = data[offset : min(offset + step, end)]
            answer = await self._ask_upload(UploadChunk(file_id, offset, piece))
            offset += len(piece)
        await self._quiet()
        self._check()
        if answer.error is not None:
            raise EventRejected(f"{type(self.view).__name__} refused the upload: {answer.error}")
        return self.upload_entry(upload, file_id)

    async def cancel_upload(self, file_id: int) -> None:
        """The user removes file ``file_id`` (its entry's ``id``), as the page's cancel
        button beside it does."""
        self._check()
        await self._ask_upload(UploadCancel(file_id))
        await self._quiet()
        self._check()

    def upload_entry(self, upload: str, file_id: int) -> UploadEntry:
        """The entry of file ``file_id`` of ``upload`` as the view holds it now."""
        for entry in getattr(self.view, upload).entries:
            if entry.id == file_id:
                found: UploadEntry = entry
                return found
        raise NoMatch(f"{type(self.view).__name__}.{upload} has no file {file_id} (any more)")

    async def _ask_upload(self, event: UploadStart | UploadChunk | UploadCancel) -> UploadAnswer:
        try:
            answer: UploadAnswer = await self.ref.ask(event, timeout=ASK_TIMEOUT)
        except (ActorCrashed, ActorStopped, AskTimeout) as error:
            await self._quiet()
            self._check()
            raise ViewCrashed(
                f"{type(self.view).__name__} did not answer {event!r}: {error}"
            ) from error
        return answer

    # -- waiting ---------------------------------------------------------------------------

    async def settle(self, *, limit: float = SETTLE_LIMIT) -> None:
        """Wait until nothing more happens without the test acting.

        Returns when the mailbox is drained and every stream run has ended or is blocked:
        under ``autojump_clock`` (or a real clock) the clock moves on to each deadline,
        so a 500-token reply with a delay per token finishes at once in test time; under a
        manual ``MockClock`` time stands still and runs waiting on it stay blocked (move it
        with :meth:`advance`). Pending ``av-debounce``/``av-throttle`` sends count as work.
        Raises :class:`SettleTimeout` if streams still run after ``limit`` seconds of clock
        time (a stream that never ends cannot settle).
        """
        start = trio.current_time()
        while True:
            await self._quiet()
            await self._carry_out_navigations()
            self._check()
            if not self._busy() or _clock_mode() == "manual":
                return
            deadline = _next_deadline()
            if deadline == math.inf:
                return  # blocked on something that is not the clock
            if deadline - start > limit:
                running = [name for name, runner in self.view.live.streams.items() if runner.busy]
                running += [name for name, job in self.view.live.jobs.items() if job.busy]
                raise SettleTimeout(
                    f"settle() gave up after {limit:g} s of clock time: stream(s) "
                    f"{', '.join(running) or '(none)'} still running. A stream that never "
                    f"ends cannot settle; use view.until(...) or view.advance(seconds)."
                )
            await self._pass_time_to(deadline)

    async def until(self, condition: Condition, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Let clock time pass, deadline by deadline, until ``condition`` holds.

        ``condition`` is a function of this client (``lambda v: v.state["streaming"]``) or a
        selector that must match. Checked after each step; raises :class:`UntilTimeout`
        (with the page) if it still fails after ``timeout`` seconds of clock time. Under any
        clock, including a manual ``MockClock``, ``until`` moves time itself.
        """
        check = _as_check(condition)
        deadline = trio.current_time() + timeout
        while True:
            await self._quiet()
            await self._carry_out_navigations()
            self._check()
            if check(self):
                return
            now = trio.current_time()
            if now >= deadline:
                raise UntilTimeout(
                    f"view.until({_describe_condition(condition)}) still false after "
                    f"{timeout:g} s of clock time. The page:\n{_trim(preview_html(self.page.root))}"
                )
            step = min(_next_deadline(), deadline)
            if _clock_mode() == "real":
                step = min(step, now + 0.01)
            await self._pass_time_to(step)

    async def advance(self, seconds: float) -> None:
        """Move clock time forward by ``seconds``, running everything that comes due on
        the way in order (each token of a stream, each debounced input), then settle the
        loop without moving time further."""
        if seconds < 0:
            raise ValueError(f"advance({seconds}): time only moves forward")
        await self._pass_time_to(trio.current_time() + seconds)
        self._check()

    # -- internals --------------------------------------------------------------------------

    async def _quiet(self) -> None:
        await trio.testing.wait_all_tasks_blocked()

    def _busy(self) -> bool:
        streams = any(runner.busy for runner in self.view.live.streams.values())
        streams = streams or any(job.busy for job in self.view.live.jobs.values())
        pending = streams or self._timers > 0 or len(self.view.live.mailbox) > 0
        return pending or self.view.live.render_held_back

    async def _pass_time_to(self, target: float) -> None:
        clock = trio.lowlevel.current_clock()
        if _clock_mode() != "manual":
            await trio.sleep_until(target)
            await self._quiet()
            return
        assert isinstance(clock, trio.testing.MockClock)
        while True:
            await self._quiet()
            now = trio.current_time()
            due = _next_deadline()
            if due > target:
                break
            clock.jump(max(due - now, 1e-9))
        now = trio.current_time()
        if target > now:
            clock.jump(target - now)
        await self._quiet()

    async def _fill(self, form: DomElement, name: str, value: Any) -> None:
        controls = self.page.controls_named(form, name)
        if not controls:
            raise NoMatch(
                f"{describe(form)} has no field named {name!r}; its fields: "
                f"{', '.join(self.page.field_names(form)) or 'none'}."
            )
        first = controls[0]
        kind = first.attrs.get("type", "text").lower() if first.tag == "input" else first.tag
        self.page.require_enabled(first, "input")
        for intent in self.page.focus(first):
            await self._send(intent)
        if kind == "checkbox" and isinstance(value, list | tuple | set | frozenset):
            await self._fill_group(controls, {str(v) for v in value})
            return
        if kind == "checkbox":
            target = first
            self.page.set_checked(first, bool(value))
        elif kind == "select" and "multiple" in first.attrs:
            target = first
            chosen = [value] if isinstance(value, str) else list(value)
            self._require_options(first, name, chosen)
            self.page.choose(first, tuple(str(v) for v in chosen))
        elif kind == "radio":
            matching = [c for c in controls if self.page.value_of(c) == str(value)]
            if not matching:
                choices = [self.page.value_of(c) for c in controls]
                raise NoMatch(f"radio {name!r} has no option {value!r}; options: {choices}")
            target = matching[0]
            self.page.set_checked(target, True)
        else:
            target = first
            self.page.set_value(target, str(value))
        for intent in self.page.input_intents(target):
            await self._send(intent)
        for intent in (
            self.page.change_intents(target) if kind in ("checkbox", "radio", "select") else []
        ):
            await self._send(intent)

    async def _fill_group(self, controls: Sequence[DomElement], wanted: set[str]) -> None:
        """Check exactly the boxes of a checkbox group whose values are ``wanted``, one
        click each, as a user would (each sends its input and change)."""
        values = [self.page.value_of(c) for c in controls]
        if missing := wanted - set(values):
            name = controls[0].attrs.get("name")
            raise NoMatch(f"checkboxes {name!r} have no value {sorted(missing)}; values: {values}")
        for control, value in zip(controls, values, strict=True):
            if self.page.is_checked(control) == (value in wanted):
                continue
            self.page.require_enabled(control, "input")
            for intent in self.page.focus(control):
                await self._send(intent)
            self.page.set_checked(control, value in wanted)
            for intent in (*self.page.input_intents(control), *self.page.change_intents(control)):
                await self._send(intent)

    def _require_options(self, select: DomElement, name: str, chosen: Sequence[Any]) -> None:
        options = [o.attrs.get("value", text_of(o)) for o, _ in walk(select) if o.tag == "option"]
        if missing := [v for v in chosen if str(v) not in options]:
            raise NoMatch(f"select {name!r} has no option {missing}; options: {options}")

    async def _send_all(self, intents: Sequence[Intent]) -> Outcome | None:
        last: Outcome | None = None
        for intent in intents:
            last = await self._send(intent)
        await self._quiet()
        await self._carry_out_navigations()
        self._check()
        return last

    # -- live navigation (the page's URL and history: testing/_navigation.py) -------------

    @property
    def url(self) -> str:
        """The page's URL now (path and query), as the browser's address bar shows it."""
        return self.history.url.href

    @property
    def navigated(self) -> str | None:
        """Where the last navigation away from the view's route went (``ops.navigate``,
        an ``av-navigate`` link, an ``ops.patch`` to another route): the endpoint would
        mount that route's view there (or load the page); the test client only records
        it. ``None`` if none did."""
        return self.history.navigated

    async def patch(self, href: str) -> Outcome | None:
        """Follow an ``av-patch`` link to ``href`` (a path and query), as the browser
        does: the view's ``handle_params`` runs with the new URL, and a history entry is
        pushed. Returns the view's answer (``None`` if ``href`` leads to another route:
        then :attr:`navigated` says where). Raises ``NavigationFailed`` for a URL that
        is not a path of this site."""
        self._check()
        return await self._follow(NavigationRequest(NavigationKind.PATCH, href))

    async def navigate(self, href: str) -> None:
        """Follow an ``av-navigate`` link to ``href``: recorded in :attr:`navigated`
        (the endpoint mounts that route's view; mount it in the test to go on)."""
        self._check()
        await self._follow(NavigationRequest(NavigationKind.NAVIGATE, href))

    async def back(self) -> Outcome | None:
        """The browser's back button: the view is patched to the previous entry's URL.
        Raises ``NavigationFailed`` if there is none."""
        return await self._step(-1)

    async def forward(self) -> Outcome | None:
        """The browser's forward button (after :meth:`back`)."""
        return await self._step(1)

    async def _step(self, by: int) -> Outcome | None:
        self._check()
        href = self.history.step(by)
        if href is None:
            raise NavigationFailed(
                f"there is no history entry {'back' if by < 0 else 'forward'} from {self.url!r}"
                f" (entries: {self.history.entries})"
            )
        target = self.history.resolve(href)
        if not isinstance(target, PageUrl):
            self.history.navigated = target
            return None
        return await self._land(Patch(target, None))

    async def _follow(self, request: NavigationRequest) -> Outcome | None:
        patch = self.history.take(request)
        outcome = None if patch is None else await self._land(patch)
        await self._carry_out_navigations()
        self._check()
        return outcome

    async def _land(self, patch: Patch) -> Outcome:
        outcome = await self._deliver(UrlChanged(patch.url))
        if isinstance(outcome, Applied):
            self.history.landed(patch)
        await self._quiet()
        return outcome

    async def _carry_out_navigations(self) -> None:
        """Carry out the navigations the view asked for (``ops.patch``, ``ops.navigate``)."""
        history = self.history
        while history.pending:
            request = history.pending.pop(0)
            patch = history.take(request)
            if patch is not None:
                await self._land(patch)

    async def _send(self, intent: Intent) -> Outcome | None:
        """Send ``intent`` now, or later under its element's ``av-debounce`` /
        ``av-throttle`` (``rateLimited`` in ``events.js``, timed on the trio clock)."""
        if intent.kind == "submit" and "av-form" in intent.element.attrs:
            self._cancel_pending(intent.element, "form")  # the submit carries every field
            return await self._deliver_intent(intent)  # sent at once, as forms.js does
        debounce = _millis(intent.element.attrs.get("av-debounce"))
        throttle = _millis(intent.element.attrs.get("av-throttle"))
        if debounce <= 0 and throttle <= 0:
            return await self._deliver_intent(intent)
        key = (id(intent.element), intent.kind)
        slot = self._slots.setdefault(key, (intent.element, _Slot()))[1]
        if debounce > 0:
            if slot.timer is not None:
                slot.timer.cancel()
            slot.pending = intent
            slot.timer = self._start_timer(debounce, slot, throttled=False)
            return None
        now = trio.current_time()
        if now - slot.last >= throttle and slot.timer is None:
            slot.last = now
            return await self._deliver_intent(intent)
        slot.pending = intent
        if slot.timer is None:
            wait = max(throttle - (now - slot.last), 0.0)
            slot.timer = self._start_timer(wait, slot, throttled=True)
        return None

    def _start_timer(self, seconds: float, slot: _Slot, *, throttled: bool) -> trio.CancelScope:
        scope = trio.CancelScope()
        self._timers += 1

        async def fire() -> None:
            try:
                with scope:
                    await trio.sleep(seconds)
                    slot.timer = None
                    if throttled:
                        slot.last = trio.current_time()
                    pending, slot.pending = slot.pending, None
                    if pending is not None:
                        await self._deliver_in_background(pending)
            finally:
                self._timers -= 1

        self._nursery.start_soon(fire)
        return scope

    async def _flush(self, within: DomElement) -> None:
        """Send now the rate-limited events waiting on elements inside ``within``."""
        inside = {id(element) for element, _ in walk(within)}
        for element, slot in list(self._slots.values()):
            if id(element) not in inside or slot.timer is None:
                continue
            slot.timer.cancel()
            slot.timer = None
            slot.last = trio.current_time()
            pending, slot.pending = slot.pending, None
            if pending is not None:
                await self._deliver_intent(pending)

    def _cancel_pending(self, element: DomElement, kind: str) -> None:
        """Drop what a rate limit holds back for ``element`` and ``kind`` (``cancelPending``
        in ``events.js``: a form submitted while its last change waited)."""
        held = self._slots.get((id(element), kind))
        if held is None or held[1].timer is None:
            return
        held[1].timer.cancel()
        held[1].timer = None
        held[1].pending = None

    async def _deliver_intent(self, intent: Intent) -> Outcome:
        """Send ``intent``'s message; a checkbox or radio whose change the view did not
        apply shows its ``checked`` attribute again, and an ``av-form`` form whose submit
        it applied shows what it rendered (reset to its attributes), as ``forms.js``
        does."""
        outcome = await self._deliver(intent.make())
        if intent.toggled is not None and not isinstance(outcome, Applied):
            self.page.revert_checked(intent.toggled)
        if intent.kind == "submit" and "av-form" in intent.element.attrs:
            await self._quiet()  # the render the submit caused is on the page first
            if isinstance(outcome, Applied) and self.page.path_of(intent.element) is not None:
                self.page.reset(intent.element)  # the form shows what the view rendered
        return outcome

    async def _deliver_in_background(self, intent: Intent) -> None:
        try:
            await self._deliver_intent(intent)
        except ViewTestError as error:
            if self._failure is None:
                self._failure = error

    async def _deliver(self, message: Message | UrlChanged) -> Outcome:
        self._next_ref += 1
        ref = self._next_ref
        try:
            outcome: Outcome = await self.ref.ask(message, timeout=ASK_TIMEOUT)
        except (ActorCrashed, ActorStopped, AskTimeout) as error:
            await self._quiet()
            self._check()
            raise ViewCrashed(
                f"{type(self.view).__name__} did not answer {message!r}: {error}"
            ) from error
        self.frames.append(Frame("reply", reply_frame(ref, outcome)))
        self.replies.append(Reply(ref, message, outcome))
        if self.strict and isinstance(outcome, Rejected):
            raise EventRejected(f"{type(self.view).__name__} rejected {message!r}: {outcome.error}")
        if self.strict and isinstance(outcome, Failed):
            raise EventRejected(
                f"{type(self.view).__name__} failed {message!r} (a bug in its action): "
                f"{outcome.error}"
            ) from outcome.error
        return outcome

    def _select(self, selector: str, text: TextFilter) -> list[DomElement]:
        try:
            found = select(self.page.root, selector)
        except SelectorError as error:
            raise ViewTestError(str(error)) from None
        if text is None:
            return found
        if isinstance(text, str):
            return [e for e in found if text in text_of(e)]
        return [e for e in found if text.search(text_of(e))]

    def _one(self, selector: str, text: TextFilter) -> DomElement:
        found = self._select(selector, text)
        if len(found) == 1:
            return found[0]
        if found:
            listed = "\n".join(f"  {describe(e)}: {_trim(preview_html(e), 120)}" for e in found[:6])
            raise NoMatch(
                f"{selector!r} matches {len(found)} elements; an action or find needs "
                f"exactly one (use find_all, or a more specific selector):\n{listed}"
            )
        raise NoMatch(self._no_match(selector, text))

    def _no_match(self, selector: str, text: TextFilter) -> str:
        root = self.page.root
        unfiltered = self._select(selector, None) if text is not None else []
        if unfiltered:
            texts = [text_of(e) for e in unfiltered[:6]]
            return f"{selector!r} matches, but none with text {text!r}; their texts: {texts}"
        for group in parse(selector):
            for prefix in group.prefixes():
                near = select(root, [prefix])
                if near:
                    return (
                        f"no element matches {selector!r}. {prefix.source!r} matches "
                        f"{describe(near[0])}, but the rest of the selector finds nothing "
                        f"in it. Around there:\n{_trim(preview_html(near[0]))}"
                    )
        ids = [e.attrs["id"] for e, _ in walk(root) if "id" in e.attrs]
        return (
            f"no element matches {selector!r}. Ids on the page: {', '.join(ids) or 'none'}."
            f"\nThe page:\n{_trim(preview_html(self.page.root))}"
        )

    def _found(self, element: DomElement) -> Found:
        control = element.tag in ("input", "select", "textarea")
        return Found(
            tag=element.tag,
            attrs=dict(element.attrs),
            text=text_of(element),
            html=outer_html(element),
            value=self.page.value_of(element) if control else None,
            checked=self.page.is_checked(element),
            disabled=self.page.is_disabled(element),
        )


@overload
def mount(
    view_class: type[V],
    params: Any = None,
    *,
    strict: bool = False,
    name: str | None = None,
    context: MountContext | None = None,
    bus: Bus | None = None,
    jobs: Jobs | None = None,
    url: str = "/",
    route: str | None = None,
) -> AbstractAsyncContextManager[ViewClient[V]]: ...
@overload
def mount(
    view_class: type[Component],
    params: Any = None,
    *,
    strict: bool = False,
    name: str | None = None,
    context: MountContext | None = None,
    bus: Bus | None = None,
    jobs: Jobs | None = None,
    url: str = "/",
    route: str | None = None,
) -> AbstractAsyncContextManager[ViewClient[ComponentHost]]: ...
def mount(
    view_class: type[V] | type[Component],
    params: Any = None,
    *,
    strict: bool = False,
    name: str | None = None,
    context: MountContext | None = None,
    bus: Bus | None = None,
    jobs: Jobs | None = None,
    url: str = "/",
    route: str | None = None,
) -> AbstractAsyncContextManager[ViewClient[Any]]:
    """Run a new ``view_class(params)`` in the current trio loop and yield its client.

    ``view_class`` may be a :class:`~actorview.view.Component`: the page is then that
    component alone, ``params`` its props (``{"key": ...}`` too), read with
    :meth:`ViewClient.component` and changed with :meth:`ViewClient.set_props`.

    The view starts as under the endpoint (its first render is the page); the block's
    end cancels it and everything it started. ``params`` is structured as the endpoint
    does (a mapping, or an instance of the type ``mount`` declares). With ``strict=True``,
    an event the view rejects raises :class:`EventRejected` instead of returning
    ``Rejected``. Use it under ``autojump_clock`` (waits are free) or a manual
    ``MockClock`` (``advance`` moves time). ``bus``: the topic bus its subscriptions and
    ``ops.publish`` use (the process's :func:`~actorview.pubsub.default_bus` unless
    given; pass a fresh ``LocalBus()`` to keep a test's topics to itself, and mount
    several views on it to test them together). ``jobs``: the jobs backend its ``job``
    declarations run on (a fresh :class:`~actorview.jobs.LocalJobs` unless given; the
    block runs it unless it runs already: pass one ``LocalJobs()`` to several mounts, or
    enter ``jobs.running()`` around them, to test views of one job together). ``url`` is
    the page's URL (its ``handle_params`` gets it after ``mount``) and ``route`` the
    pattern of the view's route (``"/items/{item}"``; by default the URL's own path): a
    patch to a path it does not serve is a navigation away (see :attr:`ViewClient.navigated`).
    ``context`` is the request the view is mounted for (``self.context``, and
    ``mount``'s second parameter): by default a blank :class:`MountContext` with an
    anonymous identity; pass ``MountContext(identity=Identity("alice"))`` for a view
    that needs a user.

    Example::

        async with mount(ChatView, {"token_delay": 0.05}) as view:
            await view.type("#prompt", "hello")
            await view.click("#send")
            await view.settle()
            assert view.has_element("#history li", text="You said hello")
    """
    options: dict[str, Any] = {
        "strict": strict,
        "name": name,
        "context": context,
        "bus": bus,
        "jobs": jobs,
        "url": url,
    }
    if isinstance(view_class, type) and issubclass(view_class, Component):
        return _mount(host_view(view_class), params, route=route, **options)
    return _mount(view_class, params, route=route, **options)


@asynccontextmanager
async def _running(jobs: Jobs) -> AsyncIterator[None]:
    """Run ``jobs`` for the block unless it runs already (another mount, the test)."""
    if jobs.is_running:
        yield
        return
    async with jobs.running():
        yield


@asynccontextmanager
async def _mount(
    view_class: type[V],
    params: Any,
    *,
    strict: bool,
    name: str | None,
    context: MountContext | None,
    bus: Bus | None,
    jobs: Jobs | None,
    url: str,
    route: str | None,
) -> AsyncIterator[ViewClient[V]]:
    failure: Exception | None = None
    backend: Jobs = jobs if jobs is not None else LocalJobs()
    async with _running(backend), trio.open_nursery() as nursery:
        try:
            client = ViewClient(
                view_class,
                params,
                nursery,
                strict=strict,
                name=name,
                bus=bus,
                jobs=backend,
                url=url,
                route=route,
                context=context,
            )
            await client._start()
            try:
                yield client
            except Exception as error:  # re-raised below, outside the nursery: unwrapped
                failure = error
            else:
                await client._quiet()
                try:
                    client._check()
                except ViewTestError as error:
                    failure = error
        except Exception as error:
            failure = error
        finally:
            nursery.cancel_scope.cancel()
    if failure is not None:
        raise failure


def _is_live_link(element: DomElement) -> bool:
    return element.tag == "a" and ("av-patch" in element.attrs or "av-navigate" in element.attrs)


def _clock_mode() -> ClockMode:
    clock = trio.lowlevel.current_clock()
    if isinstance(clock, trio.testing.MockClock) and clock.rate == 0:
        return "manual" if clock.autojump_threshold == math.inf else "autojump"
    return "real"


def _next_deadline() -> float:
    """The absolute clock time of the earliest deadline in the loop (``inf`` if none)."""
    stats = trio.lowlevel.current_statistics()
    return trio.current_time() + stats.seconds_to_next_deadline


def _millis(raw: str | None) -> float:
    """``parseInt(attr, 10)`` in seconds (0 when absent or not a number)."""
    digits = re.match(r"\s*[-+]?\d+", raw or "")
    return int(digits.group()) / 1000 if digits else 0.0


def _as_check(condition: Condition) -> Callable[[ViewClient[Any]], object]:
    if isinstance(condition, str):
        selector = condition
        return lambda client: client.has_element(selector)
    return condition


def _describe_condition(condition: Condition) -> str:
    if isinstance(condition, str):
        return repr(condition)
    return getattr(condition, "__name__", "condition")


def _trim(html: str, limit: int = 1500) -> str:
    """``html`` cut in the middle to at most about ``limit`` characters."""
    if len(html) <= limit:
        return html
    head = limit * 2 // 3
    tail = limit - head
    return f"{html[:head]} …[{len(html) - limit} characters]… {html[-tail:]}"
