"""Dockerfile text -> :class:`~stagify.dockerfile.model.Dockerfile`. The only module that uses dockerfile-parse.

dockerfile-parse splits instructions well but has traps this module covers
(see STYLE.md): its line numbers are 0-based, blank lines inside a continuation
end the instruction, a keyword on the last line without a newline is dropped,
an unterminated continuation vanishes, and heredoc bodies come back as bogus
instructions. So a small pre-pass finds directives, heredoc bodies and
continuations first, hands dockerfile-parse a text with those neutralised
(line count unchanged), and keeps the original lines for re-emitting.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass

from dockerfile_parse import DockerfileParser

from ..errors import StagifyError
from ..patterns import Pattern
from .model import (
    Directive,
    Dockerfile,
    ExpansionError,
    Flag,
    Heredoc,
    ImageName,
    Instruction,
    Keyword,
    Stage,
    split_words,
    substitute,
)

# About 1.4 KB of memory and 80 µs per instruction (benchmarks/limits.py): at most some 700 MB and 40 s.
MAX_INSTRUCTIONS = 500_000

# BuildKit's directive grammar; unknown names are plain comments and end the directive block.
_DIRECTIVE = Pattern(r"^#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(.*?)\s*$")
_KNOWN_DIRECTIVES = ("syntax", "escape", "check")
_HEREDOC_WORD = Pattern(r"^\d*<<(-?)([\"']?)([^\s<>\"']+)\2$")
_FLAGS = Pattern(r"^((?:\s*--[A-Za-z][\w-]*(?:=(?:[^\s\"']|\"[^\"]*\"|'[^']*')*)?)*)\s*(.*)$", re.S)
_HEREDOC_KEYWORDS = ("RUN", "COPY", "ADD")
# Instructions whose leading --options are flags rather than arguments.
_FLAGGED = (Keyword.RUN, Keyword.COPY, Keyword.ADD, Keyword.FROM, Keyword.HEALTHCHECK)


@dataclass(frozen=True)
class _Span:
    """Where one instruction sits in the file, found by the pre-pass (0-based lines)."""

    start: int
    end: int  # last line of the instruction itself
    body_end: int  # last line including heredoc bodies
    heredocs: tuple[Heredoc, ...]


def decode(data: bytes, path: str) -> tuple[str, bool]:
    """Bytes -> text and whether a UTF-8 BOM was present; binary or non-UTF-8 data is an error."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise StagifyError(path, data.count(b"\n", 0, nul) + 1, "binary data (a NUL byte): not a Dockerfile")
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise StagifyError(path, line, "not valid UTF-8 text: not a Dockerfile") from None
    return text, bom


def parse(data: str | bytes, path: str = "Dockerfile") -> Dockerfile:
    """Parse a Dockerfile; raise :class:`StagifyError` with a 1-based line for anything unreadable."""
    if isinstance(data, bytes):
        text, bom = decode(data, path)
    else:
        bom = data.startswith("\ufeff")
        text = data[1:] if bom else data
        if "\x00" in text:
            raise StagifyError(path, text.count("\n", 0, text.index("\x00")) + 1, "binary data (a NUL byte): not a Dockerfile")
    first_break = text.find("\n")
    newline = "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not any(line.strip() for line in lines):
        raise StagifyError(path, None, "the file is empty: no instructions to convert")

    directives, escape, first = _directives(lines, path)
    spans = _scan(lines, first, escape, path)
    if len(spans) > MAX_INSTRUCTIONS:  # memory and time grow linearly with this count: a bound, documented
        raise StagifyError(path, spans[MAX_INSTRUCTIONS].start + 1, f"more than {MAX_INSTRUCTIONS:,} instructions: stagify converts at most that many")
    structure = _dockerfile_parse(lines, directives, spans, escape)

    instructions: list[Instruction] = []
    previous_end = first - 1
    for span in spans:
        entry = structure.get(span.start)
        if entry is None:  # pragma: no cover - the pre-pass and dockerfile-parse agree on starts
            raise StagifyError(path, span.start + 1, "cannot read this instruction")
        comments = _comments(lines[previous_end + 1 : span.start])
        instructions.append(_instruction(entry, span, lines, comments, path))
        previous_end = span.body_end
    trailing = _comments(lines[previous_end + 1 :])

    if not instructions:
        raise StagifyError(path, None, "no instructions, only comments: nothing to build")
    dockerfile = Dockerfile(
        path=path,
        directives=tuple(directives),
        instructions=tuple(instructions),
        trailing_comments=trailing,
        newline=newline,
        bom=bom,
        escape=escape,
    )
    return _with_stages(dockerfile)


def _directives(lines: list[str], path: str) -> tuple[list[Directive], str, int]:
    directives: list[Directive] = []
    escape = "\\"
    index = 0
    while index < len(lines):
        m = _DIRECTIVE.match(lines[index])
        if not m or m.group(1).lower() not in _KNOWN_DIRECTIVES:
            break
        name, value = m.group(1).lower(), m.group(2)
        if any(d.name == name for d in directives):
            raise StagifyError(path, index + 1, f"the {name} directive is given twice")
        if name == "escape":
            if value not in ("\\", "`"):
                raise StagifyError(path, index + 1, f"invalid escape character {value!r}: use \\ or `")
            escape = value
        directives.append(Directive(name=name, value=value, raw=lines[index].rstrip(), line=index + 1))
        index += 1
    return directives, escape, index


def _continues(line: str, escape: str) -> bool:
    return line.rstrip().endswith(escape)


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _scan(lines: list[str], first: int, escape: str, path: str) -> list[_Span]:
    """Find each instruction's lines and its heredoc bodies, the way BuildKit reads them."""
    spans: list[_Span] = []
    index = first
    while index < len(lines):
        line = lines[index]
        if not line.strip() or _is_comment(line):
            index += 1
            continue
        start = index
        logical = [line]
        while _continues(lines[index], escape):
            index += 1
            while index < len(lines) and (not lines[index].strip() or _is_comment(lines[index])):
                index += 1  # BuildKit skips blank and comment lines inside a continuation
            if index >= len(lines):
                raise StagifyError(
                    path, start + 1, f"unterminated line continuation: the file ends after {escape!r}"
                )
            logical.append(lines[index])
        end = index
        heredocs: list[Heredoc] = []
        keyword = line.split(None, 1)[0].upper()
        if keyword == "ONBUILD" and len(line.split()) > 1:
            keyword = line.split()[1].upper()
        if keyword in _HEREDOC_KEYWORDS:
            for strip_tabs, name in _heredoc_markers(" ".join(logical)):
                body: list[str] = []
                index += 1
                while True:
                    if index >= len(lines):
                        raise StagifyError(
                            path, start + 1, f"unterminated heredoc: no line {name!r} closes <<{name}"
                        )
                    candidate = lines[index].lstrip("\t") if strip_tabs else lines[index]
                    if candidate.rstrip() == name:
                        break
                    body.append(lines[index])
                    index += 1
                heredocs.append(Heredoc(delimiter=name, body="\n".join(body), strip_tabs=strip_tabs))
        spans.append(_Span(start=start, end=end, body_end=index, heredocs=tuple(heredocs)))
        index += 1
    return spans


def _heredoc_markers(logical: str) -> list[tuple[bool, str]]:
    """The heredoc delimiters an instruction opens (``<<EOF``, ``<<-'EOF'``, ``<< EOF``)."""
    rest = logical.split(None, 1)[1] if len(logical.split(None, 1)) > 1 else ""
    if rest.lstrip().startswith("["):
        return []  # exec form: no heredocs
    words = rest.split()
    markers: list[tuple[bool, str]] = []
    for i, word in enumerate(words):
        if word in ("<<", "<<-") and i + 1 < len(words):
            word = word + words[i + 1]
        m = _HEREDOC_WORD.match(word)
        if m:
            markers.append((m.group(1) == "-", m.group(3)))
    return markers


def _dockerfile_parse(
    lines: list[str], directives: list[Directive], spans: list[_Span], escape: str
) -> dict[int, dict[str, object]]:
    """Run dockerfile-parse over a copy of the text with the pre-pass's findings neutralised."""
    feed = list(lines)
    for d in directives:
        feed[d.line - 1] = ""
    if escape != "\\":
        feed[0] = f"# escape={escape}"  # line 0 is a directive line, so numbering is unchanged
    for span in spans:
        for i in range(span.start + 1, span.end):
            if not feed[i].strip():
                feed[i] = escape  # dockerfile-parse would end the instruction at a blank line
        for i in range(span.end + 1, span.body_end + 1):
            feed[i] = ""  # heredoc bodies would come back as bogus instructions
    parser = DockerfileParser(fileobj=io.BytesIO(("\n".join(feed) + "\n").encode("utf-8")), env_replace=False)
    return {
        int(entry["startline"]): entry
        for entry in parser.structure
        if entry["instruction"] != "COMMENT"
    }


def _comments(block: list[str]) -> tuple[str, ...]:
    """Comment lines above an instruction, blank separators collapsed and trimmed."""
    out: list[str] = []
    for line in block:
        if _is_comment(line):
            out.append(line.rstrip())
        elif not line.strip() and out and out[-1] != "":
            out.append("")
    while out and out[-1] == "":
        out.pop()
    return tuple(out)


def _instruction(
    entry: dict[str, object], span: _Span, lines: list[str], comments: tuple[str, ...], path: str
) -> Instruction:
    word = str(entry["instruction"])
    line = span.start + 1
    try:
        keyword = Keyword(word)
    except ValueError:
        raise StagifyError(path, line, f'unknown instruction "{lines[span.start].split()[0]}"') from None
    value = str(entry["value"] or "").strip()
    if not value:
        raise StagifyError(path, line, f"{keyword.value} needs arguments")
    flags: tuple[Flag, ...] = ()
    args = value
    if keyword in _FLAGGED:
        flags, args = split_flags(value)
        if not args and keyword is not Keyword.HEALTHCHECK:
            raise StagifyError(path, line, f"{keyword.value} needs arguments besides its flags")
    raw_lines = [ln.rstrip() for ln in lines[span.start : span.body_end + 1]]
    return Instruction(
        keyword=keyword,
        line=line,
        end_line=span.end + 1,
        raw="\n".join(raw_lines),
        args=args,
        flags=flags,
        comments=comments,
        heredocs=span.heredocs,
        exec_form=exec_form(args),
    )


def split_flags(value: str) -> tuple[tuple[Flag, ...], str]:
    """``--mount=type=cache,target=/x --network=host cmd`` -> flags and ``cmd``."""
    m = _FLAGS.match(value)
    if not m:  # pragma: no cover - the pattern matches every string
        return (), value
    flags = []
    for token in split_words(m.group(1)):
        name, eq, flag_value = token[2:].partition("=")
        flags.append(Flag(name=name, value=flag_value if eq else None))
    return tuple(flags), m.group(2).strip()


def exec_form(args: str) -> tuple[str, ...] | None:
    """The JSON array of an exec-form instruction, or None for shell form (as BuildKit decides)."""
    text = args.strip()
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _with_stages(dockerfile: Dockerfile) -> Dockerfile:
    try:
        defaults = dockerfile.arg_defaults()
    except ExpansionError as exc:
        raise StagifyError(dockerfile.path, exc.line, exc.message) from None
    stages: list[Stage] = []
    current: list[Instruction] = []
    head: Instruction | None = None
    for ins in dockerfile.instructions:
        if ins.keyword is Keyword.FROM:
            if head is not None:
                stages.append(_stage(len(stages), head, current, defaults, dockerfile.path))
            head, current = ins, []
        elif head is None:
            if ins.keyword is not Keyword.ARG:
                raise StagifyError(
                    dockerfile.path, ins.line, f"{ins.keyword.value} before the first FROM (only ARG may come first)"
                )
        else:
            current.append(ins)
    if head is None:
        first = dockerfile.instructions[0].line
        raise StagifyError(dockerfile.path, first, "no FROM instruction: nothing names a base image")
    stages.append(_stage(len(stages), head, current, defaults, dockerfile.path))
    return Dockerfile(
        path=dockerfile.path,
        directives=dockerfile.directives,
        instructions=dockerfile.instructions,
        trailing_comments=dockerfile.trailing_comments,
        newline=dockerfile.newline,
        bom=dockerfile.bom,
        escape=dockerfile.escape,
        stages=tuple(stages),
    )


def _stage(
    index: int, head: Instruction, body: list[Instruction], defaults: dict[str, str | None], path: str
) -> Stage:
    words = head.args.split()
    alias = None
    if len(words) == 3 and words[1].lower() == "as":
        alias = words[2]
    elif len(words) != 1:
        raise StagifyError(path, head.line, "FROM takes an image and an optional 'AS name'")
    written = words[0]
    return Stage(
        index=index,
        from_=head,
        image=ImageName(written=written, resolved=_expand(written, defaults, path, head.line)),
        alias=alias,
        platform=head.flag("platform"),
        instructions=tuple(body),
    )


def _expand(text: str, defaults: dict[str, str | None], path: str, line: int) -> str:
    try:
        return substitute(text, defaults)
    except ExpansionError as exc:
        raise StagifyError(path, line, exc.message) from None
