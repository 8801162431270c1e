"""The typed Dockerfile model that every stage after parsing works on.

Instances are frozen: the planner never edits the user's instructions, it decides
where each one goes and, when it rewrites one, produces new text beside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from ..patterns import Pattern


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
                try:
                    defaults[name] = value if value is None else substitute(value, defaults)
                except ExpansionError as exc:
                    raise ExpansionError(exc.message, ins.line) from None
        return defaults


_NAME = Pattern(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = Pattern(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?", re.S)


# Limits on variable expansion, so a hostile Dockerfile cannot take the process down:
# ``${A:-${A:-...}}`` nested deeper than this, or a value that grows by more than this many
# characters when expanded (``ARG A2=$A1$A1`` doubling on every line), is an error at its line.
MAX_EXPANSION_DEPTH = 32
MAX_EXPANSION_GROWTH = 1024 * 1024


class ExpansionError(ValueError):
    """A ``$VAR`` expansion past the limits; ``line`` is filled in by whoever knows the instruction."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def substitute(text: str, values: Mapping[str, str | None], _depth: int = 0) -> str:
    """Expand ``$VAR``, ``${VAR}``, ``${VAR:-x}`` and ``${VAR:+x}`` the way BuildKit does.

    ``\\$`` is a literal dollar, defaults may nest (``${A:-${B}}``), and an unknown
    or value-less variable expands to the empty string, as in a build without
    ``--build-arg``. :class:`ExpansionError` past the depth and size limits.
    """
    if _depth > MAX_EXPANSION_DEPTH:
        raise ExpansionError(f"variables nested more than {MAX_EXPANSION_DEPTH} deep (${{A:-${{B:-...}}}}): not expanded")
    cap = len(text) + MAX_EXPANSION_GROWTH
    out: list[str] = []
    size = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and text[i + 1 : i + 2] == "$":
            out.append("$")
            size += 1
            i += 2
            continue
        if ch != "$":
            j = text.find("$", i + 1)
            j = n if j == -1 else j
            if text[j - 1 : j] == "\\" and j - 1 > i:
                j -= 1
            piece = text[i:j] if j > i else ch
            out.append(piece)
            size += len(piece)
            i += len(piece)
            continue
        piece = ""
        if text[i + 1 : i + 2] == "{":
            depth, j = 1, i + 2
            while j < n and depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            m = _BRACED.fullmatch(text[i + 2 : j - 1]) if not depth else None
            if m is None:
                piece = text[i:j]
            else:
                name, op, word = m.group(1), m.group(2), m.group(3) or ""
                value = values.get(name)
                if op is None:
                    piece = value or ""
                else:
                    is_set = value is not None and (value != "" or not op.startswith(":"))
                    if op.endswith("-"):
                        piece = value if is_set and value is not None else substitute(word, values, _depth + 1)
                    else:
                        piece = substitute(word, values, _depth + 1) if is_set else ""
            i = j
        else:
            m = _NAME.match(text, i + 1)
            if m:
                piece = values.get(m.group(0)) or ""
                i = m.end()
            else:
                piece = "$"
                i += 1
        size += len(piece)
        if size > cap:
            raise ExpansionError(f"the value grows past {MAX_EXPANSION_GROWTH:,} characters when its variables are expanded: not expanded")
        out.append(piece)
    return "".join(out)


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
        name, *rest = re.split(r"\s+", args.strip(), maxsplit=1)
        return [(name, rest[0].strip() if rest else "")]
    pairs = []
    for token in words:
        name, _, value = token.partition("=")
        pairs.append((name, unquote(value)))
    return pairs
