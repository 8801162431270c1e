"""The package as users get it: a non-editable install into a fresh virtualenv, run from outside the repository.

This proves that what the code needs at run time (the top-level ``templates/`` folder, shipped as
``stagify.templates``) is inside the wheel, not only in the source tree.

The repository is copied to ``tmp_path`` (without .git, virtualenvs and build output) and installed from
the copy: ``pip install <repo>`` builds in the source tree and would leave ``build/`` and a refreshed
``stagify.egg-info`` in the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 600
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "venv", ".venv-*", "build", "dist", "*.egg-info", "__pycache__",
    ".pytest_cache", ".mypy_cache", ".ruff_cache", "*.pyc",
)
NOT_CONTEXT = ("expected.Dockerfile", "expected.dockerignore", "expected.skip", "expected.error", "stagify.args")


def _clean_env() -> dict[str, str]:
    """The environment without anything pointing at the repository or its virtualenv."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSAFEPATH")}
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    return env


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, env=_clean_env())


class Installed:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.venv = root / "venv"
        self.bin = self.venv / ("Scripts" if os.name == "nt" else "bin")
        self.python = self.bin / "python"
        self.stagify = self.bin / "stagify"
        self.outside = root / "outside"  # a working folder that is not the repository


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    here = Installed(tmp_path_factory.mktemp("package"))
    source = here.root / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE, symlinks=True)
    here.outside.mkdir()

    made = _run([sys.executable, "-m", "venv", str(here.venv)], cwd=here.outside)
    assert made.returncode == 0, made.stderr
    # pip may warn about local index folders that do not exist: only the exit code counts.
    pip = _run([str(here.python), "-m", "pip", "install", "--no-input", str(source)], cwd=here.outside)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return here


def test_the_install_is_not_editable(installed: Installed) -> None:
    run = _run([str(installed.python), "-c", "import stagify; print(stagify.__file__)"], cwd=installed.outside)

    assert run.returncode == 0, run.stderr
    module = Path(run.stdout.strip()).resolve()
    assert installed.venv.resolve() in module.parents, module
    assert REPO not in module.parents


def test_the_wheel_ships_the_templates(installed: Installed) -> None:
    code = "import stagify, pathlib; print(pathlib.Path(stagify.__file__).parent / 'templates')"
    run = _run([str(installed.python), "-c", code], cwd=installed.outside)

    assert run.returncode == 0, run.stderr
    shipped = sorted(p.name for p in Path(run.stdout.strip()).glob("*.j2"))
    assert "_base.Dockerfile.j2" in shipped and "go.Dockerfile.j2" in shipped, shipped


def test_the_installed_module_prints_its_version(installed: Installed) -> None:
    run = _run([str(installed.python), "-m", "stagify", "--version"], cwd=installed.outside)

    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "stagify 0.1.0"


def test_the_installed_command_converts_a_go_project_outside_the_repository(installed: Installed) -> None:
    project = installed.outside / "seed-001-go-api"
    shutil.copytree(
        REPO / "fixtures" / "seed-001-go-api", project, ignore=lambda _d, names: [n for n in names if n in NOT_CONTEXT]
    )

    run = _run([str(installed.stagify), "convert", "--stdout", str(project)], cwd=installed.outside)

    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(("#", "FROM "))
    lines = run.stdout.splitlines()
    assert any(line.startswith("FROM ") and line.endswith(" AS builder") for line in lines), run.stdout
    assert any(line.startswith("FROM ") and line.endswith(" AS runtime") for line in lines), run.stdout
    assert "COPY --from=builder /app/server /app/server" in lines
