"""System package installs in RUN lines, and which packages a runtime still needs.

The knowledge is in tables: packages that only serve a build, packages every
distroless image already carries, and the run-time counterpart of a -dev package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    }
)
# JDKs (compilers): a Java runtime stage brings its own JRE, and other runtimes never need javac.
JDK_PACKAGE = re.compile(r"^(openjdk-\d+-jdk(-headless)?|openjdk\d+(-jdk)?|java-[\d.]+-openjdk-devel|default-jdk(-headless)?|temurin-\d+-jdk)$")
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
LANGUAGE_PACKAGES = re.compile(
    r"^(nodejs|npm|yarnpkg|python3?(\.\d+)?|python3?-(pip|venv|dev)|py3-pip|golang(-\d\.\d+)?(-go)?|go|openjdk-?\d+(-jdk|-jre)?"
    r"(-headless)?|default-jdk(-headless)?|default-jre(-headless)?|java-\d+-openjdk(-devel)?|maven|gradle)$"
)


def language_packages(commands: list[Command]) -> list[str]:
    """The language packages a line installs from the distribution (``apt-get install nodejs npm``)."""
    return [p for install in installs(commands) for p in install.packages if LANGUAGE_PACKAGES.match(p)]
