"""Java detection: the evidence a build context and a Dockerfile give of a Java program (Maven, Gradle or javac), read into :class:`~stagify.languages.java.facts.JavaFacts`, and the Java major it needs.

Only what detection needs is imported here; the planning hooks (language.py) load when Java is the language chosen."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from ...context.buildcontext import BuildContext
from ...dockerfile import shell
from ...dockerfile.model import Dockerfile, Keyword, Stage
from ...dockerfile.walk import BaseDefaults, origin_of, walk
from ...images.reference import ImageRef
from ...patterns import Pattern
from ..base import Traits
from ..detection import (
    SCORE_BUILD_COMMAND,
    Detection,
    Evidence,
    files_evidence,
    image_evidence,
)
from .names import BUILD_PROGRAMS, BUILD_TOOL_IMAGES, GRADLE_BUILD_FILES, JAVAC, JDK_IMAGES

if TYPE_CHECKING:
    from .facts import JavaFacts

_JAVA_PATH = "/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


LTS = ("8", "11", "17", "21", "25")


# Images whose tag, when it names a Java at all, names the JDK the build compiles with.
_JDK_IMAGE = Pattern(r"^(maven|gradle|openjdk|eclipse-temurin|amazoncorretto|sapmachine|ibm-semeru-runtimes|ibmjava)$|jdk")


def choose_version(facts: JavaFacts, image: ImageRef | None, stage: Stage | None) -> tuple[str, str]:
    """The Java major and where it comes from: the original's JDK first, then the build files."""
    from .facts import tag_java  # loaded once Java is detected (see detect)

    tag = tag_java(image)
    line = stage.from_.line if stage is not None else "?"
    if tag:
        version, source = tag, f"the original base image {image} (line {line})"
    elif image is not None and _JDK_IMAGE.search(image.path.rsplit("/", 1)[-1]) and not re.match(r"\d", image.tag or ""):
        # maven, gradle:latest, openjdk:jdk, eclipse-temurin:alpine: the tag names no Java, so the original
        # got the image's newest JDK; the build files' release is a minimum (javac --release compiles
        # for it), never a ceiling.
        version = LTS[-1]
        source = f"the original base image {image} (line {line}) names no Java version: the newest LTS, Java {version}"
        if facts.java_version and int(facts.java_version) > int(version):
            version, source = facts.java_version, facts.java_version_source or "the build files"
        elif facts.java_version:
            source += f" ({facts.java_version_source or 'the build files'} asks for Java {facts.java_version} or later)"
    elif facts.java_version:
        version, source = facts.java_version, facts.java_version_source or "the build files"
    else:
        version = LTS[-1]
        named = f"the original base image {image} names no Java version" if image is not None else "no Java version given anywhere"
        source = f"{named}: the newest LTS, Java {version}"
    if version not in LTS:
        later = [v for v in LTS if int(v) >= int(version)]
        nearest = later[0] if later else LTS[-1]
        source += f"; Java {version} has no Temurin image in the catalogue, so Java {nearest}"
        version = nearest
    return version, source


def _is_java_image(image: ImageRef) -> bool:
    name = image.path.rsplit("/", 1)[-1]
    return image.path in JDK_IMAGES or image.path in BUILD_TOOL_IMAGES or any(k in name for k in ("jdk", "temurin", "corretto", "zulu", "liberica"))


def _project_dir(context: BuildContext, stage: Stage | None, image: ImageRef | None, lang: JavaDetector) -> str:
    """The context folder that holds the build file the Dockerfile's build reads (``app/`` for ``COPY app .``)."""
    if stage is None:
        return ""
    from .commands import parse_call  # (loaded once the evidence says Java, as in detect)

    walked = walk(stage, lang.base_defaults(image), context)
    copies = [w.copy for w in walked if w.copy is not None]
    for w in walked:
        if w.instruction.keyword not in (Keyword.RUN, Keyword.CMD):
            continue
        text = w.instruction.args if w.instruction.exec_form is None else shell.join(list(w.instruction.exec_form))
        if not any(parse_call(c.argv) is not None for c in shell.commands(text)):
            continue
        for name in ("pom.xml", *GRADLE_BUILD_FILES, "mvnw", "gradlew"):
            rel = origin_of(copies, posixpath.join(w.state.workdir, name), context)
            if rel is not None:
                return posixpath.dirname(rel)
        break
    return ""


def _entry_description(facts: JavaFacts) -> str | None:
    if facts.boot_version:
        return f"Spring Boot {facts.boot_version}" + (f" ({facts.main_class})" if facts.main_class else "")
    return facts.main_class


class JavaDetector:
    name = "java"
    display = "Java"
    template = "java.Dockerfile.j2"
    looked_for = "pom.xml, build.gradle(.kts), *.java, FROM maven/gradle/eclipse-temurin/openjdk, mvn/gradle/javac"
    traits = Traits(
        images=("eclipse-temurin", "openjdk", "amazoncorretto", "maven", "gradle", "ibm-semeru-runtimes", "sapmachine",
                "azul/zulu-openjdk", "bellsoft/liberica-openjdk-debian"),
        distro_packages=r"openjdk-?\d+(-jdk|-jre)?(-headless)?|default-jdk(-headless)?|default-jre(-headless)?"
                        r"|java-\d+-openjdk(-devel)?|maven|gradle",
        tools=("mvn", "mvnw", "gradle", "gradlew", "javac", "jar", "jlink", "jdeps"),
        interpreter="java",
        sources=(".java", ".kt"),
        comment="//",
    )

    # -- detection ----------------------------------------------------------------------------------

    def detect(self, context: BuildContext, dockerfile: Dockerfile | None) -> Detection | None:
        path, stage, image, evidence, score = image_evidence(dockerfile, _is_java_image)
        tool_hint: str | None = image.path if score and image is not None and image.path in BUILD_TOOL_IMAGES else None
        if stage is not None:
            for ins in stage.instructions:
                if ins.keyword not in (Keyword.RUN, Keyword.CMD, Keyword.ENTRYPOINT):
                    continue
                text = ins.args if ins.exec_form is None else shell.join(list(ins.exec_form))
                for command in shell.commands(text):
                    if command.program not in BUILD_PROGRAMS:
                        continue  # the command-line reader loads only for a build tool's line
                    from .commands import parse_call

                    call = parse_call(command.argv)
                    if call is None:
                        continue
                    evidence.append(Evidence(f"{path}:{ins.line}", f"{call.tool}: {command.text[:60]}"))
                    score = max(score, SCORE_BUILD_COMMAND)
                    if call.tool != JAVAC:
                        tool_hint = call.tool  # Maven or Gradle decide over a javac beside them
                    elif tool_hint is None:
                        tool_hint = JAVAC
        manifests = [n for n in ("pom.xml", *GRADLE_BUILD_FILES) if context.is_file(n)]
        score = files_evidence(context, manifests, "Java build file", (".java",), "Java sources", score, evidence)
        if score == 0:
            return None
        # The build-file readers load only here: every conversion runs this detector, few are Java.
        from .facts import gather_facts, with_tool_versions

        project = _project_dir(context, stage, image, self)
        facts = with_tool_versions(gather_facts(context, project, tool_hint), image)
        version, source = choose_version(facts, image, stage)
        return Detection(
            language=self.name,
            display=self.display,
            score=score,
            version=version,
            version_source=source,
            tool=facts.tool + (" (wrapper)" if facts.wrapper else ""),
            entrypoint=_entry_description(facts),
            evidence=tuple(evidence),
            facts=facts,
        )

    def base_defaults(self, image: ImageRef | None) -> BaseDefaults:
        env: tuple[tuple[str, str], ...] = (("JAVA_HOME", "/opt/java/openjdk"), ("PATH", _JAVA_PATH), ("HOME", "/root"))
        if image is not None and image.path == "gradle":
            return BaseDefaults(workdir="/home/gradle", env=(*env, ("GRADLE_HOME", "/opt/gradle")))
        if image is not None and image.path == "maven":
            return BaseDefaults(workdir="/", env=(*env, ("MAVEN_HOME", "/usr/share/maven"), ("MAVEN_CONFIG", "/root/.m2")))
        return BaseDefaults(workdir="/", env=env)

    def env_reader(self, context: BuildContext, rel: str) -> str | None:
        return None

    def script_texts(self, context: BuildContext) -> list[tuple[str, str]]:
        return []
