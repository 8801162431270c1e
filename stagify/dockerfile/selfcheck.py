"""stagify's check of its own output, before anyone sees it (black's "safe mode").

A conversion is text generated from templates and rewrites; a slip there (an empty
COPY, a stage nobody uses, ``&&`` passed to a program as an argument) gives a
Dockerfile that lints clean and breaks at build or run time. So every output is
read back with the same parser and held to a few rules that any correct conversion
meets. A failure is stagify's bug, never the user's: the caller refuses the output
as an internal error and writes nothing.

The same well-formedness rules (:func:`malformed`) also screen the user's own stage
before it is planned, where a failure is the user's and names the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import StagifyError
from ..patterns import Pattern
from . import shell
from .model import Dockerfile, Instruction, Keyword, Stage, split_words, unquote
from .parse import exec_form, parse

# The tokens that mean "shell" when they stand alone as an argument: in an exec-form argv
# no shell reads them, so the program receives them as words (issue 21: `npx ... && npm ...`).
SHELL_OPERATORS = frozenset(("&&", "||", ";", "|", ">", "<", ">>", "2>&1", "&"))
SHELLS = ("sh", "bash", "ash", "dash", "zsh")
_ROOT = ("root", "0")
# A short-option cluster that includes -c (``-c``, ``-lc``, ``-ec``): the next word is the script.
_DASH_C = Pattern(r"^-[a-zA-Z]*c[a-zA-Z]*$")


@dataclass(frozen=True)
class Failure:
    """One rule the output breaks, at an output line when one is to blame."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"output line {self.line}: {self.message}" if self.line is not None else self.message


def malformed(ins: Instruction) -> str | None:
    """Why an instruction cannot be built as written (BuildKit would refuse it), or None."""
    kw = ins.keyword
    if kw in (Keyword.WORKDIR, Keyword.COPY, Keyword.ADD) and not _looks_like_json(ins.args) and shell.words(ins.args) is None:
        # BuildKit reads these words as the shell would: an unclosed quote is an error there too.
        return f"{kw.value} has a quote that is not closed"
    if kw in (Keyword.COPY, Keyword.ADD):
        operands = _operands(ins)
        if operands is None:
            return f"{kw.value} has a JSON array that is not a list of strings"
        if len(operands) < 2:  # a heredoc (``COPY <<EOF /dest``) is a source word too
            return f"{kw.value} needs at least one source and a destination"
        if any(not word for word in operands):
            return f"{kw.value} has an empty path"
    elif kw in (Keyword.CMD, Keyword.ENTRYPOINT, Keyword.RUN, Keyword.SHELL, Keyword.VOLUME):
        if _looks_like_json(ins.args) and ins.exec_form is None:
            return f"{kw.value} starts like a JSON array but is not a valid list of strings"
        if kw is Keyword.SHELL and not ins.exec_form:
            return "SHELL needs a JSON array naming the shell"
    elif kw is Keyword.HEALTHCHECK:
        words = ins.args.split(None, 1)
        if words and words[0].upper() == "CMD":
            rest = words[1] if len(words) > 1 else ""
            if not rest.strip():
                return "HEALTHCHECK CMD needs a command"
            if _looks_like_json(rest) and exec_form(rest) is None:
                return "HEALTHCHECK CMD starts like a JSON array but is not a valid list of strings"
    return None


def check(text: str, original: Dockerfile) -> tuple[Failure, ...]:
    """Every rule the converted Dockerfile ``text`` breaks (empty when it is sound).

    ``original`` is the Dockerfile it was converted from: an exec-form argv or a
    ``--from`` image the user wrote is theirs, carried as written, not stagify's doing.
    """
    try:
        output = parse(text, "converted Dockerfile")
    except StagifyError as exc:
        return (Failure(exc.line, f"does not parse again: {exc.message}"),)
    failures: list[Failure] = []
    for stage in output.stages:
        if not stage.image.written:
            failures.append(Failure(stage.from_.line, "FROM names no image"))
        for ins in stage.instructions:
            why = malformed(ins)
            if why is not None:
                failures.append(Failure(ins.line, why))
    failures += _stage_references(output, original)
    failures += _shell_operators(output, original)
    failures += _final_user(output)
    return tuple(sorted(failures, key=lambda f: (f.line is None, f.line or 0)))


def _operands(ins: Instruction) -> list[str] | None:
    """The paths of a COPY/ADD (sources and destination), None for a broken JSON array."""
    if _looks_like_json(ins.args):
        return list(ins.exec_form) if ins.exec_form is not None else None
    return [unquote(w) for w in split_words(ins.args)]


def _looks_like_json(args: str) -> bool:
    """``["...`` is meant as JSON; ``[ -f x ]`` and ``[ "$X" = 0 ] && make`` are the shell's test command."""
    return re.match(r'^\s*\[\s*"', args) is not None and not _shell_test(args)


def _shell_test(args: str) -> bool:
    """The line runs the shell's ``[``/``[[`` test: that word alone, its closing ``]`` alone, no JSON comma, and
    a test operator inside or a command joined after (``[ "node" "server.js" ]`` is a JSON array missing commas)."""
    words = shell.words(args)
    if not words or words[0] not in ("[", "[[") or re.search(r'"\s*,', args) is not None:
        return False
    close = "]" if words[0] == "[" else "]]"
    if close not in words:
        return False
    inside, after = words[1 : words.index(close)], words[words.index(close) + 1 :]
    return any(w in _TEST_OPERATORS or w.startswith("-") for w in inside) or any(w in ("&&", "||", ";") for w in after)


_TEST_OPERATORS = frozenset({"=", "==", "!=", "<", ">", "!"})


# -- stages -----------------------------------------------------------------------------------------


def _stage_references(output: Dockerfile, original: Dockerfile) -> list[Failure]:
    """Every stage reference points back, at a stage that exists; every stage but the last is used."""
    failures: list[Failure] = []
    aliases = {s.alias.lower(): s.index for s in output.stages if s.alias}
    users_own = {v.lower() for v in _from_values(original)}
    used: set[int] = set()
    for stage in output.stages:
        if stage.alias and aliases[stage.alias.lower()] != stage.index:
            failures.append(Failure(stage.from_.line, f"the stage name {stage.alias} is given twice"))
        image = stage.image.written.lower()
        if image in aliases:
            target = aliases[image]
            if target >= stage.index:
                failures.append(Failure(stage.from_.line, f"FROM {stage.image.written} names a stage that is not an earlier one"))
            used.add(target)
        for ins, value in _references(stage):
            target_index = _stage_index(value, aliases)
            if target_index is None:
                if _is_plain_name(value) and value.lower() not in users_own:
                    failures.append(Failure(ins.line, f"--from={value} names no stage"))
                continue
            if target_index >= stage.index:
                failures.append(Failure(ins.line, f"--from={value} names a stage that is not an earlier one"))
            used.add(target_index)
    for stage in output.stages[:-1]:
        if stage.index not in used:
            failures.append(Failure(stage.from_.line, f"stage {stage.alias or stage.index} is built but nothing uses it"))
    return failures


def _references(stage: Stage) -> list[tuple[Instruction, str]]:
    """(instruction, stage or image) for each ``COPY --from=`` and ``RUN --mount=...,from=`` of a stage."""
    return [(ins, value) for ins in stage.instructions for value in stage_references(ins)]


def stage_references(ins: Instruction) -> list[str]:
    """The stages or images an instruction takes files from: ``COPY --from=X``, ``RUN --mount=...,from=X``."""
    found: list[str] = []
    for flag in ins.flags:
        if flag.name == "from" and flag.value:
            found.append(unquote(flag.value))
        elif flag.name == "mount" and flag.value:
            for part in flag.value.split(","):
                key, _, value = part.partition("=")
                if key.strip() == "from" and value:
                    found.append(value.strip())
    return found


def _from_values(dockerfile: Dockerfile) -> list[str]:
    return [value for stage in dockerfile.stages for _, value in _references(stage)]


def _stage_index(value: str, aliases: dict[str, int]) -> int | None:
    if value.isdigit():
        return int(value)
    return aliases.get(value.lower())


def _is_plain_name(value: str) -> bool:
    """A bare word (``deps``) reads as a stage name; ``nginx:1.27`` or ``$IMAGE`` as an image."""
    return re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", value) is not None and "." not in value


# -- commands ---------------------------------------------------------------------------------------


def _shell_operators(output: Dockerfile, original: Dockerfile) -> list[Failure]:
    """No exec-form argv passes a shell operator to a program as a word (unless the user wrote it so)."""
    theirs = {argv for ins in original.instructions if (argv := _argv(ins)) is not None}
    failures: list[Failure] = []
    for ins in output.instructions:
        argv = _argv(ins)
        if argv is None or argv in theirs:
            continue
        bad = stray_operator(argv)
        if bad is not None:
            failures.append(Failure(ins.line, f"{ins.keyword.value} in exec form passes {bad!r} to "
                                              f"{argv[0]} as an argument: only a shell reads it"))
    return failures


def stray_operator(argv: tuple[str, ...]) -> str | None:
    """The first shell operator an exec-form argv passes as a word (not inside ``sh -c``'s script)."""
    script = script_index(argv)
    return next((w for i, w in enumerate(argv) if i != script and w in SHELL_OPERATORS), None)


def _argv(ins: Instruction) -> tuple[str, ...] | None:
    """The exec-form words a CMD, ENTRYPOINT, RUN or HEALTHCHECK runs (None: shell form or none)."""
    if ins.keyword in (Keyword.CMD, Keyword.ENTRYPOINT, Keyword.RUN):
        return ins.exec_form
    if ins.keyword is Keyword.HEALTHCHECK:
        words = ins.args.split(None, 1)
        if len(words) == 2 and words[0].upper() == "CMD":
            return exec_form(words[1])
    return None


def script_index(argv: tuple[str, ...]) -> int | None:
    """Where the script is in ``sh -c SCRIPT`` (or HEALTHCHECK's ``CMD-SHELL SCRIPT``), else None."""
    if argv and argv[0] == "CMD-SHELL":
        return 1
    if not argv or argv[0].rsplit("/", 1)[-1] not in SHELLS:
        return None
    for i, word in enumerate(argv[1:], start=1):
        if _DASH_C.match(word):
            return i + 1
        if not word.startswith(("-", "+")) and argv[i - 1] not in ("-o", "+o"):
            return None  # a script file, not -c
    return None


def _final_user(output: Dockerfile) -> list[Failure]:
    last = output.stages[-1]
    users = [ins for ins in last.instructions if ins.keyword is Keyword.USER]
    if not users:
        return [Failure(last.from_.line, "the last stage sets no USER: it would run as the image's default user")]
    value = users[-1].args.strip()
    if not value or value.split(":")[0] in _ROOT:
        return [Failure(users[-1].line, f"the last stage runs as {value or 'nobody named'}: not a non-root user")]
    return []


def describe(failures: tuple[Failure, ...]) -> str:
    """The failures on one line, for the internal-error message."""
    return "; ".join(str(f) for f in failures)


