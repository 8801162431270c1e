"""``stagify migrate``: convert every Dockerfile of many repositories, in parallel, and apply the results safely.

:func:`convert_all` converts (a process per core; one file's failure never stops
the others); :func:`apply` writes each build context's files whole or not at all,
optionally on a new git branch per repository with one commit. Nothing here prints.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..api import Outcome, Status, convert, recheck
from ..config import Lookup, for_dockerfile
from ..context import dockerignore
from ..dockerfile.rules import failure, note_finding
from ..errors import StagifyError, read_limited, working_on
from ..options import Options
from ..plan.summary import bases
from ..write import Seen, WriteError, recover, write_all
from . import gitrepo
from .discover import Target

if TYPE_CHECKING:
    from ..images.registry import Resolver

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
    skip: str | None = None  # the SkipReason value when skipped ("unsupported": no supported language)
    error: str | None = None  # PATH:LINE:COL: CODE message, or error: message
    internal: bool = False  # the error is stagify's own (a failed self-check, an exception): exit 8
    notes: tuple[str, ...] = ()  # PATH:LINE:COL: CODE message
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
    original_sha256: str | None = None  # what the Dockerfile held when read: a write checks it still does
    root: Path | None = None  # the ROOT it was found under: a build context outside it is not written
    left_behind: tuple[tuple[str, str], ...] = ()  # what the conversion leaves behind on purpose (for verify's file check)
    backup: bool = False  # the settings ask for a .bak when writing

    @property
    def changes(self) -> bool:
        return self.status == "converted" and self.converted is not None and self.converted != self.original


@dataclass(frozen=True)
class Change:
    """What one build context gets written: its Dockerfiles and its merged .dockerignore."""

    context: Path
    repo: Path | None
    files: tuple[tuple[Path, str], ...]
    seen: tuple[tuple[Path, Seen], ...] = ()  # what each file held when it was read
    outside: Path | None = None  # the ROOT the context lies outside of, if it does


@dataclass
class Applied:
    written: list[Path] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    commits: dict[Path, str] = field(default_factory=dict)  # repository -> commit
    refused: dict[Path, str] = field(default_factory=dict)  # repository -> why nothing was written there
    failed: list[str] = field(default_factory=list)  # files that could not be written, and why

    def add(self, other: Applied) -> None:
        """What another apply did, added to this one (a run that applies repository by repository)."""
        self.written += other.written
        self.backups += other.backups
        self.commits.update(other.commits)
        self.refused.update(other.refused)
        self.failed += other.failed


def outside_of(target: Target) -> Path | None:
    """The repository (or the folder migrated) that a symlinked Dockerfile leads out of, or None."""
    if not target.dockerfile.is_symlink():
        return None
    real = target.dockerfile.resolve()
    home = target.repo or (target.root.resolve() if target.root.is_dir() else target.root.resolve().parent)
    return None if real.is_relative_to(home.resolve()) else home


def convert_one(target: Target, options: Options, lookup: Lookup | None = None) -> FileResult:
    """Convert one Dockerfile; every problem becomes a failed result, never an exception."""
    label = str(target.dockerfile)
    working_on(label)
    outside = outside_of(target)
    if outside is not None:
        return FileResult(target.dockerfile, target.context, target.repo, "failed",
                          error=f"error: {label}: a symlink to {target.dockerfile.resolve()}, outside {outside}; not converted")
    try:
        data = read_limited(target.dockerfile, label)
    except StagifyError as exc:
        return FileResult(target.dockerfile, target.context, target.repo, "failed", error=f"error: {exc}")
    try:
        settings = for_dockerfile(target.dockerfile, lookup)
    except StagifyError as exc:
        return FileResult(target.dockerfile, target.context, target.repo, "failed", error=f"error: {exc}")
    chosen = settings.options(options.runtime, options.language, options.select, options.ignore or None, options.strict)
    outcome = convert(data, context=target.context, options=chosen, path=label)
    common = dict(dockerfile=target.dockerfile, context=target.context, repo=target.repo, original=outcome.original,
                  pin=settings.pin, mirrors=settings.registry_mirrors, original_sha256=Seen.of_bytes(data).sha256,
                  root=target.root, backup=settings.backup)
    if outcome.status is Status.FAILED:
        internal = outcome.error is not None and outcome.error.internal
        error = outcome.error
        line = failure(label, outcome.original, error.path, error.line, error.message, internal) if error else f"error: {label}"
        return FileResult(status="failed", error=line, internal=internal, **common)  # type: ignore[arg-type]
    if outcome.status is Status.SKIPPED:
        skip = outcome.skip.value if outcome.skip else None
        return FileResult(status="skipped", reason=outcome.reason, skip=skip, bases_before=bases(outcome.original), **common)  # type: ignore[arg-type]
    result = FileResult(
        status="converted",
        language=outcome.language,
        notes=tuple(note_finding(label, n, outcome.original) for n in outcome.notes),
        secrets=tuple(note_finding(label, n, outcome.original) for n in outcome.notes if n.kind == "secret"),
        bases_before=bases(outcome.original),
        bases_after=bases(outcome.dockerfile or ""),
        converted=outcome.dockerfile,
        original_ignore=outcome.original_dockerignore,
        ignore_lines=outcome.ignore_lines,
        ignore_protected=outcome.ignore_protected,
        left_behind=outcome.left_behind,
        **common,  # type: ignore[arg-type]
    )
    return strict_result(result) if settings.strict else result


def pin_result(result: FileResult, resolver: Resolver) -> FileResult:
    """A converted result with its images pinned to digests; a failed result when a registry cannot say."""
    from ..images.pin import pin

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
    first = result.secrets[0]
    more = f" (and {len(result.secrets) - 1} more)" if len(result.secrets) > 1 else ""
    return FileResult(result.dockerfile, result.context, result.repo, "failed", language=result.language,
                      error=f"{first}{more}; --strict", notes=result.notes, bases_before=result.bases_before, original=result.original)


def _convert_task(target: Target, options: Options, lookup: Lookup | None = None) -> FileResult:
    try:
        return convert_one(target, options, lookup)
    except Exception as exc:
        return FileResult(target.dockerfile, target.context, target.repo, "failed", internal=True,
                          error=f"error: {target.dockerfile}: internal error: {type(exc).__name__}: {exc}")


def convert_all(targets: list[Target], options: Options, jobs: int | None = None,
                progress: Callable[[FileResult], None] | None = None, lookup: Lookup | None = None) -> list[FileResult]:
    """Every target converted, in the targets' order; ``progress`` is called as each finishes."""
    jobs = jobs or os.cpu_count() or 1
    results: dict[int, FileResult] = {}
    if jobs == 1 or len(targets) < _POOL_THRESHOLD:
        for index, target in enumerate(targets):
            results[index] = _convert_task(target, options, lookup)
            if progress:
                progress(results[index])
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_convert_task, target, options, lookup): index for index, target in enumerate(targets)}
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
        seen = [(r.dockerfile, Seen(r.original_sha256)) for r in group]
        original = group[0].original_ignore
        newline = "\r\n" if "\r\n" in (group[0].converted or "") else "\n"
        wanted = [line for r in group for line in r.ignore_lines]
        protected = [p for r in group for p in r.ignore_protected]
        merged = dockerignore.merge(original, wanted, protected, newline)
        if merged != (original or ""):
            files.insert(0, (context / ".dockerignore", merged))
            seen.append((context / ".dockerignore", Seen.of_text(original)))
        root = group[0].root
        outside = root if root is not None and not _inside(context, root) else None
        out.append(Change(context, group[0].repo, tuple(files), tuple(seen), outside))
    return out


def written_ignores(results: list[FileResult]) -> dict[Path, str]:
    """Per build context with a change, the .dockerignore its conversions are built with: the merged one, as written."""
    out: dict[Path, str] = {}
    for change in changes(results):
        merged = next((text for path, text in change.files if path == change.context / ".dockerignore"), None)
        if merged is None:
            merged = next((r.original_ignore or "" for r in results if r.context == change.context), "")
        out[change.context] = merged
    return out


def _inside(path: Path, root: Path) -> bool:
    base = root.resolve() if root.is_dir() else root.resolve().parent
    return path.resolve().is_relative_to(base)


def apply(results: list[FileResult], backup: bool = False, branch: str | None = None, allow_dirty: bool = False,
          message: str | None = None, outside_root: bool = False,
          extras: dict[Path, tuple[tuple[Path, str], ...]] | None = None) -> Applied:
    """Write every change, each build context whole or not at all; with ``branch``, commit per repository.

    A build context outside the ROOT its Dockerfile was found under (a compose file's
    ``build.context: /elsewhere``) is not written unless ``outside_root``. ``extras`` are
    more files per repository (its CI proof), written (and committed) with its changes.
    """
    done = Applied()
    pending = []
    for change in changes(results):
        if change.outside is not None and not outside_root:
            done.failed.append(f"error: {change.context}: cannot write: this build context (named by a compose file) is outside "
                               f"{change.outside}; nothing was written for it (pass --allow-outside-root to write there)")
        else:
            pending.append(change)
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
            try:
                items = write_all(list(change.files), backup=backup and repo is None, seen=dict(change.seen))
            except WriteError as exc:
                done.failed.append(f"error: {exc}; nothing was written for this build context")
                continue
            for item in items:
                written.append(item.path)
                if item.backup:
                    done.backups.append(item.backup)
        for owner in dict.fromkeys(change.repo for change in group):
            more = [(path, text) for path, text in (extras or {}).get(owner or Path(), ()) if _differs(path, text)]
            if owner is None or not more or not written:
                continue
            try:
                for path, _ in more:
                    path.parent.mkdir(parents=True, exist_ok=True)
                written.extend(item.path for item in write_all(more, backup=False, seen={p: Seen.of_bytes(_read(p)) for p, _ in more}))
            except (WriteError, OSError) as exc:
                done.failed.append(f"{exc}; the repository's other files were written")
        done.written.extend(written)
        if repo is not None and written:
            try:
                done.commits[repo] = gitrepo.commit(repo, written, message or commit_message(group, results))
            except gitrepo.GitError as exc:
                done.failed.append(f"error: {exc}")
    return done


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _differs(path: Path, text: str) -> bool:
    return _read(path) != text.encode("utf-8")


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


def recover_all(targets: list[Target]) -> list[str]:
    """Finish what an interrupted earlier run journaled, and remove its temporary files, before reading anything."""
    done: list[str] = []
    for pair in dict.fromkeys((t.dockerfile.parent, t.context) for t in targets):
        try:
            done.extend(recover(*pair))  # a journal names files in its Dockerfile's folder and its context only
        except WriteError as exc:
            done.append(str(exc))
    return done


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
