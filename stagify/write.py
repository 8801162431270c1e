"""Writing results safely: whole files or nothing, the original kept as a backup."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def atomic_write(path: Path, text: str, backup: bool) -> Path | None:
    """Replace ``path`` with ``text`` atomically (temp file in the same folder, then rename).

    The file mode is kept; with ``backup`` the previous content is kept as ``<name>.bak``.
    Returns the backup path when one was written.
    """
    data = text.encode("utf-8")
    folder = path.parent
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    backup_path = None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".stagify", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if backup and path.exists():
            backup_path = path.with_name(path.name + ".bak")
            shutil.copy2(path, backup_path)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return backup_path
