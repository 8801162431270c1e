"""Finding the Dockerfiles of many repositories, each with its build context, for ``stagify migrate``.

A ROOT is walked for git repositories (folders with .git) and plain folders; in them,
every ``Dockerfile``, ``dockerfile``, ``Containerfile``, ``Dockerfile.*`` and
``*.Dockerfile``, except in vendored folders and paths the repository's .gitignore
excludes. The context is the Dockerfile's folder unless a compose file in the same
repository builds it with another ``build.context``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..context.compose import build_contexts, is_compose_file
from . import gitrepo

SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "vendor", "bower_components", ".venv", "__pycache__"})
# Files named like Dockerfiles that are not: backups, editor and merge leftovers, per-Dockerfile ignore files.
NOT_DOCKERFILES = (".bak", ".orig", ".rej", ".swp", ".tmp", "~", ".dockerignore", ".md", ".txt", ".j2", ".tpl", ".template")


@dataclass(frozen=True)
class Target:
    dockerfile: Path
    context: Path
    repo: Path | None  # the git repository that holds it; None for a plain folder
    root: Path  # the ROOT it was found under


def is_dockerfile_name(name: str) -> bool:
    if name.endswith(NOT_DOCKERFILES):
        return False
    if name in ("Dockerfile", "dockerfile", "Containerfile"):
        return True
    return name.startswith(("Dockerfile.", "dockerfile.")) or name.endswith((".Dockerfile", ".dockerfile"))


def find(roots: list[Path]) -> list[Target]:
    """Every Dockerfile under ``roots``, in a stable order, each once."""
    seen: set[Path] = set()
    out: list[Target] = []
    for root in roots:
        for target in _find_in(root):
            key = target.dockerfile.resolve()
            if key not in seen:
                seen.add(key)
                out.append(target)
    return out


def _find_in(root: Path) -> list[Target]:
    if root.is_file():
        return [Target(root, root.parent, _repo_of(root.parent, {}), root.parent)]
    files: dict[Path | None, list[Path]] = {}
    composes: dict[Path | None, list[Path]] = {}
    repos: dict[Path, Path | None] = {}
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        repo = _repo_of(here, repos)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not (here / d).is_symlink())
        for name in sorted(names):
            path = here / name
            if is_dockerfile_name(name) and path.is_file():
                files.setdefault(repo, []).append(path)
            elif is_compose_file(name):
                composes.setdefault(repo, []).append(path)
    out: list[Target] = []
    for repo, paths in files.items():
        if repo is not None:
            # A Dockerfile symlinked outside its repository is kept here and refused by migrate.
            inside = {p: str(p.resolve().relative_to(repo)) for p in paths if p.resolve().is_relative_to(repo)}
            hidden = gitrepo.ignored(repo, list(inside.values()))
            paths = [p for p in paths if inside.get(p) not in hidden]
        contexts: dict[Path, Path] = {}
        for compose in composes.get(repo, []):
            contexts.update(build_contexts(compose))
        for path in paths:
            context = contexts.get(path.resolve(), path.parent)
            out.append(Target(path, context, repo, root))
    return sorted(out, key=lambda t: str(t.dockerfile))


def _repo_of(folder: Path, cache: dict[Path, Path | None]) -> Path | None:
    """The innermost git repository holding ``folder``, or None."""
    resolved = folder.resolve()
    if resolved not in cache:
        cache[resolved] = next((c for c in (resolved, *resolved.parents) if gitrepo.is_repo(c)), None)
    return cache[resolved]
