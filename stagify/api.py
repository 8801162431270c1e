"""The core, text in and text out: ``convert(text, context, options) -> Outcome``. Prints and writes nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from . import buildinputs, dockerignore, inputs, pragmas
from .context import BuildContext
from .detect import require
from .errors import StagifyError, working_on
from .imageref import Family, ImageRef, parse_ref
from .languages import by_name
from .languages.detection import Detection
from .model import Dockerfile, ExpansionError, Keyword
from .options import Options
from .parse import decode, parse
from .plan import build_plan
from .secrets import scan as scan_secrets
from .stageplan import Decision, Level, Note
from .walk import walk


class Status(str, Enum):
    CONVERTED = "converted"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class Problem:
    """Why a conversion failed: ``path:LINE: message``."""

    path: str
    line: int | None
    message: str

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
    detection: Detection | None = None
    # The .dockerignore lines the conversion wants and the context paths they must never hide,
    # so conversions sharing one build context can merge into one .dockerignore.
    ignore_lines: tuple[str, ...] = ()
    ignore_protected: tuple[str, ...] = ()
    left_behind: tuple[tuple[str, str], ...] = ()  # folders of the original the runtime does not take, and why

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
    working_on(path)
    options = options or Options()
    original = ""
    try:
        original = decode(text, path)[0] if isinstance(text, bytes) else text.lstrip("\ufeff")
        df = parse(text, path)
        found = pragmas.read(original, df)
        if found.ignore_line is not None:
            return Outcome(path=path, status=Status.SKIPPED, original=original,
                           reason=f"`# stagify: ignore` at line {found.ignore_line}")
        skip = _skip_reason(df)
        if not skip:
            _refuse_windows_paths(df)
        if skip:
            return Outcome(path=path, status=Status.SKIPPED, original=original, reason=skip)
        ctx = BuildContext.open(Path(context), str(context)) if context is not None else BuildContext.empty()
        detection = require(ctx, df, options.language, path)
        lang = by_name(detection.language)
        walked = walk(df.stages[0], lang.base_defaults(_image(df)), ctx)
        missing = inputs.check(df, walked, ctx)
        plan = build_plan(df, detection, ctx, options, lang, found.forced)
        if plan.not_worth is not None:
            return Outcome(path=path, status=Status.SKIPPED, original=original, reason=plan.not_worth,
                           language=detection.language, detection=detection, notes=tuple(scan_secrets(df)))
        kept = buildinputs.keep(walked, ctx, plan.dockerignore)
        wanted = (*plan.dockerignore, *kept.lines)
        from .render import render  # jinja2 only once there is something to render

        body = render(plan)
        new_text = body.replace("\n", df.newline)
        new_ignore = dockerignore.merge(ctx.dockerignore_text, wanted, plan.copied_sources, df.newline)
        return Outcome(
            path=path,
            status=Status.CONVERTED,
            original=original,
            language=detection.language,
            dockerfile=new_text,
            dockerignore=new_ignore,
            original_dockerignore=ctx.dockerignore_text,
            notes=(*missing, *_not_said(plan.notes, kept.notes), *kept.notes, *scan_secrets(df)),
            decisions=plan.decisions,
            detection=detection,
            ignore_lines=wanted,
            ignore_protected=plan.copied_sources,
            left_behind=plan.left_behind,
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


def _not_said(found: tuple[Note, ...], said: tuple[Note, ...]) -> tuple[Note, ...]:
    """The warnings of ``found`` about a secret-looking build input ``said`` does not already give (one per file)."""
    named = {n.message.split(" ", 1)[0] for n in said if "looks like a secret, but" in n.message}
    return tuple(n for n in found if not ("looks like a secret, but" in n.message and n.message.split(" ", 1)[0] in named))


def _skip_reason(df: Dockerfile) -> str | None:
    if len(df.stages) > 1:
        return f"already multi-stage ({len(df.stages)} stages)"
    stage = df.stages[0]
    try:
        ref = parse_ref(stage.image.resolved)
    except ValueError:
        if not stage.image.resolved:
            raise StagifyError(df.path, stage.from_.line, f"FROM {stage.image.written}: the image name is empty after ARG substitution") from None
        raise StagifyError(df.path, stage.from_.line, f"FROM {stage.image.written}: not a valid image reference") from None
    if ref.family is Family.SCRATCH:
        return "FROM scratch: nothing is built in this image, so there is nothing to split"
    if ref.family is Family.WINDOWS:
        raise StagifyError(df.path, stage.from_.line, f"{ref}: Windows base images are not supported")
    return None


# A drive letter and a separator (C:\src, c:/tools) at the start of a word: a Windows container's path.
_WINDOWS_PATH = re.compile(r"""(?:^|[\s"'\[,=])[A-Za-z]:[\\/]""")
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
