"""System package installs in RUN lines, and which packages a runtime still needs.

The knowledge is in tables: packages that only serve a build, packages every
distroless image already carries, and the run-time counterpart of a -dev package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..patterns import Pattern
from .shell import Command

# Package managers by the program that runs them, with the sub-command that installs.
_INSTALL_VERBS = {"apt-get": "install", "apt": "install", "apk": "add", "yum": "install", "dnf": "install", "microdnf": "install"}
# Options that take a value as the next word.
_OPTIONS_WITH_VALUE = {"-o", "-t", "--virtual", "--target-release", "--repository", "-X", "--setopt"}

# Compilers, VCS clients and build tools: needed to build, never to run.
BUILD_ONLY = frozenset(
    {
        "autoconf", "automake", "binutils", "build-base", "build-essential", "bzr", "clang", "cmake",
        "g++", "gcc", "gcc-c++", "git", "go", "golang", "libc-dev", "libc6-dev", "libtool", "linux-headers",
        "make", "mercurial", "musl-dev", "pkg-config", "pkgconf", "pkgconfig", "protobuf-compiler",
        "protobuf-dev", "protoc", "subversion", "upx", "openssh-client", "gnupg", "unzip", "xz-utils",
        "dpkg-dev", "patch", "file", "maven", "gradle", "ant", "sbt",
        # installers and build systems: they make what the runtime copies, the runtime never runs them
        "py3-pip", "python3-pip", "python3-venv", "py3-setuptools", "python3-setuptools", "py3-wheel", "python3-wheel",
        "ninja", "ninja-build", "samurai", "meson", "cargo", "rust", "rustc", "nasm", "yasm", "bison", "flex", "swig",
        "gperf", "m4", "ccache",
    }
)
# JDKs (compilers): a Java runtime stage brings its own JRE, and other runtimes never need javac.
JDK_PACKAGE = Pattern(r"^(openjdk-\d+-jdk(-headless)?|openjdk\d+(-jdk)?|java-[\d.]+-openjdk-devel|default-jdk(-headless)?|temurin-\d+-jdk)$")
COMPILERS = frozenset({"gcc", "g++", "build-essential", "build-base", "make", "clang"})
BUILD_PYTHON = frozenset({"python3", "python", "python-is-python3", "python3-dev", "python2"})
# Tools that only matter at run time when something at run time calls them.
RUN_IF_CALLED = {
    "curl": "curl",
    "wget": "wget",
    "bash": "bash",
    "netcat": "nc",
    "netcat-openbsd": "nc",
    "procps": "ps",
    "jq": "jq",
    "dumb-init": "dumb-init",
    "tini": "tini",
    "su-exec": "su-exec",
    "gosu": "gosu",
}
# What every distroless image already has (CA bundle and zoneinfo are in static and up).
IN_DISTROLESS = frozenset({"ca-certificates", "tzdata"})
# A -dev package's run-time library, for the runtimes that need the library but not its headers.
RUNTIME_COUNTERPART = {
    "libsqlite3-dev": "libsqlite3-0",
    "sqlite-dev": "sqlite-libs",
    "libpq-dev": "libpq5",
    "postgresql-dev": "libpq",
    "libssl-dev": "libssl3",
    "openssl-dev": "libssl3",
    "zlib1g-dev": "zlib1g",
    "zlib-dev": "zlib",
    "libffi-dev": "libffi8",
    "libjpeg-dev": "libjpeg62-turbo",
    "libjpeg62-turbo-dev": "libjpeg62-turbo",
    "jpeg-dev": "libjpeg-turbo",
    "libxml2-dev": "libxml2",
    "libxslt1-dev": "libxslt1.1",
    "libxslt-dev": "libxslt",
    "libpng-dev": "libpng16-16",
    "libwebp-dev": "libwebp7",
}


# Package names by distribution release. A Dockerfile written for one release (buster's `sqlite`, Ubuntu's
# `libssl3t64`) or a counterpart above (`libssl3`, `libffi8`: bookworm's) may name a package another release
# has under another name or not at all; the runtime installs the name its own release has. Keys are names
# the release has no installable package for; values are the package it has. Checked against each release's
# real package list (apt) in tests/test_package_names.py.
RELEASE_NAMES: dict[str, dict[str, str]] = {
    "bookworm": {
        "sqlite": "sqlite3", "libssl1.1": "libssl3", "libssl3t64": "libssl3", "libffi6": "libffi8", "libffi7": "libffi8",
        "libjpeg-turbo8": "libjpeg62-turbo", "libpng16-16t64": "libpng16-16", "libwebp6": "libwebp7", "libtiff5": "libtiff6",
        "netcat": "netcat-openbsd", "libicu67": "libicu72", "libicu74": "libicu72", "libmysqlclient21": "libmariadb3",
        "mysql-client": "default-mysql-client", "libglib2.0-0t64": "libglib2.0-0", "libmagic1t64": "libmagic1",
        "libfreetype6t64": "libfreetype6",
    },
    "bullseye": {
        "sqlite": "sqlite3", "libssl3": "libssl1.1", "libssl3t64": "libssl1.1", "libffi6": "libffi7", "libffi8": "libffi7",
        "libjpeg-turbo8": "libjpeg62-turbo", "libpng16-16t64": "libpng16-16", "libwebp7": "libwebp6", "libtiff6": "libtiff5",
        "libicu72": "libicu67", "libicu74": "libicu67", "libmysqlclient21": "libmariadb3", "mysql-client": "default-mysql-client",
        "libglib2.0-0t64": "libglib2.0-0", "libmagic1t64": "libmagic1", "libfreetype6t64": "libfreetype6",
    },
    "noble": {
        "sqlite": "sqlite3", "libssl1.1": "libssl3t64", "libssl3": "libssl3t64", "libffi7": "libffi8",
        "libjpeg62-turbo": "libjpeg-turbo8", "libpng16-16": "libpng16-16t64", "libwebp6": "libwebp7", "libtiff5": "libtiff6",
        "libicu67": "libicu74", "libicu72": "libicu74", "libgl1-mesa-glx": "libgl1", "netcat": "netcat-openbsd",
        "libncurses5": "libncurses6", "libevent-2.1-7": "libevent-2.1-7t64", "libreadline8": "libreadline8t64",
        "libglib2.0-0": "libglib2.0-0t64", "libmagic1": "libmagic1t64",
    },
}


# A library package named after its soname (libgdal20, libvpx6, libicu63): each release ships its own version.
_VERSIONED_LIBRARY = Pattern(r"^lib[a-z0-9+.-]*?\d[a-z0-9.+-]*$")


def for_release(
    names: tuple[str, ...], release: str | None, original: str | None = None, builder: str | None = None
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The names as ``release`` has them: (names, a sentence for each one renamed, a warning for each one unsure).

    ``original`` is the release the original installed them on and ``builder`` the one the program is
    compiled on, when their images say. A library named after its soname follows the builder's release,
    since that is the version the program links: where the runtime's release differs, it is not renamed
    to another version (the install fails, visibly, rather than the program at run time) and a warning says so.
    """
    table = RELEASE_NAMES.get(release or "", {})
    split = bool(release and builder and builder != release)
    out: list[str] = []
    why: list[str] = []
    unsure: list[str] = []
    for name in names:
        library = _VERSIONED_LIBRARY.match(name) is not None
        if split and library:
            new = RELEASE_NAMES.get(builder or "", {}).get(name, name)
            if new != name:
                why.append(f"{name} is not a package of {builder}, where the program is built: the runtime installs {new}, "
                           "the version it links")
            if new in table or builder not in RELEASE_NAMES:
                # the runtime's release lacks that version, or stagify has no list of the builder's names
                unsure.append(f"{new}: the program is built on {builder} and runs on {release}, which may ship another "
                              f"version of that library{' (it has no ' + new + ')' if new in table else ''}; the program "
                              f"links the version {builder} has")
        else:
            new = table.get(name, name)
            if new != name:
                why.append(f"{name} is not a package of {release}: the runtime installs {new} in its place")
            elif release and original and original != release and library and name not in _CHECKED:
                unsure.append(f"{name} was installed on {original}; the runtime is {release}, whose version of that library "
                              f"may have another package name: if the runtime's install fails, name {release}'s package "
                              f"(apt-cache search {re.sub(r'[0-9.]+[a-z0-9]*$', '', name) or name})")
        if new not in out:
            out.append(new)
    return tuple(out), tuple(why), tuple(unsure)


# Library names stagify itself writes and the tests check in every release it uses.
_CHECKED = frozenset(RUNTIME_COUNTERPART.values()) | frozenset(v for table in RELEASE_NAMES.values() for v in table.values())


@dataclass(frozen=True)
class PackageInstall:
    """One ``apt-get install`` / ``apk add`` / ``yum install`` and the packages it names."""

    manager: str
    packages: tuple[str, ...]
    virtual: str | None = None  # apk --virtual name: removed again with apk del


def installs(commands: list[Command]) -> list[PackageInstall]:
    found = []
    for command in commands:
        argv = list(command.argv)
        if not argv or argv[0].rsplit("/", 1)[-1] not in _INSTALL_VERBS:
            continue
        manager = argv[0].rsplit("/", 1)[-1]
        verb = _INSTALL_VERBS[manager]
        if verb not in argv:
            continue
        packages: list[str] = []
        virtual = None
        skip = False
        for i, word in enumerate(argv[1:], start=1):
            if skip:
                skip = False
                continue
            if word in _OPTIONS_WITH_VALUE:
                if word in ("--virtual", "-t") and manager == "apk" and i + 1 < len(argv):
                    virtual = argv[i + 1]
                skip = True
                continue
            if word.startswith("-") or word == verb or ("=" in word and word.startswith("-")):
                continue
            if argv.index(verb) > i:
                continue  # words before the verb are global options
            packages.append(word.split("=", 1)[0])
        found.append(PackageInstall(manager=manager, packages=tuple(packages), virtual=virtual))
    return found


def manager_family(manager: str) -> str:
    return {"apt-get": "debian", "apt": "debian", "apk": "alpine"}.get(manager, "other")


def runtime_packages(install: PackageInstall, called: set[str], link: bool = False) -> tuple[list[str], list[str]]:
    """Split an install into (packages the runtime needs, packages left in the builder).

    ``called`` are the programs something at run time invokes (HEALTHCHECK, CMD,
    ENTRYPOINT, entrypoint scripts), so ``curl`` stays when a HEALTHCHECK uses it.
    """
    keep: list[str] = []
    drop: list[str] = []
    compiles = bool(COMPILERS & set(install.packages))
    for package in install.packages:
        if compiles and package in BUILD_PYTHON:
            drop.append(package)  # python beside a C compiler is there for node-gyp or a C extension build
        elif install.virtual or package in BUILD_ONLY or JDK_PACKAGE.match(package):
            drop.append(package)
        elif package in RUN_IF_CALLED:
            (keep if RUN_IF_CALLED[package] in called else drop).append(package)
        elif package in RUNTIME_COUNTERPART:
            drop.append(package)
            if link:
                keep.append(RUNTIME_COUNTERPART[package])  # what was compiled against the headers needs the library
        elif package.endswith("-dev") or package.endswith("-devel") or package.endswith("-headers"):
            drop.append(package)
        else:
            keep.append(package)
    return keep, drop


# Distribution packages that install a language's interpreter, compiler or build tool (Debian, Ubuntu, Alpine, Fedora).


# What each language package becomes at run time ("" : nothing; the build needed it).
_AT_RUN_TIME: tuple[tuple[Pattern, str], ...] = tuple(
    (Pattern(pattern), becomes)
    for pattern, becomes in (
        (r"^(npm|yarnpkg)$", ""),
        (r"^python3?-(pip|venv|dev|setuptools|wheel)$|^py3-pip$", ""),
        (r"^(golang(-\d\.\d+)?(-go)?|go)$", ""),
        (r"^(maven|gradle)$", ""),
        (r"^openjdk-(\d+)-jdk(-headless)?$", r"openjdk-\1-jre-headless"),
        (r"^openjdk(\d+)(-jdk)?$", r"openjdk\1-jre"),
        (r"^default-jdk(-headless)?$", "default-jre-headless"),
        (r"^java-(\d+)-openjdk-devel$", r"java-\1-openjdk-headless"),
    )
)


def at_run_time(name: str) -> str | None:
    """What a distribution's language package becomes in a runtime: itself, another package, or None (build only)."""
    for pattern, becomes in _AT_RUN_TIME:
        if pattern.match(name):
            return pattern.sub(becomes, name) or None
    return name
