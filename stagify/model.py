"""The typed Dockerfile model that every stage after parsing works on.

Instances are frozen: the planner never edits the user's instructions, it decides
where each one goes and, when it rewrites one, produces new text beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum


class Keyword(str, Enum):
    """Every instruction the Dockerfile frontend knows."""

    ADD = "ADD"
    ARG = "ARG"
    CMD = "CMD"
    COPY = "COPY"
    ENTRYPOINT = "ENTRYPOINT"
    ENV = "ENV"
    EXPOSE = "EXPOSE"
    FROM = "FROM"
    HEALTHCHECK = "HEALTHCHECK"
    LABEL = "LABEL"
    MAINTAINER = "MAINTAINER"
    ONBUILD = "ONBUILD"
    RUN = "RUN"
    SHELL = "SHELL"
    STOPSIGNAL = "STOPSIGNAL"
    USER = "USER"
    VOLUME = "VOLUME"
    WORKDIR = "WORKDIR"


@dataclass(frozen=True)
class Flag:
    """A ``--name=value`` option written before an instruction's arguments."""

    name: str
    value: str | None

    def render(self) -> str:
        return f"--{self.name}" if self.value is None else f"--{self.name}={self.value}"


@dataclass(frozen=True)
class Heredoc:
    """A BuildKit heredoc body (``RUN <<EOF ... EOF``), kept verbatim."""

    delimiter: str
    body: str
    strip_tabs: bool = False


@dataclass(frozen=True)
class Directive:
    """A parser directive (``# syntax=``, ``# escape=``, ``# check=``); always first."""

    name: str
    value: str
    raw: str
    line: int


@dataclass(frozen=True)
class Instruction:
    """One instruction with everything needed to re-emit it exactly as written."""

    keyword: Keyword
    line: int
    end_line: int
    raw: str
    args: str
    flags: tuple[Flag, ...] = ()
    comments: tuple[str, ...] = ()
    heredocs: tuple[Heredoc, ...] = ()
    exec_form: tuple[str, ...] | None = None

    def flag(self, name: str) -> str | None:
        """The value of flag ``--name`` (``""`` for a bare flag), or None when absent."""
        for f in self.flags:
            if f.name == name:
                return "" if f.value is None else f.value
        return None

    @property
    def is_exec_form(self) -> bool:
        return self.exec_form is not None


@dataclass(frozen=True)
class ImageName:
    """The image a FROM names, before and after global ARG substitution."""

    written: str
    resolved: str


@dataclass(frozen=True)
class Stage:
    """A FROM and the instructions that follow it up to the next FROM."""

    index: int
    from_: Instruction
    image: ImageName
    alias: str | None
    platform: str | None
    instructions: tuple[Instruction, ...]


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile: directives, instructions and the file's own conventions."""

    path: str
    directives: tuple[Directive, ...]
    instructions: tuple[Instruction, ...]
    trailing_comments: tuple[str, ...] = ()
    newline: str = "\n"
    bom: bool = False
    escape: str = "\\"
    stages: tuple[Stage, ...] = field(default=())

    @property
    def global_args(self) -> tuple[Instruction, ...]:
        """The ARGs declared before the first FROM (usable in every FROM)."""
        out = []
        for ins in self.instructions:
            if ins.keyword is Keyword.FROM:
                break
            out.append(ins)
        return tuple(out)

    def arg_defaults(self) -> dict[str, str | None]:
        """Global ARG names mapped to their default value (None when declared without one)."""
        defaults: dict[str, str | None] = {}
        for ins in self.global_args:
            for name, value in arg_pairs(ins.args):
                defaults[name] = value if value is None else substitute(value, defaults)
        return defaults


_VAR = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+])(?P<word>[^}]*))?\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


def substitute(text: str, values: dict[str, str | None]) -> str:
    """Expand ``$VAR``, ``${VAR}``, ``${VAR:-x}`` and ``${VAR:+x}`` the way BuildKit does.

    An unknown or value-less variable expands to the empty string, as in a build
    without ``--build-arg``.
    """

    def one(m: re.Match[str]) -> str:
        name = m.group("braced") or m.group("plain")
        value = values.get(name)
        op = m.group("op")
        if op is None:
            return value or ""
        word = m.group("word") or ""
        is_set = value is not None and (value != "" or not op.startswith(":"))
        if op.endswith("-"):
            return value if is_set and value is not None else word
        return word if is_set else ""

    return _VAR.sub(one, text)


def arg_pairs(args: str) -> list[tuple[str, str | None]]:
    """``ARG A=1 B`` -> ``[("A", "1"), ("B", None)]`` (quotes around values removed)."""
    pairs: list[tuple[str, str | None]] = []
    for token in split_words(args):
        name, eq, value = token.partition("=")
        pairs.append((name, unquote(value) if eq else None))
    return pairs


def split_words(text: str) -> list[str]:
    """Split on whitespace outside quotes, keeping the quotes (for ENV/ARG/LABEL pairs)."""
    words: list[str] = []
    current: list[str] = []
    quote: str | None = None
    escaped = False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
            continue
        if ch == "\\" and quote != "'":
            current.append(ch)
            escaped = True
            continue
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
            current.append(ch)
            continue
        if ch.isspace():
            if current:
                words.append("".join(current))
                current = []
            continue
        current.append(ch)
    if current:
        words.append("".join(current))
    return words


def unquote(value: str) -> str:
    """Drop one level of matching quotes and backslash escapes inside double quotes."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        return inner if value[0] == "'" else re.sub(r"\\(.)", r"\1", inner)
    return value


def env_pairs(args: str) -> list[tuple[str, str]]:
    """``ENV A=1 B="x y"`` or the legacy ``ENV A 1 2`` -> name/value pairs."""
    words = split_words(args)
    if words and "=" not in words[0]:
        name, _, rest = args.strip().partition(" ")
        return [(name, rest.strip())]
    pairs = []
    for token in words:
        name, _, value = token.partition("=")
        pairs.append((name, unquote(value)))
    return pairs
