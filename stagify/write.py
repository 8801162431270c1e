"""Writing results safely: every file replaced whole, or none of them; the originals kept as backups.

A write holds an exclusive lock on each folder it writes in (``flock`` on the folder itself,
so no lock file is left behind), checks under that lock that every file still holds what
was read (its SHA-256), writes every new text and every backup to a temporary file first,
records the planned renames in a journal, and only then renames. A run killed midway
(``kill -9``) leaves the journal: the next write in that folder finishes the renames it
lists, so a build context ends up with all of its files or none; stray temporary files
are removed then too. SIGINT and SIGTERM during a write undo what was done.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

TEMP_PREFIX = ".stagify-"
TEMP_SUFFIX = ".tmp"
JOURNAL_SUFFIX = ".journal"
# How long a write waits for another stagify writing in the same folder before giving up.
LOCK_TIMEOUT = 30.0


class WriteError(Exception):
    """A result could not be written; nothing was changed. ``path`` is the file meant."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: cannot write: {reason}")
        self.path = path
        self.reason = reason


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived while files were being written; what was done is undone."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum


@dataclass(frozen=True)
class Written:
    path: Path
    backup: Path | None


@dataclass(frozen=True)
class Seen:
    """What a file held when it was read: the SHA-256 of its content, or None when it did not exist."""

    sha256: str | None

    @classmethod
    def of_bytes(cls, data: bytes | None) -> Seen:
        return cls(None if data is None else hashlib.sha256(data).hexdigest())

    @classmethod
    def of_text(cls, text: str | None) -> Seen:
        """A file read as text (undecodable bytes replaced): compared the same way when checked."""
        return cls(None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest())

    def matches(self, current: bytes | None) -> bool:
        if current is None or self.sha256 is None:
            return current is None and self.sha256 is None
        # Read as text (of_text), a file had its undecodable bytes replaced and its line ends made \n.
        text = current.decode("utf-8", errors="replace")
        forms = (current, text.encode("utf-8"), text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8"))
        return self.sha256 in {hashlib.sha256(form).hexdigest() for form in forms}


def write_all(files: list[tuple[Path, str]], backup: bool, seen: Mapping[Path, Seen] | None = None,
              lock_timeout: float = LOCK_TIMEOUT) -> list[Written]:
    """Replace each path with its text atomically, all or none.

    ``seen`` gives, for the files read before converting, what they held then: when one
    changed since (another program, or another stagify, wrote it), nothing is written.
    With ``backup`` the previous content of each existing file is kept as ``<name>.bak``,
    written the same atomic way.
    """
    seen = seen or {}
    folders = sorted({path.parent for path, _ in files}, key=str)
    with _locked(folders, lock_timeout, files[0][0] if files else Path(".")), _signals_raise():
        recover(*folders, locked=True)
        originals: dict[Path, bytes | None] = {}
        for path, _ in files:
            try:
                _check_writable(path)
                originals[path] = _read(path)
                if backup and originals[path] is not None:
                    _check_writable(_backup_of(path))
            except OSError as exc:
                raise WriteError(path, exc.strerror or str(exc)) from None
            if path in seen and not seen[path].matches(originals[path]):
                raise WriteError(path, "it changed since stagify read it (edited, or written by another run)")
        return _replace(files, originals, backup)


def _replace(files: list[tuple[Path, str]], originals: dict[Path, bytes | None], backup: bool) -> list[Written]:
    prepared: list[tuple[str, Path]] = []  # (temporary, final), in the order they are renamed
    journal: Path | None = None
    renamed: list[tuple[Path, bytes | None]] = []  # finals replaced so far, with what they held before
    current = files[0][0]
    try:
        for path, text in files:
            current = path
            content = originals[path]
            if backup and content is not None:
                bak = _backup_of(path)
                prepared.append((_temporary(bak, content, _mode(path)), bak))
            prepared.append((_temporary(path, text.encode("utf-8"), _mode(path)), path))
        journal = _journal(prepared, {**{final: _read(final) for _, final in prepared}, **originals})
        for tmp, final in prepared:
            current = final
            before = originals[final] if final in originals else _read(final)
            renamed.append((final, before))  # first: a signal right after the rename must still undo it
            os.replace(tmp, final)
        journal.unlink()
        _sync_folders({final.parent for _, final in prepared})
    except BaseException as exc:
        _discard(tmp for tmp, _ in prepared)
        for final, before in reversed(renamed):
            _restore(final, before)
        if journal is not None:
            with contextlib.suppress(OSError):
                journal.unlink()
        if isinstance(exc, OSError):
            raise WriteError(current, exc.strerror or str(exc)) from None
        raise
    return [Written(path=path, backup=_backup_of(path) if backup and originals[path] is not None else None)
            for path, _ in files]


def recover(*folders: Path, locked: bool = False) -> list[str]:
    """Finish the writes an interrupted run journaled in ``folders``; then remove their stray temporary files.

    A journal is written only once every temporary file it names is complete, so its renames
    are finished (a file changed since is left alone). A journal may name temporary files in
    another of the folders: every journal is replayed before any temporary file is removed.
    Returns what was done, one line each.
    """
    present = sorted({f for f in folders if f.is_dir()}, key=str)
    if not locked:
        with _locked(present, LOCK_TIMEOUT, present[0] if present else Path(".")):
            return recover(*present, locked=True)
    done: list[str] = []
    for folder in present:
        for journal in sorted(folder.glob(f"{TEMP_PREFIX}*{JOURNAL_SUFFIX}")):
            done.extend(_replay(journal))
    for folder in present:
        for leftover in folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                leftover.unlink()
    return done


def _replay(journal: Path) -> list[str]:
    done = []
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))
        for entry in entries:
            tmp, final, before = Path(entry["tmp"]), Path(entry["final"]), Seen(entry["before"])
            if tmp.exists() and before.matches(_read(final)):
                os.replace(tmp, final)
                done.append(f"{final}: finished the write an interrupted run had started")
            elif tmp.exists():
                tmp.unlink()
        journal.unlink()
    except (OSError, ValueError, KeyError, TypeError):
        with contextlib.suppress(OSError):
            journal.unlink()  # unreadable: nothing it names can be trusted
    return done


def _journal(prepared: list[tuple[str, Path]], before: dict[Path, bytes | None]) -> Path:
    """The renames about to be made, written whole (temporary file, then rename) before the first of them."""
    entries = [{"tmp": str(Path(tmp).absolute()), "final": str(final.absolute()), "before": Seen.of_bytes(before.get(final)).sha256}
               for tmp, final in prepared]
    first = prepared[0][1]
    tmp = _temporary(first, json.dumps(entries).encode("utf-8"), 0o600)
    journal = Path(tmp[: -len(TEMP_SUFFIX)] + JOURNAL_SUFFIX)
    try:
        os.replace(tmp, journal)
    except BaseException:
        _discard([tmp])
        raise
    return journal


def _backup_of(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def _check_writable(path: Path) -> None:
    if path.exists() and not path.stat().st_mode & 0o222:
        # Nobody may write it: whoever made it read-only meant it to stay as it is (root could, but should not).
        raise WriteError(path, "the file is read-only")


def _mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o644


def _temporary(path: Path, data: bytes, mode: int) -> str:
    import tempfile  # only when something is written: a conversion that prints never needs it

    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
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
    """Put back what a file held (atomically), or remove it when it did not exist."""
    try:
        if content is None:
            path.unlink(missing_ok=True)
        else:
            os.replace(_temporary(path, content, _mode(path)), path)
    except OSError:
        pass  # best effort: the rename that failed already left this file's folder unwritable


def _discard(temporaries: Iterator[str] | list[str]) -> None:
    for tmp in temporaries:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _sync_folders(folders: set[Path]) -> None:
    """The renames reach the disk before the command says it wrote."""
    for folder in folders:
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


@contextlib.contextmanager
def _locked(folders: list[Path], timeout: float, label: Path) -> Iterator[None]:
    """An exclusive lock on each folder (in a fixed order, so two writers cannot deadlock)."""
    import fcntl

    fds: list[int] = []
    try:
        for folder in folders:
            try:
                fd = os.open(folder, os.O_RDONLY)
            except OSError as exc:
                raise WriteError(label, f"cannot open its folder: {exc.strerror}") from None
            fds.append(fd)
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise WriteError(label, f"another stagify has been writing in {folder} for {timeout:.0f} s") from None
                    time.sleep(0.02)
        yield
    finally:
        for fd in fds:
            os.close(fd)  # closing releases the lock


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGINT and SIGTERM raise while files are written, so what was done is undone (and said so)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signum)

    previous = {signum: signal.signal(signum, _raise) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
