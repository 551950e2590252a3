"""``job(key, emits=...)``: an ``async_stream`` whose runs outlive the view.

Declared and used like an ``async_stream`` (``ops.fire("reply", prompt=...)``,
``ops.cancel("reply")``, clauses for what it emits and for its :class:`StreamFailed`)::

    @job("reply:{conversation}", emits=(Chunk, Done))
    async def reply(prompt: str, emit: Emit) -> None:
        async for token in model(prompt):
            await emit(Chunk(token))
        await emit(Done())

The body may also be an async generator that yields the messages. Its run belongs to
the application's jobs backend (``actorview.jobs``), not to the view: it goes on when
the page reloads or its socket drops, and every view whose key is the same (a second
tab, the page on another worker) follows it: what it produced so far, then each new
part. The key is a template over the view's fields and calcs, filled in when the view
starts and at each fire. A fire of a live key supersedes its run (wherever it runs);
a cancel from any view ends it. What the runtime does is :mod:`actorview.view._jobs`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import attrs

from actorview.declare._subscriptions import placeholders
from actorview.declare._tasks import OnBusy, OnFailure, OnFailureName, StreamTask


@attrs.frozen
class JobCancelled:
    """Another view (or task) cancelled the run of job ``job`` this view followed.

    The view that cancels hears nothing of its own cancel (its ``ops.cancel`` action
    says what to show, as for an ``async_stream``); the others hear this, if a clause
    takes it: ``clause(JobCancelled, ops.set(status="stopped"), match={"job": "reply"})``.
    A run superseded by a newer one is cancelled too: this comes before the newer run's
    messages. ``run`` numbers the view's runs, as :class:`StreamFailed`'s does.
    """

    job: str
    run: int


class JobTask(StreamTask):
    """The declaration of a job (made by :func:`job`).

    Attributes, besides :class:`StreamTask`'s:
        key: the key template (``"reply:{conversation}"``).
        key_names: the fields and calcs it reads.
        yields: the body is an async generator whose yielded values are its messages.
    """

    label = "job"

    def __init__(
        self,
        key: str,
        body: Callable[..., Any],
        emits: tuple[type, ...],
        on_failure: OnFailure = OnFailure.CLAUSE,
    ) -> None:
        self.yields = inspect.isasyncgenfunction(body)
        super().__init__(body, emits, OnBusy.SUPERSEDE, on_failure)
        self.key = key
        self.key_names: tuple[str, ...] = ()
        if not isinstance(key, str) or not key:
            self.problem = f"job(...) takes a key template str first, not {key!r}"
            return
        self.key_names, problem = placeholders(key)
        if problem is not None:
            self.problem = f"job({key!r}): " + problem.replace("the topic", "the key")

    def __repr__(self) -> str:
        emitted = ", ".join(t.__name__ for t in self.emits)
        return f"job({self.key!r}, {getattr(self.body, '__name__', self.body)}, emits=({emitted}))"


def job(
    key: str, *, emits: tuple[type, ...], on_failure: OnFailure | OnFailureName = OnFailure.CLAUSE
) -> Callable[[Callable[..., Any]], JobTask]:
    """Declare a job of the view: an ``async_stream`` run by the application's jobs
    backend under ``key``, which every view of that key follows.

    Args:
        key: a template over the view's fields and calcs (``"reply:{conversation}"``);
            views whose key is the same share the job's runs.
        emits: every message type the body may emit (attrs classes: the Redis backend
            carries them as JSON); each needs a clause in the view.
        on_failure: as for ``async_stream``: ``"clause"`` (a clause takes its
            :class:`StreamFailed`, also told when its owner's worker died) or
            ``"notice"``.

    The body's parameters other than ``emit`` are filled when the run is fired, from
    the ``ops.fire`` arguments or the view's fields and calcs, as an ``async_stream``'s.
    """
    problem = None
    try:
        failure = on_failure if isinstance(on_failure, OnFailure) else OnFailure(on_failure)
    except ValueError:
        failure = OnFailure.CLAUSE
        problem = f"job({key!r}, on_failure={on_failure!r}): use 'clause' or 'notice'."

    def declare(body: Callable[..., Any]) -> JobTask:
        declared = JobTask(key, body, tuple(emits), failure)
        if declared.problem is None:
            declared.problem = problem
        if not (inspect.iscoroutinefunction(body) or inspect.isasyncgenfunction(body)):
            declared.problem = (
                f"job({key!r})({getattr(body, '__name__', body)}): the body must be an "
                f"`async def` function taking values and `emit`, or an async generator "
                f"yielding its messages."
            )
        return declared

    return declare
