"""The Java language: detection and the planning hooks.

The builder is the original stage on a pinned Maven, Gradle or Temurin JDK image of
the same Java major, with the dependencies resolved in their own cached layer and
the tests left to CI; the runtime is a Temurin JRE (or distroless Java) of that
major with the jar under a stable name, Spring Boot's layers, an installDist
folder or the compiled classes, and a non-root user.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from ...context.buildcontext import BuildContext
from ...dockerfile.lintfix import keyword_upper, replace_command, with_mounts
from ...dockerfile.model import Keyword, env_pairs, substitute
from ...dockerfile.shell import Command
from ...dockerfile.stageplan import Level, Mount, Note, SecretInput
from ...dockerfile.walk import CopyRecord, State, Walked, copy_parts, image_path
from ...images import catalogue
from ...images.catalogue import BaseImage
from ...images.reference import Family
from ...options import RuntimeChoice
from ...patterns import Pattern
from ..base import (
    CONTAINER_BUILD_FILES,
    Artifact,
    Needs,
    PlanInput,
    RunRewrite,
    StartRewrite,
    WriteCall,
    app_sources,
    layer_workdirs,
    runtime_writes_in,
)
from . import jlink
from .commands import BuildCall, launcher, package_text, parse_call
from .detector import LTS, JavaDetector
from .facts import JavaFacts, boot_key, tag_java
from .names import GRADLE, JAVAC, MANIFESTS, MAVEN
from .start import (
    EXTRACT_DIR,
    LAYERS,
    STABLE_COMMENT,
    STABLE_NAME,
    JavaRuntime,
    facts_of,
    gradle_mounts,
    javac_calls,
    maven_mounts,
    packages,
    runtime_of,
    start_of,
)

BUILD_ENV_PREFIXES = ("MAVEN_", "GRADLE_")
# Build-tool settings and the builder's JDK location: a JRE runtime has its own JAVA_HOME.
BUILD_ENV = frozenset({"M2_HOME", "M2", "JAVA_HOME", "GRADLE_HOME", "MAVEN_HOME"})
# Build output and IDE files: never part of an image's build context.
OUTPUT_DIRS = ("target", "build", ".gradle", "out")
IDE_FILES = (".settings", ".project", ".classpath", ".factorypath", "*.iml", "*.ipr", "*.iws", ".apt_generated", ".sts4-cache")
RUNTIME_CONFIG = ("application.properties", "application.yml", "application.yaml")
# Build inputs, build outputs, documentation and tooling: what a Java program never reads beside itself.
_NOT_RUNTIME = Pattern(
    r"^(\.|_)|^(src|target|build|out|bin|gradle|\.mvn|test|tests|docs?|node_modules|pom\.xml|build\.gradle(\.kts)?"
    r"|settings\.gradle(\.kts)?|gradle\.properties|gradlew(\.bat)?|mvnw(\.cmd)?|README.*|LICENSE.*|CHANGELOG.*|CONTRIBUTING.*"
    r"|NOTICE.*|Jenkinsfile|Makefile|Procfile|" + CONTAINER_BUILD_FILES + r"|.*\.md|.*\.iml|lombok\.config"
    r"|checkstyle.*\.xml|pmd.*\.xml|spotbugs.*\.xml|renovate\.json|sonar-project\.properties|manifest\.txt|MANIFEST\.MF)$",
    re.I,
)


@dataclass(frozen=True)
class JavaDeps:
    """The dependency layer placed before the sources."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Extract:
    """The stage that splits a Spring Boot jar into its layers."""

    image: str
    platform: str | None
    jar: str  # the builder path of the jar
    command: str


@dataclass(frozen=True)
class JavaTemplateData:
    layer: JavaDeps | None
    extract: Extract | None
    reset_entrypoint: bool  # distroless Java's entrypoint is `java -jar`: the start command replaces it
    jlink: jlink.Jlink | None = None  # --runtime jlink: the stage that builds the Java runtime




# Files beside compiled classes that the program never reads: its sources, docs and CI files.
_NOT_RUN_TIME = ("*.java", "README*", "Jenkinsfile", "Dockerfile*", ".dockerignore", ".gitignore", ".gitattributes",
                 ".gitlab-ci.yml", "docker-compose*.y*ml", "compose*.y*ml")


def _prune_step(inp: PlanInput, line: int) -> str | None:
    """After the last javac: the classes' folder, copied whole to the runtime, loses the files the program never reads.

    The folder keeps everything else (config, resources, data the program reads relative to itself).
    """
    plan = runtime_of(inp)
    calls = javac_calls(inp)
    if plan.kind != "classes" or not calls or calls[-1].line != line:
        return None
    folders = [f for f in plan.folders if f != "/"
               and any(c.dest == f or c.dest.startswith(f.rstrip("/") + "/") for c in inp.copies)]
    if not folders:
        return None  # the classes were written apart from the sources (javac -d)
    names = " -o ".join(f"-iname '{p}'" for p in _NOT_RUN_TIME)
    return (f"# The runtime copies {', '.join(folders)}: the sources, docs and CI files stay here\n"
            f"RUN find {' '.join(folders)} -type f \\( {names} \\) -delete")


_JAVA_PATH = r'\(\s*"(?P<path>[^"\n]+)"\s*\)'
# Calls that create a folder, or write a file, at a literal path (relative: to the working folder).
WRITE_CALLS = (
    WriteCall(Pattern(r"\bnew\s+File" + _JAVA_PATH + r"\s*\.mkdirs?\(\)"), True, "File.mkdirs"),
    WriteCall(Pattern(r"\bFiles\.createDirector(?:y|ies)\(\s*(?:Paths\.get|Path\.of)" + _JAVA_PATH), True,
              "Files.createDirectories"),
    WriteCall(Pattern(r"\bnew\s+(?:FileWriter|FileOutputStream|PrintWriter)" + _JAVA_PATH.removesuffix(r"\s*\)")), False,
              "new FileWriter"),
    WriteCall(Pattern(r"\bFiles\.(?:write|writeString|newBufferedWriter|newOutputStream)\(\s*(?:Paths\.get|Path\.of)" + _JAVA_PATH),
              False, "Files.write"),
)
# Tests are not the application.
NOT_THE_APP = Pattern(r"(^|/)src/test/|(^|/)(test|tests|build|target)/")


class JavaLanguage(JavaDetector):
    """The planning hooks; the name, the traits and detection are :class:`JavaDetector`'s."""

    # -- planning hooks -----------------------------------------------------------------------------

    def builder_image(self, inp: PlanInput, runtime_family: str | None) -> tuple[BaseImage, str]:
        facts = facts_of(inp)
        version = inp.detection.version or LTS[-1]
        alpine = inp.image is not None and inp.image.family is Family.ALPINE
        suffix = "-alpine" if alpine else ""
        path = inp.image.path if inp.image is not None else ""
        source = f"Java {version} from {inp.detection.version_source}"
        if path == "maven":
            reason = f"Maven {catalogue.MAVEN_VERSION} on Temurin {version}, as the original built with Maven; {source}"
            if facts.maven_version and facts.maven_version.split(".")[:2] != catalogue.MAVEN_VERSION.split(".")[:2]:
                reason += f" (the original named Maven {facts.maven_version})"
            return catalogue.row(f"maven-{version}{suffix}"), reason
        if path == "gradle":
            return self._gradle_builder(facts, version, suffix, source)
        row, exact = inp.on_release(catalogue.row(f"temurin-{version}-jdk{suffix}"))
        reason = f"the Temurin {version} JDK; {source}{exact}"
        if path and path not in ("eclipse-temurin",):
            reason += f" (Temurin instead of {path}: the same OpenJDK, maintained)"
        return row, reason

    def _gradle_builder(self, facts: JavaFacts, version: str, suffix: str, source: str) -> tuple[BaseImage, str]:
        majors = catalogue.gradle_majors()
        wanted = (facts.gradle_version or "").split(".")[0]
        if wanted in majors:
            # The Gradle the original named, else the nearest newer one (a build script's API changes least).
            candidates = [m for m in majors if int(m) >= int(wanted)] + [m for m in reversed(majors) if int(m) < int(wanted)]
        else:
            candidates = list(reversed(majors))
        for major in candidates:
            for key in (f"gradle-{major}-{version}{suffix}", f"gradle-{major}-{version}"):
                try:
                    row = catalogue.row(key)
                except KeyError:
                    continue
                reason = f"Gradle {catalogue.gradle_release(major)} on Java {version}; {source}"
                if facts.gradle_version and major != wanted:
                    reason += f" (the original named Gradle {facts.gradle_version}, which has no image for Java {version})"
                if suffix and not key.endswith(suffix):
                    reason += "; no Alpine variant for this Java, so Ubuntu"
                return row, reason
        raise KeyError(f"gradle java {version}")  # pragma: no cover - every LTS has a Gradle row

    def is_build_env(self, inp: PlanInput, name: str) -> bool:
        return name.startswith(BUILD_ENV_PREFIXES) or name in BUILD_ENV

    def is_manifest_copy(self, record: CopyRecord) -> bool:
        return bool(record.sources) and all(posixpath.basename(s.rstrip("/")) in MANIFESTS for s in record.sources)

    def copy_to_runtime(self, inp: PlanInput, walked: Walked) -> str | None:
        return None  # the runtime takes the jar, the layers or the classes from the builder

    def links_libraries(self, inp: PlanInput) -> bool:
        return False

    # -- the build ------------------------------------------------------------------------------------

    def rewrite_run(self, inp: PlanInput, walked: Walked) -> RunRewrite | None:
        ins = walked.instruction
        calls = [(c, parse_call(c.argv)) for c in walked.commands]
        found = [(c, call) for c, call in calls if call is not None]
        if not found:
            return None
        runtime = runtime_of(inp)
        if ins.heredocs:
            return self._heredoc_build(inp, walked, found, runtime)
        text = keyword_upper(ins.raw)
        changes: list[str] = []
        notes: list[Note] = []
        mounts: list[Mount] = []
        builds = False
        for command, call in found:
            if call.tool == JAVAC:
                builds = True
                continue
            new = command.text
            if call.packages:
                builds = True
                if runtime.repackage and call.tool == MAVEN and "spring-boot:repackage" not in call.goals:
                    new += " spring-boot:repackage"
                    changes.append("spring-boot:repackage added, so the jar is executable")
                new, made = package_text(call, new)
                changes.extend(made)
                if call.runs_tests:
                    notes.append(Note("the image build skips the tests; run them in CI, where a failure does not cost an image", ins.line))
            for mount in (maven_mounts(inp, walked.state) if call.tool == MAVEN else gradle_mounts(inp, walked.state, call.wrapper)):
                if mount not in mounts:
                    mounts.append(mount)
            if new != command.text:
                text = replace_command(text, command.text, new, inp.dockerfile.escape)
        if mounts:
            text = with_mounts(text, ins.flags, tuple(mounts), inp.dockerfile.escape)
        if builds:
            reason = "compiles and packages the application"
        elif any(call.fetches_dependencies for _, call in found):
            reason = "resolves the dependencies before the sources, so the layer stays cached"
        else:
            reason = "runs the build tool"
        if changes:
            reason += "; " + ", ".join(changes)
        if mounts:
            reason += "; with a cache mount for the downloaded dependencies"
        if runtime.stable_step and runtime.stable_after == ins.line:
            text += "\n" + STABLE_COMMENT + "\n" + runtime.stable_step
        prune = _prune_step(inp, ins.line)
        if prune:
            text += "\n" + prune
            reason += "; sources, docs and CI files removed from the folder the runtime copies"
        return RunRewrite(text=text, reason=reason, builds=builds, notes=tuple(notes))

    @staticmethod
    def _heredoc_build(inp: PlanInput, walked: Walked, found: list[tuple[Command, BuildCall]], runtime: JavaRuntime) -> RunRewrite:
        """A build in a RUN heredoc: the script is kept as written, and the jar still gets its stable name after it."""
        ins = walked.instruction
        text = keyword_upper(ins.raw)
        notes: list[Note] = []
        builds = any(call.packages or call.tool == JAVAC for _, call in found)
        if runtime.repackage and any(call.packages and call.tool == MAVEN and "spring-boot:repackage" not in call.goals for _, call in found):
            notes.append(Note("the Maven build is in a RUN heredoc, kept as written: stagify cannot add spring-boot:repackage to it, "
                              "so the jar is executable only if the pom repackages it", ins.line, Level.WARNING))
        if runtime.stable_step and runtime.stable_after == ins.line:
            # hadolint cannot parse an instruction right after a heredoc's closing line: a blank line between
            text += "\n\n" + STABLE_COMMENT + "\n" + runtime.stable_step
        reason = "compiles and packages the application (a heredoc script, kept as written)" if builds else "runs the build tool (a heredoc script, kept as written)"
        prune = _prune_step(inp, ins.line)
        if prune:
            text += "\n\n" + prune  # a blank line after the heredoc, for hadolint
        return RunRewrite(text=text, reason=reason, builds=builds, notes=tuple(notes))

    def rewrite_copy(self, inp: PlanInput, walked: Walked) -> RunRewrite | None:
        """``COPY target/*.jar app.jar`` after the build: the jar the build wrote, not one from the build context."""
        ins = walked.instruction
        if ins.flag("from") is not None or walked.copy is None:
            return None
        index = inp.index_of(walked)
        steps = [s for s in packages(inp) if s.index < index]
        parts = copy_parts(ins)
        if not steps or parts is None:
            return None
        facts = facts_of(inp)
        env = walked.state.env_map()
        sources = [substitute(s, env).removeprefix("./") for s in parts[0]]
        prefix = facts.project_dir + "/" if facts.project_dir else ""
        outputs = tuple(f"{prefix}{d}/" for d in ("target", "build"))
        if not all(s.startswith(outputs) for s in sources):
            return None
        step = steps[-1]
        built = [posixpath.join(step.state.workdir, s[len(prefix) :]) for s in sources]
        dest = walked.state.resolve(parts[1])
        text = f"RUN cp {' '.join(built)} {dest}"
        note = Note(
            f"COPY takes {', '.join(sources)} from the build context, not the jar the build on line {step.line} wrote (the original "
            "got whatever lay in the context, or failed to build); the builder copies the built jar",
            ins.line,
            Level.WARNING,
        )
        return RunRewrite(text=text, reason="copies the jar the build wrote (the original copied it from the build context)",
                          builds=True, notes=(note,))

    def dependency_layer(self, inp: PlanInput, at: State) -> object | None:
        """The dependencies resolved before the sources, when the original resolved them with the build."""
        facts = facts_of(inp)
        first = inp.first_source
        if first is None or facts.tool not in (MAVEN, GRADLE) or facts.manifest is None or facts.multi_module or facts.buildsrc:
            return None
        later = [s for s in packages(inp) if s.index > first]
        start = start_of(inp)
        if later:
            call, state = later[0].call, later[0].state
        elif runtime_of(inp).build is not None and start is not None and start.tool is not None:
            call, state = start.tool, start.walked.state  # the package step the start command needs
        else:
            return None
        if any(s.call.tool != facts.tool for s in later) or call.tool != facts.tool:
            return None
        for w in inp.walked[:first]:
            for command in w.commands:
                found = parse_call(command.argv)
                if found is not None and (found.fetches_dependencies or found.packages):
                    return None  # the original already has its dependency layer
        folder = state.workdir
        if not is_root_user(state.user):
            return None  # the build user's folders and caches are the original's business
        if inp.image_path(facts.manifest) != posixpath.join(folder, posixpath.basename(facts.manifest)):
            return None
        before = [w.copy for w in inp.walked[:first] if w.copy is not None]
        names = [n for n in facts.manifest_files(inp.context, call.wrapper) if inp.context.exists(facts.path(n))]
        if call.wrapper and not any(n in ("mvnw", "gradlew") for n in names):
            return None
        extra = _settings_files(call, facts, inp.context)
        files = [n for n in [*names, *extra] if image_path(before, facts.path(n), inp.context) is None]
        if call.tool == MAVEN:
            options = _carried_options(call.options, ("-s", "--settings", "-gs", "--global-settings", "-P", "--activate-profiles"))
            resolve = " ".join([call.program, "-B", *options, "dependency:go-offline"])
            mounts = maven_mounts(inp, state)
        else:
            resolve = f"{call.program} dependencies --no-daemon"
            mounts = gradle_mounts(inp, state, call.wrapper)
        workdir, restore = layer_workdirs(inp, folder)
        plain = [facts.path(n) for n in files if not inp.context.is_dir(facts.path(n))]
        folders = [facts.path(n) for n in files if inp.context.is_dir(facts.path(n))]
        lines = [
            *([f"WORKDIR {workdir}"] if workdir else []),
            "# Dependencies before the sources: this layer is rebuilt only when the build files change",
            *([f"COPY {' '.join(plain)} ./"] if plain else []),
            *[f"COPY {d} {posixpath.basename(d)}/" for d in folders],
            with_mounts("RUN " + resolve, (), mounts, inp.dockerfile.escape),
            *([f"WORKDIR {restore}"] if restore else []),
        ]
        return JavaDeps(lines=tuple(lines))

    # -- the start command ----------------------------------------------------------------------------

    def rewrite_start(
        self, inp: PlanInput, argv: tuple[str, ...], state: State, artifacts: tuple[Artifact, ...]
    ) -> StartRewrite | None:
        runtime = runtime_of(inp)
        start = start_of(inp)
        if runtime.argv is None or start is None or argv != start.argv:
            return None
        if runtime.kind == "boot":
            reason = f"Spring Boot's extracted layers with {launcher(facts_of(inp).boot_version)}"
        elif runtime.kind == "dist":
            reason = "the installDist script"
        else:
            reason = f"the jar under its stable name {STABLE_NAME}"
        if start.tool is not None:
            reason = (f"{' '.join(start.argv[:2])} compiled the code and resolved its dependencies at every start; the builder packages "
                      f"the application once; the runtime starts {reason}")
        return StartRewrite(argv=runtime.argv, reason=reason, build=runtime.build)

    def default_start(self, inp: PlanInput) -> tuple[tuple[str, ...], str] | None:
        runtime = runtime_of(inp)
        if start_of(inp) is not None or runtime.argv is None:
            return None
        return runtime.argv, f"starts the jar the build packages: {' '.join(runtime.argv)}"

    # -- runtime --------------------------------------------------------------------------------------

    def runtime_image(self, inp: PlanInput, needs: Needs) -> tuple[BaseImage, str]:
        version = inp.detection.version or LTS[-1]
        alpine = inp.image is not None and inp.image.family is Family.ALPINE
        forced = inp.options.runtime
        if forced is RuntimeChoice.JLINK and jlink.fits(runtime_of(inp).kind):
            key = "alpine" if alpine else "debian"
            return catalogue.row(key), (f"{key} {'slim ' if key == 'debian' else ''}with a Java {version} runtime that jlink makes of only "
                                     "the modules the application uses, as --runtime asked")
        not_distroless = ""
        if forced is RuntimeChoice.DISTROLESS and version in _distroless_versions():
            if inp.exact is None:
                return catalogue.row(f"distroless-java{version}"), f"distroless Java {version}: a Temurin JRE, no shell, no package manager"
            # Its tag names the major only: the JRE moves from release to release, and never says which it has.
            not_distroless = (f" (not distroless Java {version}, as --runtime asked: it carries whichever Temurin {version} JRE "
                              f"it was last built with, not the pinned {inp.exact})")
        if forced is RuntimeChoice.ALPINE:
            alpine = True
        elif forced is RuntimeChoice.DEBIAN:
            alpine = False
        row, _ = inp.on_release(catalogue.row(f"temurin-{version}-jre{'-alpine' if alpine else ''}"))
        return row, (f"the Temurin {inp.exact or version} JRE: the same Java without the compiler, the build tool and the sources"
                     f"{not_distroless}")

    def runtime_workdir(self, inp: PlanInput, workdir: str | None) -> str | None:
        if workdir is None and runtime_of(inp).kind == "boot":
            return "/app"  # the layers are unpacked into the working folder, never into /
        return workdir

    def runtime_artifacts(self, inp: PlanInput, runtime: BaseImage) -> list[Artifact]:
        plan = runtime_of(inp)
        out: list[Artifact] = []
        if plan.kind == "boot":
            for layer in LAYERS:
                out.append(Artifact(path=f"{EXTRACT_DIR}/extracted/{layer}/", dest="./", stage="layers",
                                    reason=f"Spring Boot's {layer} layer"))
        elif plan.kind == "jar" and plan.jar and plan.runtime_jar:
            out.append(Artifact(path=plan.jar, dest=plan.runtime_jar, reason="the application jar"))
        for folder in plan.folders:
            if folder == "/":
                out.append(Artifact(path="/*.class", dest="/", reason="the compiled classes"))
            else:
                out.append(Artifact(path=folder, reason="the compiled application" if plan.kind != "dist" else "the installDist folder: scripts, jar and libraries"))
        return out

    def runtime_writes(self, inp: PlanInput) -> list[tuple[str, str]]:
        return runtime_writes_in(app_sources(inp.context, (".java", ".kt"), NOT_THE_APP), WRITE_CALLS)

    def runtime_files(self, inp: PlanInput) -> list[tuple[str, str]]:
        facts = facts_of(inp)
        found = []
        for name in RUNTIME_CONFIG:
            for rel in (facts.path(name), facts.path(f"config/{name}")):
                if inp.context.is_file(rel):
                    found.append((rel, "configuration Spring Boot reads from the working folder"))
        for entry in inp.context.entries():
            name = entry.rstrip("/")
            if _NOT_RUNTIME.match(name) or any(rel == name for rel, _ in found):
                continue
            if entry.endswith("/"):
                if any(not f.endswith((".java", ".kt", ".class")) and not any(_NOT_RUNTIME.match(part) for part in f.split("/"))
                       for f in inp.context.walk(name)):
                    found.append((name, "a folder the original image had beside the program (configuration, templates, "
                                        "data); stagify cannot tell it is never read"))
            elif not name.endswith((".java", ".kt", ".class", ".jar")):
                found.append((name, "a file the original image had beside the program; stagify cannot tell it is never read"))
        # config/application.yml comes with config/ when the whole folder is copied: one COPY, not two.
        folders = [rel for rel, _ in found if inp.context.is_dir(rel)]
        return [(rel, why) for rel, why in found if not any(rel.startswith(f"{folder}/") for folder in folders)]

    def plan_notes(self, inp: PlanInput) -> tuple[Note, ...]:
        facts = facts_of(inp)
        plan = runtime_of(inp)
        notes = list(plan.notes)
        tag = tag_java(inp.image)
        if tag and facts.java_version and int(facts.java_version) > int(tag):
            notes.append(Note(f"{facts.java_version_source} asks for Java {facts.java_version}, newer than the Java {tag} of the base image: "
                              "the original cannot build that either; both stages keep Java " + (inp.detection.version or tag),
                              inp.stage.from_.line, Level.WARNING))
        if inp.options.runtime is RuntimeChoice.DISTROLESS and (inp.detection.version or "") not in _distroless_versions():
            notes.append(Note(f"distroless has no Java {inp.detection.version} image (only {', '.join(_distroless_versions())}): "
                              "the runtime stays a Temurin JRE", None, Level.WARNING))
        if inp.options.runtime is RuntimeChoice.JLINK:
            if jlink.fits(plan.kind):
                added = jlink.added_modules(inp, inp.detection.version or LTS[-1])
                notes.append(Note("jlink runtime: the modules jdeps finds, and " + "; ".join(f"{m} ({why})" for m, why in added)))
            else:
                notes.append(Note("--runtime jlink needs the application's jar (a Spring Boot or plain jar) to find the modules it "
                                  "uses: the runtime stays a Temurin JRE", None, Level.WARNING))
        if inp.options.runtime is RuntimeChoice.SCRATCH:
            notes.append(Note("a Java application needs a JVM: --runtime scratch is not possible, the runtime is a Temurin JRE", None,
                              Level.WARNING))
        if facts.boot_plugin and facts.boot_version and boot_key(facts.boot_version) < (2, 4) and plan.kind == "jar":
            notes.append(Note(f"Spring Boot {facts.boot_version} does not write layered jars (2.4 does): the runtime runs the whole jar",
                              None))
        notes.extend(self._java_opts_notes(inp))
        return tuple(notes)

    def _java_opts_notes(self, inp: PlanInput) -> list[Note]:
        start = start_of(inp)
        if start is None or start.java is None or start.script is not None:
            return []
        for w in inp.walked:
            if w.instruction.keyword is Keyword.ENV and any(n == "JAVA_OPTS" for n, _ in env_pairs(w.instruction.args)):
                return [Note("ENV JAVA_OPTS is set, but the start command runs java directly, which does not read it (the original did not "
                             "either); the JVM itself reads JAVA_TOOL_OPTIONS", w.instruction.line, Level.WARNING)]
        return []

    def not_worth_converting(self, inp: PlanInput, runtime: BaseImage) -> str | None:
        return None  # the build toolchain the original carries is always left behind

    def secret_build_inputs(self, inp: PlanInput) -> list[SecretInput]:
        return []

    def dockerignore(self, inp: PlanInput) -> list[str]:
        facts = facts_of(inp)
        prefix = facts.project_dir + "/" if facts.project_dir else ""
        lines = [f"{prefix}{d}" for d in OUTPUT_DIRS]
        if prefix:
            lines += list(OUTPUT_DIRS)  # also whatever a build at the context's root left behind
        return [*lines, "**/*.class", *IDE_FILES, "*.log", "hs_err_pid*"]

    def left_behind(self, inp: PlanInput) -> list[tuple[str, str]]:
        return []

    def build_platform(self, inp: PlanInput) -> tuple[str, str] | None:
        return None  # the jar is platform-neutral, but a layers or jlink stage runs the target's Java

    def template_data(self, inp: PlanInput, runtime: BaseImage, dependencies: object | None) -> object:
        plan = runtime_of(inp)
        extract = None
        builder, _ = self.builder_image(inp, None)
        made = None
        if runtime.language is None and inp.options.runtime is RuntimeChoice.JLINK and plan.jar:
            made = jlink.plan(inp, plan.kind, plan.jar, inp.detection.version or LTS[-1], runtime.family)
        if plan.kind == "boot" and plan.jar:
            # The extraction runs java: the runtime's own when it has one and a shell, else the JDK's.
            image = made.image if made else runtime.reference if runtime.shell else builder.reference
            if plan.layers_mode == "tools":
                command = f"RUN java -Djarmode=tools -jar {STABLE_NAME} extract --layers --launcher --destination extracted"
            else:
                command = f"RUN java -Djarmode=layertools -jar {STABLE_NAME} extract --destination extracted"
            extract = Extract(image=image, platform=inp.stage.platform, jar=plan.jar, command=command)
        has_entrypoint = any(w.instruction.keyword is Keyword.ENTRYPOINT for w in inp.walked)
        reset = runtime.key.startswith("distroless-java") and not has_entrypoint
        layer = dependencies if isinstance(dependencies, JavaDeps) else None
        return JavaTemplateData(layer=layer, extract=extract, reset_entrypoint=reset, jlink=made)


def is_root_user(user: str | None) -> bool:
    return user is None or user.strip() in ("root", "0", "0:0", "root:root")


def _distroless_versions() -> tuple[str, ...]:
    return tuple(r.version for r in catalogue.CATALOGUE if r.key.startswith("distroless-java") and r.version)






def _settings_files(call: BuildCall, facts: JavaFacts, context: BuildContext) -> list[str]:
    found = []
    for option in ("-s", "--settings", "-gs", "--global-settings"):
        value = call.option_value(option)
        if value and not value.startswith(("/", "$")) and context.is_file(facts.path(value)):
            found.append(value)
    return found


def _carried_options(options: tuple[str, ...], names: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    words = list(options)
    for i, word in enumerate(words):
        if word in names and i + 1 < len(words):
            out += [word, words[i + 1]]
        elif any(word.startswith(n) and len(word) > len(n) and n.startswith("-P") for n in names):
            out.append(word)
    return out




LANGUAGE = JavaLanguage()

__all__ = ["LANGUAGE", "Extract", "JavaDeps", "JavaLanguage", "JavaTemplateData"]
