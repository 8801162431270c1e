"""Every instruction of the original placed in the build stage, the runtime, both, or dropped, with why.
"""

from __future__ import annotations

from ..dockerfile import lintfix, packages
from ..dockerfile.model import Instruction, Keyword, arg_pairs, env_pairs, split_words
from ..dockerfile.pragmas import Forced
from ..dockerfile.secrets import is_secret_file
from ..dockerfile.stageplan import (
    Level,
    Line,
    Placement,
    UserSpec,
)
from ..dockerfile.walk import Walked, copy_parts
from ..errors import StagifyError
from ..images.catalogue import BaseImage
from ..patterns import Pattern
from . import runs
from .draft import Draft, at_line, carried, is_root, referenced


def _note_base_arguments(draft: Draft, builder: BaseImage, runtime: BaseImage) -> None:
    """A FROM that reads a build argument (``FROM node:${NODE_VERSION}``): the new stages are pinned from its default.

    ``docker build --build-arg NODE_VERSION=22`` chose the original's base; the converted stages no longer
    read it, and a build that passes it would quietly get another image than the one it asks for.
    """
    stage = draft.inp.stage
    declared = {name for ins in draft.inp.dockerfile.global_args if ins.keyword is Keyword.ARG for name, _ in arg_pairs(ins.args)}
    read = list(dict.fromkeys(m.group(1) for m in _VARIABLE.finditer(stage.image.written) if m.group(1) in declared))
    if not read:
        return
    names = ", ".join(read)
    images = " and ".join(dict.fromkeys((builder.reference, runtime.reference)))
    draft.acc.note(
        f"FROM {stage.image.written} reads the build argument{'s' if len(read) > 1 else ''} {names}: the converted stages "
        f"use {images}, chosen from its default ({stage.image.resolved}), so --build-arg {read[0]}=... no longer "
        "changes them; change the FROM lines instead",
        stage.from_.line,
        Level.WARNING,
    )


_VARIABLE = Pattern(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def place_all(draft: Draft, first_source: int | None,
    runtime: BaseImage,
    user: UserSpec,
    start: tuple[str, ...] | None,
    builder: BaseImage,
    builder_reason: str,
) -> None:
    acc = draft.acc
    inp = draft.inp
    stage = inp.stage
    for ins in inp.dockerfile.global_args:
        acc.decide(ins, Placement.BOTH, "global ARG before the first FROM: usable in every FROM")
    from_reason = f"the build stage, now on {builder.reference} ({builder_reason})"
    acc.decide(stage.from_, Placement.BUILDER, from_reason)
    _note_base_arguments(draft, builder, runtime)
    # Everything the runtime receives that could read an ARG: decides where each ARG goes.
    runtime_text = " ".join(runtime_reads(draft, w.instruction) for w in draft.walked) + " ".join(
        line.text for line in acc.r_start
    )
    last_workdir = max((i for i, w in enumerate(draft.walked) if w.instruction.keyword is Keyword.WORKDIR), default=-1)
    last_run = max((i for i, w in enumerate(draft.walked) if w.instruction.keyword in (Keyword.RUN, Keyword.COPY, Keyword.ADD)), default=-1)
    implicit = implicit_workdir(draft)
    if implicit is not None:
        acc.setup.append(
            Line(
                text=f"WORKDIR {implicit}",
                comments=("# The base image's working folder, stated so relative COPY destinations are explicit",),
            )
        )
    forced = dict(inp.forced)
    for index, w in enumerate(draft.walked):
        ins = w.instruction
        target = acc.setup if first_source is None or index < first_source else acc.sources
        if ins.line in acc.decisions:
            continue  # CMD/ENTRYPOINT already placed
        pragma = forced.get(ins.line)
        before = sizes(draft) if pragma else None
        with at_line(ins):
            place(draft, w, index, target, first_source, runtime, user, runtime_text, last_workdir, last_run)
        if pragma is not None and before is not None:
            force(draft, w, pragma, before, target, runtime)


def place(draft: Draft, w: Walked,
    index: int,
    target: list[Line],
    first_source: int | None,
    runtime: BaseImage,
    user: UserSpec,
    runtime_text: str,
    last_workdir: int,
    last_run: int,
) -> None:
    """One instruction's placement by stagify's own rules."""
    acc = draft.acc
    ins = w.instruction
    kw = ins.keyword
    if kw is Keyword.ARG:
        names = [name for name, _ in arg_pairs(ins.args)]
        target.append(carried(ins))
        if any(n in referenced(runtime_text) for n in names):
            acc.r_setup.append(carried(ins))
            acc.decide(ins, Placement.BOTH, "build argument the build and the runtime instructions read")
        else:
            acc.decide(ins, Placement.BUILDER, "build argument: only the build reads it")
    elif kw is Keyword.ENV:
        place_env(draft, ins, target)
    elif kw in (Keyword.LABEL, Keyword.MAINTAINER):
        text = lintfix.maintainer_to_label(ins) if kw is Keyword.MAINTAINER else None
        acc.r_setup.append(carried(ins, text))
        reason = "image metadata belongs to the image people run"
        if text:
            reason += "; MAINTAINER (deprecated) written as a LABEL"
        acc.decide(ins, Placement.RUNTIME, reason)
    elif kw in (Keyword.EXPOSE, Keyword.VOLUME, Keyword.STOPSIGNAL, Keyword.HEALTHCHECK, Keyword.ONBUILD):
        text = lintfix.healthcheck_exec(ins, draft.inp.stage.instructions)
        acc.r_config.append(carried(ins, text))
        reason = _CONFIG_REASONS[kw]
        if text:
            reason += "; written in exec form (through /bin/sh where it needs a shell)"
        acc.decide(ins, Placement.RUNTIME, reason)
    elif kw is Keyword.SHELL:
        target.append(carried(ins))
        acc.decide(ins, Placement.BUILDER, "sets the shell of the build's RUN lines")
    elif kw is Keyword.WORKDIR:
        absolute = lintfix.absolute_workdir(ins, w.state.workdir)
        target.append(carried(ins, absolute))
        extra = "; the relative folder written as the absolute one it names" if absolute else ""
        if index == last_workdir:
            acc.decide(ins, Placement.BOTH, "the build works here and the application runs from here" + extra)
        else:
            acc.decide(ins, Placement.BUILDER, f"a build folder; the runtime works in {draft.final_state.workdir}" + extra)
    elif kw is Keyword.USER:
        place_user(draft, ins, index, last_run, target, user)
    elif kw in (Keyword.COPY, Keyword.ADD):
        place_copy(draft, w, target)
    elif kw is Keyword.RUN:
        place_run(draft, w, index, first_source, runtime, user)
    elif kw is Keyword.FROM:  # pragma: no cover - single stage only
        return


def sizes(draft: Draft) -> tuple[int, int, tuple[int, ...]]:
    acc = draft.acc
    return len(acc.setup), len(acc.sources), tuple(len(x) for x in runtime_lists(draft))


def runtime_lists(draft: Draft) -> tuple[list[Line], ...]:
    acc = draft.acc
    return acc.r_setup, acc.r_root, acc.r_config, acc.r_sources


def force(draft: Draft, w: Walked, pragma: Forced, before: tuple[int, int, tuple[int, ...]], target: list[Line],
           runtime: BaseImage) -> None:
    """A pragma's placement over stagify's own: lines taken out of or added to the runtime stage."""
    ins = w.instruction
    acc = draft.acc
    own = acc.decisions.get(ins.line)
    was = f"; stagify would have placed it in {own.placement.value}: {own.reason}" if own else ""
    in_builder = len(acc.setup) > before[0] or len(acc.sources) > before[1]
    in_runtime = any(len(x) > n for x, n in zip(runtime_lists(draft), before[2], strict=True))
    if pragma.where == "builder":
        for lines, n in zip(runtime_lists(draft), before[2], strict=True):
            del lines[n:]
        if not in_builder:
            target.append(carried(ins))
        acc.decide(ins, Placement.BUILDER, pragma.reason + was)
        return
    if in_runtime:
        acc.decide(ins, own.placement if own else Placement.RUNTIME, pragma.reason)
        return
    kw = ins.keyword
    if kw is Keyword.RUN:
        if not runtime.shell:
            raise StagifyError(draft.inp.dockerfile.path, pragma.line,
                               f"`# stagify: runtime` above RUN: the runtime {runtime.reference} has no shell to run it "
                               "(choose a runtime with one: --runtime debian)")
        acc.r_root.append(carried(ins, lintfix.fix_run_text(lintfix.keyword_upper(ins.raw))))
    elif kw in (Keyword.COPY, Keyword.ADD):
        acc.r_sources.append(carried(ins, lintfix.add_to_copy(ins)))
    else:
        acc.r_setup.append(carried(ins))
    acc.decide(ins, Placement.BOTH if in_builder else Placement.RUNTIME, pragma.reason + was)


def runtime_reads(draft: Draft, ins: Instruction) -> str:
    """The text of an instruction the runtime receives (ENV: its run-time variables only)."""
    if ins.keyword is Keyword.ENV:
        return " ".join(v for n, v in env_pairs(ins.args) if not draft.lang.is_build_env(draft.inp, n))
    return ins.args if ins.keyword in _RUNTIME_KINDS else ""


def implicit_workdir(draft: Draft) -> str | None:
    """The base image's WORKDIR when a COPY/ADD to a relative folder comes before any WORKDIR."""
    for w in draft.walked:
        ins = w.instruction
        if ins.keyword is Keyword.WORKDIR:
            return None
        if ins.keyword in (Keyword.COPY, Keyword.ADD):
            parts = copy_parts(ins)
            if parts and not parts[1].startswith(("/", "$")):
                return w.state.workdir
    return None


def place_env(draft: Draft, ins: Instruction, target: list[Line]) -> None:
    pairs = env_pairs(ins.args)
    runtime_pairs = [(n, v) for n, v in pairs if not draft.lang.is_build_env(draft.inp, n)]
    build_only = [n for n, _ in pairs if draft.lang.is_build_env(draft.inp, n)]
    target.append(carried(ins))
    if not runtime_pairs:
        draft.acc.decide(ins, Placement.BUILDER, f"only the build reads {', '.join(build_only)}")
        return
    if build_only:
        words = [w for w in split_words(ins.args) if w.partition("=")[0] not in build_only]
        text = "ENV " + " ".join(words)
        reason = f"the build and the application read it; {', '.join(build_only)} stay in the builder only"
    else:
        text = None
        reason = "the build may read it and the application reads its environment"
    draft.acc.r_setup.append(carried(ins, text))
    draft.acc.decide(ins, Placement.BOTH, reason)


def place_user(draft: Draft, ins: Instruction, index: int, last_run: int, target: list[Line], user: UserSpec) -> None:
    value = ins.args.strip()
    in_builder = index < last_run
    if in_builder:
        target.append(carried(ins))
    if user.instruction == value:
        placement = Placement.BOTH if in_builder else Placement.RUNTIME
        draft.acc.decide(ins, placement, "the application runs as this non-root user")
        return
    if is_root(value):
        why = f"root is not kept at run time; the runtime runs as {user.instruction}"
    else:
        why = f"the runtime image has no user {value!r}; it runs as its non-root user {user.instruction}"
        draft.acc.note(f"USER {value} becomes USER {user.instruction} in the runtime", ins.line)
    draft.acc.decide(ins, Placement.BUILDER if in_builder else Placement.DROPPED, why)


def place_copy(draft: Draft, w: Walked, target: list[Line]) -> None:
    ins = w.instruction
    rewrite = draft.lang.rewrite_copy(draft.inp, w)
    if rewrite is not None:
        draft.acc.notes.extend(rewrite.notes)
        if rewrite.drop:
            draft.acc.decide(ins, Placement.DROPPED, rewrite.reason)
            return
        (draft.acc.sources if rewrite.builds else target).append(carried(ins, rewrite.text))
        draft.acc.decide(ins, Placement.BUILDER, rewrite.reason)
        return
    text = lintfix.add_to_copy(ins)
    source = ins.flag("from")
    if source is not None:
        target.append(carried(ins, text))
        draft.acc.decide(ins, Placement.BUILDER, f"copies from {source} for the build")
        return
    reason = "the build needs these files from the build context"
    if w.copy is not None and draft.lang.is_manifest_copy(w.copy):
        reason = "dependency manifests first, so the dependency layer stays cached"
    if text is not None:
        reason += "; ADD of local files written as COPY"
    target.append(carried(ins, text))
    runtime_reason = draft.lang.copy_to_runtime(draft.inp, w)
    if runtime_reason and w.copy is not None and w.copy.sources and all(is_secret_file(src) for src in w.copy.sources):
        draft.acc.decide(ins, Placement.BUILDER, f"{reason}; it looks like a secret, so the runtime stage does not get it")
        return
    if runtime_reason:
        draft.acc.r_sources.append(carried(ins, text))
        draft.acc.decide(ins, Placement.BOTH, f"{reason}; {runtime_reason}")
        return
    draft.acc.decide(ins, Placement.BUILDER, reason)


def place_run(draft: Draft, w: Walked, index: int, first_source: int | None, runtime: BaseImage, user: UserSpec) -> None:
    ins = w.instruction
    acc = draft.acc
    rewrite = draft.rewrites.get(ins.line)
    target = acc.setup if first_source is None or index < first_source else acc.sources
    if rewrite is not None:
        if rewrite.drop:
            acc.decide(ins, Placement.DROPPED, rewrite.reason)
            return
        (acc.sources if rewrite.builds else target).append(carried(ins, rewrite.text))
        if rewrite.runtime_text:
            acc.r_root.append(Line(text=rewrite.runtime_text, comments=ins.comments))
            acc.decide(ins, Placement.BOTH, rewrite.reason)
            return
        acc.decide(ins, Placement.BUILDER, rewrite.reason)
        return
    if w.commands and all(not c.argv and c.env for c in w.commands):
        acc.decide(ins, Placement.DROPPED, "no effect: it only sets a variable in a shell that ends with the line")
        return
    mounted = lintfix.pip_cache_mount(ins, w.state.user, draft.inp.dockerfile.escape)
    text = lintfix.fix_run_text(mounted or lintfix.keyword_upper(ins.raw))
    target.append(carried(ins, text))
    if runs.is_user_setup(w) and user.create is None and runtime.shell and user.instruction != "" and runs.creates_user(w, user.name):
        acc.r_root.append(carried(ins, text))
        acc.decide(ins, Placement.BOTH, f"creates the user {user.name} the application runs as")
        return
    installs = packages.installs(list(w.commands))
    if installs:
        kept = []
        for install in installs:
            keep, _ = packages.runtime_packages(install, draft.called, draft.lang.links_libraries(draft.inp))
            kept.extend(keep)
        provided = [p for p in kept if not runtime.package_manager and p in packages.IN_DISTROLESS]
        installed = [p for p in kept if p not in provided]
        if installed:
            acc.decide(ins, Placement.BOTH, f"build packages stay in the builder; {', '.join(installed)} installed again in the runtime")
        elif provided:
            acc.decide(ins, Placement.BUILDER, f"build packages stay in the builder; the runtime image already has {', '.join(provided)}")
        else:
            acc.decide(ins, Placement.BUILDER, "build-only packages: the runtime does not need them")
        return
    if runs.is_user_setup(w):
        acc.decide(ins, Placement.BUILDER, f"the runtime has its own non-root user ({user.instruction})")
        return
    if runs.is_inert(w):
        acc.decide(ins, Placement.BUILDER, "no effect on the runtime (it only inspects or prepares build folders)")
        return
    acc.decide(ins, Placement.BUILDER, "a build step: its results reach the runtime through the copied artifacts")


_RUNTIME_KINDS = (
    Keyword.ENV,
    Keyword.LABEL,
    Keyword.MAINTAINER,
    Keyword.EXPOSE,
    Keyword.VOLUME,
    Keyword.STOPSIGNAL,
    Keyword.HEALTHCHECK,
    Keyword.ONBUILD,
    Keyword.USER,
)

_CONFIG_REASONS = {
    Keyword.EXPOSE: "documents the port the application listens on",
    Keyword.VOLUME: "a data folder of the running container",
    Keyword.STOPSIGNAL: "how the running container is stopped",
    Keyword.HEALTHCHECK: "checks the running application",
    Keyword.ONBUILD: "a trigger for images built on top of this one",
}
