"""The browser side of the test client: the page built from frames, and the browser's rules.

:class:`BrowserPage` holds what a browser running ``client.js`` holds: the DOM, built only
by parsing the first ``render`` frame and applying each patch frame with the reference
applier (:class:`~actorview.render.Document`); the live values of the controls the user
typed in (which, as in a browser, are not the ``value`` attribute); and which control has
focus. It also knows what ``client.js`` turns a click, a submit, typing or a key press
into (``av-click``, ``av-submit``, ``av-input``, ``av-change``, ``av-keydown`` with
``av-key-filter``, ``av-value-*`` params), and the browser rules around them (disabled
controls get no clicks, a submit button submits its form, Enter in a text field submits
it unless its default button is disabled). The async side (sending, rate limiting, the
clock) is :mod:`actorview.testing._client`.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from actorview.declare._collections import VIEWPORT_BOTTOM_ATTR, VIEWPORT_TOP_ATTR, Edge
from actorview.render import (
    AppendText,
    Document,
    DomElement,
    DomNode,
    DomText,
    Patch,
    RemoveAttr,
    ReplaceNode,
    SetAttr,
    SetInnerHtml,
    SetText,
    decode,
)
from actorview.render._document import dom_html
from actorview.testing._css import text_of, walk
from actorview.testing._errors import NotInteractive
from actorview.view import FORM_EVENT, PAGE_EVENT, ActionEvent, InputEvent

_FORM_CONTROLS = frozenset({"button", "input", "select", "textarea"})
_FOCUSABLE = _FORM_CONTROLS | {"a"}
_NOT_SUBMITTED = frozenset({"submit", "button", "reset", "image", "file"})
_TEXT_LIKE = frozenset(
    {"", "text", "search", "url", "tel", "email", "password", "number", "date", "time"}
)

Message = ActionEvent | InputEvent

_NUMBER = re.compile(r"-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?")
"""A valid floating-point number, as HTML sanitizes a number input's value."""


def _is_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4,}-\d\d-\d\d", text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


@attrs.frozen
class Intent:
    """One event ``client.js`` would send.

    Attributes:
        kind: the DOM event type (``click``, ``submit``, ``input``, ``change``,
            ``keydown``), or ``form`` for an ``av-form`` form's change: rate limits are
            kept per element and kind, as in the client.
        element: the element carrying the ``av-*`` attribute (and any ``av-debounce`` /
            ``av-throttle``).
        make: builds the message when it is sent (an input reads the control's value at
            send time, as the client's debounced closure does).
        toggled: the checkbox or radio whose change sends it: when the view does not
            apply the event, the control shows its ``checked`` attribute again
            (``forms.js``).
    """

    kind: str
    element: DomElement
    make: Callable[[], Message]
    toggled: DomElement | None = None


def describe(element: DomElement) -> str:
    """A short CSS-like name of ``element`` for messages: ``button#send.primary``."""
    out = element.tag
    if "id" in element.attrs:
        out += f"#{element.attrs['id']}"
    out += "".join(f".{name}" for name in element.attrs.get("class", "").split())
    for name in ("name", "type", "av-click", "av-submit", "av-input", "av-keydown"):
        if name in element.attrs and not (name == "type" and element.tag != "input"):
            out += f'[{name}="{element.attrs[name]}"]'
    return out


def outer_html(node: DomNode) -> str:
    """The HTML of ``node`` as the page shows it (attributes as sent by the server)."""
    return dom_html(node)


def preview_html(node: DomNode, text_limit: int = 60) -> str:
    """``outer_html`` with every long text cut to ``text_limit`` characters, for messages."""

    def shorten(node: DomNode) -> DomNode:
        if isinstance(node, DomText):
            text = node.text
            if len(text) > text_limit:
                text = f"{text[: text_limit - 10]}…{text[-9:]}"
            return DomText(text)
        return DomElement(node.tag, dict(node.attrs), [shorten(c) for c in node.children])

    return dom_html(shorten(node))


class BrowserPage:
    """The page a browser would show for one view, and the events it would send."""

    def __init__(self) -> None:
        self.document: Document | None = None
        self.focused: DomElement | None = None
        self._focus_value: str | None = None
        """The focused control's value when it took focus (a change is fired on blur)."""
        self._live: dict[int, tuple[DomElement, str | bool | tuple[str, ...]]] = {}
        """Live value (str; a multi-select's chosen values, a tuple) or checkedness (bool)
        of controls the user changed, by id()."""
        self._form_used: dict[int, set[str]] = {}
        """By id() of an ``av-form`` form, the names changed since its last form event."""

    # -- frames ------------------------------------------------------------------------

    def receive(self, text: str) -> None:
        """Apply one server frame, as ``client.js``'s ``receive`` does."""
        data = json.loads(text)
        if isinstance(data, list):
            self.apply(decode(text))
        elif data.get("t") == "render":
            self._render(str(data["html"]))

    def _render(self, html: str) -> None:
        if self.document is None:
            self.document = Document.from_html(html)
            return
        self.apply([ReplaceNode((), html)])

    def apply(self, ops: list[Patch]) -> None:
        """Apply patch ops, keeping focus and typed values the way the client does."""
        document = self._doc()
        saved = self._capture_focus()
        for op in ops:
            self._before_op(document, op)
            document.apply([op])
        self._restore_focus(saved)

    def _before_op(self, document: Document, op: Patch) -> None:
        """The live-property side of an op (``syncProperty`` in ``nodes.js``): on a
        control without focus, ``value`` follows its attribute, and a ``<textarea>`` its
        text; ``checked`` follows its attribute even with focus, and an option's
        ``selected`` its select's choice."""
        if isinstance(op, SetAttr | RemoveAttr) and op.name in ("value", "checked", "selected"):
            target = document.node(op.path)
            if not isinstance(target, DomElement):
                return
            if op.name == "selected" and target.tag == "option":
                select = self.closest(target, lambda e: e.tag == "select")
                if select is not None:
                    self._live.pop(id(select), None)
            elif op.name == "checked" or target is not self.focused:
                self._live.pop(id(target), None)
        elif isinstance(op, AppendText | SetText | SetInnerHtml) and op.path:
            parent = document.node(op.path[:-1] if not isinstance(op, SetInnerHtml) else op.path)
            if (
                isinstance(parent, DomElement)
                and parent.tag == "textarea"
                and parent is not self.focused
            ):
                self._live.pop(id(parent), None)

    def _capture_focus(self) -> tuple[DomElement, str | None, tuple[int, ...] | None] | None:
        if self.focused is None:
            return None
        return self.focused, self.focused.attrs.get("id"), self.path_of(self.focused)

    def _restore_focus(
        self, saved: tuple[DomElement, str | None, tuple[int, ...] | None] | None
    ) -> None:
        """If the focused control was replaced, focus the one with its id (or at its path
        with its tag) and give it the typed value back; else focus is lost."""
        if saved is None:
            return
        element, ident, path = saved
        if self.path_of(element) is not None:
            return
        found: DomElement | None = None
        if ident is not None:
            found = next((e for e, _ in walk(self._doc().root) if e.attrs.get("id") == ident), None)
        if found is None and path is not None:
            try:
                node = self._doc().node(path)
            except Exception:
                node = None
            found = node if isinstance(node, DomElement) else None
        if found is None or found.tag != element.tag:
            self.focused = None
            return
        live = self._live.pop(id(element), None)
        if live is not None:
            self._live[id(found)] = (found, live[1])
        self.focused = found

    # -- reading -----------------------------------------------------------------------

    def _doc(self) -> Document:
        if self.document is None:
            raise RuntimeError("the page has not received its first render frame yet")
        return self.document

    @property
    def root(self) -> DomNode:
        return self._doc().root

    def html(self) -> str:
        return self._doc().html()

    def path_of(self, target: DomNode) -> tuple[int, ...] | None:
        """The child-index path of ``target`` from the root, or ``None`` if not attached."""

        def search(node: DomNode, path: tuple[int, ...]) -> tuple[int, ...] | None:
            if node is target:
                return path
            if isinstance(node, DomElement):
                for index, child in enumerate(node.children):
                    found = search(child, (*path, index))
                    if found is not None:
                        return found
            return None

        return search(self._doc().root, ())

    def ancestors_of(self, target: DomElement) -> tuple[DomElement, ...]:
        """The ancestors of ``target``, outermost first."""
        for element, ancestors in walk(self._doc().root):
            if element is target:
                return ancestors
        raise LookupError(f"{describe(target)} is no longer in the page")

    def closest(self, target: DomElement, test: Callable[[DomElement], bool]) -> DomElement | None:
        """``target.closest(...)``: itself or its nearest ancestor passing ``test``."""
        if test(target):
            return target
        for ancestor in reversed(self.ancestors_of(target)):
            if test(ancestor):
                return ancestor
        return None

    def form_of(self, target: DomElement) -> DomElement | None:
        return self.closest(target, lambda e: e.tag == "form")

    def is_disabled(self, target: DomElement) -> bool:
        """A disabled form control, or one inside a disabled ``<fieldset>``."""
        if target.tag not in _FORM_CONTROLS:
            return False
        if "disabled" in target.attrs:
            return True
        return any(a.tag == "fieldset" and "disabled" in a.attrs for a in self.ancestors_of(target))

    def value_of(self, control: DomElement) -> str:
        """The control's live value: what the user typed, else what the server sent."""
        live = self._live.get(id(control))
        if live is not None and isinstance(live[1], str):
            return live[1]
        if control.tag == "textarea":
            return text_of(control)
        if control.tag == "select":
            chosen = self._selected_options(control)
            return _option_value(chosen[0]) if chosen else ""
        if control.tag == "input" and _input_type(control) in ("checkbox", "radio"):
            return control.attrs.get("value", "on")
        return control.attrs.get("value", "")

    def is_checked(self, control: DomElement) -> bool:
        live = self._live.get(id(control))
        if live is not None and isinstance(live[1], bool):
            return live[1]
        return "checked" in control.attrs

    def _selected_options(self, select: DomElement) -> list[DomElement]:
        options = [e for e, _ in walk(select) if e.tag == "option"]
        live = self._live.get(id(select))
        if live is not None and isinstance(live[1], str):
            return [o for o in options if _option_value(o) == live[1]][:1]
        if live is not None and isinstance(live[1], tuple):
            return [o for o in options if _option_value(o) in live[1]]
        chosen = [o for o in options if "selected" in o.attrs]
        if chosen or "multiple" in select.attrs:
            return chosen
        return options[:1]

    def control_value(self, control: DomElement) -> str | None:
        """``controlValue`` of ``events.js``: a checkbox or radio sends its value only
        when checked."""
        if control.tag == "input" and _input_type(control) in ("checkbox", "radio"):
            return self.value_of(control) if self.is_checked(control) else None
        return self.value_of(control)

    def form_fields(self, form: DomElement) -> dict[str, Any]:
        """``new FormData(form)`` as ``client.js`` sends it: repeated names become lists."""
        fields: dict[str, Any] = {}
        for name, value in self._form_entries(form):
            if name not in fields:
                fields[name] = value
            elif isinstance(fields[name], list):
                fields[name].append(value)
            else:
                fields[name] = [fields[name], value]
        return fields

    def _form_entries(self, form: DomElement) -> Iterator[tuple[str, str]]:
        for control, _ in walk(form):
            name = control.attrs.get("name")
            if control is form or not name or control.tag not in ("input", "select", "textarea"):
                continue
            if self.is_disabled(control):
                continue
            if control.tag == "input":
                kind = _input_type(control)
                if kind in _NOT_SUBMITTED:
                    continue
                if kind in ("checkbox", "radio") and not self.is_checked(control):
                    continue
            if control.tag == "select":
                for option in self._selected_options(control):
                    yield name, _option_value(option)
                continue
            yield name, self.value_of(control)

    def controls_named(self, form: DomElement, name: str) -> list[DomElement]:
        return [
            e
            for e, _ in walk(form)
            if e.attrs.get("name") == name and e.tag in ("input", "select", "textarea")
        ]

    def field_names(self, form: DomElement) -> list[str]:
        return list(
            dict.fromkeys(
                e.attrs["name"]
                for e, _ in walk(form)
                if "name" in e.attrs and e.tag in ("input", "select", "textarea")
            )
        )

    def submit_buttons(self, form: DomElement) -> list[DomElement]:
        return [e for e, _ in walk(form) if _is_submit_button(e)]

    # -- changing what the user sees ---------------------------------------------------------

    def focus(self, element: DomElement | None) -> list[Intent]:
        """Move focus to ``element`` (``None``: to the body). Returns the ``av-change`` the
        browser fires when a text control that lost focus was changed while it had it."""
        new = element if element is None or element.tag in _FOCUSABLE else None
        old, self.focused = self.focused, new
        if old is new:
            return []
        blurred: list[Intent] = []
        if (
            old is not None
            and _is_text_control(old)
            and self.path_of(old) is not None
            and self.value_of(old) != self._focus_value
        ):
            blurred = self.change_intents(old)
        self._focus_value = self.value_of(new) if new is not None else None
        return blurred

    def set_value(self, control: DomElement, value: str) -> None:
        """The user's value for ``control``, sanitized as a browser does: a number input
        keeps only a valid number, a date input only a ``YYYY-MM-DD`` date (else ``""``)."""
        kind = _input_type(control) if control.tag == "input" else ""
        if (kind == "number" and not _NUMBER.fullmatch(value)) or (
            kind == "date" and not _is_date(value)
        ):
            value = ""
        self._live[id(control)] = (control, value)

    def choose(self, select: DomElement, values: tuple[str, ...]) -> None:
        """Select exactly the options of ``values`` in a ``<select multiple>``."""
        self._live[id(select)] = (select, values)

    def revert_checked(self, control: DomElement) -> None:
        """A refused change: ``control`` (and its radio group) shows its ``checked``
        attribute again, what the server last rendered (``revert`` in ``forms.js``)."""
        group = [control]
        name = control.attrs.get("name")
        if _input_type(control) == "radio" and name:
            scope = self.form_of(control) or self._doc().root
            if isinstance(scope, DomElement):
                group = [c for c in self.controls_named(scope, name) if _input_type(c) == "radio"]
        for member in group:
            self._live.pop(id(member), None)

    def set_checked(self, control: DomElement, checked: bool) -> None:
        if checked and _input_type(control) == "radio":
            scope = self.form_of(control) or self._doc().root
            name = control.attrs.get("name")
            if isinstance(scope, DomElement) and name:
                for other in self.controls_named(scope, name):
                    if other is not control and _input_type(other) == "radio":
                        self._live[id(other)] = (other, False)
        self._live[id(control)] = (control, checked)

    def reset(self, form: DomElement) -> None:
        """``form.reset()``: every control goes back to what its attributes say."""
        for element, _ in walk(form):
            self._live.pop(id(element), None)

    # -- what client.js sends -------------------------------------------------------------

    def click(self, target: DomElement) -> list[Intent]:
        """The events a click on ``target`` sends: its ``av-click`` (nearest, itself or an
        ancestor), else, for a submit button, its form's ``av-submit``; a checkbox or radio
        toggles and sends its ``av-input`` / ``av-change``."""
        self.require_enabled(target, "click")
        blurred = self.focus(self.closest(target, lambda e: e.tag in _FOCUSABLE))
        bound = self.closest(target, lambda e: "av-click" in e.attrs)
        if bound is not None:
            name = bound.attrs["av-click"]
            params = params_of(bound)
            return [*blurred, Intent("click", bound, lambda: ActionEvent(name, dict(params)))]
        if target.tag == "input" and _input_type(target) in ("checkbox", "radio"):
            toggled = not self.is_checked(target) if _input_type(target) == "checkbox" else True
            self.set_checked(target, toggled)
            return [*blurred, *self.input_intents(target), *self.change_intents(target)]
        button = self.closest(target, _is_submit_button)
        form = self.form_of(button) if button is not None else None
        if button is not None and form is not None:
            return [*blurred, self.submit_intent(form)]
        raise NotInteractive(
            f"a click on {describe(target)} sends nothing: neither it nor an ancestor has "
            f"av-click, and it is not a submit button in a form. Click the element that "
            f"carries av-click (or the form's submit button)."
        )

    def submit_intent(self, form: DomElement) -> Intent:
        """The ``av-submit`` event of ``form``: its ``av-value-*`` params and its fields,
        read now (as ``client.js`` reads them in the submit handler); then an ``av-reset``
        form is reset."""
        if "av-submit" not in form.attrs and "av-form" not in form.attrs:
            raise NotInteractive(
                f"{describe(form)} has no av-submit or av-form: a browser would make a plain "
                f'HTTP submit, which the live view never sees. Add av-submit="action" (or '
                f'av-form="form" for a declared form) to the form.'
            )
        if "av-submit" not in form.attrs and "av-form" in form.attrs:
            return self.form_intent(form, submit=True)
        name = form.attrs["av-submit"]
        params = {**params_of(form), **self.form_fields(form)}
        if "av-reset" in form.attrs:
            self.reset(form)
        return Intent("submit", form, lambda: ActionEvent(name, dict(params)))

    def input_intents(self, target: DomElement) -> list[Intent]:
        """The ``av-input`` of the nearest bound element (the control or its form); the
        value is the control's, read when the (maybe debounced) input is sent. Then, in
        an ``av-form`` form, its form event (:meth:`form_changed`)."""
        intents = self.form_changed(target)
        bound = self.closest(target, lambda e: "av-input" in e.attrs)
        if bound is None:
            return intents
        field = bound.attrs["av-input"]
        return [
            Intent("input", bound, lambda: InputEvent(field, self.control_value(target))),
            *intents,
        ]

    # -- av-form (forms.js) ----------------------------------------------------------------

    def form_changed(self, target: DomElement) -> list[Intent]:
        """The form event an ``input`` in a named control of a ``form[av-form]`` sends:
        the control's name joins the form's changed names, and the event (paced by the
        form's ``av-debounce`` / ``av-throttle``) carries the whole form, read when sent."""
        form = self.closest(target, lambda e: e.tag == "form" and "av-form" in e.attrs)
        name = target.attrs.get("name")
        if form is None or not name:
            return []
        self._form_used.setdefault(id(form), set()).add(name)
        return [self.form_intent(form, submit=False)]

    def form_intent(self, form: DomElement, *, submit: bool) -> Intent:
        """The ``av:form`` event of ``form``: ``{form, fields, used, submit}``, with the
        names changed since the last one sent (``sendForm`` in ``forms.js``)."""
        name = form.attrs["av-form"]

        def make() -> Message:
            used = sorted(self._form_used.pop(id(form), set()))
            fields = self.form_fields(form)
            return ActionEvent(
                FORM_EVENT, {"form": name, "fields": fields, "used": used, "submit": submit}
            )

        return Intent("submit" if submit else "form", form, make)

    def change_intents(self, target: DomElement) -> list[Intent]:
        """The ``av-change`` of the nearest bound element, with ``name`` and ``value``."""
        bound = self.closest(target, lambda e: "av-change" in e.attrs)
        if bound is None:
            return []
        event = bound.attrs["av-change"]

        def make() -> Message:
            params: dict[str, Any] = params_of(bound)
            if bound.tag == "form":
                params.update(self.form_fields(bound))
            params["name"] = target.attrs.get("name") or None
            params["value"] = self.control_value(target)
            return ActionEvent(event, params)

        toggles = target.tag == "input" and _input_type(target) in ("checkbox", "radio")
        return [Intent("change", bound, make, toggled=target if toggles else None)]

    def viewport_intent(self, target: DomElement, edge: Edge) -> Intent:
        """The page request ``client.js`` sends when ``target``, a paged stream's
        container, is scrolled to its top (or bottom) edge: the ``av:page`` event of the
        stream its ``av-viewport-top`` (or ``av-viewport-bottom``) names."""
        attribute = VIEWPORT_TOP_ATTR if edge == "top" else VIEWPORT_BOTTOM_ATTR
        stream = target.attrs.get(attribute)
        if stream is None:
            side = "older" if edge == "top" else "newer"
            raise NotInteractive(
                f"scrolling {describe(target)} to its {edge} sends nothing: it has no "
                f"{attribute}, so there is nothing {side} to load (every item on that side "
                f"is shown, or it is not a paged stream's container)."
            )
        params = {"stream": stream, "edge": edge}
        return Intent("scroll", target, lambda: ActionEvent(PAGE_EVENT, dict(params)))

    def keydown(self, target: DomElement, key: str) -> tuple[list[Intent], bool]:
        """The events a key press in ``target`` sends, in ``client.js``'s order, and
        whether anything listens for it at all.

        1. ``Enter`` in an ``<input>`` of a ``form[av-enter-submits]`` submits that form
           at once, even while its submit button is disabled, and prevents the browser's
           own implicit submission;
        2. the nearest ``av-keydown`` sends ``key`` and the control's ``value`` (read
           after step 1, which may have reset the form), unless ``av-key-filter`` leaves
           the key out;
        3. otherwise ``Enter`` in a one-line text field submits its form the browser's
           way: through its default button, and not at all if that button is disabled.
        """
        self.require_enabled(target, "key press")
        intents: list[Intent] = self.focus(target)
        handled = False
        enter_in_input = key == "Enter" and target.tag == "input"
        enter_form = (
            self.closest(target, lambda e: e.tag == "form" and "av-enter-submits" in e.attrs)
            if enter_in_input
            else None
        )
        if enter_form is not None:
            intents.append(self.submit_intent(enter_form))
            handled = True
        bound = self.closest(target, lambda e: "av-keydown" in e.attrs)
        if bound is not None:
            handled = True
            if key_matches(bound, key):
                event = bound.attrs["av-keydown"]
                params: dict[str, Any] = {**params_of(bound), "key": key}
                if target.tag in ("input", "select", "textarea"):
                    params["value"] = self.value_of(target)
                intents.append(Intent("keydown", bound, lambda: ActionEvent(event, dict(params))))
        if (
            enter_form is None
            and enter_in_input
            and _input_type(target) in _TEXT_LIKE
            and self.form_of(target) is not None
        ):
            handled = True
            intents.extend(self.implicit_submit(target))
        return intents, handled

    def implicit_submit(self, target: DomElement) -> list[Intent]:
        """Enter in a text field: the browser clicks the form's default (first) submit
        button; nothing happens when that button is disabled."""
        form = self.form_of(target)
        if form is None:
            return []
        buttons = self.submit_buttons(form)
        if not buttons:
            return [self.submit_intent(form)]
        default = buttons[0]
        if self.is_disabled(default):
            return []
        return self.click(default)

    def require_enabled(self, target: DomElement, action: str) -> None:
        if self.is_disabled(target):
            raise NotInteractive(
                f"{describe(target)} is disabled: a browser sends no {action} for it. "
                f"Assert it with view.is_disabled(...) instead, or first do what enables it."
            )


def params_of(element: DomElement) -> dict[str, Any]:
    """``av-value-user-id="7"`` → ``{"user_id": "7"}``, as ``paramsOf`` in ``events.js``."""
    return {
        name[len("av-value-") :].replace("-", "_"): value
        for name, value in element.attrs.items()
        if name.startswith("av-value-")
    }


def key_matches(element: DomElement, key: str) -> bool:
    wanted = element.attrs.get("av-key-filter")
    return not wanted or any(part.strip() == key for part in wanted.split(","))


def _is_text_control(element: DomElement) -> bool:
    if element.tag == "textarea":
        return True
    return element.tag == "input" and _input_type(element) in _TEXT_LIKE


def _input_type(element: DomElement) -> str:
    return element.attrs.get("type", "text").lower()


def _is_submit_button(element: DomElement) -> bool:
    if element.tag == "button":
        return element.attrs.get("type", "submit").lower() == "submit"
    return element.tag == "input" and _input_type(element) in ("submit", "image")


def _option_value(option: DomElement) -> str:
    return option.attrs.get("value", text_of(option))
