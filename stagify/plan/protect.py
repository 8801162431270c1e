"""Secret-looking files: kept out of the runtime stage and the .dockerignore's blind spots.
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import replace

from ..dockerfile.secrets import holds_credentials, is_secret_file
from ..dockerfile.stageplan import (
    BuilderPlan,
    CopyFrom,
    Line,
    RuntimePlan,
)
from ..dockerfile.walk import copy_parts
from .draft import Draft, pseudo


def scrub_builder(draft: Draft, copies: list[CopyFrom]) -> None:
    """Secret files the Dockerfile copies into a folder the runtime takes whole from the builder: removed there first."""
    records = [w.copy for w in draft.walked if w.copy is not None and w.instruction.flag("from") is None]
    # Copied by name, so the .dockerignore lets them in: a copy of their folder brings them along too.
    named = {s.strip("/") for r in records for s in r.sources if is_secret_file(s)}
    found: list[str] = []
    for record in records:
        for source in record.sources:
            folder = "" if source.strip("/") in ("", ".") else source.strip("/") + "/"
            if source.strip("/") in named:
                dests = [posixpath.join(record.dest, posixpath.basename(source.rstrip("/"))) if record.dest_is_dir else record.dest]
            else:
                dests = [posixpath.join(record.dest, rel[len(folder):]) for rel in sorted(named) if rel.startswith(folder)]
            found += [d for d in dests if any(c.stage is None and d.startswith(c.source.rstrip("/") + "/") for c in copies)]
    if found:
        draft.acc.sources.append(Line(
            text="RUN rm -rf -- " + " ".join(shlex.quote(p) for p in dict.fromkeys(found)),
            comments=("# Secret-looking files the runtime would take with the folder it copies: removed from the builder's",
                      "# final state, so the runtime stage does not get them (pass them at run time)"),
        ))


def exclude_protected_secrets(draft: Draft, runtime: RuntimePlan, protected: tuple[str, ...]) -> RuntimePlan:
    """A runtime COPY of a context folder leaves out the secret files the .dockerignore could not (the builder copies them)."""
    secrets = [p for p in protected if is_secret_file(p, draft.inp.context.read_text(p) if draft.inp.context.is_file(p) else None)]
    if not secrets:
        return runtime
    lines = []
    for line in runtime.sources:
        ins = pseudo(line.text)
        parts = copy_parts(ins) if ins is not None and line.text.split(None, 1)[0] in ("COPY", "ADD") else None
        if ins is None or parts is None or ins.flag("from") is not None:
            lines.append(line)
            continue
        named = [src for src in parts[0] if src.strip("/") in secrets]
        if named and not ins.is_exec_form and "\n" not in line.text:
            kept = [src for src in parts[0] if src not in named]  # a secret named beside other files: only they stay
            if not kept:
                continue
            line = Line(text=" ".join([line.text.split(None, 1)[0], *(f.render() for f in ins.flags), *kept, parts[1]]),
                        comments=line.comments)
            parts = (kept, parts[1])
        excluded = []
        for source in parts[0]:
            folder = "" if source in (".", "./") else source.rstrip("/") + "/"
            excluded += [p[len(folder):] for p in secrets if p.startswith(folder) and p != source.rstrip("/")]
        if not excluded:
            lines.append(line)
            continue
        keyword, rest = line.text.split(None, 1)
        flags = " ".join(f"--exclude={shlex.quote(e)}" for e in dict.fromkeys(excluded))
        lines.append(Line(text=f"{keyword} {flags} {rest}", comments=line.comments))
    return replace(runtime, sources=tuple(lines))


def credential_files(draft: Draft) -> list[str]:
    """Context files with ordinary names (.npmrc, config.json) that hold a credential: ignored by path."""
    found = []
    for rel in draft.inp.context.walk():
        name = rel.rsplit("/", 1)[-1]
        if name in (".npmrc", ".yarnrc.yml", "config.json") and holds_credentials(rel, draft.inp.context.read_text(rel)):
            found.append(rel)
    return found




def protected_sources(builder: BuilderPlan) -> tuple[str, ...]:
    """Context paths the new Dockerfile COPYs by name: .dockerignore must never hide them."""
    found: list[str] = []
    for line in (*builder.setup, *builder.sources):
        first = line.text.split(None, 1)
        if not first or first[0] not in ("COPY", "ADD") or "--from" in line.text.split("\n")[0]:
            continue
        ins = pseudo(line.text)
        parts = copy_parts(ins) if ins is not None else None
        if parts:
            found.extend(s for s in parts[0] if s not in (".", "./"))
    return tuple(dict.fromkeys(found))
