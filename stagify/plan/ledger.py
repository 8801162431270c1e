"""The ledger of effects: every path the original's RUN lines wrote, and its fate in the runtime.

A single-stage image holds everything its instructions wrote. The runtime of a
conversion holds only what is copied into it, so each path a RUN line wrote needs
a fate: carried into the runtime (it may be read at run time), already there (a
copy of the runtime covers it), or left behind on purpose (a cache, a temporary
folder), each with its reason. A command whose writes cannot be told keeps its
working folder: a few extra megabytes are cheaper than a broken application.

Pure functions over the walked stage; the planner renders the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..dockerfile import effects
from ..dockerfile.walk import Walked
from ..languages import LANGUAGES
from ..patterns import Pattern

# Programs whose effects a language module or the package rules own (the build, the installs,
# the users): their outputs reach the runtime as artifacts, installed packages or the runtime user.
OWNED = frozenset(
    (
        *(tool for language in LANGUAGES for tool in language.traits.tools),
        "apt-get", "apt", "apk", "dpkg", "yum", "dnf", "microdnf", "useradd", "adduser", "groupadd", "addgroup", "usermod",
        "update-ca-certificates", "ldconfig", "locale-gen", "rm", "rmdir",
    )
)
# Where builds keep caches and scratch files: nothing the application reads.
_SCRATCH = Pattern(
    r"^/(tmp|var/tmp|var/cache|var/lib/apt|var/log|root/\.cache|root/\.npm|root/\.m2|root/\.gradle|root/\.yarn"
    r"|root/\.local/share/pnpm|usr/local/share/\.cache|go/pkg|root/go/pkg|home/[^/]+/\.(cache|npm|m2|gradle))(/|$)"
)
# Folders that a command's "working folder" must never be carried as a whole.
SYSTEM = Pattern(r"^/(bin|sbin|lib|lib64|usr|etc|var|proc|sys|dev|run|boot|opt)?/?$")
# Names of folders and files an application writes at run time (data, uploads, logs, caches, databases).
WRITABLE_NAMES = Pattern(
    r"(^|/)(data|uploads?|logs?|tmp|temp|storage|media|instance|cache|sessions?|run|var|db|database)$|\.(db|sqlite3?|db3|pid|log)$",
    re.I,
)


@dataclass(frozen=True)
class Fate:
    """What becomes of one path the original image had: carried, already there, or left behind."""

    path: str
    line: int
    carried: bool
    reason: str
    writable: bool = False  # owned by the runtime user
    kind: effects.Kind = effects.Kind.TREE


def run_effects(walked: Iterable[Walked]) -> list[tuple[Walked, effects.Effects]]:
    """The effects of every RUN line, without the commands a language or the package rules own."""
    out = []
    for w in walked:
        if w.instruction.keyword.value != "RUN" or not w.commands:
            continue
        if not any(c.program and c.program not in OWNED and c.program not in effects.QUIET for c in w.commands) and not any(
            ">" in word for c in w.commands for word in c.argv
        ):
            continue
        script = "\n".join(_own_commands(w))
        if not script:
            continue
        found = effects.of_script(script, w.state.workdir, w.state.env_map())
        if found.writes or found.opaque:
            out.append((w, found))
    return out


def _own_commands(w: Walked) -> list[str]:
    """The command lines of a RUN that the ledger reads: ``cd`` kept, so later paths resolve."""
    kept = []
    for command in w.commands:
        if command.program in OWNED and not any(">" in word for word in command.argv):
            continue
        kept.append(command.text)
    return kept


def fates(
    found: list[tuple[Walked, effects.Effects]],
    covered: Callable[[str], bool],
    workdir: str | None,
) -> tuple[Fate, ...]:
    """Each written path's fate. ``covered(path)``: the runtime already copies it (or a folder holding it)."""
    out: list[Fate] = []
    removed: set[str] = set()
    for w, eff in found:
        line = w.instruction.line
        for write in eff.writes:
            path = write.path
            if write.kind is effects.Kind.REMOVED:
                removed.add(path)
                continue
            removed.discard(path)
            writable = write.kind is effects.Kind.DIR or bool(WRITABLE_NAMES.search(path))
            if _SCRATCH.match(path):
                out.append(Fate(path, line, False, f"`{write.command}` writes a build cache or scratch path", kind=write.kind))
            elif workdir is not None and (path == workdir or workdir.startswith(path.rstrip("/") + "/")) and write.kind in (
                effects.Kind.DIR, effects.Kind.META
            ):
                out.append(Fate(path, line, False, "the runtime's working folder: its WORKDIR creates it", kind=write.kind))
            elif path == "/" or SYSTEM.match(path):
                out.append(Fate(path, line, False, f"`{write.command}` changes a system folder, not copied", kind=write.kind))
            elif covered(path):
                out.append(Fate(path, line, False, "the runtime already copies it", writable, write.kind))
            else:
                out.append(Fate(path, line, True, f"written by `{_short(write.command)}` (line {line})", writable, write.kind))
        for program, cwd in eff.opaque:
            if covered(cwd):
                continue
            if SYSTEM.match(cwd) or cwd == "/" or _SCRATCH.match(cwd):
                out.append(Fate(cwd, line, False, f"`{program}` runs in {cwd}; what it writes there cannot be told, and a "
                                                  "system folder is not copied whole", kind=effects.Kind.TREE))
                continue
            out.append(Fate(cwd, line, True, f"`{program}` (line {line}) may write anywhere in {cwd}: the folder is kept whole",
                            kind=effects.Kind.TREE))
    return tuple(f for f in out if not (f.carried and f.path in removed))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def merged(items: Iterable[Fate]) -> list[Fate]:
    """Carried fates without the ones a carried folder already holds, in order."""
    carried = [f for f in items if f.carried]
    folders = [f.path for f in carried if f.kind in (effects.Kind.TREE, effects.Kind.DIR)]
    out: list[Fate] = []
    seen: set[str] = set()
    for fate in carried:
        inside = any(fate.path != folder and fate.path.startswith(folder.rstrip("/") + "/") for folder in folders)
        if inside or fate.path in seen:
            continue
        seen.add(fate.path)
        out.append(fate)
    return out
