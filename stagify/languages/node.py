"""Node.js: package.json, the package manager, what kind of app it is, and how its image splits.

A Node image splits three ways: a ``deps`` stage installs the production
dependencies only, the builder (the original stage) installs everything and runs
the build, and the runtime receives the production node_modules, the build output
and the files the app reads. Static front ends get an nginx runtime instead.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, replace
from enum import Enum
from functools import lru_cache

from .. import images, packages, shell
from ..context import BuildContext
from ..detect import SCORE_BASE_IMAGE, SCORE_BUILD_COMMAND, SCORE_MANIFEST, SCORE_SOURCES, Detection, Evidence
from ..imageref import ImageRef, parse_ref
from ..images import BaseImage
from ..lintfix import with_mounts
from ..model import Dockerfile, Keyword, Stage, env_pairs
from ..options import RuntimeChoice
from ..stageplan import Level, Line, Mount, Note
from ..walk import BaseDefaults, CopyRecord, State, Walked, image_path, run_script
from .base import Artifact, Needs, PlanInput, RunRewrite, StartRewrite


class Kind(str, Enum):
    SERVER = "server"
    BUILT_SERVER = "server built before it runs"
    STATIC = "static front end"
    NEXT = "Next.js"
    NUXT = "Nuxt"


@dataclass(frozen=True)
class Manager:
    """How one package manager installs: everything, production only, and where it caches."""

    name: str
    install: str
    install_prod: str
    cache: str
    corepack: bool = False


MANAGERS = {
    "npm": Manager("npm", "npm ci", "npm ci --omit=dev", "/root/.npm"),
    "npm-nolock": Manager("npm", "npm install", "npm install --omit=dev", "/root/.npm"),
    "npm6": Manager("npm", "npm ci", "npm ci --only=production", "/root/.npm"),
    "yarn": Manager("yarn", "yarn install --frozen-lockfile", "yarn install --frozen-lockfile --production", "/usr/local/share/.cache/yarn"),
    "yarn-berry": Manager("yarn", "yarn install --immutable", "yarn workspaces focus --all --production", "/root/.yarn/berry/cache", corepack=True),
    "pnpm": Manager("pnpm", "pnpm install --frozen-lockfile", "pnpm install --frozen-lockfile --prod", "/root/.local/share/pnpm/store", corepack=True),
    "bun": Manager("bun", "bun install --frozen-lockfile", "bun install --frozen-lockfile --production", "/root/.bun/install/cache"),
}
LOCK_FILES = (
    ("package-lock.json", "npm"),
    ("npm-shrinkwrap.json", "npm"),
    ("yarn.lock", "yarn"),
    ("pnpm-lock.yaml", "pnpm"),
    ("bun.lockb", "bun"),
    ("bun.lock", "bun"),
)
MANIFESTS = frozenset(
    {"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock",
     ".npmrc", ".yarnrc", ".yarnrc.yml", "pnpm-workspace.yaml", ".pnpmfile.cjs", ".nvmrc", ".node-version"}
)
# Flags of the user's install that still apply to the rewritten one (others say what the rewrite says).
_DROPPED_INSTALL_FLAGS = re.compile(r"^--?(production|prod|only=production|omit=dev|frozen-lockfile|immutable|no-frozen-lockfile|ci)$")
SERVER_FRAMEWORKS = ("express", "fastify", "koa", "@nestjs/core", "@hapi/hapi", "hapi", "restify", "socket.io", "apollo-server", "@apollo/server", "hono")
# Static front-end toolchains: their build output is only files; their own servers are for development.
STATIC_TOOLS = {
    "vite": ("vite", "dist"),
    "react-scripts": ("Create React App", "build"),
    "@angular/cli": ("Angular", "dist"),
    "@vue/cli-service": ("Vue CLI", "dist"),
}
DEV_SERVERS = ("vite", "react-scripts", "vue-cli-service", "ng", "webpack-dev-server", "parcel")
STATIC_SERVERS = ("serve", "http-server", "live-server")
WATCHERS = ("nodemon", "node-dev", "supervisor")
TS_RUNNERS = ("ts-node", "ts-node-dev", "tsx")
# ENV and ARG a front-end or Next.js build inlines into the bundle: the build reads them, not the runtime.
BUILD_ENV_PREFIXES = ("NEXT_PUBLIC_", "VITE_", "REACT_APP_", "VUE_APP_", "PUBLIC_", "NG_")
BUILD_ENV = frozenset({"NPM_TOKEN", "NPM_CONFIG_REGISTRY", "YARN_CACHE_FOLDER", "GENERATE_SOURCEMAP", "CI", "NEXT_TELEMETRY_DISABLED", "SKIP_PREFLIGHT_CHECK", "PUBLIC_URL", "NODE_OPTIONS_BUILD"})
# Folders a Node server reads at run time when the build does not bundle them.
ASSET_DIRS = ("public", "views", "templates", "static", "assets", "locales", "i18n", "config", "prisma", "migrations", "data", "uploads")
NATIVE_ADDONS = ("bcrypt", "sqlite3", "better-sqlite3", "canvas", "node-sass", "argon2", "bufferutil", "utf-8-validate", "sharp", "re2", "cpu-features", "ssh2", "zeromq", "leveldown")
NVM_ALIASES = {"hydrogen": "18", "iron": "20", "jod": "22", "krypton": "24", "gallium": "16", "fermium": "14"}
_NODE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class NodeFacts:
    name: str | None
    main: str | None
    module_type: str | None
    scripts: tuple[tuple[str, str], ...]
    dependencies: tuple[str, ...]
    dev_dependencies: tuple[str, ...]
    manager: str  # a key of MANAGERS
    lock_file: str | None
    kind: Kind
    framework: str | None
    out_dir: str | None
    next_standalone: bool
    native_addons: tuple[str, ...]
    bun: bool

    def script(self, name: str) -> str | None:
        return dict(self.scripts).get(name)

    def depends_on(self, name: str) -> bool:
        return name in self.dependencies or name in self.dev_dependencies


@dataclass(frozen=True)
class DepsStage:
    """The ``deps`` stage: the original's setup lines, the manifests, a production-only install."""

    image: str
    setup: tuple[Line, ...]
    manifests: tuple[str, ...]
    install: Line
    workdir: str


@dataclass(frozen=True)
class InstallLayer:
    """The install moved before the sources: package.json and the lock file first."""

    manifests: tuple[str, ...]
    install: Line


@dataclass(frozen=True)
class StaticSite:
    """An nginx runtime for a built front end: the port it listens on and where the files go."""

    port: str
    root: str = "/usr/share/nginx/html"
    config: str = "/tmp/stagify-nginx.conf"


@dataclass(frozen=True)
class NodeTemplateData:
    layer: InstallLayer | None
    deps: DepsStage | None
    static: StaticSite | None
    node_env: bool  # set NODE_ENV=production in the runtime
    next_standalone: bool


@dataclass(frozen=True)
class Start:
    """What the container starts, resolved through package.json scripts."""

    argv: tuple[str, ...] | None  # None: the runtime image's own command (nginx)
    reason: str
    needs_dev_dependencies: bool = False
    static: bool = False
    dev_to_prod: bool = False
    keeps_npm: bool = False


def _read_json(context: BuildContext, rel: str) -> dict[str, object] | None:
    text = context.read_text(rel)
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _names(value: object) -> tuple[str, ...]:
    return tuple(sorted(value)) if isinstance(value, dict) else ()


class NodeLanguage:
    name = "node"
    display = "Node.js"
    template = "node.Dockerfile.j2"
    looked_for = "package.json, a lock file, FROM node / oven/bun, npm/yarn/pnpm/bun install"

    # -- detection ----------------------------------------------------------------------------------

    def detect(self, context: BuildContext, dockerfile: Dockerfile | None) -> Detection | None:
        evidence: list[Evidence] = []
        score = 0
        path = dockerfile.path if dockerfile else "Dockerfile"
        image: ImageRef | None = None
        stage = dockerfile.stages[-1] if dockerfile is not None and dockerfile.stages else None
        if stage is not None:
            try:
                image = parse_ref(stage.image.resolved)
            except ValueError:
                image = None
            if image is not None and image.repository in ("node", "bun") and image.path in ("node", "oven/bun"):
                evidence.append(Evidence(f"{path}:{stage.from_.line}", f"base image {image}"))
                score = SCORE_BASE_IMAGE
            for ins in stage.instructions:
                if ins.keyword is Keyword.RUN:
                    for command in shell.commands(run_script(ins)):
                        if _project_install(command.argv):
                            evidence.append(Evidence(f"{path}:{ins.line}", f"{' '.join(command.argv[:2])}"))
                            score = max(score, SCORE_BUILD_COMMAND)
        package = _read_json(context, "package.json")
        if package is not None:
            evidence.append(Evidence("package.json", f"name {package.get('name') or '?'}"))
            score = max(score, SCORE_MANIFEST)
        elif score == 0:
            js = [f for f in context.entries() if f.endswith((".js", ".mjs", ".ts"))]
            if not js:
                return None
            score = SCORE_SOURCES
            evidence.append(Evidence(js[0], "JavaScript sources"))
        if score == 0:
            return None
        facts = self._facts(context, package or {}, image, evidence)
        version, source = self._version(context, package or {}, image, stage, evidence)
        return Detection(
            language=self.name,
            display=self.display,
            score=score,
            version=version,
            version_source=source,
            tool=facts.manager.removesuffix("-nolock").replace("npm6", "npm"),
            entrypoint=facts.script("start") or facts.main,
            evidence=tuple(evidence),
            facts=facts,
        )

    def _facts(self, context: BuildContext, package: dict[str, object], image: ImageRef | None, evidence: list[Evidence]) -> NodeFacts:
        scripts_value = package.get("scripts")
        scripts = tuple((str(k), str(v)) for k, v in scripts_value.items()) if isinstance(scripts_value, dict) else ()
        deps = _names(package.get("dependencies"))
        dev = _names(package.get("devDependencies"))
        bun = image is not None and image.path == "oven/bun"
        manager, lock = self._manager(context, package, bun, evidence)
        every = set(deps) | set(dev)
        kind, framework, out_dir = Kind.SERVER, None, None
        scripts_map = dict(scripts)
        build = scripts_map.get("build", "")
        if "next" in every:
            kind, framework, out_dir = Kind.NEXT, "Next.js", ".next"
        elif "nuxt" in every or "nuxt3" in every:
            kind, framework, out_dir = Kind.NUXT, "Nuxt", ".output"
        elif not any(f in every for f in SERVER_FRAMEWORKS) and any(t in every for t in STATIC_TOOLS):
            tool = next(t for t in STATIC_TOOLS if t in every)
            framework, out_dir = STATIC_TOOLS[tool]
            kind = Kind.STATIC
            out_dir = self._static_out_dir(context, tool, out_dir)
        elif build and self._runs_build_output(scripts_map, package):
            kind = Kind.BUILT_SERVER
            framework = next((f for f in SERVER_FRAMEWORKS if f in every), None)
            out_dir = self._built_out_dir(context, scripts_map)
        else:
            framework = next((f for f in SERVER_FRAMEWORKS if f in every), None)
        if framework:
            evidence.append(Evidence("package.json", f"{framework} ({kind.value})"))
        standalone = False
        if kind is Kind.NEXT:
            for name in ("next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"):
                text = context.read_text(name) or ""
                if re.search(r"output\s*:\s*['\"]standalone['\"]", text):
                    standalone = True
                    evidence.append(Evidence(name, "output: 'standalone'"))
        addons = tuple(a for a in NATIVE_ADDONS if a in deps)
        if addons:
            evidence.append(Evidence("package.json", f"native addons: {', '.join(addons)}"))
        module_type = package.get("type")
        main = package.get("main")
        return NodeFacts(
            name=str(package.get("name")) if package.get("name") else None,
            main=str(main) if isinstance(main, str) else None,
            module_type=str(module_type) if isinstance(module_type, str) else None,
            scripts=scripts,
            dependencies=deps,
            dev_dependencies=dev,
            manager=manager,
            lock_file=lock,
            kind=kind,
            framework=framework,
            out_dir=out_dir,
            next_standalone=standalone,
            native_addons=addons,
            bun=bun,
        )

    @staticmethod
    def _manager(context: BuildContext, package: dict[str, object], bun: bool, evidence: list[Evidence]) -> tuple[str, str | None]:
        declared = str(package.get("packageManager") or "")
        lock = next((name for name, _ in LOCK_FILES if context.is_file(name)), None)
        by_lock = dict(LOCK_FILES).get(lock or "")
        name = declared.split("@", 1)[0] if declared else (by_lock or ("bun" if bun else "npm"))
        if declared:
            evidence.append(Evidence("package.json", f"packageManager {declared}"))
        elif lock:
            evidence.append(Evidence(lock, f"{name} lock file"))
        if name == "yarn":
            major = declared.split("@", 1)[1].split(".")[0] if "@" in declared else ""
            if (major.isdigit() and int(major) >= 2) or context.is_file(".yarnrc.yml"):
                return "yarn-berry", lock
            return "yarn", lock
        if name == "npm" and lock is None:
            return "npm-nolock", None
        return (name if name in MANAGERS else "npm"), lock

    @staticmethod
    def _static_out_dir(context: BuildContext, tool: str, default: str) -> str:
        if tool == "vite":
            for name in ("vite.config.ts", "vite.config.js", "vite.config.mjs"):
                m = re.search(r"outDir\s*:\s*['\"]([^'\"]+)['\"]", context.read_text(name) or "")
                if m:
                    return m.group(1).strip("./") or default
        if tool == "@angular/cli":
            angular = _read_json(context, "angular.json") or {}
            projects = angular.get("projects")
            for project in projects.values() if isinstance(projects, dict) else []:
                try:
                    output = project["architect"]["build"]["options"]["outputPath"]
                except (KeyError, TypeError):
                    continue
                if isinstance(output, str):
                    return output
                if isinstance(output, dict) and isinstance(output.get("base"), str):
                    return f"{output['base']}/browser"
        return default

    @staticmethod
    def _runs_build_output(scripts: dict[str, str], package: dict[str, object]) -> bool:
        """The app starts from what its build writes (``node dist/index.js``), not from its sources."""
        start = scripts.get("start", "")
        main = str(package.get("main") or "")
        target = start or main
        return bool(re.search(r"(^|[\s/])(dist|build|out|lib|\.output)/", target)) or bool(
            re.search(r"\bnode\s+\S*\.js\b", start) and "tsc" in scripts.get("build", "")
        )

    @staticmethod
    def _built_out_dir(context: BuildContext, scripts: dict[str, str]) -> str | None:
        start = scripts.get("start", "")
        m = re.search(r"\bnode\s+(?:\S+\s+)*?\.?/?([\w@.-]+)/[\w./-]+\.(?:c|m)?js\b", start)
        if m:
            return m.group(1)
        tsconfig = context.read_text("tsconfig.json") or ""
        m = re.search(r"\"outDir\"\s*:\s*\"\.?/?([^\"]+?)/?\"", tsconfig)
        if m:
            return m.group(1)
        return "dist" if context.is_dir("dist") or "tsc" in scripts.get("build", "") else None

    def _version(
        self, context: BuildContext, package: dict[str, object], image: ImageRef | None, stage: Stage | None, evidence: list[Evidence]
    ) -> tuple[str, str]:
        known = images.versions(self.name)
        candidates: list[tuple[str, str]] = []
        if image is not None and image.path == "node":
            tag = (image.tag or "").lower()
            m = re.match(r"^(\d+)", tag)
            if m:
                candidates.append((m.group(1), f"the original base image {image} (line {stage.from_.line if stage else '?'})"))
            elif tag.startswith(("lts", "current", "latest")) or not tag or tag in ("alpine", "slim", "bookworm", "bullseye"):
                candidates.append((known[-1], f"the original base image {image}: the newest Node in the catalogue"))
        for name in (".nvmrc", ".node-version"):
            text = (context.read_text(name) or "").strip().lower()
            if not text:
                continue
            alias = text.removeprefix("lts/")
            major = NVM_ALIASES.get(alias) or (re.match(r"^v?(\d+)", text) or [None, None])[1]
            if major is None and text.startswith("lts"):
                major = known[-1]
            if major:
                candidates.append((major, f"{name} ({text})"))
                evidence.append(Evidence(name, f"Node {text}"))
        engines = package.get("engines")
        wanted = engines.get("node") if isinstance(engines, dict) else None
        if isinstance(wanted, str):
            numbers = [int(n) for n in re.findall(r"(?<![\d.])(\d+)(?:\.[\dx*]+)*", wanted)]
            if numbers:
                major = str(max(numbers)) if wanted.strip().startswith((">", "^", "~")) or "||" in wanted else str(numbers[0])
                candidates.append((major, f"package.json engines.node ({wanted})"))
        if candidates:
            version, source = candidates[0]
        else:
            version, source = known[-1], "no version given anywhere: the newest Node in the catalogue"
        if version not in known:
            nearest = min(known, key=lambda k: abs(int(k) - int(version)) + (0.5 if int(k) < int(version) else 0))
            source += f"; Node {version} has no image in the catalogue, so Node {nearest}"
            version = nearest
        return version, source

    # -- planning hooks -----------------------------------------------------------------------------

    def base_defaults(self, image: ImageRef | None) -> BaseDefaults:
        return BaseDefaults(workdir="/", env=(("PATH", _NODE_PATH), ("HOME", "/root")))

    def facts(self, inp: PlanInput) -> NodeFacts:
        facts = inp.detection.facts
        assert isinstance(facts, NodeFacts)
        return facts

    def builder_image(self, inp: PlanInput, runtime_family: str | None) -> tuple[BaseImage, str]:
        facts = self.facts(inp)
        flavor = _flavor(inp.image)
        if facts.bun:
            row = images.row({"full": "bun-full", "slim": "bun-slim", "alpine": "bun-alpine"}[flavor])
            return row, f"Bun {row.version}, the original's {flavor} flavour"
        row = images.row(f"node-{inp.detection.version}-{flavor}")
        return row, f"Node {row.version} from {inp.detection.version_source}; the original's {flavor} flavour"

    def is_build_env(self, inp: PlanInput, name: str) -> bool:
        if self._start(inp).static:
            return True  # nginx reads no application environment
        return name in BUILD_ENV or name.startswith(BUILD_ENV_PREFIXES) or name.startswith(("npm_config_", "NPM_CONFIG_", "YARN_"))

    def is_manifest_copy(self, record: CopyRecord) -> bool:
        return bool(record.sources) and all(
            posixpath.basename(s) in MANIFESTS or re.fullmatch(r"package\*?\.json|\*\.json", posixpath.basename(s)) is not None
            for s in record.sources
        )

    def runtime_workdir(self, inp: PlanInput, workdir: str | None) -> str | None:
        return None if self._start(inp).static else workdir  # nginx serves from its own folder

    def copy_to_runtime(self, inp: PlanInput, walked: Walked) -> str | None:
        """An unbuilt server runs its sources: the runtime copies them as the original did."""
        if self._start(inp).static or self.facts(inp).kind is not Kind.SERVER:
            return None
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
            if any(_project_install(c.argv) for c in w.commands):
                return index
        return None

    def _moves_install(self, inp: PlanInput) -> bool:
        """The install runs after the sources are copied: stagify moves it before them."""
        index = self._install_index(inp)
        first = inp.first_source
        if index is None or first is None or index < first:
            return False
        w = inp.walked[index]
        return all(_project_install(c.argv) or _is_setup(c.argv) for c in w.commands)

    def rewrite_run(self, inp: PlanInput, walked: Walked) -> RunRewrite | None:
        ins = walked.instruction
        commands = list(walked.commands)
        install = [c for c in commands if _project_install(c.argv)]
        builds = [c for c in commands if _runs_script(c.argv, "build") or _runs_script(c.argv, "generate")]
        manager = self._manager_of(inp)
        runtime_text = self._runtime_tools(inp, commands, manager)
        if install:
            if self._moves_install(inp) and inp.walked.index(walked) == self._install_index(inp):
                return RunRewrite(
                    text="",
                    reason="installs the dependencies: moved before the sources (after package.json and the lock file) "
                    "so the layer stays cached",
                    drop=True,
                )
            text = ins.raw
            for command in install:
                text = _replace(text, command.text, _with_user_flags(manager.install, command.argv), inp.dockerfile.escape)
            mounts = (Mount(manager.cache),) if _is_root(walked.state.user) else ()
            text = with_mounts(text, ins.flags, mounts, inp.dockerfile.escape)
            reason = f"installs every dependency for the build: {manager.install}, lock file frozen, cache mount"
            if not self.facts(inp).lock_file:
                reason = f"installs every dependency for the build: {manager.install} (no lock file), cache mount"
            return RunRewrite(text=text, reason=reason, builds=bool(builds))
        if builds:
            return RunRewrite(text=_upper(ins.raw), reason="builds the application", builds=True)
        if runtime_text:
            return RunRewrite(
                text=_upper(ins.raw),
                reason="installs a command-line tool the start command runs: the runtime installs it too",
                runtime_text=runtime_text,
            )
        return None

    def _runtime_tools(self, inp: PlanInput, commands: list[shell.Command], manager: Manager) -> str | None:
        """``npm install -g serve`` when the container starts ``serve``: the runtime needs it as well."""
        start = self._start(inp).argv
        program = start[0].rsplit("/", 1)[-1] if start else ""
        wanted = [c for c in commands if program and program in _global_packages(c.argv)]
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
            if _project_install(command.argv):
                text = _replace(text, command.text, _with_user_flags(manager.install, command.argv), inp.dockerfile.escape)
        mounts = (Mount(manager.cache),) if _is_root(w.state.user) else ()
        facts = self.facts(inp)
        manifests = tuple(n for n in ("package.json", facts.lock_file, ".npmrc", ".yarnrc.yml") if n and inp.context.is_file(n))
        return InstallLayer(manifests=manifests, install=Line(with_mounts(text, w.instruction.flags, mounts, inp.dockerfile.escape)))

    # -- start command --------------------------------------------------------------------------------

    def _start(self, inp: PlanInput) -> Start:
        return _start_of(inp, self.facts(inp))

    def rewrite_start(
        self, inp: PlanInput, argv: tuple[str, ...], state: State, artifacts: tuple[Artifact, ...]
    ) -> StartRewrite | None:
        start = self._start(inp)
        if start.argv == argv and not start.dev_to_prod:
            return None
        build = None
        if self._needs_build_step(inp):
            manager = self.facts(inp).manager.removesuffix("-nolock").replace("npm6", "npm")
            build = Line(text=f"RUN {manager} run build", comments=("# The runtime serves the build output, so the builder builds it",))
        if start.argv is None:
            return StartRewrite(argv=(), reason=start.reason, build=build, drop=True)
        return StartRewrite(argv=start.argv, reason=start.reason, build=build)

    def _needs_build_step(self, inp: PlanInput) -> bool:
        facts = self.facts(inp)
        if facts.kind in (Kind.SERVER,) or not facts.script("build"):
            return False
        return not any(_runs_script(c.argv, "build") for w in inp.walked for c in w.commands)

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
            row = images.row("nginx-alpine" if alpine else "nginx")
            return row, f"nginx serves the {facts.framework or 'static'} build output as files; no Node at run time"
        if facts.bun:
            row = images.row("bun-alpine" if alpine else "bun-slim")
            return row, "Bun slim: the runtime without the build tools"
        row = images.row(f"node-{inp.detection.version}-{'alpine' if alpine else 'slim'}")
        return row, f"Node {row.version} {'alpine' if alpine else 'slim'}: the same Node without compilers and build tools"

    def _app_dir(self, inp: PlanInput) -> str:
        """The folder of the app in the builder: where the dependencies are installed."""
        index = self._install_index(inp)
        if index is not None and not self._moves_install(inp):
            return inp.walked[index].state.workdir
        where = image_path(list(inp.copies), "package.json", inp.context)
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
            out.append(Artifact(path=static.config, dest="/etc/nginx/conf.d/default.conf", reason="nginx listens where the original did"))
            return out
        runtime_app = inp.walked[-1].state.workdir if inp.walked else app
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
        if start.needs_dev_dependencies:
            out.append(Artifact(path=f"{app}/node_modules", dest=f"{runtime_app}/node_modules", reason="every dependency: the start command needs a development tool"))
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
            if inp.context.is_dir(folder) and image_path(list(inp.copies), folder, inp.context):
                out.append(Artifact(path=f"{app}/{folder}", dest=f"{runtime_app}/{folder}", reason=f"{folder}/, read at run time"))
        if any("prisma generate" in c.text for w in inp.walked for c in w.commands):
            out.append(Artifact(path=f"{app}/node_modules/.prisma", dest=f"{runtime_app}/node_modules/.prisma", reason="the generated Prisma client"))
        return out

    def runtime_files(self, inp: PlanInput) -> list[tuple[str, str]]:
        return []  # runtime_artifacts names them, from the build stages

    def dockerignore(self, inp: PlanInput) -> list[str]:
        facts = self.facts(inp)
        lines = ["node_modules", "npm-debug.log*", "yarn-debug.log*", "yarn-error.log*", ".pnpm-debug.log*", "coverage", ".nyc_output", ".eslintcache", "*.log"]
        built = any(_runs_script(c.argv, "build") for w in inp.walked for c in w.commands) or self._needs_build_step(inp)
        if built:
            for folder in (facts.out_dir, ".next", ".nuxt", ".output", "build", "dist"):
                if folder and folder not in lines and not _named_by_start(facts, folder):
                    lines.append(folder)
        return lines

    def template_data(self, inp: PlanInput, runtime: BaseImage, dependencies: object | None) -> object:
        start = self._start(inp)
        facts = self.facts(inp)
        static = StaticSite(port=_exposed_port(inp) or "8080") if start.static else None
        artifacts = self.runtime_artifacts(inp, runtime)
        deps = self._deps_stage(inp) if any(a.stage == "deps" for a in artifacts) else None
        user_sets_env = any(
            name == "NODE_ENV" for w in inp.walked if w.instruction.keyword is Keyword.ENV for name, _ in env_pairs(w.instruction.args)
        )
        return NodeTemplateData(
            layer=dependencies if isinstance(dependencies, InstallLayer) else None,
            deps=deps,
            static=static,
            node_env=not start.static and not user_sets_env,
            next_standalone=facts.kind is Kind.NEXT and facts.next_standalone,
        )

    def _deps_stage(self, inp: PlanInput) -> DepsStage:
        """A stage with only production dependencies, set up the way the original set up its install."""
        manager = self._manager_of(inp)
        builder, _ = self.builder_image(inp, None)
        install_at = self._install_index(inp)
        setup: list[Line] = []
        for index, w in enumerate(inp.walked):
            if install_at is not None and index >= install_at:
                break
            ins = w.instruction
            if ins.keyword in (Keyword.ENV, Keyword.ARG, Keyword.SHELL, Keyword.USER) or (ins.keyword is Keyword.RUN and (packages.installs(list(w.commands)) or all(_is_setup(c.argv) for c in w.commands))):
                setup.append(Line(_upper(ins.raw), ins.comments))
        install_line = ""
        if install_at is not None:
            w = inp.walked[install_at]
            text = w.instruction.raw
            for command in w.commands:
                if _project_install(command.argv):
                    text = _replace(text, command.text, _with_user_flags(manager.install_prod, command.argv), inp.dockerfile.escape)
                elif _runs_any_script(command.argv):
                    text = _replace(text, command.text, "true", inp.dockerfile.escape)  # build steps do not belong here
            install_line = text
        else:
            install_line = f"RUN {manager.install_prod}"
        if manager.corepack and not any("corepack" in line.text for line in setup) and "corepack" not in install_line:
            setup.append(Line("RUN corepack enable", ("# The package manager comes from corepack",)))
        mounts = (Mount(manager.cache),) if _is_root(inp.walked[install_at].state.user if install_at is not None else None) else ()
        install = Line(with_mounts(install_line if install_line.startswith("RUN") else _upper(install_line), (), mounts, inp.dockerfile.escape))
        facts = self.facts(inp)
        manifests = tuple(name for name in ("package.json", facts.lock_file, ".npmrc", ".yarnrc.yml", "pnpm-workspace.yaml") if name and inp.context.is_file(name))
        return DepsStage(image=builder.reference, setup=tuple(setup), manifests=manifests, install=install, workdir=self._app_dir(inp))


@lru_cache(maxsize=64)
def _start_of(inp: PlanInput, facts: NodeFacts) -> Start:
    """Resolve the original's start command through package.json into what the runtime runs."""
    commands = [w for w in inp.walked if w.instruction.keyword in (Keyword.CMD, Keyword.ENTRYPOINT)]
    argv: tuple[str, ...] = ()
    for w in commands:
        ins = w.instruction
        words = ins.exec_form if ins.exec_form is not None else tuple(shell.words(ins.args) or ins.args.split())
        argv = words if ins.keyword is Keyword.ENTRYPOINT or not argv else argv
        if ins.keyword is Keyword.CMD:
            argv = words
    if not argv:
        script = facts.script("start")
        if facts.kind is Kind.STATIC:
            return Start(argv=None, reason="nginx serves the build output", static=True)
        if script:
            return _resolve_script(facts, script, "start", 0)
        return Start(argv=("node", facts.main or "server.js"), reason="npm's default start: node " + (facts.main or "server.js"))
    return _resolve(facts, argv, 0)


def _resolve(facts: NodeFacts, argv: tuple[str, ...], depth: int) -> Start:
    program = argv[0].rsplit("/", 1)[-1] if argv else ""
    if program in ("npm", "yarn", "pnpm", "bun") and depth < 4:
        name = _script_name(program, argv)
        if name is not None:
            script = facts.script(name)
            if script is None:
                if name == "start":
                    return Start(argv=("node", "server.js"), reason=f"{' '.join(argv)} runs npm's default start, node server.js")
                return Start(argv=argv, reason=f"package.json has no {name!r} script", keeps_npm=True)
            extra = _script_args(program, argv)
            return _resolve_script(facts, script, name, depth, extra)
    if program == "npx" and len(argv) > 1:
        tool = argv[1]
        if tool in facts.dependencies or tool in facts.dev_dependencies or tool == "next":
            return _resolve(facts, (f"node_modules/.bin/{tool}", *argv[2:]), depth + 1)
    return _resolve_words(facts, argv, f"{' '.join(argv)}")


def _resolve_script(facts: NodeFacts, script: str, name: str, depth: int, extra: tuple[str, ...] = ()) -> Start:
    env: list[str] = []
    text = script.strip()
    words = shell.words(text) or []
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        env.append(words.pop(0))
    rest = " ".join(words)
    if shell.has_shell_features(rest) or not words:
        return Start(
            argv=(_manager_name(facts), "run", name, *extra),
            reason=f"the {name!r} script is a shell line ({script}); npm runs it, as before",
            keeps_npm=True,
            needs_dev_dependencies=_uses_dev_tool(facts, script),
        )
    resolved = _resolve(facts, (*words, *extra), depth + 1)
    if env and resolved.argv is not None:
        return replace(resolved, argv=("env", *env, *resolved.argv), reason=f"{resolved.reason} (from the {name!r} script)")
    return replace(resolved, reason=f"{resolved.reason} (from the {name!r} script: {script})")


def _resolve_words(facts: NodeFacts, argv: tuple[str, ...], said: str) -> Start:
    program = argv[0].rsplit("/", 1)[-1] if argv else ""
    rest = argv[1:]
    if program in WATCHERS:
        target = [w for w in rest if not w.startswith("-")]
        entry = target[0] if target else (facts.main or "index.js")
        return Start(argv=("node", entry), reason=f"{said} watches for changes, a development tool: node {entry} instead", dev_to_prod=True)
    if program == "next":
        port = _flag_value(rest, ("-p", "--port"))
        if rest[:1] == ("dev",) or rest[:1] == ("start",) or not rest:
            if facts.next_standalone:
                return Start(argv=("node", "server.js"), reason="the Next.js standalone server", dev_to_prod=rest[:1] == ("dev",))
            args = ("start", *(("-p", port) if port else ()))
            return Start(argv=("node_modules/.bin/next", *args), reason="next start on the production build", dev_to_prod=rest[:1] == ("dev",))
    if program in ("nuxt", "nuxi"):
        return Start(argv=("node", ".output/server/index.mjs"), reason="the Nuxt production server", dev_to_prod=rest[:1] == ("dev",))
    if facts.kind is Kind.STATIC and (program in DEV_SERVERS or (program == "vite" and rest[:1] != ("preview",))):
        return Start(argv=None, reason=f"{said} is a development server: nginx serves the production build instead", static=True, dev_to_prod=True)
    if program in TS_RUNNERS:
        return Start(argv=(f"node_modules/.bin/{program}", *rest), reason=f"{said} compiles TypeScript at start: kept, with its development dependencies", needs_dev_dependencies=program in facts.dev_dependencies)
    if program in ("node", "bun"):
        return Start(argv=argv, reason=said)
    if program in facts.dependencies or program in facts.dev_dependencies or program in STATIC_SERVERS:
        local = program in facts.dependencies or program in facts.dev_dependencies
        path = f"node_modules/.bin/{program}" if local else program
        return Start(argv=(path, *rest), reason=f"{said} runs a package's command", needs_dev_dependencies=program in facts.dev_dependencies)
    return Start(argv=argv, reason=said)


def _script_name(program: str, argv: tuple[str, ...]) -> str | None:
    args = [a for a in argv[1:] if not a.startswith("-")]
    if not args:
        return None
    if args[0] in ("start", "test") and program in ("npm", "yarn", "pnpm"):
        return args[0]
    if args[0] == "run" and len(args) > 1:
        return None if _is_file_path(args[1]) else args[1]
    if program in ("yarn", "pnpm", "bun") and args[0] not in ("install", "add", "i", "ci") and not _is_file_path(args[0]):
        return args[0]
    return None


def _is_file_path(word: str) -> bool:
    """``bun run src/index.ts`` runs a file, not a script."""
    return "/" in word or word.endswith((".js", ".mjs", ".cjs", ".ts", ".mts", ".tsx"))


def _script_args(program: str, argv: tuple[str, ...]) -> tuple[str, ...]:
    if "--" in argv:
        return argv[argv.index("--") + 1 :]
    return ()


def _manager_name(facts: NodeFacts) -> str:
    return "bun" if facts.bun else facts.manager.removesuffix("-nolock").removesuffix("-berry").replace("npm6", "npm")


def _uses_dev_tool(facts: NodeFacts, script: str) -> bool:
    return any(re.search(rf"(^|[\s&|;]){re.escape(tool)}(\s|$)", script) for tool in facts.dev_dependencies)


def _flag_value(args: tuple[str, ...], names: tuple[str, ...]) -> str | None:
    for i, word in enumerate(args):
        if word in names and i + 1 < len(args):
            return args[i + 1]
        for name in names:
            if word.startswith(name + "="):
                return word.split("=", 1)[1]
    return None


def _named_by_start(facts: NodeFacts, folder: str) -> bool:
    start = facts.script("start") or ""
    return re.search(rf"(^|[\s/]){re.escape(folder)}/", start) is not None and facts.kind is Kind.SERVER


def _project_install(argv: tuple[str, ...]) -> bool:
    """``npm install``/``npm ci``/``yarn``/``pnpm i``/``bun install`` of the project (not of named packages)."""
    if not argv:
        return False
    program = argv[0].rsplit("/", 1)[-1]
    args = [a for a in argv[1:] if not a.startswith("-")]
    flags = [a for a in argv[1:] if a.startswith("-")]
    if any(f in ("-g", "--global") for f in flags):
        return False
    if program == "npm":
        return bool(args) and args[0] in ("install", "i", "ci") and len(args) == 1
    if program == "yarn":
        return not args or (args[0] == "install" and len(args) == 1)
    if program == "pnpm":
        return bool(args) and args[0] in ("install", "i") and len(args) == 1
    if program == "bun":
        return bool(args) and args[0] in ("install", "i") and len(args) == 1
    return False


def _is_setup(argv: tuple[str, ...]) -> bool:
    """Commands that prepare the package manager: global tool installs, corepack."""
    if not argv:
        return False
    program = argv[0].rsplit("/", 1)[-1]
    if program == "corepack":
        return True
    if program in ("npm", "pnpm") and any(a in ("-g", "--global") for a in argv):
        return True
    return program == "yarn" and argv[1:2] == ("global",)


def _global_packages(argv: tuple[str, ...]) -> set[str]:
    """The package names of ``npm install -g x``, ``yarn global add x``, ``pnpm add -g x`` (versions dropped)."""
    if not _is_setup(argv):
        return set()
    names = [a for a in argv[1:] if not a.startswith("-") and a not in ("install", "i", "add", "global")]
    return {n.rsplit("@", 1)[0] if n.rfind("@") > 0 else n for n in names}


def _runs_any_script(argv: tuple[str, ...]) -> bool:
    """A command that runs the project's code or scripts (a build), which a deps stage must not."""
    if not argv:
        return False
    program = argv[0].rsplit("/", 1)[-1]
    args = [a for a in argv[1:] if not a.startswith("-")]
    if program in ("npx", "node", "tsc"):
        return True
    if program in ("npm", "pnpm", "bun") and args[:1] in (["run"], ["run-script"], ["exec"], ["x"]):
        return True
    return program == "yarn" and bool(args) and args[0] not in ("install", "global", "config", "cache")


def _runs_script(argv: tuple[str, ...], name: str) -> bool:
    if not argv:
        return False
    program = argv[0].rsplit("/", 1)[-1]
    args = [a for a in argv[1:] if not a.startswith("-")]
    if program in ("npm", "pnpm", "bun") and args[:2] == ["run", name]:
        return True
    return program in ("yarn", "pnpm") and args[:1] == [name]


def _with_user_flags(install: str, argv: tuple[str, ...]) -> str:
    kept = [a for a in argv[1:] if a.startswith("-") and not _DROPPED_INSTALL_FLAGS.match(a)]
    return " ".join([install, *kept])


def _replace(raw: str, segment: str, new: str, escape: str) -> str:
    words = segment.split()
    gap = r"(?:\s|" + re.escape(escape) + r"\n)+"
    m = re.search(gap.join(re.escape(w) for w in words), raw)
    return raw if not m else raw[: m.start()] + new + raw[m.end() :]


def _upper(raw: str) -> str:
    stripped = raw.lstrip()
    word = stripped.split(None, 1)[0]
    return word.upper() + stripped[len(word) :]


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


NODE = NodeLanguage()

__all__ = ["NODE", "Kind", "Level", "NodeFacts", "NodeLanguage", "Note"]
