"""What a Python build context says: the dependency manager, the dependencies, the version, the app.

setup.py is read through ``stagify.context.pyscan`` (libcst), never executed; libcst is only
loaded here, when a context turns out to hold a Python project.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...context.buildcontext import BuildContext
from ...context.tomlfile import loads
from ...dockerfile.model import Stage
from ...errors import StagifyError
from ...images import catalogue
from ...images.reference import ImageRef
from ...patterns import Pattern
from ..base import SQLITE_SUFFIX, WriteCall, app_sources, runtime_writes_in
from ..detection import Evidence

# Lock files and manifests, in the order that decides the manager.
MANAGER_FILES = (("uv.lock", "uv"), ("poetry.lock", "poetry"), ("Pipfile.lock", "pipenv"), ("Pipfile", "pipenv"), ("pdm.lock", "pdm"))
WEB_SERVERS = ("gunicorn", "uvicorn", "hypercorn", "daphne", "waitress")
FRAMEWORKS = ("fastapi", "starlette", "flask", "django", "quart", "sanic", "litestar", "aiohttp", "tornado", "bottle", "falcon")
# Files where application objects usually live, scanned with libcst when no start command is given.
APP_FILES = ("main.py", "app.py", "api.py", "server.py", "wsgi.py", "asgi.py", "application.py", "run.py")
# Packages that load .env from the working folder, and the files that declare them: a .env the original copied
# is then read when the app starts (plan/buildinputs.py keeps it in the build context).
ENV_LOADERS = ("python-dotenv", "django-environ", "environs", "dotenv")
_ENV_MANIFESTS = ("requirements.txt", "pyproject.toml", "Pipfile", "setup.py", "setup.cfg")
_REQ_NAME = Pattern(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class PyFacts:
    manager: str  # pip | poetry | pipenv | uv | pdm
    requirements: tuple[str, ...]
    dependencies: tuple[str, ...]
    build_backend: str | None
    is_package: bool
    console_scripts: tuple[tuple[str, str], ...]
    app_objects: tuple[tuple[str, str, str], ...]  # (module, variable, framework)
    django_wsgi: str | None
    python_requires: str | None
    skipped: tuple[str, ...] = ()  # Python files not scanned, and why
    # Folders the application creates or writes files in at run time (see runtime_writes), each with where it says so.
    runtime_writes: tuple[tuple[str, str], ...] = ()

    def uses(self, name: str) -> bool:
        return name in self.dependencies


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# Requirements files followed through -r/-c includes, per top-level file.
MAX_REQUIREMENT_FILES = 256


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def read_toml(context: BuildContext, rel: str) -> dict[str, Any]:
    text = context.read_text(rel)
    if not text:
        return {}
    try:
        return loads(text)
    except ValueError:  # not TOML
        return {}
    except RecursionError:
        raise context.too_deep(rel) from None


def requirement_lines(context: BuildContext, rel: str, seen: set[str] | None = None) -> Iterator[tuple[str, str]]:
    """(file, line) for every requirement or option line of a requirements file and the files it includes.

    ``-r``/``-c`` includes are followed relative to the including file, with a stack, not
    recursion (a chain of 1,500 files is fine), each file once, and at most
    MAX_REQUIREMENT_FILES of them: past that, a StagifyError at the include. ``seen`` ends up
    holding every file read.
    """
    seen = seen if seen is not None else set()
    stack: list[tuple[str, list[str], int]] = []  # (file, its lines, the next line to read)

    def enter(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        stack.append((name, (context.read_text(name) or "").splitlines(), 0))

    enter(rel)
    while stack:
        current, lines, index = stack.pop()
        if index >= len(lines):
            continue
        stack.append((current, lines, index + 1))
        line = lines[index].split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        include = re.match(r"^(-r|--requirement|-c|--constraint)\s*=?\s*(\S+)", line)
        if include:
            if len(seen) >= MAX_REQUIREMENT_FILES:
                raise StagifyError(str(context.root / current), index + 1,
                                   f"more than {MAX_REQUIREMENT_FILES} requirements files included (-r/-c): not followed")
            folder = current.rsplit("/", 1)[0] + "/" if "/" in current else ""
            enter(posixpath.normpath(folder + include.group(2)))
            continue
        yield current, line


def requirement_names(context: BuildContext, rel: str, seen: set[str] | None = None) -> list[str]:
    """Package names of a requirements file, following ``-r``/``-c`` includes relative to it."""
    names: list[str] = []
    for _, line in requirement_lines(context, rel, seen):
        m = None if line.startswith("-") else _REQ_NAME.match(line)
        if m:
            names.append(normalize(m.group(1)))
    return names


_REMOTE = Pattern(r"^(git\+|hg\+|svn\+|bzr\+|https?://|ftp://)")
_LOCAL_OPTION = Pattern(r"^(-e|--editable|-f|--find-links)(\s*=?\s*)(\S+)")


def requirement_inputs(context: BuildContext, files: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The requirements files an install reads (includes too) and the local paths they name (``./lib``, ``-e .``)."""
    seen: set[str] = set()
    local: list[str] = []
    for rel in files:
        for current, line in requirement_lines(context, rel, seen):
            option = _LOCAL_OPTION.match(line)
            target = option.group(3) if option else (None if line.startswith("-") else line)
            if target is None or _REMOTE.match(target):
                continue
            if target.startswith((".", "/", "~", "file:")) or re.search(r"@\s*file:", target):
                local.append(f"{current}: {line}")
    return tuple(sorted(seen)), tuple(local)


def gather_facts(context: BuildContext, evidence: list[Evidence]) -> PyFacts:
    pyproject = read_toml(context, "pyproject.toml")
    project = _table(pyproject, "project")
    poetry = _table(_table(pyproject, "tool"), "poetry")
    backend = _table(pyproject, "build-system").get("build-backend")

    manager = "pip"
    for name, candidate in MANAGER_FILES:
        if context.is_file(name):
            manager = candidate
            evidence.append(Evidence(name, f"{candidate} lock file or manifest"))
            break
    else:
        if poetry:
            manager = "poetry"
            evidence.append(Evidence("pyproject.toml", "[tool.poetry]"))

    requirements = tuple(f for f in context.entries() if re.fullmatch(r"requirements.*\.(txt|in)", f))
    dependencies: list[str] = []
    for rel in requirements:
        dependencies += requirement_names(context, rel)
    for spec in project.get("dependencies") or []:
        if isinstance(spec, str) and _REQ_NAME.match(spec):
            dependencies.append(normalize(_REQ_NAME.match(spec).group(1)))  # type: ignore[union-attr]
    for name in (poetry.get("dependencies") or {}) if isinstance(poetry.get("dependencies"), dict) else {}:
        if name != "python":
            dependencies.append(normalize(name))
    pipfile = read_toml(context, "Pipfile")
    for name in pipfile.get("packages") or {}:
        dependencies.append(normalize(name))

    scripts = [(k, str(v)) for k, v in (project.get("scripts") or {}).items()] if isinstance(project.get("scripts"), dict) else []
    scripts += [(k, str(v)) for k, v in (poetry.get("scripts") or {}).items()] if isinstance(poetry.get("scripts"), dict) else []
    python_requires = project.get("requires-python") if isinstance(project.get("requires-python"), str) else None
    poetry_python = (poetry.get("dependencies") or {}).get("python") if isinstance(poetry.get("dependencies"), dict) else None
    if python_requires is None and isinstance(poetry_python, str):
        python_requires = poetry_python
    is_package = bool(project.get("name")) or bool(poetry.get("packages")) or context.is_file("setup.py") or context.is_file("setup.cfg")
    skipped: list[str] = []
    if context.is_file("setup.py"):
        from ...context import pyscan

        setup_text = context.read_text("setup.py") or ""
        why = pyscan.unscannable(setup_text)
        if why:
            skipped.append(f"setup.py: {why}")
        info = pyscan.setup_py(setup_text)
        scripts += list(info.console_scripts)
        dependencies += [normalize(_REQ_NAME.match(r).group(1)) for r in info.install_requires if _REQ_NAME.match(r)]  # type: ignore[union-attr]
        python_requires = python_requires or info.python_requires
        evidence.append(Evidence("setup.py", f"setup(name={info.name!r})" if info.name else "setup.py (read, not run)"))
    setup_cfg = context.read_text("setup.cfg") or ""
    m = re.search(r"^console_scripts\s*=\s*\n((?:[ \t]+\S.*\n?)+)", setup_cfg, re.M)
    if m:
        for line in m.group(1).splitlines():
            name, _, target = line.strip().partition("=")
            if target:
                scripts.append((name.strip(), target.strip()))
    deps = tuple(dict.fromkeys(dependencies))
    found_frameworks = [f for f in FRAMEWORKS if f in deps]
    if found_frameworks:
        evidence.append(Evidence(requirements[0] if requirements else "pyproject.toml", f"uses {', '.join(found_frameworks)}"))
    return PyFacts(
        manager=manager,
        requirements=requirements,
        dependencies=deps,
        build_backend=backend if isinstance(backend, str) else None,
        is_package=is_package,
        console_scripts=tuple(scripts),
        app_objects=tuple(_app_objects(context, found_frameworks, skipped)),
        django_wsgi=_django_wsgi(context),
        python_requires=python_requires,
        skipped=tuple(skipped),
        runtime_writes=tuple(runtime_writes_in(app_sources(context, (".py",), _NOT_THE_APP), WRITE_CALLS)),
    )


_STR = r"""\(\s*(?P<q>['"])(?P<path>[^'"\n]+)(?P=q)"""
# Calls that create a folder, or write a file, at a literal path; ``f"..."`` strings are computed, not read.
# SQLite writes its journal beside the database: its folder must be writable, not only the file.
WRITE_CALLS = (
    WriteCall(Pattern(r"\bos\.makedirs" + _STR), True, "os.makedirs"),
    WriteCall(Pattern(r"\bos\.mkdir" + _STR), True, "os.mkdir"),
    WriteCall(Pattern(r"\bPath" + _STR + r"\s*\)\.mkdir\("), True, "Path(...).mkdir"),
    WriteCall(Pattern(r"\bopen" + _STR + r"""\s*,\s*(?:mode\s*=\s*)?['"][^'"]*[wax]"""), False, "open"),
    WriteCall(Pattern(r"\bsqlite3\.connect" + _STR), False, "sqlite3.connect"),
    # a SQLite file named as the default of a variable: os.environ.get("DB", "/var/lib/app/app.db")
    WriteCall(Pattern(r"""\bos\.(?:environ\.get|getenv)\(\s*['"][^'"\n]+['"]\s*,\s*(?P<q>['"])"""
                      rf"""(?P<path>[^'"\n]+{SQLITE_SUFFIX})(?P=q)"""), False, "a default SQLite path"),
    # a file in a folder joined from a literal first: open(os.path.join("uploads", name), "wb")
    WriteCall(Pattern(r"\bopen\(\s*os\.path\.join" + _STR + r"""\s*,[^)\n]*\)\s*,\s*(?:mode\s*=\s*)?['"][^'"]*[wax]"""), True,
              "open(os.path.join"),
)
# Tests and setup.py are not the application.
_NOT_THE_APP = Pattern(r"(^|/)(tests?|site-packages)/|(^|/)(test_[^/]*|[^/]*_test|conftest|setup)\.py$")


# At most this many files are parsed looking for application objects, and this many characters in all.
MAX_SCANNED_FILES = 10
MAX_SCANNED_TOTAL = 300_000


def _app_objects(context: BuildContext, frameworks: list[str], skipped: list[str]) -> list[tuple[str, str, str]]:
    """``app = FastAPI()`` and friends in the usual files (read with libcst, only when a framework is used).

    What is not scanned (too big, nested too deeply, past the file or size budget) goes to ``skipped``."""
    if not frameworks:
        return []
    from ...context import pyscan

    candidates = [f for f in APP_FILES if context.is_file(f)]
    for folder in ("app", "src", "api", "server"):
        candidates += [f"{folder}/{name}" for name in APP_FILES if context.is_file(f"{folder}/{name}")]
    found: list[tuple[str, str, str]] = []
    parsed = total = 0
    for rel in candidates:
        text = context.read_text(rel) or ""
        if not re.search(r"\b(FastAPI|Starlette|Flask|Quart|Sanic|Litestar|get_wsgi_application|get_asgi_application)\s*\(", text):
            continue
        why = pyscan.unscannable(text)
        if why is None and (parsed >= MAX_SCANNED_FILES or total + len(text) > MAX_SCANNED_TOTAL):
            why = f"past the scan budget ({MAX_SCANNED_FILES} files, {MAX_SCANNED_TOTAL:,} characters)"
        if why is not None:
            skipped.append(f"{rel}: {why}")
            continue
        parsed += 1
        total += len(text)
        module = rel[:-3].replace("/", ".").removeprefix("src.")
        for obj in pyscan.app_objects(text):
            found.append((module, obj.variable, obj.framework))
    return found


def _django_wsgi(context: BuildContext) -> str | None:
    manage = context.read_text("manage.py") or ""
    m = re.search(r"DJANGO_SETTINGS_MODULE['\"]\s*,\s*['\"]([\w.]+)\.settings", manage)
    return f"{m.group(1)}.wsgi" if m else None


def choose_version(context: BuildContext, facts: PyFacts, image: ImageRef | None, stage: Stage | None) -> tuple[str, str]:
    """The Python minor version and where it comes from."""
    known = catalogue.versions("python")
    candidates: list[tuple[str, str]] = []
    line = stage.from_.line if stage else "?"
    if image is not None and image.path == "python":
        m = re.match(r"^(\d+)\.(\d+)", image.tag or "")
        floating = catalogue.newest_for_tag("python", image.tag, 2)
        if m:
            candidates.append((f"{m.group(1)}.{m.group(2)}", f"the original base image {image} (line {line})"))
        elif floating is not None:
            # python, python:3, python:slim gave the newest Python when the original was built: the pin
            # is the newest that requires-python allows (.python-version and runtime.txt name a local
            # interpreter, which the original image did not use).
            stable = f"the original base image {image} (line {line}), a floating tag: the newest stable Python"
            if not facts.python_requires:
                return floating, stable
            ceiling = catalogue.version_key(floating)
            below = [(k, r) for k, r in catalogue.releases("python") if catalogue.version_key(k) <= ceiling]
            return _newest_allowed(context, facts.python_requires, below), f"{stable}; the newest that satisfies requires-python {facts.python_requires}"
    for name, pattern in ((".python-version", r"^(\d+)\.(\d+)"), ("runtime.txt", r"^python-(\d+)\.(\d+)")):
        m = re.match(pattern, (context.read_text(name) or "").strip())
        if m:
            candidates.append((f"{m.group(1)}.{m.group(2)}", f"{name} ({(context.read_text(name) or '').strip()})"))
    if facts.python_requires and not candidates:
        chosen = _newest_allowed(context, facts.python_requires, catalogue.releases("python"))
        candidates.append((chosen, f"requires-python {facts.python_requires}: the newest Python that satisfies it"))
    if candidates:
        version, source = candidates[0]
    else:
        version, source = known[-1], "no version given anywhere: the newest Python in the catalogue"
    if version not in known:
        older = [k for k in known if catalogue.version_key(k) <= catalogue.version_key(version)]
        nearest = older[-1] if older else known[0]
        source += f"; Python {version} has no image in the catalogue, so Python {nearest}"
        version = nearest
    return version, source


def _newest_allowed(context: BuildContext, spec: str, releases: list[tuple[str, str]]) -> str:
    """The newest catalogued minor whose release satisfies ``spec``; StagifyError at the constraint's line when none does."""
    where, at = str(context.root / "pyproject.toml"), None
    for name, key in (("pyproject.toml", r"^\s*[\"']?(?:requires-python|python)[\"']?\s*="), ("setup.py", r"\bpython_requires\s*=")):
        text = context.read_text(name) or ""
        found = re.search(key, text, re.M)
        if found:
            where, at = str(context.root / name), text.count("\n", 0, found.start()) + 1
            break
    from ...images import ranges  # packaging: imported when a range is read, not on every start

    try:
        chosen = ranges.newest(releases, lambda release: ranges.python_allows(spec, release))
    except ranges.RangeError as exc:
        raise StagifyError(where, at, f"requires-python {spec!r}: {exc}") from None
    if chosen is None:
        listed = ", ".join(r for _, r in releases)
        raise StagifyError(where, at, f"requires-python {spec!r}: no Python in the catalogue satisfies it (catalogued: {listed}); "
                           "name the version in the FROM line (FROM python:3.12) or widen the range")
    return chosen


def env_reader(context: BuildContext, rel: str) -> str | None:
    """The package that loads the ``.env`` file ``rel``, with the manifest beside it that declares it, or None."""
    folder, _, name = rel.rpartition("/")
    if name != ".env":
        return None
    for manifest in _ENV_MANIFESTS:
        where = f"{folder}/{manifest}" if folder else manifest
        text = (context.read_text(where) or "").lower()
        loader = next((p for p in ENV_LOADERS if re.search(rf"(^|[\s\"'\[,]){re.escape(p)}\b", text, re.M)), None)
        if loader is not None:
            return f"{loader} ({where})"
    return None
