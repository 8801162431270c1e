"""What the planner decides and the templates print: placements, notes and the two stages.

Templates only see these types. Each carried line keeps the comments the user wrote
above it; each original instruction has exactly one :class:`Decision` with a reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import Enum

from .model import Instruction

# The stage names a converted Dockerfile gives its stages; the builder keeps the original's own
# name unless it is one of the others.
STAGE_NAMES = ("builder", "deps", "layers", "runtime")


class Placement(str, Enum):
    BUILDER = "builder"
    RUNTIME = "runtime"
    BOTH = "both"
    DROPPED = "dropped"


class Level(str, Enum):
    INFO = "info"
    WARNING = "warning"


@dataclass(frozen=True)
class Note:
    """Something the user should know about the conversion, tied to a line when one applies."""

    message: str
    line: int | None = None
    level: Level = Level.INFO
    kind: str | None = None  # "secret" for the findings --strict turns into failures


class Keep(Enum):
    """How a secret-looking build input stays in the build context the generated .dockerignore would hide it from."""

    # The language's build reads it (a front end inlines .env.production, npm reads .npmrc): the generated
    # .dockerignore lets it in like a file the new Dockerfile copies, and the runtime's copies leave it out.
    BUILDER = "builder"
    # Something else reads it (a dotenv loader, a RUN line naming it): a ``!path`` line after the pattern that would
    # hide it, so it lands where the original's COPY put it.
    AS_ORIGINAL = "as the original"


@dataclass(frozen=True)
class SecretInput:
    """A secret-looking context file the build reads: kept in the build context, and reported, with its reader."""

    path: str  # in the build context
    reader: str  # what reads it (a noun phrase): the reason it is kept
    keep: Keep = Keep.BUILDER
    target: str | None = None  # where the original image had it
    line: int | None = None  # the COPY that brought it there


@dataclass(frozen=True)
class Decision:
    """Where one original instruction went, and why."""

    instruction: Instruction
    placement: Placement
    reason: str


@dataclass(frozen=True)
class Line:
    """One instruction of the output: its text and the comment lines printed above it."""

    text: str
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mount:
    """A BuildKit ``RUN --mount=type=cache`` for a package or build cache."""

    target: str
    sharing: str | None = None

    def render(self) -> str:
        text = f"--mount=type=cache,target={self.target}"
        return f"{text},sharing={self.sharing}" if self.sharing else text


@dataclass(frozen=True)
class CopyFrom:
    """``COPY --from=<stage> src dest`` of something the runtime needs."""

    source: str
    dest: str
    chown: str | None = None
    reason: str = ""
    stage: str | None = None  # None: the builder

    def __post_init__(self) -> None:
        # Paths joined onto the root folder (``/`` + ``/node_modules``) are written once: ``//x`` is legal but
        # reads as a mistake, and a POSIX path may give a leading ``//`` its own meaning.
        for name in ("source", "dest"):
            object.__setattr__(self, name, re.sub(r"/{2,}", "/", getattr(self, name)))

    @property
    def operands(self) -> str:
        """``src dest``, or the JSON form when a path has a blank or a quote the plain form would split on."""
        if any(ch in path for path in (self.source, self.dest) for ch in " \t'\"\\"):
            return json.dumps([self.source, self.dest])
        return f"{self.source} {self.dest}"


@dataclass(frozen=True)
class UserSpec:
    """The non-root user of the runtime stage.

    ``create`` is the family-specific way to add it (None when the base image already
    has it); ``instruction`` is what the USER line says.
    """

    name: str
    uid: int
    instruction: str
    create: str | None = None  # "debian" | "alpine" | None


@dataclass(frozen=True)
class PackageSet:
    """System packages installed in the runtime stage, by its package manager."""

    manager: str
    packages: tuple[str, ...]


@dataclass(frozen=True)
class BuilderPlan:
    image: str
    alias: str
    platform: str | None
    comments: tuple[str, ...]
    setup: tuple[Line, ...]  # the user's lines before the sources arrive
    sources: tuple[Line, ...]  # from the first source copy through the build
    build_steps: tuple[int, ...] = ()  # lines of the original's RUN steps that make something (builds, unknown steps)
    # False when no later stage takes anything from it: BuildKit would skip it, so it is not written.
    emitted: bool = True


@dataclass(frozen=True)
class RuntimePlan:
    image: str
    alias: str
    platform: str | None
    comments: tuple[str, ...]
    setup: tuple[Line, ...]  # ARG, ENV, LABEL the user wrote
    packages: PackageSet | None
    user: UserSpec
    root_steps: tuple[Line, ...]  # the user's run-time RUN steps, before USER
    workdir: str | None
    copies: tuple[CopyFrom, ...]
    sources: tuple[Line, ...]  # the user's own COPY lines, when the runtime needs the sources too
    config: tuple[Line, ...]  # EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, ONBUILD
    start: tuple[Line, ...]  # ENTRYPOINT and CMD
    late_copies: tuple[CopyFrom, ...] = ()  # what the build's own steps wrote, over the copied sources

    @property
    def sets_entrypoint(self) -> bool:
        """Whether the start lines carry an ENTRYPOINT of the original's: it replaces the base image's, so a
        template resets that one only when this is False (two ENTRYPOINT lines: hadolint's DL4004)."""
        return any(re.match(r"\s*ENTRYPOINT[\s\[]", line.text, re.I) for line in self.start)


@dataclass(frozen=True)
class SizeEstimate:
    """The runtime's base image against the original's, by the catalogue's approximate sizes (``images.SIZES``).

    Known before anything is built; a size is None where the catalogue has no figure for the image.
    """

    original: str
    original_bytes: int | None
    runtime: str
    runtime_bytes: int | None

    @property
    def smaller(self) -> bool | None:
        """Whether the runtime's base is smaller than the original's; None when a size is unknown."""
        if self.original_bytes is None or self.runtime_bytes is None:
            return None
        return self.runtime_bytes < self.original_bytes

    def text(self) -> str:
        """``runtime base X about 53 MB (original base Y about 179 MB)``, each size or ``size unknown``."""
        return (f"runtime base {self.runtime} {_about(self.runtime_bytes)} "
                f"(original base {self.original} {_about(self.original_bytes)})")

    def short(self) -> str:
        """``1025 MB -> 53 MB``: the original base's size, then the runtime base's (``?`` when unknown)."""
        return f"{_megabytes(self.original_bytes)} -> {_megabytes(self.runtime_bytes)}"

    def json(self) -> dict[str, str | int | None]:
        return {"original_base": self.original, "original_base_bytes": self.original_bytes,
                "runtime_base": self.runtime, "runtime_base_bytes": self.runtime_bytes}


def _about(size: int | None) -> str:
    return "size unknown" if size is None else f"about {_megabytes(size)}"


def _megabytes(size: int | None) -> str:
    return "?" if size is None else f"{size / 1e6:.0f} MB"


@dataclass(frozen=True)
class ConversionPlan:
    """Everything the templates need, and everything --explain and --json report."""

    language: str
    template: str
    directives: tuple[str, ...]
    global_args: tuple[Line, ...]
    builder: BuilderPlan
    runtime: RuntimePlan
    extra: object  # the language's own template data (e.g. the Go dependency layer)
    decisions: tuple[Decision, ...]
    notes: tuple[Note, ...] = ()
    dockerignore: tuple[str, ...] = ()
    copied_sources: tuple[str, ...] = field(default=())
    trailing_comments: tuple[str, ...] = ()
    not_worth: str | None = None  # why a conversion would not make the image smaller: the file is left as it is
    estimate: SizeEstimate | None = None  # the runtime base against the original's, before anything is built
    left_behind: tuple[tuple[str, str], ...] = ()  # (folder of the original, why the runtime does not take it), for verify
    escape: str = "\\"  # the file's escape character: what continues a generated line
    secret_inputs: tuple[SecretInput, ...] = ()  # secret-looking files the build reads, kept in the context
