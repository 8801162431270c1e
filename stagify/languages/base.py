"""What a language module provides to the generic planner.

The planner (``stagify.plan.planner``) walks the original stage and places every
instruction; a language module only answers language questions: is this RUN a
build, which builder image, what does the build produce, which runtime fits.
Adding a language is one module implementing :class:`Language`, one entry in
``LANGUAGES``, one template, catalogue rows and fixtures.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from ..context.buildcontext import BuildContext
from ..dockerfile.model import Dockerfile, Keyword, Stage
from ..dockerfile.packages import IN_DISTROLESS
from ..dockerfile.pragmas import Forced
from ..dockerfile.stageplan import Line, Note, SecretInput
from ..dockerfile.walk import BaseDefaults, CopyRecord, State, Walked, image_path
from ..images.catalogue import BaseImage, Exact, at_release, exact_release
from ..images.reference import ImageRef
from ..options import Options
from ..patterns import Pattern
from .detection import Detection

# Files that describe how to build or run containers: a program never reads them at run time, so a
# runtime stage leaves them behind (a per-Dockerfile ignore file such as app.Dockerfile.dockerignore included).
CONTAINER_BUILD_FILES = r"Dockerfile.*|.*\.Dockerfile|Containerfile.*|.*\.Containerfile|.*\.dockerignore|(docker-)?compose.*\.ya?ml"


@dataclass(frozen=True)
class Traits:
    """What the rules that hold for every language need to know about one, as data (the language owns it)."""

    # Official images that bring the language: a distribution package of it installed on top is an extra.
    images: tuple[str, ...]
    # The distribution packages (apt, apk) that install the language or its build tools: a pattern of names.
    distro_packages: str
    # Its build tools: programs whose writes the language accounts for (artifacts, dependency layers).
    tools: tuple[str, ...]
    # The program that runs the application, which gets the capability to bind a low port; None when compiled.
    interpreter: str | None
    # Suffixes of its source files, and how a line is commented in them (verify edits one to measure a rebuild).
    sources: tuple[str, ...]
    comment: str


@dataclass(frozen=True)
class Artifact:
    """Something a build stage produces that the runtime needs (a binary, node_modules, a bundle)."""

    path: str
    source_dir: str | None = None  # the folder it was built from, to match ``go run``
    line: int | None = None
    stage: str | None = None  # the stage it is copied from (None: the builder)
    dest: str | None = None  # where the runtime has it (None: the same path)
    reason: str = "the built application"


@dataclass(frozen=True)
class RunRewrite:
    """What a language makes of one RUN instruction of the original."""

    text: str
    reason: str
    artifacts: tuple[Artifact, ...] = ()
    drop: bool = False
    builds: bool = False  # compiles the application (belongs after the sources)
    notes: tuple[Note, ...] = ()
    runtime_text: str | None = None  # the runtime runs this too (e.g. a global tool the start command calls)


@dataclass(frozen=True)
class StartRewrite:
    """A new start command (e.g. ``go run main.go`` -> the built binary)."""

    argv: tuple[str, ...]
    reason: str
    build: Line | None = None  # a builder step that produces the binary, when none did
    artifact: Artifact | None = None
    drop: bool = False  # the runtime image's own start command takes over (nginx)


@dataclass(frozen=True)
class Needs:
    """What the runtime must provide, found in the original's run-time instructions."""

    shell: tuple[Note, ...] = ()
    packages: tuple[str, ...] = ()
    manager: str | None = None
    glibc_packages: bool = False
    start: tuple[str, ...] | None = None  # what the runtime starts (entrypoint + command), None when nothing
    low_ports: bool = False  # the application listens below 1024: a runtime without a shell cannot grant that


@dataclass(frozen=True)
class PlanInput:
    dockerfile: Dockerfile
    stage: Stage
    image: ImageRef | None
    detection: Detection
    context: BuildContext
    options: Options
    walked: tuple[Walked, ...]
    copies: tuple[CopyRecord, ...]
    first_source: int | None = None  # index in walked of the first copy that brings sources
    # (instruction line, placement) for each pragma; a tuple, since a PlanInput is hashed as a cache key
    forced: tuple[tuple[int, Forced], ...] = ()

    # Look-ups asked once per instruction: answered from tables built once, so a plan stays linear
    # in the number of instructions (not fields: they take no part in equality or hashing).
    @cached_property
    def _positions(self) -> dict[int, int]:
        return {id(w): i for i, w in enumerate(self.walked)}

    @cached_property
    def _located(self) -> dict[str, str | None]:
        return {}

    @cached_property
    def _hash(self) -> int:
        return hash((self.dockerfile, self.stage, self.image, self.detection, self.context, self.options, self.walked,
                     self.copies, self.first_source, self.forced))

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def exact(self) -> Exact | None:
        """The exact release the original's FROM pins (``node:24.16.0``) within the detected version, else None.

        The builder and the runtime keep it: the converted image runs the same release as the original.
        """
        found = exact_release(self.image)
        return found if found is not None and found.within(self.detection.version) else None

    def on_release(self, image: BaseImage, exact: Exact | None = None) -> tuple[BaseImage, str]:
        """``image`` on the exact release the original pins (``catalogue.at_release``; ``exact`` when given, else
        :attr:`exact`), and the words a reason adds when it is: ``"; the original's exact release 24.16.0"``, else ``""``."""
        exact = exact or self.exact
        pinned = at_release(image, exact)
        return pinned, (f"; the original's exact release {exact}" if pinned is not image else "")

    def index_of(self, walked: Walked) -> int:
        """The position of ``walked`` in ``self.walked``."""
        found = self._positions.get(id(walked))
        return found if found is not None else self.walked.index(walked)

    def image_path(self, rel: str) -> str | None:
        """Where context path ``rel`` ended up in the original image (walk.image_path over every copy), remembered."""
        if rel not in self._located:
            self._located[rel] = image_path(list(self.copies), rel, self.context)
        return self._located[rel]


# Where a program writes at run time without needing anything from the image: scratch space and kernel files.
_SCRATCH_WRITES = Pattern(r"^/(tmp|var/tmp|dev|proc|sys|run)(/|$)")


@dataclass(frozen=True)
class WriteCall:
    """A call that writes at run time at the literal path its ``path`` group matches.

    ``makes_folder``: it creates that path as a folder (mkdir); otherwise it writes a file there and
    needs the folder holding it. ``name``: how messages name the call.
    """

    pattern: Pattern
    makes_folder: bool
    name: str


# The file names of SQLite databases, which a program opening them creates (with a journal beside them) at run time.
SQLITE_SUFFIX = r"\.(?:db|db3|sqlite|sqlite3)"

# At most this many source files (and characters in all) are read looking for run-time writes.
MAX_WRITE_SCAN_FILES = 400
MAX_WRITE_SCAN_TOTAL = 2_000_000


def app_sources(context: BuildContext, suffixes: tuple[str, ...], not_the_app: Pattern) -> Iterator[tuple[str, str]]:
    """The application's source files (path, text) with these suffixes, within the scan budget; tests and the like left out."""
    read = total = 0
    for rel in context.walk():
        if not rel.endswith(suffixes) or not_the_app.search(rel):
            continue
        if read >= MAX_WRITE_SCAN_FILES or total >= MAX_WRITE_SCAN_TOTAL:
            return
        text = context.read_text(rel) or ""
        read, total = read + 1, total + len(text)
        yield rel, text


def runtime_writes_in(sources: Iterable[tuple[str, str]], calls: tuple[WriteCall, ...]) -> list[tuple[str, str]]:
    """The folders these sources create, or write files in, at run time, each with the first call that says so.

    A relative folder is relative to the working folder the program runs in (``.``: that folder itself);
    scratch space (/tmp ...) and paths that climb out (``..``) are left out.
    """
    out: dict[str, str] = {}
    for rel, text in sources:
        for call in calls:
            for m in call.pattern.finditer(text):
                path = m["path"]
                folder = posixpath.normpath((path if call.makes_folder else posixpath.dirname(path)) or ".")
                if _SCRATCH_WRITES.match(folder) or folder.startswith("..") or path == ":memory:":
                    continue
                line = text.count("\n", 0, m.start()) + 1
                out.setdefault(folder, f'{rel}:{line} calls {call.name}("{path}")')
    return sorted(out.items())


def distroless_blocker(inp: PlanInput, needs: Needs) -> str | None:
    """Why an image with no shell and no package manager cannot run what the original ran, or None.

    A shell (start command, HEALTHCHECK, start script), a system package distroless lacks, a port below
    1024 (no setcap to grant it) or a user by name (no shell to create it) each keep the usual runtime.
    """
    if needs.shell:
        return needs.shell[0].message
    checks = [w.instruction for w in inp.walked if w.instruction.keyword is Keyword.HEALTHCHECK]
    if checks and not checks[-1].args.strip().upper().startswith("NONE"):
        # Even in exec form it runs a program (curl, wget, a script) that distroless does not have.
        return f"the HEALTHCHECK on line {checks[-1].line} runs a program distroless does not have"
    extra = [p for p in needs.packages if p not in IN_DISTROLESS]
    if extra:
        return f"it needs the packages {', '.join(extra)}"
    if needs.low_ports:
        return "the application listens below 1024 and distroless has no setcap to grant that"
    user = named_user(inp)
    if user is not None:
        return f"it runs as the user {user}, which distroless has no shell to create"
    return None


def named_user(inp: PlanInput) -> str | None:
    """The user by name the original (its last USER) or the settings run as, which an image without a shell
    cannot create: None when there is none (root, a numeric user, the image's own ``nonroot``)."""
    if inp.options.user not in (None, "nonroot"):
        return inp.options.user
    users = [w.instruction.args.strip() for w in inp.walked if w.instruction.keyword is Keyword.USER]
    name = users[-1].split(":")[0] if users else ""
    if name in ("", "root", "0", "nonroot") or name.isdigit():
        return None
    return name


def layer_workdirs(inp: PlanInput, folder: str) -> tuple[str | None, str | None]:
    """WORKDIR lines around a dependency layer placed before the first source copy.

    The layer runs in ``folder`` (where the original's install ran, or where its
    manifests land); when that is not the folder in effect at the insertion point,
    the layer sets it, and sets the old one back unless nothing that follows cares.
    Returns (folder to set, folder to restore), each None when not needed.
    """
    if inp.first_source is None:
        return None, None
    at = inp.walked[inp.first_source].state.workdir
    if folder == at:
        return None, None
    return folder, (at if _cwd_matters(inp, inp.first_source) else None)


def _cwd_matters(inp: PlanInput, first: int) -> bool:
    """Whether anything after the dependency layer depends on the folder it ran in.

    ``COPY . /app`` followed by ``WORKDIR /app`` does not: the copy names an
    absolute folder and the next WORKDIR sets the folder anyway.
    """
    for w in inp.walked[first:]:
        ins = w.instruction
        if ins.keyword is Keyword.WORKDIR:
            return not ins.args.strip().startswith("/")
        if ins.keyword in (Keyword.COPY, Keyword.ADD):
            parts = ins.exec_form or tuple(ins.args.split())
            if parts and parts[-1].startswith("/"):
                continue
            return True
        if ins.keyword in (Keyword.ENV, Keyword.ARG, Keyword.LABEL, Keyword.EXPOSE):
            continue
        return True
    return False


class Detector(Protocol):
    """A language as the registry knows it before one is chosen: its name, traits, base defaults and detection.

    Each language's ``detector`` module holds this part, so that every conversion can ask
    every language for evidence without loading the planning hooks of the ones not chosen.
    """

    name: str
    display: str
    template: str
    looked_for: str
    traits: Traits

    def detect(self, context: BuildContext, dockerfile: Dockerfile | None) -> Detection | None: ...

    def base_defaults(self, image: ImageRef | None) -> BaseDefaults: ...

    def env_reader(self, context: BuildContext, rel: str) -> str | None:
        """What of this language's packages loads the secret-looking file ``rel`` (a dotenv loader declared beside it),
        or None. Asked of every registered language, whichever was detected: a Python API may have a Next.js folder."""
        ...

    def script_texts(self, context: BuildContext) -> list[tuple[str, str]]:
        """(what, command) of the project's scripts, which may name the files the build reads (package.json's)."""
        ...


class Language(Detector, Protocol):
    """The chosen language: its detector and the planning hooks the planner asks in turn."""

    def builder_image(self, inp: PlanInput, runtime_family: str | None) -> tuple[BaseImage, str]: ...

    def is_build_env(self, inp: PlanInput, name: str) -> bool: ...

    def is_manifest_copy(self, record: CopyRecord) -> bool: ...

    def rewrite_run(self, inp: PlanInput, walked: Walked) -> RunRewrite | None: ...

    def rewrite_copy(self, inp: PlanInput, walked: Walked) -> RunRewrite | None: ...

    def dependency_layer(self, inp: PlanInput, at: State) -> object | None: ...

    def rewrite_start(
        self, inp: PlanInput, argv: tuple[str, ...], state: State, artifacts: tuple[Artifact, ...]
    ) -> StartRewrite | None: ...

    def runtime_image(self, inp: PlanInput, needs: Needs) -> tuple[BaseImage, str]: ...

    def runtime_files(self, inp: PlanInput) -> list[tuple[str, str]]: ...

    def runtime_writes(self, inp: PlanInput) -> list[tuple[str, str]]:
        """Folders the application creates or writes files in at run time, each with where its code says so.

        A relative folder is relative to the working folder it runs in (``.``: that folder itself).
        """
        ...

    def runtime_artifacts(self, inp: PlanInput, runtime: BaseImage) -> list[Artifact]: ...

    def copy_to_runtime(self, inp: PlanInput, walked: Walked) -> str | None: ...

    def runtime_workdir(self, inp: PlanInput, workdir: str | None) -> str | None: ...

    def default_start(self, inp: PlanInput) -> tuple[tuple[str, ...], str] | None: ...

    def links_libraries(self, inp: PlanInput) -> bool: ...

    def plan_notes(self, inp: PlanInput) -> tuple[Note, ...]: ...

    def dockerignore(self, inp: PlanInput) -> list[str]: ...

    def not_worth_converting(self, inp: PlanInput, runtime: BaseImage) -> str | None:
        """Why a conversion would be no smaller than the original (the benefit gate), or None."""
        ...

    def secret_build_inputs(self, inp: PlanInput) -> list[SecretInput]:
        """Secret-looking context files this language's build reads, each with what reads it: the generated
        .dockerignore must let them in for the builder (``Keep.BUILDER``)."""
        ...

    def left_behind(self, inp: PlanInput) -> list[tuple[str, str]]:
        """Paths of the original image the runtime does without on purpose, each with why (verify's file check reads them)."""
        ...

    def build_platform(self, inp: PlanInput) -> tuple[str, str] | None:
        """(``--platform`` value, reason) when the builder may run on the build platform, or None.

        Only for builds whose output does not depend on the platform they run on (a cross-compiling
        Go build); the runtime stage never gets one.
        """
        ...

    def template_data(self, inp: PlanInput, runtime: BaseImage, dependencies: object | None) -> object: ...
