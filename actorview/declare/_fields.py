"""``state`` fields: typed values a view owns, each with an origin saying who may change it.

A field is a descriptor on the view class. Reading ``view.draft`` gives the current value;
assigning ``view.draft = "x"`` checks the type and marks the field changed, so its calcs
recompute after the message. Declarative ops (``actorview.declare.ops``) are the usual way
to change state; assignment exists for ``mount`` and plain ``@on`` handlers.
"""

from __future__ import annotations

import copy
import enum
from typing import Any, Generic, Literal, TypeVar, overload

from actorview.declare._declarations import Declaration, Holder, article
from actorview.declare._values import conforms, item_type, type_name, zero_value

T = TypeVar("T")

_MISSING: Any = object()


class Origin(enum.Enum):
    """Who changes a state field."""

    CLIENT = "client"
    """The browser writes it (an input's value); the server may write it too."""
    SERVER = "server"
    """Only server code (actions, clauses, mount) writes it."""
    STREAM = "stream"
    """It follows an async_stream's messages; the browser never writes it."""


OriginName = Literal["client", "server", "stream"]


class FieldKind(enum.Enum):
    """Which collection ops a field supports, derived from its declared type."""

    VALUE = "value"
    """Only ``set``."""
    TEXT = "text"
    """A ``str``: ``set`` and ``append``."""
    LIST = "list"
    """A ``list[X]``: ``set``, ``push``, ``pop``, ``shift``, ``unshift``, ``update_at``."""


class StateField(Declaration, Generic[T]):
    """The declaration of one state field (made by :func:`state`).

    Attributes:
        type: the declared type; every value written must conform to it.
        default: the initial value (copied for each view instance).
        origin: who may write it (:class:`Origin`).
        optimistic: whether the browser may predict it (only for ``client`` fields).
        name: the attribute name, set when the class is created.
    """

    def __init__(self, type_: Any, default: Any, origin: Origin, optimistic: bool) -> None:
        self.type = type_
        self.default = default
        self.origin = origin
        self.optimistic = optimistic
        self._declare()
        self.item_type: Any = item_type(type_)
        self.kind = (
            FieldKind.TEXT
            if type_ is str
            else FieldKind.LIST
            if self.item_type is not None
            else FieldKind.VALUE
        )

    def __repr__(self) -> str:
        return (
            f"state({type_name(self.type)}, {self.default!r}, origin={self.origin.value!r}"
            f"{', optimistic=True' if self.optimistic else ''})"
        )

    def initial(self) -> Any:
        """A fresh copy of the default for a new view instance."""
        return copy.deepcopy(self.default)

    @overload
    def __get__(self, instance: None, owner: type) -> StateField[T]: ...
    @overload
    def __get__(self, instance: Holder, owner: type) -> T: ...
    def __get__(self, instance: Holder | None, owner: type) -> StateField[T] | T:
        if instance is None:
            return self
        store = instance._view_store
        value: T = store.read(self.name)
        return value

    def __set__(self, instance: Holder, value: T) -> None:
        store = instance._view_store
        store.assign(self.name, value)


@overload
def state(
    type_: type[T],
    default: T = ...,
    *,
    origin: Origin | OriginName = ...,
    optimistic: bool = ...,
) -> StateField[T]: ...
@overload
def state(
    type_: Any,
    default: Any = ...,
    *,
    origin: Origin | OriginName = ...,
    optimistic: bool = ...,
) -> StateField[Any]: ...
def state(
    type_: Any,
    default: Any = _MISSING,
    *,
    origin: Origin | OriginName = Origin.SERVER,
    optimistic: bool = False,
) -> StateField[Any]:
    """Declare a typed state field.

    Args:
        type_: the field's type, e.g. ``str``, ``int``, ``list[Todo]``, ``str | None``.
        default: the initial value; may be left out for ``str`` (``""``), ``int`` (0),
            ``float``, ``bool``, ``list[...]`` (``[]``) and optional types (``None``).
        origin: ``"client"`` (the browser writes it), ``"server"`` (the default) or
            ``"stream"`` (an async_stream's messages drive it).
        optimistic: the browser may predict it before the server answers; only allowed
            with ``origin="client"`` (the validator says so at class definition).

    Example::

        class Chat(View):
            input = state(str, origin="client", optimistic=True)
            draft = state(str, origin="stream")
            todos = state(list[Todo], [])

    A default that does not conform to the type, a missing default for a type without
    an obvious one, or an unknown origin is a :class:`DefinitionError` when the view
    class is defined.
    """
    problem = None
    kind = type_name(type_)
    try:
        origin_value = Origin(origin) if not isinstance(origin, Origin) else origin
    except ValueError:
        origin_value = Origin.SERVER
        problem = (
            f"state({kind}): origin={origin!r} is not an origin; use "
            f'origin="client", "server" or "stream".'
        )
    if default is _MISSING:
        has_zero, default = zero_value(type_)
        if not has_zero:
            problem = (
                f"state({kind}) needs a default: there is no obvious empty {kind}. "
                f"Write state({kind}, <default>)."
            )
    elif not conforms(default, type_):
        problem = (
            f"state({kind}, {default!r}): the default is {article(type(default).__name__)}, "
            f"not {article(kind)}. Give a default of the declared type."
        )
    field: StateField[Any] = StateField(type_, default, origin_value, optimistic)
    field.problem = problem
    return field
