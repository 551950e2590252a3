"""Hypothesis profiles: with ``CI`` set, every run tries the same examples.

A landing must not depend on the luck of one run: under CI, Hypothesis derandomizes (the
examples come from a hash of each test, the same every time until the test changes) and
prints the blob that reproduces a failure. Everywhere else each run draws new examples,
so running the suite keeps exploring (that is how the int ``-0`` mismatch of the
transpiler was found).
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)


def load() -> None:
    """Load the CI profile when the ``CI`` environment variable is set."""
    if os.environ.get("CI"):
        settings.load_profile("ci")
