"""The one exception stagify raises for bad input, always with a position."""

from __future__ import annotations


class StagifyError(Exception):
    """Input stagify cannot work with: rendered as ``path:LINE: message``.

    ``line`` is 1-based, or ``None`` when no single line is to blame (a missing
    file, an empty context).
    """

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"
