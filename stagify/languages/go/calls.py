"""Go command lines: ``go build``/``go run``/... read into a :class:`GoCall`, and ``go build`` rewritten.

Both detection and planning read the Go commands of RUN, CMD and ENTRYPOINT, so
parsing them lives here, with the rewrite that gives a build its cgo setting,
``-trimpath`` and stripped symbols while keeping the user's own flags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...dockerfile import shell

# `go build` flags that take a value as the next word.
_VALUE_FLAGS = frozenset(
    {
        "o", "ldflags", "gcflags", "asmflags", "tags", "mod", "modfile", "p", "pkgdir", "installsuffix",
        "buildmode", "compiler", "gccgoflags", "overlay", "pgo", "toolexec", "C", "covermode", "coverpkg", "exec",
    }
)


@dataclass(frozen=True)
class GoCall:
    """One ``go <verb>`` command line, read from a RUN or a start command."""

    verb: str
    env: tuple[tuple[str, str], ...]
    flags: tuple[tuple[str, str | None], ...]
    targets: tuple[str, ...]
    program_args: tuple[str, ...]

    def flag(self, name: str) -> str | None:
        for key, value in self.flags:
            if key == name:
                return value if value is not None else ""
        return None


def parse_call(argv: tuple[str, ...] | list[str], env: tuple[tuple[str, str], ...] = ()) -> GoCall | None:
    """``go build -o app ./cmd/x`` -> GoCall; None when argv is not a go command."""
    if len(argv) < 2 or argv[0].rsplit("/", 1)[-1] != "go":
        return None
    verb = argv[1]
    rest = list(argv[2:])
    if verb == "mod" and rest:
        verb, rest = f"mod {rest[0]}", rest[1:]
    flags: list[tuple[str, str | None]] = []
    targets: list[str] = []
    program_args: list[str] = []
    i = 0
    while i < len(rest):
        word = rest[i]
        if targets and verb == "run" and not word.endswith(".go"):
            program_args = rest[i:]
            break
        if word.startswith("-") and not targets:
            name, eq, value = word.lstrip("-").partition("=")
            if not eq and name in _VALUE_FLAGS and i + 1 < len(rest):
                value = rest[i + 1]
                i += 1
                eq = "="
            flags.append((name, value if eq else None))
        else:
            targets.append(word)
            if verb == "run" and not word.endswith(".go"):
                program_args = rest[i + 1 :]
                break
        i += 1
    return GoCall(verb=verb, env=env, flags=tuple(flags), targets=tuple(targets), program_args=tuple(program_args))


def rewrite_build(segment: str, cgo: bool, target: tuple[str, ...] = ()) -> str:
    """Rewrite one ``go build`` command: cgo as decided, -trimpath, stripped symbols, user flags kept.

    ``target`` are the ``GOOS=$TARGETOS``-style words of a builder that runs on the build platform
    and cross-compiles; they go before the user's own variables.
    """
    toks = shell.tokens(segment)
    env: list[str] = []
    i = 0
    while i < len(toks) and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", toks[i].value):
        if not toks[i].value.startswith("CGO_ENABLED="):
            env.append(toks[i].raw)
        i += 1
    go_word = toks[i].raw if i < len(toks) else "go"
    rest = toks[i + 2 :]
    kept: list[str] = []
    ldflags = ""
    quote = '"'
    trimpath = False
    j = 0
    while j < len(rest):
        tok = rest[j]
        name = tok.value.lstrip("-").split("=", 1)[0] if tok.value.startswith("-") else None
        if name == "ldflags":
            if "=" in tok.value:
                ldflags = tok.value.split("=", 1)[1]
                raw_value = tok.raw.split("=", 1)[1]
            elif j + 1 < len(rest):
                j += 1
                ldflags = rest[j].value
                raw_value = rest[j].raw
            else:
                raw_value = ""
            if raw_value.startswith("'"):
                quote = "'"
            j += 1
            continue
        if name == "trimpath":
            trimpath = True
        kept.append(tok.raw)
        j += 1
    extra = [w for w in ldflags.split() if w not in ("-s", "-w")]
    merged = " ".join(["-s", "-w", *extra])
    cgo_enabled = "1" if cgo else "0"
    parts = [f"CGO_ENABLED={cgo_enabled}", *target, *env, go_word, "build"]
    if not trimpath:
        parts.append("-trimpath")
    parts.append(f"-ldflags={quote}{merged}{quote}")
    parts.extend(kept)
    return " ".join(parts)
