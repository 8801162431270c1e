"""The Node planning hooks: how a Node image splits into deps, builder and runtime stages.

A ``deps`` stage installs the production dependencies only, the builder (the
original stage) installs everything and runs the build, and the runtime receives
the production node_modules, the build output and the files the app reads. Static
front ends get an nginx runtime instead. The template data types live here too.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from ...dockerfile import packages, shell
from ...dockerfile.lintfix import keyword_upper, replace_command, with_mounts
from ...dockerfile.model import Keyword
from ...dockerfile.secrets import holds_credentials
from ...dockerfile.stageplan import Line, Mount, Note, SecretInput
from ...dockerfile.walk import CopyRecord, State, Walked
from ...errors import StagifyError
from ...images import catalogue
from ...images.catalogue import BaseImage
from ...images.reference import ImageRef
from ...options import RuntimeChoice
from ...patterns import Pattern
from ..base import (
    Artifact,
    Needs,
    PlanInput,
    RunRewrite,
    StartRewrite,
    app_sources,
    distroless_blocker,
    layer_workdirs,
    runtime_writes_in,
)
from .commands import (
    global_packages,
    is_setup,
    project_install,
    reworks_dependencies,
    runs_any_script,
    runs_script,
    with_user_flags,
)
from .detector import NodeDetector
from .facts import (
    ASSET_DIRS,
    BUILD_ENV,
    BUILD_ENV_PREFIXES,
    MANAGERS,
    MANIFESTS,
    NOT_THE_APP,
    WRITE_CALLS,
    Kind,
    Manager,
    NodeFacts,
)
from .start import Start, named_by_start, start_of


@dataclass(frozen=True)
class DepsStage:
    """The ``deps`` stage: the original's setup lines, the manifests, a production-only install."""

    image: str
    setup: tuple[Line, ...]
    manifests: tuple[str, ...]
    install: Line
    workdir: str
    after: tuple[Line, ...] = ()  # the original's own reworks of node_modules after its install (npm rebuild)


@dataclass(frozen=True)
class InstallLayer:
    """The install moved before the sources: package.json and the lock file first."""

    manifests: tuple[str, ...]
    install: Line
    workdir: str | None = None
    restore: str | None = None


@dataclass(frozen=True)
class StaticSite:
    """An nginx runtime for a built front end: the port it listens on and where the files go.

    The server block is a template of the nginx image's entrypoint, which fills in
    ``NGINX_LISTEN`` (only defined variables, so ``$uri`` stays) when the container
    starts: the default is the port the original exposed, and a deployment can set
    another address without rebuilding.
    """

    port: str
    root: str = "/usr/share/nginx/html"
    config: str = "/tmp/stagify-nginx.conf.template"
    target: str = "/etc/nginx/templates/default.conf.template"


# Where distroless Node.js keeps node: not on PATH; the image's entrypoint names it.
DISTROLESS_NODE_BIN = "/nodejs/bin"


@dataclass(frozen=True)
class NodeTemplateData:
    layer: InstallLayer | None
    deps: DepsStage | None
    static: StaticSite | None
    next_standalone: bool
    distroless_node: str | None = None  # distroless: the folder of its node binary, put on PATH




# The files Next.js, Nuxt, Vite and Create React App read at build time for production builds.
_FRONTEND_ENV = Pattern(r"\.env(\.production)?(\.local)?")
# package.json scripts npm runs around an install: what they run belongs to the build.
_INSTALL_HOOKS = ("preinstall", "install", "postinstall", "prepare", "preprepare", "postprepare")


class NodeLanguage(NodeDetector):
    """The planning hooks; the name, the traits and detection are :class:`NodeDetector`'s."""

    # -- planning hooks -----------------------------------------------------------------------------

    def facts(self, inp: PlanInput) -> NodeFacts:
        facts = inp.detection.facts
        assert isinstance(facts, NodeFacts)
        return facts

    def builder_image(self, inp: PlanInput, runtime_family: str | None) -> tuple[BaseImage, str]:
        facts = self.facts(inp)
        flavor = _flavor(inp.image)
        if facts.bun:
            row, exact = self._on_bun_release(inp, {"full": "bun-full", "slim": "bun-slim", "alpine": "bun-alpine"}[flavor])
            return row, f"Bun {row.version}, the original's {flavor} flavour{exact}"
        row, exact = inp.on_release(catalogue.row(f"node-{inp.detection.version}-{flavor}"))
        return row, f"Node {row.version} from {inp.detection.version_source}; the original's {flavor} flavour{exact}"

    def is_build_env(self, inp: PlanInput, name: str) -> bool:
        if self._start(inp).static:
            return True  # nginx reads no application environment
        return name in BUILD_ENV or name.startswith(BUILD_ENV_PREFIXES) or name.startswith(("npm_config_", "NPM_CONFIG_", "YARN_"))

    def is_manifest_copy(self, record: CopyRecord) -> bool:
        return bool(record.sources) and all(
            posixpath.basename(s) in MANIFESTS or re.fullmatch(r"package\*?\.json|\*\.json", posixpath.basename(s)) is not None
            for s in record.sources
        )

    def default_start(self, inp: PlanInput) -> tuple[tuple[str, ...], str] | None:
        start = self._start(inp)
        return (start.argv, start.reason) if start.argv else None

    def plan_notes(self, inp: PlanInput) -> tuple[Note, ...]:
        reads = self._install_reads(inp)
        index = self._install_index(inp)
        if not reads or index is None:
            return ()
        if self._runs_install_scripts(inp):
            return (Note("the runtime takes the application folder from the build stage with every dependency, as the "
                         f"original's install left it: the install runs the project's own scripts ({'; '.join(reads)}), "
                         "which may need development dependencies and write beside node_modules (--ignore-scripts on the "
                         "install would allow a production-only node_modules)", inp.walked[index].instruction.line),)
        return (Note("the deps stage copies what the original had copied before its install, and the install stays where "
                     f"it was: it reads more than package.json and the lock file ({'; '.join(reads)})",
                     inp.walked[index].instruction.line),)

    def links_libraries(self, inp: PlanInput) -> bool:
        return bool(self.facts(inp).native_addons)

    def runtime_workdir(self, inp: PlanInput, workdir: str | None) -> str | None:
        return None if self._start(inp).static else workdir  # nginx serves from its own folder

    def copy_to_runtime(self, inp: PlanInput, walked: Walked) -> str | None:
        """An unbuilt server runs its sources: the runtime copies them as the original did."""
        if self._start(inp).static or self.facts(inp).kind is not Kind.SERVER or self._install_index(inp) is None:
            return None  # (without an install, the runtime takes the copied folders from the builder)
        return "the server runs these sources, so the runtime copies them too"

    # -- the install and its rewrites ---------------------------------------------------------------

    def _manager_of(self, inp: PlanInput) -> Manager:
        facts = self.facts(inp)
        key = facts.manager
        if key == "npm" and inp.detection.version and int(inp.detection.version) < 15:
            key = "npm6"  # npm 6 ships with Node 14 and knows --only=production, not --omit=dev
        return MANAGERS[key]

    def _install_index(self, inp: PlanInput) -> int | None:
        for index, w in enumerate(inp.walked):
            if any(project_install(c.argv) for c in w.commands):
                return index
        return None

    def _install_reads(self, inp: PlanInput) -> tuple[str, ...]:
        """What the original's install reads besides the manifests (scripts only when it runs them)."""
        scripts = self._runs_install_scripts(inp)
        return tuple(why for kind, why in self.facts(inp).install_reads if kind != "script" or scripts)

    def _runs_install_scripts(self, inp: PlanInput) -> bool:
        index = self._install_index(inp)
        argv = [a for c in inp.walked[index].commands if project_install(c.argv) for a in c.argv] if index is not None else []
        return "--ignore-scripts" not in argv and any(kind == "script" for kind, _ in self.facts(inp).install_reads)

    def _moves_install(self, inp: PlanInput) -> bool:
        """The install runs after the sources are copied: stagify moves it before them, when it reads nothing else."""
        index = self._install_index(inp)
        first = inp.first_source
        if index is None or first is None or index < first or self._install_reads(inp):
            return False
        w = inp.walked[index]
        return all(project_install(c.argv) or is_setup(c.argv) for c in w.commands)

    def rewrite_copy(self, inp: PlanInput, walked: Walked) -> RunRewrite | None:
        return None  # every COPY of the build context stays as written

    def rewrite_run(self, inp: PlanInput, walked: Walked) -> RunRewrite | None:
        ins = walked.instruction
        commands = list(walked.commands)
        install = [c for c in commands if project_install(c.argv)]
        builds = [c for c in commands if self._runs_build(inp, c.argv) or runs_script(c.argv, "generate")]
        manager = self._manager_of(inp)
        runtime_text = self._runtime_tools(inp, commands, manager)
        telemetry = _telemetry_off(commands)
        if telemetry:
            # `next telemetry disable` writes the builder's root's config; the runtime's user reads the variable
            env = "ENV " + " ".join(f"{name}=1" for name in telemetry)
            runtime_text = f"{runtime_text}\n{env}" if runtime_text else env
        if install:
            if self._moves_install(inp) and inp.index_of(walked) == self._install_index(inp):
                return RunRewrite(
                    text="",
                    reason="installs the dependencies: moved before the sources (after package.json and the lock file) "
                    "so the layer stays cached",
                    drop=True,
                )
            text = ins.raw
            for command in install:
                text = replace_command(text, command.text, with_user_flags(manager.install, command.argv), inp.dockerfile.escape)
            mounts = (Mount(manager.cache),) if _is_root(walked.state.user) else ()
            text = with_mounts(text, ins.flags, mounts, inp.dockerfile.escape)
            reason = f"installs every dependency for the build: {manager.install}, lock file frozen, cache mount"
            if not self.facts(inp).lock_file:
                reason = f"installs every dependency for the build: {manager.install} (no lock file), cache mount"
            return RunRewrite(text=text, reason=reason + _telemetry_reason(telemetry), builds=bool(builds),
                              runtime_text=runtime_text if telemetry else None)
        if builds:
            return RunRewrite(text=keyword_upper(ins.raw), reason="builds the application" + _telemetry_reason(telemetry), builds=True,
                              runtime_text=runtime_text if telemetry else None)
        if telemetry and runtime_text and runtime_text.startswith("ENV "):
            return RunRewrite(text=keyword_upper(ins.raw), reason="turns telemetry off" + _telemetry_reason(telemetry),
                              runtime_text=runtime_text)
        if runtime_text:
            return RunRewrite(
                text=keyword_upper(ins.raw),
                reason="installs a command-line tool the start command runs: the runtime installs it too"
                + _telemetry_reason(telemetry),
                runtime_text=runtime_text,
            )
        reworks = _reworks(walked)
        if reworks:
            return RunRewrite(text=keyword_upper(ins.raw), reason=f"{reworks}: the deps stage does the same after its install, "
                              "so the runtime's node_modules are the same")
        return None

    def _runtime_tools(self, inp: PlanInput, commands: list[shell.Command], manager: Manager) -> str | None:
        """``npm install -g serve`` when the container starts ``serve``: the runtime needs it as well."""
        start = self._start(inp).argv
        program = start[0].rsplit("/", 1)[-1] if start else ""
        wanted = [c for c in commands if program and program in global_packages(c.argv)]
        if not wanted:
            return None
        cache = "/root/.npm" if wanted[0].program == "npm" else manager.cache
        return with_mounts("RUN " + " && ".join(c.text for c in wanted), (), (Mount(cache),), inp.dockerfile.escape)

    def dependency_layer(self, inp: PlanInput, at: State) -> object | None:
        """When the original installs after copying the sources, the install moves before them."""
        if not self._moves_install(inp):
            return None
        manager = self._manager_of(inp)
        index = self._install_index(inp)
        assert index is not None
        w = inp.walked[index]
        text = w.instruction.raw
        for command in w.commands:
            if project_install(command.argv):
                text = replace_command(text, command.text, with_user_flags(manager.install, command.argv), inp.dockerfile.escape)
        mounts = (Mount(manager.cache),) if _is_root(w.state.user) else ()
        manifests = self._manifests(inp, (".npmrc", ".yarnrc.yml"))
        workdir, restore = layer_workdirs(inp, w.state.workdir)
        return InstallLayer(
            manifests=manifests,
            install=Line(with_mounts(text, w.instruction.flags, mounts, inp.dockerfile.escape)),
            workdir=workdir,
            restore=restore,
        )

    # -- start command --------------------------------------------------------------------------------

    def _start(self, inp: PlanInput) -> Start:
        return start_of(inp, self.facts(inp))

    def rewrite_start(
        self, inp: PlanInput, argv: tuple[str, ...], state: State, artifacts: tuple[Artifact, ...]
    ) -> StartRewrite | None:
        start = self._start(inp)
        if start.as_written or (start.argv == argv and not start.dev_to_prod):
            return None
        build = None
        if self._needs_build_step(inp):
            manager = self.facts(inp).manager.removesuffix("-nolock").replace("npm6", "npm")
            build = Line(text=f"RUN {manager} run build", comments=("# The runtime serves the build output, so the builder builds it",))
        if start.argv is None:
            return StartRewrite(argv=(), reason=start.reason, build=build, drop=True)
        return StartRewrite(argv=start.argv, reason=start.reason, build=build)

    def _runs_build(self, inp: PlanInput, argv: tuple[str, ...]) -> bool:
        """The command runs one of the project's build scripts (``npm run build``, ``npm run build-ts`` running ``tsc``)."""
        return any(runs_script(argv, name) for name in self.facts(inp).build_scripts)

    def _needs_build_step(self, inp: PlanInput) -> bool:
        facts = self.facts(inp)
        if facts.kind in (Kind.SERVER,) or not facts.script("build"):
            return False
        return not any(self._runs_build(inp, c.argv) for w in inp.walked for c in w.commands)

    # -- runtime --------------------------------------------------------------------------------------

    def runtime_image(self, inp: PlanInput, needs: Needs) -> tuple[BaseImage, str]:
        facts = self.facts(inp)
        start = self._start(inp)
        alpine = _flavor(inp.image) == "alpine"
        forced = inp.options.runtime
        if forced is RuntimeChoice.ALPINE:
            alpine = True
        elif forced is not None:
            alpine = False
        if start.static:
            row = catalogue.row("nginx-alpine" if alpine else "nginx")
            return row, f"nginx serves the {facts.framework or 'static'} build output as files; no Node at run time"
        if facts.bun:
            row, exact = self._on_bun_release(inp, "bun-alpine" if alpine else "bun-slim")
            return row, f"Bun slim: the runtime without the build tools{exact}"
        why_not = "not asked" if alpine or forced not in (None, RuntimeChoice.DISTROLESS) else self._distroless_fits(inp, needs)
        if why_not is None:
            return (catalogue.row(f"distroless-nodejs{inp.detection.version}"),
                    f"distroless Node.js {inp.detection.version}: the same Node major, no shell, no npm; the start command runs node alone")
        row, _ = inp.on_release(catalogue.row(f"node-{inp.detection.version}-{'alpine' if alpine else 'slim'}"))
        reason = f"Node {inp.exact or row.version} {'alpine' if alpine else 'slim'}: the same Node without compilers and build tools"
        if why_not != "not asked":
            reason += f" (not distroless: {why_not})"
        return row, reason

    @staticmethod
    def _on_bun_release(inp: PlanInput, key: str) -> tuple[BaseImage, str]:
        """The Bun row ``key`` on the exact Bun release an ``oven/bun`` original pins: its series is Bun's, not the
        Node version detection settles on (``inp.exact``)."""
        return inp.on_release(catalogue.row(key), catalogue.exact_release(inp.image))

    def _distroless_fits(self, inp: PlanInput, needs: Needs) -> str | None:
        """Why distroless Node.js cannot run the application, or None when it can.

        It has the node binary (``/nodejs/bin/node``) and nothing else: no shell, no npm or yarn, no
        package manager. So the major must be one distroless publishes, the start must be ``node <file>``
        in exec form, and nothing at run time may need a shell, a system package or a low port.
        """
        version = inp.detection.version or ""
        if version not in catalogue.DISTROLESS_NODE:
            return f"distroless publishes Node.js {', '.join(catalogue.DISTROLESS_NODE)}, not {version}"
        if inp.exact is not None:
            # Its tag names the major only: the image moves from patch to patch, and never says which it has.
            return f"distroless Node.js {version} carries whichever Node {version} release it was last built with, not the pinned {inp.exact}"
        start = self._start(inp)
        program = posixpath.basename(start.argv[0]) if start.argv else ""
        if start.keeps_npm or program != "node":
            return f"the start command runs {program or 'nothing'} ({start.reason}), which needs more than node"
        blocker = distroless_blocker(inp, needs)
        if blocker is not None:
            return blocker
        return None

    @staticmethod
    def _starts_node(start: Start) -> bool:
        """The start command runs ``node FILE`` itself: what it runs is that file, not a tool of the project."""
        return posixpath.basename(start.argv[0]) == "node" if start.argv else False

    def _app_dir(self, inp: PlanInput) -> str:
        """The folder of the app in the builder: where the dependencies are installed."""
        index = self._install_index(inp)
        if index is not None and not self._moves_install(inp):
            return inp.walked[index].state.workdir
        where = inp.image_path("package.json")
        return posixpath.dirname(where) if where else (inp.walked[-1].state.workdir if inp.walked else "/app")

    def runtime_artifacts(self, inp: PlanInput, runtime: BaseImage) -> list[Artifact]:
        facts = self.facts(inp)
        start = self._start(inp)
        app = self._app_dir(inp)
        out: list[Artifact] = []
        if start.static:
            source = posixpath.join(app, facts.out_dir or "dist")
            static = StaticSite(port="")
            out.append(Artifact(path=source, dest=static.root, reason="the built front end, served by nginx"))
            out.append(Artifact(path=static.config, dest=static.target, reason="nginx listens where the original did"))
            return out
        runtime_app = inp.walked[-1].state.workdir if inp.walked else app
        if start.as_written and facts.kind is not Kind.SERVER and not self._starts_node(start):
            # The original's own ENTRYPOINT (a script, say) starts a front-end project: whether it serves the build
            # output or runs a development server from the sources is not known, nor whether the build ever ran.
            # Fail closed: the runtime gets the folder as the original left it, every dependency and source.
            return [Artifact(path=app, dest=runtime_app, reason=f"the application folder as the original left it: its own "
                             f"ENTRYPOINT ({' '.join(start.argv or ())}) starts the {facts.framework or 'front-end'} project, "
                             "and what that runs of it is not known")]
        if facts.kind is Kind.STATIC:
            # served by a Node file server the original started (serve, http-server): the files and that server
            out.append(Artifact(path=f"{app}/{facts.out_dir or 'dist'}", dest=f"{runtime_app}/{facts.out_dir or 'dist'}", reason="the built front end"))
            if start.argv and start.argv[0].startswith("node_modules/"):
                stage = None if start.needs_dev_dependencies else "deps"
                out.append(Artifact(path=f"{app}/node_modules", dest=f"{runtime_app}/node_modules", stage=stage, reason="the file server's package"))
            return out
        if facts.kind is Kind.NEXT and facts.next_standalone:
            out.append(Artifact(path=f"{app}/.next/standalone", dest=runtime_app, reason="Next.js standalone server and the modules it needs"))
            out.append(Artifact(path=f"{app}/.next/static", dest=f"{runtime_app}/.next/static", reason="Next.js static assets"))
            if inp.context.is_dir("public"):
                out.append(Artifact(path=f"{app}/public", dest=f"{runtime_app}/public", reason="public files"))
            return out
        if facts.kind is Kind.NUXT:
            out.append(Artifact(path=f"{app}/.output", dest=f"{runtime_app}/.output", reason="the Nuxt server bundle (it carries its own modules)"))
            return out
        if self._install_index(inp) is None and facts.kind is Kind.SERVER:
            # The original installs nothing (its node_modules, if any, are copied): the runtime takes what it copied.
            folders: list[str] = []
            for record in sorted(inp.copies, key=lambda r: r.dest.count("/")):
                if not any(record.dest == f or record.dest.startswith(f.rstrip("/") + "/") for f in folders):
                    folders.append(record.dest)
            for folder in folders:
                out.append(Artifact(path=folder, dest=folder, reason="the application as the original copied it (it installs nothing)"))
            return out
        installs = inp.context.is_file("package.json") or self._install_index(inp) is not None
        if installs and self._runs_install_scripts(inp):
            # Fail closed: what the project's own install scripts write (and which dependencies they need) is not
            # known, so the runtime gets the folder exactly as the original's full install left it.
            return [Artifact(path=app, dest=runtime_app, reason="the application folder as the original's install left it "
                             "(every dependency): the install runs the project's own scripts, which may write anywhere in it")]
        if not installs:
            pass  # no package.json and no install: the original had no node_modules, nor does the runtime
        elif start.needs_dev_dependencies:
            out.append(Artifact(path=f"{app}/node_modules", dest=f"{runtime_app}/node_modules", reason="every dependency: the start command needs a development tool"))
        elif inp.context.is_file("package.json") and not facts.installs_packages:
            pass  # package.json names no package: the install makes no node_modules, so the runtime has none either
        elif not start.keeps_npm or facts.dependencies:
            out.append(Artifact(path=f"{app}/node_modules", dest=f"{runtime_app}/node_modules", stage="deps", reason="production dependencies only"))
        if facts.kind is Kind.SERVER:
            return out  # the sources come with the original's COPY lines
        out.append(Artifact(path=f"{app}/package.json", dest=f"{runtime_app}/package.json", reason="package.json (module type, scripts)"))
        if facts.out_dir:
            out.append(Artifact(path=f"{app}/{facts.out_dir}", dest=f"{runtime_app}/{facts.out_dir}", reason="the build output"))
        if facts.kind is Kind.NEXT:
            for name in ("next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"):
                if inp.context.is_file(name):
                    out.append(Artifact(path=f"{app}/{name}", dest=f"{runtime_app}/{name}", reason="the Next.js configuration"))
        for folder in ASSET_DIRS:
            if inp.context.is_dir(folder) and inp.image_path(folder):
                out.append(Artifact(path=f"{app}/{folder}", dest=f"{runtime_app}/{folder}", reason=f"{folder}/, read at run time"))
        if any("prisma generate" in c.text for w in inp.walked for c in w.commands):
            out.append(Artifact(path=f"{app}/node_modules/.prisma", dest=f"{runtime_app}/node_modules/.prisma", reason="the generated Prisma client"))
        return out

    def runtime_writes(self, inp: PlanInput) -> list[tuple[str, str]]:
        # What the install and build scripts run (``"postinstall": "node scripts/stamp.js"``) writes at build
        # time, as root in the builder, not at run time: those files are not the running application.
        facts = self.facts(inp)
        hooks = (*_INSTALL_HOOKS, *facts.build_scripts, *(f"{p}{n}" for n in facts.build_scripts for p in ("pre", "post")))
        build_time = {posixpath.normpath(word) for name in hooks for word in (facts.script(name) or "").split()
                      if re.search(r"\.[cm]?[jt]s$", word)}
        sources = ((rel, text) for rel, text in app_sources(inp.context, (".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"), NOT_THE_APP)
                   if rel not in build_time)
        return runtime_writes_in(sources, WRITE_CALLS)

    def runtime_files(self, inp: PlanInput) -> list[tuple[str, str]]:
        return []  # runtime_artifacts names them, from the build stages

    def not_worth_converting(self, inp: PlanInput, runtime: BaseImage) -> str | None:
        """On a base no smaller than the original's: a slim or Alpine original that installs its production
        dependencies, builds nothing and has no development dependencies leaves nothing in the build stage."""
        facts = self.facts(inp)
        if _flavor(inp.image) == "full" or self._start(inp).static or facts.dev_dependencies:
            return None
        if self._needs_build_step(inp):
            return None
        for w in inp.walked:
            if packages.installs(list(w.commands)):
                return None  # system packages: the build-only ones stay behind
            if any(runs_any_script(c.argv) for c in w.commands):
                return None  # a build script: its tools stay behind
        return "it installs only its production dependencies and builds nothing: no build tool would stay behind in the build stage"

    def secret_build_inputs(self, inp: PlanInput) -> list[SecretInput]:
        """The install reads a .npmrc holding a token; a front-end build (Next.js, Nuxt, Vite, Create React App) inlines
        the .env files it finds: they are inputs."""
        facts = self.facts(inp)
        found = [SecretInput(name, f"the {self._manager_of(inp).name} install")
                 for name in (".npmrc", ".yarnrc.yml") if holds_credentials(name, inp.context.read_text(name))]
        built = any(self._runs_build(inp, c.argv) for w in inp.walked for c in w.commands) or self._needs_build_step(inp)
        if not built or facts.kind not in (Kind.NEXT, Kind.NUXT, Kind.STATIC):
            return found
        reader = f"the {facts.framework or 'front-end'} build"
        return found + [SecretInput(name, reader) for name in inp.context.entries() if _FRONTEND_ENV.fullmatch(name)]

    def dockerignore(self, inp: PlanInput) -> list[str]:
        facts = self.facts(inp)
        installs = self._install_index(inp) is not None
        # Without an install of its own, the original runs the node_modules it copies: they must stay in the context.
        lines = [*(["node_modules"] if installs else []), "npm-debug.log*", "yarn-debug.log*", "yarn-error.log*", ".pnpm-debug.log*", "coverage", ".nyc_output", ".eslintcache", "*.log"]
        built = any(self._runs_build(inp, c.argv) for w in inp.walked for c in w.commands) or self._needs_build_step(inp)
        if built:
            for folder in (facts.out_dir, ".next", ".nuxt", ".output", "build", "dist"):
                if folder and folder not in lines and not named_by_start(facts, folder):
                    lines.append(folder)
        return lines

    def left_behind(self, inp: PlanInput) -> list[tuple[str, str]]:
        return []

    def build_platform(self, inp: PlanInput) -> tuple[str, str] | None:
        return None  # native addons build for the platform npm runs on: not cross-built

    def template_data(self, inp: PlanInput, runtime: BaseImage, dependencies: object | None) -> object:
        start = self._start(inp)
        facts = self.facts(inp)
        # nginx listens where the original's server listened: its --port, else what it EXPOSEd, else the server's default.
        env_port = dict(inp.walked[-1].state.env).get("PORT") if inp.walked else None
        if env_port is not None and not env_port.isdigit():
            env_port = None
        static = StaticSite(port=env_port or start.port or _exposed_port(inp) or "8080") if start.static else None
        artifacts = self.runtime_artifacts(inp, runtime)
        deps = self._deps_stage(inp) if any(a.stage == "deps" for a in artifacts) else None
        return NodeTemplateData(
            layer=dependencies if isinstance(dependencies, InstallLayer) else None,
            deps=deps,
            static=static,
            next_standalone=facts.kind is Kind.NEXT and facts.next_standalone,
            distroless_node=DISTROLESS_NODE_BIN if runtime.key.startswith("distroless-nodejs") else None,
        )

    def _deps_stage(self, inp: PlanInput) -> DepsStage:
        """A stage with only production dependencies, set up the way the original set up its install."""
        manager = self._manager_of(inp)
        builder, _ = self.builder_image(inp, None)
        install_at = self._install_index(inp)
        # An install that reads more than the manifests gets what the original had copied before it, in place.
        replay = bool(self._install_reads(inp))
        app_dir = self._app_dir(inp)
        setup: list[Line] = []
        at = app_dir
        for index, w in enumerate(inp.walked):
            if install_at is not None and index >= install_at:
                break
            ins = w.instruction
            if replay and w.copy is not None and ins.flag("from") is None:
                if w.state.workdir != at:
                    setup.append(Line(f"WORKDIR {w.state.workdir}"))
                    at = w.state.workdir
                setup.append(Line(keyword_upper(ins.raw), ins.comments))
            elif ins.keyword in (Keyword.ENV, Keyword.ARG, Keyword.SHELL, Keyword.USER) or (ins.keyword is Keyword.RUN and (packages.installs(list(w.commands)) or all(is_setup(c.argv) for c in w.commands))):
                setup.append(Line(keyword_upper(ins.raw), ins.comments))
        if at != app_dir:
            setup.append(Line(f"WORKDIR {app_dir}"))
        install_line = ""
        if install_at is not None:
            w = inp.walked[install_at]
            text = w.instruction.raw
            for command in w.commands:
                if project_install(command.argv):
                    text = replace_command(text, command.text, with_user_flags(manager.install_prod, command.argv), inp.dockerfile.escape)
                elif runs_any_script(command.argv):
                    text = replace_command(text, command.text, "true", inp.dockerfile.escape)  # build steps do not belong here
            install_line = text
        else:
            install_line = f"RUN {manager.install_prod}"
        if manager.corepack and not any("corepack" in line.text for line in setup) and "corepack" not in install_line:
            setup.append(Line("RUN corepack enable", ("# The package manager comes from corepack",)))
        mounts = (Mount(manager.cache),) if _is_root(inp.walked[install_at].state.user if install_at is not None else None) else ()
        install = Line(with_mounts(install_line if install_line.startswith("RUN") else keyword_upper(install_line), (), mounts, inp.dockerfile.escape))
        manifests = () if replay else self._manifests(inp, (".npmrc", ".yarnrc.yml", "pnpm-workspace.yaml"))
        # What the original did to node_modules after installing (npm rebuild, bun pm trust), in the same order.
        after = tuple(Line(keyword_upper(w.instruction.raw), w.instruction.comments)
                      for w in inp.walked[(install_at or 0) + 1 :] if w.instruction.keyword is Keyword.RUN and _reworks(w))
        return DepsStage(image=builder.reference, setup=tuple(setup), manifests=manifests, install=install, workdir=app_dir,
                         after=after)


    def _manifests(self, inp: PlanInput, extra: tuple[str, ...]) -> tuple[str, ...]:
        """package.json, the lock file and ``extra`` as found in the build context, for a COPY before the install.

        Without package.json there is nothing to install: the original's COPY of it (or its install)
        fails too, so that line is reported rather than a COPY with no source written.
        """
        facts = self.facts(inp)
        names = ("package.json", facts.lock_file, *extra)
        found = tuple(n for n in names if n and inp.context.is_file(n))
        if "package.json" in found:
            return found
        copy = next((w for w in inp.walked if w.copy is not None and w.instruction.flag("from") is None
                     and any(re.fullmatch(r"package\*?\.json", posixpath.basename(s)) for s in w.copy.sources)), None)
        path = inp.dockerfile.path
        if copy is not None and copy.copy is not None:
            nested = [s for s in copy.copy.sources if "/" in s.strip("./") and posixpath.basename(s).startswith("package")]
            if nested:
                raise StagifyError(path, copy.instruction.line, f"{nested[0]} is not at the root of the build context: stagify reads "
                                   "package.json there only, so it cannot plan this install")
            raise StagifyError(path, copy.instruction.line, "package.json is not in the build context: this COPY fails, and the "
                               "install after it could not run without it either")
        index = self._install_index(inp)
        line = inp.walked[index].instruction.line if index is not None else None
        raise StagifyError(path, line, "package.json is not in the build context: the install has nothing to install")


def _reworks(walked: Walked) -> str | None:
    """What a RUN line does to the installed dependencies when that is all it does (``npm rebuild``), else None."""
    done = [reworks_dependencies(c.argv) for c in walked.commands]
    if not done or not all(done):
        return None
    return "; ".join(dict.fromkeys(d for d in done if d))


def _is_root(user: str | None) -> bool:
    return user is None or user in ("root", "0", "0:0")


def _flavor(image: ImageRef | None) -> str:
    tag = (image.tag or "") if image is not None else ""
    if "alpine" in tag:
        return "alpine"
    if "slim" in tag:
        return "slim"
    return "full"


def _exposed_port(inp: PlanInput) -> str | None:
    for w in inp.walked:
        if w.instruction.keyword is Keyword.EXPOSE:
            for word in w.instruction.args.split():
                number = word.split("/")[0]
                if number.isdigit():
                    return number
    return None



# Telemetry switched off by a command in the build: the setting lives in the builder's root's config folder,
# so the runtime (another user, another image) turns it off the way the tools read at run time.
_TELEMETRY = (
    (Pattern(r"(^|\s)(next)\s+telemetry\s+(disable|--disable)\b"), "NEXT_TELEMETRY_DISABLED"),
    (Pattern(r"(^|\s)(nuxt|nuxi)\s+telemetry\s+(disable|--disable)\b"), "NUXT_TELEMETRY_DISABLED"),
    (Pattern(r"(^|\s)gatsby\s+telemetry\s+--disable\b"), "GATSBY_TELEMETRY_DISABLED"),
)


def _telemetry_off(commands: list[shell.Command]) -> list[str]:
    found: list[str] = []
    for command in commands:
        for pattern, name in _TELEMETRY:
            if pattern.search(" ".join(command.argv)) and name not in found:
                found.append(name)
    return found


def _telemetry_reason(names: list[str]) -> str:
    if not names:
        return ""
    return f"; the runtime sets {', '.join(f'{n}=1' for n in names)}, which is how it stays off for the runtime's user"

LANGUAGE = NodeLanguage()
