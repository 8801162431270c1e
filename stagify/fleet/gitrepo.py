"""Git, for ``stagify migrate``: ignored paths, dirty trees, branches and commits. The only module that runs git."""

from __future__ import annotations

import subprocess
from pathlib import Path

COMMITTER = ("stagify", "stagify@localhost")


class GitError(Exception):
    """A git command failed; the message says which and why."""


def _git(repo: Path, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if check and result.returncode != 0:
        raise GitError(f"git {' '.join(args[:2])} failed in {repo}: {result.stderr.strip() or result.stdout.strip()}")
    return result


def is_repo(path: Path) -> bool:
    return (path / ".git").exists()


def ignored(repo: Path, paths: list[str]) -> set[str]:
    """The paths (relative to ``repo``) that the repository's .gitignore files exclude."""
    if not paths:
        return set()
    result = _git(repo, "check-ignore", "--no-index", "-z", "--stdin", stdin="\0".join(paths) + "\0", check=False)
    if result.returncode not in (0, 1):
        return set()  # not a usable repository: nothing is known to be ignored
    return {p for p in result.stdout.split("\0") if p}


def dirty(repo: Path) -> list[str]:
    """Tracked files with uncommitted changes (untracked files do not count)."""
    result = _git(repo, "status", "--porcelain", "--untracked-files=no")
    return [line[3:] for line in result.stdout.splitlines() if line.strip()]


def branch_exists(repo: Path, name: str) -> bool:
    return _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{name}", check=False).returncode == 0


def create_branch(repo: Path, name: str) -> None:
    """Create ``name`` at HEAD and switch to it (the working tree is kept as it is)."""
    _git(repo, "switch", "-c", name)


def commit(repo: Path, files: list[Path], message: str) -> str:
    """Commit exactly ``files``; the new commit's hash. Uses the repository's identity, else stagify's."""
    files = [f.resolve() for f in files]  # git -C reads relative paths from the repository, not from here
    _git(repo, "add", "--", *[str(f) for f in files])
    identity: list[str] = []
    if not _git(repo, "config", "user.email", check=False).stdout.strip():
        identity = ["-c", f"user.name={COMMITTER[0]}", "-c", f"user.email={COMMITTER[1]}"]
    result = subprocess.run(
        ["git", "-C", str(repo), *identity, "commit", "--quiet", "-m", message, "--", *[str(f) for f in files]],
        capture_output=True, text=True, timeout=120,
    )
    if result.returncode != 0:
        raise GitError(f"git commit failed in {repo}: {result.stderr.strip() or result.stdout.strip()}")
    return _git(repo, "rev-parse", "HEAD").stdout.strip()


def head(repo: Path) -> str | None:
    """The commit HEAD names, or None in a repository without commits."""
    result = _git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
    return result.stdout.strip() or None if result.returncode == 0 else None


def show(repo: Path, commit: str, path: str) -> bytes | None:
    """A file as ``commit`` holds it (``path`` relative to the repository), or None when it holds no such file."""
    try:
        result = subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{path}"], capture_output=True, timeout=120)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    return result.stdout if result.returncode == 0 else None
