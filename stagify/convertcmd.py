"""``stagify convert`` itself, without the argument parser: what it prints, writes and exits with.

Both ways into the command use it: the typer command line (``stagify.cli``) and the
quick path for plain, non-interactive calls (``stagify.entry``), which skips importing
typer and rich. Output goes through a :class:`Console`, so each way prints its own way.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field, replace
from enum import Enum, IntEnum
from pathlib import Path
from typing import Protocol

from .api import Outcome, Problem, Status, convert
from .config import for_dockerfile
from .diff import unified
from .errors import StagifyError
from .languages import names
from .options import RuntimeChoice
from .report import explain, note_line, outcome_json
from .write import WriteError, write_all

DOCKERFILE_NAMES = ("Dockerfile", "dockerfile", "Containerfile")


class Exit(IntEnum):
    """Exit codes, documented in the README."""

    OK = 0
    WOULD_CHANGE = 1
    USAGE = 2
    CANNOT_CONVERT = 3
    CANNOT_WRITE = 4
    NOT_VERIFIED = 5  # verify: the conversion does not build, answers differently, or runs as root
    CANNOT_VERIFY = 6  # verify: no engine, a base image cannot be pulled, or the original does not build
    CANNOT_PIN = 7  # pin, convert --pin digest: a registry cannot be reached or lacks the tag


class PinMode(str, Enum):
    """``--pin``: how the converted Dockerfile names its images."""

    TAG = "tag"
    DIGEST = "digest"


class Fail(Exception):
    """The command stops: a one-line message for stderr and an exit code."""

    def __init__(self, message: str, code: Exit) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class Console(Protocol):
    def out(self, text: str, nl: bool = True) -> None: ...

    def err(self, text: str) -> None: ...

    def diff(self, text: str) -> None: ...

    def confirm(self, question: str) -> bool: ...


@dataclass(frozen=True)
class ConvertArgs:
    path: str = "."
    write: bool = False
    check: bool = False
    diff_only: bool = False
    stdout: bool = False
    explain: bool = False
    as_json: bool = False
    runtime: RuntimeChoice | None = None
    lang: str | None = None
    context: Path | None = None
    backup: bool = True
    pin: PinMode | None = None  # None: the settings file's, else tag
    mirrors: tuple[str, ...] = field(default=())
    strict: bool = False  # secrets fail the conversion instead of warning


def find_dockerfile(path: Path) -> Path:
    """A Dockerfile path from a file or a folder; StagifyError when there is none."""
    if not path.exists() and not path.is_symlink():
        raise StagifyError(str(path), None, "no such file or folder")
    if path.is_dir():
        for name in DOCKERFILE_NAMES:
            candidate = path / name
            if candidate.is_file():
                return candidate
        raise StagifyError(str(path), None, f"no Dockerfile in this folder (looked for {', '.join(DOCKERFILE_NAMES)})")
    return path


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise StagifyError(str(path), None, f"cannot read: {exc.strerror}") from None


def run_convert(args: ConvertArgs, console: Console) -> Exit:
    """The whole command; Fail for the ways it stops early."""
    if args.lang is not None and args.lang not in names():
        raise Fail(f"--lang: unknown language {args.lang!r} (known: {', '.join(names())})", Exit.USAGE)
    if args.path == "-" and args.write:
        raise Fail("--write needs a file: standard input cannot be written back", Exit.USAGE)
    if args.stdout and args.write:
        raise Fail("--stdout prints the result instead of writing it: use one or the other", Exit.USAGE)
    try:
        if args.path == "-":
            data = sys.stdin.buffer.read()
            file_path = None
            label = "stdin"
            ctx_dir = args.context or Path.cwd()
        else:
            file_path = find_dockerfile(Path(args.path))
            data = read_file(file_path)
            label = str(file_path)
            ctx_dir = args.context or file_path.parent
    except StagifyError as exc:
        if args.as_json:
            failed = Outcome(path=exc.path, status=Status.FAILED, original="", error=Problem(exc.path, exc.line, exc.message))
            console.out(json.dumps(outcome_json(failed), indent=2))
        raise Fail(str(exc), Exit.CANNOT_CONVERT) from None
    try:
        settings = for_dockerfile(file_path if file_path is not None else Path.cwd() / "Dockerfile")
    except StagifyError as exc:
        raise Fail(str(exc), Exit.USAGE) from None
    outcome = convert(data, context=ctx_dir, options=settings.options(args.runtime, args.lang), path=label)
    pin_mode = args.pin or PinMode(settings.pin or "tag")
    if pin_mode is PinMode.DIGEST and outcome.status is Status.CONVERTED:
        outcome = pin_outcome(outcome, label, list(args.mirrors or settings.registry_mirrors))

    secrets = [n for n in outcome.notes if n.kind == "secret"] if args.strict or settings.strict else []
    if args.as_json:
        console.out(json.dumps(outcome_json(outcome), indent=2))
        return Exit.CANNOT_CONVERT if secrets else _exit_for(outcome, args.check)
    if secrets:
        for note in secrets:
            console.err(note_line(label, note).replace(": warning: ", ": error: ", 1))
        raise Fail(f"{label}: {len(secrets)} secret(s) in the Dockerfile: --strict stops here; nothing written", Exit.CANNOT_CONVERT)
    if outcome.status is Status.FAILED:
        raise Fail(str(outcome.error), Exit.CANNOT_CONVERT)
    if outcome.status is Status.SKIPPED:
        if args.stdout:
            console.out(outcome.original, nl=False)
        else:
            console.err(f"{label}: nothing to do: {outcome.reason}")
        return Exit.OK
    for note in outcome.notes:
        console.err(note_line(label, note))
    if args.stdout:
        console.out(outcome.dockerfile or "", nl=False)
        return Exit.WOULD_CHANGE if args.check and outcome.changed else Exit.OK
    if args.explain:
        console.out(explain(outcome), nl=False)
        if not (args.write or args.check):
            return Exit.OK
    ignore_name = str(Path(ctx_dir) / ".dockerignore") if args.path != "-" else ".dockerignore"
    diff_text = unified(outcome.original, outcome.dockerfile or "", label)
    diff_text += unified(outcome.original_dockerignore or "", outcome.dockerignore or "", ignore_name)
    if not args.explain:
        console.diff(diff_text)
    if args.check:
        return Exit.WOULD_CHANGE if outcome.changed else Exit.OK
    if file_path is None or not outcome.changed or args.diff_only:
        return Exit.OK
    write = args.write
    if not write:
        if sys.stdin.isatty() and sys.stdout.isatty():
            write = console.confirm(f"Write {label} and {ignore_name}?")
        if not write:
            console.err("nothing written (use --write to apply)")
            return Exit.OK
    apply_outcome(outcome, file_path, Path(ctx_dir) / ".dockerignore", args.backup, console)
    return Exit.OK


def _exit_for(outcome: Outcome, check: bool) -> Exit:
    if outcome.status is Status.FAILED:
        return Exit.CANNOT_CONVERT
    if check and outcome.changed:
        return Exit.WOULD_CHANGE
    return Exit.OK


def apply_outcome(outcome: Outcome, dockerfile: Path, ignore: Path, backup: bool, console: Console) -> None:
    """Write the Dockerfile and the .dockerignore together: both or neither."""
    target = write_target(dockerfile)
    files = [(target, outcome.dockerfile or "")]
    if outcome.dockerignore is not None and outcome.dockerignore != (outcome.original_dockerignore or ""):
        files.insert(0, (ignore, outcome.dockerignore))
    try:
        written = write_all(files, backup=backup)
    except WriteError as exc:
        raise Fail(f"{exc}; nothing was written", Exit.CANNOT_WRITE) from None
    for item in written:
        kept = f" (original kept as {item.backup})" if item.backup else ""
        console.err(f"wrote {item.path}{kept}")


def write_target(dockerfile: Path) -> Path:
    """The file to replace: a symlinked Dockerfile is written through, but only inside its own folder tree."""
    if not dockerfile.is_symlink():
        return dockerfile
    real = dockerfile.resolve()
    if not real.is_relative_to(dockerfile.parent.resolve()):
        raise Fail(f"{dockerfile}: is a symlink to {real}, outside its folder; not written (convert the target itself)",
                   Exit.CANNOT_WRITE)
    return real


def resolver(mirrors: list[str]):  # type: ignore[no-untyped-def]
    from .registry import Resolver, parse_mirrors

    try:
        return Resolver(parse_mirrors(mirrors))
    except ValueError as exc:
        raise Fail(str(exc), Exit.USAGE) from None


def pin_outcome(outcome: Outcome, label: str, mirrors: list[str]) -> Outcome:
    """The converted Dockerfile with digests; nothing is written when one cannot be resolved."""
    from .pin import pin

    try:
        pinned = pin(outcome.dockerfile or "", label, resolver(mirrors))
    except StagifyError as exc:
        raise Fail(f"{exc}; nothing written", Exit.CANNOT_PIN) from None
    return replace(outcome, dockerfile=pinned.text)
