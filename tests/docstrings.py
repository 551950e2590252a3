"""Reading an enum's source: which members lack the one-line docstring each must have."""

from __future__ import annotations

import ast
import inspect
import textwrap
from enum import Enum


def member_assignments(enum: type[Enum]) -> list[ast.Assign]:
    """The ``NAME = value`` statements of the enum's class body, in order."""
    (cls,) = ast.parse(textwrap.dedent(inspect.getsource(enum))).body
    assert isinstance(cls, ast.ClassDef)
    return [statement for statement in cls.body if isinstance(statement, ast.Assign)]


def undocumented_members(enum: type[Enum]) -> list[str]:
    """The members of ``enum`` not followed by a one-line string (their docstring)."""
    (cls,) = ast.parse(textwrap.dedent(inspect.getsource(enum))).body
    assert isinstance(cls, ast.ClassDef)
    body = cls.body
    return [
        target.id
        for statement, following in zip(body, [*body[1:], None], strict=True)
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
        and not (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
            and "\n" not in following.value.value.strip()
        )
    ]
