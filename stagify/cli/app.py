"""The command line (typer). The only module, with convertcmd, that prints, asks, writes files or picks exit codes.

Start-up matters (pre-commit runs stagify once per commit, CI once per file): this module
imports typer and the light option types only; each command imports what it uses when it runs.
One rule for output in every command: results on standard output; findings, errors
(``error: ...``), warnings, progress and summaries on standard error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from .. import __version__
from ..options import Format, Language, PinMode, RuntimeChoice

if TYPE_CHECKING:
    from ..config import Lookup
    from ..fleet.discover import Target
    from ..fleet.docker import Docker
    from ..fleet.migrate import FileResult
    from ..fleet.migraterun import Choices, Fleet
    from ..fleet.migratestate import State as MigrateState
    from ..fleet.migrateverify import Verification as VerifyVerdict
    from ..fleet.verify import Report as VerifyReport
    from ..images.registry import Resolver
    from ..options import Options
    from .convertcmd import Exit

# The commands are registered here; the `stagify` group below turns into click objects only the one that runs.
commands = typer.Typer()


class _OnDemand(MutableMapping[str, Any]):
    """The group's commands by name, each built (typer inspects its signature and options) when first looked up.

    Building every command costs about 20 ms at each start, and a run uses one of them; help,
    completion and "did you mean" list the names, which cost nothing.
    """

    def __init__(self, registered: typer.Typer, built: MutableMapping[str, Any]) -> None:
        self._registered = {info.name: info for info in registered.registered_commands if info.name}
        self._built = dict(built)

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            from typer.main import get_command_from_info

            info = self._registered[name]  # KeyError for an unknown name, as a dict
            self._built[name] = get_command_from_info(info, pretty_exceptions_short=app.pretty_exceptions_short,
                                                      rich_markup_mode=app.rich_markup_mode)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        self._registered.pop(name, None)
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self._registered), **dict.fromkeys(self._built)})

    def __len__(self) -> int:
        return len(set(self._registered) | set(self._built))


class _Group(TyperGroup):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _OnDemand(commands, self.commands)


app = typer.Typer(
    cls=_Group,
    add_completion=True,
    no_args_is_help=True,
    help="Rewrite single-stage Dockerfiles into lean, secure multi-stage ones.",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 80},
    # Plain help and errors: the same at every width, and rich is not imported to print them.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stagify {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Rewrite single-stage Dockerfiles into lean, secure multi-stage ones."""


# -- options shared by several commands ------------------------------------------------------------------------

RuntimeOpt = Annotated[RuntimeChoice | None, typer.Option("--runtime", help="Force the runtime family.")]
LangOpt = Annotated[Language | None, typer.Option("--lang", help="Force the language instead of detecting it.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
DockerHostOpt = Annotated[str | None, typer.Option("--docker-host", metavar="URL", help="The engine, as DOCKER_HOST: "
                                                   "tcp://HOST:PORT, ssh://USER@HOST, unix:///PATH.")]
ContextNameOpt = Annotated[str | None, typer.Option("--context-name", metavar="NAME", help="The docker context whose "
                                                    "engine builds and runs.")]
BuilderOpt = Annotated[str | None, typer.Option("--builder", metavar="NAME", help="The buildx builder that builds "
                                                "(needs docker buildx).")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="No colors (also when NO_COLOR is set).")]
StrictOpt = Annotated[bool, typer.Option(
    "--strict", help="Fail (exit 3) on a secret baked into the image (STG003) or a Dockerfile of no supported "
                     "language (STG005), instead of warning or skipping.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Errors and warnings only: no diff, no notes, no "
                                                                "summary; never asks.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Also name the files skipped because no supported "
                                                                  "language was found.")]
BackupOpt = Annotated[bool | None, typer.Option("--backup/--no-backup", help="Keep the original as Dockerfile.bak when "
                                                "writing (default: the backup setting, else no: git keeps history).")]
PinOpt = Annotated[PinMode | None, typer.Option("--pin", help="tag: the catalogue's full tags; digest: also each tag's "
                                                "digest (default: the pin setting, else tag).")]
MirrorOpt = Annotated[list[str] | None, typer.Option(
    "--registry-mirror", metavar="URL", help="With --pin digest: URL (Docker Hub's mirror) or REGISTRY=URL (repeatable).")]
SelectOpt = Annotated[list[str] | None, typer.Option(
    "--select", metavar="CODES", help="Report only these rules (STG003,STG004; repeatable; `stagify rule` lists them).")]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", metavar="FILE", help="Read this settings file for every Dockerfile instead of searching for "
                                     ".stagify.toml and pyproject.toml.")]
IsolatedOpt = Annotated[bool, typer.Option("--isolated", help="Read no settings file.")]
IgnoreOpt = Annotated[list[str] | None, typer.Option(
    "--ignore", metavar="CODES", help="Do not report these rules (STG006,STG007; repeatable).")]


def _usage(message: str, command: str) -> NoReturn:
    """A usage error, printed as typer's own are: ``error: ...`` and where help is, exit 2."""
    typer.echo(f"error: {message}\nTry 'stagify {command} -h' for help.", err=True)
    raise typer.Exit(2)


def _fail(message: str, code: Exit) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(int(code))


def _codes(values: list[str] | None, option: str, command: str) -> tuple[str, ...] | None:
    """``--select``/``--ignore`` values (comma-separated, repeatable) as rule codes; a usage error for unknown ones."""
    if values is None:
        return None
    from ..dockerfile import rules

    codes = tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())
    bad = rules.unknown(codes)
    if bad:
        _usage(f"{option}: unknown rule {bad[0]!r} (`stagify rule` lists them)", command)
    if option == "--ignore" and rules.not_ignorable(codes):
        _usage(f"--ignore: {rules.not_ignorable(codes)[0]} cannot be ignored", command)
    return codes


def _print_diff(text: str, no_color: bool = False) -> None:
    """A terminal gets line numbers and colors; a pipe gets the plain unified diff, which patch applies."""
    if not sys.stdout.isatty():
        typer.echo(text, nl=not text.endswith("\n") and bool(text))
        return
    from .terminal import print_diff, wants_color

    print_diff(text, wants_color(no_color))


@commands.command("convert")
def convert_command(
    paths: Annotated[list[str] | None, typer.Argument(
        metavar="PATH...", help="Dockerfiles, folders holding one, or - for standard input (default: .).",
        show_default=False)] = None,
    write: Annotated[bool, typer.Option("--write", "-w", help="Write the result without asking.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 when a file would change.")] = False,
    diff_only: Annotated[bool, typer.Option("--diff", help="Print the diff; never ask, never write.")] = False,
    stdout: Annotated[bool, typer.Option("--stdout", help="Print only the converted Dockerfile.")] = False,
    explain_: Annotated[bool, typer.Option("--explain", help="Print each original line with its placement and reason.")] = False,
    as_json: JsonOpt = False,
    fmt: Annotated[Format, typer.Option("--format", help="text; json (a list: one object per Dockerfile); sarif, "
                                        "github, gitlab, checkstyle (findings for CI). Only text writes.")] = Format.TEXT,
    runtime: RuntimeOpt = None,
    lang: LangOpt = None,
    context: Annotated[Path | None, typer.Option(
        "--context", help="The build context (default: the Dockerfile's folder).", resolve_path=False)] = None,
    backup: BackupOpt = None,
    pin_mode: PinOpt = None,
    mirrors: MirrorOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
    stdin_filename: Annotated[Path | None, typer.Option(
        "--stdin-filename", metavar="PATH", help="Read the Dockerfile from standard input as this file: its settings, "
                                                 "name in messages, and folder as the context.")] = None,
    config: ConfigOpt = None,
    isolated: IsolatedOpt = False,
    show_settings: Annotated[bool, typer.Option("--show-settings", help="Print each Dockerfile's settings and where "
                                                "each came from; convert nothing.")] = False,
) -> None:
    """Convert single-stage Dockerfiles into builder/runtime multi-stage ones."""
    from .convertcmd import ConvertArgs, Fail, run_convert

    args = ConvertArgs(paths=tuple(paths or ["."]), write=write, check=check, diff_only=diff_only, stdout=stdout,
                       explain=explain_, fmt=Format.JSON if as_json else fmt, runtime=runtime,
                       lang=lang.value if lang else None, context=context, backup=backup, pin=pin_mode,
                       mirrors=tuple(mirrors or ()), strict=strict, quiet=quiet, verbose=verbose,
                       select=_codes(select, "--select", "convert"), ignore=_codes(ignore, "--ignore", "convert"),
                       stdin_filename=stdin_filename, config=config, isolated=isolated, show_settings=show_settings)
    try:
        code = run_convert(args, TyperConsole(no_color))
    except Fail as exc:
        if exc.code == 2 and not exc.message.startswith("error: "):  # the command line's, not a settings file's
            _usage(exc.message, "convert")
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
        from .terminal import wants_color

        bold = wants_color(self.no_color, sys.stderr)
        typer.echo(typer.style(text, bold=True) if bold else text, err=True, color=bold or None)


def _resolver(mirrors: list[str]) -> Resolver:
    from .convertcmd import Fail, resolver

    try:
        found: Resolver = resolver(mirrors)
    except Fail as exc:
        raise _fail(exc.message, exc.code) from None
    return found


@commands.command("pin")
def pin_command(
    path: Annotated[str, typer.Argument(help="A Dockerfile or a folder holding one.")] = ".",
    write: Annotated[bool, typer.Option("--write", "-w", help="Write the pinned Dockerfile (atomically).")] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 when an image is not pinned yet.")] = False,
    stdout: Annotated[bool, typer.Option("--stdout", help="Print only the pinned Dockerfile.")] = False,
    mirrors: Annotated[list[str] | None, typer.Option(
        "--registry-mirror", metavar="URL", help="URL (Docker Hub's mirror) or REGISTRY=URL (repeatable).")] = None,
    backup: BackupOpt = None,
) -> None:
    """Pin every image a Dockerfile names to its digest: name:tag@sha256:..., the tag kept."""
    from ..config import for_dockerfile
    from ..dockerfile.parse import decode
    from ..errors import StagifyError, working_on
    from ..images.pin import PinError, pin
    from ..write import Interrupted, Seen, WriteError, write_all
    from .convertcmd import CHECK_AND_WRITE, Exit, Fail, find_dockerfile, read_file, write_target
    from .diff import unified

    if write and check:
        _usage(CHECK_AND_WRITE, "pin")
    if write and stdout:
        _usage("--stdout prints the result instead of writing it: use one or the other", "pin")
    try:
        file_path = find_dockerfile(Path(path))
        working_on(str(file_path))
        data = read_file(file_path)
        text, _ = decode(data, str(file_path))
        pinned = pin(text, str(file_path), _resolver(mirrors or []))
    except PinError as exc:
        raise _fail(f"error: {exc}; nothing written", Exit.CANNOT_PIN) from None
    except StagifyError as exc:
        raise _fail(f"error: {exc}", Exit.CANNOT_CONVERT) from None
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
            target = write_target(file_path)
            keep = backup if backup is not None else for_dockerfile(file_path).backup
            written = write_all([(target, pinned.text)], backup=keep, seen={target: Seen.of_bytes(data)})
        except Fail as exc:
            raise _fail(exc.message, exc.code) from None
        except StagifyError as exc:
            _usage(str(exc), "pin")
        except WriteError as exc:
            raise _fail(f"error: {exc}; nothing was written", Exit.CANNOT_WRITE) from None
        except Interrupted as exc:
            raise _fail(f"error: {file_path}: interrupted (signal {exc.signum}); nothing was written", Exit.CANNOT_WRITE) from None
        typer.echo(f"pinned {len(pinned.changed)} image(s) in {written[0].path}", err=True)


@commands.command("verify")
def verify_command(
    path: Annotated[str, typer.Argument(help="The original Dockerfile, or a folder holding one.")] = ".",
    converted: Annotated[Path | None, typer.Option(
        "--converted", help="A converted Dockerfile already written (default: convert now, in memory).")] = None,
    http: Annotated[list[str] | None, typer.Option(
        "--http", metavar="PATH", help="A path to GET on both containers (repeatable; default /).")] = None,
    http_status: Annotated[list[str] | None, typer.Option(
        "--http-status", metavar="PATH", help="A path to GET whose status alone is compared (repeatable).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="The port the application listens on (default: the first "
                                             "EXPOSEd one).")] = None,
    env: Annotated[list[str] | None, typer.Option("--env", metavar="NAME=VALUE", help="Set in both containers "
                                                  "(repeatable).")] = None,
    smoke_cmd: Annotated[str | None, typer.Option("--smoke-cmd", help="A command run in both images in place of CMD; "
                                                  "exit code and output compared.")] = None,
    smoke_run: Annotated[bool, typer.Option("--smoke-run", help="Run both images' own start command; exit code and "
                                            "output compared (a CLI program).")] = False,
    smoke_stdin: Annotated[str | None, typer.Option("--smoke-stdin", help="Text given on standard input to --smoke-cmd "
                                                    "or --smoke-run.")] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Seconds to wait for the port (default 60).")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild/--no-rebuild", help="Measure a rebuild after a one-line source "
                                          "change.")] = True,
    keep_images: Annotated[bool, typer.Option("--keep-images", help="Keep the two images (tagged "
                                              "stagify-verify/...).")] = False,
    as_json: JsonOpt = False,
    fmt: Annotated[Format, typer.Option("--format", help="text (a table) or json (a list of one report).")] = Format.TEXT,
    runtime: RuntimeOpt = None,
    lang: LangOpt = None,
    context: Annotated[Path | None, typer.Option(
        "--context", help="The build context (default: the Dockerfile's folder).", resolve_path=False)] = None,
    settings_from: Annotated[Path | None, typer.Option("--settings-from", help="Read [verify] settings as for this "
                                                       "Dockerfile (default: the original's).", resolve_path=False)] = None,
    docker_host: DockerHostOpt = None,
    context_name: ContextNameOpt = None,
    builder: BuilderOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Build the original and the converted Dockerfile, run both, and compare behaviour, size and user."""
    import json
    from dataclasses import replace

    from ..api import Status, convert
    from ..config import for_dockerfile
    from ..dockerfile.parse import decode
    from ..errors import StagifyError
    from ..fleet.verify import VerifyError, smoke_from, verify
    from .convertcmd import Exit, failed_exit, find_dockerfile, read_file
    from .report import failure_line, verify_json

    if fmt not in (Format.TEXT, Format.JSON):
        _usage(f"verify reports as text or json; {fmt.value} is for convert --check and migrate --check", "verify")
    language_name = lang.value if lang else None
    try:
        file_path = find_dockerfile(Path(path))
        ctx_dir = context or file_path.parent
        original = decode(read_file(file_path), str(file_path))[0]
    except StagifyError as exc:
        raise _fail(f"error: {exc}", Exit.CANNOT_CONVERT) from None
    try:  # the settings and the options: a bad value is a usage error, as for convert
        settings = for_dockerfile(settings_from or file_path)
        smoke = smoke_from(settings.verify, settings.verify_source, paths=http or [], port=port, env=env or [],
                           command=smoke_cmd, timeout=timeout, status_paths=http_status or [])
        if smoke_run or smoke_stdin is not None:
            smoke = replace(smoke, run_image=smoke_run or smoke.run_image,
                            stdin=smoke_stdin if smoke_stdin is not None else smoke.stdin)
    except StagifyError as exc:  # a settings file's line, or --smoke-cmd: one line, exit 2
        raise _fail(f"error: {exc}", Exit.USAGE) from None
    try:
        if converted is not None:
            converted_text = decode(read_file(converted), str(converted))[0]
            ignore = None
            language = language_name
            left_behind: tuple[tuple[str, str], ...] = ()
        else:
            outcome = convert(original, context=ctx_dir, options=settings.options(runtime, language_name), path=str(file_path))
            if outcome.status is Status.FAILED:
                raise _fail(failure_line(outcome), failed_exit(outcome))
            if outcome.status is Status.SKIPPED:
                raise _fail(f"{file_path}: nothing to verify: {outcome.reason}", Exit.OK)
            converted_text = outcome.dockerfile or ""
            ignore = outcome.dockerignore
            language = outcome.language
            left_behind = outcome.left_behind
    except StagifyError as exc:
        raise _fail(f"error: {exc}", Exit.CANNOT_CONVERT) from None
    try:
        report = verify(original, converted_text, Path(ctx_dir), converted_ignore=ignore, smoke=smoke, language=language,
                        rebuild=rebuild, keep_images=keep_images, name=Path(ctx_dir).resolve().name, left_behind=left_behind,
                        docker=_engine(docker_host, context_name, builder))
    except VerifyError as exc:
        raise _fail(f"error: {file_path}: cannot verify: {exc}", Exit.CANNOT_VERIFY) from None
    if as_json or fmt is Format.JSON:
        typer.echo(json.dumps([verify_json(report)], indent=2))
    else:
        print_verify(report, str(file_path), no_color)
    if not report.ok:
        for problem in report.problems:
            typer.echo(f"error: {file_path}: not verified: {problem}", err=True)
        raise typer.Exit(int(Exit.NOT_VERIFIED))


def _engine(host: str | None, context_name: str | None, builder: str | None) -> Docker:
    """The Docker client on the engine and builder the user named; a usage error when that cannot work."""
    from ..fleet.docker import Docker, Endpoint, EndpointError
    from .convertcmd import Exit

    endpoint = Endpoint(host, context_name, builder)
    problem = endpoint.problem()
    if problem:
        raise _fail(problem, Exit.USAGE)
    engine = Docker(endpoint=endpoint)
    try:
        engine.check_builder()
    except EndpointError as exc:
        raise _fail(str(exc), Exit.USAGE) from None
    return engine


def print_verify(report: VerifyReport, label: str, no_color: bool = False) -> None:
    """The report as a table: one row per measure, the original's and the conversion's columns."""
    from .report import verify_rows
    from .terminal import Piece, Styled, print_boxed, print_styled, wants_color

    color = wants_color(no_color)
    print_boxed(("", "original", "converted", ""), verify_rows(report), title=f"stagify verify {label}", color=color)
    left = [a for a in report.absent if a.on_purpose]
    if report.absent:
        # Why each of the original's own files is not in the conversion: one line per reason, with a count.
        by_reason: dict[str, list[str]] = {}
        for absent in left:
            by_reason.setdefault(absent.reason, []).append(absent.path)
        lines: list[Piece] = ["files of the original not in the conversion:"]
        lines += [f"\n  {len(paths)} left behind: {why} (e.g. {paths[0]})" for why, paths in sorted(by_reason.items())]
        for a in report.missing[:20]:
            lines += ["\n  ", Styled("missing", "red"), f": {a.path}"]
        print_styled(*lines, color=color)
    verdict = Styled("verified", "green") if report.ok else Styled("not verified", "red")
    print_styled(verdict, *(f"\n  {r}" for r in report.remarks), color=color, highlight=True)


@commands.command("migrate")
def migrate_command(
    roots: Annotated[list[Path], typer.Argument(metavar="ROOT...", help="Folders holding repositories (or a "
                                                "repository, or a Dockerfile).", resolve_path=False, show_default=False)],
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Conversions run in parallel (default: the "
                                             "number of cores).")] = None,
    write: Annotated[bool, typer.Option("--write", "-w", help="Apply every conversion (each build context whole or not "
                                        "at all).")] = False,
    diff_: Annotated[bool, typer.Option("--diff", help="Print the diff of every file that would change.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 when any file would change.")] = False,
    git_branch: Annotated[str | None, typer.Option("--git-branch", metavar="NAME", help="With --write: create this "
                                                   "branch in each repository and commit there.")] = None,
    allow_dirty: Annotated[bool, typer.Option("--allow-dirty", help="With --git-branch: also migrate repositories with "
                                              "uncommitted changes.")] = False,
    outside_root: Annotated[bool, typer.Option("--allow-outside-root", help="With --write: also write build contexts a "
                                               "compose file places outside ROOT.")] = False,
    report_file: Annotated[Path | None, typer.Option("--report", metavar="FILE", help="Write a report: FILE.md "
                                                     "(Markdown) or FILE.json.")] = None,
    as_json: JsonOpt = False,
    fmt: Annotated[Format, typer.Option("--format", help="text (a table; findings and a summary on stderr); json (a "
                                        "list: one object per Dockerfile); sarif, github, gitlab, checkstyle (findings "
                                        "for CI).")] = Format.TEXT,
    runtime: RuntimeOpt = None,
    lang: LangOpt = None,
    backup: BackupOpt = None,
    strict: StrictOpt = False,
    pin_mode: PinOpt = None,
    mirrors: MirrorOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
    config: ConfigOpt = None,
    isolated: IsolatedOpt = False,
    verify_: Annotated[bool, typer.Option("--verify", help="Build, run and compare every conversion (--jobs at a time); "
                                          "write only the verified repositories.")] = False,
    keep_unverified: Annotated[bool, typer.Option("--keep-unverified", help="With --verify: also write repositories "
                                                  "whose conversions are not verified.")] = False,
    docker_host: DockerHostOpt = None,
    context_name: ContextNameOpt = None,
    builder: BuilderOpt = None,
    ci: Annotated[str | None, typer.Option("--ci", metavar="github|gitlab", help="With --write: add a pipeline that runs "
                                           "stagify verify on every pull request.")] = None,
    ci_install: Annotated[str | None, typer.Option("--ci-install", metavar="SPEC", help="With --ci: what the pipeline "
                                                   "installs with pip (default: stagify==VERSION).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run: the repositories its --report's "
                                         "state file lists as done are skipped.")] = False,
) -> None:
    """Convert every Dockerfile under ROOTS: findings, a summary, diffs, a report, optionally the writes and a branch."""
    import json

    from ..config import Lookup
    from ..fleet.ciproof import CiKind
    from ..fleet.discover import find
    from ..fleet.migrate import changes, recover_all, strict_result
    from ..fleet.migraterun import Choices, pending
    from ..options import Options
    from ..write import Interrupted, WriteError, write_all
    from .convertcmd import CHECK_AND_WRITE, FINDING_FORMATS, Exit, render_findings
    from .diff import unified
    from .report import MIGRATE_COLUMNS, migrate_files, migrate_json, migrate_markdown, migrate_rows, migrate_summary
    from .terminal import print_table, wants_color

    if git_branch and not write:
        _usage("--git-branch commits what --write writes: give both", "migrate")
    if write and check:
        _usage(CHECK_AND_WRITE, "migrate")
    fmt = Format.JSON if as_json else fmt
    if diff_ and fmt is not Format.TEXT:
        _usage("--diff prints to standard output, as --format json and sarif do: use one", "migrate")
    if config is not None and isolated:
        _usage("--config reads one settings file, --isolated none: use one or the other", "migrate")
    if report_file is not None and report_file.suffix.lower() not in (".md", ".json"):
        _usage(f"--report {report_file}: the file must end in .md or .json", "migrate")
    if (keep_unverified or docker_host or context_name or builder) and not verify_:
        _usage("--keep-unverified, --docker-host, --context-name and --builder go with --verify", "migrate")
    if (ci or ci_install) and not write:
        _usage("--ci adds the pipeline to what --write writes: give both", "migrate")
    if ci is not None and ci not in [k.value for k in CiKind]:
        _usage(f"--ci {ci}: expected github or gitlab", "migrate")
    if resume and report_file is None:
        _usage("--resume reads the state file beside the report: give the same --report as the interrupted run", "migrate")
    chosen = Options(runtime=runtime, language=lang.value if lang else None, select=_codes(select, "--select", "migrate"),
                     ignore=_codes(ignore, "--ignore", "migrate") or (), strict=strict)
    for root in roots:
        if not root.exists():
            raise _fail(f"error: {root}: no such file or folder", Exit.CANNOT_CONVERT)
    engine = _engine(docker_host, context_name, builder) if verify_ else None
    if engine is not None:
        from ..fleet.docker import EngineError

        try:
            engine.check()
        except EngineError as exc:
            raise _fail(f"cannot verify: {exc}", Exit.CANNOT_VERIFY) from None
    state = _migrate_state(report_file, roots, resume, runtime=runtime, lang=lang, strict=strict, pin=pin_mode, verify=verify_,
                           keep_unverified=keep_unverified, write=write, branch=git_branch, ci=ci,
                           config=config and str(config.resolve()), isolated=isolated, select=select, ignore=ignore)
    targets = pending(find(list(roots)), state)
    if write:
        for line in recover_all(targets):
            typer.echo(line, err=True)
    results = _convert_with_progress(targets, chosen, jobs, Lookup(config, isolated))
    if strict:
        results = [strict_result(r) for r in results]
    results = _pin_results(results, pin_mode, mirrors or [])
    if diff_:
        for change in changes(results):
            for path, text in change.files:
                before = next((r.original for r in results if r.dockerfile == path), None)
                if before is None:
                    before = next((r.original_ignore or "" for r in results if r.context == change.context), "")
                _print_diff(unified(before, text, str(path)), no_color)
    choices = Choices(write=write, backup=_migrate_backup(backup, results), branch=git_branch, allow_dirty=allow_dirty,
                      outside_root=outside_root, keep_unverified=keep_unverified, ci=CiKind(ci) if ci else None,
                      ci_install=ci_install or Choices().ci_install, lookup=Lookup(config, isolated))
    try:
        fleet = _run_fleet(results, choices, engine, jobs, state, no_color)
        applied = fleet.applied
    except Interrupted as exc:
        raise _fail(f"error: interrupted (signal {exc.signum}): every build context is either as it was or fully written",
                    Exit.CANNOT_WRITE) from None
    if report_file is not None:
        text = json.dumps(migrate_json(results, applied, fleet), indent=2) + "\n" if report_file.suffix.lower() == ".json" else migrate_markdown(results, applied, fleet)
        try:
            write_all([(report_file, text)], backup=False)
        except WriteError as exc:
            raise _fail(f"error: {exc}", Exit.CANNOT_WRITE) from None
        except Interrupted as exc:
            raise _fail(f"error: {report_file}: interrupted (signal {exc.signum}); not written", Exit.CANNOT_WRITE) from None
    if fmt is Format.JSON:
        typer.echo(json.dumps(migrate_files(results, applied, fleet), indent=2))
    elif fmt in FINDING_FORMATS:
        from .report import migrate_findings

        findings = migrate_findings(results, strict)
        ok = not any(r.status == "failed" for r in results)
        typer.echo(render_findings(fmt, findings, ok, [str(r.dockerfile) for r in results]), nl=False)
    elif not quiet and results:  # the table is the result: standard output
        print_table(MIGRATE_COLUMNS, migrate_rows(results, applied), color=wants_color(no_color), title="stagify migrate",
                    no_wrap=("status",))
        if engine is not None:
            print_verdicts(results, fleet, no_color)
    for result in results:  # findings and errors on standard error, whatever the format, as convert does
        if result.error:
            typer.echo(result.error, err=True)
        elif result.skip == "unsupported" and verbose:
            typer.echo(f"{result.dockerfile}: skipped: no supported language", err=True)
        elif fmt is Format.TEXT and not quiet:
            for note in result.notes:
                typer.echo(note, err=True)
    if fmt is Format.TEXT and not quiet:
        typer.echo(migrate_summary(results, applied), err=True)
    if applied is not None:
        if not quiet:
            typer.echo(f"wrote {len(applied.written)} files" + (f", {len(applied.backups)} backups" if applied.backups else ""),
                       err=True)
            for repo, commit in applied.commits.items():
                typer.echo(f"{repo}: committed {commit[:12]} on {git_branch}", err=True)
        for repo, why in applied.refused.items():
            typer.echo(f"error: {repo}: not migrated: {why}", err=True)
        for why in applied.failed:
            typer.echo(why, err=True)
    for unit, why in fleet.held_back.items():
        typer.echo(f"error: {unit}: not {'written' if write else 'verified'}: {why}", err=True)
    for unit, found in fleet.ci.items():
        for line in ([f"no CI proof: {found.skipped}"] if found.skipped else []) + list(found.remarks):
            typer.echo(f"{unit}: {line}", err=True)
    if fleet.already_done and not quiet:
        typer.echo(f"{len(fleet.already_done)} repositories already done by the interrupted run (skipped; see the report)",
                   err=True)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(int(Exit.INTERNAL if any(r.internal for r in results) else Exit.CANNOT_CONVERT))
    if applied is not None and (applied.failed or applied.refused):
        raise typer.Exit(int(Exit.CANNOT_WRITE))
    if check and any(r.changes for r in results):
        raise typer.Exit(int(Exit.WOULD_CHANGE))
    if fleet.held_back:
        raise typer.Exit(int(Exit.NOT_VERIFIED))


def _migrate_backup(flag: bool | None, results: list[FileResult]) -> bool:
    """--backup/--no-backup, else whether any converted file's settings ask for backups."""
    return flag if flag is not None else any(r.backup for r in results)


def _migrate_state(report_file: Path | None, roots: list[Path], resume: bool, **options: object) -> MigrateState | None:
    """The run's state file beside its report (none without a report); with --resume, the interrupted run's."""
    from ..fleet.migratestate import State, StateError, fingerprint, state_path
    from .convertcmd import Exit

    if report_file is None:
        return None
    try:
        return State.start(state_path(report_file), fingerprint(roots, options), resume)
    except StateError as exc:
        raise _fail(str(exc), Exit.USAGE) from None


def _run_fleet(results: list[FileResult], choices: Choices, engine: Docker | None, jobs: int | None,
               state: MigrateState | None, no_color: bool) -> Fleet:
    """Verify, write and record repository by repository; progress on standard error; Ctrl-C ends with exit 130."""
    import os

    from ..fleet.migraterun import run
    from ..fleet.migratestate import StateError
    from ..write import WriteError
    from .convertcmd import Exit

    workers = jobs or os.cpu_count() or 1
    try:
        if engine is None:
            return run(results, choices, state=state)
        with _VerifyProgress(results, no_color) as progress:
            return run(results, choices, engine, workers, state, step=progress.step, finished=progress.finished)
    except KeyboardInterrupt:
        done = f"; {len(state.done)} repositories are recorded as done in {state.path}: run again with --resume" if state else ""
        raise _fail(f"interrupted{done}", Exit.INTERRUPTED) from None
    except (WriteError, StateError) as exc:
        raise _fail(f"cannot record the run's state: {exc}", Exit.CANNOT_WRITE) from None


class _VerifyProgress:
    """``migrate --verify`` on standard error: a bar and what each verification does on a terminal, a line per repository elsewhere."""

    def __init__(self, results: list[FileResult], no_color: bool) -> None:
        from ..fleet.migrateverify import needs_verifying, unit_of
        from .terminal import Progress, wants_color

        self.total = len({unit_of(r) for r in results})
        self.count = 0
        live = sys.stderr.isatty() and any(needs_verifying(r) for r in results)
        self.shown: Progress = Progress("verifying repositories", self.total, live=live,
                                        color=wants_color(no_color, sys.stderr))

    def __enter__(self) -> _VerifyProgress:
        self.shown.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shown.__exit__(*exc)

    def step(self, dockerfile: Path, what: str) -> None:
        self.shown.show(dockerfile, f"  {dockerfile}: {what}")

    def finished(self, unit: Path, verdicts: list[VerifyVerdict]) -> None:
        self.count += 1
        for verdict in verdicts:
            self.shown.drop(verdict.dockerfile)
        worst = next((v for v in verdicts if not v.verdict.proven and v.reason and not v.reason.startswith("not converted")), None)
        said = f"{worst.verdict.value}: {worst.reason}" if worst else ("verified" if any(v.verdict.proven for v in verdicts) else "nothing to verify")
        self.shown.advance()
        self.shown.say(f"[{self.count}/{self.total}] {unit}: {said}")


def print_verdicts(results: list[FileResult], fleet: Fleet, no_color: bool = False) -> None:
    """``migrate --verify``'s table: a row per Dockerfile with its verdict, sizes, seconds and reason."""
    from .report import verdict_counts, verdict_rows
    from .terminal import Color, Styled, print_boxed, print_styled, wants_color

    color = wants_color(no_color)
    colors: dict[str, Color] = {"verified": "green", "different": "red", "build failed": "red", "skipped": "yellow"}
    rows = [(dockerfile, Styled(verdict, colors[verdict]), size, seconds, reason)
            for dockerfile, verdict, size, seconds, reason in verdict_rows(results, fleet)]
    print_boxed(("Dockerfile", "verdict", "size", "seconds", "reason"), rows, title="stagify migrate --verify", color=color)
    print_styled(", ".join(f"{n} {k}" for k, n in verdict_counts(fleet).items()), color=color)


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
    from .terminal import Progress

    if not sys.stderr.isatty() or len(targets) < 2:
        return convert_all(targets, options, jobs, lookup=lookup)
    with Progress("converting", len(targets), live=True, clock="remaining") as bar:
        return convert_all(targets, options, jobs, progress=lambda _result: bar.advance(), lookup=lookup)


@commands.command("catalogue")
def catalogue_command(as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False) -> None:
    """The pinned base images stagify chooses from, with their family, libc, shell, user and
    approximate size (in --json)."""
    import json

    from ..images.catalogue import CATALOGUE

    rows = [
        {"key": r.key, "reference": r.reference, "role": r.role.value, "language": r.language, "version": r.version,
         "family": r.family.value, "libc": r.libc.value, "shell": r.shell, "package_manager": r.package_manager,
         "user": r.user_spec or r.user, "uid": r.uid, "size_bytes": r.size}
        for r in CATALOGUE
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    from .report import CATALOGUE_COLUMNS, catalogue_rows
    from .terminal import print_table, wants_color

    print_table(CATALOGUE_COLUMNS, catalogue_rows(CATALOGUE), color=wants_color(False), width=80, no_wrap=("image", "user"))


@commands.command("detect")
def detect_command(
    directory: Annotated[Path, typer.Argument(help="The build context to inspect.")] = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    lang: Annotated[Language | None, typer.Option("--lang", help="Look for this language only.")] = None,
) -> None:
    """Print what stagify finds in a build context and from which files."""
    import json

    from ..context.buildcontext import BuildContext
    from ..dockerfile.parse import parse
    from ..errors import StagifyError
    from ..languages.detect import detect, undetected_message
    from .convertcmd import DOCKERFILE_NAMES, Exit, read_file
    from .report import detection_json, detection_text

    try:
        ctx = BuildContext.open(directory)
        dockerfile = None
        for name in DOCKERFILE_NAMES:
            candidate = directory / name
            if candidate.is_file():
                dockerfile = parse(read_file(candidate), str(candidate))
                break
        found = detect(ctx, dockerfile, lang.value if lang else None)
    except StagifyError as exc:
        raise _fail(f"error: {exc}", Exit.CANNOT_CONVERT) from None
    if found is None:
        raise _fail(f"error: {directory}: {undetected_message()}", Exit.CANNOT_CONVERT)
    if as_json:
        typer.echo(json.dumps(detection_json(found), indent=2))
    else:
        typer.echo(detection_text(found), nl=False)


def _rule_codes(incomplete: str) -> list[str]:
    from ..dockerfile.rules import RULES

    return [r.code for r in RULES if r.code.startswith(incomplete.upper())]


@commands.command("rule")
def rule_command(
    code: Annotated[str | None, typer.Argument(help="A rule code, such as STG003 (default: list every rule).",
                                               autocompletion=_rule_codes, show_default=False)] = None,
) -> None:
    """Explain a rule: what it finds, why it matters, what to do (every rule without CODE)."""
    from ..dockerfile import rules

    if code is None:
        typer.echo(rules.listing(), nl=False)
        return
    rule = rules.get(code)
    if rule is None:
        _usage(f"unknown rule {code!r} (`stagify rule` lists them)", "rule")
    typer.echo(rules.explain(rule), nl=False)


def _click_errors() -> tuple[type[Exception], type[Exception]]:
    """typer's ClickException and Abort. typer ships its own copy of click and exports neither class
    under that name, so they are found from the ones it does export."""
    base = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
    return base, typer.Abort


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that cleanup runs (verify's throwaway images and containers are removed)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}")
        self.code = 128 + signum


_terminated: list[Terminated] = []  # typer turns every KeyboardInterrupt into exit 130: this says which it was


def _terminate(signum: int, frame: object) -> None:
    _terminated.append(Terminated(signum))
    raise _terminated[-1]


def main() -> None:
    """Run the command line: usage errors in one style (``error: ...``, exit 2), Ctrl-C exit 130, SIGTERM 143."""
    import signal

    click_exception, abort = _click_errors()
    # Without a handler SIGTERM ends the process on the spot, and a verification's images stay on the engine.
    signal.signal(signal.SIGTERM, _terminate)
    try:
        code = app(prog_name="stagify", standalone_mode=False)
    except KeyboardInterrupt:
        typer.echo("", err=True)
        raise SystemExit(_terminated[0].code if _terminated else 130) from None
    except abort:  # a question interrupted with Ctrl-C (or Ctrl-D)
        typer.echo("", err=True)
        raise SystemExit(_terminated[0].code if _terminated else 130) from None
    except click_exception as exc:
        message = exc.format_message()  # type: ignore[attr-defined]
        ctx = getattr(exc, "ctx", None)
        hint = f"\nTry '{ctx.command_path} -h' for help." if ctx is not None else ""
        typer.echo(f"error: {message}{hint}", err=True)
        raise SystemExit(exc.exit_code) from None  # type: ignore[attr-defined]
    if _terminated:
        raise SystemExit(_terminated[0].code)
    raise SystemExit(code if isinstance(code, int) else 0)
