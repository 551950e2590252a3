"""``calculate``: derived values, recomputed from a dependency graph once per message.

A calc is a function whose parameter names are the fields and calcs it reads
(``calculate(lambda input: bool(input.strip()))``). The graph is built and checked when
the view class is defined (unknown names and cycles are definition errors) and sorted
once; after each handled message or coalesced batch the view recomputes, in that order,
only the calcs whose inputs changed, each at most once.

An incremental calc (``incremental=step``) also gets the change itself: when its one
input only grew at its end since the last recompute (text appended, items pushed),
``step(previous, Appended(...))`` updates the previous value instead of recomputing from
scratch, so a token counter costs the same per token whatever the draft's length.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar, overload

import attrs

from actorview.declare._declarations import Declaration, Holder
from actorview.declare._expressions import Expr, expr
from actorview.errors import DefinitionError

T = TypeVar("T")
V = TypeVar("V")


@attrs.frozen
class Appended(Generic[V]):
    """What was added at the end of a text or list since the last recompute.

    Attributes:
        added: the appended text (``str``), or the pushed items (``tuple``), in order.
        preceding: the last element before the addition as a slice of length 0 or 1
            (``old[-1:]``): enough to tell, e.g., whether the added text continues a word.
    """

    added: V
    preceding: V


class Calc(Declaration, Generic[T]):
    """The declaration of a derived value (made by :func:`calculate`).

    Attributes:
        expression: the from-scratch definition; its parameter names are its inputs.
        step: ``(previous, Appended) -> value`` for an incremental calc, else ``None``.
        optimistic: the browser computes it too (its inputs must be predictable).
        name: the attribute name, set when the class is created.
    """

    def __init__(
        self,
        expression: Expr,
        step: Callable[[T, Appended[Any]], T] | None,
        optimistic: bool,
    ) -> None:
        self.expression = expression
        self.step = step
        self.optimistic = optimistic
        self._declare()

    @property
    def inputs(self) -> tuple[str, ...]:
        """The fields and calcs this calc reads."""
        return self.expression.names

    def __repr__(self) -> str:
        return f"calculate({self.expression.describe()})"

    def compute(self, read: Callable[[str], Any]) -> T:
        """The value from scratch, reading inputs through ``read``."""
        value: T = self.expression.evaluate(read)
        return value

    @overload
    def __get__(self, instance: None, owner: type) -> Calc[T]: ...
    @overload
    def __get__(self, instance: Holder, owner: type) -> T: ...
    def __get__(self, instance: Holder | None, owner: type) -> Calc[T] | T:
        if instance is None:
            return self
        store = instance._view_store
        value: T = store.calc_value(self.name)
        return value

    def __set__(self, instance: Holder, value: Any) -> None:
        raise AttributeError(
            f"{self.owner}.{self.name} is a calc; it is computed from "
            f"{', '.join(self.inputs) or 'nothing'}. Change those instead."
        )


def calculate(
    function: Callable[..., T],
    *,
    incremental: Callable[[T, Appended[Any]], T] | None = None,
    optimistic: bool = False,
) -> Calc[T]:
    """Declare a derived value.

    Args:
        function: computes the value from scratch; its parameter names are the fields and
            calcs it reads. It must not change anything.
        incremental: ``step(previous, change)`` returning the new value from the previous
            one and an :class:`Appended` change. Only for a calc with exactly one input,
            a ``str`` or ``list`` field. It is used when every change to that input since
            the last recompute was an append/push; any other change (``set``, ``pop``...)
            recomputes from scratch. ``step`` must agree with ``function``.
        optimistic: the browser may compute it too (the optimistic layer transpiles
            ``function``); every input must then be a client or optimistic field or an
            optimistic calc.

    Example::

        input_valid = calculate(lambda input: bool(input.strip()), optimistic=True)
        token_count = calculate(count_words, incremental=count_more_words)

    Calcs are recomputed after the whole message (or batch) is handled: an action or a
    clause reads the calc values from before the message, consistent with the state it
    reads.
    """
    try:
        expression = expr(function, where="calculate")
        if expression.is_constant:
            raise DefinitionError(
                f"calculate({function!r}) needs a function whose parameter names are its "
                f"inputs, e.g. calculate(lambda items: sum(items))."
            )
    except DefinitionError as error:
        broken: Calc[T] = Calc(expr(None, where="calculate"), None, optimistic)
        broken.problem = str(error)
        return broken
    return Calc(expression, incremental, optimistic)


def order_calcs(view: str, calcs: Mapping[str, Calc[Any]]) -> tuple[Calc[Any], ...]:
    """The calcs in an order where every calc comes after the calcs it reads.

    Ties keep declaration order. Raises :class:`DefinitionError` naming the cycle.
    """
    order: list[Calc[Any]] = []
    state: dict[str, str] = {}

    def visit(name: str, path: Sequence[str]) -> None:
        mark = state.get(name)
        if mark == "done":
            return
        if mark == "visiting":
            cycle = [*path[path.index(name) :], name]
            raise DefinitionError(
                f"{view}: the calcs {' -> '.join(cycle)} form a cycle, so none of them "
                f"can be computed first. Make one of them read state fields only."
            )
        state[name] = "visiting"
        for dependency in calcs[name].inputs:
            if dependency in calcs:
                visit(dependency, [*path, name])
        state[name] = "done"
        order.append(calcs[name])

    for name in calcs:
        visit(name, [])
    return tuple(order)
