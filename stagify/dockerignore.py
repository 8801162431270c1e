""".dockerignore: matching the way BuildKit does, and merging stagify's lines into the user's.

Matching follows moby's patternmatcher: patterns are cleaned paths relative to the
context root, ``*``/``?``/``[...]`` do not cross ``/``, ``**`` crosses any number of
folders, a pattern that matches a folder excludes everything under it, ``!``
re-includes, and the last matching line wins.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

HEADER = "# Added by stagify: keep the build context small and secrets out of the image"


@dataclass(frozen=True)
class Rule:
    pattern: str
    exclude: bool
    regex: re.Pattern[str]


def clean(pattern: str) -> str:
    """Normalise a pattern the way moby does (``./a//b/`` -> ``a/b``)."""
    pattern = pattern.strip().lstrip("/")
    cleaned = posixpath.normpath(pattern) if pattern else pattern
    return "" if cleaned == "." and pattern != "." else cleaned


def glob_regex(pattern: str) -> re.Pattern[str]:
    out = ["^"]
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            if i + 1 < n and pattern[i + 1] == "*":
                i += 1
                if i + 1 < n and pattern[i + 1] == "/":
                    i += 1
                    out.append("(?:.*/)?")
                else:
                    out.append(".*")
            else:
                out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1 : end]
                if body.startswith(("!", "^")):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        elif ch == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(ch))
        i += 1
    out.append("$")
    return re.compile("".join(out))


def parse_rules(text: str) -> tuple[Rule, ...]:
    rules = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exclude = not line.startswith("!")
        pattern = clean(line if exclude else line[1:])
        if not pattern:
            continue
        rules.append(Rule(pattern=pattern, exclude=exclude, regex=glob_regex(pattern)))
    return tuple(rules)


def _matches(rule: Rule, path: str) -> bool:
    """A rule matches a path or any folder above it."""
    parts = path.split("/")
    return any(rule.regex.match("/".join(parts[:i])) for i in range(len(parts), 0, -1))


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

