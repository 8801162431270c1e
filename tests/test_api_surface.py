"""The library surface: what ``stagify`` exports, and that a user's typed code checks against it in strict mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import stagify

USER_CODE = '''
from pathlib import Path

from stagify import Level, Options, Outcome, Placement, RuntimeChoice, Status, convert


def runtime_of(path: Path) -> str | None:
    outcome: Outcome = convert(path.read_bytes(), context=path.parent, options=Options(runtime=RuntimeChoice.DEBIAN, uid=4000))
    if outcome.status is not Status.CONVERTED or outcome.dockerfile is None:
        return None
    warnings = [n.message for n in outcome.notes if n.level is Level.WARNING]
    placed = [d.placement for d in outcome.decisions if d.placement is Placement.RUNTIME]
    return f"{outcome.dockerfile.splitlines()[-1]} {len(warnings)} {len(placed)}"
'''


def test_every_exported_name_exists() -> None:
    assert sorted(stagify.__all__) == sorted(set(stagify.__all__))
    for name in stagify.__all__:
        assert hasattr(stagify, name), name
    assert (Path(stagify.__file__).parent / "py.typed").is_file()


def mypy(folder: Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict on user.py, seeing the package the way an installed copy is seen (an editable install hides it)."""
    root = Path(stagify.__file__).resolve().parent.parent
    env = {**os.environ, "MYPYPATH": str(root)}
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", str(root / "pyproject.toml"),
                           "user.py"], cwd=folder, capture_output=True, text=True, timeout=300, env=env)


def test_typed_user_code_passes_mypy_strict(tmp_path: Path) -> None:
    (tmp_path / "user.py").write_text(USER_CODE)
    done = mypy(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (tmp_path / "user.py").write_text(USER_CODE.replace("uid=4000", 'uid="4000"'))
    wrong = mypy(tmp_path)
    assert wrong.returncode == 1 and 'Argument "uid" to "Options" has incompatible type "str"' in wrong.stdout
