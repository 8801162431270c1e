"""The rule registry: every finding stagify reports has one of these codes, in every output.

Like hadolint's and ruff's rules, a code names a kind of finding, says why it matters and
what to do (``stagify rule STG003``), and can be selected or ignored: ``--select``/``--ignore``,
the ``select``/``ignore`` settings, and ``# stagify: ignore=STG003`` above an instruction.
Text output writes a finding as ``PATH:LINE:COL: CODE message`` (ruff's concise format).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..patterns import Pattern
from .stageplan import Level, Note


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    explanation: str  # why it matters and what to do: `stagify rule CODE`
    level: str  # the SARIF level by default: "error" | "warning" | "note"
    # False for the rules that are what stagify is for or that stop a conversion: ignoring them
    # would hide a failure or the one change stagify makes. `# stagify: ignore` leaves a file alone.
    can_ignore: bool = True


RULES = (
    Rule("STG001", "single-stage-dockerfile", "Single-stage Dockerfile",
         "The image builds and runs in one stage, so it ships the compilers and development dependencies of the build. "
         "stagify converts it into a builder stage and a small, non-root runtime stage "
         "(`stagify convert --write PATH`; `# stagify: ignore` keeps a file as it is).", "warning", can_ignore=False),
    Rule("STG002", "cannot-convert", "Dockerfile stagify cannot convert",
         "The Dockerfile cannot be read or converted at this line; the message says why. The original usually "
         "cannot build either: fix the line, or keep the file as it is with `# stagify: ignore`.", "error", can_ignore=False),
    Rule("STG003", "secret-in-image", "Secret baked into the image",
         "A build argument, environment variable, copied file or RUN line puts a secret into an image layer, where "
         "anyone who can pull the image can read it. Use a BuildKit secret mount (RUN --mount=type=secret) or a "
         "variable given when the container starts. `--strict` makes this an error.", "warning"),
    Rule("STG004", "missing-build-input", "Build input missing from the build context",
         "The Dockerfile copies or reads a file the build context does not have (or .dockerignore leaves out), "
         "so the original cannot build either; a wildcard that matches nothing copies nothing (a warning when it "
         "names no dependency manifest).", "error"),
    Rule("STG005", "unsupported-language", "No supported language",
         "stagify found no Go, Node.js, Python or Java build in the Dockerfile and its build context (an nginx, Rust "
         "or database image, say), so it has nothing to say about the file and leaves it alone: `--verbose` prints "
         "one line, the exit code is 0. `--strict` (or `strict = true`) makes it an error (exit 3).", "note"),
    Rule("STG006", "conversion-warning", "Something to check in the original or the conversion",
         "The conversion keeps the original's behaviour, but something deserves a look: a start command naming a "
         "binary the build does not produce, a runtime family that gives way because the start command needs a "
         "shell, a file left out of the runtime on purpose. The message says what and why.", "warning"),
    Rule("STG007", "conversion-note", "What the conversion changed, and why",
         "An informational note: a development server replaced by its production equivalent, a start command "
         "resolved through package.json, a Java release moved to the next LTS. `--quiet` hides these.", "note"),
)
BY_CODE = {r.code: r for r in RULES}
_CODE = Pattern(r"^STG\d{3}$")
_TAGGED = Pattern(r" \[(STG\d{3})\]$")


def get(code: str) -> Rule | None:
    """The rule of a code (case-insensitive), or None."""
    return BY_CODE.get(code.strip().upper())


def unknown(codes: tuple[str, ...] | list[str]) -> list[str]:
    """The codes of ``codes`` that name no rule."""
    return [c for c in codes if not _CODE.match(c.strip().upper()) or c.strip().upper() not in BY_CODE]


def not_ignorable(codes: tuple[str, ...] | list[str]) -> list[str]:
    """The codes of ``codes`` whose rule cannot be ignored."""
    return [c for c in codes if c.upper() in BY_CODE and not BY_CODE[c.upper()].can_ignore]


def tagged(message: str, default: str) -> str:
    """The rule a message names at its end (``... [STG004]``), else ``default``."""
    found = _TAGGED.search(message)
    return found.group(1) if found and found.group(1) in BY_CODE else default


def untagged(message: str) -> str:
    """The message without its trailing ``[STGnnn]``: text output puts the code in front."""
    return _TAGGED.sub("", message)


def note_code(note: Note) -> str:
    """The rule a conversion note belongs to."""
    if note.kind == "secret":
        return "STG003"
    tag = tagged(note.message, "")
    if tag:
        return tag
    return "STG006" if note.level is Level.WARNING else "STG007"


def wanted(code: str, select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> bool:
    """Whether a finding of ``code`` is reported: selected (all, when ``select`` is None) and not ignored."""
    if not BY_CODE[code].can_ignore:
        return True
    return (select is None or code in select) and code not in ignore


def column(text: str, line: int | None) -> int | None:
    """The 1-based column where the instruction on ``line`` starts (after its indentation)."""
    if line is None or line < 1:
        return None
    lines = text.splitlines()
    if line > len(lines):
        return None
    content = lines[line - 1]
    return len(content) - len(content.lstrip()) + 1


def finding(path: str, line: int | None, col: int | None, code: str, message: str) -> str:
    """One finding as text: ``PATH:LINE:COL: CODE message``."""
    where = path + (f":{line}" if line is not None else "") + (f":{col}" if line is not None and col is not None else "")
    return f"{where}: {code} {untagged(message)}"


def failure(path: str, original: str, error_path: str, line: int | None, message: str, internal: bool) -> str:
    """A failed conversion of ``path`` as one line: a finding at its line (STG002, STG004, STG005), or
    ``error: ...`` for stagify's own failure and for what is not about a line (a missing build context)."""
    if internal or (line is None and error_path != path):
        return f"error: {error_path}: {message}"
    col = column(original, line) if error_path == path else None
    return finding(error_path, line, col, tagged(message, "STG002"), message)


def note_finding(path: str, note: Note, text: str) -> str:
    """A conversion note as a finding line, its column read from the original ``text``."""
    return finding(path, note.line, column(text, note.line), note_code(note), note.message)


def explain(rule: Rule) -> str:
    """``stagify rule CODE``: the rule's name, level and explanation, for a terminal."""
    ignore = "yes (--ignore, `# stagify: ignore=CODE`)" if rule.can_ignore else "no"
    return (f"{rule.code} {rule.name}: {rule.summary}\n\nlevel: {rule.level}\ncan be ignored: {ignore}\n\n"
            f"{rule.explanation}\n")


def listing() -> str:
    """``stagify rule``: one line per rule."""
    width = max(len(r.name) for r in RULES)
    return "".join(f"{r.code}  {r.name:<{width}}  {r.level:<7}  {r.summary}\n" for r in RULES)
