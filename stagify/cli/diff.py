"""Unified diffs of a conversion, for review before anything is written."""

from __future__ import annotations

import difflib


def unified(before: str, after: str, name: str) -> str:
    """A unified diff from ``a/name`` to ``b/name``; empty when the texts are equal."""
    if before == after:
        return ""
    lines = difflib.unified_diff(
        before.replace("\r\n", "\n").splitlines(keepends=True),
        after.replace("\r\n", "\n").splitlines(keepends=True),
        fromfile=f"a/{name.lstrip('/')}",
        tofile=f"b/{name.lstrip('/')}",
    )
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    return text
