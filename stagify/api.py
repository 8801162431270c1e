"""The core, text in and text out: ``convert(text, context, options) -> Outcome``. Prints and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from .context import dockerignore
from .context.buildcontext import BuildContext
from .dockerfile import pragmas, rules, selfcheck
from .dockerfile.model import Dockerfile, ExpansionError, Keyword
from .dockerfile.parse import decode, parse
from .dockerfile.secrets import scan as scan_secrets
from .dockerfile.stageplan import STAGE_NAMES, Decision, Level, Note, SizeEstimate
from .dockerfile.walk import walk
from .errors import StagifyError, working_on
from .images.reference import Family, ImageRef, parse_ref
from .languages import by_name
from .languages.detect import detect, require, undetected_message
from .languages.detection import Detection
from .options import Options
from .patterns import Pattern
from .plan import buildinputs, inputs
from .plan.planner import build_plan, uses_stage, without_builder


class Status(str, Enum):
    CONVERTED = "converted"
    SKIPPED = "skipped"
    FAILED = "failed"


class SkipReason(str, Enum):
    """Why a Dockerfile is left alone: nothing to do is an outcome, not an error."""

    IGNORED = "ignored"  # `# stagify: ignore`
    MULTI_STAGE = "multi-stage"
    SCRATCH = "scratch"
    NOT_WORTH = "not-worth"  # the conversion would not make the image smaller
    NOTHING_TO_SPLIT = "nothing-to-split"
    UNSUPPORTED = "unsupported"  # no supported language: finding STG005, an error only with --strict


@dataclass(frozen=True)
class Problem:
    """Why a conversion failed: ``path:LINE: message``."""

    path: str
    line: int | None
    message: str
    # True when stagify's check of its own output failed: a bug in stagify, not in the input.
    internal: bool = False

    def __str__(self) -> str:
        return str(StagifyError(self.path, self.line, self.message))


@dataclass(frozen=True)
class Outcome:
    """The result of converting one Dockerfile."""

    path: str
    status: Status
    original: str
    language: str | None = None
    dockerfile: str | None = None
    dockerignore: str | None = None
    original_dockerignore: str | None = None
    notes: tuple[Note, ...] = ()
    decisions: tuple[Decision, ...] = ()
    error: Problem | None = None
    reason: str | None = None
    skip: SkipReason | None = None  # set when status is SKIPPED
    detection: Detection | None = None
    # The .dockerignore lines the conversion wants and the context paths they must never hide,
    # so conversions sharing one build context can merge into one .dockerignore.
    ignore_lines: tuple[str, ...] = ()
    ignore_protected: tuple[str, ...] = ()
    left_behind: tuple[tuple[str, str], ...] = ()  # folders of the original the runtime does not take, and why
    estimate: SizeEstimate | None = None  # the runtime base's size against the original base's, before any build

    @property
    def changed(self) -> bool:
        """Whether applying the outcome would change a file."""
        if self.status is not Status.CONVERTED:
            return False
        return self.dockerfile != self.original or self.dockerignore != (self.original_dockerignore or "")


def convert(
    text: str | bytes,
    context: Path | str | None = None,
    options: Options | None = None,
    path: str = "Dockerfile",
) -> Outcome:
    """Convert one Dockerfile. ``context`` is the build context folder (default: none, i.e. empty)."""
    return _convert(text, context, options or Options(), path, check=True)


def _convert(text: str | bytes, context: Path | str | None, options: Options, path: str, check: bool) -> Outcome:
    """:func:`convert`; ``check`` runs the self-check, off only for the self-check's own second conversion."""
    working_on(path)
    original = ""
    try:
        original = decode(text, path)[0] if isinstance(text, bytes) else text.lstrip("\ufeff")
        df = parse(text, path)
        found = pragmas.read(original, df)
        if found.ignore_line is not None:
            return Outcome(path=path, status=Status.SKIPPED, original=original, skip=SkipReason.IGNORED,
                           reason=f"`# stagify: ignore` at line {found.ignore_line}")
        skip = _skip_reason(df)
        if not skip:
            _refuse_windows_paths(df)
        if skip:
            return Outcome(path=path, status=Status.SKIPPED, original=original, reason=skip[1], skip=skip[0])
        _require_well_formed(df)
        ctx = BuildContext.open(Path(context), str(context)) if context is not None else BuildContext.empty()
        detection = detect(ctx, df, options.language)
        if detection is None and options.language is None:
            # An nginx, Rust or database image: stagify has nothing to say about it (STG005), unless strict.
            line = df.stages[0].from_.line
            if options.strict and rules.wanted("STG005", options.select, options.ignore) and not found.silences(line, "STG005"):
                return Outcome(path=path, status=Status.FAILED, original=original, error=Problem(
                    path, line, f"{undetected_message()}; --strict [STG005]"))
            return Outcome(path=path, status=Status.SKIPPED, original=original, skip=SkipReason.UNSUPPORTED,
                           reason=undetected_message())
        detection = require(ctx, df, options.language, path) if detection is None else detection
        lang = by_name(detection.language)
        walked = walk(df.stages[0], lang.base_defaults(_image(df)), ctx)
        missing = inputs.check(df, walked, ctx)
        plan = build_plan(df, detection, ctx, options, lang, found.forced)
        if plan.not_worth is not None:
            return Outcome(path=path, status=Status.SKIPPED, original=original, reason=plan.not_worth,
                           skip=SkipReason.NOT_WORTH, language=detection.language, detection=detection,
                           notes=_reported(tuple(scan_secrets(df)), options, found), estimate=plan.estimate)
        wanted = (*plan.dockerignore, *buildinputs.ignore_lines(plan.secret_inputs))
        from .plan.render import render  # jinja2 only once there is something to render

        body = render(plan)
        if not uses_stage(body, plan.builder.alias):
            plan = without_builder(plan, path)
            body = render(plan)
            if body.upper().count("\nFROM ") + body.upper().startswith("FROM ") < 2:
                return Outcome(path=path, status=Status.SKIPPED, original=original, language=detection.language,
                               skip=SkipReason.NOTHING_TO_SPLIT, reason="nothing to split: the build makes nothing the runtime would take "
                                      "(no build output, no dependencies to install)", detection=detection)
        new_text = body.replace("\n", df.newline)
        new_ignore = dockerignore.merge(ctx.dockerignore_text, wanted, plan.copied_sources, df.newline)
        failures = _self_check(new_text, df, context, options, path) if check else ()
        if failures:
            return Outcome(path=path, status=Status.FAILED, original=original, language=detection.language,
                           error=internal_error(path, failures))
        return Outcome(
            path=path,
            status=Status.CONVERTED,
            original=original,
            language=detection.language,
            dockerfile=new_text,
            dockerignore=new_ignore,
            original_dockerignore=ctx.dockerignore_text,
            notes=_reported((*missing, *plan.notes, *scan_secrets(df)), options, found),
            decisions=plan.decisions,
            detection=detection,
            ignore_lines=wanted,
            ignore_protected=plan.copied_sources,
            left_behind=plan.left_behind,
            estimate=plan.estimate,
        )
    except ExpansionError as exc:  # a variable expanded past the limits, in a step that knew its line
        return Outcome(path=path, status=Status.FAILED, original=original, error=Problem(path=path, line=exc.line, message=exc.message))
    except StagifyError as exc:
        return Outcome(
            path=path,
            status=Status.FAILED,
            original=original,
            error=Problem(path=exc.path, line=exc.line, message=exc.message),
        )


def _reported(notes: tuple[Note, ...], options: Options, found: pragmas.Pragmas) -> tuple[Note, ...]:
    """The notes whose rule is selected, not ignored, and not silenced by `# stagify: ignore=CODE` at their line."""
    out = []
    for note in notes:
        code = rules.note_code(note)
        if rules.wanted(code, options.select, options.ignore) and not found.silences(note.line, code):
            out.append(note)
    return tuple(out)


BUG_REPORTS = "https://github.com/stagify/stagify/issues"


def internal_error(path: str, failures: tuple[selfcheck.Failure, ...]) -> Problem:
    """The one-line refusal of an output that failed the self-check: stagify's bug, reported as such."""
    return Problem(
        path=path,
        line=None,
        message=f"internal error: the converted Dockerfile fails stagify's own check ({selfcheck.describe(failures)}); "
        f"nothing written. This is a bug in stagify: please report it with this Dockerfile at {BUG_REPORTS}",
        internal=True,
    )


def _self_check(
    text: str, original: Dockerfile, context: Path | str | None, options: Options, path: str
) -> tuple[selfcheck.Failure, ...]:
    """The output read back and held to its rules, then converted again: that must change nothing.

    The second conversion is :func:`convert`'s own code, so "stable" means what a user
    running stagify on the result would see; a multi-stage file stops at the skip check, so it
    costs one parse (measured with benchmarks/startup.py).
    """
    failures = selfcheck.check(text, original)
    if failures:
        return failures
    again = _convert(text, context, options, path, check=False)
    if again.status is not Status.SKIPPED or again.changed:
        return (selfcheck.Failure(None, f"converting it again does not leave it alone ({again.status.value})"),)
    return ()


def recheck(outcome: Outcome, text: str) -> Problem | None:
    """The self-check's rules on ``text``, a converted Dockerfile changed after :func:`convert` (pinned digests)."""
    failures = selfcheck.check(text, parse(outcome.original, outcome.path))
    return internal_error(outcome.path, failures) if failures else None


# What a malformed instruction of the original does, for the message that refuses it.
_RUNS_AS_TEXT = ("Docker reads it as shell form, brackets and quotes included, so it does not run what it says; "
                 "write it as a JSON array of double-quoted strings, or as a plain command line")
_CONSEQUENCE = {
    Keyword.COPY: "the original cannot build either",
    Keyword.ADD: "the original cannot build either",
    Keyword.SHELL: "the original cannot build either",
    Keyword.WORKDIR: "the original cannot build either",
}


def _require_well_formed(df: Dockerfile) -> None:
    """An instruction BuildKit would refuse is the user's to fix: named with its line, before any planning.

    So is a ``--from=`` naming the stage itself (BuildKit refuses the cycle) or a stage name the
    conversion adds: in the original it pulls an image of that name, in the conversion it would
    take the stage's files instead.
    """
    stage = df.stages[0]
    taken = {*STAGE_NAMES, *((stage.alias.lower(),) if stage.alias else ())}
    for ins in stage.instructions:
        why = selfcheck.malformed(ins)
        if why is not None:
            raise StagifyError(df.path, ins.line, f"{why}: {_CONSEQUENCE.get(ins.keyword, _RUNS_AS_TEXT)}")
        for value in selfcheck.stage_references(ins):
            if value.lower() in taken or value.isdigit():
                raise StagifyError(df.path, ins.line, f"--from={value} names no earlier stage (this is the only one); "
                                   "in the conversion it would name one of its own stages: not converted")


def _skip_reason(df: Dockerfile) -> tuple[SkipReason, str] | None:
    if len(df.stages) > 1:
        return SkipReason.MULTI_STAGE, f"already multi-stage ({len(df.stages)} stages)"
    stage = df.stages[0]
    try:
        ref = parse_ref(stage.image.resolved)
    except ValueError:
        if not stage.image.resolved:
            raise StagifyError(df.path, stage.from_.line, f"FROM {stage.image.written}: the image name is empty after ARG substitution") from None
        raise StagifyError(df.path, stage.from_.line, f"FROM {stage.image.written}: not a valid image reference") from None
    if ref.family is Family.SCRATCH:
        return SkipReason.SCRATCH, "FROM scratch: nothing is built in this image, so there is nothing to split"
    if ref.family is Family.WINDOWS:
        raise StagifyError(df.path, stage.from_.line, f"{ref}: Windows base images are not supported")
    return None


# A drive letter and a separator (C:\src, c:/tools) at the start of a word: a Windows container's path.
_WINDOWS_PATH = Pattern(r"""(?:^|[\s"'\[,=])[A-Za-z]:[\\/]""")
_PATH_KEYWORDS = (Keyword.WORKDIR, Keyword.COPY, Keyword.ADD, Keyword.VOLUME, Keyword.ENTRYPOINT, Keyword.CMD)


def _refuse_windows_paths(df: Dockerfile) -> None:
    """A Dockerfile for Windows containers (``WORKDIR C:\\app``, often under a backtick escape) cannot be converted."""
    for ins in df.instructions:
        if ins.keyword in _PATH_KEYWORDS and _WINDOWS_PATH.search(ins.args):
            raise StagifyError(df.path, ins.line, f"{ins.keyword.value} {ins.args.strip()}: a Windows path; "
                               "stagify converts Linux images only, and this Dockerfile builds a Windows container")


def _image(df: Dockerfile) -> ImageRef | None:
    try:
        return parse_ref(df.stages[0].image.resolved)
    except ValueError:
        return None


def warnings(outcome: Outcome) -> list[Note]:
    return [n for n in outcome.notes if n.level is Level.WARNING]
