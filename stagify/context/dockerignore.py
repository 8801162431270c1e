""".dockerignore: matching the way BuildKit does, and merging stagify's lines into the user's.

Matching follows moby's patternmatcher: patterns are cleaned paths relative to the
context root, ``*``/``?``/``[...]`` do not cross ``/``, ``**`` crosses any number of
folders, a pattern that matches a folder excludes everything under it, ``!``
re-includes, and the last matching line wins.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

HEADER = "# Added by stagify: keep the build context small and secrets out of the image"


class PatternError(ValueError):
    """A pattern BuildKit refuses too (``[]``, ``[z-a]``); ``line`` is its line in the .dockerignore."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


# Token kinds of a compiled glob.
_LIT, _ONE, _CLASS, _STAR, _ANY, _ANYDIRS = range(6)
_MAX_MOVES = 20_000  # transitions a glob remembers before it starts over (memory stays bounded)


@dataclass(frozen=True)
class _Token:
    kind: int
    char: str = ""
    ranges: tuple[tuple[str, str], ...] = ()
    negated: bool = False

    def takes(self, ch: str) -> bool:
        if self.kind == _LIT:
            return ch == self.char
        if self.kind == _ONE:
            return ch != "/"
        return any(lo <= ch <= hi for lo, hi in self.ranges) != self.negated


class Glob:
    """A compiled pattern, matched by simulating its automaton one character at a time.

    No backtracking: a match costs O(len(name)) steps, each a dictionary look-up once seen
    (the sets of positions are turned into states lazily, a DFA built as it is used), so a
    pattern like ``**a**a**a**b`` cannot take exponential time on a long name.
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.tokens = _tokens(pattern)
        self._accept = 2 * len(self.tokens)
        self._start = self._closure({0})
        self._moves: dict[tuple[frozenset[int], str], frozenset[int]] = {}

    def match(self, name: str) -> bool:
        """Whether the whole of ``name`` matches the pattern."""
        states = self._start
        moves = self._moves
        for ch in name:
            following = moves.get((states, ch))
            if following is None:
                following = self._step(states, ch)
                if len(moves) >= _MAX_MOVES:
                    moves.clear()
                moves[(states, ch)] = following
            states = following
            if not states:
                return False
        return self._accept in states

    def _closure(self, states: set[int]) -> frozenset[int]:
        """The positions reachable without reading: a ``*`` or ``**`` may match nothing."""
        todo = list(states)
        while todo:
            state = todo.pop()
            k = state // 2
            if state % 2 == 0 and k < len(self.tokens) and self.tokens[k].kind in (_STAR, _ANY, _ANYDIRS) and 2 * (k + 1) not in states:
                states.add(2 * (k + 1))
                todo.append(2 * (k + 1))
        return frozenset(states)

    def _step(self, states: frozenset[int], ch: str) -> frozenset[int]:
        # State 2k: before token k. State 2k+1: inside a ``**/`` (token k), which ends after a ``/``.
        following: set[int] = set()
        for state in states:
            k = state // 2
            if k >= len(self.tokens):
                continue
            token = self.tokens[k]
            if state % 2 == 1 or token.kind == _ANYDIRS:
                following.add(2 * k + 1)
                if ch == "/":
                    following.add(2 * (k + 1))
            elif token.kind == _STAR:
                if ch != "/":
                    following.add(state)
            elif token.kind == _ANY:
                following.add(state)
            elif token.takes(ch):
                following.add(2 * (k + 1))
        return self._closure(following)


def _tokens(pattern: str) -> tuple[_Token, ...]:
    out: list[_Token] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            if i + 1 < n and pattern[i + 1] == "*":
                i += 1
                if i + 1 < n and pattern[i + 1] == "/":
                    i += 1
                    out.append(_Token(_ANYDIRS))
                else:
                    out.append(_Token(_ANY))
            elif not out or out[-1].kind not in (_STAR, _ANY):
                out.append(_Token(_STAR))  # ``***`` is one star: fewer states, same language
        elif ch == "?":
            out.append(_Token(_ONE))
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(_Token(_LIT, ch))
            else:
                out.append(_class(pattern[i + 1 : end], pattern))
                i = end
        elif ch == "\\" and i + 1 < n:
            i += 1
            out.append(_Token(_LIT, pattern[i]))
        else:
            out.append(_Token(_LIT, ch))
        i += 1
    return tuple(out)


def _class(body: str, pattern: str) -> _Token:
    negated = body.startswith(("!", "^"))
    if negated:
        body = body[1:]
    if not body:
        raise PatternError(f"bad pattern {pattern!r}: an empty character class []")
    ranges = []
    j = 0
    while j < len(body):
        if j + 2 < len(body) and body[j + 1] == "-":
            lo, hi = body[j], body[j + 2]
            if lo > hi:
                raise PatternError(f"bad pattern {pattern!r}: the range {lo}-{hi} is reversed")
            ranges.append((lo, hi))
            j += 3
        else:
            ranges.append((body[j], body[j]))
            j += 1
    return _Token(_CLASS, ranges=tuple(ranges), negated=negated)


@lru_cache(maxsize=4096)
def compile_glob(pattern: str) -> Glob:
    """The matcher for one pattern; PatternError for a malformed character class.

    Cached: the same few dozen patterns (the generated .dockerignore) are matched for every file
    of every conversion, and a Glob only ever learns moves of its own automaton.
    """
    return Glob(pattern)


@dataclass(frozen=True)
class Rule:
    pattern: str
    exclude: bool
    glob: Glob


def clean(pattern: str) -> str:
    """Normalise a pattern the way moby does (``./a//b/`` -> ``a/b``)."""
    pattern = pattern.strip().lstrip("/")
    cleaned = posixpath.normpath(pattern) if pattern else pattern
    return "" if cleaned == "." and pattern != "." else cleaned


def parse_rules(text: str) -> tuple[Rule, ...]:
    """The rules of a .dockerignore; PatternError (with the line) for a pattern BuildKit refuses."""
    rules = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exclude = not line.startswith("!")
        pattern = clean(line if exclude else line[1:])
        if not pattern:
            continue
        try:
            rules.append(Rule(pattern=pattern, exclude=exclude, glob=compile_glob(pattern)))
        except PatternError as exc:
            raise PatternError(exc.message, number) from None
    return tuple(rules)


def _matches(rule: Rule, path: str) -> bool:
    """A rule matches a path or any folder above it."""
    return covers(rule.glob, path)


def covers(glob: Glob, path: str) -> bool:
    """Whether ``glob`` matches ``path`` (slash-separated, relative) or one of the folders above it.

    A pattern that names a folder takes everything under it: the .dockerignore rules and the
    settings files' ``[[overrides]] paths`` share this.
    """
    parts = path.split("/")
    return any(glob.match("/".join(parts[:i])) for i in range(len(parts), 0, -1))


def is_ignored(rules: Sequence[Rule], path: str) -> bool:
    """Whether ``path`` (relative to the context root) is left out of the build context."""
    path = clean(path)
    if not path or path == ".":
        return False
    ignored = False
    for rule in rules:
        if _matches(rule, path):
            ignored = rule.exclude
    return ignored


def merge(existing: str | None, wanted: Iterable[str], protected: Iterable[str], newline: str = "\n") -> str:
    """The user's .dockerignore with the ``wanted`` lines it lacks appended under a header.

    The user's lines are kept as written. A wanted line is skipped when the file
    already has it, and when it would exclude one of the ``protected`` paths (the
    files the new Dockerfile COPYs from the context), so the build still finds them;
    a ``**/`` line is kept and followed by ``!path`` for each of those instead.
    """
    text = (existing or "").replace("\r\n", "\n")
    present = {clean(line.strip()) for line in text.splitlines() if line.strip() and not line.startswith("#")}
    protected = [clean(p) for p in protected if clean(p) not in ("", ".")]
    additions = []
    for line in wanted:
        if clean(line) in present or line in additions:
            continue
        rule = parse_rules(line)
        # A `!path` line (a build input let back in) is never dropped: it excludes nothing.
        hidden = [p for p in protected if rule and rule[0].exclude and _matches(rule[0], p)]
        if hidden and line.startswith("**/"):
            # A pattern at any depth stays (config/.env is still left out); the files the build copies come back.
            additions.append(line)
            additions.extend(f"!{p}" for p in hidden if f"!{p}" not in additions)
            continue
        if hidden:
            continue
        additions.append(line)
    if not additions:
        return text.replace("\n", newline)
    block = [HEADER, *additions]
    if text and not text.endswith("\n"):
        text += "\n"
    if text.strip():
        text += "\n"
    if HEADER in text:
        block = block[1:]
    return (text + "\n".join(block) + "\n").replace("\n", newline)

