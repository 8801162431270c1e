"""``stagify migrate --verify``: prove every conversion on a Docker engine before it is written.

Each converted Dockerfile is built twice (the original and the conversion), both run and
compared by :func:`stagify.verify.verify`, several at once (threads: the work is the
engine's, stagify only waits on it). The result is one :class:`Verification` per
Dockerfile, with a verdict and its reason; a repository is written only when every
conversion in it is verified (unless the user keeps the unverified ones). Nothing here prints.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ..config import Lookup, for_dockerfile
from ..errors import StagifyError
from .docker import Docker
from .migrate import FileResult
from .verify import Report, VerifyError, smoke_from, verify


class Verdict(str, Enum):
    VERIFIED = "verified"
    DIFFERENT = "different"  # built, but answers, files or user differ from the original's
    BUILD_FAILED = "build failed"  # the conversion does not build
    SKIPPED = "skipped"  # not verified, and why: nothing converted, the original does not build, no engine...

    @property
    def proven(self) -> bool:
        return self is Verdict.VERIFIED


@dataclass(frozen=True)
class Verification:
    """One Dockerfile's verdict, its reason, and what was measured."""

    dockerfile: Path
    verdict: Verdict
    reason: str | None = None  # the first problem, or why it was skipped
    problems: tuple[str, ...] = ()
    seconds: float = 0.0
    original_size: int | None = None
    converted_size: int | None = None

    @property
    def smaller_by(self) -> float | None:
        if not self.original_size or self.converted_size is None:
            return None
        return 1 - self.converted_size / self.original_size


# A step of one verification: (the Dockerfile, what is under way); "done" when it has its verdict.
Step = Callable[[Path, str], None]


def needs_verifying(result: FileResult) -> bool:
    return result.changes


def not_to_verify(result: FileResult) -> Verification:
    """The verdict of a Dockerfile that has nothing to verify: why it was left alone."""
    if result.status == "failed":
        why = "not converted: " + (result.error or "failed").split(": ", 1)[-1]
    elif result.status == "skipped":
        why = f"not converted: {result.reason}"
    else:
        why = "the conversion changes nothing"
    return Verification(result.dockerfile, Verdict.SKIPPED, why.splitlines()[0])


def judge(dockerfile: Path, report: Report, seconds: float) -> Verification:
    """A verify report as a verdict: verified, different, or the conversion did not build."""
    if report.ok:
        verdict, reason = Verdict.VERIFIED, None
    elif not report.converted.built:
        verdict, reason = Verdict.BUILD_FAILED, report.problems[0].splitlines()[0] if report.problems else None
    else:
        verdict, reason = Verdict.DIFFERENT, report.problems[0].splitlines()[0]
    return Verification(dockerfile, verdict, reason, report.problems, seconds, report.original.size, report.converted.size)


def verify_one(result: FileResult, docker: Docker, ignore: str | None, step: Step | None = None,
               lookup: Lookup | None = None) -> Verification:
    """Build, run and compare one conversion; every problem becomes a verdict, never an exception."""
    if not needs_verifying(result):
        return not_to_verify(result)
    started = time.monotonic()
    try:
        settings = for_dockerfile(result.dockerfile, lookup)
        smoke = smoke_from(settings.verify, settings.verify_source, paths=[], port=None, env=[], command=None, timeout=None)
    except StagifyError as exc:
        return Verification(result.dockerfile, Verdict.SKIPPED, f"cannot verify: {exc}")
    name = (result.repo or result.context).name + ("" if result.dockerfile.name == "Dockerfile" else f"-{result.dockerfile.name}")
    try:
        report = verify(result.original, result.converted or "", result.context, converted_ignore=ignore, smoke=smoke,
                        docker=docker, language=result.language, rebuild=False, name=name, left_behind=result.left_behind,
                        step=(lambda what: step(result.dockerfile, what)) if step else None)
    except VerifyError as exc:
        return Verification(result.dockerfile, Verdict.SKIPPED, f"cannot verify: {str(exc).splitlines()[0]}",
                            seconds=time.monotonic() - started)
    except Exception as exc:  # a bug in stagify or an engine that answers nonsense: this file's verdict, not the run's end
        return Verification(result.dockerfile, Verdict.SKIPPED, f"cannot verify: internal error: {type(exc).__name__}: {exc}",
                            seconds=time.monotonic() - started)
    return judge(result.dockerfile, report, time.monotonic() - started)


def unit_of(result: FileResult) -> Path:
    """The repository a result belongs to, or its build context when it is in no repository."""
    return result.repo or result.context


def blocked(group: list[FileResult], verdicts: dict[Path, Verification]) -> str | None:
    """Why a repository's conversions must not be written (one of them is not proven), or None."""
    for result in group:
        found = verdicts.get(result.dockerfile)
        if result.changes and (found is None or not found.verdict.proven):
            what = found.verdict.value if found else "not verified"
            return f"{result.dockerfile}: {what}" + (f": {found.reason}" if found and found.reason else "")
    return None
