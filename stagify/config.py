"""Settings files: ``.stagify.toml`` and ``[tool.stagify]`` of pyproject.toml, found from a Dockerfile upwards.

The search starts in the Dockerfile's folder and walks up to the repository root (the
folder holding ``.git``; the filesystem root when there is none). Every settings file on
that path counts, and the nearest one wins key by key, so a repository root can set
``pin = "digest"`` for all its services while one service picks its own runtime. In one
folder ``.stagify.toml`` is read before pyproject.toml, and a pyproject.toml without a
``[tool.stagify]`` table is no settings file.

Keys (the same in both files; pyproject.toml nests them under ``[tool.stagify]``)::

    runtime = "distroless"          # scratch | distroless | alpine | debian | jlink (Java)
    language = "go"
    user = "app"                    # the runtime's user name (created where the runtime has a shell)
    uid = 10001
    pin = "digest"                  # tag | digest
    registry_mirrors = ["https://mirror.example"]
    strict = true                   # secrets and files of no supported language fail
    backup = true                   # keep Dockerfile.bak when writing
    select = ["STG003"]             # the rule codes reported (default: all)
    ignore = ["STG007"]             # the rule codes not reported
    dockerignore = ["*.log"]        # extra .dockerignore lines
    [verify]                        # stagify verify's smoke settings
    [[overrides]]                   # per-path settings: paths = ["services/legacy/**"], then any key above

Unknown keys are an error naming the file, its line and the key: a typo must not pass
for a setting. Command-line flags win over every file. ``--config FILE`` reads that one
file instead of searching (its overrides match paths from its own folder), ``--isolated``
(or ``STAGIFY_NO_CONFIG=1``) reads none.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import StagifyError
from .options import Options, RuntimeChoice
from .patterns import Pattern

FILES = (".stagify.toml", "pyproject.toml")
# [tool.stagify], [tool.stagify.verify], [[tool.stagify.overrides]], or a dotted key tool.stagify.x = ... under [tool]
_TOOL_TABLE = Pattern(r"^\s*\[\[?\s*tool\s*\.\s*stagify\b|^\s*stagify\s*[.=]", re.M)
PIN_MODES = ("tag", "digest")
_SCALARS: dict[str, type] = {
    "runtime": str,
    "language": str,
    "user": str,
    "uid": int,
    "pin": str,
    "strict": bool,
    "backup": bool,
}
_LISTS = ("registry_mirrors", "dockerignore", "select", "ignore")
VERIFY_KEYS = ("http", "http_status", "port", "env", "smoke_cmd", "timeout")
KNOWN = (*_SCALARS, *_LISTS, "verify", "overrides")


@dataclass(frozen=True)
class Settings:
    """The settings that apply to one Dockerfile, and the files they came from."""

    runtime: RuntimeChoice | None = None
    language: str | None = None
    user: str | None = None
    uid: int | None = None
    pin: str | None = None
    strict: bool = False
    backup: bool = False
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    registry_mirrors: tuple[str, ...] = ()
    dockerignore: tuple[str, ...] = ()
    verify: dict[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = ()  # the files read, nearest first
    origins: tuple[tuple[str, str], ...] = ()  # (key, the file, or the file's override, that set it)

    @property
    def verify_source(self) -> str | None:
        return self.sources[0] if self.sources else None

    def options(self, runtime: RuntimeChoice | None = None, language: str | None = None,
                select: tuple[str, ...] | None = None, ignore: tuple[str, ...] | None = None,
                strict: bool = False) -> Options:
        """The library options: the flags given (not None) over these settings."""
        return Options(
            runtime=runtime or self.runtime,
            language=language or self.language,
            user=self.user,
            uid=self.uid,
            dockerignore=self.dockerignore,
            select=select if select is not None else self.select,
            ignore=ignore if ignore is not None else self.ignore,
            strict=strict or self.strict,
        )


@dataclass(frozen=True)
class _File:
    path: Path
    text: str
    table: dict[str, Any]


@dataclass(frozen=True)
class Lookup:
    """Where the settings come from: found from the Dockerfile upwards (the default), one file
    named on the command line (``--config``), or none at all (``--isolated``)."""

    config: Path | None = None
    isolated: bool = False


def for_dockerfile(dockerfile: Path, lookup: Lookup | None = None) -> Settings:
    """The settings for a Dockerfile (a path that may not exist yet: its folder is what counts)."""
    return for_folder(dockerfile.parent, dockerfile, lookup)


def for_folder(folder: Path, dockerfile: Path | None = None, lookup: Lookup | None = None) -> Settings:
    """The merged settings; none at all when STAGIFY_NO_CONFIG is set (a run that must not depend on files)."""
    lookup = lookup or Lookup()
    if lookup.isolated or os.environ.get("STAGIFY_NO_CONFIG"):
        return Settings()
    files = [_named(lookup.config)] if lookup.config is not None else list(_files(folder))
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for found in reversed(files):  # the farthest first, so nearer files overwrite
        _merge(merged, found.table, origins, str(found.path))
        if dockerfile is not None:
            for override in found.table.get("overrides", []):
                if _matches(override["paths"], found.path.parent, dockerfile):
                    _merge(merged, override, origins, f"{found.path} [[overrides]] paths = {json.dumps(override['paths'])}")
    runtime = merged.get("runtime")
    return Settings(
        runtime=RuntimeChoice(runtime) if runtime else None,
        language=merged.get("language"),
        user=merged.get("user"),
        uid=merged.get("uid"),
        pin=merged.get("pin"),
        strict=bool(merged.get("strict", False)),
        backup=bool(merged.get("backup", False)),
        select=tuple(c.upper() for c in merged["select"]) if "select" in merged else None,
        ignore=tuple(c.upper() for c in merged.get("ignore", ())),
        registry_mirrors=tuple(merged.get("registry_mirrors", ())),
        dockerignore=tuple(merged.get("dockerignore", ())),
        verify=dict(merged.get("verify", {})),
        sources=tuple(str(f.path) for f in files),
        origins=tuple(origins.items()),
    )


def _named(path: Path) -> _File:
    """The one settings file ``--config`` names: .stagify.toml's keys, or [tool.stagify] of a pyproject.toml."""
    if not path.is_file():
        raise StagifyError(str(path), None, "--config: no such settings file")
    loaded = _load(path)
    if loaded is None:  # a pyproject.toml without [tool.stagify]
        raise StagifyError(str(path), None, "--config: this pyproject.toml has no [tool.stagify] table")
    return loaded


def _merge(merged: dict[str, Any], table: dict[str, Any], origins: dict[str, str], origin: str) -> None:
    """One table's settings over those merged so far; the verify table merges key by key too."""
    for key, value in table.items():
        if key == "verify":
            merged["verify"] = {**merged.get("verify", {}), **value}
            origins.update({f"verify.{name}": origin for name in value})
        elif key not in ("paths", "overrides"):
            merged[key] = value
            origins[key] = origin


def describe(settings: Settings) -> list[tuple[str, Any, str | None]]:
    """Every setting as (key, value, where it was set): None for a default, which no file set."""
    where = dict(settings.origins)
    rows: list[tuple[str, Any, str | None]] = []
    for key in (*_SCALARS, *_LISTS):
        value = getattr(settings, key)
        rows.append((key, value.value if isinstance(value, RuntimeChoice) else list(value) if isinstance(value, tuple) else value,
                     where.get(key)))
    rows += [(f"verify.{name}", value, where.get(f"verify.{name}")) for name, value in settings.verify.items()]
    return rows


def _matches(patterns: list[str], base: Path, dockerfile: Path) -> bool:
    """Whether a Dockerfile's path, relative to the settings file's folder, matches a glob (``**`` spans folders).

    The globs are .dockerignore patterns, matched by the same engine (dockerignore.covers), so a
    settings file and a .dockerignore read ``services/*/api`` alike: ``*``, ``?`` and ``[...]`` stay
    within one folder, ``**`` spans any number, a pattern naming a folder covers everything under
    it, and a leading ``/`` or ``./`` is dropped. What the settings file needs differently: an
    empty pattern (or ``/``) means every path, where a .dockerignore skips the line, and a leading
    ``!`` is a literal character, since ``paths`` only lists what an override applies to.
    """
    from .context.dockerignore import clean, compile_glob, covers

    try:
        relative = dockerfile.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return False
    # Malformed patterns ([] or [z-a]) were refused when the file was read (_check).
    return any(clean(p) in ("", ".") or covers(compile_glob(clean(p)), relative) for p in patterns)


def _files(folder: Path) -> list[_File]:
    """The settings files from ``folder`` up to the repository root, nearest first."""
    found = []
    current = folder.resolve()
    while True:
        for name in FILES:
            loaded = _load(current / name)
            if loaded is not None:
                found.append(loaded)
        if (current / ".git").exists() or current.parent == current:
            return found
        current = current.parent


def _load(path: Path) -> _File | None:
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StagifyError(str(path), None, f"cannot read the settings: {exc}") from None
    if path.name == "pyproject.toml" and not _TOOL_TABLE.search(text):
        return None  # the common case: a Python project's pyproject.toml, not even parsed (TOML costs start-up time)
    from .context.tomlfile import loads

    try:
        document = loads(text)
    except RecursionError:
        raise StagifyError(str(path), None, "not valid TOML: nested more than 1,000 levels deep") from None
    except ValueError as exc:
        found = re.search(r"\s*\(at line (\d+), column \d+\)", str(exc))
        message = str(exc).replace(found.group(0), "") if found else str(exc)
        raise StagifyError(str(path), int(found.group(1)) if found else None, f"not valid TOML: {message}") from None
    if path.name == "pyproject.toml":
        table = document.get("tool", {}).get("stagify")
        if table is None:
            return None
        where = "[tool.stagify]"
    else:
        table = document
        where = ".stagify.toml"
    loaded = _File(path=path, text=text, table=table)
    _check(loaded, table, where)
    return loaded


def _check(found: _File, table: Any, where: str, override: bool = False) -> None:
    """Every key known and of the right type; a StagifyError at the key's line otherwise."""
    if not isinstance(table, dict):
        raise _bad(found, None, f"{where} must be a table")
    for key, value in table.items():
        if override and key == "paths":
            if not isinstance(value, list) or not value or not all(isinstance(p, str) for p in value):
                raise _bad(found, key, f"{where}: paths must be a non-empty list of globs, like [\"services/legacy/**\"]")
            from .context.dockerignore import PatternError, clean, compile_glob

            for pattern in value:
                try:
                    compile_glob(clean(pattern))
                except PatternError as exc:
                    raise _bad(found, key, f"{where}: {exc.message}") from None
            continue
        if key not in KNOWN or (override and key == "overrides"):
            known = ", ".join(k for k in KNOWN if not (override and k == "overrides"))
            raise _bad(found, key, f"unknown key {key!r} in {where} (known: {known})")
        if key in _SCALARS:
            expected = _SCALARS[key]
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise _bad(found, key, f"{key} must be a {_type_name(expected)}, not {value!r}")
        if key in _LISTS and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            raise _bad(found, key, f"{key} must be a list of strings, not {value!r}")
        if key in ("select", "ignore"):
            from .dockerfile import rules

            bad = rules.unknown(value)
            if bad:
                raise _bad(found, key, f"{key}: unknown rule {bad[0]!r} (`stagify rule` lists them)")
            fixed = rules.not_ignorable(value) if key == "ignore" else []
            if fixed:
                raise _bad(found, key, f"ignore: {fixed[0]} cannot be ignored")
        if key == "runtime" and value not in [c.value for c in RuntimeChoice]:
            raise _bad(found, key, f"runtime must be one of {', '.join(c.value for c in RuntimeChoice)}, not {value!r}")
        if key == "pin" and value not in PIN_MODES:
            raise _bad(found, key, f"pin must be one of {', '.join(PIN_MODES)}, not {value!r}")
        if key == "uid" and not 0 < value < 2**31:
            raise _bad(found, key, f"uid must be a non-root user id (1 or more), not {value}")
        if key == "user" and (value in ("root", "0") or not re.fullmatch(r"[a-z_][a-z0-9_-]{0,31}", value)):
            raise _bad(found, key, f"user must be a non-root user name (lowercase letters, digits, _ and -), not {value!r}")
        if key == "language":
            from .languages import names

            if value not in names():
                raise _bad(found, key, f"unknown language {value!r} (known: {', '.join(names())})")
        if key == "verify":
            if not isinstance(value, dict):
                raise _bad(found, key, "verify must be a table")
            for name, item in value.items():
                if name not in VERIFY_KEYS:
                    raise _bad(found, name, f"unknown key {name!r} in the verify settings (known: {', '.join(VERIFY_KEYS)})")
                problem = _verify_problem(name, item)
                if problem:
                    raise _bad(found, name, f"verify: {name} must be {problem}, not {item!r:.60}")
        if key == "overrides":
            if not isinstance(value, list):
                raise _bad(found, key, "overrides must be an array of tables: [[overrides]] with paths = [...]")
            for entry in value:
                if not isinstance(entry, dict) or "paths" not in entry:
                    raise _bad(found, key, "each [[overrides]] needs paths = [\"glob\", ...]")
                _check(found, entry, f"{where} overrides", override=True)


def _verify_problem(name: str, value: Any) -> str | None:
    """What a [verify] value must be, when it is not that (None when it is fine)."""
    if name in ("http", "http_status"):
        ok = isinstance(value, list) and all(isinstance(p, str) and p.startswith("/") for p in value)
        return None if ok else "a list of paths starting with /"
    if name == "port":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536
        return None if ok else "a number from 1 to 65535"
    if name == "timeout":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= 86_400
        return None if ok else "a number of seconds (more than 0, at most 86400)"
    if name == "env":
        scalars = (str, int, float, bool)
        if isinstance(value, dict) and all(isinstance(v, scalars) for v in value.values()):
            return None
        if isinstance(value, list) and all(isinstance(e, str) and "=" in e and not e.startswith("=") for e in value):
            return None
        return 'a table (env = { NAME = "value" }) or a list of "NAME=VALUE" strings'
    if name == "smoke_cmd":
        if not isinstance(value, str):
            return "a string"
        import shlex

        try:
            shlex.split(value)
        except ValueError:
            return "a command with its quotes closed"
    return None


def _type_name(expected: type) -> str:
    return {str: "string", int: "whole number", bool: "true or false"}.get(expected, "value")


def _bad(found: _File, key: str | None, message: str) -> StagifyError:
    return StagifyError(str(found.path), _line_of(found.text, key) if key else None, message)


def _line_of(text: str, key: str) -> int | None:
    """The line a key is set on (the first such line): TOML readers do not keep positions."""
    pattern = re.compile(rf"^\s*(?:\"{re.escape(key)}\"|'{re.escape(key)}'|{re.escape(key)})\s*=|^\s*\[+\s*(?:[\w.\"']*\.)?{re.escape(key)}\s*\]+", re.M)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else None
