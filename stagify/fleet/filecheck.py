"""Which files of the original the conversion lacks, and whether that is on purpose.

``stagify verify`` lists the paths the original's own layers added beyond its base image
and the paths of the converted image, and asks of each path the conversion lacks: is
it left behind on purpose (a build tool's cache, a compiled program's sources, a
development dependency, a file that moved), or is it missing? A missing file the
application needs is a verification failure whatever the smoke test said.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..patterns import Pattern

Files = dict[str, tuple[str, int]]  # path -> (file | dir | link, size)

# (pattern on the absolute path, why a conversion leaves it behind), first match wins.
LEFT_BEHIND: tuple[tuple[Pattern, str], ...] = tuple(
    (Pattern(pattern), why)
    for pattern, why in (
        (r"^/(tmp|var/tmp|run|var/run)/", "a temporary file of the build"),
        (r"^/root/\.config/go/|(^|/)(\.cache|\.npm|\.m2|\.gradle|\.yarn|\.pnpm-store|\.bun|go/pkg|\.local/share/pnpm)(/|$)|^/usr/local/share/\.cache/",
         "a cache of the build's tools"),
        (r"^/(var/cache|var/lib/apt|var/lib/dpkg|var/log|var/lib/ucf|usr/share/doc|usr/share/man|usr/share/info|usr/share/lintian)(/|$)",
         "package manager state or documentation of the build's system packages"),
        (r"(^|/)__pycache__(/|$)|\.py[co]$", "Python byte code, compiled again at run time"),
        (r"/(site|dist)-packages/(pip|setuptools|wheel|pkg_resources|_distutils_hack)([-.][^/]*)?(/|$)|/bin/(pip[0-9.]*|wheel|easy_install[-0-9.]*)$"
         r"|/(site|dist)-packages/distutils-precedence\.pth$", "a packaging tool, not needed to run the application"),
        (r"(^|/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|poetry\.lock|Pipfile\.lock|uv\.lock)$",
         "a lock file: the dependencies it pins are installed"),
        (r"(?i)\.(md|markdown|rst|adoc)$", "documentation"),
        (r"(^|/)\.[^/]*ignore$|(^|/)(k8s|kube|okteto|skaffold|helm|charts?|deploy(ments?)?|\.?devcontainer|tilt)[^/]*(/|$)"
         r"|(^|/)(Procfile|Vagrantfile|Taskfile\.ya?ml|[Jj]ustfile|app\.json|fly\.toml|netlify\.toml|vercel\.json|renovate\.json"
         r"|\.pre-commit-config\.yaml|\.pylintrc|\.eslintrc[^/]*|\.prettierrc[^/]*|\.babelrc|\.browserslistrc|sonar-project\.properties)$",
         "deployment, tooling or lint configuration"),
        (r"(^|/)[^/]+\.(go|java|kt|kts|scala|c|h|cc|cpp|rs|ts|tsx)$", "a source file of a compiled program"),
        (r"(^|/)(go\.(mod|sum|work)|pom\.xml|build\.gradle(\.kts)?|settings\.gradle(\.kts)?|gradlew(\.bat)?|mvnw(\.cmd)?"
         r"|tsconfig[^/]*\.json|Makefile|CMakeLists\.txt)$", "a build manifest"),
        (r"(^|/)(\.mvn|\.gradle|gradle/wrapper|target/(classes|test-classes|maven-[^/]+|generated-[^/]+)|build/(tmp|classes|libs|"
         r"reports|test-results))(/|$)", "an intermediate output of the build"),
        (r"(?i)(^|/)(README|LICEN[CS]E|CHANGELOG|CONTRIBUTING|NOTICE|AUTHORS|CODE_OF_CONDUCT)[^/]*$|(^|/)Jenkinsfile$"
         r"|(^|/)\.(github|gitlab-ci\.yml|travis\.yml|circleci)(/|$)", "documentation or CI configuration"),
        (r"(^|/)(Dockerfile[^/]*|[^/]*\.Dockerfile|\.dockerignore|docker-compose[^/]*\.ya?ml|compose[^/]*\.ya?ml|\.gitignore|"
         r"\.gitattributes|\.editorconfig|\.git)(/|$)", "container, editor or version-control configuration"),
        (r"(^|/)(tests?|__tests__|spec|testdata)(/|$)|_test\.go$|\.(test|spec)\.[cm]?[jt]sx?$|(^|/)test_[^/]+\.py$",
         "a test of the application"),
        (r"^/(usr/(?!local/)|etc/|lib/|lib64/|bin/|sbin/|var/lib/)", "a system file of the build image (the runtime has its own base)"),
    )
)


# The metadata folder of an installed Python distribution: NAME-VERSION.dist-info (a wheel's) or
# NAME-VERSION[-pyX.Y].egg-info (a legacy `setup.py install`'s), inside site-packages.
_METADATA = Pattern(r"^(?P<name>[^/]+?)-(?P<version>\d[^/-]*)(?:-py\d[^/]*)?\.(?P<kind>dist|egg)-info(?:/|$)")


@dataclass(frozen=True)
class Absent:
    """A path of the original the conversion lacks: left behind on purpose (with why), or missing."""

    path: str
    on_purpose: bool
    reason: str


def compare(added: Files, converted: Files, ignored: Callable[[str], bool] | None = None,
            left: tuple[tuple[str, str], ...] = ()) -> tuple[Absent, ...]:
    """Each file or link the original's own layers added that the converted image does not have, classified."""
    names: dict[str, set[int]] = {}
    site: set[str] = set()
    installed: dict[str, set[str]] = {}  # project -> the conversion's metadata folders of it
    metadata: set[str] = set()  # the conversion's metadata files, the project's name normalized
    node_modules = [p for p, (kind, _) in converted.items() if kind == "dir" and p.endswith("/node_modules")]
    for path, (_kind, size) in converted.items():
        names.setdefault(posixpath.basename(path), set()).add(size)
        if "/site-packages/" in path:
            inner = path.split("/site-packages/", 1)[1]
            site.add(inner)
            if (meta := _METADATA.match(inner)) is not None:
                installed.setdefault(_project(meta["name"]), set()).add(inner.split("/", 1)[0])
                metadata.add(_spelled(meta, inner))
    out: list[Absent] = []
    for path, (kind, size) in sorted(added.items()):
        if kind == "dir" or path in converted:
            continue
        folder = next((why for prefix, why in left if path == prefix or path.startswith(prefix.rstrip("/") + "/")), None)
        out.append(Absent(path, True, folder) if folder else _why(path, size, names, site, (installed, metadata), node_modules, ignored))
    return tuple(out)


def _project(name: str) -> str:
    """A distribution's name as PEP 503 compares them (``Flask``, ``flask``; ``zope.interface``, ``zope_interface``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _spelled(meta: re.Match[str], inner: str) -> str:
    """A metadata file's path with the project's name normalized: pips spell ``Flask-3.0.3.dist-info`` differently."""
    return f"{_project(meta['name'])}-{meta['version']}.{meta['kind']}-info{inner[meta.end() - 1:]}"


def _why(path: str, size: int, names: dict[str, set[int]], site: set[str],
         distributions: tuple[dict[str, set[str]], set[str]], node_modules: list[str],
         ignored: Callable[[str], bool] | None) -> Absent:
    if "/site-packages/" in path or "/dist-packages/" in path:
        inner = re.split(r"/(?:site|dist)-packages/", path, maxsplit=1)[1]
        if inner in site:
            return Absent(path, True, "moved into the runtime's virtualenv")
        installed, metadata = distributions
        meta = _METADATA.match(inner)
        if meta and _spelled(meta, inner) in metadata:
            return Absent(path, True, "moved into the runtime's virtualenv (its metadata folder spelled as that pip writes it)")
        project = _project(meta["name"]) if meta else ""
        others = sorted(installed.get(project, ())) if project not in ("", "pip", "setuptools", "wheel") else []
        if meta and others:
            # Still missing: the package's metadata is what importlib.metadata, pip and entry points read, and
            # the conversion installed the project differently (another version, or egg-info for a wheel's).
            return Absent(path, False, f"missing: the conversion installed {meta['name']} as {', '.join(others)}, "
                                       f"not {inner.split('/', 1)[0]}")
    if "/node_modules/" in path:
        if node_modules:
            return Absent(path, True, "a development dependency: the runtime installs production dependencies only")
        return Absent(path, True, "the runtime needs no Node.js packages (it serves built files, or bundles them)")
    if size in names.get(posixpath.basename(path), set()):
        return Absent(path, True, "the same file is in the runtime at another path")
    if posixpath.basename(posixpath.dirname(path)) in ("bin", "sbin") and posixpath.basename(path) in names:
        return Absent(path, True, "the command is in the runtime in another bin folder (a virtualenv's, or the image's own)")
    if ignored is not None and ignored(path):
        return Absent(path, True, "kept out of the build context by the conversion's .dockerignore")
    for pattern, why in LEFT_BEHIND:
        if pattern.search(path):
            return Absent(path, True, why)
    return Absent(path, False, "missing: the original has it and nothing says the application does not read it")
