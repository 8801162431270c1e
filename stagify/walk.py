"""Replay a single stage instruction by instruction: working folder, user, environment, copies.

The planner needs to know, for any instruction, which folder it ran in and who
ran it, and for any file of the build context, where the original image had it.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from . import dockerignore, shell
from .context import BuildContext
from .model import Instruction, Keyword, Stage, arg_pairs, env_pairs, split_words, substitute, unquote

_REMOTE = ("http://", "https://", "git@", "git://", "ssh://")


@dataclass(frozen=True)
class BaseDefaults:
    """What a base image sets before the Dockerfile's first instruction."""

    workdir: str = "/"
    env: tuple[tuple[str, str], ...] = ()
    user: str | None = None


@dataclass(frozen=True)
class State:
    workdir: str
    user: str | None
    env: tuple[tuple[str, str], ...]

    def env_map(self) -> dict[str, str]:
        return dict(self.env)

    def resolve(self, path: str) -> str:
        """An absolute, normalised path for ``path`` as seen from this instruction."""
        path = substitute(path, dict(self.env))
        joined = posixpath.join(self.workdir, path)
        cleaned = posixpath.normpath(joined)
        return "/" if cleaned == "//" else cleaned


@dataclass(frozen=True)
class CopyRecord:
    """A COPY/ADD from the build context: which context paths went to which image folder."""

    sources: tuple[str, ...]
    dest: str
    dest_is_dir: bool


@dataclass(frozen=True)
class Walked:
    instruction: Instruction
    state: State  # in effect while the instruction runs (after it, for WORKDIR/USER/ENV)
    copy: CopyRecord | None = None
    commands: tuple[shell.Command, ...] = ()


def run_script(ins: Instruction) -> str:
    """What a RUN executes: its heredoc bodies, its exec-form words or its shell line."""
    if ins.heredocs:
        return "\n".join(h.body for h in ins.heredocs)
    if ins.exec_form is not None:
        return shell.join(list(ins.exec_form))
    return ins.args


def copy_parts(ins: Instruction) -> tuple[list[str], str] | None:
    """(sources, destination) of a COPY/ADD, or None when it has fewer than two paths."""
    parts = list(ins.exec_form) if ins.exec_form is not None else [unquote(w) for w in split_words(ins.args)]
    if len(parts) < 2:
        return None
    return parts[:-1], parts[-1]


def walk(stage: Stage, defaults: BaseDefaults, context: BuildContext | None = None) -> list[Walked]:
    state = State(workdir=defaults.workdir, user=defaults.user, env=defaults.env)
    out: list[Walked] = []
    for ins in stage.instructions:
        if ins.keyword is Keyword.WORKDIR:
            state = State(workdir=state.resolve(unquote(ins.args.strip())), user=state.user, env=state.env)
            out.append(Walked(ins, state))
        elif ins.keyword is Keyword.USER:
            state = State(workdir=state.workdir, user=ins.args.strip(), env=state.env)
            out.append(Walked(ins, state))
        elif ins.keyword is Keyword.ENV:
            env = dict(state.env)
            for name, value in env_pairs(ins.args):
                env[name] = substitute(value, dict(env))
            state = State(workdir=state.workdir, user=state.user, env=tuple(env.items()))
            out.append(Walked(ins, state))
        elif ins.keyword is Keyword.ARG:
            env = dict(state.env)
            for name, default in arg_pairs(ins.args):
                if default is not None and name not in env:
                    env[name] = default  # visible to later RUN lines like an ENV, for path resolution
            state = State(state.workdir, state.user, tuple(env.items()))
            out.append(Walked(ins, state))
        elif ins.keyword in (Keyword.COPY, Keyword.ADD):
            out.append(Walked(ins, state, copy=_copy_record(ins, state, context)))
        elif ins.keyword is Keyword.RUN:
            out.append(Walked(ins, state, commands=tuple(shell.commands(run_script(ins)))))
        else:
            out.append(Walked(ins, state))
    return out


def _copy_record(ins: Instruction, state: State, context: BuildContext | None) -> CopyRecord | None:
    if ins.flag("from") is not None or ins.heredocs:
        return None
    parts = copy_parts(ins)
    if parts is None:
        return None
    sources, dest = parts
    if any(s.startswith(_REMOTE) for s in sources):
        return None
    cleaned = tuple(dockerignore.clean(s) or "." for s in sources)
    resolved = state.resolve(dest)
    is_dir = (
        dest.endswith(("/", "/."))
        or dest == "."
        or resolved == state.workdir
        or len(sources) > 1
        or any(_is_glob(s) for s in cleaned)
        or any(s == "." or (context is not None and (context.root / s).is_dir()) for s in cleaned)
    )
    return CopyRecord(sources=cleaned, dest=resolved, dest_is_dir=is_dir)


def _is_glob(path: str) -> bool:
    return any(ch in path for ch in "*?[")


def image_path(copies: list[CopyRecord], rel: str, context: BuildContext) -> str | None:
    """Where context path ``rel`` ended up in the original image (the last copy wins), or None."""
    rel = dockerignore.clean(rel)
    if not context.exists(rel):
        return None
    for record in reversed(copies):
        for source in record.sources:
            target = _place(record, source, rel, context)
            if target is not None:
                return target
    return None


def _place(record: CopyRecord, source: str, rel: str, context: BuildContext) -> str | None:
    if source == ".":
        return posixpath.join(record.dest, rel)
    source_is_dir = not _is_glob(source) and (context.root / source).is_dir()
    if source_is_dir and (rel == source or rel.startswith(source + "/")):
        inner = rel[len(source) :].lstrip("/")
        return posixpath.join(record.dest, inner) if inner else record.dest
    if _is_glob(source) and dockerignore.glob_regex(source).match(rel):
        return posixpath.join(record.dest, posixpath.basename(rel)) if record.dest_is_dir else record.dest
    if rel == source:
        return posixpath.join(record.dest, posixpath.basename(rel)) if record.dest_is_dir else record.dest
    return None


def origin_of(copies: list[CopyRecord], target: str, context: BuildContext) -> str | None:
    """The context path that the original image has at ``target``, or None (the inverse of image_path)."""
    for record in reversed(copies):
        dest = record.dest.rstrip("/") or "/"
        if target == dest and not record.dest_is_dir and len(record.sources) == 1:
            return record.sources[0] if context.exists(record.sources[0]) else None
        prefix = dest if dest.endswith("/") else dest + "/"
        if not target.startswith(prefix):
            continue
        rel = target[len(prefix) :]
        for source in record.sources:
            if source == ".":
                candidate = rel
            elif not _is_glob(source) and (context.root / source).is_dir():
                candidate = f"{source}/{rel}"
            elif ("/" not in rel and posixpath.basename(source) == rel) or (_is_glob(source) and dockerignore.glob_regex(source).match(rel)):
                candidate = source if not _is_glob(source) else rel
            else:
                continue
            if context.exists(candidate):
                return candidate
    return None
