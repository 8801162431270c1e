"""The pre-commit hook: the files it picks, and a real pre-commit run of it against a repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.test_cli import REPO, copy_fixture

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())


def hook() -> dict:
    (found,) = [h for h in HOOKS if h["id"] == "stagify"]
    return found


def picked(path: str) -> bool:
    h = hook()
    return bool(re.search(h["files"], path)) and not re.search(h["exclude"], path)


def test_the_hook_runs_convert_check() -> None:
    h = hook()
    assert h["entry"] == "stagify convert --check" and h["language"] == "python"


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("Dockerfile", True), ("services/api/Dockerfile", True), ("dockerfile", True), ("Containerfile", True),
        ("Dockerfile.prod", True), ("deploy/api.Dockerfile", True),
        ("Dockerfile.bak", False), ("Dockerfile.dockerignore", False), ("docs/Dockerfile.md", False),
        ("README.md", False), ("MyDockerfileNotes", False), (".dockerignore", False),
    ],
)
def test_the_hook_picks_dockerfiles_only(path: str, wanted: bool) -> None:
    assert picked(path) is wanted


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)


@pytest.mark.slow
def test_pre_commit_runs_the_hook_from_this_repository(tmp_path: Path) -> None:
    """``pre-commit try-repo`` installs stagify from this checkout, as users' pre-commit installs it from the project."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    project = tmp_path / "project"
    copy_fixture("seed-001-go-api", project / "api")
    copy_fixture("go-already-multistage", project / "done")
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "stagify", "--all-files", "--color", "never"]
    first = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "+++ b/api/Dockerfile" in first.stdout and "FROM gcr.io/distroless/static-debian12:nonroot AS runtime" in first.stdout
    assert "done/Dockerfile: nothing to do" in first.stdout

    subprocess.run([sys.executable, "-m", "stagify", "convert", "--write", "--no-backup", "api"], cwd=project, check=True,
                   capture_output=True)
    git("add", "-A", cwd=project)
    second = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout
