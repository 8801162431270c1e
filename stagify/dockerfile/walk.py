"""Replay a single stage instruction by instruction: working folder, user, environment, copies.

The planner needs to know, for any instruction, which folder it ran in and who
ran it, and for any file of the build context, where the original image had it.
"""

from __future__ import annotations

import posixpath
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from ..context import dockerignore
from ..context.buildcontext import BuildContext
from . import shell
from .model import ExpansionError, Instruction, Keyword, Stage, arg_pairs, env_pairs, split_words, substitute, unquote

_REMOTE = ("http://", "https://", "git@", "git://", "ssh://")
# All the ENV values of one stage together, after expansion: past this, the file is refused at
# the line that crosses it (each value is already bounded by model.MAX_EXPANSION_GROWTH).
MAX_ENV_BYTES = 64 * 1024 * 1024


class _History:
    """Every value each name took during one walk, by version: the store that Env views share."""

    def __init__(self) -> None:
        self.versions: dict[str, list[int]] = {}
        self.values: dict[str, list[str]] = {}
        self.order: list[str] = []  # names by first appearance, for iteration in insertion order
        self.latest = 0
        self.size = 0


class Env(Mapping[str, str]):
    """An immutable environment. A change makes a new version over a shared history instead of a
    copy, so a stage of n instructions costs O(n) memory and time, not O(n²)."""

    __slots__ = ("_hash", "_history", "_version")

    def __init__(self, history: _History, version: int, content_hash: int = 0) -> None:
        self._history = history
        self._version = version
        self._hash = content_hash  # XOR of the (name, value) pairs' hashes, kept up to date by with_

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]] = ()) -> Env:
        return cls(_History(), 0).with_(dict(pairs))

    def with_(self, updates: Mapping[str, str]) -> Env:
        """This environment with ``updates`` set (a new version; this one is unchanged)."""
        if not updates:
            return self
        history = self._history
        if history.latest != self._version:  # an older state changed: start a history of its own
            fresh = _History()
            fresh_env = Env(fresh, 0)
            return fresh_env.with_({**dict(self.items()), **updates})
        content_hash = self._hash
        for name, value in updates.items():
            if name in self:
                content_hash ^= hash((name, self[name]))
            content_hash ^= hash((name, value))
        history.latest += 1
        for name, value in updates.items():
            if name not in history.versions:
                history.versions[name] = []
                history.values[name] = []
                history.order.append(name)
            history.versions[name].append(history.latest)
            history.values[name].append(value)
            history.size += len(value)
        return Env(history, history.latest, content_hash)

    @property
    def stored_bytes(self) -> int:
        """The size of every value the shared history holds."""
        return self._history.size

    def __getitem__(self, name: str) -> str:
        versions = self._history.versions.get(name)
        if versions is None:
            raise KeyError(name)
        index = bisect_right(versions, self._version) - 1
        if index < 0:
            raise KeyError(name)
        return self._history.values[name][index]

    def __contains__(self, name: object) -> bool:
        versions = self._history.versions.get(name) if isinstance(name, str) else None
        return bool(versions) and versions[0] <= self._version  # type: ignore[index]

    def __iter__(self) -> Iterator[str]:
        return (n for n in self._history.order if self._history.versions[n][0] <= self._version)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Env):
            if other._history is self._history and other._version == self._version:
                return True
            if other._hash != self._hash:
                return False
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __hash__(self) -> int:
        return self._hash  # equal contents, equal hash: the pairs' hashes combined without order

    def __repr__(self) -> str:
        return f"Env({dict(self.items())!r})"


class _Overlay(Mapping[str, str]):
    """The names an ENV line sets so far, over the environment before it (no copy)."""

    def __init__(self, top: dict[str, str], below: Mapping[str, str]) -> None:
        self.top = top
        self.below = below

    def __getitem__(self, name: str) -> str:
        return self.top[name] if name in self.top else self.below[name]

    def __iter__(self) -> Iterator[str]:
        yield from self.top
        yield from (n for n in self.below if n not in self.top)

    def __len__(self) -> int:
        return sum(1 for _ in self)


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
    env: Env

    def env_map(self) -> Mapping[str, str]:
        return self.env

    def resolve(self, path: str) -> str:
        """An absolute, normalised path for ``path`` as seen from this instruction."""
        path = substitute(path, self.env)
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
    """Each instruction of ``stage`` with the state it runs in; ExpansionError (with its line) past the limits."""
    state = State(workdir=defaults.workdir, user=defaults.user, env=Env.of(defaults.env))
    out: list[Walked] = []
    for ins in stage.instructions:
        try:
            state, walked = _step(ins, state, context)
        except ExpansionError as exc:
            raise ExpansionError(exc.message, ins.line) from None
        out.append(walked)
        if state.env.stored_bytes > MAX_ENV_BYTES:
            raise ExpansionError(f"the stage's ENV values add up to more than {MAX_ENV_BYTES:,} bytes once expanded", ins.line)
    return out


def _step(ins: Instruction, state: State, context: BuildContext | None) -> tuple[State, Walked]:
    if ins.keyword is Keyword.WORKDIR:
        state = State(workdir=state.resolve(unquote(ins.args.strip())), user=state.user, env=state.env)
        return state, Walked(ins, state)
    if ins.keyword is Keyword.USER:
        state = State(workdir=state.workdir, user=ins.args.strip(), env=state.env)
        return state, Walked(ins, state)
    if ins.keyword is Keyword.ENV:
        updates: dict[str, str] = {}
        for name, value in env_pairs(ins.args):
            updates[name] = substitute(value, _Overlay(updates, state.env))
        state = State(workdir=state.workdir, user=state.user, env=state.env.with_(updates))
        return state, Walked(ins, state)
    if ins.keyword is Keyword.ARG:
        # visible to later RUN lines like an ENV, for path resolution
        added: dict[str, str] = {}
        for name, default in arg_pairs(ins.args):
            if default is not None and name not in state.env and name not in added:
                added[name] = default
        state = State(state.workdir, state.user, state.env.with_(added))
        return state, Walked(ins, state)
    if ins.keyword in (Keyword.COPY, Keyword.ADD):
        return state, Walked(ins, state, copy=_copy_record(ins, state, context))
    if ins.keyword is Keyword.RUN:
        return state, Walked(ins, state, commands=tuple(shell.commands(run_script(ins))))
    return state, Walked(ins, state)


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
        or any(s == "." or (context is not None and context.has_dir(s)) for s in cleaned)
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
    source_is_dir = not _is_glob(source) and context.has_dir(source)
    if source_is_dir and (rel == source or rel.startswith(source + "/")):
        inner = rel[len(source) :].lstrip("/")
        return posixpath.join(record.dest, inner) if inner else record.dest
    if _is_glob(source) and _glob_matches(source, rel):
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
            elif not _is_glob(source) and context.has_dir(source):
                candidate = f"{source}/{rel}"
            elif ("/" not in rel and posixpath.basename(source) == rel) or (_is_glob(source) and _glob_matches(source, rel)):
                candidate = source if not _is_glob(source) else rel
            else:
                continue
            if context.exists(candidate):
                return candidate
    return None


def _glob_matches(pattern: str, rel: str) -> bool:
    """Whether a COPY source glob matches a context path (a malformed glob matches nothing: BuildKit fails on it)."""
    try:
        return dockerignore.compile_glob(pattern).match(rel)
    except dockerignore.PatternError:
        return False
