"""Inline pragmas, hadolint-style: ``# stagify: runtime``, ``# stagify: builder``, ``# stagify: ignore``.

``runtime`` and ``builder`` sit in the comment block right above an instruction and force
where that instruction goes; ``ignore=STG003,STG006`` there silences those rules' findings
on that instruction (hadolint's ``# hadolint ignore=DL3006``); ``ignore`` alone anywhere in the
file leaves the file alone. Text after the pragma, separated by spaces, is the writer's own
explanation (``# stagify: builder   (test data only)``). A pragma stagify cannot honour is an
error at its line, not a silent no-op: a user who wrote one expects it to count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import StagifyError
from ..patterns import Pattern
from .model import Dockerfile, Instruction, Keyword

_PRAGMA = Pattern(r"^\s*#\s*stagify\s*:\s*(?P<word>.*?)\s*$", re.I)
# The directive, its codes (ignore=STG003, STG006) and what follows them: nothing, or the
# writer's explanation after a space.
_DIRECTIVE = Pattern(r"(?P<word>[A-Za-z-]+)(?:\s*=\s*(?P<codes>[A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*))?(?P<rest>\s.*)?$")
KNOWN = ("runtime", "builder", "ignore", "ignore=CODE,...")


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
    silenced: dict[int, frozenset[str]] = field(default_factory=dict)  # instruction line -> rule codes ignored there
    spans: dict[int, int] = field(default_factory=dict)  # instruction line -> its last line

    def silences(self, line: int | None, code: str) -> bool:
        """Whether ``# stagify: ignore=CODE`` above the instruction holding ``line`` silences ``code``."""
        if line is None:
            return False
        return any(first <= line <= self.spans.get(first, first) and code in codes for first, codes in self.silenced.items())


def read(text: str, dockerfile: Dockerfile) -> Pragmas:
    """The pragmas of a Dockerfile; StagifyError for an unknown or misplaced one."""
    if "stagify" not in text.lower():
        return Pragmas()  # nearly every file: no need to look line by line
    path = dockerfile.path
    ignore_line = None
    forced: dict[int, Forced] = {}
    silenced: dict[int, frozenset[str]] = {}
    instructions = sorted(dockerfile.instructions, key=lambda i: i.line)
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        found = _PRAGMA.match(line)
        if found is None or _inside_instruction(instructions, number):
            continue
        written = found.group("word")
        directive = _DIRECTIVE.match(written)
        word = directive.group("word").lower() if directive else ""
        codes = directive.group("codes") if directive else None
        if directive is None or word not in ("runtime", "builder", "ignore") or (codes is not None and word != "ignore"):
            raise StagifyError(path, number, f"unknown pragma `# stagify: {written}` (known: {', '.join(KNOWN)})")
        if word == "ignore" and codes is None:
            ignore_line = ignore_line or number
            continue
        below = next((i for i in instructions if i.line > number), None)
        if below is None:
            shown = f"ignore={codes}" if codes is not None else word
            raise StagifyError(path, number, f"`# stagify: {shown}` must be in the comments right above an instruction")
        if codes is not None:
            silenced[below.line] = silenced.get(below.line, frozenset()) | _codes(path, number, codes)
            continue
        _check(path, number, word, below)
        forced[below.line] = Forced(where=word, line=number)
    spans = {i.line: i.end_line for i in instructions if i.line in silenced}
    return Pragmas(ignore_line=ignore_line, forced=forced, silenced=silenced, spans=spans)


def _codes(path: str, number: int, written: str) -> frozenset[str]:
    """The rule codes of ``ignore=...``: known, and of rules that can be ignored."""
    from . import rules

    codes = [c.strip().upper() for c in written.split(",")]
    bad = rules.unknown(codes)
    if bad:
        raise StagifyError(path, number, f"unknown rule {bad[0]} in `# stagify: ignore={written}` (`stagify rule` lists them)")
    fixed = rules.not_ignorable(codes)
    if fixed:
        raise StagifyError(path, number, f"{fixed[0]} cannot be ignored on one line (`# stagify: ignore` alone leaves the file alone)")
    return frozenset(codes)


def _inside_instruction(instructions: list[Instruction], number: int) -> bool:
    """A comment line between an instruction's continued lines (or in a heredoc) is the instruction's."""
    return any(i.line < number <= i.end_line for i in instructions)


def _check(path: str, number: int, word: str, ins: Instruction) -> None:
    kw = ins.keyword
    if kw is Keyword.FROM:
        raise StagifyError(path, number, f"`# stagify: {word}` above FROM: stagify picks the stages' images; force the instructions after it")
    if kw is Keyword.USER and word == "runtime":
        raise StagifyError(path, number, "`# stagify: runtime` above USER: the runtime always runs as its non-root user "
                           "(set user or uid in the settings to choose it)")
    if kw in (Keyword.CMD, Keyword.ENTRYPOINT) and word == "builder":
        raise StagifyError(path, number, f"`# stagify: builder` above {kw.value}: the start command is what the runtime runs")
