"""``stagify verify``: build the original and the converted Dockerfile, run both, compare, measure.

The library API is :func:`verify`; it prints nothing (the CLI renders its
:class:`Report`). Images get throwaway tags and are removed afterwards, containers
always are, also when the run is interrupted.
"""

from __future__ import annotations

import re
import shlex
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..context import dockerignore
from ..context.buildcontext import BuildContext
from ..errors import StagifyError
from ..languages import LANGUAGES
from ..patterns import Pattern
from . import filecheck
from .docker import BuildFailure, BuildStep, Docker, EngineError, Response

# Source files a one-line change is made to when the rebuild is measured, and how a line is commented there.
SOURCE_SUFFIXES = {language.name: (language.traits.sources, language.traits.comment) for language in LANGUAGES}
_TEST_PARTS = Pattern(r"(^|/)(tests?|__tests__|spec|testdata|node_modules|vendor|\.git)(/|$)|_test\.go$|\.(test|spec)\.[jt]sx?$")
_EXPOSE = Pattern(r"^\s*EXPOSE\s+(.+)$", re.I | re.M)


class VerifyError(Exception):
    """Verification cannot run: no engine, a base image that cannot be pulled, an original that does not build."""


@dataclass(frozen=True)
class Smoke:
    """How the two containers are compared."""

    paths: tuple[str, ...] = ()  # HTTP paths (GET); "/" by default when a port is known
    status_paths: tuple[str, ...] = ()  # HTTP paths whose status alone is compared (bodies with build IDs, dev vs built pages)
    port: int | None = None  # default: the first port the converted Dockerfile EXPOSEs
    env: tuple[tuple[str, str], ...] = ()
    command: tuple[str, ...] | None = None  # run in place of CMD; exit code and output compared
    timeout: float = 60.0
    run_image: bool = False  # run the image's own start command; exit code and output compared
    stdin: str | None = None  # fed to the command (or the image's own start command) on standard input


@dataclass(frozen=True)
class Side:
    """One of the two images: how it built, what it is, how it answered."""

    tag: str
    built: bool = False
    build_seconds: float | None = None
    size: int | None = None
    layers: int | None = None
    user: str | None = None  # the image's USER
    uid: int | None = None  # the UID its process ran as
    rebuild_seconds: float | None = None
    answers: tuple[Response, ...] = ()
    error: str | None = None
    rebuild_steps: tuple[BuildStep, ...] = ()  # the rebuild's steps, each served by the build cache or run again


@dataclass(frozen=True)
class Report:
    original: Side
    converted: Side
    checks: tuple[str, ...] = ()  # what was compared
    changed_file: str | None = None  # the source file the rebuild measurement changed
    problems: tuple[str, ...] = ()  # why the conversion is not proven; empty: it is
    remarks: tuple[str, ...] = field(default=())  # what could not be measured
    absent: tuple[filecheck.Absent, ...] = ()  # files of the original's own layers the conversion lacks

    @property
    def missing(self) -> tuple[filecheck.Absent, ...]:
        return tuple(a for a in self.absent if not a.on_purpose)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def same_behaviour(self) -> bool | None:
        if not self.checks or not self.converted.built:
            return None
        return self.original.answers == self.converted.answers

    @property
    def smaller_by(self) -> float | None:
        """The share of the original's size the conversion saves (0.99 for 99 %)."""
        if not self.original.size or self.converted.size is None:
            return None
        return 1 - self.converted.size / self.original.size


def exposed_port(text: str) -> int | None:
    for match in _EXPOSE.finditer(text):
        for word in match.group(1).split():
            number = word.split("/")[0]
            if number.isdigit():
                return int(number)
    return None


def verify(
    original: str,
    converted: str,
    context: Path,
    *,
    converted_ignore: str | None,
    smoke: Smoke,
    docker: Docker | None = None,
    language: str | None = None,
    rebuild: bool = True,
    keep_images: bool = False,
    name: str = "app",
    no_cache: bool = False,
    check_files: bool = True,
    left_behind: tuple[tuple[str, str], ...] = (),
    step: Callable[[str], None] | None = None,
) -> Report:
    """Build both Dockerfiles from ``context``, run both, compare and measure.

    ``converted_ignore`` is the .dockerignore the converted build uses (beside its
    Dockerfile, so the build context on disk is never changed); None: the context's own.
    ``step`` hears what is under way ("building the original", ...), for a progress display.
    The engine may be another machine's: the client sends it the context and the Dockerfiles.
    """
    engine = docker or Docker()
    try:
        engine.check()
    except EngineError as exc:
        raise VerifyError(str(exc)) from None
    engine.check_builder()
    token = uuid.uuid4().hex[:8]
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-.") or "app"
    tags = (f"stagify-verify/{slug}:original-{token}", f"stagify-verify/{slug}:converted-{token}")
    work = Path(tempfile.mkdtemp(prefix="stagify-verify-"))
    try:
        files = _write_dockerfiles(work, original, converted, converted_ignore)
        return _run(engine, files, context, tags, smoke, language, rebuild, token, no_cache, check_files, converted_ignore,
                    left_behind, step or (lambda _what: None))
    finally:
        if not keep_images:
            engine.remove_images(*tags)
        shutil.rmtree(work, ignore_errors=True)


def _write_dockerfiles(work: Path, original: str, converted: str, ignore: str | None) -> tuple[Path, Path]:
    before = work / "original" / "Dockerfile"
    after = work / "converted" / "Dockerfile"
    for path, text in ((before, original), (after, converted)):
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    if ignore is not None:
        # BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile instead of the context's own.
        (work / "converted" / "Dockerfile.dockerignore").write_text(ignore, encoding="utf-8")
    return before, after


def _run(engine: Docker, files: tuple[Path, Path], context: Path, tags: tuple[str, str], smoke: Smoke,
         language: str | None, rebuild: bool, token: str, no_cache: bool, check_files: bool = True,
         ignore: str | None = None, left_behind: tuple[tuple[str, str], ...] = (),
         step: Callable[[str], None] = lambda _what: None) -> Report:
    before_file, after_file = files
    step("building the original")
    try:
        seconds = engine.build(before_file, context, tags[0], no_cache)
    except EngineError as exc:
        raise VerifyError(str(exc)) from None
    except BuildFailure as exc:
        if exc.unpullable:
            raise VerifyError(f"the base image {exc.unpullable} cannot be pulled, so nothing can be built:\n{exc.output}") from None
        raise VerifyError(f"the original Dockerfile does not build, so there is nothing to compare:\n{exc.output}") from None
    info = engine.inspect(tags[0])
    before = Side(tags[0], True, seconds, info.size, info.layers, info.user)
    problems: list[str] = []
    step("building the conversion")
    try:
        seconds = engine.build(after_file, context, tags[1], no_cache)
    except BuildFailure as exc:
        if exc.unpullable:
            raise VerifyError(f"the base image {exc.unpullable} of the converted Dockerfile cannot be pulled:\n{exc.output}") from None
        failed = Side(tags[1], error=exc.output)
        return Report(before, failed, problems=(f"the converted Dockerfile does not build:\n{exc.output}",))
    info = engine.inspect(tags[1])
    after = Side(tags[1], True, seconds, info.size, info.layers, info.user)
    if before.size is not None and after.size is not None and after.size > before.size:
        # The promise is "only smaller": a bigger conversion is not proven, whatever it answers.
        problems.append(f"the converted image is bigger than the original: {after.size / 1e6:.1f} MB against "
                        f"{before.size / 1e6:.1f} MB (+{(after.size - before.size) / 1e6:.1f} MB)")

    port = smoke.port or exposed_port(after_file.read_text()) or exposed_port(before_file.read_text())
    runs = smoke.command is not None or smoke.run_image
    paths = smoke.paths or (("/",) if port and not runs and not smoke.status_paths else ())
    paths = (*paths, *smoke.status_paths)
    remarks: list[str] = []
    checks: list[str] = []
    answers: list[list[Response]] = [[], []]
    uids: list[int | None] = [None, None]
    if paths and port is None:
        remarks.append("no port to send HTTP requests to: give --port (the Dockerfile EXPOSEs none)")
        paths = ()
    for index, tag in enumerate(tags):
        step(f"running the {('original', 'conversion')[index]}")
        if paths and port is not None:
            try:
                served, uids[index] = engine.serve(tag, f"stagify-verify-{token}-{index}", port, paths, smoke.env, smoke.timeout)
            except EngineError as exc:
                raise VerifyError(str(exc)) from None
            answers[index].extend(served)
        if smoke.command or smoke.run_image:
            answers[index].append(engine.run_command(tag, smoke.command or (), smoke.env, stdin=smoke.stdin))
    checks = [r.check for r in answers[0]]
    if not checks:
        remarks.append("behaviour not compared: no EXPOSEd port and no --smoke-cmd")
    status_only = {f"GET {p}" for p in smoke.status_paths}
    for index, (old, new) in enumerate(zip(answers[0], answers[1], strict=True)):
        if old.check in status_only:
            # Only the status counts: both sides report it alone, so equal statuses compare equal.
            answers[0][index] = old = replace(old, check=f"{old.check} (status)", body="")
            answers[1][index] = new = replace(new, check=f"{new.check} (status)", body="" if new.status else new.body)
        if (old.status, old.body) != (new.status, new.body):
            problems.append(f"{old.check}: the original answered {old.status} {_short(old.body)!r}, "
                            f"the conversion {new.status} {_short(new.body)!r}")
    absent: tuple[filecheck.Absent, ...] = ()
    if check_files:
        step("comparing files")
        absent, why_not = _absent_files(engine, before_file.read_text(), tags, ignore, left_behind)
        if why_not:
            remarks.append(why_not)
        missing = [a.path for a in absent if not a.on_purpose]
        if missing:
            shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            problems.append(f"{len(missing)} file(s) of the original are missing from the conversion: {shown}")
    if smoke.run_image and after.user and uids[1] is None and (after.user.split(":")[0]).isdigit():
        uids[1] = int(after.user.split(":")[0])
    user = (after.user or "").split(":")[0]
    if user in ("", "root", "0") or uids[1] == 0:
        problems.append(f"the converted image runs as root (USER {after.user or 'not set'})")

    changed = None
    rebuilt: list[float | None] = [None, None]
    if rebuild:
        step("measuring a rebuild")
        changed, rebuilt, steps = _rebuild(engine, files, context, tags, language, token)
        if changed is None:
            remarks.append("rebuild not measured: no application source file found to change")
    else:
        steps = [(), ()]
    before = replace(before, uid=uids[0], answers=tuple(answers[0]), rebuild_seconds=rebuilt[0], rebuild_steps=steps[0])
    after = replace(after, uid=uids[1], answers=tuple(answers[1]), rebuild_seconds=rebuilt[1], rebuild_steps=steps[1])
    return Report(before, after, tuple(checks), changed, tuple(problems), tuple(remarks), absent)


def _absent_files(engine: Docker, original: str, tags: tuple[str, str], ignore: str | None,
                  left_behind: tuple[tuple[str, str], ...] = ()) -> tuple[tuple[filecheck.Absent, ...], str | None]:
    """The original's own files the conversion lacks, each classified; or why they could not be listed."""
    from ..dockerfile.parse import parse

    try:
        stages = parse(original).stages
    except StagifyError:
        return (), "files not compared: the original Dockerfile could not be read again"
    base = stages[-1].image.resolved if stages else None
    if not base or base == "scratch":
        return (), "files not compared: the original has no base image to tell its own files from"
    base_layers = engine.layer_ids(base)
    own_layers = engine.layer_ids(tags[0])
    if base_layers is None or own_layers is None:
        return (), f"files not compared: the engine has no image {base} to tell the original's own files from"
    keep = 0
    while keep < min(len(base_layers), len(own_layers)) and base_layers[keep] == own_layers[keep]:
        keep += 1
    try:
        added = engine.added_files(tags[0], keep)
        converted = engine.files(tags[1])
    except (EngineError, OSError, KeyError, ValueError) as exc:
        return (), f"files not compared: {exc}"
    rules = dockerignore.parse_rules(ignore) if ignore else ()

    def ignored(path: str) -> bool:
        parts = path.strip("/").split("/")
        return any(dockerignore.is_ignored(rules, "/".join(parts[i:])) for i in range(len(parts)))

    return filecheck.compare(added, converted, ignored if rules else None, left_behind), None


def _rebuild(engine: Docker, files: tuple[Path, Path], context: Path, tags: tuple[str, str],
             language: str | None, token: str) -> tuple[str | None, list[float | None], list[tuple[BuildStep, ...]]]:
    """Both builds again after a one-line change to an application source file, in a copy of the context.

    Returns the changed file, each side's seconds and each side's steps (which the cache served).
    """
    source = pick_source(context, language)
    if source is None:
        return None, [None, None], [(), ()]
    copy = Path(tempfile.mkdtemp(prefix="stagify-verify-context-"))
    try:
        shutil.copytree(context, copy / "ctx", symlinks=True, ignore=shutil.ignore_patterns(".git"))
        target = copy / "ctx" / source
        comment = next((c for suffixes, c in SOURCE_SUFFIXES.values() if target.suffix in suffixes), "//")
        original = target.read_bytes()
        seconds: list[float | None] = []
        steps: list[tuple[BuildStep, ...]] = []
        for side, (dockerfile, tag) in enumerate(zip(files, tags, strict=True)):
            # A line of its own for each build of each run: a change either build saw before (the two
            # share identical steps) would be a build cache hit, not a rebuild.
            target.write_bytes(original + f"\n{comment} changed by stagify verify ({token}-{side}) to measure a rebuild\n".encode())
            try:
                seconds.append(engine.build(dockerfile, copy / "ctx", tag))
                steps.append(engine.last_steps)
            except BuildFailure:
                seconds.append(None)
                steps.append(())
        return source, seconds, steps
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def pick_source(context: Path, language: str | None) -> str | None:
    """An application source file (not a test, not vendored) that a one-line change rebuilds."""
    suffixes = tuple(s for lang, (found, _) in SOURCE_SUFFIXES.items() if language in (None, lang) for s in found)
    ctx = BuildContext.open(context)
    candidates = [rel for rel in ctx.walk() if rel.endswith(suffixes) and not _TEST_PARTS.search(rel)]
    if not candidates:
        return None
    return sorted(candidates, key=lambda rel: (rel.count("/"), len(rel), rel))[0]


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 80 else text[:77] + "..."


# -- settings ---------------------------------------------------------------------------------------


def smoke_from(settings: dict[str, Any], source: str | None, *, paths: list[str], port: int | None, env: list[str],
               command: str | None, timeout: float | None, status_paths: list[str] | tuple[str, ...] = ()) -> Smoke:
    """Command-line options over the settings file's."""
    where = source or "settings"

    def bad(message: str) -> StagifyError:
        return StagifyError(where, None, message)

    chosen_paths = list(paths) or list(settings.get("http", []))
    chosen_status = list(status_paths) or list(settings.get("http_status", []))
    if not all(isinstance(p, str) and p.startswith("/") for p in [*chosen_paths, *chosen_status]):
        raise bad("http paths must start with /")
    chosen_port = port if port is not None else settings.get("port")
    if chosen_port is not None and (not isinstance(chosen_port, int) or not 0 < chosen_port < 65536):
        raise bad(f"port must be a number from 1 to 65535, not {chosen_port!r}")
    pairs: list[tuple[str, str]] = []
    configured = settings.get("env", {})
    items = configured.items() if isinstance(configured, dict) else (str(e).partition("=")[::2] for e in configured)
    for key, value in items:
        pairs.append((str(key), str(value)))
    for entry in env:
        key, sep, value = entry.partition("=")
        if not sep or not key:
            raise StagifyError("--env", None, f"expected NAME=VALUE, got {entry!r}")
        pairs.append((key, value))
    text = command if command is not None else settings.get("smoke_cmd")
    try:
        words = tuple(shlex.split(text)) if text else None
    except ValueError as exc:  # an unclosed quote
        raise StagifyError("--smoke-cmd" if command is not None else where, None, f"smoke_cmd cannot be split into words: {exc}") from None
    wait = timeout if timeout is not None else float(settings.get("timeout", 60))
    return Smoke(paths=tuple(chosen_paths), status_paths=tuple(chosen_status), port=chosen_port, env=tuple(pairs), command=words,
                 timeout=wait)
