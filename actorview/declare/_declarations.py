"""The base of every declaration a view class body makes (fields, calcs, actions...).

A declaration learns its name when the class is created (``__set_name__``). A mistake
found while the declaration is built is kept in ``problem`` rather than raised at once,
so that the validator can raise it naming the view and the declaration too:
``ChatView.count: state(int, 'x'): the default is a str, not an int. ...``.

Fields, calcs and stream fields are descriptors: on an instance they read and write
through its :class:`Holder` protocol (the view's ``_view_store``), so this layer needs nothing
of the runtime that keeps the values.
"""

from __future__ import annotations

from typing import Any, Protocol


class Values(Protocol):
    """Where one instance's declared values live (the view's store implements it)."""

    def read(self, name: str) -> Any:
        """The value of field ``name`` (a stream field reads as its items)."""
        ...

    def assign(self, name: str, value: Any) -> None:
        """Write field ``name`` (checked against its type; may raise)."""
        ...

    def calc_value(self, name: str) -> Any:
        """The current value of calc ``name``."""
        ...

    def stream(self, name: str) -> Any:
        """The items of stream field ``name`` (its ``CollectionItems``)."""
        ...


class Holder(Protocol):
    """An instance whose class makes declarations: it holds their values in
    ``_view_store`` (a private name, so that no declaration can take it: a view may
    declare a field called ``store``)."""

    @property
    def _view_store(self) -> Values: ...


class Declaration:
    """Something declared in a view class body.

    Attributes:
        name: the attribute name, set when the class is created.
        owner: the name of the class that declared it.
        problem: what is wrong with it, found when it was built (raised by the validator).
    """

    name: str
    owner: str
    problem: str | None

    def _declare(self) -> None:
        self.name = ""
        self.owner = ""
        self.problem = None

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.owner = owner.__name__


def article(word: str) -> str:
    """``word`` with "a" or "an" before it: ``an int``, ``a str``."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
