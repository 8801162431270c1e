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


def hook(name: str = "stagify") -> dict:
    (found,) = [h for h in HOOKS if h["id"] == name]
    return found


def picked(path: str, name: str = "stagify") -> bool:
    h = hook(name)
    return bool(re.search(h["files"], path)) and not re.search(h["exclude"], path)


def test_the_hook_runs_convert_check() -> None:
    h = hook()
    assert h["entry"] == "stagify convert --check" and h["language"] == "python"


def test_the_fix_hook_writes_quietly_and_one_at_a_time() -> None:
    h = hook("stagify-fix")
    assert h["entry"] == "stagify convert --write --quiet" and h["language"] == "python"
    assert h["require_serial"] is True  # conversions sharing a build context write one .dockerignore
    assert (h["files"], h["exclude"]) == (hook()["files"], hook()["exclude"])


NGINX = "FROM nginx:1.27-alpine\nCOPY site/ /usr/share/nginx/html/\nEXPOSE 80\n"


def run_hook(name: str, project: Path) -> subprocess.CompletedProcess[str]:
    """The hook's entry as pre-commit runs it: its words, then every file of the project its patterns pick."""
    files = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    words = hook(name)["entry"].split()
    assert words[0] == "stagify"
    command = [sys.executable, "-m", "stagify", *words[1:], *[f for f in files if picked(f, name)]]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)


def nginx_and_go(project: Path) -> None:
    copy_fixture("seed-001-go-api", project / "api")
    (project / "web" / "site").mkdir(parents=True)
    (project / "web" / "Dockerfile").write_text(NGINX)
    (project / "web" / "site" / "index.html").write_text("<p>hi</p>\n")


def test_an_nginx_dockerfile_passes_the_hook_once_the_go_one_is_converted(tmp_path: Path) -> None:
    nginx_and_go(tmp_path)

    first = run_hook("stagify", tmp_path)
    assert first.returncode == 1, first.stderr  # the Go Dockerfile would change
    assert "+++ b/api/Dockerfile" in first.stdout and "web/Dockerfile" not in first.stdout + first.stderr

    subprocess.run([sys.executable, "-m", "stagify", "convert", "--write", "api"], cwd=tmp_path, check=True, capture_output=True)
    second = run_hook("stagify", tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert (tmp_path / "web" / "Dockerfile").read_text() == NGINX


def test_the_fix_hook_converts_the_go_dockerfile_and_leaves_nginx_alone(tmp_path: Path) -> None:
    nginx_and_go(tmp_path)

    fixed = run_hook("stagify-fix", tmp_path)

    assert fixed.returncode == 0, fixed.stderr
    assert "AS runtime" in (tmp_path / "api" / "Dockerfile").read_text()
    assert (tmp_path / "web" / "Dockerfile").read_text() == NGINX
    assert not list(tmp_path.rglob("*.bak"))
    assert run_hook("stagify", tmp_path).returncode == 0


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
    (project / "web").mkdir()
    (project / "web" / "Dockerfile").write_text(NGINX)  # no supported language: passes, silently
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "stagify", "--all-files", "--color", "never"]
    first = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "+++ b/api/Dockerfile" in first.stdout and "FROM gcr.io/distroless/static-debian12:nonroot AS runtime" in first.stdout
    assert "done/Dockerfile: nothing to do" in first.stdout and "web/Dockerfile" not in first.stdout

    subprocess.run([sys.executable, "-m", "stagify", "convert", "--write", "--no-backup", "api"], cwd=project, check=True,
                   capture_output=True)
    git("add", "-A", cwd=project)
    second = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout
