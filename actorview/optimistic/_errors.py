"""Errors of the optimistic layer: what the browser cannot compute, found at definition time.

A :class:`TranspileError` is raised while a view class is defined (or when
:func:`actorview.optimistic.to_js_source` is called), never at run time in the browser.
Its message names the construct, the function and the source line, and says what to do.
The subset it checks against is documented in ``docs/OPTIMISTIC.md``.
"""

from __future__ import annotations

from actorview.errors import DefinitionError

DEFAULT_HINT = "compute it on the server: drop optimistic=True"


class TranspileError(DefinitionError):
    """A function uses Python the browser cannot compute exactly.

    Attributes:
        construct: the offending construct as written (``"input.title()"``).
        reason: why it is outside the subset.
        function: the function's qualified name (``"ChatView.<lambda>"``).
        location: ``"path/to/file.py:12"``, or ``"<expression>"`` without a file.
        source_line: the source line holding the construct, stripped.
        hint: what to do instead.
    """

    def __init__(
        self,
        *,
        construct: str,
        reason: str,
        function: str,
        location: str,
        source_line: str,
        hint: str = DEFAULT_HINT,
    ) -> None:
        self.construct = construct
        self.reason = reason
        self.function = function
        self.location = location
        self.source_line = source_line
        self.hint = hint
        text = (
            f"cannot compute `{construct}` in the browser: {reason}\n"
            f"  in {function} at {location}\n"
        )
        if source_line:
            text += f"    {source_line}\n"
        text += f"To fix: {hint} (the optimistic subset is in docs/OPTIMISTIC.md)."
        super().__init__(text)
