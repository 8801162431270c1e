"""Writing results safely: every file replaced whole, or none of them; the originals kept as backups."""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path


class WriteError(Exception):
    """A result could not be written; nothing was changed. ``path`` is the file meant."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: cannot write: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Written:
    path: Path
    backup: Path | None


def write_all(files: list[tuple[Path, str]], backup: bool) -> list[Written]:
    """Replace each path with its text atomically, all or none.

    Each text first goes to a temporary file in the target's folder (same file
    system, so the final rename is atomic) with the target's mode. Only when every
    temporary file is written are the targets replaced; if a replacement fails,
    the ones already replaced get their old content back. With ``backup`` the
    previous content of each existing file is kept as ``<name>.bak``.
    """
    for path, _ in files:
        if path.exists() and not path.stat().st_mode & 0o222:
            # Nobody may write it: whoever made it read-only meant it to stay as it is (root could, but should not).
            raise WriteError(path, "the file is read-only")
    prepared: list[tuple[Path, str]] = []
    try:
        for path, text in files:
            prepared.append((path, _temporary(path, text)))
    except OSError as exc:
        _discard(prepared)
        failed = files[len(prepared)][0]
        raise WriteError(failed, exc.strerror or str(exc)) from None
    originals: dict[Path, bytes | None] = {path: _read(path) for path, _ in files}
    done: list[Written] = []
    try:
        for path, tmp in prepared:
            saved = None
            if backup and originals[path] is not None:
                saved = path.with_name(path.name + ".bak")
                shutil.copy2(path, saved)
            os.replace(tmp, path)
            done.append(Written(path=path, backup=saved))
    except OSError as exc:
        _discard([(p, t) for p, t in prepared if os.path.exists(t)])
        for item in done:
            _restore(item.path, originals[item.path])
        failed = prepared[len(done)][0]
        raise WriteError(failed, exc.strerror or str(exc)) from None
    return done


def _temporary(path: Path, text: str) -> str:
    import tempfile  # only when something is written: a conversion that prints never needs it

    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=".stagify-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _restore(path: Path, content: bytes | None) -> None:
    try:
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(content)
    except OSError:
        pass  # best effort: the rename that failed already left this file's folder unwritable


def _discard(prepared: list[tuple[Path, str]]) -> None:
    for _, tmp in prepared:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
