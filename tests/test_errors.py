"""One exception family: every exception class actorview defines is an ActorViewError,
and every warning an ActorViewWarning, so one ``except`` (or one warnings filter) takes
them all."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import actorview
from actorview import ActorViewError, ActorViewWarning


def exception_classes() -> list[type[BaseException]]:
    """Every exception class defined in a module of the actorview package (walked)."""
    found: list[type[BaseException]] = []
    for info in pkgutil.walk_packages(actorview.__path__, "actorview."):
        module = importlib.import_module(info.name)
        found.extend(
            value
            for _, value in inspect.getmembers(module, inspect.isclass)
            if issubclass(value, BaseException) and value.__module__ == info.name
        )
    return found


def test_the_walk_finds_the_errors_of_every_package() -> None:
    names = {cls.__name__ for cls in exception_classes()}
    for expected in [
        "DuplicateChildId",
        "MailboxFull",
        "InvalidTree",
        "BadFrame",
        "BadRequest",
        "StateTypeError",
        "TranspileError",
        "SelectorError",
        "NoMatch",
        "MissingFailureClause",
    ]:
        assert expected in names


def test_every_exception_class_is_an_actorview_error() -> None:
    outside = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in exception_classes()
        if not issubclass(cls, Warning) and not issubclass(cls, ActorViewError)
    ]
    assert outside == []


def test_every_warning_class_is_an_actorview_warning() -> None:
    warnings = [cls for cls in exception_classes() if issubclass(cls, Warning)]
    assert warnings and all(issubclass(cls, ActorViewWarning) for cls in warnings)
    assert not issubclass(ActorViewWarning, ActorViewError)
