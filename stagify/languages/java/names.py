"""The names a Java build goes by: its tools, its build files and the images that carry a JDK or a build tool.

Detection reads only these (and the command lines), so they live apart from ``facts.py``: a conversion
that is not Java never loads the build-file readers.
"""

from __future__ import annotations

MAVEN = "maven"
GRADLE = "gradle"
JAVAC = "javac"
# The programs whose command lines commands.parse_call reads (a wrapper by its file name).
BUILD_PROGRAMS = frozenset({"mvn", "mvnw", "mvn.cmd", "mvnd", "gradle", "gradlew", "javac"})

GRADLE_BUILD_FILES = ("build.gradle", "build.gradle.kts")
GRADLE_SETTINGS_FILES = ("settings.gradle", "settings.gradle.kts")
# Files the dependency layer copies with the build file, when they exist next to it.
GRADLE_LAYER_FILES = (*GRADLE_SETTINGS_FILES, "gradle.properties")
MANIFESTS = frozenset({"pom.xml", *GRADLE_BUILD_FILES, *GRADLE_LAYER_FILES, "mvnw", "gradlew", ".mvn", "gradle"})
# Images whose tag names the JDK they carry.
JDK_IMAGES = ("openjdk", "eclipse-temurin", "amazoncorretto", "sapmachine", "ibm-semeru-runtimes", "ibmjava")
BUILD_TOOL_IMAGES = ("maven", "gradle")
