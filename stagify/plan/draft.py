"""The draft of one plan while it is assembled: what the planner's passes have found and placed so far.

Each part of the planner answers one question (``runs``: which RUN lines make something;
``starting``: the start command and what it calls; ``users``: the runtime user; ``placement``:
where every instruction goes; ``copying``: what the runtime copies; ``ports``: low ports;
``protect``: secret-looking files) and records its answer here, in the order ``planner.assemble``
asks them. A draft never leaves ``stagify.plan``: ``assemble`` freezes it into a ConversionPlan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from ..dockerfile import lintfix
from ..dockerfile.model import ExpansionError, Instruction, Keyword
from ..dockerfile.parse import exec_form, split_flags
from ..dockerfile.stageplan import Decision, Level, Line, Note, Placement
from ..dockerfile.walk import Env, State, Walked
from ..languages.base import Artifact, Language, PlanInput, RunRewrite

_ROOT = ("root", "0", "root:root", "0:0", "root:0", "0:root")
SHELLS = ("sh", "bash", "ash", "dash", "zsh")


@dataclass
class Placed:
    """The lines placed so far, stage by stage, and the decision and notes behind them."""

    decisions: dict[int, Decision] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    setup: list[Line] = field(default_factory=list)
    sources: list[Line] = field(default_factory=list)
    r_setup: list[Line] = field(default_factory=list)
    r_root: list[Line] = field(default_factory=list)
    r_config: list[Line] = field(default_factory=list)
    r_sources: list[Line] = field(default_factory=list)
    r_start: list[Line] = field(default_factory=list)

    def decide(self, ins: Instruction, placement: Placement, reason: str) -> None:
        self.decisions[ins.line] = Decision(instruction=ins, placement=placement, reason=reason)

    def note(self, message: str, line: int | None = None, level: Level = Level.INFO) -> None:
        self.notes.append(Note(message=message, line=line, level=level))


@dataclass
class Draft:
    """One plan being assembled: its frozen inputs and what the passes found."""

    inp: PlanInput
    lang: Language
    shell_notes: tuple[Note, ...] = ()
    acc: Placed = field(default_factory=Placed)
    rewrites: dict[int, RunRewrite | None] = field(default_factory=dict)
    artifacts: list[Artifact] = field(default_factory=list)
    called: set[str] = field(default_factory=set)  # programs the start command and HEALTHCHECK run
    shell_needs: list[Note] = field(default_factory=list)  # why the runtime needs a shell
    unknown_builds: bool = False
    build_steps: list[int] = field(default_factory=list)  # lines of RUN steps that make something (a build, an unknown step)
    generated_builds: list[Line] = field(default_factory=list)  # builder steps a start command rewrite asks for

    @property
    def path(self) -> str:
        return self.inp.dockerfile.path

    @property
    def walked(self) -> tuple[Walked, ...]:
        return self.inp.walked

    @property
    def final_state(self) -> State:
        return self.walked[-1].state if self.walked else State("/", None, Env.of())


def carried(ins: Instruction, text: str | None = None) -> Line:
    """An original instruction for the output, with its comments (and its rewrite, when given)."""
    body = text if text is not None else lintfix.keyword_upper(ins.raw)
    if ins.heredocs:
        body += "\n"  # hadolint cannot parse an instruction right after a heredoc's closing line
    return Line(text=body, comments=(*ins.comments, *lintfix.not_secret_comments(ins)))


def is_root(user: str | None) -> bool:
    return user is None or user.strip() in _ROOT


@contextmanager
def at_line(ins: Instruction) -> Iterator[None]:
    """An ExpansionError raised while one instruction is handled carries that instruction's line."""
    try:
        yield
    except ExpansionError as exc:
        if exc.line is not None:
            raise
        raise ExpansionError(exc.message, ins.line) from None


@lru_cache(maxsize=4)
def referenced(text: str) -> frozenset[str]:
    """The variable names ``$NAME`` and ``${NAME...}`` in ``text``: found once, not once per ARG (linear, not quadratic)."""
    return frozenset(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text))


def exec_list(text: str) -> list[str] | None:
    form = exec_form(text)
    return list(form) if form is not None else None


def pseudo(text: str) -> Instruction | None:
    """A COPY line of the output read back as an instruction, to list its sources."""
    body = text.replace("\\\n", " ").split(None, 1)
    if len(body) < 2:
        return None
    flags, args = split_flags(body[1])
    return Instruction(
        keyword=Keyword.COPY, line=0, end_line=0, raw=text, args=args, flags=flags, exec_form=exec_form(args)
    )
