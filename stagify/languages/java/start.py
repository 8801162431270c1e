"""What a Java container starts, and what the runtime must hold for it.

The original's start command names a jar (``java -jar``), classes (``java Main``),
a start script from ``installDist``, or a build tool that compiles at every start
(``mvn spring-boot:run``, ``gradle bootRun``). :func:`runtime_of` turns that, with
the package step the build ran, into one :class:`JavaRuntime`: the jar under a
stable name, Spring Boot's layers, the folders to copy, the new start command.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache

from ...dockerfile import shell
from ...dockerfile.lintfix import start_argv, with_mounts
from ...dockerfile.model import Keyword
from ...dockerfile.selfcheck import script_index
from ...dockerfile.stageplan import Level, Line, Mount, Note
from ...dockerfile.walk import State, Walked, origin_of
from ..base import PlanInput
from .commands import BuildCall, JavaStart, launcher, package_text, parse_call, parse_java, spring_boot_run_args
from .facts import JavaFacts, boot_key
from .names import GRADLE, JAVAC, MAVEN

STABLE_NAME = "app.jar"
STABLE_COMMENT = "# The jar under a name that does not change with the project's version"
LAYERS = ("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")
EXTRACT_DIR = "/layers"
_OUTPUT_PARTS = ("/target/", "/build/libs/")


@dataclass(frozen=True)
class Package:
    """The original's package step: the RUN that writes the jar (or the classes, or a dist folder)."""

    index: int
    line: int
    call: BuildCall
    text: str  # the command as written
    state: State


@dataclass(frozen=True)
class Start:
    """The instruction that starts the application, and what it runs."""

    walked: Walked
    argv: tuple[str, ...]
    java: JavaStart | None = None
    script: str | None = None  # the ``sh -c`` text that runs java
    script_at: int = 2  # its index in argv (``bash -o pipefail -c SCRIPT``: 4)
    tool: BuildCall | None = None  # a build tool runs the app
    command: str | None = None  # in a ``sh -c`` script: the command that runs the build tool, as written


@dataclass(frozen=True)
class JavaRuntime:
    """What the runtime holds and starts."""

    kind: str  # boot | jar | dist | classes | unknown
    jar: str | None = None  # the builder path the runtime (or the layer extraction) takes the jar from
    runtime_jar: str | None = None  # where the runtime has the jar (kind jar)
    stable_step: str | None = None  # the builder RUN that copies the built jar to a stable name
    stable_after: int | None = None  # the line of the package RUN that step follows
    folders: tuple[str, ...] = ()  # builder folders copied to the same path
    layers_mode: str | None = None  # tools | layertools
    start_line: int | None = None  # the CMD/ENTRYPOINT rewritten
    argv: tuple[str, ...] | None = None  # its new argv
    build: Line | None = None  # a package step a build-tool start needs
    repackage: bool = False  # the package step must also run spring-boot:repackage
    notes: tuple[Note, ...] = ()


def facts_of(inp: PlanInput) -> JavaFacts:
    facts = inp.detection.facts
    assert isinstance(facts, JavaFacts)
    return facts


def is_root(user: str | None) -> bool:
    return user is None or user.strip() in ("root", "0", "0:0", "root:root")


def argv_of(inp: PlanInput, ins_walked: Walked) -> tuple[str, ...]:
    return start_argv(ins_walked.instruction, inp.stage.instructions)[0]


def packages(inp: PlanInput) -> list[Package]:
    found = []
    for index, w in enumerate(inp.walked):
        if w.instruction.keyword is not Keyword.RUN:
            continue
        for command in w.commands:
            call = parse_call(command.argv)
            if call is not None and call.packages and call.tool != JAVAC:
                found.append(Package(index, w.instruction.line, call, command.text, w.state))
    return found


def javac_calls(inp: PlanInput) -> list[Package]:
    found = []
    for index, w in enumerate(inp.walked):
        if w.instruction.keyword is Keyword.RUN:
            for command in w.commands:
                call = parse_call(command.argv)
                if call is not None and call.tool == JAVAC:
                    found.append(Package(index, w.instruction.line, call, command.text, w.state))
    return found


def start_of(inp: PlanInput) -> Start | None:
    """The last ENTRYPOINT or CMD that runs java or a build tool, else the one the container starts."""
    finals: list[Walked] = []
    for keyword in (Keyword.ENTRYPOINT, Keyword.CMD):
        found = [w for w in inp.walked if w.instruction.keyword is keyword]
        if found:
            finals.append(found[-1])
    together = _entrypoint_with_cmd(inp, finals)
    if together is not None:
        return together
    for w in finals:
        argv = argv_of(inp, w)
        java = parse_java(argv)
        if java is not None:
            return Start(w, argv, java=java)
        call = parse_call(argv)
        if call is not None and call.starts_app:
            return Start(w, argv, tool=call)
        at = script_index(argv)
        if at is not None and at < len(argv):
            for command in shell.commands(argv[at]):
                java = parse_java(tuple(w2 for w2 in command.argv))
                if java is not None:
                    return Start(w, argv, java=java, script=argv[at], script_at=at)
                call = parse_call(command.argv)
                if call is not None and call.starts_app:
                    return Start(w, argv, tool=call, script=argv[at], script_at=at, command=command.text)
    if finals:
        # ENTRYPOINT before CMD: the program the container runs comes first.
        return Start(finals[0], argv_of(inp, finals[0]))
    return None


def _entrypoint_with_cmd(inp: PlanInput, finals: list[Walked]) -> Start | None:
    """``ENTRYPOINT ["java", "-cp", "out"]`` + ``CMD ["Main"]``: the class the two start together, else None.

    An exec-form ENTRYPOINT runs with an exec-form CMD's words as its arguments, so neither line alone names the
    class. Only a class start is read this way: the classes are copied and both lines stay as written, while a jar
    start would have its jar rewritten in one of the two lines.
    """
    entry = next((w for w in finals if w.instruction.keyword is Keyword.ENTRYPOINT), None)
    cmd = next((w for w in finals if w.instruction.keyword is Keyword.CMD), None)
    if entry is None or cmd is None or entry.instruction.exec_form is None or cmd.instruction.exec_form is None:
        return None
    if parse_java(entry.instruction.exec_form) is not None:
        return None  # the ENTRYPOINT alone names what it starts; CMD only adds arguments
    argv = (*entry.instruction.exec_form, *cmd.instruction.exec_form)
    java = parse_java(argv)
    return Start(entry, argv, java=java) if java is not None and java.jar is None else None


def _in_output(path: str) -> bool:
    return any(part in path for part in _OUTPUT_PARTS)


def _layers_mode(facts: JavaFacts, boot_jar: bool) -> str | None:
    if not boot_jar or facts.boot_layers_off or facts.boot_version is None:
        return None
    version = boot_key(facts.boot_version)
    if version < (2, 4):
        return None
    return "tools" if version >= (3, 3) else "layertools"


@lru_cache(maxsize=64)
def runtime_of(inp: PlanInput) -> JavaRuntime:
    facts = facts_of(inp)
    start = start_of(inp)
    steps = packages(inp)
    final_dir = inp.walked[-1].state.workdir if inp.walked else "/"
    if start is not None and start.tool is not None:
        return _tool_start(inp, facts, start, steps)
    if start is not None and start.java is not None:
        if start.java.jar is not None:
            return _jar_start(inp, facts, start, steps, final_dir)
        return _class_start(inp, facts, start)
    if start is not None and start.argv:
        return _program_start(inp, facts, start, steps)
    return _no_start(inp, facts, steps, final_dir)


def _stable(facts: JavaFacts, step: Package, jar: str) -> tuple[str, str | None]:
    """(builder path of the stable jar, the RUN that makes it) for a jar the package step wrote."""
    folder = step.state.workdir
    if posixpath.basename(jar) == STABLE_NAME:
        return jar, None  # already the stable name (bootJar's archiveFileName, a copy of the user's)
    rel = posixpath.relpath(jar, folder) if jar.startswith(folder.rstrip("/") + "/") else jar
    return posixpath.join(folder, STABLE_NAME), _copy_step(rel, facts.tool)


def _copy_step(rel: str, tool: str) -> str:
    if tool == GRADLE and rel.endswith("/*.jar"):
        # Spring Boot's Gradle plugin also writes a -plain.jar beside the executable one.
        return f"RUN find {posixpath.dirname(rel)} -maxdepth 1 -name '*.jar' ! -name '*-plain.jar' -exec cp {{}} {STABLE_NAME} \\;"
    return f"RUN cp {rel} {STABLE_NAME}"


def _expected_jar(facts: JavaFacts, folder: str) -> str | None:
    """The jar the package step writes in ``folder``, by the build files (None: unknown name)."""
    if not facts.artifact:
        return None
    name = facts.artifact.replace("{name}", facts.project_name or posixpath.basename(folder.rstrip("/")) or "app")
    return posixpath.join(folder, facts.output_dir, name)


def _jar_start(inp: PlanInput, facts: JavaFacts, start: Start, steps: list[Package], final_dir: str) -> JavaRuntime:
    java = start.java
    assert java is not None and java.jar is not None
    notes: list[Note] = []
    line = start.walked.instruction.line
    target = start.walked.state.resolve(java.jar)
    inside = [s for s in steps if target.startswith(s.state.workdir.rstrip("/") + "/")]
    step = inside[-1] if inside else None
    made_by_step = step is not None and _in_output(target)
    if step is not None and made_by_step and not any(ch in target for ch in "*?["):
        expected = _expected_jar(facts, step.state.workdir)
        if expected and expected != target and posixpath.dirname(expected) == posixpath.dirname(target) and not _produced_elsewhere(inp, target):
            notes.append(
                Note(f"the start command runs {java.jar}, which the build does not write (by {facts.manifest} it writes "
                     f"{posixpath.relpath(expected, start.walked.state.workdir)}); the runtime starts the built jar", line, Level.WARNING)
            )
            target = expected
    if java.stray_space:
        notes.append(Note("a word of the start command has a leading space (' -jar'): java reads it as a class name, so the "
                          "original fails to start; the runtime starts the jar as intended", line, Level.WARNING))
    jar, stable_step = _stable(facts, step, target) if step is not None and made_by_step else (target, None)
    after = step.line if step is not None and stable_step else None
    if _layers_mode(facts, facts.boot_plugin and facts.packaging == "jar" and bool(steps)) is not None:
        mode = _layers_mode(facts, True)
        return JavaRuntime(kind="boot", jar=jar, stable_step=stable_step, stable_after=after, layers_mode=mode, start_line=line,
                           argv=_launcher_argv(start, facts), notes=tuple(notes))
    if made_by_step:
        runtime_jar = posixpath.join(final_dir, STABLE_NAME)
        argv = _replace_jar(start, STABLE_NAME if final_dir != "/" else runtime_jar)
    else:
        runtime_jar = target
        argv = _replace_jar(start, java.jar)
    folders = (posixpath.join(posixpath.dirname(target), "lib"),) if facts.copies_dependencies and made_by_step else ()
    return JavaRuntime(kind="jar", jar=jar, runtime_jar=runtime_jar, stable_step=stable_step, stable_after=after, folders=folders,
                       start_line=line, argv=argv if argv != start.argv else None, notes=tuple(notes))


def _produced_elsewhere(inp: PlanInput, target: str) -> bool:
    """Whether a step other than the package step writes ``target`` (``cp``, ``mv``, a COPY)."""
    name = posixpath.basename(target)
    for w in inp.walked:
        if w.instruction.keyword is Keyword.RUN and any(c.program in ("cp", "mv", "ln") and any(name in a for a in c.argv) for c in w.commands):
            return True
    return False


def _launcher_argv(start: Start, facts: JavaFacts) -> tuple[str, ...]:
    """``java [options] -jar app.jar [args]`` -> ``java [options] <JarLauncher> [args]``, in the extracted layers."""
    main = launcher(facts.boot_version)
    if start.script is not None:
        script = re.sub(r"(^|\s)-jar\s+\S+", lambda m: f"{m.group(1)}{main}", start.script, count=1)
        return (*start.argv[: start.script_at], script, *start.argv[start.script_at + 1 :])
    words = _cleaned(start.argv)
    i = words.index("-jar")
    return (*words[:i], main, *words[i + 2 :])


def _replace_jar(start: Start, word: str) -> tuple[str, ...]:
    if start.script is not None:
        script = re.sub(r"(-jar\s+)\S+", lambda m: m.group(1) + word, start.script, count=1)
        return (*start.argv[: start.script_at], script, *start.argv[start.script_at + 1 :])
    words = _cleaned(start.argv)
    i = words.index("-jar")
    return (*words[: i + 1], word, *words[i + 2 :])


def _cleaned(argv: tuple[str, ...]) -> tuple[str, ...]:
    """Option words without the stray blanks around them (``" -jar"`` -> ``-jar``)."""
    return tuple(w.strip() if w.strip().startswith("-") else w for w in argv)


def _tool_start(inp: PlanInput, facts: JavaFacts, start: Start, steps: list[Package]) -> JavaRuntime:
    """``mvn spring-boot:run`` / ``gradle bootRun`` / ``gradle run``: the builder packages once, the runtime runs that."""
    call = start.tool
    assert call is not None
    line = start.walked.instruction.line
    folder = start.walked.state.workdir
    goal = call.starts_app or ""
    notes: list[Note] = []
    if goal in ("exec:java", "exec:exec"):
        return JavaRuntime(kind="unknown", notes=(Note(f"mvn {goal} runs the build tool at every start; stagify cannot tell which jar and class "
                                                      "path it uses: the runtime copies the build's output folder", line, Level.WARNING),))
    jvm: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    if goal == "spring-boot:run":
        jvm, args, unread = spring_boot_run_args(call)
        if unread:
            notes.append(Note(f"{' '.join(unread)} configured spring-boot:run; the jar is started without them", line, Level.WARNING))
    step = next((s for s in reversed(steps) if s.state.workdir == folder), None)
    build = None
    repackage = False
    if goal == "run" and facts.application:
        name = facts.project_name or posixpath.basename(folder.rstrip("/")) or "app"
        dist = posixpath.join(folder, "build", "install", name)
        if step is None or not any(t.endswith(("installDist", "stage")) for t in step.call.goals):
            build = _build_line(inp, call, "installDist", start.walked.state)
        return JavaRuntime(kind="dist", folders=(dist,), start_line=line, argv=_in_script(start, (f"{dist}/bin/{name}", *call_args(call))), build=build,
                           notes=tuple(notes))
    expected = _expected_jar(facts, folder)
    if step is None:
        task = "package" if call.tool == MAVEN else "bootJar"
        build = _build_line(inp, call, task, start.walked.state, repackage=facts.tool == MAVEN and not facts.boot_plugin)
    elif call.tool == MAVEN and not facts.boot_plugin:
        repackage = True  # the Boot plugin is not in <plugins>: package alone writes a plain jar
    jar = expected or posixpath.join(folder, facts.output_dir, "*.jar")
    copy_step = _copy_step(posixpath.relpath(jar, folder), facts.tool)
    stable = posixpath.join(folder, STABLE_NAME)
    after = step.line if step is not None else None
    stable_step: str | None = copy_step
    if build is not None:
        build = Line(text="\n".join([build.text, STABLE_COMMENT, copy_step]), comments=build.comments)
        stable_step = None
    mode = _layers_mode(facts, True)
    if mode is not None:
        argv = _in_script(start, ("java", *jvm, launcher(facts.boot_version), *args))
        return JavaRuntime(kind="boot", jar=stable, stable_step=stable_step, stable_after=after, layers_mode=mode, start_line=line,
                           argv=argv, build=build, repackage=repackage, notes=tuple(notes))
    runtime_jar = posixpath.join(folder, STABLE_NAME)
    return JavaRuntime(kind="jar", jar=stable, runtime_jar=runtime_jar, stable_step=stable_step, stable_after=after, start_line=line,
                       argv=_in_script(start, ("java", *jvm, "-jar", STABLE_NAME if folder != "/" else runtime_jar, *args)), build=build, repackage=repackage,
                       notes=tuple(notes))


def _in_script(start: Start, argv: tuple[str, ...]) -> tuple[str, ...]:
    """The new command in place of the build tool's, inside the original's ``sh -c`` script.

    The script's other commands (``./wait-for-it.sh db:5432 && mvn spring-boot:run``) still run, as before.
    """
    if start.script is None or start.command is None or start.command not in start.script:
        return argv
    # A word with $ came from the line, where the shell expanded it: double quotes keep that (join would not).
    words = [f'"{w}"' if "$" in w and not re.search(r'["`\\]', w) else shell.join([w]) for w in argv]
    script = start.script.replace(start.command, " ".join(words), 1)
    return (*start.argv[: start.script_at], script, *start.argv[start.script_at + 1 :])


def call_args(call: BuildCall) -> tuple[str, ...]:
    for option in call.options:
        if option.startswith("--args="):
            return tuple(option.split("=", 1)[1].strip("'\"").split())
    return ()


def _build_line(inp: PlanInput, call: BuildCall, task: str, state: State, repackage: bool = False) -> Line:
    program = call.program
    if call.tool == MAVEN:
        goals = "package spring-boot:repackage" if repackage else "package"
        text = f"{program} -B {goals} -DskipTests"
        mounts = maven_mounts(inp, state)
    else:
        text, _ = package_text(parse_call((program, task)) or call, f"{program} {task}")
        mounts = gradle_mounts(inp, state, call.wrapper)
    return Line(
        text=with_mounts("RUN " + text, (), mounts, inp.dockerfile.escape),
        comments=(f"# Packaged once here instead of by `{' '.join(call.argv[:2])}` at every start",),
    )


def maven_mounts(inp: PlanInput, state: State) -> tuple[Mount, ...]:
    if not is_root(state.user):
        return ()
    return (Mount("/root/.m2/repository"),)


def gradle_mounts(inp: PlanInput, state: State, wrapper: bool) -> tuple[Mount, ...]:
    if not is_root(state.user):
        return ()
    home = state.env_map().get("GRADLE_USER_HOME")
    if not home:
        home = "/home/gradle/.gradle" if inp.image is not None and inp.image.path == "gradle" else "/root/.gradle"
    mounts = [Mount(f"{home}/caches")]
    if wrapper:
        mounts.append(Mount(f"{home}/wrapper"))
    return tuple(mounts)


def _class_start(inp: PlanInput, facts: JavaFacts, start: Start) -> JavaRuntime:
    """``java [-cp path] Main``: the compiled classes, with the folder they sit in."""
    java = start.java
    assert java is not None
    state = start.walked.state
    folders: list[str] = []
    for entry in (java.classpath or ".").split(":"):
        entry = entry.rstrip("*").rstrip("/") or "."
        if entry.startswith("$"):
            continue
        folders.append(state.resolve(entry))
    for call in javac_calls(inp):
        written = call.call.option_value("-d")
        if written:
            folders.append(call.state.resolve(written))
    notes = []
    if "/" in folders:
        notes.append(Note("the classes sit in the root folder: the runtime copies the *.class files from there", start.walked.instruction.line,
                          Level.WARNING))
    return JavaRuntime(kind="classes", folders=tuple(dict.fromkeys(folders)), notes=tuple(notes))


def _program_start(inp: PlanInput, facts: JavaFacts, start: Start, steps: list[Package]) -> JavaRuntime:
    """A start script: an installDist folder copied whole, or a script of the user's that runs java."""
    program = start.argv[0]
    state = start.walked.state
    target = state.resolve(program)
    m = re.match(r"^(.*/build/install/[^/]+)/bin/[^/]+$", target) or re.match(r"^(.*/target/[^/]+)/bin/[^/]+$", target)
    if m:
        return JavaRuntime(kind="dist", folders=(m.group(1),))
    rel = origin_of(list(inp.copies), target, inp.context)
    text = inp.context.read_text(rel) if rel else None
    if text:
        found = re.search(r"-jar\s+[\"']?([^\s\"']+)", text)
        if found and "$" not in found.group(1):
            jar = state.resolve(found.group(1))
            return JavaRuntime(kind="jar", jar=jar, runtime_jar=jar,
                               notes=(Note(f"{rel} runs java -jar {found.group(1)}: the runtime has that jar at the same path", None),))
    if steps:
        output = posixpath.join(steps[-1].state.workdir, facts.output_dir or "target")
        return JavaRuntime(kind="unknown", folders=(output,), notes=(
            Note(f"the start command runs {program}; stagify cannot see which jar it starts, so the runtime copies the build output "
                 f"{output} at the same path", start.walked.instruction.line, Level.WARNING),))
    return JavaRuntime(kind="unknown")


def _no_start(inp: PlanInput, facts: JavaFacts, steps: list[Package], final_dir: str) -> JavaRuntime:
    """No CMD or ENTRYPOINT: the jar the build writes, started with java."""
    if not steps:
        return JavaRuntime(kind="unknown")
    step = steps[-1]
    expected = _expected_jar(facts, step.state.workdir)
    jar = expected or posixpath.join(step.state.workdir, facts.output_dir, "*.jar")
    stable, stable_step = _stable(facts, step, jar)
    mode = _layers_mode(facts, facts.boot_plugin)
    if mode is not None:
        return JavaRuntime(kind="boot", jar=stable, stable_step=stable_step, stable_after=step.line, layers_mode=mode,
                           argv=("java", launcher(facts.boot_version)))
    runtime_jar = posixpath.join(final_dir, STABLE_NAME)
    return JavaRuntime(kind="jar", jar=stable, runtime_jar=runtime_jar, stable_step=stable_step, stable_after=step.line,
                       argv=("java", "-jar", STABLE_NAME if final_dir != "/" else runtime_jar))
