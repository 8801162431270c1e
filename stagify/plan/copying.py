"""What the runtime copies from the build stage: artifacts, the started program, run-time files, what RUN lines wrote.
"""

from __future__ import annotations

import posixpath
import re

from ..dockerfile import selfcheck, shell
from ..dockerfile.model import Keyword
from ..dockerfile.secrets import is_secret_file
from ..dockerfile.stageplan import (
    CopyFrom,
    Decision,
    Level,
    Line,
    Placement,
    UserSpec,
)
from ..images.catalogue import BaseImage
from ..images.reference import Family
from ..patterns import Pattern
from . import ledger
from .draft import SHELLS, Draft, exec_list

# Files whose content the app is likely to write at run time (kept owned by the runtime user).
_WRITABLE = Pattern(r"\.(db|sqlite3?|db3)$")


def runtime_copies(draft: Draft, runtime: BaseImage, user: UserSpec, start: tuple[str, ...] | None) -> list[CopyFrom]:
    inp, acc = draft.inp, draft.acc
    copies: list[CopyFrom] = []
    seen: set[str] = set()
    added: set[tuple[str | None, str, str]] = set()
    owner = user.instruction if ":" in user.instruction else f"{user.instruction}:{user.instruction}"

    def add(source: str, dest: str, reason: str, chown: str | None = None, stage: str | None = None) -> None:
        # Several folders may fill one destination (Spring Boot's layers into ./): one copy per source.
        if (dest in seen and not dest.endswith("/")) or (stage, source, dest) in added:
            return
        if is_secret_file(source):
            acc.note(f"{source} looks like a secret: not copied into the runtime; pass it at run time", None, Level.WARNING)
            return
        seen.add(dest)
        added.add((stage, source, dest))
        copies.append(CopyFrom(source=source, dest=dest, chown=chown, reason=reason, stage=stage))

    path_dirs = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
    exe = start[0] if start else None
    for artifact in [*draft.lang.runtime_artifacts(inp, runtime), *draft.artifacts]:
        dest = artifact.dest or artifact.path
        if exe and "/" not in exe and posixpath.basename(dest) == exe and posixpath.dirname(dest) not in path_dirs:
            dest = f"/usr/local/bin/{exe}"  # the start command finds it on PATH, as before
        add(artifact.path, dest, artifact.reason, stage=artifact.stage)
    def covered(target: str) -> bool:
        return any(target == d or target.startswith(d.rstrip("/") + "/") for d in seen)

    if exe and "/" in exe and exe.split("/")[1] not in ("bin", "usr", "sbin", "busybox"):
        target = draft.final_state.resolve(exe)
        if not covered(target):
            add(target, target, "the program the start command runs")
    elif exe and start and exe.rsplit("/", 1)[-1] in SHELLS:
        at = selfcheck.script_index(start)
        for word in start[at : at + 1] if at is not None else ():
            for command in shell.commands(word):
                if shell.words(command.text) is None:
                    continue  # an unclosed quote: the shell cannot run it, so it names no program to copy
                if command.argv and "/" in command.argv[0]:
                    target = draft.final_state.resolve(command.argv[0])
                    if not target.startswith(("/bin/", "/usr/")) and not covered(target):
                        add(target, target, "the program the start command runs")
    for rel, why in draft.lang.runtime_files(inp):
        where = inp.image_path(rel)
        if where is None or covered(where):
            continue
        if is_secret_file(rel, inp.context.read_text(rel)):
            acc.note(f"{rel} looks like a secret: not copied into the runtime; pass it at run time", None, Level.WARNING)
            continue
        chown = owner if _WRITABLE.search(rel) else None
        add(where, where, why, chown)
    if runtime.family is Family.SCRATCH:
        acc.note("scratch has no CA bundle or user database: both are copied from the builder")
    return copies


def ledger_copies(draft: Draft, copies: list[CopyFrom], user: UserSpec) -> list[CopyFrom]:
    """Copies of what the original's own RUN lines wrote, and the folders the application writes.

    Every path a RUN line wrote gets a fate (see :mod:`stagify.plan.ledger`); the ones the runtime
    does not already have are copied from the builder after the sources, so an edit made by the
    build wins over the file as copied from the build context. Writable paths are owned by the
    runtime user in the builder, and the copies keep that owner.
    """
    acc = draft.acc
    from_builder = [c for c in copies if c.stage is None]

    def covered(path: str) -> bool:
        return any(path == c.source or path.startswith(c.source.rstrip("/") + "/") for c in from_builder)

    runs = [w for w in draft.walked if acc.decisions.get(w.instruction.line) is not None
            and acc.decisions[w.instruction.line].placement is Placement.BUILDER]
    workdir = draft.lang.runtime_workdir(draft.inp, draft.final_state.workdir if draft.final_state.workdir != "/" else None)
    found = ledger.fates(ledger.run_effects(runs), covered, workdir)
    owner = user.instruction if ":" in user.instruction else f"{user.instruction}:{user.instruction}"
    if user.uid:
        owner = f"{user.uid}:{user.uid}" if not re.fullmatch(r"\d+(:\d+)?", user.instruction) else owner
    written = app_writes(draft, workdir or draft.final_state.workdir or "/", owner)
    writable = sorted({f.path for f in found if f.writable and (f.carried or covered(f.path))} | set(volumes(draft)) | set(written))

    def folder(path: str) -> bool:
        return path in written or is_folder(draft, path, found)
    late: list[CopyFrom] = []
    carried_by_line: dict[int, list[str]] = {}
    for fate in ledger.merged(found):
        # A folder a COPY creates is root-owned whatever its owner in the builder: --chown makes it the user's.
        chown = owner if fate.path in writable and is_folder(draft, fate.path, found) else None
        late.append(CopyFrom(source=fate.path, dest=fate.path, reason=fate.reason, chown=chown))
        said = fate.reason.split(": ", 1)[0] + f", so it copies {fate.path}" if "may write anywhere" in fate.reason else fate.path
        carried_by_line.setdefault(fate.line, []).append(said)
    for path in volumes(draft):
        if not covered(path) and all(c.source != path for c in late):
            late.append(CopyFrom(source=path, dest=path, reason="a VOLUME of the original: created owned by the runtime user",
                                 chown=owner))
    for path, why in written.items():
        if not covered(path) and all(c.source != path for c in late):
            late.append(CopyFrom(source=path, dest=path, reason=f"the program writes there at run time ({why}): created owned "
                                 "by the runtime user", chown=owner))
    for line, paths in carried_by_line.items():
        decision = acc.decisions[line]
        before = decision.reason
        if "no effect" in before or "reach the runtime through the copied artifacts" in before:
            before = "a build step"  # what it writes is copied: "no effect on the runtime" would not be true
        acc.decisions[line] = Decision(decision.instruction, decision.placement,
                                       f"{before}; the runtime copies what it writes: {', '.join(paths)}")
    for fate in found:
        if not fate.carried and fate.reason.startswith("`") and "cannot be told" in fate.reason:
            acc.note(fate.reason, fate.line, Level.WARNING)
    if writable:
        acc.sources.append(Line(
            text=f"RUN mkdir -p {' '.join(p for p in writable if folder(p))} && chown -R {owner} {' '.join(writable)}"
            if any(folder(p) for p in writable) else f"RUN chown -R {owner} {' '.join(writable)}",
            comments=(f"# Places the application writes at run time, owned by the runtime user ({owner}): "
                      "the original ran as root and could write there",)))
    return late


def app_writes(draft: Draft, workdir: str, owner: str) -> dict[str, str]:
    """The folders the application's own code writes at run time, as image paths, each with where its code says so.

    The original ran as root and could create them; the runtime user gets them made and owned. Writing
    into the working folder itself or a system folder cannot be granted that way: a warning says so.
    """
    out: dict[str, str] = {}
    for rel, why in draft.lang.runtime_writes(draft.inp):
        path = posixpath.normpath(posixpath.join(workdir, rel))
        if path == posixpath.normpath(workdir) or ledger.SYSTEM.match(path):
            draft.acc.note(f"{why}: the program writes files in {path} at run time, which the runtime user ({owner}) cannot "
                           "(the original ran as root); give it a folder of its own (or a VOLUME) to write in", None, Level.WARNING)
            continue
        out.setdefault(path, why)
    return out


def volumes(draft: Draft) -> list[str]:
    out: list[str] = []
    for w in draft.walked:
        if w.instruction.keyword is Keyword.VOLUME:
            form = exec_list(w.instruction.args)
            for word in form if form is not None else w.instruction.args.split():
                if word.startswith("/"):
                    out.append(posixpath.normpath(word))
                elif word:
                    out.append(w.state.resolve(word))
    return out


def is_folder(draft: Draft, path: str, found: tuple[ledger.Fate, ...]) -> bool:
    kinds = [f.kind for f in found if f.path == path]
    return path in volumes(draft) or any(k.value == "dir" for k in kinds)

