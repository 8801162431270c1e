"""The transformer: every instruction of a single-stage Dockerfile placed in builder, runtime, both, or dropped.

The builder is the original stage, nearly as written, so the build behaves as it
did; the runtime receives only what running the application needs. Language
modules answer the language questions (see ``stagify.languages.base``); this
module owns the rules that hold for every language: ENV, ARG, LABEL, EXPOSE,
HEALTHCHECK, USER, WORKDIR, start commands, system packages and copies.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..context.buildcontext import BuildContext
from ..dockerfile import lintfix, packages, selfcheck, shell
from ..dockerfile.model import Dockerfile, ExpansionError, Instruction, Keyword, arg_pairs, env_pairs, split_words
from ..dockerfile.parse import exec_form, split_flags
from ..dockerfile.pragmas import Forced
from ..dockerfile.secrets import IGNORE_PATTERNS, holds_credentials, is_secret_file
from ..dockerfile.stageplan import (
    STAGE_NAMES,
    BuilderPlan,
    ConversionPlan,
    CopyFrom,
    Decision,
    Level,
    Line,
    Note,
    PackageSet,
    Placement,
    RuntimePlan,
    UserSpec,
)
from ..dockerfile.walk import Env, State, Walked, copy_parts, origin_of, walk
from ..errors import StagifyError
from ..images import catalogue
from ..images.catalogue import BaseImage
from ..images.reference import Family, ImageRef, parse_ref
from ..languages.base import Artifact, Language, Needs, PlanInput, RunRewrite
from ..languages.detection import Detection
from ..options import Options, RuntimeChoice
from . import distro, ledger, ports

_ROOT = ("root", "0", "root:root", "0:0", "root:0", "0:root")
_USER_TOOLS = ("useradd", "adduser", "groupadd", "addgroup")
_SHELLS = ("sh", "bash", "ash", "dash", "zsh")
# Files whose content the app is likely to write at run time (kept owned by the runtime user).
_WRITABLE = re.compile(r"\.(db|sqlite3?|db3)$")
# Programs a distroless or scratch runtime does not have.
_BASIC_TOOLS = ("curl", "wget", "nc", "ps", "jq", "bash", "sh")

# COPY --exclude is generally available from this Dockerfile syntax on (moby/buildkit#6232).
EXCLUDE_SYNTAX = "docker/dockerfile:1.19"

GENERIC_IGNORES = (
    ".git",
    *IGNORE_PATTERNS,
    ".idea",
    ".vscode",
    "*.swp",
    ".DS_Store",
    "Dockerfile*",
    "*.Dockerfile",
    ".dockerignore",
    "docker-compose*.yml",
    "docker-compose*.yaml",
    "compose*.yml",
    "compose*.yaml",
)


@dataclass
class _Acc:
    """Mutable accumulator used while one plan is assembled (never leaves this module)."""

    decisions: dict[int, Decision] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    setup: list[Line] = field(default_factory=list)
    sources: list[Line] = field(default_factory=list)
    r_setup: list[Line] = field(default_factory=list)
    r_root: list[Line] = field(default_factory=list)
    r_config: list[Line] = field(default_factory=list)
    r_sources: list[Line] = field(default_factory=list)
    r_start: list[Line] = field(default_factory=list)

    def decide(self, ins: Instruction, placement: Placement, reason: str) -> None:
        self.decisions[ins.line] = Decision(instruction=ins, placement=placement, reason=reason)

    def note(self, message: str, line: int | None = None, level: Level = Level.INFO) -> None:
        self.notes.append(Note(message=message, line=line, level=level))


# Runtime choices that only one language can take.
RUNTIME_LANGUAGES = {RuntimeChoice.JLINK: "java"}


def carried(ins: Instruction, text: str | None = None) -> Line:
    """An original instruction for the output, with its comments (and its rewrite, when given)."""
    body = text if text is not None else lintfix.keyword_upper(ins.raw)
    if ins.heredocs:
        body += "\n"  # hadolint cannot parse an instruction right after a heredoc's closing line
    return Line(text=body, comments=(*ins.comments, *lintfix.not_secret_comments(ins)))


def is_root(user: str | None) -> bool:
    return user is None or user.strip() in _ROOT


def build_plan(
    dockerfile: Dockerfile,
    detection: Detection,
    context: BuildContext,
    options: Options,
    lang: Language,
    forced: Mapping[int, Forced] | None = None,
) -> ConversionPlan:
    stage = dockerfile.stages[0]
    try:
        image: ImageRef | None = parse_ref(stage.image.resolved)
    except ValueError:
        image = None
    walked = tuple(walk(stage, lang.base_defaults(image), context))
    if image is not None and image.path not in _LANGUAGE_IMAGES and distro.language_line(walked) is not None:
        plan = distro.build_plan(dockerfile, image, walked, _called(walked))
        return replace(plan, dockerignore=tuple(dict.fromkeys([*GENERIC_IGNORES, *options.dockerignore])),
                       copied_sources=protected_sources(plan.builder))
    copies = tuple(w.copy for w in walked if w.copy is not None)
    inp = PlanInput(
        dockerfile=dockerfile,
        stage=stage,
        image=image,
        detection=detection,
        context=context,
        options=options,
        walked=walked,
        copies=copies,
        first_source=first_source_index(walked, lang),
        forced=tuple(sorted((forced or {}).items())),
    )
    try:
        return _Planner(inp, lang).run()
    except _ShellNeeded as needed:
        # The start command, a HEALTHCHECK or a start script needs /bin/sh: a runtime without one
        # would fail where the original ran, so the language's own choice (which has a shell) wins.
        notes = tuple(
            Note(f"--runtime {needed.choice} has no shell, but {why.message}: the runtime is the language's usual one, "
                 "which has a shell", why.line, Level.WARNING)
            for why in needed.why
        )
        plain = replace(inp, options=replace(options, runtime=None))
        return _Planner(plain, lang, notes).run()


def uses_stage(text: str, alias: str) -> bool:
    """Whether a rendered Dockerfile takes anything from the stage ``alias`` (``--from=``, ``FROM alias``)."""
    name = re.escape(alias)
    return re.search(rf"(--from={name}(?![\w.-])|^FROM\s+(--\S+\s+)*{name}(?![\w.:/-])|from={name}(?![\w.-]))", text, re.M | re.I) is not None


def without_builder(plan: ConversionPlan, path: str) -> ConversionPlan:
    """The plan with its build stage left out, because no later stage takes anything from it.

    BuildKit skips such a stage, so writing it would only suggest that its steps matter: a Node
    server's runtime gets its dependencies from the deps stage and its sources from the build
    context, as the original did. The lines that only the build stage held are dropped, with why.
    """
    if plan.builder.build_steps:
        # Fail closed: the original's image had what that step made; the runtime would not.
        line = plan.builder.build_steps[0]
        raise StagifyError(path, line, "this RUN makes something in the image, but the runtime takes nothing from the build "
                           "stage (it copies its files from the build context), so the result would lack it: not converted")
    why = ("no stage takes anything from the build stage (the runtime gets what it needs from the other stages and "
           "the build context), so it is not written: BuildKit would skip it")
    moved = {Placement.BUILDER: Placement.DROPPED, Placement.BOTH: Placement.RUNTIME}
    decisions = tuple(
        d if d.placement not in moved
        else Decision(instruction=d.instruction, placement=moved[d.placement], reason=f"{d.reason}; {why}")
        for d in plan.decisions
    )
    return replace(plan, builder=replace(plan.builder, emitted=False), decisions=decisions,
                   notes=(*plan.notes, Note(f"the original's stage is not kept as a build stage: {why}")))


class _ShellNeeded(Exception):
    """The forced runtime has no shell, but the original's run-time commands need one."""

    def __init__(self, choice: str, why: tuple[Note, ...]) -> None:
        super().__init__(choice)
        self.choice = choice
        self.why = why


# Images that bring a language themselves: a language package installed on top of them is an extra, not the language.
_LANGUAGE_IMAGES = ("node", "oven/bun", "python", "pypy", "golang", "eclipse-temurin", "openjdk", "amazoncorretto", "maven",
                    "gradle", "ibm-semeru-runtimes", "sapmachine", "azul/zulu-openjdk", "bellsoft/liberica-openjdk-debian")


def _called(walked: tuple[Walked, ...]) -> set[str]:
    """The programs the start command and HEALTHCHECK run (a package they call stays in the runtime)."""
    called: set[str] = set()
    for w in walked:
        ins = w.instruction
        if ins.keyword in (Keyword.CMD, Keyword.ENTRYPOINT, Keyword.HEALTHCHECK):
            words = list(ins.exec_form) if ins.exec_form is not None else ins.args.split()
            called.update(word.rsplit("/", 1)[-1] for word in words if word and not word.startswith("-"))
    return called


def first_source_index(walked: tuple[Walked, ...], lang: Language) -> int | None:
    """The first COPY/ADD from the build context that brings more than dependency manifests."""
    for index, w in enumerate(walked):
        ins = w.instruction
        is_context_copy = ins.keyword in (Keyword.COPY, Keyword.ADD) and ins.flag("from") is None
        if is_context_copy and (w.copy is None or not lang.is_manifest_copy(w.copy)):
            return index
    return None


@contextmanager
def _at(ins: Instruction) -> Iterator[None]:
    """An ExpansionError raised while one instruction is handled carries that instruction's line."""
    try:
        yield
    except ExpansionError as exc:
        if exc.line is not None:
            raise
        raise ExpansionError(exc.message, ins.line) from None


@lru_cache(maxsize=4)
def _referenced(text: str) -> frozenset[str]:
    """The variable names ``$NAME`` and ``${NAME...}`` in ``text``: found once, not once per ARG (linear, not quadratic)."""
    return frozenset(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text))


class _Planner:
    def __init__(self, inp: PlanInput, lang: Language, shell_notes: tuple[Note, ...] = ()) -> None:
        self.shell_notes = shell_notes
        self.inp = inp
        self.lang = lang
        self.acc = _Acc()
        self.path = inp.dockerfile.path
        self.walked = inp.walked
        self.final_state = self.walked[-1].state if self.walked else State("/", None, Env.of())
        self.rewrites: dict[int, RunRewrite | None] = {}
        self.artifacts: list[Artifact] = []
        self.called: set[str] = set()
        self.shell_needs: list[Note] = []
        self.unknown_builds = False
        self.build_steps: list[int] = []  # lines of RUN steps that make something (a build, an unknown step)
        self.generated_builds: list[Line] = []  # builder steps a start command rewrite asks for

    # -- the passes ---------------------------------------------------------------------------

    def run(self) -> ConversionPlan:
        inp, acc = self.inp, self.acc
        self._rewrite_runs()
        acc.notes.extend(self.lang.plan_notes(inp))
        only = RUNTIME_LANGUAGES.get(inp.options.runtime) if inp.options.runtime is not None else None
        if only is not None and self.lang.name != only:
            acc.note(f"--runtime {inp.options.runtime.value if inp.options.runtime else ''} is for {only} applications only: "
                     f"this {self.lang.display} application gets the runtime stagify picks", None, Level.WARNING)
        start = self._start_commands()
        if start is None:
            start = self._default_start()
        needs = self._needs()
        runtime, runtime_reason = self.lang.runtime_image(inp, needs)
        if inp.options.runtime is not None and not runtime.shell and needs.shell:
            raise _ShellNeeded(inp.options.runtime.value, needs.shell)
        acc.notes.extend(self.shell_notes)
        builder, builder_reason = self.lang.builder_image(inp, runtime.family.value)
        user = self._user(runtime)
        deps = None
        first_source = inp.first_source
        if first_source is not None:
            deps = self.lang.dependency_layer(inp, self.walked[first_source].state)
        self._place_all(first_source, runtime, user, start, builder, builder_reason)
        for line in self.generated_builds:
            if line not in acc.sources:
                acc.sources.append(line)
        copies = self._copies(runtime, user, start)
        late = self._ledger(copies, user)
        self._scrub_builder(copies)
        missing = [p for p in needs.packages if not runtime.package_manager and p not in packages.IN_DISTROLESS]
        if missing:
            acc.note(f"the runtime has no package manager; not installed: {', '.join(missing)}", None, Level.WARNING)
        package_set = None
        if needs.packages and runtime.package_manager:
            original = catalogue.release_of(inp.image) if inp.image is not None else None
            names, renamed, unsure = packages.for_release(needs.packages, catalogue.release_of(runtime), original,
                                                          catalogue.release_of(builder))
            acc.notes.extend(Note(why) for why in renamed)
            acc.notes.extend(Note(why, None, Level.WARNING) for why in unsure)
            package_set = PackageSet(manager=runtime.package_manager, packages=names)
        stage = inp.stage
        ports = [w.instruction for w in self.walked if w.instruction.keyword is Keyword.EXPOSE]
        self._port_notes(ports, user, start, runtime, builder)
        workdir = self.lang.runtime_workdir(inp, self.final_state.workdir if self.final_state.workdir != "/" else None)
        if workdir is None and any(_relative_copy(line.text) for line in acc.r_sources):
            workdir = self.final_state.workdir  # the base image's folder, stated for the relative COPY lines (DL3045)
        runtime_plan = RuntimePlan(
            image=runtime.reference,
            alias="runtime",
            platform=stage.platform,
            comments=(f"# Runtime: {runtime_reason}",),
            setup=tuple(acc.r_setup),
            packages=package_set,
            user=user,
            root_steps=tuple(acc.r_root),
            workdir=workdir,
            copies=tuple(copies),
            sources=tuple(acc.r_sources),
            config=tuple(acc.r_config),
            start=tuple(acc.r_start),
            late_copies=tuple(late),
        )
        # The user's --platform holds for both stages; otherwise a cross-compiling builder runs on the
        # build platform (no emulation), and the runtime stays on the target platform.
        cross = None if stage.platform is not None else self.lang.build_platform(inp)
        builder_plan = BuilderPlan(
            image=builder.reference,
            alias=stage.alias if stage.alias and stage.alias.lower() not in STAGE_NAMES else "builder",
            platform=cross[0] if cross else stage.platform,
            comments=(*stage.from_.comments, f"# Build stage: {builder_reason}" + (f"; {cross[1]}" if cross else "")),
            setup=tuple(acc.setup),
            sources=tuple(acc.sources),
            build_steps=tuple(self.build_steps),
        )
        not_worth = self.lang.not_worth_converting(inp, runtime)
        inputs = self._secret_build_inputs()
        protected = tuple(dict.fromkeys([*self._protected_sources(builder_plan), *inputs]))
        runtime_plan = self._exclude_protected_secrets(runtime_plan, protected)
        directives = tuple(d.raw for d in inp.dockerfile.directives)
        if any("--exclude=" in line.text for line in runtime_plan.sources) and not any(d.name == "syntax" for d in inp.dockerfile.directives):
            directives = (f"# syntax={EXCLUDE_SYNTAX}", *directives)
        ignores = tuple(dict.fromkeys([*GENERIC_IGNORES, *self._credential_files(), *self.lang.dockerignore(inp),
                                       *inp.options.dockerignore]))
        ordered = tuple(acc.decisions[i.line] for i in inp.dockerfile.instructions if i.line in acc.decisions)
        left_behind: tuple[tuple[str, str], ...] = ()
        app = self.final_state.workdir
        under = [c for c in (*copies, *late) if c.dest == app or c.dest.startswith(app.rstrip("/") + "/")]
        if app != "/" and not under and not acc.r_sources and any(c.source.startswith(app.rstrip("/") + "/") for c in copies):
            # The runtime takes only what the build made from this folder (a front end's build output, served by nginx).
            left_behind = ((app, "the application's sources and tooling: the runtime takes only what the build made from them"),)
        left_behind = (*left_behind, *self.lang.left_behind(inp))
        return ConversionPlan(
            language=self.lang.name,
            template=self.lang.template,
            directives=directives,
            global_args=tuple(carried(i) for i in inp.dockerfile.global_args),
            builder=builder_plan,
            runtime=runtime_plan,
            extra=self.lang.template_data(inp, runtime, deps),
            decisions=ordered,
            notes=tuple(acc.notes),
            dockerignore=ignores,
            copied_sources=protected,
            trailing_comments=inp.dockerfile.trailing_comments,
            not_worth=not_worth,
            left_behind=left_behind,
            escape=inp.dockerfile.escape,
        )

    def _rewrite_runs(self) -> None:
        for w in self.walked:
            if w.instruction.keyword is not Keyword.RUN:
                continue
            with _at(w.instruction):
                rewrite = self.lang.rewrite_run(self.inp, w)
            self.rewrites[w.instruction.line] = rewrite
            if rewrite is not None:
                self.artifacts.extend(rewrite.artifacts)
                self.acc.notes.extend(rewrite.notes)
                if rewrite.builds and not rewrite.drop:
                    self.build_steps.append(w.instruction.line)
            elif not self._is_package_install(w) and not self._is_user_setup(w) and not self._is_inert(w):
                self.unknown_builds = True
                self.build_steps.append(w.instruction.line)
            elif self._is_inert(w) and self._writes_files(w):
                self.build_steps.append(w.instruction.line)  # no build, but the image has what it wrote

    # -- start command -----------------------------------------------------------------------

    def _start_commands(self) -> tuple[str, ...] | None:
        """Decide CMD/ENTRYPOINT; return the argv the runtime starts (entrypoint + cmd)."""
        acc = self.acc
        cmds = [w for w in self.walked if w.instruction.keyword is Keyword.CMD]
        entries = [w for w in self.walked if w.instruction.keyword is Keyword.ENTRYPOINT]
        for earlier in cmds[:-1] + entries[:-1]:
            later = cmds[-1] if earlier.instruction.keyword is Keyword.CMD else entries[-1]
            acc.decide(
                earlier.instruction,
                Placement.DROPPED,
                f"overridden by the {later.instruction.keyword.value} on line {later.instruction.line}",
            )
        entry = entries[-1] if entries else None
        cmd = cmds[-1] if cmds else None
        entry_argv = self._start_argv(entry) if entry else None
        if entry is not None and cmd is not None and entry.instruction.exec_form is None:
            acc.decide(cmd.instruction, Placement.DROPPED, "a shell-form ENTRYPOINT ignores CMD; so did the original")
            cmd = None
        cmd_argv = self._start_argv(cmd) if cmd else None
        argv: tuple[str, ...] | None = None
        if entry_argv is not None:
            argv = entry_argv + (cmd_argv or ())
        elif cmd_argv is not None:
            argv = cmd_argv
        if entry is None and cmd is None:
            return None
        return argv

    def _default_start(self) -> tuple[str, ...] | None:
        """No CMD or ENTRYPOINT: what the language would start, else the one binary the build produced."""
        chosen = self.lang.default_start(self.inp)
        if chosen is not None:
            argv, why = chosen
            self.acc.note(f"the original has no CMD or ENTRYPOINT; the runtime {why}")
            self.acc.r_start.append(Line(text=lintfix.render_exec("CMD", argv), comments=("# The original set no start command",)))
            return argv
        built = list(dict.fromkeys(a.path for a in self.artifacts))
        if len(built) != 1:
            if not built:
                self.acc.note("the original has no CMD or ENTRYPOINT and no built program was found to start", None, Level.WARNING)
            return None
        argv = (built[0],)
        self.acc.note(f"the original has no CMD or ENTRYPOINT; the runtime starts the built binary {built[0]}")
        self.acc.r_start.append(Line(text=lintfix.render_exec("CMD", argv), comments=("# The original set no start command: run the binary it built",)))
        return argv

    def _start_argv(self, w: Walked) -> tuple[str, ...]:
        """The argv of one CMD/ENTRYPOINT after rewrites, recording its decision and runtime line."""
        ins = w.instruction
        keyword = ins.keyword.value
        reasons: list[str] = []
        argv, how = lintfix.start_argv(ins, self.inp.stage.instructions)
        if ins.exec_form is None:
            reasons.append(how)
            if lintfix.quoted_json(ins.args) is not None:
                self.acc.note(
                    f"{keyword} is a JSON array inside quotes: the original's /bin/sh ran the whole array as one command "
                    "name and the container could not start; the runtime runs it in exec form as intended",
                    ins.line,
                    Level.WARNING,
                )
            elif lintfix.single_quoted_json(ins.args) is not None:
                self.acc.note(
                    f"{keyword} uses single quotes, which is not JSON: the original ran it through /bin/sh "
                    "and failed; the runtime runs it in exec form as intended",
                    ins.line,
                    Level.WARNING,
                )
        rewrite = self.lang.rewrite_start(self.inp, argv, w.state, tuple(self.artifacts))
        if rewrite is not None and rewrite.drop:
            if rewrite.build is not None:
                self.generated_builds.append(rewrite.build)
            self.acc.note(rewrite.reason, ins.line)
            self.acc.decide(ins, Placement.DROPPED, rewrite.reason)
            return ()
        if rewrite is not None and selfcheck.stray_operator(rewrite.argv) and not selfcheck.stray_operator(argv):
            # A rewrite must not turn a shell line into words with "&&" in them: keep the command as it ran.
            self.acc.note(
                f"{keyword} is kept as written: {rewrite.reason}, but that rewrite would pass "
                f"{selfcheck.stray_operator(rewrite.argv)!r} to a program instead of a shell",
                ins.line,
                Level.WARNING,
            )
            rewrite = None
        if rewrite is not None:
            argv = rewrite.argv
            reasons.append(rewrite.reason)
            if rewrite.build is not None:
                self.generated_builds.append(rewrite.build)
            if rewrite.artifact is not None:
                self.artifacts.append(rewrite.artifact)
            self.acc.note(rewrite.reason, ins.line)
        if argv and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", argv[0]):
            self.acc.note(
                f"{keyword} starts {argv[0]!r}, which is not a program: exec form does not read VAR=value "
                f"(the original fails to start too); perhaps ENV {argv[0]} was meant",
                ins.line,
                Level.WARNING,
            )
        stray = selfcheck.stray_operator(argv) if ins.exec_form is not None else None
        if stray is not None:
            self.acc.note(
                f"{keyword} is in exec form, so {stray!r} reaches {argv[0]} as an argument and no shell reads it "
                "(the original does the same); write it in shell form if a shell should run it",
                ins.line,
                Level.WARNING,
            )
        if ins.exec_form is not None and any(re.search(r"\$\{?[A-Za-z_]", a) for a in argv):
            self.acc.note(
                f"{keyword} is in exec form, so no shell expands the $ variables in it (the original did not either); "
                "write it as shell form or wrap it in sh -c if they should be expanded",
                ins.line,
                Level.WARNING,
            )
        argv = self._point_at_artifact(ins, argv, w.state, reasons)
        self._record_calls(ins, argv)
        text = lintfix.render_exec(keyword, argv)
        reason = "; ".join(["the container's start command", *reasons])
        self.acc.decide(ins, Placement.RUNTIME, reason)
        self.acc.r_start.append(Line(text=text, comments=ins.comments))
        return argv

    def _point_at_artifact(self, ins: Instruction, argv: tuple[str, ...], state: State, reasons: list[str]) -> tuple[str, ...]:
        """A start command naming a path the build does not produce is pointed at the built binary."""
        if not argv or argv[0] in _SHELLS or "/" not in argv[0] or argv[0].startswith("/bin/"):
            return argv
        target = state.resolve(argv[0])
        built = [a.path for a in self.artifacts]
        if not built or target in built or self.unknown_builds:
            return argv
        if origin_of(list(self.inp.copies), target, self.inp.context) is not None:
            return argv  # a program or script the original copied from the build context
        if len(set(built)) == 1:
            self.acc.note(
                f"{ins.keyword.value} runs {target}, which the build does not produce "
                f"(it writes {built[0]}); the runtime starts {built[0]}",
                ins.line,
                Level.WARNING,
            )
            reasons.append(f"pointed at the built binary {built[0]}")
            return (built[0], *argv[1:])
        return argv

    def _record_calls(self, ins: Instruction, argv: tuple[str, ...]) -> None:
        if not argv:
            return
        program = argv[0].rsplit("/", 1)[-1]
        if program in _SHELLS:
            self.shell_needs.append(Note(f"{ins.keyword.value} runs a shell command", ins.line))
            self.called.add(program)  # bash installed by the original stays installed in the runtime
            at = selfcheck.script_index(argv)
            script = argv[at] if at is not None and at < len(argv) else ""
            for command in shell.commands(script):
                self.called.add(command.program)
        else:
            self.called.add(program)

    # -- what the runtime needs ----------------------------------------------------------------

    def _needs(self) -> Needs:
        for w in self.walked:
            ins = w.instruction
            if ins.keyword is Keyword.HEALTHCHECK:
                self._healthcheck_calls(ins)
        scripts = self._start_scripts()
        if scripts:
            self.shell_needs.append(Note(f"the start command runs the script {scripts[0]}", None))
        wanted: list[str] = []
        manager = None
        for w in self.walked:
            for install in packages.installs(list(w.commands)):
                keep, _ = packages.runtime_packages(install, self.called, self.lang.links_libraries(self.inp))
                manager = manager or install.manager
                wanted.extend(p for p in keep if p not in wanted)
        shell_needed = tuple(self.shell_needs)
        return Needs(shell=shell_needed, packages=tuple(wanted), manager=manager)

    def _healthcheck_calls(self, ins: Instruction) -> None:
        words = ins.args.split(None, 1)
        if not words or words[0].upper() == "NONE":
            return
        rest = words[1] if len(words) > 1 else ""
        form = _exec_list(rest)
        if form is not None:
            if form and form[0] == "CMD-SHELL":
                self.shell_needs.append(Note("HEALTHCHECK runs a shell command", ins.line))
                for command in shell.commands(" ".join(form[1:])):
                    self.called.add(command.program)
            elif form:
                start = form[1:] if form[0] == "CMD" else form
                if start:
                    self.called.add(start[0].rsplit("/", 1)[-1])
            return
        self.shell_needs.append(Note("HEALTHCHECK runs a shell command", ins.line))
        custom = lintfix.shell_in_effect(self.inp.stage.instructions, ins.line)
        if custom:
            self.called.add(custom[0].rsplit("/", 1)[-1])
        for command in shell.commands(rest):
            self.called.add(command.program)

    def _start_scripts(self) -> list[str]:
        """Scripts from the build context that the start command runs (they need a shell)."""
        found = []
        for line in self.acc.r_start:
            argv = _exec_list(line.text.split(None, 1)[1])
            if not argv:
                continue
            exe = argv[0]
            if exe.endswith(".sh") or exe.endswith(".bash"):
                found.append(exe)
        return found

    # -- the runtime user ------------------------------------------------------------------------

    def _user(self, runtime: BaseImage) -> UserSpec:
        """The runtime's non-root user: the original's when the runtime can have it, else the image's own."""
        options = self.inp.options
        if options.user is not None or options.uid is not None:
            return self._configured_user(runtime, options.user, options.uid)
        users = [w.instruction for w in self.walked if w.instruction.keyword is Keyword.USER]
        original = users[-1].args.strip() if users else None
        if original and not is_root(original) and (re.fullmatch(r"\d+(:\d+)?", original) or runtime.shell):
            return UserSpec(name=original.split(":")[0], uid=0, instruction=original, create=None)
        if runtime.user_spec:
            return UserSpec(name=runtime.user or "", uid=runtime.uid or 0, instruction=runtime.user_spec, create=None)
        if not runtime.shell:
            uid = catalogue.NONROOT_UID
            return UserSpec(name="nonroot", uid=uid, instruction=f"{uid}:{uid}", create=None)
        family = "alpine" if runtime.family is Family.ALPINE else "debian"
        return UserSpec(
            name=catalogue.APP_USER,
            uid=catalogue.APP_UID,
            instruction=f"{catalogue.APP_UID}:{catalogue.APP_UID}",
            create=family,
        )

    def _configured_user(self, runtime: BaseImage, name: str | None, uid: int | None) -> UserSpec:
        """The user the settings name: the image's own when it has it, else created (a runtime with a shell)."""
        if runtime.user and name in (None, runtime.user) and uid in (None, runtime.uid) and runtime.user_spec:
            return UserSpec(name=runtime.user, uid=runtime.uid or 0, instruction=runtime.user_spec, create=None)
        if runtime.user and uid is not None and uid == runtime.uid:
            # A second user with the same id cannot be created: the image's own is that id.
            self.acc.note(f"{runtime.reference} already has uid {uid} as {runtime.user}: the runtime runs as {runtime.user}")
            return UserSpec(name=runtime.user, uid=uid, instruction=f"{uid}:{uid}", create=None)
        if not runtime.shell:
            number = uid or catalogue.NONROOT_UID
            if name is not None and name != "nonroot":
                self.acc.note(f"{runtime.reference} has no shell to create the user {name}: the runtime runs as {number}:{number}")
            return UserSpec(name=name or "nonroot", uid=number, instruction=f"{number}:{number}", create=None)
        number = uid or catalogue.APP_UID
        family = "alpine" if runtime.family is Family.ALPINE else "debian"
        return UserSpec(name=name or catalogue.APP_USER, uid=number, instruction=f"{number}:{number}", create=family)

    # -- placing every instruction ----------------------------------------------------------------

    def _place_all(
        self,
        first_source: int | None,
        runtime: BaseImage,
        user: UserSpec,
        start: tuple[str, ...] | None,
        builder: BaseImage,
        builder_reason: str,
    ) -> None:
        acc = self.acc
        inp = self.inp
        stage = inp.stage
        for ins in inp.dockerfile.global_args:
            acc.decide(ins, Placement.BOTH, "global ARG before the first FROM: usable in every FROM")
        from_reason = f"the build stage, now on {builder.reference} ({builder_reason})"
        acc.decide(stage.from_, Placement.BUILDER, from_reason)
        # Everything the runtime receives that could read an ARG: decides where each ARG goes.
        runtime_text = " ".join(self._runtime_reads(w.instruction) for w in self.walked) + " ".join(
            line.text for line in acc.r_start
        )
        last_workdir = max((i for i, w in enumerate(self.walked) if w.instruction.keyword is Keyword.WORKDIR), default=-1)
        last_run = max((i for i, w in enumerate(self.walked) if w.instruction.keyword in (Keyword.RUN, Keyword.COPY, Keyword.ADD)), default=-1)
        implicit = self._implicit_workdir()
        if implicit is not None:
            acc.setup.append(
                Line(
                    text=f"WORKDIR {implicit}",
                    comments=("# The base image's working folder, stated so relative COPY destinations are explicit",),
                )
            )
        forced = dict(inp.forced)
        for index, w in enumerate(self.walked):
            ins = w.instruction
            target = acc.setup if first_source is None or index < first_source else acc.sources
            if ins.line in acc.decisions:
                continue  # CMD/ENTRYPOINT already placed
            pragma = forced.get(ins.line)
            before = self._sizes() if pragma else None
            with _at(ins):
                self._place(w, index, target, first_source, runtime, user, runtime_text, last_workdir, last_run)
            if pragma is not None and before is not None:
                self._force(w, pragma, before, target, runtime)

    def _place(
        self,
        w: Walked,
        index: int,
        target: list[Line],
        first_source: int | None,
        runtime: BaseImage,
        user: UserSpec,
        runtime_text: str,
        last_workdir: int,
        last_run: int,
    ) -> None:
        """One instruction's placement by stagify's own rules."""
        acc = self.acc
        ins = w.instruction
        kw = ins.keyword
        if kw is Keyword.ARG:
            names = [name for name, _ in arg_pairs(ins.args)]
            target.append(carried(ins))
            if any(n in _referenced(runtime_text) for n in names):
                acc.r_setup.append(carried(ins))
                acc.decide(ins, Placement.BOTH, "build argument the build and the runtime instructions read")
            else:
                acc.decide(ins, Placement.BUILDER, "build argument: only the build reads it")
        elif kw is Keyword.ENV:
            self._place_env(ins, target)
        elif kw in (Keyword.LABEL, Keyword.MAINTAINER):
            text = lintfix.maintainer_to_label(ins) if kw is Keyword.MAINTAINER else None
            acc.r_setup.append(carried(ins, text))
            reason = "image metadata belongs to the image people run"
            if text:
                reason += "; MAINTAINER (deprecated) written as a LABEL"
            acc.decide(ins, Placement.RUNTIME, reason)
        elif kw in (Keyword.EXPOSE, Keyword.VOLUME, Keyword.STOPSIGNAL, Keyword.HEALTHCHECK, Keyword.ONBUILD):
            text = lintfix.healthcheck_exec(ins, self.inp.stage.instructions)
            acc.r_config.append(carried(ins, text))
            reason = _CONFIG_REASONS[kw]
            if text:
                reason += "; written in exec form (through /bin/sh where it needs a shell)"
            acc.decide(ins, Placement.RUNTIME, reason)
        elif kw is Keyword.SHELL:
            target.append(carried(ins))
            acc.decide(ins, Placement.BUILDER, "sets the shell of the build's RUN lines")
        elif kw is Keyword.WORKDIR:
            absolute = lintfix.absolute_workdir(ins, w.state.workdir)
            target.append(carried(ins, absolute))
            extra = "; the relative folder written as the absolute one it names" if absolute else ""
            if index == last_workdir:
                acc.decide(ins, Placement.BOTH, "the build works here and the application runs from here" + extra)
            else:
                acc.decide(ins, Placement.BUILDER, f"a build folder; the runtime works in {self.final_state.workdir}" + extra)
        elif kw is Keyword.USER:
            self._place_user(ins, index, last_run, target, user)
        elif kw in (Keyword.COPY, Keyword.ADD):
            self._place_copy(w, target)
        elif kw is Keyword.RUN:
            self._place_run(w, index, first_source, runtime, user)
        elif kw is Keyword.FROM:  # pragma: no cover - single stage only
            return

    def _sizes(self) -> tuple[int, int, tuple[int, ...]]:
        acc = self.acc
        return len(acc.setup), len(acc.sources), tuple(len(x) for x in self._runtime_lists())

    def _runtime_lists(self) -> tuple[list[Line], ...]:
        acc = self.acc
        return acc.r_setup, acc.r_root, acc.r_config, acc.r_sources

    def _force(self, w: Walked, pragma: Forced, before: tuple[int, int, tuple[int, ...]], target: list[Line],
               runtime: BaseImage) -> None:
        """A pragma's placement over stagify's own: lines taken out of or added to the runtime stage."""
        ins = w.instruction
        acc = self.acc
        own = acc.decisions.get(ins.line)
        was = f"; stagify would have placed it in {own.placement.value}: {own.reason}" if own else ""
        in_builder = len(acc.setup) > before[0] or len(acc.sources) > before[1]
        in_runtime = any(len(x) > n for x, n in zip(self._runtime_lists(), before[2], strict=True))
        if pragma.where == "builder":
            for lines, n in zip(self._runtime_lists(), before[2], strict=True):
                del lines[n:]
            if not in_builder:
                target.append(carried(ins))
            acc.decide(ins, Placement.BUILDER, pragma.reason + was)
            return
        if in_runtime:
            acc.decide(ins, own.placement if own else Placement.RUNTIME, pragma.reason)
            return
        kw = ins.keyword
        if kw is Keyword.RUN:
            if not runtime.shell:
                raise StagifyError(self.inp.dockerfile.path, pragma.line,
                                   f"`# stagify: runtime` above RUN: the runtime {runtime.reference} has no shell to run it "
                                   "(choose a runtime with one: --runtime debian)")
            acc.r_root.append(carried(ins, lintfix.fix_run_text(lintfix.keyword_upper(ins.raw))))
        elif kw in (Keyword.COPY, Keyword.ADD):
            acc.r_sources.append(carried(ins, lintfix.add_to_copy(ins)))
        else:
            acc.r_setup.append(carried(ins))
        acc.decide(ins, Placement.BOTH if in_builder else Placement.RUNTIME, pragma.reason + was)

    def _runtime_reads(self, ins: Instruction) -> str:
        """The text of an instruction the runtime receives (ENV: its run-time variables only)."""
        if ins.keyword is Keyword.ENV:
            return " ".join(v for n, v in env_pairs(ins.args) if not self.lang.is_build_env(self.inp, n))
        return ins.args if ins.keyword in _RUNTIME_KINDS else ""

    def _implicit_workdir(self) -> str | None:
        """The base image's WORKDIR when a COPY/ADD to a relative folder comes before any WORKDIR."""
        for w in self.walked:
            ins = w.instruction
            if ins.keyword is Keyword.WORKDIR:
                return None
            if ins.keyword in (Keyword.COPY, Keyword.ADD):
                parts = copy_parts(ins)
                if parts and not parts[1].startswith(("/", "$")):
                    return w.state.workdir
        return None

    def _place_env(self, ins: Instruction, target: list[Line]) -> None:
        pairs = env_pairs(ins.args)
        runtime_pairs = [(n, v) for n, v in pairs if not self.lang.is_build_env(self.inp, n)]
        build_only = [n for n, _ in pairs if self.lang.is_build_env(self.inp, n)]
        target.append(carried(ins))
        if not runtime_pairs:
            self.acc.decide(ins, Placement.BUILDER, f"only the build reads {', '.join(build_only)}")
            return
        if build_only:
            words = [w for w in split_words(ins.args) if w.partition("=")[0] not in build_only]
            text = "ENV " + " ".join(words)
            reason = f"the build and the application read it; {', '.join(build_only)} stay in the builder only"
        else:
            text = None
            reason = "the build may read it and the application reads its environment"
        self.acc.r_setup.append(carried(ins, text))
        self.acc.decide(ins, Placement.BOTH, reason)

    def _place_user(self, ins: Instruction, index: int, last_run: int, target: list[Line], user: UserSpec) -> None:
        value = ins.args.strip()
        in_builder = index < last_run
        if in_builder:
            target.append(carried(ins))
        if user.instruction == value:
            placement = Placement.BOTH if in_builder else Placement.RUNTIME
            self.acc.decide(ins, placement, "the application runs as this non-root user")
            return
        if is_root(value):
            why = f"root is not kept at run time; the runtime runs as {user.instruction}"
        else:
            why = f"the runtime image has no user {value!r}; it runs as its non-root user {user.instruction}"
            self.acc.note(f"USER {value} becomes USER {user.instruction} in the runtime", ins.line)
        self.acc.decide(ins, Placement.BUILDER if in_builder else Placement.DROPPED, why)

    def _place_copy(self, w: Walked, target: list[Line]) -> None:
        ins = w.instruction
        rewrite = self.lang.rewrite_copy(self.inp, w)
        if rewrite is not None:
            self.acc.notes.extend(rewrite.notes)
            if rewrite.drop:
                self.acc.decide(ins, Placement.DROPPED, rewrite.reason)
                return
            (self.acc.sources if rewrite.builds else target).append(carried(ins, rewrite.text))
            self.acc.decide(ins, Placement.BUILDER, rewrite.reason)
            return
        text = lintfix.add_to_copy(ins)
        source = ins.flag("from")
        if source is not None:
            target.append(carried(ins, text))
            self.acc.decide(ins, Placement.BUILDER, f"copies from {source} for the build")
            return
        reason = "the build needs these files from the build context"
        if w.copy is not None and self.lang.is_manifest_copy(w.copy):
            reason = "dependency manifests first, so the dependency layer stays cached"
        if text is not None:
            reason += "; ADD of local files written as COPY"
        target.append(carried(ins, text))
        runtime_reason = self.lang.copy_to_runtime(self.inp, w)
        if runtime_reason and w.copy is not None and w.copy.sources and all(is_secret_file(src) for src in w.copy.sources):
            self.acc.decide(ins, Placement.BUILDER, f"{reason}; it looks like a secret, so the runtime stage does not get it")
            return
        if runtime_reason:
            self.acc.r_sources.append(carried(ins, text))
            self.acc.decide(ins, Placement.BOTH, f"{reason}; {runtime_reason}")
            return
        self.acc.decide(ins, Placement.BUILDER, reason)

    def _place_run(self, w: Walked, index: int, first_source: int | None, runtime: BaseImage, user: UserSpec) -> None:
        ins = w.instruction
        acc = self.acc
        rewrite = self.rewrites.get(ins.line)
        target = acc.setup if first_source is None or index < first_source else acc.sources
        if rewrite is not None:
            if rewrite.drop:
                acc.decide(ins, Placement.DROPPED, rewrite.reason)
                return
            (acc.sources if rewrite.builds else target).append(carried(ins, rewrite.text))
            if rewrite.runtime_text:
                acc.r_root.append(Line(text=rewrite.runtime_text, comments=ins.comments))
                acc.decide(ins, Placement.BOTH, rewrite.reason)
                return
            acc.decide(ins, Placement.BUILDER, rewrite.reason)
            return
        if w.commands and all(not c.argv and c.env for c in w.commands):
            acc.decide(ins, Placement.DROPPED, "no effect: it only sets a variable in a shell that ends with the line")
            return
        mounted = lintfix.pip_cache_mount(ins, w.state.user, self.inp.dockerfile.escape)
        text = lintfix.fix_run_text(mounted or lintfix.keyword_upper(ins.raw))
        target.append(carried(ins, text))
        if self._is_user_setup(w) and user.create is None and runtime.shell and user.instruction != "" and self._creates(w, user.name):
            acc.r_root.append(carried(ins, text))
            acc.decide(ins, Placement.BOTH, f"creates the user {user.name} the application runs as")
            return
        installs = packages.installs(list(w.commands))
        if installs:
            kept = []
            for install in installs:
                keep, _ = packages.runtime_packages(install, self.called, self.lang.links_libraries(self.inp))
                kept.extend(keep)
            provided = [p for p in kept if not runtime.package_manager and p in packages.IN_DISTROLESS]
            installed = [p for p in kept if p not in provided]
            if installed:
                acc.decide(ins, Placement.BOTH, f"build packages stay in the builder; {', '.join(installed)} installed again in the runtime")
            elif provided:
                acc.decide(ins, Placement.BUILDER, f"build packages stay in the builder; the runtime image already has {', '.join(provided)}")
            else:
                acc.decide(ins, Placement.BUILDER, "build-only packages: the runtime does not need them")
            return
        if self._is_user_setup(w):
            acc.decide(ins, Placement.BUILDER, f"the runtime has its own non-root user ({user.instruction})")
            return
        if self._is_inert(w):
            acc.decide(ins, Placement.BUILDER, "no effect on the runtime (it only inspects or prepares build folders)")
            return
        acc.decide(ins, Placement.BUILDER, "a build step: its results reach the runtime through the copied artifacts")

    @staticmethod
    def _creates(w: Walked, name: str) -> bool:
        return any(c.program in ("useradd", "adduser") and name in c.argv for c in w.commands)

    @staticmethod
    def _is_user_setup(w: Walked) -> bool:
        return bool(w.commands) and all(
            c.program in _USER_TOOLS or c.program in ("mkdir", "chown", "chmod") for c in w.commands
        ) and any(c.program in _USER_TOOLS for c in w.commands)

    @staticmethod
    def _is_package_install(w: Walked) -> bool:
        return bool(packages.installs(list(w.commands)))

    @staticmethod
    def _is_inert(w: Walked) -> bool:
        inert = ("ls", "echo", "pwd", "cat", "mkdir", "true", "env", "printenv", "whoami", "id", "find", "tree", "du")
        programs = [c.program for c in w.commands]
        if programs and all(p in inert for p in programs):
            return True
        # ``RUN GOPATH=~/go``: an assignment in a throw-away shell changes nothing.
        return bool(w.commands) and all(not c.argv and c.env for c in w.commands)

    @staticmethod
    def _writes_files(w: Walked) -> bool:
        """``mkdir``, or output redirected into a file: a step whose results are files in the image."""
        return any(c.program == "mkdir" or re.search(r">\s*(?!/dev/)[^\s&>]", c.text) for c in w.commands)

    # -- what the runtime copies from the builder ----------------------------------------------------

    def _copies(self, runtime: BaseImage, user: UserSpec, start: tuple[str, ...] | None) -> list[CopyFrom]:
        inp, acc = self.inp, self.acc
        copies: list[CopyFrom] = []
        seen: set[str] = set()
        added: set[tuple[str | None, str, str]] = set()
        owner = user.instruction if ":" in user.instruction else f"{user.instruction}:{user.instruction}"

        def add(source: str, dest: str, reason: str, chown: str | None = None, stage: str | None = None) -> None:
            # Several folders may fill one destination (Spring Boot's layers into ./): one copy per source.
            if (dest in seen and not dest.endswith("/")) or (stage, source, dest) in added:
                return
            if is_secret_file(source):
                acc.note(f"{source} looks like a secret: not copied into the runtime; pass it at run time", None, Level.WARNING)
                return
            seen.add(dest)
            added.add((stage, source, dest))
            copies.append(CopyFrom(source=source, dest=dest, chown=chown, reason=reason, stage=stage))

        path_dirs = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
        exe = start[0] if start else None
        for artifact in [*self.lang.runtime_artifacts(inp, runtime), *self.artifacts]:
            dest = artifact.dest or artifact.path
            if exe and "/" not in exe and posixpath.basename(dest) == exe and posixpath.dirname(dest) not in path_dirs:
                dest = f"/usr/local/bin/{exe}"  # the start command finds it on PATH, as before
            add(artifact.path, dest, artifact.reason, stage=artifact.stage)
        def covered(target: str) -> bool:
            return any(target == d or target.startswith(d.rstrip("/") + "/") for d in seen)

        if exe and "/" in exe and exe.split("/")[1] not in ("bin", "usr", "sbin", "busybox"):
            target = self.final_state.resolve(exe)
            if not covered(target):
                add(target, target, "the program the start command runs")
        elif exe and start and exe.rsplit("/", 1)[-1] in _SHELLS:
            at = selfcheck.script_index(start)
            for word in start[at : at + 1] if at is not None else ():
                for command in shell.commands(word):
                    if shell.words(command.text) is None:
                        continue  # an unclosed quote: the shell cannot run it, so it names no program to copy
                    if command.argv and "/" in command.argv[0]:
                        target = self.final_state.resolve(command.argv[0])
                        if not target.startswith(("/bin/", "/usr/")):
                            add(target, target, "the program the start command runs")
        for rel, why in self.lang.runtime_files(inp):
            where = inp.image_path(rel)
            if where is None or covered(where):
                continue
            if is_secret_file(rel, inp.context.read_text(rel)):
                acc.note(f"{rel} looks like a secret: not copied into the runtime; pass it at run time", None, Level.WARNING)
                continue
            chown = owner if _WRITABLE.search(rel) else None
            add(where, where, why, chown)
        if runtime.family is Family.SCRATCH:
            acc.note("scratch has no CA bundle or user database: both are copied from the builder")
        return copies

    # -- the ledger: what the build's own steps wrote, and what the application writes ---------------

    def _ledger(self, copies: list[CopyFrom], user: UserSpec) -> list[CopyFrom]:
        """Copies of what the original's own RUN lines wrote, and the folders the application writes.

        Every path a RUN line wrote gets a fate (see :mod:`stagify.plan.ledger`); the ones the runtime
        does not already have are copied from the builder after the sources, so an edit made by the
        build wins over the file as copied from the build context. Writable paths are owned by the
        runtime user in the builder, and the copies keep that owner.
        """
        acc = self.acc
        from_builder = [c for c in copies if c.stage is None]

        def covered(path: str) -> bool:
            return any(path == c.source or path.startswith(c.source.rstrip("/") + "/") for c in from_builder)

        runs = [w for w in self.walked if acc.decisions.get(w.instruction.line) is not None
                and acc.decisions[w.instruction.line].placement is Placement.BUILDER]
        workdir = self.lang.runtime_workdir(self.inp, self.final_state.workdir if self.final_state.workdir != "/" else None)
        found = ledger.fates(ledger.run_effects(runs), covered, workdir)
        owner = user.instruction if ":" in user.instruction else f"{user.instruction}:{user.instruction}"
        if user.uid:
            owner = f"{user.uid}:{user.uid}" if not re.fullmatch(r"\d+(:\d+)?", user.instruction) else owner
        writable = sorted({f.path for f in found if f.writable and (f.carried or covered(f.path))} | set(self._volumes()))
        late: list[CopyFrom] = []
        carried_by_line: dict[int, list[str]] = {}
        for fate in ledger.merged(found):
            # A folder a COPY creates is root-owned whatever its owner in the builder: --chown makes it the user's.
            chown = owner if fate.path in writable and self._is_folder(fate.path, found) else None
            late.append(CopyFrom(source=fate.path, dest=fate.path, reason=fate.reason, chown=chown))
            said = fate.reason.split(": ", 1)[0] + f", so it copies {fate.path}" if "may write anywhere" in fate.reason else fate.path
            carried_by_line.setdefault(fate.line, []).append(said)
        for path in self._volumes():
            if not covered(path) and all(c.source != path for c in late):
                late.append(CopyFrom(source=path, dest=path, reason="a VOLUME of the original: created owned by the runtime user",
                                     chown=owner))
        for line, paths in carried_by_line.items():
            decision = acc.decisions[line]
            before = decision.reason
            if "no effect" in before or "reach the runtime through the copied artifacts" in before:
                before = "a build step"  # what it writes is copied: "no effect on the runtime" would not be true
            acc.decisions[line] = Decision(decision.instruction, decision.placement,
                                           f"{before}; the runtime copies what it writes: {', '.join(paths)}")
        for fate in found:
            if not fate.carried and fate.reason.startswith("`") and "cannot be told" in fate.reason:
                acc.note(fate.reason, fate.line, Level.WARNING)
        if writable:
            acc.sources.append(Line(
                text=f"RUN mkdir -p {' '.join(p for p in writable if self._is_folder(p, found))} && chown -R {owner} {' '.join(writable)}"
                if any(self._is_folder(p, found) for p in writable) else f"RUN chown -R {owner} {' '.join(writable)}",
                comments=(f"# Places the application writes at run time, owned by the runtime user ({owner}): "
                          "the original ran as root and could write there",)))
        return late

    def _volumes(self) -> list[str]:
        out: list[str] = []
        for w in self.walked:
            if w.instruction.keyword is Keyword.VOLUME:
                form = _exec_list(w.instruction.args)
                for word in form if form is not None else w.instruction.args.split():
                    if word.startswith("/"):
                        out.append(posixpath.normpath(word))
                    elif word:
                        out.append(w.state.resolve(word))
        return out

    def _is_folder(self, path: str, found: tuple[ledger.Fate, ...]) -> bool:
        kinds = [f.kind for f in found if f.path == path]
        return path in self._volumes() or any(k.value == "dir" for k in kinds)

    # -- notes and .dockerignore -------------------------------------------------------------------

    def _port_notes(self, exposed: list[Instruction], user: UserSpec, start: tuple[str, ...] | None, runtime: BaseImage,
                    builder: BaseImage) -> None:
        """A port below 1024 the root original bound: the program gets the capability to bind it, not root."""
        users = [w.instruction.args.strip() for w in self.walked if w.instruction.keyword is Keyword.USER]
        if users and not is_root(users[-1]):
            return  # the original did not run as root either: it could not bind them, and neither need the conversion
        low = ports.low_ports(self.walked, start, self.inp.context)
        if not low or not start:
            return
        said = ", ".join(f"{number} ({where})" for number, where in low)
        line = next((i.line for i in exposed), None)
        built = {a.dest or a.path for a in self.artifacts} | {a.path for a in self.artifacts}
        program = self.final_state.resolve(start[0]) if "/" in start[0] else start[0]
        grant = "setcap cap_net_bind_service=+ep"
        if program in built or any(posixpath.basename(p) == start[0] for p in built):
            source = next((a.path for a in self.artifacts if program in (a.path, a.dest) or posixpath.basename(a.path) == start[0]), program)
            install = ("apk add --no-cache libcap" if builder.family is Family.ALPINE
                       else "(apt-get update && apt-get install -y --no-install-recommends libcap2-bin)")
            self.acc.sources.append(Line(
                text=f"RUN command -v setcap >/dev/null || {install}; {grant} {source}",
                comments=(f"# The application listens on port {said}, below 1024: the program may bind it without root",)))
            self.acc.note(f"the application listens on port {said}, below 1024, which only root may bind where the unprivileged-port "
                          f"floor applies (docker run --network host): {source} gets the file capability CAP_NET_BIND_SERVICE "
                          f"instead of running as root", line)
            return
        interpreter = {"python": "python3", "node": "node", "java": "java"}.get(self.lang.name)
        if interpreter and runtime.shell and runtime.package_manager in ("apt-get", "apk"):
            if runtime.package_manager == "apk":
                text = (f'RUN apk add --no-cache libcap && {grant} "$(readlink -f "$(command -v {interpreter})")" '
                        "&& apk del libcap")
            else:
                text = ("RUN apt-get update && apt-get install -y --no-install-recommends libcap2-bin \\\n"
                        f'    && {grant} "$(readlink -f "$(command -v {interpreter})")" \\\n'
                        "    && apt-get purge -y --auto-remove libcap2-bin && rm -rf /var/lib/apt/lists/*")
            self.acc.r_root.append(Line(
                text=text, comments=(f"# The application listens on port {said}, below 1024: {interpreter} may bind it without root",)))
            self.acc.note(f"the application listens on port {said}, below 1024, which only root may bind where the unprivileged-port "
                          f"floor applies (docker run --network host): {interpreter} gets the file capability CAP_NET_BIND_SERVICE "
                          "instead of running as root", line)
            return
        self.acc.note(f"the application listens on port {said}, below 1024, and {runtime.reference} cannot give the runtime "
                      f"user the capability to bind it: it runs as {user.instruction} and binds it only where Docker lowers the "
                      "unprivileged-port floor (not with --network host); pass a higher port, or choose a runtime with a shell",
                      line, Level.WARNING)

    def _scrub_builder(self, copies: list[CopyFrom]) -> None:
        """Secret files the Dockerfile copies into a folder the runtime takes whole from the builder: removed there first."""
        records = [w.copy for w in self.walked if w.copy is not None and w.instruction.flag("from") is None]
        # Copied by name, so the .dockerignore lets them in: a copy of their folder brings them along too.
        named = {s.strip("/") for r in records for s in r.sources if is_secret_file(s)}
        found: list[str] = []
        for record in records:
            for source in record.sources:
                folder = "" if source.strip("/") in ("", ".") else source.strip("/") + "/"
                if source.strip("/") in named:
                    dests = [posixpath.join(record.dest, posixpath.basename(source.rstrip("/"))) if record.dest_is_dir else record.dest]
                else:
                    dests = [posixpath.join(record.dest, rel[len(folder):]) for rel in sorted(named) if rel.startswith(folder)]
                found += [d for d in dests if any(c.stage is None and d.startswith(c.source.rstrip("/") + "/") for c in copies)]
        if found:
            self.acc.sources.append(Line(
                text="RUN rm -rf -- " + " ".join(shlex.quote(p) for p in dict.fromkeys(found)),
                comments=("# Secret-looking files the runtime would take with the folder it copies: removed from the builder's",
                          "# final state, so the runtime stage does not get them (pass them at run time)"),
            ))

    def _exclude_protected_secrets(self, runtime: RuntimePlan, protected: tuple[str, ...]) -> RuntimePlan:
        """A runtime COPY of a context folder leaves out the secret files the .dockerignore could not (the builder copies them)."""
        secrets = [p for p in protected if is_secret_file(p, self.inp.context.read_text(p) if self.inp.context.is_file(p) else None)]
        if not secrets:
            return runtime
        lines = []
        for line in runtime.sources:
            ins = _pseudo(line.text)
            parts = copy_parts(ins) if ins is not None and line.text.split(None, 1)[0] in ("COPY", "ADD") else None
            if ins is None or parts is None or ins.flag("from") is not None:
                lines.append(line)
                continue
            named = [src for src in parts[0] if src.strip("/") in secrets]
            if named and not ins.is_exec_form and "\n" not in line.text:
                kept = [src for src in parts[0] if src not in named]  # a secret named beside other files: only they stay
                if not kept:
                    continue
                line = Line(text=" ".join([line.text.split(None, 1)[0], *(f.render() for f in ins.flags), *kept, parts[1]]),
                            comments=line.comments)
                parts = (kept, parts[1])
            excluded = []
            for source in parts[0]:
                folder = "" if source in (".", "./") else source.rstrip("/") + "/"
                excluded += [p[len(folder):] for p in secrets if p.startswith(folder) and p != source.rstrip("/")]
            if not excluded:
                lines.append(line)
                continue
            keyword, rest = line.text.split(None, 1)
            flags = " ".join(f"--exclude={shlex.quote(e)}" for e in dict.fromkeys(excluded))
            lines.append(Line(text=f"{keyword} {flags} {rest}", comments=line.comments))
        return replace(runtime, sources=tuple(lines))

    def _secret_build_inputs(self) -> list[str]:
        """Secret-looking context files the build reads (a front end's .env.production): kept, with a warning."""
        found = []
        for rel, reader in self.lang.secret_build_inputs(self.inp):
            found.append(rel)
            name = rel.rsplit("/", 1)[-1].lstrip(".").replace(".", "_") or "env"
            self.acc.note(f"{rel} looks like a secret, but {reader} reads it: it is left out of .dockerignore, so it is in the "
                          "build context and the builder's layers (the runtime stage does not get it); to keep it out of every "
                          f"layer, pass it as a BuildKit secret: RUN --mount=type=secret,id={name},target={rel} <the build command> "
                          f"(docker build --secret id={name},src={rel})", None, Level.WARNING)
        return found

    def _credential_files(self) -> list[str]:
        """Context files with ordinary names (.npmrc, config.json) that hold a credential: ignored by path."""
        found = []
        for rel in self.inp.context.walk():
            name = rel.rsplit("/", 1)[-1]
            if name in (".npmrc", ".yarnrc.yml", "config.json") and holds_credentials(rel, self.inp.context.read_text(rel)):
                found.append(rel)
        return found

    def _protected_sources(self, builder: BuilderPlan) -> tuple[str, ...]:
        return protected_sources(builder)


def protected_sources(builder: BuilderPlan) -> tuple[str, ...]:
    """Context paths the new Dockerfile COPYs by name: .dockerignore must never hide them."""
    found: list[str] = []
    for line in (*builder.setup, *builder.sources):
        first = line.text.split(None, 1)
        if not first or first[0] not in ("COPY", "ADD") or "--from" in line.text.split("\n")[0]:
            continue
        ins = _pseudo(line.text)
        parts = copy_parts(ins) if ins is not None else None
        if parts:
            found.extend(s for s in parts[0] if s not in (".", "./"))
    return tuple(dict.fromkeys(found))


_RUNTIME_KINDS = (
    Keyword.ENV,
    Keyword.LABEL,
    Keyword.MAINTAINER,
    Keyword.EXPOSE,
    Keyword.VOLUME,
    Keyword.STOPSIGNAL,
    Keyword.HEALTHCHECK,
    Keyword.ONBUILD,
    Keyword.USER,
)

_CONFIG_REASONS = {
    Keyword.EXPOSE: "documents the port the application listens on",
    Keyword.VOLUME: "a data folder of the running container",
    Keyword.STOPSIGNAL: "how the running container is stopped",
    Keyword.HEALTHCHECK: "checks the running application",
    Keyword.ONBUILD: "a trigger for images built on top of this one",
}


def _exec_list(text: str) -> list[str] | None:
    form = exec_form(text)
    return list(form) if form is not None else None


def _relative_copy(text: str) -> bool:
    """Whether an output COPY line copies to a destination relative to the working folder."""
    ins = _pseudo(text)
    parts = copy_parts(ins) if ins is not None else None
    return parts is not None and not parts[1].startswith(("/", "$"))


def _pseudo(text: str) -> Instruction | None:
    """A COPY line of the output read back as an instruction, to list its sources."""
    body = text.replace("\\\n", " ").split(None, 1)
    if len(body) < 2:
        return None
    flags, args = split_flags(body[1])
    return Instruction(
        keyword=Keyword.COPY, line=0, end_line=0, raw=text, args=args, flags=flags, exec_form=exec_form(args)
    )

