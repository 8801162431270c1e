"""``stagify migrate`` repository by repository: verify, write, add the CI proof, record. Nothing here prints.

The conversions are made first (they are quick); then each repository (or build context
outside any repository) is finished on its own as soon as its verifications are in:
written (and committed) only when every conversion in it is verified, or when the user
keeps unverified ones; its CI proof added with it; and the run's state file updated, so an
interrupted run resumes after the last finished repository. Verifications run ``jobs`` at a
time on the chosen engine, in threads: stagify waits on docker, the engine does the work.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Lookup
from . import ciproof
from .ciproof import CiFiles, CiKind
from .discover import Target
from .docker import Docker
from .migrate import Applied, FileResult, apply, written_ignores
from .migratestate import State
from .migrateverify import Step, Verification, blocked, needs_verifying, not_to_verify, unit_of, verify_one


@dataclass(frozen=True)
class Choices:
    """How each finished repository is applied."""

    write: bool = False
    backup: bool = True
    branch: str | None = None
    allow_dirty: bool = False
    outside_root: bool = False
    keep_unverified: bool = False
    ci: CiKind | None = None
    ci_install: str = field(default_factory=ciproof.default_install)
    lookup: Lookup | None = None  # where each repository's settings ([verify] included) are read


@dataclass
class Fleet:
    """What the run did, per Dockerfile and per repository."""

    verifications: dict[Path, Verification] = field(default_factory=dict)  # Dockerfile -> verdict (with --verify)
    applied: Applied | None = None  # with --write
    held_back: dict[Path, str] = field(default_factory=dict)  # repository -> why it is not written: a conversion not verified
    ci: dict[Path, CiFiles] = field(default_factory=dict)  # repository -> its CI proof, or why it has none
    already_done: dict[str, dict[str, Any]] = field(default_factory=dict)  # repository -> what an earlier run did there


def unit_of_target(target: Target) -> Path:
    return target.repo or target.context


def pending(targets: list[Target], state: State | None) -> list[Target]:
    """The targets still to do: those of repositories an earlier run of this migration did not finish."""
    return [t for t in targets if state is None or not state.is_done(unit_of_target(t))]


def run(results: list[FileResult], choices: Choices, docker: Docker | None = None, jobs: int = 1,
        state: State | None = None, step: Step | None = None,
        finished: Callable[[Path, list[Verification]], None] | None = None) -> Fleet:
    """Verify (with ``docker``), apply and record every repository; ``finished`` hears each one as it is done."""
    fleet = Fleet(applied=Applied() if choices.write else None, already_done=dict(state.done) if state else {})
    groups: dict[Path, list[FileResult]] = {}
    for result in results:
        groups.setdefault(unit_of(result), []).append(result)
    ignores = written_ignores(results) if docker is not None else {}
    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="stagify-verify") if docker is not None else None
    futures: dict[Path, Future[Verification]] = {}
    try:
        if pool is not None and docker is not None:
            for result in results:
                if needs_verifying(result):
                    futures[result.dockerfile] = pool.submit(verify_one, result, docker, ignores.get(result.context), step,
                                                               choices.lookup)
        waiting = dict(groups)
        while waiting:
            ready = [u for u, g in waiting.items() if all(futures[r.dockerfile].done() for r in g if r.dockerfile in futures)]
            if not ready:
                wait([futures[r.dockerfile] for g in waiting.values() for r in g if r.dockerfile in futures],
                     return_when=FIRST_COMPLETED)
                continue
            for unit in ready:
                group = waiting.pop(unit)
                verdicts = {r.dockerfile: futures[r.dockerfile].result() if r.dockerfile in futures else not_to_verify(r)
                            for r in group} if docker is not None else {}
                _finish(fleet, unit, group, verdicts, choices, docker is not None, state)
                if finished:
                    finished(unit, list(verdicts.values()))
    finally:
        if pool is not None:
            # An interrupt: the verifications not started are dropped; those under way end and remove their images.
            pool.shutdown(wait=True, cancel_futures=True)
    return fleet


def _finish(fleet: Fleet, unit: Path, group: list[FileResult], verdicts: dict[Path, Verification], choices: Choices,
            verifying: bool, state: State | None) -> None:
    fleet.verifications.update(verdicts)
    why = blocked(group, verdicts) if verifying and not choices.keep_unverified else None
    if why:
        fleet.held_back[unit] = why
    commit = None
    if fleet.applied is not None and not why:
        extras: dict[Path, tuple[tuple[Path, str], ...]] = {}
        proofs = [(r.dockerfile, r.context, r.original) for r in group if r.changes]
        if choices.ci is not None and proofs:
            fleet.ci[unit] = ciproof.plan(group[0].repo, proofs, choices.ci, choices.ci_install)
            if fleet.ci[unit].files and group[0].repo is not None:
                extras[group[0].repo] = fleet.ci[unit].files
        applied = apply(group, backup=choices.backup, branch=choices.branch, allow_dirty=choices.allow_dirty,
                        outside_root=choices.outside_root, extras=extras)
        fleet.applied.add(applied)
        commit = applied.commits.get(group[0].repo) if group[0].repo else None
    if state is not None:
        state.record(unit, {
            "files": [{"dockerfile": str(r.dockerfile), "outcome": r.status,
                       "verdict": verdicts[r.dockerfile].verdict.value if r.dockerfile in verdicts else None}
                      for r in group],
            "held_back": why,
            "commit": commit,
        })
