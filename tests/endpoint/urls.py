"""Pages link files by content-hashed URLs (``/_av/<digest>/client.js``): tests that
check which file a page links compare the plain URL."""

from __future__ import annotations

import re

_DIGEST = re.compile(r"(/_av/(?:static/|program/)?)[0-9a-f]{12}/")


def unhashed(text: str) -> str:
    """``text`` with every hashed ``/_av/`` URL in it made plain again."""
    return _DIGEST.sub(r"\1", text)
