"""``form``: a form's typed values, its per-field checks and its submit, declared.

A form is declared from an attrs class of its values (each field a control's ``name``)
and per-field check functions, read by their parameter names as every expression of a
view is::

    @attrs.frozen
    class Signup:
        name: str = ""
        age: int | None = None
        plan: Literal["free", "pro"] = "free"
        topics: list[str] = attrs.Factory(list)
        terms: bool = False

    class SignupView(View):
        members = state(list[str])
        signup = form(
            Signup,
            checks={
                "name": lambda name: None if name.strip() else "Tell us your name",
                "terms": lambda terms: None if terms else "Please accept the terms",
            },
            submit=ops.push(members=lambda name: name),
        )

Why a declaration and not attrs validators on the class: a validator raises at the first
wrong field while the instance is built, so it can neither keep what the user typed into
a field that is not yet a number nor report every field at once, and it cannot be checked
against the class when the view is defined. A check here is a function of the values it
names (``lambda password, confirm: ...`` shows its error beside ``confirm``), returning
the error text (or ``None``/``""`` when the value is fine); the validator checks every
name and every field type when the class statement runs.

The declaration is a server field holding a :class:`FormState` (``self.signup`` in
``render``), written by the runtime from the page's form events (``av-form="signup"``
on the ``<form>``, docs/FORMS.md): as the user types, the values are parsed by their
declared types (text that is not a number or a date is that field's error) and checked;
an error is *shown* (:meth:`FormState.error`) only on a field the user has changed, or
on every field once a submit was tried (LiveView's ``used_input?``). A submit with an
error is refused (the ops do not run; the state keeps what was typed and now shows every
error); a submit without one runs ``submit``'s ops, which read the parsed values by
their field names (next to the view's fields and calcs).
"""

from __future__ import annotations

import datetime
import enum
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final, Generic, TypeVar

import attrs

from actorview.declare._actions import Action
from actorview.declare._declarations import Holder
from actorview.declare._expressions import Expr, expr
from actorview.declare._fields import Origin, StateField
from actorview.declare._values import type_name
from actorview.declare.ops import OpLike, flatten
from actorview.errors import DefinitionError

D = TypeVar("D")

FORM_EVENT: Final = "av:form"
"""The event name of every form event: params ``{"form": name, "fields": {...},
"used": [names], "submit": bool}`` (what ``forms.js`` sends)."""

Raw = str | tuple[str, ...]
"""What a form control sends: a text, or the values of a group of controls (a checkbox
group, a multi-select)."""

_INTEGER = re.compile(r"[-+]?\d+")
_DECIMAL = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


class Control(enum.Enum):
    """How a field's values come from the page, derived from its declared type."""

    TEXT = "text"
    """A ``str``: a text input, a textarea, a one-choice select or radio group."""
    INTEGER = "integer"
    """An ``int``: a number input; text that is not a whole number is an error."""
    DECIMAL = "decimal"
    """A ``float``: a number input; text that is not a number is an error."""
    DATE = "date"
    """A ``datetime.date``: a date input (``YYYY-MM-DD``)."""
    FLAG = "flag"
    """A ``bool``: one checkbox, true when it is checked (sent at all)."""
    CHOICE = "choice"
    """A ``Literal`` of strings: a radio group or a select; another value is an error."""
    MANY = "many"
    """A ``list[str]`` (or a list of a ``Literal``): a checkbox group or a multi-select."""


@attrs.frozen
class FormField:
    """One field of a form: its name, kind, whether it may be empty, and choices."""

    name: str
    control: Control
    optional: bool
    choices: tuple[str, ...] | None


@attrs.frozen
class Check:
    """A check of one field: an expression over the form's values that gives the error
    text, or ``None`` / ``""`` when the value is fine."""

    field: str
    expression: Expr


class FormSpec:
    """The compiled form: its fields, checks, and the parsing and checking of raw values.

    Made by :func:`form`; shared by every :class:`FormState` of the form (their ``form``).
    """

    def __init__(
        self, name: str, data: type, fields: tuple[FormField, ...], checks: tuple[Check, ...]
    ) -> None:
        self.name = name
        self.data = data
        self.fields = {field.name: field for field in fields}
        self.checks = checks

    def initial(self) -> FormState[Any]:
        """The state of a form nobody filled yet: the defaults of the values class."""
        return self.filled(self.data())

    def filled(self, data: Any) -> FormState[Any]:
        """The state showing ``data`` (an instance of the values class), nothing used."""
        raw: dict[str, Raw] = {}
        for field in self.fields.values():
            raw_value = _raw_of(field, getattr(data, field.name))
            if raw_value is not None:
                raw[field.name] = raw_value
        return self._state(raw, frozenset(), submitted=False)

    def update(
        self, state: FormState[Any], raw: Mapping[str, Raw], used: frozenset[str], *, submit: bool
    ) -> FormState[Any]:
        """The state after the page sent ``raw`` (every field of the form, as FormData
        reads it) with ``used`` fields changed by the user; ``submit`` for a submit.

        A check that raises (or the values class refusing the parsed values) raises out
        of here: a bug in the view's code, not bad input."""
        kept = {name: value for name, value in raw.items() if name in self.fields}
        return self._state(
            kept, state.used | (used & self.fields.keys()), submitted=state.submitted or submit
        )

    def _state(
        self, raw: Mapping[str, Raw], used: frozenset[str], *, submitted: bool
    ) -> FormState[Any]:
        values: dict[str, Any] = {}
        unparsed: dict[str, str] = {}
        for field in self.fields.values():
            try:
                values[field.name] = _parse(field, raw.get(field.name))
            except ValueError as error:
                unparsed[field.name] = str(error)
        errors = dict(unparsed)
        for check in self.checks:
            if check.field in errors or any(n in unparsed for n in check.expression.names):
                continue
            problem = check.expression.evaluate(values.__getitem__)
            if problem:
                errors[check.field] = str(problem)
        data = None if errors else self.data(**values)
        return FormState(self, dict(raw), errors, used, submitted, data)


@attrs.frozen
class FormState(Generic[D]):
    """What one form holds: the values the user sent, their errors, what they touched.

    A value: the runtime replaces it on each form event; ``ops.set`` of the form's field
    writes it too (``ops.set(signup=lambda signup: signup.cleared())`` empties the form
    after a submit).

    Attributes:
        form: the compiled form (:class:`FormSpec`).
        raw: each field's value as the page sent it (text, or a tuple for a group),
            what :meth:`value` and :meth:`checked` render back. A checkbox not checked
            is not in it, as FormData leaves it out.
        errors: every field's current error, shown or not (see :meth:`error`).
        used: the fields the user has changed.
        submitted: a submit was tried (then every error is shown).
        data: the parsed values (an instance of the values class) when there is no
            error, else ``None``.
    """

    form: FormSpec = attrs.field(eq=False, repr=False)
    raw: Mapping[str, Raw]
    errors: Mapping[str, str]
    used: frozenset[str]
    submitted: bool
    data: D | None

    @property
    def valid(self) -> bool:
        """Whether every field parses and passes its checks."""
        return not self.errors

    def error(self, field: str) -> str | None:
        """The error to show beside ``field``: its error once the user changed it or a
        submit was tried, else ``None`` (no error on a field nobody has touched)."""
        self._known(field)
        if field in self.used or self.submitted:
            return self.errors.get(field)
        return None

    @property
    def shown(self) -> dict[str, str]:
        """The errors :meth:`error` shows, by field."""
        return {name: text for name in self.errors if (text := self.error(name)) is not None}

    def value(self, field: str) -> str:
        """The text a control of ``field`` shows: what the user sent (kept as typed,
        even when it is not a valid number), else the default."""
        self._known(field)
        raw = self.raw.get(field, "")
        return raw if isinstance(raw, str) else (raw[0] if raw else "")

    def checked(self, field: str, value: str | None = None) -> bool:
        """Whether the checkbox or radio of ``field`` with ``value`` is checked (for one
        checkbox, a bool field: leave ``value`` out); for a select's option, whether it
        is selected."""
        self._known(field)
        raw = self.raw.get(field)
        if raw is None:
            return False
        if value is None:
            return True
        return value in raw if isinstance(raw, tuple) else raw == value

    def filled(self, data: D) -> FormState[D]:
        """This form showing ``data`` (an instance of its values class), nothing used:
        a settings form's values from the record (``self.settings =
        self.settings.filled(record)`` in ``mount``)."""
        return self.form.filled(data)

    def cleared(self) -> FormState[D]:
        """This form as nobody filled it: its defaults, nothing used, no submit tried
        (``ops.set(signup=lambda signup: signup.cleared())`` after a submit)."""
        return self.form.initial()

    def _known(self, field: str) -> None:
        if field not in self.form.fields:
            raise KeyError(
                f"form {self.form.name!r} has no field {field!r}; its fields: "
                f"{', '.join(self.form.fields)}"
            )


class FormDeclaration(StateField[FormState[Any]]):
    """The declaration of a form (made by :func:`form`): a server field holding its
    :class:`FormState`, plus the compiled form and its submit.

    Attributes:
        form: the compiled form (:class:`FormSpec`).
        submit: the ops a valid submit runs, as an action whose params are the form's
            values (checked by the validator as actions are).
    """

    def __init__(self, form: FormSpec, submit: Action) -> None:
        super().__init__(FormState, None, Origin.SERVER, False)
        self.form = form
        self.submit = submit

    def __repr__(self) -> str:
        return f"form({self.form.data.__name__})"

    def __set_name__(self, owner: type, name: str) -> None:
        super().__set_name__(owner, name)
        self.form.name = name
        self.submit.__set_name__(owner, name)
        if self.problem is None:
            self.default = self.form.initial()

    def initial(self) -> FormState[Any]:
        """The state of the form at mount (a value: shared, never copied)."""
        state: FormState[Any] = self.default
        return state

    @typing.overload
    def __get__(self, instance: None, owner: type) -> FormDeclaration: ...
    @typing.overload
    def __get__(self, instance: Holder, owner: type) -> FormState[Any]: ...
    def __get__(self, instance: Holder | None, owner: type) -> FormDeclaration | FormState[Any]:
        if instance is None:
            return self
        value: FormState[Any] = instance._view_store.read(self.name)
        return value


def form(
    data: type[D],
    *,
    checks: Mapping[str, Callable[..., Any] | Sequence[Callable[..., Any]]] | None = None,
    submit: OpLike | Sequence[OpLike] = (),
) -> FormDeclaration:
    """Declare a form: its values class, its per-field checks, and what a valid submit does.

    Args:
        data: an attrs class of the form's values, one field per control name, each with
            a default. Field types: ``str``, ``int``, ``float``, ``datetime.date``,
            ``bool`` (one checkbox), a ``Literal`` of strings (radios, a select),
            ``list[str]`` or a list of a ``Literal`` (a checkbox group, a
            multi-select); ``int``, ``float``, ``date`` and a ``Literal`` may be
            ``| None`` (an empty control is ``None``, else "required").
        checks: by field, a function (or several) of the form's values, named by its
            parameters, giving the error text or ``None``/``""``. It runs once the
            values it reads parse; its error is shown beside the field it is listed
            under.
        submit: the ops a valid submit runs (see :mod:`actorview.declare.ops`); they
            read the parsed values by field name, next to the view's fields and calcs.

    Every mistake (a values class that is not attrs, a field without a default or of a
    type no control sends, a check under a name that is not a field, or reading one) is a
    :class:`~actorview.errors.DefinitionError` when the view class is defined.
    """
    problem = None
    fields: tuple[FormField, ...] = ()
    compiled_checks: list[Check] = []
    if not (isinstance(data, type) and attrs.has(data)):
        problem = (
            f"form({data!r}): the values must be an attrs class, one field per control "
            f"name, e.g. @attrs.frozen class Signup: name: str = ''."
        )
    else:
        try:
            fields = tuple(_form_fields(data))
            compiled_checks = list(_checks(data, checks or {}))
        except DefinitionError as error:
            problem = str(error)
    spec = FormSpec("", data, fields, tuple(compiled_checks))
    declared_submit = Action(
        flatten(_as_ops(submit)), data if problem is None else None, None, False
    )
    declared = FormDeclaration(spec, declared_submit)
    declared.problem = problem
    return declared


def _as_ops(submit: OpLike | Sequence[OpLike]) -> Sequence[OpLike]:
    if isinstance(submit, Sequence) and not isinstance(submit, str):
        return submit
    return (submit,)


def _form_fields(data: type) -> Iterator[FormField]:
    hints = typing.get_type_hints(data)
    where = f"form({data.__name__})"
    for attribute in attrs.fields(data):
        declared = hints.get(attribute.name, attribute.type)
        if attribute.default is attrs.NOTHING:
            raise DefinitionError(
                f"{where}: field {attribute.name!r} has no default; a form starts empty, so "
                f"give every field one ({attribute.name}: {type_name(declared)} = ...)."
            )
        control, optional, choices = _control_of(declared)
        if control is None:
            raise DefinitionError(
                f"{where}: field {attribute.name!r} is {type_name(declared)}, which no form "
                f"control sends. Use str, int, float, datetime.date, bool, a Literal of "
                f"strings, list[str] or a list of a Literal (int, float, date and a "
                f"Literal may be | None)."
            )
        yield FormField(attribute.name, control, optional, choices)


def _control_of(declared: Any) -> tuple[Control | None, bool, tuple[str, ...] | None]:
    optional = False
    origin = typing.get_origin(declared)
    if origin is typing.Union or origin is types.UnionType:
        arguments = [a for a in typing.get_args(declared) if a is not type(None)]
        if len(arguments) != 1 or len(typing.get_args(declared)) != 2:
            return None, False, None
        optional, declared = True, arguments[0]
        origin = typing.get_origin(declared)
    scalar = {
        str: Control.TEXT,
        int: Control.INTEGER,
        float: Control.DECIMAL,
        datetime.date: Control.DATE,
        bool: Control.FLAG,
    }
    if origin is None and declared in scalar:
        control = scalar[declared]
        if optional and control in (Control.TEXT, Control.FLAG):
            return None, False, None  # an empty text is "", an unchecked box False
        return control, optional, None
    if origin is typing.Literal:
        choices = typing.get_args(declared)
        if all(isinstance(c, str) for c in choices):
            return Control.CHOICE, optional, choices
        return None, False, None
    if origin is list and not optional:
        (item,) = typing.get_args(declared) or (str,)
        if item is str:
            return Control.MANY, False, None
        if typing.get_origin(item) is typing.Literal and all(
            isinstance(c, str) for c in typing.get_args(item)
        ):
            return Control.MANY, False, typing.get_args(item)
    return None, False, None


def _checks(
    data: type, checks: Mapping[str, Callable[..., Any] | Sequence[Callable[..., Any]]]
) -> Iterator[Check]:
    names = [a.name for a in attrs.fields(data)]
    where = f"form({data.__name__})"
    for field, functions in checks.items():
        if field not in names:
            raise DefinitionError(
                f"{where}: checks={{{field!r}: ...}} names no field of {data.__name__}; its "
                f"fields: {', '.join(names)}. A check is listed under the field its error "
                f"is shown beside."
            )
        listed = functions if isinstance(functions, Sequence) else (functions,)
        for function in listed:
            if not callable(function):
                raise DefinitionError(
                    f"{where}: checks[{field!r}] is {function!r}, not a function of the "
                    f"form's values giving the error text (lambda {field}: ...)."
                )
            checked = expr(function, where=f"{where} checks[{field!r}]")
            unknown = [name for name in checked.names if name not in names]
            if checked.is_constant or unknown:
                read = ", ".join(map(repr, unknown)) or "nothing"
                raise DefinitionError(
                    f"{where}: checks[{field!r}] reads {read}, "
                    f"which is not a field of {data.__name__}; a check reads the form's "
                    f"values by field name ({', '.join(names)})."
                )
            yield Check(field, checked)


def _raw_of(field: FormField, value: Any) -> Raw | None:
    """What the page would send for ``value`` (None: nothing, as an unchecked box)."""
    if value is None:
        return ""
    match field.control:
        case Control.FLAG:
            return "on" if value else None
        case Control.MANY:
            return tuple(str(item) for item in value) or None  # FormData sends nothing
        case Control.DATE:
            return str(value.isoformat())
        case Control.TEXT | Control.INTEGER | Control.DECIMAL | Control.CHOICE:
            return str(value)
        case unreachable:
            typing.assert_never(unreachable)


def _parse(field: FormField, raw: Raw | None) -> Any:
    """The typed value of ``raw``; ``ValueError`` with the text shown beside the field."""
    control = field.control
    if control is Control.FLAG:
        return raw is not None
    if control is Control.MANY:
        values = () if raw is None else (raw,) if isinstance(raw, str) else raw
        if field.choices is not None:
            for value in values:
                if value not in field.choices:
                    raise ValueError(f"{value!r} is not one of {', '.join(field.choices)}")
        return list(values)
    if isinstance(raw, tuple):
        raise ValueError("expected one value")
    text = (raw or "").strip() if control is not Control.TEXT else (raw or "")
    if control is Control.TEXT:
        return text
    if not text:
        if field.optional:
            return None
        raise ValueError("required")
    match control:
        case Control.INTEGER:
            if not _INTEGER.fullmatch(text):
                raise ValueError(f"{text!r} is not a whole number")
            return int(text)
        case Control.DECIMAL:
            if not _DECIMAL.fullmatch(text):
                raise ValueError(f"{text!r} is not a number")
            return float(text)
        case Control.DATE:
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
        case Control.CHOICE:
            assert field.choices is not None
            if text not in field.choices:
                raise ValueError(f"{text!r} is not one of {', '.join(field.choices)}")
            return text
        case Control.TEXT | Control.FLAG | Control.MANY:
            raise AssertionError(control)  # handled above
        case unreachable:
            typing.assert_never(unreachable)
