"""The build context as BuildKit will see it: the folder minus what .dockerignore leaves out."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import StagifyError, read_limited
from . import dockerignore

# Folders never worth walking for evidence: VCS data and third-party code.
_SKIP_WALK = frozenset({".git", ".hg", ".svn", "node_modules", "vendor", ".venv", "venv", "__pycache__"})
_MAX_FILES = 20_000
_MAX_READ = 1_000_000
# JSON, TOML and YAML parsers recurse once per level; Python's limit is about 1,000 frames.
MAX_NESTING = 1_000


def _mode(path: Path) -> int | None:
    """The file type and mode bits of ``path`` (following links), or None when it is missing or cannot be
    looked at: a folder without read or search permission hides what is under it, it does not stop stagify."""
    try:
        return os.stat(path).st_mode
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class BuildContext:
    """Read-only view of a build context folder."""

    root: Path
    rules: tuple[dockerignore.Rule, ...] = ()
    dockerignore_text: str | None = None

    @classmethod
    def open(cls, root: Path, label: str | None = None) -> BuildContext:
        """Open ``root``; a missing or unreadable folder is a :class:`StagifyError`."""
        label = label or str(root)
        if not root.exists():
            raise StagifyError(label, None, "build context not found")
        if not root.is_dir():
            raise StagifyError(label, None, "build context is not a folder")
        try:
            os.listdir(root)
        except OSError as exc:
            raise StagifyError(label, None, f"cannot read the build context: {exc.strerror}") from None
        ignore_file = root / ".dockerignore"
        text = None
        if ignore_file.is_symlink() and not ignore_file.resolve().is_relative_to(root.resolve()):
            # Neither shown in a diff nor replaced nor committed: the file it points to is not the project's.
            raise StagifyError(str(ignore_file), None, f"is a symlink to {ignore_file.resolve()}, outside the build context; "
                               "not read, not written (make it a file in the context)")
        if ignore_file.exists() or ignore_file.is_symlink():
            # A folder, a FIFO or a device named .dockerignore: BuildKit cannot read it either, and
            # stagify would fail later writing its own, so it is refused before anything is written.
            data = read_limited(ignore_file, str(Path(label) / ".dockerignore"), _MAX_READ)
            text = data.decode("utf-8", errors="replace")
        try:
            rules = dockerignore.parse_rules(text) if text else ()
        except dockerignore.PatternError as exc:
            raise StagifyError(str(Path(label) / ".dockerignore"), exc.line, exc.message) from None
        return cls(root=root, rules=rules, dockerignore_text=text)

    @classmethod
    def empty(cls) -> BuildContext:
        """A context with no files (a Dockerfile converted without one)."""
        return cls(root=Path("/nonexistent-stagify-context"))

    def ignored(self, rel: str) -> bool:
        return dockerignore.is_ignored(self.rules, rel)

    def exists(self, rel: str) -> bool:
        return not self.ignored(rel) and _mode(self.root / rel) is not None

    def is_file(self, rel: str) -> bool:
        return not self.ignored(rel) and stat.S_ISREG(_mode(self.root / rel) or 0)

    def is_dir(self, rel: str) -> bool:
        return not self.ignored(rel) and self.has_dir(rel)

    def has_dir(self, rel: str) -> bool:
        """Whether the folder holds a folder at ``rel``, ignored or not (False when it cannot be looked at)."""
        return stat.S_ISDIR(_mode(self.root / rel) or 0)

    def read_text(self, rel: str) -> str | None:
        """A file's text (None when absent, ignored, unreadable or too large to be a source file)."""
        path = self.root / rel
        if not self.is_file(rel):
            return None
        try:
            if path.stat().st_size > _MAX_READ:
                return None
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def too_deep(self, rel: str) -> StagifyError:
        """The error for a context file nested too deeply to be read (its parser ran out of stack)."""
        return StagifyError(str(self.root / rel), None, f"nested more than {MAX_NESTING:,} levels deep: stagify does not read it")

    def entries(self, rel: str = "") -> list[str]:
        """Names in a folder of the context, folders marked with a trailing ``/``, sorted."""
        folder = self.root / rel
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return []
        out = []
        for name in names:
            child = f"{rel}/{name}" if rel else name
            if self.ignored(child):
                continue
            out.append(name + "/" if stat.S_ISDIR(_mode(folder / name) or 0) else name)
        return out

    def walk(self, rel: str = "", skip: frozenset[str] = _SKIP_WALK) -> Iterator[str]:
        """Every file under ``rel`` (relative paths), skipping VCS and dependency folders."""
        count = 0
        stack = [rel]
        while stack:
            current = stack.pop()
            for name in self.entries(current):
                child = f"{current}/{name}" if current else name
                if name.endswith("/"):
                    if name[:-1] not in skip:
                        stack.append(child[:-1])
                    continue
                count += 1
                if count > _MAX_FILES:
                    return
                yield child
