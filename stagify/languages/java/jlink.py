"""A Java runtime of only the modules the application uses: jdeps finds them, jlink builds it (``--runtime jlink``).

The stage runs on the build's JDK (same release, same libc as the runtime base) and writes the
runtime to ``/jre``; the runtime stage copies it to ``/opt/java/openjdk``, where the Temurin images
keep their Java, and puts it on ``PATH``. jdeps cannot see what is loaded by name at run time, so
the modules it is known to miss are added from what the build files, sources and Dockerfile say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...images import catalogue
from ...images.reference import Family
from ...patterns import Pattern
from ..base import PlanInput
from .start import EXTRACT_DIR, STABLE_NAME, facts_of

JAVA_HOME = "/opt/java/openjdk"
OUTPUT = "/jre"
WORKDIR = "/jlink"
# Modules jdeps misses because they are loaded by name, and when the application needs them:
# (module, the pattern that says so, where to look, why), in the order they are added.
_ALWAYS = (
    ("jdk.zipfs", "the zip file system provider, loaded by name (jar: and zip: URIs)"),
)
_WHEN = (
    ("jdk.management", Pattern(r"actuator|micrometer|jmx", re.I), "build", "actuator and JMX metrics read the JVM through it"),
    ("jdk.localedata", Pattern(r"\bLocale\b|DateTimeFormatter\.ofLocalized|NumberFormat\.get"), "sources",
     "the sources use locales: the locale data of other languages than English"),
    ("java.instrument", Pattern(r"-javaagent"), "dockerfile", "a Java agent (-javaagent) is started"),
)
_SOURCE = Pattern(r"\.(java|kt|groovy|scala)$")


@dataclass(frozen=True)
class Jlink:
    """The stage that builds the runtime: its image, what it copies in, its command; and the modules added by hand."""

    image: str
    copies: tuple[tuple[str | None, str, str], ...]  # (stage, None for the builder; path there; destination)
    command: str
    added: tuple[tuple[str, str], ...]  # (module, why)
    lang: str | None = None  # LANG for the runtime, when the Dockerfile sets no locale of its own
    home: str = JAVA_HOME
    output: str = OUTPUT
    workdir: str = WORKDIR


def fits(kind: str) -> bool:
    """A Spring Boot jar (its extracted layers) or a plain or fat jar: the runtime's classes are known."""
    return kind in ("boot", "jar")


def jdk_image(inp: PlanInput, version: str, family: Family) -> str:
    """The JDK the stage runs: the build's Java release (the exact one the original pins), on the libc of the runtime base."""
    return inp.on_release(catalogue.row(f"temurin-{version}-jdk{'-alpine' if family is Family.ALPINE else ''}"))[0].reference


def compress_option(version: str) -> str:
    """``--compress=zip-6`` from JDK 21 on; before, the numeric level (2: zip) is the spelling jlink accepts."""
    return "--compress=zip-6" if int(version) >= 21 else "--compress=2"


def added_modules(inp: PlanInput, version: str) -> tuple[tuple[str, str], ...]:
    facts = facts_of(inp)
    found: list[tuple[str, str]] = list(_ALWAYS)
    if int(version) <= 21:
        # From JDK 22 on the EC provider lives in java.base (JDK-8308398).
        found.append(("jdk.crypto.ec", "elliptic-curve TLS, loaded by name as a security provider"))
    texts = {
        "build": inp.context.read_text(facts.manifest) or "" if facts.manifest else "",
        "sources": "\n".join(inp.context.read_text(rel) or "" for rel in inp.context.walk() if _SOURCE.search(rel)),
        "dockerfile": "\n".join(i.raw for i in inp.stage.instructions),
    }
    for module, pattern, where, why in _WHEN:
        if pattern.search(texts[where]):
            found.append((module, why))
    return tuple(found)


def plan(inp: PlanInput, kind: str, jar: str, version: str, family: Family) -> Jlink:
    """The jlink stage for a Spring Boot jar (from the layers stage) or a jar (from the builder)."""
    added = added_modules(inp, version)
    if kind == "boot":
        copies: tuple[tuple[str | None, str, str], ...] = (("layers", f"{EXTRACT_DIR}/extracted/", "extracted/"),)
        # Every jar of BOOT-INF/lib (the dependencies and snapshot-dependencies layers; a Boot jar always has
        # some) and the classes, each a root: Spring loads much by name, which following references would miss.
        roots = "extracted/application/BOOT-INF/classes extracted/spring-boot-loader extracted/*/BOOT-INF/lib/*.jar"
    else:
        copies = ((None, jar, STABLE_NAME),)
        roots = STABLE_NAME
    modules = ",".join(m for m, _ in added)
    command = (
        f"RUN jdeps --print-module-deps --ignore-missing-deps --multi-release {version} {roots} > modules.txt \\\n"
        f"    && jlink --add-modules \"$(cat modules.txt),{modules}\" \\\n"
        f"        --strip-debug --no-man-pages --no-header-files {compress_option(version)} --output {OUTPUT}"
    )
    # The Java images run in a UTF-8 locale, a bare Debian or Alpine in C: Java would print "??" for every
    # character outside ASCII. C.UTF-8 is in every glibc and musl, where the JDK images' en_US.UTF-8 is not.
    walked_env = inp.walked[-1].state.env_map() if inp.walked else {}
    lang = None if any(name in walked_env for name in ("LANG", "LC_ALL")) else "C.UTF-8"
    return Jlink(image=jdk_image(inp, version, family), copies=copies, command=command, added=added, lang=lang)
