"""Reading and rewriting ``mvn``, ``gradle``, their wrappers, ``javac`` and ``java`` command lines.

Only words are looked at: which goals or tasks run, which options are given, which
jar or class a ``java`` start command runs. Nothing is executed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .names import BUILD_PROGRAMS, GRADLE, JAVAC, MAVEN

# Maven options that take the next word as their value.
_MAVEN_VALUE_OPTIONS = frozenset(
    {"-f", "--file", "-s", "--settings", "-gs", "--global-settings", "-P", "--activate-profiles", "-pl", "--projects",
     "-rf", "--resume-from", "-t", "--toolchains", "-l", "--log-file", "-T", "--threads", "-b", "--builder", "-D",
     "--define", "-gt", "--global-toolchains", "--color"}
)
_GRADLE_VALUE_OPTIONS = frozenset(
    {"-x", "--exclude-task", "-p", "--project-dir", "-b", "--build-file", "-c", "--settings-file", "-g",
     "--gradle-user-home", "-I", "--init-script", "--console", "--warning-mode", "--max-workers", "-D", "-P",
     "--include-build", "--priority", "-M", "--write-verification-metadata"}
)
# Maven phases (and what the default lifecycle runs up to them) that compile and package.
MAVEN_PACKAGE_PHASES = ("package", "verify", "install", "deploy")
_MAVEN_TEST_PHASES = ("test", *MAVEN_PACKAGE_PHASES)
MAVEN_DEPENDENCY_GOALS = frozenset(
    {"dependency:go-offline", "dependency:resolve", "dependency:resolve-plugins", "dependency:resolve-sources",
     "de.qaware.maven:go-offline-maven-plugin:resolve-dependencies", "validate", "clean", "dependency:tree",
     "help:evaluate", "-v", "--version"}
)
GRADLE_PACKAGE_TASKS = frozenset(
    {"build", "assemble", "bootJar", "jar", "shadowJar", "installDist", "installShadowDist", "installBootDist",
     "bootWar", "war", "distTar", "distZip", "stage"}
)
GRADLE_DEPENDENCY_TASKS = frozenset({"dependencies", "clean", "--version", "-v", "help", "resolveDependencies", "downloadDependencies", "tasks"})
_SKIP_TEST_PROPERTIES = ("skipTests", "maven.test.skip", "skipUTs")
LAUNCHER_OLD = "org.springframework.boot.loader.JarLauncher"
LAUNCHER_NEW = "org.springframework.boot.loader.launch.JarLauncher"


@dataclass(frozen=True)
class BuildCall:
    """One ``mvn`` / ``./mvnw`` / ``gradle`` / ``./gradlew`` / ``javac`` command."""

    tool: str  # maven | gradle | javac
    program: str  # as written: mvn, ./mvnw, gradle, ./gradlew, javac
    wrapper: bool
    goals: tuple[str, ...]  # Maven phases and goals, Gradle tasks, javac's source files
    options: tuple[str, ...]  # every option word, values included, in order
    argv: tuple[str, ...]

    @property
    def packages(self) -> bool:
        """Compiles and packages the application (a jar, an installDist folder, classes)."""
        if self.tool == MAVEN:
            return any(g in MAVEN_PACKAGE_PHASES or g.endswith((":repackage", ":single", ":shade", ":jar", ":war")) for g in self.goals)
        if self.tool == GRADLE:
            return any(_task(g) in GRADLE_PACKAGE_TASKS for g in self.goals)
        return True

    @property
    def fetches_dependencies(self) -> bool:
        """Only resolves dependencies (a dependency layer the original already has)."""
        if not self.goals:
            return False
        if self.tool == MAVEN:
            return all(g in MAVEN_DEPENDENCY_GOALS for g in self.goals) and any(g.startswith(("dependency:", "de.qaware")) for g in self.goals)
        if self.tool == GRADLE:
            return all(_task(g) in GRADLE_DEPENDENCY_TASKS for g in self.goals) and any(
                _task(g) not in ("clean", "help", "tasks", "--version", "-v") for g in self.goals
            )
        return False

    @property
    def starts_app(self) -> str | None:
        """``spring-boot:run`` / ``bootRun`` / ``run`` / ``exec:java``: the build tool runs the application."""
        for g in self.goals:
            name = _task(g)
            if self.tool == MAVEN and (g == "spring-boot:run" or (g.endswith(":run") and "spring-boot" in g)):
                return "spring-boot:run"
            if self.tool == MAVEN and g in ("exec:java", "exec:exec"):
                return g
            if self.tool == GRADLE and name in ("bootRun", "run"):
                return name
        return None

    def properties(self) -> dict[str, str]:
        """``-Dname=value`` options (``-D name=value`` too)."""
        found: dict[str, str] = {}
        words = list(self.options)
        for i, word in enumerate(words):
            text = None
            if word.startswith("-D") and len(word) > 2:
                text = word[2:]
            elif word in ("-D", "--define") and i + 1 < len(words):
                text = words[i + 1]
            if text is not None:
                name, _, value = text.partition("=")
                found[name] = value if _ else "true"
        return found

    def option_value(self, *names: str) -> str | None:
        words = list(self.options)
        for i, word in enumerate(words):
            if word in names and i + 1 < len(words):
                return words[i + 1]
            for name in names:
                if name.startswith("--") and word.startswith(name + "="):
                    return word.split("=", 1)[1]
        return None

    @property
    def skips_tests(self) -> bool:
        if self.tool == MAVEN:
            props = self.properties()
            return any(props.get(p, "false").lower() != "false" for p in _SKIP_TEST_PROPERTIES if p in props)
        if self.tool == GRADLE:
            words = list(self.options)
            return any(w in ("-x", "--exclude-task") and i + 1 < len(words) and _task(words[i + 1]) == "test" for i, w in enumerate(words)) or any(
                w in ("--exclude-task=test", "-xtest") for w in words
            )
        return True

    @property
    def runs_tests(self) -> bool:
        if self.skips_tests:
            return False
        if self.tool == MAVEN:
            return any(g in _MAVEN_TEST_PHASES for g in self.goals)
        if self.tool == GRADLE:
            return any(_task(g) == "build" for g in self.goals)
        return False


def _task(goal: str) -> str:
    return goal.rsplit(":", 1)[-1]


def parse_call(argv: tuple[str, ...]) -> BuildCall | None:
    if not argv:
        return None
    program = argv[0]
    name = program.rsplit("/", 1)[-1]
    if name not in BUILD_PROGRAMS:
        return None
    if name == JAVAC:
        return _javac(argv)
    if name.startswith("mvn"):
        tool, values = MAVEN, _MAVEN_VALUE_OPTIONS
    else:
        tool, values = GRADLE, _GRADLE_VALUE_OPTIONS
    goals, options = _split(argv, values)
    return BuildCall(tool=tool, program=program, wrapper=name.endswith("w"), goals=goals, options=options, argv=argv)


def _split(argv: tuple[str, ...], values: set[str] | frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A command's words after the program: (goals or sources, options with the values of those in ``values``)."""
    goals: list[str] = []
    options: list[str] = []
    skip = False
    for word in argv[1:]:
        if skip:
            options.append(word)
            skip = False
        elif word.startswith("-"):
            options.append(word)
            skip = word in values
        else:
            goals.append(word)
    return tuple(goals), tuple(options)


def _javac(argv: tuple[str, ...]) -> BuildCall:
    values = {"-d", "-cp", "-classpath", "--class-path", "-sourcepath", "--source-path", "-s", "-h", "--release",
              "-source", "--source", "-target", "--target", "-encoding", "-processorpath", "-p", "--module-path",
              "--module", "-m", "--add-modules", "-bootclasspath", "-extdirs", "-endorseddirs", "-implicit"}
    goals, options = _split(argv, values)
    return BuildCall(tool=JAVAC, program=argv[0], wrapper=False, goals=goals, options=options, argv=argv)


def package_text(call: BuildCall, text: str) -> tuple[str, list[str]]:
    """The package command with tests skipped and, for Gradle, no daemon; and what changed."""
    changes: list[str] = []
    if call.tool == MAVEN and call.runs_tests and any(g in MAVEN_PACKAGE_PHASES for g in call.goals):
        text += " -DskipTests"
        changes.append("tests skipped (-DskipTests)")
    if call.tool == GRADLE:
        if call.runs_tests:
            text += " -x test"
            changes.append("tests skipped (-x test)")
        if "--no-daemon" not in call.options and "--daemon" not in call.options:
            text += " --no-daemon"
            changes.append("no daemon (--no-daemon)")
    return text, changes


@dataclass(frozen=True)
class JavaStart:
    """A ``java`` start command: its JVM options, what it runs, and the application's arguments."""

    program: str  # java, /opt/java/openjdk/bin/java, ...
    jvm_options: tuple[str, ...]
    jar: str | None  # -jar FILE
    main_class: str | None  # java [-cp X] Main
    classpath: str | None
    args: tuple[str, ...]
    stray_space: bool = False  # " -jar": a word with a leading space, which java reads as a class name


def parse_java(argv: tuple[str, ...]) -> JavaStart | None:
    """``java [options] -jar app.jar [args]`` or ``java [options] [-cp path] Main [args]``."""
    if not argv or argv[0].rsplit("/", 1)[-1] != "java":
        return None
    options: list[str] = []
    words = list(argv[1:])
    stray = False
    i = 0
    classpath = None
    while i < len(words):
        word = words[i]
        stripped = word.strip()
        if stripped != word and stripped.startswith("-"):
            stray = True
            word = stripped
        if word == "-jar" and i + 1 < len(words):
            return JavaStart(argv[0], tuple(options), words[i + 1].strip(), None, classpath, tuple(words[i + 2 :]), stray)
        if word in ("-cp", "-classpath", "--class-path") and i + 1 < len(words):
            classpath = words[i + 1]
            i += 2
            continue
        if word.startswith(("-", "$")):  # an option, or a variable of options ($JAVA_OPTS)
            options.append(word)
            i += 1
            continue
        return JavaStart(argv[0], tuple(options), None, word, classpath, tuple(words[i + 1 :]), stray)
    return None


def spring_boot_run_args(call: BuildCall) -> tuple[tuple[str, ...], tuple[str, ...], list[str]]:
    """What ``mvn spring-boot:run -D...`` passed to the application: (JVM options, program arguments, unread options)."""
    props = call.properties()
    jvm: list[str] = []
    args: list[str] = []
    unread: list[str] = []
    for name, value in props.items():
        if name in ("spring-boot.run.profiles", "run.profiles"):
            args.append(f"--spring.profiles.active={value}")
        elif name in ("spring-boot.run.arguments", "run.arguments"):
            args.extend(value.replace(",", " ").split())
        elif name in ("spring-boot.run.jvmArguments", "run.jvmArguments"):
            jvm.extend(value.split())
        elif name in _SKIP_TEST_PROPERTIES:
            continue
        else:
            unread.append(f"-D{name}={value}")
    for option in call.options:
        if option.startswith("--args="):
            args.extend(option.split("=", 1)[1].strip("'\"").split())
    return tuple(jvm), tuple(args), unread


def launcher(boot_version: str | None) -> str:
    """Spring Boot 3.2 moved the launcher classes to ``org.springframework.boot.loader.launch``."""
    m = re.match(r"^(\d+)\.(\d+)", boot_version or "")
    if m and (int(m.group(1)), int(m.group(2))) >= (3, 2):
        return LAUNCHER_NEW
    return LAUNCHER_OLD
