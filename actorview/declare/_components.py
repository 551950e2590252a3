"""What a component class body declares: ``prop``\\ s, and the checks of a component class.

A component (``actorview.view.Component``, the runtime half, one layer up) is declared
like a view: ``state`` fields, ``calculate`` values, ``action``\\ s and ``render``. It adds
:func:`prop`: a value its parent view passes down each render
(``self.component(Counter, key="a", label="Apples")``), read like a field and never
written by the component. :func:`compile_component` checks a component class when it is
defined, with the view's validator (:func:`~actorview.declare._validator.compile_view`)
and then what is a component's own, in this order:

1. a component handles no messages and runs no streams (it lives in its view's task):
   no ``clause`` and no ``async_stream``;
2. it keeps no ``stream`` fields (a stream of items is the view's, each item rendered by
   a component) and predicts nothing in the browser (``optimistic=True``);
3. no op writes a prop (the parent's next render would overwrite it);
4. what it ``sends=`` its parent (``ops.tell_parent``) are frozen attrs classes.

Each mistake is a :class:`~actorview.errors.DefinitionError` naming the component, the
declaration and the fix. The guide is docs/COMPONENTS.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Generic, NoReturn, TypeVar, overload

import attrs

from actorview.declare._actions import Action
from actorview.declare._calculate import Calc
from actorview.declare._clauses import ViewClause
from actorview.declare._collections import CollectionField
from actorview.declare._declarations import Declaration, Holder, article
from actorview.declare._errors import InvalidEvent, ViewError
from actorview.declare._fields import Origin, StateField
from actorview.declare._spec import ViewSpec
from actorview.declare._tasks import StreamTask
from actorview.declare._validator import compile_view
from actorview.declare._values import conforms, type_name, zero_value
from actorview.declare.ops import FieldOp
from actorview.errors import DefinitionError

T = TypeVar("T")

_MISSING: Any = object()


class Prop(StateField[T], Generic[T]):
    """The declaration of one prop (made by :func:`prop`): a state field of the component
    that only its parent writes, through the values it passes to ``self.component``.

    Attributes:
        required: the parent must pass it (its type has no obvious empty value and no
            default was given).
    """

    def __init__(self, type_: Any, default: Any, required: bool) -> None:
        super().__init__(type_, default, Origin.SERVER, False)
        self.required = required

    def __repr__(self) -> str:
        default = "" if self.required else f", {self.default!r}"
        return f"prop({type_name(self.type)}{default})"

    def __set__(self, instance: Holder, value: T) -> NoReturn:
        raise AttributeError(
            f"{self.owner}.{self.name} is a prop: the parent view passes it "
            f"(self.component({self.owner}, key=..., {self.name}=...)). Keep a state field "
            f"of the component's own for what it changes."
        )


@overload
def prop(type_: type[T], default: T = ...) -> Prop[T]: ...
@overload
def prop(type_: Any, default: Any = ...) -> Prop[Any]: ...
def prop(type_: Any, default: Any = _MISSING) -> Prop[Any]:
    """Declare a prop of a component: a typed value its parent passes down.

    Args:
        type_: the prop's type; each value the parent passes must conform to it (else
            :class:`~actorview.view.StateTypeError` naming the component and the prop).
        default: the value when the parent passes none; may be left out for the types
            ``state`` has an empty value for (``str``, ``int``, ``list[...]``, optional
            types...). A prop of another type without a default must be passed.

    Example::

        class Counter(Component):
            label = prop(str)
            count = state(int)
            inc = action(ops.set(count=lambda count: count + 1))

            def render(self) -> Element:
                return h.button(f"{self.label}: {self.count}", av_click="inc")

    The component re-renders when a prop's value changes (compared with ``==``) or its
    own state does, and not otherwise.
    """
    required = False
    problem = None
    if default is _MISSING:
        has_zero, default = zero_value(type_)
        required = not has_zero
    elif not conforms(default, type_):
        kind = type_name(type_)
        problem = (
            f"prop({kind}, {default!r}): the default is {article(type(default).__name__)}, "
            f"not {article(kind)}. Give a default of the declared type."
        )
    declared: Prop[Any] = Prop(type_, default, required)
    declared.problem = problem
    return declared


@attrs.frozen
class ComponentSpec:
    """Everything a component class declares, checked.

    Attributes:
        view: its fields, calcs and actions, compiled as a view's are (its store runs it).
        props: its props by name (they are fields of ``view`` too).
        sends: the message types it may tell its parent (``ops.tell_parent``).
    """

    view: ViewSpec
    props: Mapping[str, Prop[Any]]
    sends: tuple[type, ...]

    @property
    def name(self) -> str:
        """The component class's name."""
        return self.view.name


def compile_component(
    cls: type, *, sends: Iterable[type] = (), reserved: Iterable[str] = ()
) -> ComponentSpec:
    """Check every declaration of component class ``cls`` and return its spec.

    Raises:
        DefinitionError: on the first mistake, in the order of the module docstring.
    """
    name = cls.__name__
    sent = tuple(sends)
    declared = _declared(cls)
    for attr, value in declared.items():
        if isinstance(value, ViewClause):
            _fail(
                name,
                f"{attr} (clause)",
                "a component takes no messages: it lives in its view's task and mailbox. "
                "Declare the clause on the view and pass what it changes down as a prop "
                "(self.component(..., value=...)).",
            )
        if isinstance(value, StreamTask):
            _fail(
                name,
                f"{attr} (async_stream)",
                "a component runs no streams of its own: it lives in its view's task. "
                "Declare the async_stream on the view and pass what it gives down as a prop.",
            )
    spec = compile_view(cls, reserved=reserved, sends=sent)
    for attr, value in declared.items():
        if isinstance(value, CollectionField):
            _fail(
                name,
                attr,
                "a component keeps no stream fields. Declare the stream on the view and "
                "render each of its items with a component: "
                "self.items.slot('ul', lambda item: self.component(Row, key=item.id, ...)).",
            )
        optimistic = (isinstance(value, (StateField, Calc, Action))) and value.optimistic
        if optimistic:
            _fail(
                name,
                attr,
                "optimistic=True in a component: the browser predicts only a view's own "
                "fields and actions. Remove optimistic=True (the component's answer comes "
                "in the next frame), or declare it on the view.",
            )
    props = {attr: value for attr, value in declared.items() if isinstance(value, Prop)}
    for action_name, declared_action in spec.actions.items():
        for op in declared_action.ops:
            if isinstance(op, FieldOp) and op.field in props:
                _fail(
                    name,
                    f"{action_name} (action) ops.{op.verb}",
                    f"writes {op.field!r}, a prop: the parent passes it, and its next "
                    f"render would overwrite the change. Keep a state field of the "
                    f"component's own, or tell the parent (ops.tell_parent(...)) and let it "
                    f"pass the new value down.",
                )
    for kind in sent:
        if not (isinstance(kind, type) and attrs.has(kind)):
            _fail(
                name,
                "sends",
                f"{kind!r} is not an attrs class; a component tells its parent messages, "
                f"declared with @attrs.frozen.",
            )
    return ComponentSpec(spec, props, sent)


def _declared(cls: type) -> dict[str, Declaration]:
    found: dict[str, Declaration] = {}
    for base in reversed(cls.__mro__):
        for attr, value in vars(base).items():
            if isinstance(value, Declaration):
                found[attr] = value
            elif attr in found:
                del found[attr]
    return found


def _fail(component: str, where: str, message: str) -> NoReturn:
    raise DefinitionError(f"{component}.{where}: {message}")


class ComponentError(ViewError):
    """A view used a component wrongly while rendering (server code: the view crashes,
    its supervisor decides). ``view`` and ``component`` name them; the message names
    the fix."""

    def __init__(self, view: str, component: str, problem: str) -> None:
        super().__init__(f"{view}.render, component {component}: {problem}")
        self.view = view
        self.component = component
        self.problem = problem


class UnknownComponent(InvalidEvent):
    """A browser event names a component the view does not show (any more): nothing
    changed and the view runs on. ``target`` is the component id the event named."""

    def __init__(self, view: str, target: str, shown: Iterable[str]) -> None:
        listed = ", ".join(sorted(shown)) or "none"
        super().__init__(
            f"{view} shows no component {target!r} (shown: {listed}); the event is "
            f"ignored. A component lives while its view renders it."
        )
        self.view = view
        self.target = target
