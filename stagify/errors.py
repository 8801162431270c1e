"""The one exception stagify raises for bad input, always with a position; reading input files safely."""

from __future__ import annotations

import os
import stat
from pathlib import Path

# The largest Dockerfile (or standard input) read: a bigger one is refused, not read whole.
MAX_DOCKERFILE_BYTES = 16 * 1024 * 1024


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


# The file being worked on, for the one line the entry point prints when an unexpected
# exception escapes (a bug): which input to attach to the report. Set by each command's
# per-file step; a plain global is enough, since a file's work runs on one thread at a time.
_current: list[str] = []


def working_on(path: str) -> None:
    """Record the file being processed now (shown if an unexpected error stops the command)."""
    _current[:] = [path]


def current_file() -> str | None:
    """The file recorded by :func:`working_on`, or None before the first one."""
    return _current[0] if _current else None


def read_limited(path: Path, label: str | None = None, limit: int = MAX_DOCKERFILE_BYTES) -> bytes:
    """A regular file's bytes, at most ``limit`` of them; StagifyError for anything else.

    A FIFO, a device (``/dev/zero``), a socket or a folder would block or never end, so only
    regular files are read; the file is opened without blocking and checked once open.
    """
    where = label or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise StagifyError(where, None, "is a folder, not a file") from None
    except OSError as exc:
        raise StagifyError(where, None, f"cannot read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StagifyError(where, None, f"not a regular file ({_kind(info.st_mode)}): only files are read")
        if info.st_size > limit:
            raise StagifyError(where, None, f"the file is {info.st_size:,} bytes: larger than the {limit:,}-byte limit")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise StagifyError(where, None, f"cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while being read
        raise StagifyError(where, None, f"larger than the {limit:,}-byte limit")
    return data


def read_stream_limited(stream: object, where: str, limit: int = MAX_DOCKERFILE_BYTES) -> bytes:
    """Up to ``limit`` bytes of a binary stream (standard input); StagifyError when there are more."""
    data: bytes = stream.read(limit + 1)  # type: ignore[attr-defined]
    if len(data) > limit:
        raise StagifyError(where, None, f"more than the {limit:,}-byte limit")
    return data


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a regular file"
