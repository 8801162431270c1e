"""Java: Maven, Gradle and plain javac builds; Temurin JRE (or distroless) runtimes; Spring Boot layers.

``facts`` reads pom.xml and build.gradle(.kts), ``commands`` reads ``mvn``,
``gradle``, ``javac`` and ``java`` command lines, ``start`` decides what the
runtime holds and starts, ``language`` the planning hooks; this module re-exports
their public names.
"""

from __future__ import annotations

from .commands import LAUNCHER_NEW, LAUNCHER_OLD, BuildCall, JavaStart, launcher, parse_call, parse_java
from .facts import JavaFacts, gather_facts, normalize_java, read_pom, tag_java
from .language import JAVA, Extract, JavaDeps, JavaLanguage, JavaTemplateData, choose_version
from .start import JavaRuntime, runtime_of

__all__ = [
    "JAVA",
    "LAUNCHER_NEW",
    "LAUNCHER_OLD",
    "BuildCall",
    "Extract",
    "JavaDeps",
    "JavaFacts",
    "JavaLanguage",
    "JavaRuntime",
    "JavaStart",
    "JavaTemplateData",
    "choose_version",
    "gather_facts",
    "launcher",
    "normalize_java",
    "parse_call",
    "parse_java",
    "read_pom",
    "runtime_of",
    "tag_java",
]
