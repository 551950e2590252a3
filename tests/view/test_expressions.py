"""Expressions are data: the names they read and where they were written."""

from __future__ import annotations

from actorview.declare._expressions import expr
from actorview.view import Action, ViewClause
from demo_chat import ChatView


def test_a_lambda_says_what_it_reads_and_evaluates_through_a_lookup() -> None:
    def add(a: int, b: int) -> int:
        return a + b

    expression = expr(add, where="test")
    assert expression.names == ("a", "b")
    assert expression.evaluate({"a": 1, "b": 2}.__getitem__) == 3
    assert expression.location == f"{__file__}:{add.__code__.co_firstlineno}"


def test_a_constant_reads_nothing() -> None:
    expression = expr(ChatView, where="test")
    assert expression.is_constant and expression.names == ()
    assert expression.evaluate(lambda name: None) is ChatView
    assert expression.location == ""


def test_every_expression_of_the_chat_view_is_data() -> None:
    spec = ChatView.__view_spec__
    expressions = [calc.expression for calc in spec.calcs.values()]
    declarations: list[Action | ViewClause] = [*spec.actions.values(), *spec.clauses]
    for declared in declarations:
        expressions.extend(e for op in declared.ops for e in op.expressions())
        if declared.when is not None:
            expressions.append(declared.when)
    functions = [e for e in expressions if not e.is_constant]
    assert len(functions) > 10
    assert all(e.location.rsplit(":", 1)[1].isdigit() for e in functions)
    assert {name for e in expressions for name in e.names} <= {
        *spec.names,
        "text",  # Chunk.text, bound by the chunk clause
        "error",  # StreamFailed.error, bound by the failure clause
        "error_type",  # StreamFailed.error_type, likewise
        "conversations",  # Listed.conversations, bound by the sidebar's clause
        "id",  # the sidebar actions' param, and Opened.id / Reopen.id
        "title",  # the rename action's param
        "changed",  # Listed.changed: this view changed the conversations
    }
