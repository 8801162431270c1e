"""The command line. The only module that prints, asks, writes files or picks exit codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .. import __version__
from ..api import Status, convert
from ..config import Lookup
from ..context.buildcontext import BuildContext
from ..dockerfile.parse import decode, parse
from ..errors import StagifyError, working_on
from ..languages import names
from ..languages.detect import detect as run_detect
from ..languages.detect import undetected_message
from ..options import Options, RuntimeChoice
from ..write import Interrupted, Seen, WriteError, write_all
from .convertcmd import (
    DOCKERFILE_NAMES,
    FINDING_FORMATS,
    ConvertArgs,
    Exit,
    Fail,
    Format,
    PinMode,
    failed_exit,
    find_dockerfile,
    read_file,
    render_findings,
    resolver,
    run_convert,
    write_target,
)
from .diff import unified
from .report import detection_json, detection_text, verify_json, verify_rows
from .terminal import print_diff, print_table, wants_color

if TYPE_CHECKING:
    from ..fleet.discover import Target
    from ..fleet.migrate import FileResult
    from ..fleet.verify import Report as VerifyReport
    from ..images.registry import Resolver

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    help="Rewrite single-stage Dockerfiles into lean, secure multi-stage ones.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stagify {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Rewrite single-stage Dockerfiles into lean, secure multi-stage ones."""


def _print_diff(text: str, no_color: bool = False) -> None:
    """A terminal gets line numbers and colors; a pipe gets the plain unified diff, which patch applies."""
    if not sys.stdout.isatty():
        typer.echo(text, nl=not text.endswith("\n") and bool(text))
        return
    print_diff(text, wants_color(no_color))


@app.command("convert")
def convert_command(
    paths: list[str] = typer.Argument(None, help="Dockerfiles, folders holding one, or - for standard input (default: .)."),
    write: bool = typer.Option(False, "--write", "-w", help="Write the result without asking."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 when a file would change."),
    diff_only: bool = typer.Option(False, "--diff", help="Print the diff; never ask, never write."),
    stdout: bool = typer.Option(False, "--stdout", help="Print only the converted Dockerfile."),
    explain_: bool = typer.Option(False, "--explain", help="Print each original line with its placement and reason."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
    fmt: Format = typer.Option(Format.TEXT, "--format", help="text; json (one object, a list for several files); "
                               "sarif, github, gitlab, checkstyle (findings for CI; write nothing)."),
    runtime: RuntimeChoice | None = typer.Option(None, "--runtime", help="Force the runtime family."),
    lang: str | None = typer.Option(None, "--lang", help=f"Force the language ({', '.join(names())})."),
    context: Path | None = typer.Option(
        None, "--context", help="The build context (default: the Dockerfile's folder).", readable=False, resolve_path=False
    ),
    backup: bool = typer.Option(True, "--backup/--no-backup", help="Keep the original as Dockerfile.bak when writing."),
    pin_mode: PinMode | None = typer.Option(None, "--pin", help="tag: the catalogue's full tags; digest: also each tag's digest (default: the settings file's, else tag)."),
    mirrors: list[str] = typer.Option([], "--registry-mirror", help="With --pin digest: URL (Docker Hub's mirror) or REGISTRY=URL (repeatable)."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 3) when the Dockerfile bakes in a secret, instead of warning."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Errors and warnings only: no diff, no notes, no summary."),
    no_color: bool = typer.Option(False, "--no-color", help="No colors (also when NO_COLOR is set)."),
    stdin_filename: Path | None = typer.Option(None, "--stdin-filename", help="Read the Dockerfile from standard input as this file: its settings, name in messages, and folder as the context."),
    config: Path | None = typer.Option(None, "--config", help="Read this settings file instead of searching for .stagify.toml and pyproject.toml."),
    isolated: bool = typer.Option(False, "--isolated", help="Read no settings file."),
    show_settings: bool = typer.Option(False, "--show-settings", help="Print each Dockerfile's settings and where each came from; convert nothing."),
) -> None:
    """Convert single-stage Dockerfiles into builder/runtime multi-stage ones."""
    args = ConvertArgs(paths=tuple(paths or ["."]), write=write, check=check, diff_only=diff_only, stdout=stdout, explain=explain_,
                       fmt=Format.JSON if as_json else fmt, runtime=runtime, lang=lang, context=context, backup=backup, pin=pin_mode,
                       mirrors=tuple(mirrors), strict=strict, quiet=quiet, stdin_filename=stdin_filename, config=config,
                       isolated=isolated, show_settings=show_settings)
    try:
        code = run_convert(args, TyperConsole(no_color))
    except Fail as exc:
        raise _fail(exc.message, exc.code) from None
    raise typer.Exit(int(code))


class TyperConsole:
    """Output of the shared commands through typer: numbered, colored diffs and a prompt on a terminal."""

    def __init__(self, no_color: bool = False) -> None:
        self.no_color = no_color

    def out(self, text: str, nl: bool = True) -> None:
        typer.echo(text, nl=nl)

    def err(self, text: str) -> None:
        typer.echo(text, err=True)

    def diff(self, text: str) -> None:
        _print_diff(text, self.no_color)

    def confirm(self, question: str) -> bool:
        return typer.confirm(question, default=False)

    def summary(self, text: str) -> None:
        bold = wants_color(self.no_color, sys.stderr)
        typer.echo(typer.style(text, bold=True) if bold else text, err=True, color=bold or None)


def _fail(message: str, code: Exit) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(int(code))


def _read(path: Path) -> bytes:
    return read_file(path)


def _resolver(mirrors: list[str]):  # type: ignore[no-untyped-def]
    try:
        return resolver(mirrors)
    except Fail as exc:
        raise _fail(exc.message, exc.code) from None


@app.command("pin")
def pin_command(
    path: str = typer.Argument(".", help="A Dockerfile or a folder holding one."),
    write: bool = typer.Option(False, "--write", "-w", help="Write the pinned Dockerfile (atomically; the original kept as .bak)."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 when an image is not pinned yet."),
    stdout: bool = typer.Option(False, "--stdout", help="Print only the pinned Dockerfile."),
    mirrors: list[str] = typer.Option([], "--registry-mirror", help="URL (Docker Hub's mirror) or REGISTRY=URL (repeatable)."),
    backup: bool = typer.Option(True, "--backup/--no-backup", help="Keep the original as Dockerfile.bak when writing."),
) -> None:
    """Pin every image a Dockerfile names to its digest: name:tag@sha256:..., the tag kept."""
    from ..images.pin import PinError, pin

    if write and (check or stdout):
        raise _fail("--write cannot be combined with --check or --stdout", Exit.USAGE)
    try:
        file_path = find_dockerfile(Path(path))
        working_on(str(file_path))
        data = _read(file_path)
        text, _ = decode(data, str(file_path))
        pinned = pin(text, str(file_path), _resolver(mirrors))
    except PinError as exc:
        raise _fail(f"{exc}; nothing written", Exit.CANNOT_PIN) from None
    except StagifyError as exc:
        raise _fail(str(exc), Exit.CANNOT_CONVERT) from None
    for item in pinned.pins:
        if item.pinned is None:
            typer.echo(f"{file_path}:{item.line}: info: {item.written} not pinned: {item.why}", err=True)
    if stdout:
        typer.echo(pinned.text, nl=False)
        raise typer.Exit(int(Exit.OK))
    _print_diff(unified(text, pinned.text, str(file_path)))
    if check:
        raise typer.Exit(int(Exit.WOULD_CHANGE if pinned.changed else Exit.OK))
    if write and pinned.changed:
        try:
            target = _pin_target(file_path)
            written = write_all([(target, pinned.text)], backup=backup, seen={target: Seen.of_bytes(data)})
        except WriteError as exc:
            raise _fail(f"{exc}; nothing was written", Exit.CANNOT_WRITE) from None
        except Interrupted as exc:
            raise _fail(f"{file_path}: interrupted (signal {exc.signum}); nothing was written", Exit.CANNOT_WRITE) from None
        typer.echo(f"pinned {len(pinned.changed)} image(s) in {written[0].path}", err=True)


def _pin_target(path: Path) -> Path:
    try:
        return write_target(path)
    except Fail as exc:
        raise _fail(exc.message, exc.code) from None


@app.command("verify")
def verify_command(
    path: str = typer.Argument(".", help="The original Dockerfile, or a folder holding one."),
    converted: Path | None = typer.Option(None, "--converted", help="A converted Dockerfile already written (default: convert now, in memory)."),
    http: list[str] = typer.Option([], "--http", help="A path to GET on both containers (repeatable; default /)."),
    http_status: list[str] = typer.Option([], "--http-status", help="A path to GET whose status alone is compared (repeatable)."),
    port: int | None = typer.Option(None, "--port", help="The port the application listens on (default: the first EXPOSEd one)."),
    env: list[str] = typer.Option([], "--env", help="NAME=VALUE for both containers (repeatable)."),
    smoke_cmd: str | None = typer.Option(None, "--smoke-cmd", help="A command run in both images in place of CMD; exit code and output compared."),
    smoke_run: bool = typer.Option(False, "--smoke-run", help="Run both images' own start command; exit code and output compared (a CLI program)."),
    smoke_stdin: str | None = typer.Option(None, "--smoke-stdin", help="Text given on standard input to --smoke-cmd or --smoke-run."),
    timeout: float | None = typer.Option(None, "--timeout", help="Seconds to wait for the port (default 60)."),
    rebuild: bool = typer.Option(True, "--rebuild/--no-rebuild", help="Measure a rebuild after a one-line source change."),
    keep_images: bool = typer.Option(False, "--keep-images", help="Keep the two images (tagged stagify-verify/...)."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
    fmt: Format = typer.Option(Format.TEXT, "--format", help="text (a table) or json."),
    runtime: RuntimeChoice | None = typer.Option(None, "--runtime", help="Force the runtime family of the conversion."),
    lang: str | None = typer.Option(None, "--lang", help=f"Force the language ({', '.join(names())})."),
    context: Path | None = typer.Option(None, "--context", help="The build context (default: the Dockerfile's folder).", resolve_path=False),
    no_color: bool = typer.Option(False, "--no-color", help="No colors (also when NO_COLOR is set)."),
) -> None:
    """Build the original and the converted Dockerfile, run both, and compare behaviour, size and user."""
    from ..config import for_dockerfile
    from ..fleet.verify import VerifyError, smoke_from, verify

    if fmt in FINDING_FORMATS:
        raise _fail(f"verify reports as text or json; {fmt.value} is for convert --check and migrate --check", Exit.USAGE)

    if lang is not None and lang not in names():
        raise _fail(f"--lang: unknown language {lang!r} (known: {', '.join(names())})", Exit.USAGE)
    try:
        file_path = find_dockerfile(Path(path))
        ctx_dir = context or file_path.parent
        original = decode(_read(file_path), str(file_path))[0]
    except StagifyError as exc:
        raise _fail(str(exc), Exit.CANNOT_CONVERT) from None
    try:  # the settings and the options: a bad value is a usage error, as for convert
        settings = for_dockerfile(file_path)
        smoke = smoke_from(settings.verify, settings.verify_source, paths=http, port=port, env=env, command=smoke_cmd, timeout=timeout, status_paths=http_status)
        if smoke_run or smoke_stdin is not None:
            from dataclasses import replace as _replace

            smoke = _replace(smoke, run_image=smoke_run or smoke.run_image, stdin=smoke_stdin if smoke_stdin is not None else smoke.stdin)
    except StagifyError as exc:
        raise _fail(str(exc), Exit.USAGE) from None
    try:
        if converted is not None:
            converted_text = decode(_read(converted), str(converted))[0]
            ignore = None
            language = lang
            left_behind: tuple[tuple[str, str], ...] = ()
        else:
            outcome = convert(original, context=ctx_dir, options=settings.options(runtime, lang), path=str(file_path))
            if outcome.status is Status.FAILED:
                raise _fail(str(outcome.error), failed_exit(outcome))
            if outcome.status is Status.SKIPPED:
                raise _fail(f"{file_path}: nothing to verify: {outcome.reason}", Exit.OK)
            converted_text = outcome.dockerfile or ""
            ignore = outcome.dockerignore
            language = outcome.language
            left_behind = outcome.left_behind
    except StagifyError as exc:
        raise _fail(str(exc), Exit.CANNOT_CONVERT) from None
    try:
        report = verify(original, converted_text, Path(ctx_dir), converted_ignore=ignore, smoke=smoke, language=language,
                        rebuild=rebuild, keep_images=keep_images, name=Path(ctx_dir).resolve().name, left_behind=left_behind)
    except VerifyError as exc:
        raise _fail(f"{file_path}: cannot verify: {exc}", Exit.CANNOT_VERIFY) from None
    if as_json or fmt is Format.JSON:
        typer.echo(json.dumps(verify_json(report), indent=2))
    else:
        print_verify(report, str(file_path), no_color)
    if not report.ok:
        for problem in report.problems:
            typer.echo(f"{file_path}: not verified: {problem}", err=True)
        raise typer.Exit(int(Exit.NOT_VERIFIED))


def print_verify(report: VerifyReport, label: str, no_color: bool = False) -> None:
    """The report as a table: one row per measure, the original's and the conversion's columns."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"stagify verify {label}", title_justify="left")
    table.add_column("")
    table.add_column("original", overflow="fold")
    table.add_column("converted", overflow="fold")
    table.add_column("", overflow="fold")
    for row in verify_rows(report):
        table.add_row(*row)
    console = Console(no_color=not wants_color(no_color))
    console.print(table)
    left = [a for a in report.absent if a.on_purpose]
    if report.absent:
        # Why each of the original's own files is not in the conversion: one line per reason, with a count.
        by_reason: dict[str, list[str]] = {}
        for absent in left:
            by_reason.setdefault(absent.reason, []).append(absent.path)
        lines = [f"  {len(paths)} left behind: {why} (e.g. {paths[0]})" for why, paths in sorted(by_reason.items())]
        lines += [f"  [red]missing[/red]: {a.path}" for a in report.missing[:20]]
        console.print("files of the original not in the conversion:\n" + "\n".join(lines), markup=True, highlight=False)
    verdict = "[green]verified[/green]" if report.ok else "[red]not verified[/red]"
    console.print(verdict + "".join(f"\n  {r}" for r in report.remarks))


@app.command("migrate")
def migrate_command(
    roots: list[Path] = typer.Argument(..., help="Folders holding repositories (or a repository, or a Dockerfile).", resolve_path=False),
    jobs: int | None = typer.Option(None, "--jobs", "-j", min=1, help="Conversions run in parallel (default: the number of cores)."),
    write: bool = typer.Option(False, "--write", "-w", help="Apply every conversion (each build context whole or not at all)."),
    diff_: bool = typer.Option(False, "--diff", help="Print the diff of every file that would change."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 when any file would change."),
    git_branch: str | None = typer.Option(None, "--git-branch", help="With --write: create this branch in each repository and commit there."),
    allow_dirty: bool = typer.Option(False, "--allow-dirty", help="With --git-branch: also migrate repositories with uncommitted changes."),
    outside_root: bool = typer.Option(False, "--allow-outside-root", help="With --write: also write build contexts a compose file places outside ROOT."),
    report_file: Path | None = typer.Option(None, "--report", help="Write a report: FILE.md (Markdown) or FILE.json."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
    fmt: Format = typer.Option(Format.TEXT, "--format", help="text (a table and a summary); json (the report); sarif, github, gitlab, checkstyle (findings for CI)."),
    runtime: RuntimeChoice | None = typer.Option(None, "--runtime", help="Force the runtime family."),
    lang: str | None = typer.Option(None, "--lang", help=f"Force the language ({', '.join(names())})."),
    backup: bool = typer.Option(True, "--backup/--no-backup", help="Keep originals as .bak when writing (never on a git branch)."),
    strict: bool = typer.Option(False, "--strict", help="A Dockerfile that bakes in a secret fails instead of converting."),
    pin_mode: PinMode | None = typer.Option(None, "--pin", help="tag or digest (default: each file's settings, else tag)."),
    mirrors: list[str] = typer.Option([], "--registry-mirror", help="With --pin digest: URL or REGISTRY=URL (repeatable)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Errors only: no notes, no summary."),
    no_color: bool = typer.Option(False, "--no-color", help="No colors (also when NO_COLOR is set)."),
    config: Path | None = typer.Option(None, "--config", help="Read this settings file for every Dockerfile instead of searching."),
    isolated: bool = typer.Option(False, "--isolated", help="Read no settings file."),
) -> None:
    """Convert every Dockerfile under ROOTS: a summary, diffs, a report, and optionally the writes and a branch per repository."""
    from ..fleet.discover import find
    from ..fleet.migrate import apply, changes, recover_all, strict_result
    from .report import MIGRATE_COLUMNS, migrate_json, migrate_markdown, migrate_rows, migrate_summary

    if lang is not None and lang not in names():
        raise _fail(f"--lang: unknown language {lang!r} (known: {', '.join(names())})", Exit.USAGE)
    if git_branch and not write:
        raise _fail("--git-branch commits what --write writes: give both", Exit.USAGE)
    if write and check:
        raise _fail("--check writes nothing: use --check or --write", Exit.USAGE)
    if diff_ and (as_json or fmt is not Format.TEXT):
        raise _fail("--diff prints to standard output, as --format json and sarif do: use one", Exit.USAGE)
    if report_file is not None and report_file.suffix.lower() not in (".md", ".json"):
        raise _fail(f"--report {report_file}: the file must end in .md or .json", Exit.USAGE)
    for root in roots:
        if not root.exists():
            raise _fail(f"{root}: no such file or folder", Exit.CANNOT_CONVERT)
    targets = find(list(roots))
    if write:
        for line in recover_all(targets):
            typer.echo(line, err=True)
    options = Options(runtime=runtime, language=lang)
    if config is not None and isolated:
        raise _fail("--config reads one settings file, --isolated none: use one or the other", Exit.USAGE)
    results = _convert_with_progress(targets, options, jobs, Lookup(config, isolated))
    if strict:
        results = [strict_result(r) for r in results]
    results = _pin_results(results, pin_mode, mirrors)
    if diff_:
        for change in changes(results):
            for path, text in change.files:
                before = next((r.original for r in results if r.dockerfile == path), None)
                if before is None:
                    before = next((r.original_ignore or "" for r in results if r.context == change.context), "")
                _print_diff(unified(before, text, str(path)), no_color)
    try:
        applied = apply(results, backup=backup, branch=git_branch, allow_dirty=allow_dirty, outside_root=outside_root) if write else None
    except Interrupted as exc:
        raise _fail(f"interrupted (signal {exc.signum}): every build context is either as it was or fully written", Exit.CANNOT_WRITE) from None
    if report_file is not None:
        text = json.dumps(migrate_json(results, applied), indent=2) + "\n" if report_file.suffix.lower() == ".json" else migrate_markdown(results, applied)
        try:
            write_all([(report_file, text)], backup=False)
        except WriteError as exc:
            raise _fail(str(exc), Exit.CANNOT_WRITE) from None
        except Interrupted as exc:
            raise _fail(f"{report_file}: interrupted (signal {exc.signum}); not written", Exit.CANNOT_WRITE) from None
    fmt = Format.JSON if as_json else fmt
    if fmt is Format.JSON:
        typer.echo(json.dumps(migrate_json(results, applied), indent=2))
    elif fmt in FINDING_FORMATS:
        from .report import migrate_findings

        findings = migrate_findings(results, strict)
        ok = not any(r.status == "failed" for r in results)
        typer.echo(render_findings(fmt, findings, ok, [str(r.dockerfile) for r in results]), nl=False)
    else:
        for result in results:
            if result.error:
                typer.echo(result.error, err=True)
        if not quiet:
            if results:
                print_table(MIGRATE_COLUMNS, migrate_rows(results, applied), color=wants_color(no_color), title="stagify migrate",
                            no_wrap=("status",))
            typer.echo(migrate_summary(results, applied))
        if applied is not None:
            typer.echo(f"wrote {len(applied.written)} files" + (f", {len(applied.backups)} backups" if applied.backups else ""))
            for repo, commit in applied.commits.items():
                typer.echo(f"{repo}: committed {commit[:12]} on {git_branch}")
            for repo, why in applied.refused.items():
                typer.echo(f"{repo}: not migrated: {why}", err=True)
            for why in applied.failed:
                typer.echo(why, err=True)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(int(Exit.INTERNAL if any(r.internal for r in results) else Exit.CANNOT_CONVERT))
    if applied is not None and (applied.failed or applied.refused):
        raise typer.Exit(int(Exit.CANNOT_WRITE))
    if check and any(r.changes for r in results):
        raise typer.Exit(int(Exit.WOULD_CHANGE))


def _pin_results(results: list[FileResult], flag: PinMode | None, mirrors: list[str]) -> list[FileResult]:
    """Digests for the conversions whose flag or settings ask for them; one resolver (and cache) per mirror set."""
    from ..fleet.migrate import pin_result

    resolvers: dict[tuple[str, ...], Resolver] = {}
    out = []
    for result in results:
        mode = flag or PinMode(result.pin or "tag")
        if mode is not PinMode.DIGEST or result.status != "converted":
            out.append(result)
            continue
        chosen = tuple(mirrors) or result.mirrors
        if chosen not in resolvers:
            resolvers[chosen] = _resolver(list(chosen))
        out.append(pin_result(result, resolvers[chosen]))
    return out


def _convert_with_progress(targets: list[Target], options: Options, jobs: int | None, lookup: Lookup) -> list[FileResult]:
    """The conversions, with a progress bar when a person watches the terminal."""
    from ..fleet.migrate import convert_all

    if not sys.stderr.isatty() or len(targets) < 2:
        return convert_all(targets, options, jobs, lookup=lookup)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("converting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task("convert", total=len(targets))
        return convert_all(targets, options, jobs, progress=lambda _result: bar.advance(task), lookup=lookup)


@app.command("catalogue")
def catalogue_command(as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON.")) -> None:
    """The pinned base images stagify chooses from: builders and runtimes, with their family, libc, shell and user."""
    from ..images.catalogue import CATALOGUE

    rows = [
        {"key": r.key, "reference": r.reference, "role": r.role.value, "language": r.language, "version": r.version,
         "family": r.family.value, "libc": r.libc.value, "shell": r.shell, "package_manager": r.package_manager,
         "user": r.user_spec or r.user, "uid": r.uid}
        for r in CATALOGUE
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    from .report import CATALOGUE_COLUMNS, catalogue_rows

    print_table(CATALOGUE_COLUMNS, catalogue_rows(CATALOGUE), color=wants_color(False), width=80)


@app.command("detect")
def detect_command(
    directory: Path = typer.Argument(Path("."), help="The build context to inspect."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
    lang: str | None = typer.Option(None, "--lang", help="Look for this language only."),
) -> None:
    """Print what stagify finds in a build context and from which files."""
    try:
        ctx = BuildContext.open(directory)
        dockerfile = None
        for name in DOCKERFILE_NAMES:
            candidate = directory / name
            if candidate.is_file():
                dockerfile = parse(_read(candidate), str(candidate))
                break
        found = run_detect(ctx, dockerfile, lang)
    except StagifyError as exc:
        raise _fail(str(exc), Exit.CANNOT_CONVERT) from None
    if found is None:
        raise _fail(f"{directory}: {undetected_message()}", Exit.CANNOT_CONVERT)
    if as_json:
        typer.echo(json.dumps(detection_json(found), indent=2))
    else:
        typer.echo(detection_text(found), nl=False)


def main() -> None:
    app(prog_name="stagify")
