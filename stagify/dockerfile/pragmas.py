"""Inline pragmas, hadolint-style: ``# stagify: runtime``, ``# stagify: builder``, ``# stagify: ignore``.

``runtime`` and ``builder`` sit in the comment block right above an instruction and force
where that instruction goes; ``ignore`` anywhere in the file leaves the file alone. A
pragma stagify cannot honour is an error at its line, not a silent no-op: a user who
wrote one expects it to count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import StagifyError
from .model import Dockerfile, Instruction, Keyword

_PRAGMA = re.compile(r"^\s*#\s*stagify\s*:\s*(?P<word>.*?)\s*$", re.I)
KNOWN = ("runtime", "builder", "ignore")


@dataclass(frozen=True)
class Forced:
    """A placement a pragma forces on the instruction below it."""

    where: str  # "runtime" | "builder"
    line: int  # the pragma's own line

    @property
    def reason(self) -> str:
        return f"forced by `# stagify: {self.where}` (line {self.line})"


@dataclass(frozen=True)
class Pragmas:
    ignore_line: int | None = None
    forced: dict[int, Forced] = field(default_factory=dict)  # instruction line -> placement


def read(text: str, dockerfile: Dockerfile) -> Pragmas:
    """The pragmas of a Dockerfile; StagifyError for an unknown or misplaced one."""
    if "stagify" not in text.lower():
        return Pragmas()  # nearly every file: no need to look line by line
    path = dockerfile.path
    ignore_line = None
    forced: dict[int, Forced] = {}
    instructions = sorted(dockerfile.instructions, key=lambda i: i.line)
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        found = _PRAGMA.match(line)
        if found is None or _inside_instruction(instructions, number):
            continue
        word = found.group("word").lower()
        if word not in KNOWN:
            raise StagifyError(path, number, f"unknown pragma `# stagify: {found.group('word')}` (known: {', '.join(KNOWN)})")
        if word == "ignore":
            ignore_line = ignore_line or number
            continue
        below = next((i for i in instructions if i.line > number), None)
        if below is None or f"# stagify: {word}" not in _normalised(below.comments):
            raise StagifyError(path, number, f"`# stagify: {word}` must be in the comments right above an instruction")
        _check(path, number, word, below)
        forced[below.line] = Forced(where=word, line=number)
    return Pragmas(ignore_line=ignore_line, forced=forced)


def _inside_instruction(instructions: list[Instruction], number: int) -> bool:
    """A comment line between an instruction's continued lines (or in a heredoc) is the instruction's."""
    return any(i.line < number <= i.end_line for i in instructions)


def _normalised(comments: tuple[str, ...]) -> set[str]:
    out = set()
    for comment in comments:
        found = _PRAGMA.match(comment)
        if found:
            out.add(f"# stagify: {found.group('word').lower()}")
    return out


def _check(path: str, number: int, word: str, ins: Instruction) -> None:
    kw = ins.keyword
    if kw is Keyword.FROM:
        raise StagifyError(path, number, f"`# stagify: {word}` above FROM: stagify picks the stages' images; force the instructions after it")
    if kw is Keyword.USER and word == "runtime":
        raise StagifyError(path, number, "`# stagify: runtime` above USER: the runtime always runs as its non-root user "
                           "(set user or uid in the settings to choose it)")
    if kw in (Keyword.CMD, Keyword.ENTRYPOINT) and word == "builder":
        raise StagifyError(path, number, f"`# stagify: builder` above {kw.value}: the start command is what the runtime runs")
