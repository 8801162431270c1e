"""The transformer: every instruction of a single-stage Dockerfile placed in builder, runtime, both, or dropped.

The builder is the original stage, nearly as written, so the build behaves as it
did; the runtime receives only what running the application needs. Language
modules answer the language questions (see ``stagify.languages.base``); this
module owns the rules that hold for every language: ENV, ARG, LABEL, EXPOSE,
HEALTHCHECK, USER, WORKDIR, start commands, system packages and copies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from ..context.buildcontext import BuildContext
from ..dockerfile import packages
from ..dockerfile.model import Dockerfile, Keyword
from ..dockerfile.pragmas import Forced
from ..dockerfile.secrets import IGNORE_PATTERNS
from ..dockerfile.stageplan import (
    STAGE_NAMES,
    BuilderPlan,
    ConversionPlan,
    Decision,
    Level,
    Note,
    PackageSet,
    Placement,
    RuntimePlan,
    SizeEstimate,
)
from ..dockerfile.walk import Walked, copy_parts, walk
from ..errors import StagifyError
from ..images import catalogue
from ..images.catalogue import BaseImage
from ..images.reference import ImageRef, parse_ref
from ..languages import LANGUAGES
from ..languages.base import Language, PlanInput
from ..languages.detection import Detection
from ..options import Options, RuntimeChoice
from . import buildinputs, copying, distro, placement, ports, protect, runs, starting, users
from .draft import Draft, carried, pseudo

# COPY --exclude is generally available from this Dockerfile syntax on (moby/buildkit#6232).
EXCLUDE_SYNTAX = "docker/dockerfile:1.19"

GENERIC_IGNORES = (
    ".git",
    *IGNORE_PATTERNS,
    ".idea",
    ".vscode",
    "*.swp",
    ".DS_Store",
    "Dockerfile*",
    "*.Dockerfile",
    ".dockerignore",
    "docker-compose*.yml",
    "docker-compose*.yaml",
    "compose*.yml",
    "compose*.yaml",
)



def build_plan(
    dockerfile: Dockerfile,
    detection: Detection,
    context: BuildContext,
    options: Options,
    lang: Language,
    forced: Mapping[int, Forced] | None = None,
) -> ConversionPlan:
    stage = dockerfile.stages[0]
    try:
        image: ImageRef | None = parse_ref(stage.image.resolved)
    except ValueError:
        image = None
    walked = tuple(walk(stage, lang.base_defaults(image), context))
    if image is not None and image.path not in _LANGUAGE_IMAGES and distro.language_line(walked) is not None:
        plan = distro.build_plan(dockerfile, image, walked, _called(walked))
        ignores = tuple(dict.fromkeys([*GENERIC_IGNORES, *options.dockerignore]))
        secret_inputs = buildinputs.find(walked, context, ignores)
        return replace(plan, dockerignore=ignores, copied_sources=protect.protected_sources(plan.builder),
                       notes=(*plan.notes, *(buildinputs.note(found) for found in secret_inputs)), secret_inputs=secret_inputs)
    copies = tuple(w.copy for w in walked if w.copy is not None)
    inp = PlanInput(
        dockerfile=dockerfile,
        stage=stage,
        image=image,
        detection=detection,
        context=context,
        options=options,
        walked=walked,
        copies=copies,
        first_source=first_source_index(walked, lang),
        forced=tuple(sorted((forced or {}).items())),
    )
    try:
        return assemble(Draft(inp, lang))
    except _ShellNeeded as needed:
        # The start command, a HEALTHCHECK or a start script needs /bin/sh: a runtime without one
        # would fail where the original ran, so the language's own choice (which has a shell) wins.
        notes = tuple(
            Note(f"--runtime {needed.choice} has no shell, but {why.message}: the runtime is the language's usual one, "
                 "which has a shell", why.line, Level.WARNING)
            for why in needed.why
        )
        plain = replace(inp, options=replace(options, runtime=None))
        return assemble(Draft(plain, lang, notes))


def uses_stage(text: str, alias: str) -> bool:
    """Whether a rendered Dockerfile takes anything from the stage ``alias`` (``--from=``, ``FROM alias``)."""
    name = re.escape(alias)
    return re.search(rf"(--from={name}(?![\w.-])|^FROM\s+(--\S+\s+)*{name}(?![\w.:/-])|from={name}(?![\w.-]))", text, re.M | re.I) is not None


def without_builder(plan: ConversionPlan, path: str) -> ConversionPlan:
    """The plan with its build stage left out, because no later stage takes anything from it.

    BuildKit skips such a stage, so writing it would only suggest that its steps matter: a Node
    server's runtime gets its dependencies from the deps stage and its sources from the build
    context, as the original did. The lines that only the build stage held are dropped, with why.
    """
    if plan.builder.build_steps:
        # Fail closed: the original's image had what that step made; the runtime would not.
        line = plan.builder.build_steps[0]
        raise StagifyError(path, line, "this RUN makes something in the image, but the runtime takes nothing from the build "
                           "stage (it copies its files from the build context), so the result would lack it: not converted")
    why = ("no stage takes anything from the build stage (the runtime gets what it needs from the other stages and "
           "the build context), so it is not written: BuildKit would skip it")
    moved = {Placement.BUILDER: Placement.DROPPED, Placement.BOTH: Placement.RUNTIME}
    decisions = tuple(
        d if d.placement not in moved
        else Decision(instruction=d.instruction, placement=moved[d.placement], reason=f"{d.reason}; {why}")
        for d in plan.decisions
    )
    return replace(plan, builder=replace(plan.builder, emitted=False), decisions=decisions,
                   notes=(*plan.notes, Note(f"the original's stage is not kept as a build stage: {why}")))


class _ShellNeeded(Exception):
    """The forced runtime has no shell, but the original's run-time commands need one."""

    def __init__(self, choice: str, why: tuple[Note, ...]) -> None:
        super().__init__(choice)
        self.choice = choice
        self.why = why


# Images that bring a language themselves: a language package installed on top of them is an extra, not the language.
_LANGUAGE_IMAGES = frozenset(path for language in LANGUAGES for path in language.traits.images)


def _called(walked: tuple[Walked, ...]) -> set[str]:
    """The programs the start command and HEALTHCHECK run (a package they call stays in the runtime)."""
    called: set[str] = set()
    for w in walked:
        ins = w.instruction
        if ins.keyword in (Keyword.CMD, Keyword.ENTRYPOINT, Keyword.HEALTHCHECK):
            words = list(ins.exec_form) if ins.exec_form is not None else ins.args.split()
            called.update(word.rsplit("/", 1)[-1] for word in words if word and not word.startswith("-"))
    return called


def first_source_index(walked: tuple[Walked, ...], lang: Language) -> int | None:
    """The first COPY/ADD from the build context that brings more than dependency manifests."""
    for index, w in enumerate(walked):
        ins = w.instruction
        is_context_copy = ins.keyword in (Keyword.COPY, Keyword.ADD) and ins.flag("from") is None
        if is_context_copy and (w.copy is None or not lang.is_manifest_copy(w.copy)):
            return index
    return None


# Runtime choices that only one language can take.
RUNTIME_LANGUAGES = {RuntimeChoice.JLINK: "java"}


def assemble(draft: Draft) -> ConversionPlan:
    inp, acc = draft.inp, draft.acc
    runs.rewrite_runs(draft)
    acc.notes.extend(draft.lang.plan_notes(inp))
    only = RUNTIME_LANGUAGES.get(inp.options.runtime) if inp.options.runtime is not None else None
    if only is not None and draft.lang.name != only:
        acc.note(f"--runtime {inp.options.runtime.value if inp.options.runtime else ''} is for {only} applications only: "
                 f"this {draft.lang.display} application gets the runtime stagify picks", None, Level.WARNING)
    start = starting.start_commands(draft)
    if start is None:
        start = starting.default_start(draft)
    low = bool(start) and bool(ports.low_ports(draft.walked, start, inp.context))
    needs = replace(starting.needs(draft), start=start, low_ports=low)
    runtime, runtime_reason = draft.lang.runtime_image(inp, needs)
    if inp.options.runtime is not None and not runtime.shell and needs.shell:
        raise _ShellNeeded(inp.options.runtime.value, needs.shell)
    acc.notes.extend(draft.shell_notes)
    builder, builder_reason = draft.lang.builder_image(inp, runtime.family.value)
    chosen = users.runtime_user(inp, runtime)
    user = chosen.spec
    acc.notes.extend(chosen.notes)
    deps = None
    first_source = inp.first_source
    if first_source is not None:
        deps = draft.lang.dependency_layer(inp, draft.walked[first_source].state)
    placement.place_all(draft, first_source, runtime, user, start, builder, builder_reason)
    for line in draft.generated_builds:
        if line not in acc.sources:
            acc.sources.append(line)
    copies = copying.runtime_copies(draft, runtime, user, start)
    late = copying.ledger_copies(draft, copies, user)
    protect.scrub_builder(draft, copies)
    missing = [p for p in needs.packages if not runtime.package_manager and p not in packages.IN_DISTROLESS]
    if missing:
        acc.note(f"the runtime has no package manager; not installed: {', '.join(missing)}", None, Level.WARNING)
    package_set = None
    if needs.packages and runtime.package_manager:
        original = catalogue.release_of(inp.image) if inp.image is not None else None
        names, renamed, unsure = packages.for_release(needs.packages, catalogue.release_of(runtime), original,
                                                      catalogue.release_of(builder))
        acc.notes.extend(Note(why) for why in renamed)
        acc.notes.extend(Note(why, None, Level.WARNING) for why in unsure)
        package_set = PackageSet(manager=runtime.package_manager, packages=names)
    stage = inp.stage
    grant = ports.low_port_grant(inp, draft.lang, draft.artifacts, user, start, runtime, builder)
    acc.sources.extend([grant.builder] if grant.builder else [])
    acc.r_root.extend([grant.runtime] if grant.runtime else [])
    acc.notes.extend([grant.note] if grant.note else [])
    workdir = draft.lang.runtime_workdir(inp, draft.final_state.workdir if draft.final_state.workdir != "/" else None)
    if workdir is None and any(_relative_copy(line.text) for line in acc.r_sources):
        workdir = draft.final_state.workdir  # the base image's folder, stated for the relative COPY lines (DL3045)
    runtime_plan = RuntimePlan(
        image=runtime.reference,
        alias="runtime",
        platform=stage.platform,
        comments=(f"# Runtime: {runtime_reason}",),
        setup=tuple(acc.r_setup),
        packages=package_set,
        user=user,
        root_steps=tuple(acc.r_root),
        workdir=workdir,
        copies=tuple(copies),
        sources=tuple(acc.r_sources),
        config=tuple(acc.r_config),
        start=tuple(acc.r_start),
        late_copies=tuple(late),
    )
    # The user's --platform holds for both stages; otherwise a cross-compiling builder runs on the
    # build platform (no emulation), and the runtime stays on the target platform.
    cross = None if stage.platform is not None else draft.lang.build_platform(inp)
    builder_plan = BuilderPlan(
        image=builder.reference,
        alias=stage.alias if stage.alias and stage.alias.lower() not in STAGE_NAMES else "builder",
        platform=cross[0] if cross else stage.platform,
        comments=(*stage.from_.comments, f"# Build stage: {builder_reason}" + (f"; {cross[1]}" if cross else "")),
        setup=tuple(acc.setup),
        sources=tuple(acc.sources),
        build_steps=tuple(draft.build_steps),
    )
    estimate = SizeEstimate(str(inp.image), catalogue.size_of(inp.image), runtime.reference, runtime.size) if inp.image else None
    not_worth = _not_worth(draft, runtime, estimate)
    ignores = tuple(dict.fromkeys([*GENERIC_IGNORES, *protect.credential_files(draft), *draft.lang.dockerignore(inp),
                                   *inp.options.dockerignore]))
    secret_inputs = buildinputs.find(draft.walked, inp.context, ignores, draft.lang.secret_build_inputs(inp))
    acc.notes.extend(buildinputs.note(found) for found in secret_inputs)
    protected = tuple(dict.fromkeys([*protect.protected_sources(builder_plan), *buildinputs.builder_paths(secret_inputs)]))
    runtime_plan = protect.exclude_protected_secrets(draft, runtime_plan, protected)
    directives = tuple(d.raw for d in inp.dockerfile.directives)
    if any("--exclude=" in line.text for line in runtime_plan.sources) and not any(d.name == "syntax" for d in inp.dockerfile.directives):
        directives = (f"# syntax={EXCLUDE_SYNTAX}", *directives)
    ordered = tuple(acc.decisions[i.line] for i in inp.dockerfile.instructions if i.line in acc.decisions)
    left_behind: tuple[tuple[str, str], ...] = ()
    app = draft.final_state.workdir
    under = [c for c in (*copies, *late) if c.dest == app or c.dest.startswith(app.rstrip("/") + "/")]
    if app != "/" and not under and not acc.r_sources and any(c.source.startswith(app.rstrip("/") + "/") for c in copies):
        # The runtime takes only what the build made from this folder (a front end's build output, served by nginx).
        left_behind = ((app, "the application's sources and tooling: the runtime takes only what the build made from them"),)
    left_behind = (*left_behind, *draft.lang.left_behind(inp))
    return ConversionPlan(
        language=draft.lang.name,
        template=draft.lang.template,
        directives=directives,
        global_args=tuple(carried(i) for i in inp.dockerfile.global_args),
        builder=builder_plan,
        runtime=runtime_plan,
        extra=draft.lang.template_data(inp, runtime, deps),
        decisions=ordered,
        notes=tuple(acc.notes),
        dockerignore=ignores,
        copied_sources=protected,
        trailing_comments=inp.dockerfile.trailing_comments,
        not_worth=not_worth,
        estimate=estimate,
        left_behind=left_behind,
        escape=inp.dockerfile.escape,
        secret_inputs=secret_inputs,
    )


def _not_worth(draft: Draft, runtime: BaseImage, estimate: SizeEstimate | None) -> str | None:
    """The benefit gate: why the conversion would be no smaller than the original, or None.

    A runtime on a smaller base (by the catalogue's sizes) is always worth it. On a base that is not
    smaller, the gain can only come from what stays in the build stage, so the language says whether
    anything would (build-only packages, a build tool, a compiler): when nothing would, the file is
    left as it is. A runtime the user forced with --runtime is converted anyway.
    """
    if draft.inp.options.runtime is not None or (estimate is not None and estimate.smaller):
        return None
    why = draft.lang.not_worth_converting(draft.inp, runtime)
    if why is None:
        return None
    base = (estimate.text() + ": the runtime's base is no smaller" if estimate is not None and estimate.smaller is False
            else f"the runtime would run on {runtime.reference}, the same kind of image as the original's")
    return f"not worth converting: {base}, and {why}, so a multi-stage image would be no smaller (give --runtime to convert anyway)"


def _relative_copy(text: str) -> bool:
    """Whether an output COPY line copies to a destination relative to the working folder."""
    ins = pseudo(text)
    parts = copy_parts(ins) if ins is not None else None
    return parts is not None and not parts[1].startswith(("/", "$"))
