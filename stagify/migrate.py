"""``stagify migrate``: convert every Dockerfile of many repositories, in parallel, and apply the results safely.

:func:`convert_all` converts (a process per core; one file's failure never stops
the others); :func:`apply` writes each build context's files whole or not at all,
optionally on a new git branch per repository with one commit. Nothing here prints.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import dockerignore, gitrepo
from .api import Outcome, Status, convert, recheck
from .config import for_dockerfile
from .discover import Target
from .errors import StagifyError
from .options import Options
from .report import bases, note_line
from .write import WriteError, write_all

if TYPE_CHECKING:
    from .registry import Resolver

# Below this many files a pool of processes costs more than it saves.
_POOL_THRESHOLD = 16


@dataclass(frozen=True)
class FileResult:
    """One Dockerfile's outcome, in a form that crosses process boundaries."""

    dockerfile: Path
    context: Path
    repo: Path | None
    status: str  # converted | skipped | failed
    language: str | None = None
    reason: str | None = None  # why skipped
    error: str | None = None  # PATH:LINE: message
    internal: bool = False  # the error is stagify's own (a failed self-check, an exception): exit 8
    notes: tuple[str, ...] = ()  # PATH:LINE: level: message
    secrets: tuple[str, ...] = ()  # the notes that are secret findings
    bases_before: tuple[str, ...] = ()
    bases_after: tuple[str, ...] = ()
    original: str = ""
    converted: str | None = None
    original_ignore: str | None = None
    ignore_lines: tuple[str, ...] = ()
    ignore_protected: tuple[str, ...] = ()
    pin: str | None = None  # the settings' pin mode for this file
    mirrors: tuple[str, ...] = ()  # the settings' registry mirrors

    @property
    def changes(self) -> bool:
        return self.status == "converted" and self.converted is not None and self.converted != self.original


@dataclass(frozen=True)
class Change:
    """What one build context gets written: its Dockerfiles and its merged .dockerignore."""

    context: Path
    repo: Path | None
    files: tuple[tuple[Path, str], ...]


@dataclass
class Applied:
    written: list[Path] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    commits: dict[Path, str] = field(default_factory=dict)  # repository -> commit
    refused: dict[Path, str] = field(default_factory=dict)  # repository -> why nothing was written there
    failed: list[str] = field(default_factory=list)  # files that could not be written, and why


def convert_one(target: Target, options: Options) -> FileResult:
    """Convert one Dockerfile; every problem becomes a failed result, never an exception."""
    label = str(target.dockerfile)
    try:
        data = target.dockerfile.read_bytes()
    except OSError as exc:
        return FileResult(target.dockerfile, target.context, target.repo, "failed", error=f"{label}: cannot read: {exc.strerror}")
    try:
        settings = for_dockerfile(target.dockerfile)
    except StagifyError as exc:
        return FileResult(target.dockerfile, target.context, target.repo, "failed", error=str(exc))
    outcome = convert(data, context=target.context, options=settings.options(options.runtime, options.language), path=label)
    common = dict(dockerfile=target.dockerfile, context=target.context, repo=target.repo, original=outcome.original,
                  pin=settings.pin, mirrors=settings.registry_mirrors)
    if outcome.status is Status.FAILED:
        internal = outcome.error is not None and outcome.error.internal
        return FileResult(status="failed", error=str(outcome.error), internal=internal, **common)  # type: ignore[arg-type]
    if outcome.status is Status.SKIPPED:
        return FileResult(status="skipped", reason=outcome.reason, bases_before=bases(outcome.original), **common)  # type: ignore[arg-type]
    result = FileResult(
        status="converted",
        language=outcome.language,
        notes=tuple(note_line(label, n) for n in outcome.notes),
        secrets=tuple(note_line(label, n) for n in outcome.notes if n.kind == "secret"),
        bases_before=bases(outcome.original),
        bases_after=bases(outcome.dockerfile or ""),
        converted=outcome.dockerfile,
        original_ignore=outcome.original_dockerignore,
        ignore_lines=outcome.ignore_lines,
        ignore_protected=outcome.ignore_protected,
        **common,  # type: ignore[arg-type]
    )
    return strict_result(result) if settings.strict else result


def pin_result(result: FileResult, resolver: Resolver) -> FileResult:
    """A converted result with its images pinned to digests; a failed result when a registry cannot say."""
    from .pin import pin

    if result.status != "converted" or result.converted is None:
        return result
    try:
        pinned = pin(result.converted, str(result.dockerfile), resolver).text
    except StagifyError as exc:
        return replace(result, status="failed", error=f"{exc}; --pin digest", converted=None)
    problem = recheck(Outcome(path=str(result.dockerfile), status=Status.CONVERTED, original=result.original), pinned)
    if problem is not None:  # the pinned text is what is written: checked too
        return replace(result, status="failed", error=str(problem), internal=True, converted=None)
    return replace(result, converted=pinned, bases_after=bases(pinned))


def strict_result(result: FileResult) -> FileResult:
    """``--strict``: a conversion with secret findings fails, and nothing of it is written."""
    if result.status != "converted" or not result.secrets:
        return result
    first = result.secrets[0].replace(": warning: ", ": ", 1)
    more = f" (and {len(result.secrets) - 1} more)" if len(result.secrets) > 1 else ""
    return FileResult(result.dockerfile, result.context, result.repo, "failed", language=result.language,
                      error=f"{first}{more}; --strict", notes=result.notes, bases_before=result.bases_before, original=result.original)


def _convert_task(target: Target, options: Options) -> FileResult:
    try:
        return convert_one(target, options)
    except Exception as exc:
        return FileResult(target.dockerfile, target.context, target.repo, "failed", internal=True,
                          error=f"{target.dockerfile}: internal error: {type(exc).__name__}: {exc}")


def convert_all(targets: list[Target], options: Options, jobs: int | None = None,
                progress: Callable[[FileResult], None] | None = None) -> list[FileResult]:
    """Every target converted, in the targets' order; ``progress`` is called as each finishes."""
    jobs = jobs or os.cpu_count() or 1
    results: dict[int, FileResult] = {}
    if jobs == 1 or len(targets) < _POOL_THRESHOLD:
        for index, target in enumerate(targets):
            results[index] = _convert_task(target, options)
            if progress:
                progress(results[index])
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_convert_task, target, options): index for index, target in enumerate(targets)}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                if progress:
                    progress(results[futures[future]])
    return [results[i] for i in range(len(targets))]


def changes(results: list[FileResult]) -> list[Change]:
    """What to write, per build context: the converted Dockerfiles and one .dockerignore for all of them."""
    by_context: dict[Path, list[FileResult]] = {}
    for result in results:
        if result.changes:
            by_context.setdefault(result.context, []).append(result)
    out = []
    for context, group in by_context.items():
        files: list[tuple[Path, str]] = [(r.dockerfile, r.converted or "") for r in group]
        original = group[0].original_ignore
        newline = "\r\n" if "\r\n" in (group[0].converted or "") else "\n"
        wanted = [line for r in group for line in r.ignore_lines]
        protected = [p for r in group for p in r.ignore_protected]
        merged = dockerignore.merge(original, wanted, protected, newline)
        if merged != (original or ""):
            files.insert(0, (context / ".dockerignore", merged))
        out.append(Change(context, group[0].repo, tuple(files)))
    return out


def apply(results: list[FileResult], backup: bool = True, branch: str | None = None, allow_dirty: bool = False,
          message: str | None = None) -> Applied:
    """Write every change, each build context whole or not at all; with ``branch``, commit per repository."""
    done = Applied()
    pending = changes(results)
    repos: dict[Path | None, list[Change]] = {}
    for change in pending:
        repos.setdefault(change.repo if branch else None, []).append(change)
    for repo, group in repos.items():
        if repo is not None:
            why = _refusal(repo, branch or "", allow_dirty)
            if why:
                done.refused[repo] = why
                continue
            try:
                gitrepo.create_branch(repo, branch or "")
            except gitrepo.GitError as exc:
                done.refused[repo] = str(exc)
                continue
        written: list[Path] = []
        for change in group:
            _clean_stale_temporaries(change.context)
            try:
                items = write_all(list(change.files), backup=backup and repo is None)
            except WriteError as exc:
                done.failed.append(str(exc))
                continue
            for item in items:
                written.append(item.path)
                if item.backup:
                    done.backups.append(item.backup)
        done.written.extend(written)
        if repo is not None and written:
            try:
                done.commits[repo] = gitrepo.commit(repo, written, message or commit_message(group, results))
            except gitrepo.GitError as exc:
                done.failed.append(str(exc))
    return done


def _refusal(repo: Path, branch: str, allow_dirty: bool) -> str | None:
    try:
        if not allow_dirty:
            changed = gitrepo.dirty(repo)
            if changed:
                return f"uncommitted changes ({', '.join(changed[:3])}{', ...' if len(changed) > 3 else ''}): commit or stash them, or pass --allow-dirty"
        if gitrepo.branch_exists(repo, branch):
            return f"the branch {branch} already exists"
    except gitrepo.GitError as exc:
        return str(exc)
    return None


def _clean_stale_temporaries(folder: Path) -> None:
    """Temporary files an interrupted earlier run left behind (the targets themselves are never half-written)."""
    for leftover in folder.glob(".stagify-*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def commit_message(group: list[Change], results: list[FileResult]) -> str:
    dockerfiles = {path for change in group for path, _ in change.files if path.name != ".dockerignore"}
    lines = [f"Build {'this Dockerfile' if len(dockerfiles) == 1 else f'{len(dockerfiles)} Dockerfiles'} in stages (stagify)", ""]
    for result in results:
        if result.dockerfile in dockerfiles:
            rel = result.dockerfile.resolve().relative_to(result.repo) if result.repo else result.dockerfile
            lines.append(f"- {rel}: {', '.join(result.bases_before)} -> runtime {result.bases_after[-1] if result.bases_after else '?'}")
    lines += ["", "The build keeps the compiler and the sources in a builder stage; the runtime stage runs as a",
              "non-root user on a pinned base image. A .dockerignore keeps the build context small."]
    return "\n".join(lines) + "\n"
