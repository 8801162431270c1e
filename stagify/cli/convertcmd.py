"""``stagify convert`` itself, without the argument parser: what it prints, writes and exits with.

``stagify.cli`` parses the command line and hands a :class:`ConvertArgs` here. Output goes
through a :class:`Console`, by one rule for every command: results (the diff, the converted
file, --explain, JSON, SARIF) on standard output; findings, errors, warnings, progress and
the summary on standard error.
"""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import dataclass, field, replace
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..api import Outcome, Problem, SkipReason, Status, convert, recheck
from ..config import Lookup, Settings, describe, for_dockerfile
from ..dockerfile.rules import note_finding
from ..dockerfile.stageplan import Level, Note
from ..errors import StagifyError, read_limited, read_stream_limited
from ..languages import names
from ..options import Format, PinMode, RuntimeChoice
from ..plan.summary import bases
from .diff import unified
from .report import explain, failure_line, outcome_findings, outcome_json

if TYPE_CHECKING:
    from ..write import Seen
    from .sarif import Finding

DOCKERFILE_NAMES = ("Dockerfile", "dockerfile", "Containerfile")

# The formats that report findings (sarif.Finding) for CI and code scanning, and write nothing.
FINDING_FORMATS = frozenset({Format.SARIF, Format.GITHUB, Format.GITLAB, Format.CHECKSTYLE})


def render_findings(fmt: Format, findings: list[Finding], ok: bool, files: list[str]) -> str:
    """A findings report in ``fmt`` (one of FINDING_FORMATS), ending with a newline unless empty."""
    if fmt is Format.GITHUB:
        from . import github

        return github.render(findings)
    if fmt is Format.GITLAB:
        from . import gitlab

        return gitlab.render(findings)
    if fmt is Format.CHECKSTYLE:
        from . import checkstyle

        return checkstyle.render(findings, files)
    from . import sarif

    return json.dumps(sarif.log(findings, ok=ok), indent=2) + "\n"


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
    INTERNAL_ERROR = 70  # an unexpected exception (a bug), turned into one line by stagify.entry.main
    INTERNAL = 8  # the conversion failed stagify's check of its own output: a bug to report; nothing written
    INTERRUPTED = 130  # migrate: Ctrl-C between repositories; the finished ones are recorded for --resume


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

    def summary(self, text: str) -> None: ...


@dataclass(frozen=True)
class ConvertArgs:
    paths: tuple[str, ...] = (".",)
    write: bool = False
    check: bool = False
    diff_only: bool = False
    stdout: bool = False
    explain: bool = False
    fmt: Format = Format.TEXT
    runtime: RuntimeChoice | None = None
    lang: str | None = None
    context: Path | None = None
    backup: bool | None = None  # None: the settings file's, else no backup (git keeps the history)
    pin: PinMode | None = None  # None: the settings file's, else tag
    mirrors: tuple[str, ...] = field(default=())
    strict: bool = False  # secrets and files of no supported language fail the conversion instead of warning
    quiet: bool = False  # errors and warnings only: no diff, no info notes, no summary, never a question
    verbose: bool = False  # also the files left alone because stagify has nothing to say about them
    select: tuple[str, ...] | None = None  # None: the settings file's, else every rule
    ignore: tuple[str, ...] | None = None
    stdin_filename: Path | None = None  # standard input's Dockerfile is this file: its settings, name and context
    config: Path | None = None  # the one settings file to read (--config)
    isolated: bool = False  # read no settings file (--isolated)
    show_settings: bool = False  # print the settings each Dockerfile gets, and where each came from; convert nothing


@dataclass(frozen=True)
class Prepared:
    """One file's conversion, before anything is printed or written."""

    outcome: Outcome
    label: str
    file_path: Path | None  # None for standard input
    ctx_dir: Path
    secrets: tuple[Note, ...]  # the secret findings that fail it (--strict or strict = true)
    read: bytes | None = None  # what the Dockerfile held when it was read: a write checks it still does
    backup: bool = False  # keep Dockerfile.bak when writing (--backup, or backup = true)


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
    """A Dockerfile's bytes: a regular file of at most 16 MiB, else StagifyError."""
    return read_limited(path)


CHECK_AND_WRITE = "--check writes nothing and --write writes: use one of them"


def usage_problem(args: ConvertArgs) -> str | None:
    """Why these options cannot go together, or None."""
    if args.lang is not None and args.lang not in names():
        return f"--lang: unknown language {args.lang!r} (known: {', '.join(names())})"
    if args.check and args.write:
        return CHECK_AND_WRITE
    if "-" in args.paths and args.write:
        return "--write needs a file: standard input cannot be written back"
    if args.stdout and args.write:
        return "--stdout prints the result instead of writing it: use one or the other"
    if args.fmt is not Format.TEXT and args.write:
        return f"--format {args.fmt.value} reports and writes nothing: use it with --check (or alone)"
    if args.config is not None and args.isolated:
        return "--config reads one settings file, --isolated none: use one or the other"
    if args.stdin_filename is not None:
        if args.paths not in ((".",), ("-",)):
            return "--stdin-filename names the Dockerfile read from standard input: give no other path (or -)"
        if args.write:
            return "--write needs a file: standard input cannot be written back"
    if len(args.paths) > 1 and (args.stdout or args.explain or "-" in args.paths or args.context is not None):
        return "--stdout, --explain, --context and - take one Dockerfile; several were given"
    return None


def run_convert(args: ConvertArgs, console: Console) -> Exit:
    """The whole command, over every path given; Fail for the ways it stops early."""
    problem = usage_problem(args)
    if problem is not None:
        raise Fail(problem, Exit.USAGE)
    if args.stdin_filename is not None:
        args = replace(args, paths=("-",))
    if args.show_settings:
        return _show_settings(args, console)
    if args.fmt is not Format.TEXT:
        return _run_report(args, console)
    codes: list[Exit] = []
    done: list[tuple[str, Prepared | None]] = []
    for path in args.paths:
        try:
            code, state, prepared = _run_one(path, args, console)
        except Fail as exc:
            if len(args.paths) == 1 or exc.code is Exit.USAGE:
                raise
            console.err(exc.message)
            code, state, prepared = exc.code, "failed", None
        codes.append(code)
        done.append((state, prepared))
    if not args.quiet and not args.stdout and args.fmt is Format.TEXT:
        console.summary(summary(done, args))
    return max(codes, default=Exit.OK)


def prepare(path: str, args: ConvertArgs) -> Prepared:
    """Read, convert and (when asked) pin one Dockerfile; StagifyError for unreadable input, Fail for settings and pins."""
    if path == "-":
        named = args.stdin_filename
        label = str(named) if named is not None else "stdin"
        data = read_stream_limited(sys.stdin.buffer, label)
        file_path = None
        ctx_dir = args.context or (named.parent if named is not None else Path.cwd())
    else:
        file_path = find_dockerfile(Path(path))
        ctx_dir = args.context or file_path.parent
        if args.write:
            _recover((file_path.parent, Path(ctx_dir)))
        data = read_file(file_path)
        label = str(file_path)
    settings = _settings(file_path or args.stdin_filename or Path.cwd() / "Dockerfile", args)
    strict = args.strict or settings.strict
    options = settings.options(args.runtime, args.lang, args.select, args.ignore, strict)
    outcome = convert(data, context=ctx_dir, options=options, path=label)
    pin_mode = args.pin or PinMode(settings.pin or "tag")
    if pin_mode is PinMode.DIGEST and outcome.status is Status.CONVERTED:
        outcome = pin_outcome(outcome, label, list(args.mirrors or settings.registry_mirrors))
    secrets = tuple(n for n in outcome.notes if n.kind == "secret") if strict else ()
    backup = args.backup if args.backup is not None else settings.backup
    return Prepared(outcome=outcome, label=label, file_path=file_path, ctx_dir=Path(ctx_dir), secrets=secrets,
                    read=data, backup=backup)


def _settings(dockerfile: Path, args: ConvertArgs) -> Settings:
    """The settings a Dockerfile gets; a bad settings file is a usage error (one line, no hint: the file is to blame)."""
    try:
        return for_dockerfile(dockerfile, Lookup(args.config, args.isolated))
    except StagifyError as exc:
        raise Fail(f"error: {exc}", Exit.USAGE) from None


def _show_settings(args: ConvertArgs, console: Console) -> Exit:
    """``--show-settings``: each Dockerfile's settings, the file (or override) that set each one, and the files read."""
    shown = []
    for path in args.paths:
        if path == "-":
            dockerfile = args.stdin_filename or Path.cwd() / "Dockerfile"
        else:
            try:
                dockerfile = find_dockerfile(Path(path))
            except StagifyError as exc:
                raise Fail(f"error: {exc}", Exit.CANNOT_CONVERT) from None
        settings = _settings(dockerfile, args)
        shown.append((str(dockerfile), settings, describe(settings)))
    if args.fmt is Format.JSON:
        data = [{"dockerfile": name, "files": list(settings.sources), "isolated": args.isolated,
                 "settings": {key: {"value": value, "source": source} for key, value, source in rows}}
                for name, settings, rows in shown]
        console.out(json.dumps(data, indent=2))
        return Exit.OK
    for name, settings, rows in shown:
        files = ", ".join(settings.sources) or ("none (--isolated)" if args.isolated else "none")
        lines = [f"{name}:", f"  settings files read (nearest first): {files}"]
        width = max(len(key) for key, _, _ in rows)
        lines += [f"  {key:<{width}} = {json.dumps(value)}  # {source or 'default'}" for key, value, source in rows]
        console.out("\n".join(lines))
    return Exit.OK


def _recover(folders: tuple[Path, ...]) -> None:
    """Finish what an interrupted earlier write left in these folders, before reading them."""
    from ..write import WriteError, recover

    with contextlib.suppress(WriteError):  # another stagify writes there: its write checks what this one reads
        recover(*folders)


def _failed(exc: StagifyError) -> Outcome:
    return Outcome(path=exc.path, status=Status.FAILED, original="", error=Problem(exc.path, exc.line, exc.message))


def _run_report(args: ConvertArgs, console: Console) -> Exit:
    """JSON for several files, or SARIF: every file's outcome in one document; nothing written."""
    items: list[Prepared] = []
    for path in args.paths:
        try:
            items.append(prepare(path, args))
        except StagifyError as exc:
            items.append(Prepared(_failed(exc), exc.path, None, Path("."), ()))
    codes = [Exit.CANNOT_CONVERT if p.secrets else _exit_for(p.outcome, args.check) for p in items]
    # JSON is always a list, one object per Dockerfile, however many were given.
    if args.fmt is Format.JSON:
        console.out(json.dumps([outcome_json(p.outcome) for p in items], indent=2))
    else:
        findings = [f for p in items for f in outcome_findings(p.outcome, bool(p.secrets))]
        ok = all(c in (Exit.OK, Exit.WOULD_CHANGE) for c in codes)
        console.out(render_findings(args.fmt, findings, ok, [p.label for p in items]), nl=False)
    return max(codes, default=Exit.OK)


def _run_one(path: str, args: ConvertArgs, console: Console) -> tuple[Exit, str, Prepared | None]:
    """One file: its notes, diff and write. The state says what happened, for the summary."""
    try:
        prepared = prepare(path, args)
    except StagifyError as exc:
        raise Fail(f"error: {exc}", Exit.CANNOT_CONVERT) from None
    outcome, label, file_path, ctx_dir = prepared.outcome, prepared.label, prepared.file_path, prepared.ctx_dir
    if prepared.secrets:
        for note in prepared.secrets:
            console.err(note_finding(label, note, outcome.original))
        raise Fail(f"error: {label}: {len(prepared.secrets)} secret(s) in the Dockerfile: --strict stops here; nothing written",
                   Exit.CANNOT_CONVERT)
    if outcome.status is Status.FAILED:
        raise Fail(failure_line(outcome), failed_exit(outcome))
    if outcome.status is Status.SKIPPED:
        if args.stdout:
            console.out(outcome.original, nl=False)
        elif outcome.skip is SkipReason.UNSUPPORTED:
            if args.verbose:  # like ruff on a file it has nothing to say about: one line, in verbose output only
                console.err(f"{label}: skipped: no supported language")
        elif not args.quiet:
            console.err(f"{label}: nothing to do: {outcome.reason}")
        return Exit.OK, "skipped", prepared
    for note in outcome.notes:
        if not args.quiet or note.level is not Level.INFO:
            console.err(note_finding(label, note, outcome.original))
    if outcome.estimate is not None and not args.quiet:
        # Known before anything is built: the catalogue's approximate sizes of the two bases (not a finding: no code).
        console.err(f"stagify: {label}: size estimate: {outcome.estimate.text()}")
    if args.stdout:
        console.out(outcome.dockerfile or "", nl=False)
        return (Exit.WOULD_CHANGE if args.check and outcome.changed else Exit.OK), "printed", prepared
    if args.explain:
        console.out(explain(outcome), nl=False)
        if not (args.write or args.check):
            return Exit.OK, "explained", prepared
    ignore_name = str(ctx_dir / ".dockerignore") if file_path is not None else ".dockerignore"
    diff_text = unified(outcome.original, outcome.dockerfile or "", label)
    diff_text += unified(outcome.original_dockerignore or "", outcome.dockerignore or "", ignore_name)
    if not args.explain and not args.quiet:
        console.diff(diff_text)
    state = "would change" if outcome.changed else "unchanged"
    if args.check:
        return (Exit.WOULD_CHANGE if outcome.changed else Exit.OK), state, prepared
    if file_path is None or not outcome.changed or args.diff_only:
        return Exit.OK, state, prepared
    write = args.write
    if not write:
        if not args.quiet and sys.stdin.isatty() and sys.stdout.isatty():  # -q never asks
            write = console.confirm(f"Write {label} and {ignore_name}?")
        if not write:
            if not args.quiet:
                console.err("nothing written (use --write to apply)")
            return Exit.OK, state, prepared
    from ..write import Seen

    seen = None if prepared.read is None else Seen.of_bytes(prepared.read)
    apply_outcome(outcome, file_path, ctx_dir / ".dockerignore", prepared.backup, console, seen)
    return Exit.OK, "written", prepared


def summary(done: list[tuple[str, Prepared | None]], args: ConvertArgs) -> str:
    """One line after the command: what happened to how many files, and for one conversion, its stages."""
    counts: dict[str, int] = {}
    for state, _ in done:
        counts[state] = counts.get(state, 0) + 1
    words = {"written": "converted and written", "would change": "would be converted", "unchanged": "unchanged",
             "skipped": "left alone", "failed": "failed", "explained": "explained"}
    total = len(done)
    head = ", ".join(f"{n} {words.get(k, k)}" for k, n in counts.items())
    line = f"stagify: {total} file{'s' if total != 1 else ''}: {head}"
    converted = [p for state, p in done if p is not None and state in ("written", "would change", "explained")]
    if len(converted) == 1:

        outcome = converted[0].outcome
        before, after = bases(outcome.original), bases(outcome.dockerfile or "")
        if before and len(after) > 1:
            from .sarif import display_name

            line += (f" ({display_name(outcome.language or '')}: single-stage {before[0]} build; "
                     f"builder {after[0]}, runtime {after[-1]})")
    return line


def failed_exit(outcome: Outcome) -> Exit:
    """The exit code of a failed conversion: the input's fault (3) or stagify's own (8)."""
    return Exit.INTERNAL if outcome.error is not None and outcome.error.internal else Exit.CANNOT_CONVERT


def _exit_for(outcome: Outcome, check: bool) -> Exit:
    if outcome.status is Status.FAILED:
        return failed_exit(outcome)
    if check and outcome.changed:
        return Exit.WOULD_CHANGE
    return Exit.OK


def apply_outcome(outcome: Outcome, dockerfile: Path, ignore: Path, backup: bool, console: Console,
                  seen: Seen | None = None) -> None:
    """Write the Dockerfile and the .dockerignore together: both or neither, and only if neither changed since read."""
    from ..write import Interrupted, Seen, WriteError, write_all  # a conversion that writes nothing never loads it

    target = write_target(dockerfile)
    files = [(target, outcome.dockerfile or "")]
    checks = {target: seen} if seen is not None else {}
    if outcome.dockerignore is not None and outcome.dockerignore != (outcome.original_dockerignore or ""):
        files.insert(0, (ignore, outcome.dockerignore))
        checks[ignore] = Seen.of_text(outcome.original_dockerignore)
    try:
        written = write_all(files, backup=backup, seen=checks)
    except WriteError as exc:
        raise Fail(f"error: {exc}; nothing was written", Exit.CANNOT_WRITE) from None
    except Interrupted as exc:
        raise Fail(f"error: {target}: interrupted (signal {exc.signum}); nothing was written", Exit.CANNOT_WRITE) from None
    for item in written:
        kept = f" (original kept as {item.backup})" if item.backup else ""
        console.err(f"wrote {item.path}{kept}")


def write_target(dockerfile: Path) -> Path:
    """The file to replace: a symlinked Dockerfile is written through, but only inside its own folder tree."""
    if not dockerfile.is_symlink():
        return dockerfile
    real = dockerfile.resolve()
    if not real.is_relative_to(dockerfile.parent.resolve()):
        raise Fail(f"error: {dockerfile}: is a symlink to {real}, outside its folder; not written (convert the target itself)",
                   Exit.CANNOT_WRITE)
    return real


def resolver(mirrors: list[str]):  # type: ignore[no-untyped-def]
    from ..images.registry import RegistryError, Resolver, parse_mirrors

    try:
        return Resolver(parse_mirrors(mirrors))
    except (ValueError, RegistryError) as exc:  # a malformed mirror URL or Docker config
        raise Fail(f"error: {exc}", Exit.CANNOT_PIN) from None


def pin_outcome(outcome: Outcome, label: str, mirrors: list[str]) -> Outcome:
    """The converted Dockerfile with digests; nothing is written when one cannot be resolved."""
    from ..images.pin import pin

    try:
        pinned = pin(outcome.dockerfile or "", label, resolver(mirrors))
    except StagifyError as exc:
        raise Fail(f"error: {exc}; nothing written", Exit.CANNOT_PIN) from None
    problem = recheck(outcome, pinned.text)  # the pinned text is what is shown and written: checked too
    if problem is not None:
        raise Fail(f"error: {problem}", Exit.INTERNAL)
    return replace(outcome, dockerfile=pinned.text)
