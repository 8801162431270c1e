"""One-line texts of a conversion, shared by the reports and by ``migrate``'s per-file results.

``migrate`` keeps these strings in results that cross process boundaries, and the
reports (``stagify.cli.report``) render those results, so they live here, below both.
"""

from __future__ import annotations

import re

from ..dockerfile.stageplan import Note
from ..patterns import Pattern

_FROM = Pattern(r"^\s*FROM\s+(?:--\S+\s+)*(\S+)", re.I | re.M)


def bases(text: str) -> tuple[str, ...]:
    """The images a Dockerfile's FROM lines name, in order."""
    return tuple(_FROM.findall(text))


def note_line(path: str, note: Note) -> str:
    where = f"{path}:{note.line}" if note.line is not None else path
    return f"{where}: {note.level.value}: {note.message}"
