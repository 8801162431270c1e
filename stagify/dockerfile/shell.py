"""Just enough POSIX shell reading to understand RUN and CMD lines: commands, words, features.

Nothing here executes anything; it answers "which commands does this line run" and
"can this shell-form line become exec form without changing what it does".
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from functools import lru_cache

from ..patterns import Pattern

_ASSIGNMENT = Pattern(r"^[A-Za-z_][A-Za-z0-9_]*=")
# Characters that make /bin/sh do something an exec-form array would not.
_SHELL_SPECIAL = Pattern(r"[$`|&;<>*?\[\]{}()~#\n!]")
_PREFIXES = ("exec", "sudo", "time", "nohup")
_QUOTING = Pattern(r"['\"\\]")
_STRUCTURE = Pattern(r"['\"`\\#()]")
# ``2>&1``, ``&>file`` and ``>|file`` are redirections, not operators.
_OPERATORS = Pattern(r"(&&|\|\||;|(?<![>])\||(?<![>&])&(?![>&])|\n)")
# Words only a shell understands as the first word of a command: builtins and keywords. In an
# exec-form argv they would be looked up as programs (``["cd", "/app"]``, ``["exec", "node"]``).
SHELL_WORDS = frozenset((
    "cd", "exec", "source", ".", "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
    "export", "set", "unset", "eval", "trap", "ulimit", "umask", "alias", "read", "wait", "shift", "exit", "return",
    "local", "readonly", "function", "command", "builtin", "declare", "typeset", "let", "shopt", "pushd", "popd", "[[", "!",
))


@dataclass(frozen=True)
class Command:
    """One simple command of a shell line, with the operator that joined it to the previous one."""

    text: str
    env: tuple[tuple[str, str], ...]
    argv: tuple[str, ...]
    operator: str  # "", "&&", "||", ";", "|", "&", or "\n"

    @property
    def program(self) -> str:
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""


def words(text: str) -> list[str] | None:
    """Shell words with quotes removed, or None when the quoting is unbalanced."""
    if not _QUOTING.search(text):
        return text.split()  # nothing for shlex to do: the same words, much faster
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return None


def has_shell_features(text: str) -> bool:
    """True when running ``text`` through ``/bin/sh -c`` differs from splitting it into words.

    Operators, redirections, expansions, globs and subshells show in the characters; a builtin
    or keyword (``cd``, ``exec``, ``source``, ``if``) or a ``VAR=value`` prefix in the first word.
    """
    stripped = re.sub(r"'[^']*'", "''", text)  # single-quoted text is literal
    if _SHELL_SPECIAL.search(stripped):
        return True
    found = words(text)
    if found is None:
        return True
    return bool(found) and (found[0] in SHELL_WORDS or _ASSIGNMENT.match(found[0]) is not None)


def segments(script: str) -> list[tuple[str, str]]:
    """Split a shell line at ``&&``, ``||``, ``;``, ``|``, ``&`` and newlines outside quotes/subshells.

    Returns (operator-before, segment-text) pairs.
    """
    if not _STRUCTURE.search(script):
        # No quotes, escapes, comments or subshells: the operators alone split the line.
        parts = _OPERATORS.split(script)
        pairs = [("", parts[0].strip()), *((op, text.strip()) for op, text in zip(parts[1::2], parts[2::2], strict=True))]
        return [(op, text) for op, text in pairs if text]
    return scan_segments(script)


def scan_segments(script: str) -> list[tuple[str, str]]:
    """:func:`segments` character by character, for lines with quotes, escapes, comments or subshells."""
    out: list[tuple[str, str]] = []
    current: list[str] = []
    operator = ""
    quote: str | None = None
    depth = 0
    i = 0
    n = len(script)
    while i < n:
        ch = script[i]
        if quote:
            current.append(ch)
            if ch == "\\" and quote == '"' and i + 1 < n:
                current.append(script[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = None
            i += 1
            continue
        if ch == "\\" and i + 1 < n:
            current.append(script[i : i + 2])
            i += 2
            continue
        if ch == "#" and (not current or current[-1][-1:].isspace()) and depth == 0:
            while i < n and script[i] != "\n":
                i += 1  # a shell comment runs to the end of the line
            continue
        if ch in "'\"`":
            quote = ch
            current.append(ch)
            i += 1
            continue
        if ch == "(" or (ch == "$" and script[i + 1 : i + 2] == "("):
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        if depth == 0:
            two = script[i : i + 2]
            op = None
            previous = script[i - 1] if i else ""
            if two in ("&&", "||"):
                op = two
            elif ch in ";\n" or (ch == "|" and previous != ">") or (ch == "&" and previous != ">" and two != "&>"):
                op = ch
            if op:
                out.append((operator, "".join(current).strip()))
                current = []
                operator = op
                i += len(op)
                continue
        current.append(ch)
        i += 1
    out.append((operator, "".join(current).strip()))
    return [(op, text) for op, text in out if text]


def commands(script: str) -> list[Command]:
    """The simple commands of a shell line, env prefixes split off (``CGO_ENABLED=0 go build``)."""
    return list(_commands(script))


@lru_cache(maxsize=65536)
def _commands(script: str) -> tuple[Command, ...]:
    # Each RUN line is read by the walk, by every language's detection and by the planner: once is enough.
    result = []
    for operator, text in segments(script):
        argv = words(text) or text.split()
        env: list[tuple[str, str]] = []
        while argv and _ASSIGNMENT.match(argv[0]):
            name, _, value = argv[0].partition("=")
            env.append((name, value))
            argv = argv[1:]
        while argv and argv[0] in _PREFIXES:
            argv = argv[1:]
        if argv and argv[0] == "env":
            argv = argv[1:]
            while argv and _ASSIGNMENT.match(argv[0]):
                name, _, value = argv[0].partition("=")
                env.append((name, value))
                argv = argv[1:]
        result.append(Command(text=text, env=tuple(env), argv=tuple(argv), operator=operator))
    return tuple(result)


def join(argv: list[str] | tuple[str, ...]) -> str:
    """Words back to a shell line, quoting only what needs it."""
    return " ".join(shlex.quote(w) if w and not re.fullmatch(r"[\w@%+=:,./-]+", w) else w for w in argv)


@dataclass(frozen=True)
class Token:
    """A shell word as written (quotes kept) and its value (quotes removed)."""

    raw: str
    value: str


def tokens(text: str) -> list[Token]:
    """Split a command into words, keeping each word's original spelling for faithful rewrites."""
    out: list[Token] = []
    current: list[str] = []
    quote: str | None = None
    i = 0
    n = len(text)

    def flush() -> None:
        if current:
            raw = "".join(current)
            parsed = words(raw)
            out.append(Token(raw=raw, value=parsed[0] if parsed else raw))
            current.clear()

    while i < n:
        ch = text[i]
        if quote:
            current.append(ch)
            if ch == "\\" and quote == '"' and i + 1 < n:
                current.append(text[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch == "\\" and i + 1 < n:
            if text[i + 1] == "\n":
                flush()
            else:
                current.append(text[i : i + 2])
            i += 2
            continue
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif ch.isspace():
            flush()
        else:
            current.append(ch)
        i += 1
    flush()
    return out
