"""What a Java build context says: Maven or Gradle (or plain javac), the Java version, Spring Boot, the jar.

pom.xml is read as XML; build.gradle and build.gradle.kts are read with patterns
for the handful of settings a conversion needs (plugins, toolchain, version,
archive names), never evaluated. :class:`JavaFacts` is filled once, at detection.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ...context.buildcontext import BuildContext
from ...images.reference import ImageRef
from ...patterns import Pattern
from .names import (
    GRADLE,
    GRADLE_BUILD_FILES,
    GRADLE_LAYER_FILES,
    GRADLE_SETTINGS_FILES,
    JAVAC,
    MAVEN,
)

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

_SHADOW_PLUGINS = ("com.github.johnrengelman.shadow", "com.gradleup.shadow", "io.github.goooler.shadow")
_TAG_JDK = Pattern(
    r"(?:^|-)(?:jdk|jre|openjdk|eclipse-temurin|temurin|amazoncorretto|corretto|ibm-semeru|semeru|sapmachine|ibmjava"
    r"|graalvm-ce|graalvm-community|graalvm|liberica|zulu)-?(\d+)(?:-|$|u)"
)


@dataclass(frozen=True)
class JavaFacts:
    tool: str  # maven | gradle | javac
    project_dir: str  # the context folder that holds the build file ("" for the root)
    manifest: str | None  # context path of pom.xml / build.gradle(.kts)
    wrapper: bool  # mvnw / gradlew next to the build file
    java_version: str | None  # the major the manifest compiles for ("17")
    java_version_source: str | None
    boot_version: str | None  # Spring Boot, from the parent, the BOM or the plugin
    boot_plugin: bool  # the Boot packaging plugin is applied (repackage / bootJar): the jar is executable
    boot_layers_off: bool  # <layers><enabled>false / layered { enabled = false }
    packaging: str  # jar | war | pom
    artifact: str | None  # the jar (or war) the package step writes, when its name can be read
    output_dir: str  # where the package step writes it: target | build/libs
    multi_module: bool  # <modules> / include(...): the build needs more than one build file
    application: bool  # Gradle's application plugin (installDist, run)
    shadow: bool  # the shadow plugin (shadowJar, installShadowDist)
    main_class: str | None
    project_name: str | None  # Gradle's project name when settings name it (else the folder's name)
    copies_dependencies: bool  # Maven dependency:copy-dependencies next to the jar (a Class-Path to lib/)
    buildsrc: bool  # Gradle buildSrc/ or applied script files: the build needs more than its build file
    gradle_version: str | None = None  # from the base image tag ("8.7")
    maven_version: str | None = None

    def manifest_files(self, context: BuildContext, wrapper: bool) -> tuple[str, ...]:
        """What the dependency layer copies before the sources (paths relative to the project folder)."""
        if self.tool == MAVEN:
            names = ["pom.xml"]
            if wrapper:
                names += ["mvnw", ".mvn"]
            return tuple(names)
        if self.tool == GRADLE and self.manifest:
            names = [posixpath.basename(self.manifest)]
            names += [n for n in GRADLE_LAYER_FILES if context.is_file(self.path(n))]
            if wrapper:
                names.append("gradlew")
            if context.is_dir(self.path("gradle")):
                names.append("gradle")  # the wrapper's settings and the version catalogue
            return tuple(names)
        return ()

    def path(self, name: str) -> str:
        return posixpath.join(self.project_dir, name) if self.project_dir else name


# -- Java versions -------------------------------------------------------------------------------


def normalize_java(value: str | None) -> str | None:
    """``1.8`` -> ``8``, ``17`` -> ``17``, ``VERSION_1_8`` -> ``8``, ``JavaVersion.VERSION_21`` -> ``21``."""
    if not value:
        return None
    text = value.strip().strip("'\"")
    m = re.search(r"VERSION_1_(\d+)", text) or re.search(r"VERSION_(\d+)", text)
    if m:
        return m.group(1)
    m = re.fullmatch(r"1\.(\d+)(?:\.\d+)*", text)
    if m:
        return m.group(1)
    m = re.fullmatch(r"(\d+)(?:\.\d+)*", text)
    return m.group(1) if m else None


def tag_java(image: ImageRef | None) -> str | None:
    """The Java major an image's tag names: openjdk:11, eclipse-temurin:17.0.16_8-jdk, maven:3.6.1-jdk-8-alpine."""
    if image is None or not image.tag:
        return None
    tag = image.tag
    name = image.path.rsplit("/", 1)[-1]
    if name in ("openjdk", "eclipse-temurin", "amazoncorretto", "sapmachine", "ibmjava") or "jdk" in name or "jre" in name:
        m = re.match(r"^(?:open-)?(\d+)(?:u\d+)?(?=[._\-]|$)", tag)
        if m:
            return m.group(1)
    m = _TAG_JDK.search(tag)
    return m.group(1) if m else None


def tag_tool_version(image: ImageRef | None) -> str | None:
    """Maven's or Gradle's major.minor from a maven:/gradle: tag (``3.6.1-jdk-8`` -> ``3.6``)."""
    if image is None or not image.tag:
        return None
    m = re.match(r"^(\d+)(?:\.(\d+))?", image.tag)
    if not m:
        return None
    return f"{m.group(1)}.{m.group(2)}" if m.group(2) else m.group(1)


# -- pom.xml ----------------------------------------------------------------------------------------


def _strip_namespaces(root: ET.Element) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]


def _text(el: ET.Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


# A resolved property longer than this is no version or name: resolution stops (properties that
# name the previous one twice would otherwise double at each of the six levels followed).
_MAX_PROPERTY = 4096


class _TooLong(Exception):
    pass


@dataclass(frozen=True)
class Pom:
    group_id: str | None
    artifact_id: str | None
    version: str | None
    packaging: str
    final_name: str | None
    properties: dict[str, str]
    parent: tuple[str | None, str | None, str | None]  # groupId, artifactId, version
    modules: tuple[str, ...]
    plugins: tuple[tuple[str | None, str, str | None, ET.Element], ...]  # groupId, artifactId, version, element
    managed_imports: tuple[tuple[str | None, str, str | None], ...]
    text: str

    def resolve(self, value: str | None, depth: int = 0) -> str | None:
        """``${...}`` references resolved from the properties and the project's own coordinates."""
        if value is None or depth > 5:
            return value
        known = dict(self.properties)
        for key, val in (("project.artifactId", self.artifact_id), ("artifactId", self.artifact_id),
                         ("project.version", self.version or self.parent[2]), ("version", self.version or self.parent[2]),
                         ("project.groupId", self.group_id or self.parent[0]), ("pom.version", self.version),
                         ("project.parent.version", self.parent[2])):
            if val:
                known.setdefault(key, val)

        grown = [0]

        def sub(m: re.Match[str]) -> str:
            found = known.get(m.group(1), m.group(0))
            grown[0] += len(found)
            if grown[0] > _MAX_PROPERTY:
                raise _TooLong
            return found

        try:
            out = re.sub(r"\$\{([^}]+)\}", sub, value)
        except _TooLong:
            return None  # properties that expand exponentially (each naming the last twice): not a version
        if out != value and "${" in out:
            return self.resolve(out, depth + 1)
        return out

    def plugin(self, artifact_id: str) -> tuple[str | None, str, str | None, ET.Element] | None:
        return next((p for p in self.plugins if p[1] == artifact_id), None)


def read_pom(text: str) -> Pom | None:
    import xml.etree.ElementTree as ET  # only where there is a pom.xml: most conversions read none

    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    _strip_namespaces(root)
    properties: dict[str, str] = {}
    props = root.find("properties")
    if props is not None:
        for el in props:
            if isinstance(el.tag, str):
                properties[el.tag] = (el.text or "").strip()
    parent = root.find("parent")
    plugins = []
    for el in root.findall("build/plugins/plugin"):
        artifact = _text(el, "artifactId")
        if artifact:
            plugins.append((_text(el, "groupId"), artifact, _text(el, "version"), el))
    imports = []
    for el in root.findall("dependencyManagement/dependencies/dependency"):
        if _text(el, "scope") == "import" and _text(el, "artifactId"):
            imports.append((_text(el, "groupId"), _text(el, "artifactId") or "", _text(el, "version")))
    return Pom(
        group_id=_text(root, "groupId"),
        artifact_id=_text(root, "artifactId"),
        version=_text(root, "version"),
        packaging=_text(root, "packaging") or "jar",
        final_name=_text(root, "build/finalName"),
        properties=properties,
        parent=(_text(parent, "groupId"), _text(parent, "artifactId"), _text(parent, "version")),
        modules=tuple(m.text.strip() for m in root.findall("modules/module") if m.text),
        plugins=tuple(plugins),
        managed_imports=tuple(imports),
        text=text,
    )


def _pom_java(pom: Pom, manifest: str) -> tuple[str | None, str | None]:
    for key in ("maven.compiler.release", "java.version", "maven.compiler.target", "maven.compiler.source", "java.release"):
        value = normalize_java(pom.resolve(pom.properties.get(key)))
        if value:
            return value, f"{manifest} ({key} {pom.properties[key]})"
    compiler = pom.plugin("maven-compiler-plugin")
    if compiler is not None:
        for key in ("release", "target", "source"):
            raw = _text(compiler[3], f"configuration/{key}")
            value = normalize_java(pom.resolve(raw))
            if value:
                return value, f"{manifest} (maven-compiler-plugin {key} {raw})"
    return None, None


def _pom_boot(pom: Pom) -> str | None:
    if pom.parent[1] in ("spring-boot-starter-parent", "spring-boot-dependencies") and pom.parent[2]:
        return pom.resolve(pom.parent[2])
    for _group, artifact, version in pom.managed_imports:
        if artifact == "spring-boot-dependencies" and version:
            return pom.resolve(version)
    plugin = pom.plugin("spring-boot-maven-plugin")
    if plugin is not None and plugin[2]:
        return pom.resolve(plugin[2])
    value = pom.properties.get("spring-boot.version") or pom.properties.get("springboot.version")
    return pom.resolve(value) if value else None


def maven_facts(context: BuildContext, project_dir: str, manifest: str) -> JavaFacts:
    pom = read_pom(context.read_text(manifest) or "")
    wrapper = context.is_file(posixpath.join(project_dir, "mvnw") if project_dir else "mvnw")
    if pom is None:
        return _empty(MAVEN, project_dir, manifest, wrapper, "target")
    java, java_source = _pom_java(pom, manifest)
    boot = _pom_boot(pom)
    boot_plugin = pom.plugin("spring-boot-maven-plugin")
    layers_off = False
    if boot_plugin is not None:
        layers_off = (_text(boot_plugin[3], "configuration/layers/enabled") or "").lower() == "false"
    packaging = pom.resolve(pom.packaging) or "jar"
    extension = "war" if packaging == "war" else "jar"
    name = pom.resolve(pom.final_name) if pom.final_name else None
    if name is None and pom.artifact_id and (pom.version or pom.parent[2]):
        name = pom.resolve(f"{pom.artifact_id}-{pom.version or pom.parent[2]}")
    artifact = f"{name}.{extension}" if name and "${" not in name else None
    main_class = None
    for plugin in ("maven-jar-plugin", "maven-shade-plugin", "spring-boot-maven-plugin"):
        found = pom.plugin(plugin)
        if found is not None:
            main_class = main_class or pom.resolve(
                _text(found[3], "configuration/archive/manifest/mainClass") or _text(found[3], "configuration/mainClass")
            )
    main_class = main_class or pom.resolve(pom.properties.get("start-class") or pom.properties.get("mainClass"))
    return JavaFacts(
        tool=MAVEN,
        project_dir=project_dir,
        manifest=manifest,
        wrapper=wrapper,
        java_version=java,
        java_version_source=java_source,
        boot_version=boot,
        boot_plugin=boot_plugin is not None,
        boot_layers_off=layers_off,
        packaging=packaging,
        artifact=artifact,
        output_dir="target",
        multi_module=bool(pom.modules),
        application=False,
        shadow=pom.plugin("maven-shade-plugin") is not None,
        main_class=main_class,
        project_name=pom.artifact_id,
        copies_dependencies="copy-dependencies" in pom.text,
        buildsrc=False,
    )


# -- build.gradle / build.gradle.kts --------------------------------------------------------------


def _plugin_applied(text: str, plugin: str) -> bool:
    quoted = re.escape(plugin)
    return bool(
        re.search(rf"""id\s*\(?\s*["']{quoted}["']""", text)
        or re.search(rf"""apply\s*\(?\s*plugin\s*[:=]\s*["']{quoted}["']""", text)
    )


def _core_plugin(text: str, plugin: str) -> bool:
    """A Gradle core plugin in the plugins block: ``application``, ``id 'application'``, ``id("application")``."""
    block = _plugins_block(text)
    return bool(re.search(rf"(^|\s){plugin}(\s|$)", block) or _plugin_applied(text, plugin))


def _plugins_block(text: str) -> str:
    m = re.search(r"\bplugins\s*\{", text)
    if not m:
        return ""
    depth, i = 1, m.end()
    while i < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[m.end() : i - 1]


def _plugin_version(text: str, plugin: str) -> str | None:
    quoted = re.escape(plugin)
    m = re.search(rf"""id\s*\(?\s*["']{quoted}["']\s*\)?\s*version\s*\(?\s*["']([^"']+)["']""", text)
    return m.group(1) if m else None


def _block(text: str, name: str) -> str:
    """The body of ``name { ... }`` / ``tasks.name { ... }`` / ``tasks.named('name') { ... }``, joined."""
    bodies = []
    pattern = rf"""(?:\btasks\.named\s*\(\s*["']{name}["']\s*(?:,\s*\w+(?:::class(?:\.java)?)?)?\s*\)|\btasks\.(?:getByName\s*\(\s*["']{name}["']\s*\)|{name})|(?<![\w.]){name}|tasks\.withType\s*\(\s*\w*{name[0].upper() + name[1:]}\w*)\s*\{{"""
    for m in re.finditer(pattern, text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        bodies.append(text[m.end() : i - 1])
    return "\n".join(bodies)


def _assigned(body: str, prop: str) -> str | None:
    m = re.search(rf"""\b{prop}\s*(?:=|\.set\s*\(|\(|\s)\s*["']([^"']+)["']""", body)
    return m.group(1) if m else None


def _gradle_java(text: str, manifest: str) -> tuple[str | None, str | None]:
    patterns = (
        (r"languageVersion(?:\.set\s*\(|\s*=\s*)\s*JavaLanguageVersion\.of\s*\(\s*[\"']?(\d+)", "toolchain languageVersion"),
        (r"jvmToolchain\s*\(\s*(\d+)", "jvmToolchain"),
        (r"\breleaseVersion\s*(?:=|\.set\s*\()\s*(\d+)", "release"),
        (r"options\.release(?:\s*=\s*|\.set\s*\(\s*)(\d+)", "options.release"),
        (r"sourceCompatibility\s*=\s*(JavaVersion\.VERSION_[\d_]+|[\"']?[\d.]+[\"']?)", "sourceCompatibility"),
        (r"targetCompatibility\s*=\s*(JavaVersion\.VERSION_[\d_]+|[\"']?[\d.]+[\"']?)", "targetCompatibility"),
    )
    for pattern, label in patterns:
        m = re.search(pattern, text)
        if m:
            value = normalize_java(m.group(1))
            if value:
                return value, f"{manifest} ({label} {m.group(1).strip()})"
    return None, None


def _gradle_boot(text: str) -> str | None:
    version = _plugin_version(text, "org.springframework.boot")
    if version:
        return version
    m = re.search(r"spring-boot-gradle-plugin:([\w.\-]+)", text) or re.search(r"springBootVersion\s*=\s*[\"']([^\"']+)", text)
    return m.group(1) if m else None


def _gradle_version_prop(text: str, properties: str) -> str | None:
    # ``version = '1.0'`` / ``version '1.0'`` at the top level, not a plugin's ``version '3.3.4'``.
    for line in text.splitlines():
        m = re.match(r"""^version\s*(?:=\s*)?["']([^"']+)["']\s*$""", line.strip())
        if m and not line.startswith((" ", "\t")):
            return m.group(1)
    m = re.search(r"^\s*version\s*=\s*(\S+)\s*$", properties, re.M)
    return m.group(1) if m else None


def gradle_facts(context: BuildContext, project_dir: str, manifest: str) -> JavaFacts:
    text = context.read_text(manifest) or ""
    join = (lambda n: posixpath.join(project_dir, n)) if project_dir else (lambda n: n)
    settings = next((context.read_text(join(n)) or "" for n in GRADLE_SETTINGS_FILES if context.is_file(join(n))), "")
    properties = context.read_text(join("gradle.properties")) or ""
    wrapper = context.is_file(join("gradlew"))
    java, java_source = _gradle_java(text, manifest)
    boot = _gradle_boot(text)
    boot_plugin = _plugin_applied(text, "org.springframework.boot")
    m = re.search(r"""rootProject\.name\s*=\s*["']([^"']+)["']""", settings)
    project_name = m.group(1) if m else None
    version = _gradle_version_prop(text, properties)
    application = _core_plugin(text, "application")
    shadow = any(_plugin_applied(text, p) for p in _SHADOW_PLUGINS)
    main_class = None
    app_block = _block(text, "application")
    main_class = _assigned(app_block, "mainClass") or _assigned(text, "mainClassName") or _assigned(_block(text, "springBoot"), "mainClass")
    layers_off = bool(re.search(r"layered\s*(?:\{[^}]*enabled\s*=\s*false|\(\s*\{[^}]*enabled\.set\(false)", _block(text, "bootJar")))
    artifact = _gradle_artifact(text, project_name, version, boot_plugin, shadow)
    multi = bool(re.search(r"^\s*include\b|^\s*include\s*\(", settings, re.M))
    buildsrc = context.is_dir(join("buildSrc")) or bool(re.search(r"apply\s*\(?\s*from\s*[:=]", text))
    return JavaFacts(
        tool=GRADLE,
        project_dir=project_dir,
        manifest=manifest,
        wrapper=wrapper,
        java_version=java,
        java_version_source=java_source,
        boot_version=boot,
        boot_plugin=boot_plugin,
        boot_layers_off=layers_off,
        packaging="war" if _core_plugin(text, "war") else "jar",
        artifact=artifact,
        output_dir="build/libs",
        multi_module=multi,
        application=application,
        shadow=shadow,
        main_class=main_class,
        project_name=project_name,
        copies_dependencies=False,
        buildsrc=buildsrc,
    )


def _gradle_artifact(text: str, name: str | None, version: str | None, boot: bool, shadow: bool) -> str | None:
    """The jar the build's main archive task writes, with ``{name}`` left for the project folder's name."""
    task = "bootJar" if boot else ("shadowJar" if shadow else "jar")
    body = _block(text, task)
    fixed = _assigned(body, "archiveFileName")
    if fixed:
        return fixed
    base = _assigned(body, "archiveBaseName") or _assigned(_block(text, "base"), "archivesName") or _assigned(text, "archivesBaseName") or name or "{name}"
    version = _assigned(body, "archiveVersion") if re.search(r"archiveVersion", body) else version
    classifier = _assigned(body, "archiveClassifier")
    if classifier is None and task == "shadowJar":
        classifier = "all"
    parts = [base]
    if version and version != "unspecified":
        parts.append(version)
    if classifier:
        parts.append(classifier)
    if "$" in "".join(parts):
        return None
    return "-".join(parts) + ".jar"


def _empty(tool: str, project_dir: str, manifest: str | None, wrapper: bool, output: str) -> JavaFacts:
    return JavaFacts(
        tool=tool,
        project_dir=project_dir,
        manifest=manifest,
        wrapper=wrapper,
        java_version=None,
        java_version_source=None,
        boot_version=None,
        boot_plugin=False,
        boot_layers_off=False,
        packaging="jar",
        artifact=None,
        output_dir=output,
        multi_module=False,
        application=False,
        shadow=False,
        main_class=None,
        project_name=None,
        copies_dependencies=False,
        buildsrc=False,
    )


def gather_facts(context: BuildContext, project_dir: str, tool_hint: str | None) -> JavaFacts:
    """Facts for the project in ``project_dir`` (a context folder); ``tool_hint`` is what the Dockerfile runs."""
    join = (lambda n: posixpath.join(project_dir, n)) if project_dir else (lambda n: n)
    pom = join("pom.xml")
    gradle = next((join(n) for n in GRADLE_BUILD_FILES if context.is_file(join(n))), None)
    if tool_hint == GRADLE and gradle:
        return gradle_facts(context, project_dir, gradle)
    if context.is_file(pom) and tool_hint in (None, MAVEN):
        return maven_facts(context, project_dir, pom)
    if gradle and tool_hint in (None, GRADLE):
        return gradle_facts(context, project_dir, gradle)
    if tool_hint == MAVEN:
        return _empty(MAVEN, project_dir, None, context.is_file(join("mvnw")), "target")
    if tool_hint == GRADLE:
        return _empty(GRADLE, project_dir, None, context.is_file(join("gradlew")), "build/libs")
    return _empty(JAVAC, project_dir, None, False, "")


def with_tool_versions(facts: JavaFacts, image: ImageRef | None) -> JavaFacts:
    if image is None:
        return facts
    if image.path == "gradle":
        return replace(facts, gradle_version=tag_tool_version(image))
    if image.path == "maven":
        return replace(facts, maven_version=tag_tool_version(image))
    return facts


def boot_key(version: str | None) -> tuple[int, int]:
    """(major, minor) of a Spring Boot version (``2.0.3.RELEASE`` -> (2, 0)); (0, 0) when unknown."""
    m = re.match(r"^(\d+)\.(\d+)", version or "")
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)
