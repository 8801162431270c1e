"""What a Node build context says: package.json, the package manager and lock file, the kind of app, the Node version.

The tables of what stagify knows about the Node ecosystem (managers, lock files,
frameworks, build tools) live here with :class:`NodeFacts`, which detection fills once.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from enum import Enum

from ...context.buildcontext import BuildContext
from ...dockerfile.model import Stage
from ...errors import StagifyError
from ...images import catalogue, ranges
from ...images.reference import ImageRef
from ...patterns import Pattern
from ..base import SQLITE_SUFFIX, WriteCall
from ..detection import Evidence
from .commands import script_name


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
# A script runs a build when its body runs one of these compilers or bundlers once (not in watch mode):
# `"build-ts": "tsc -b"` builds as `"build"` does, whatever the script is called.
_BUILD_TOOL = Pattern(
    r"(^|[;&|(]\s*|\s)(npx\s+)?(tsc|nest\s+build|webpack|rollup|esbuild|babel|swc|tsup|ncc\s+build|vite\s+build|next\s+build"
    r"|nuxt\s+build|parcel\s+build|ng\s+build|react-scripts\s+build|vue-cli-service\s+build)(\s|$)"
)
_WATCH = Pattern(r"(^|\s)(-w|--watch)(\s|$)")
_JS_PATH = r"""\(\s*(?P<q>['"`])(?P<path>[^'"`$\n]+)(?P=q)"""
# Calls that create a folder, or write a file, at a literal path (relative: to process.cwd(), the working folder).
# multer creates its upload folder (dest) when it starts.
WRITE_CALLS = (
    WriteCall(Pattern(r"\b(?:fs(?:\.promises)?\.|fsp\.)?mkdir(?:Sync)?" + _JS_PATH), True, "fs.mkdir"),
    # A SQLite file named as the default of a variable (`process.env.DB || '/etc/todos/todo.db'`): whatever opens
    # it creates the file and its journal beside it, so its folder is written at run time.
    WriteCall(Pattern(r"\bprocess\.env(?:\.\w+|\[[^\]\n]+\])\s*(?:\|\||\?\?)\s*(?P<q>['\"`])"
                      rf"(?P<path>[^'\"`$\n]+{SQLITE_SUFFIX})(?P=q)"), False, "a default SQLite path"),
    WriteCall(Pattern(r"\bmulter\(\s*\{\s*dest\s*:\s*(?P<q>['\"`])(?P<path>[^'\"`$\n]+)(?P=q)"), True, "multer"),
    WriteCall(Pattern(r"\b(?:fs(?:\.promises)?\.|fsp\.)?(?:writeFile|appendFile|createWriteStream)(?:Sync)?" + _JS_PATH), False,
              "fs.writeFile"),
)
# Tests, build output and configuration files are not the application's code.
NOT_THE_APP = Pattern(r"(^|/)(tests?|__tests__|spec|coverage|dist|build|\.next|out)/|\.(test|spec)\.[cm]?[jt]sx?$|\.config\.[cm]?[jt]s$")
NATIVE_ADDONS = ("bcrypt", "sqlite3", "better-sqlite3", "canvas", "node-sass", "argon2", "bufferutil", "utf-8-validate", "sharp", "re2", "cpu-features", "ssh2", "zeromq", "leveldown")
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
    # What the project's install reads besides package.json and the lock file: ("script", why) for a
    # postinstall-like script, ("local", why) for a file: dependency or workspaces; empty: the manifests only.
    install_reads: tuple[tuple[str, str], ...] = ()
    # An install makes node_modules, even a production one that leaves the development packages out, when
    # package.json names a package (of any kind) or workspaces; without one, npm makes no node_modules at all.
    installs_packages: bool = True

    def script(self, name: str) -> str | None:
        return dict(self.scripts).get(name)

    @property
    def build_scripts(self) -> tuple[str, ...]:
        """The scripts that build: ``build``, and any other whose body runs a compiler or bundler once."""
        return build_scripts(dict(self.scripts))

    def depends_on(self, name: str) -> bool:
        return name in self.dependencies or name in self.dev_dependencies


# The env files a package loads when the build runs (a front end's production build) or the app starts (dotenv):
# a secret-looking one of them that the original copied is a build input (plan/buildinputs.py keeps it).
_PRODUCTION_ENV = (".env", ".env.local", ".env.production", ".env.production.local")
ENV_LOADERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "next": ("Next.js", _PRODUCTION_ENV),
    "vite": ("Vite", _PRODUCTION_ENV),
    "react-scripts": ("Create React App", _PRODUCTION_ENV),
    "@vue/cli-service": ("Vue CLI", _PRODUCTION_ENV),
    "gatsby": ("Gatsby", (".env.production",)),
    "nuxt": ("Nuxt", (".env",)),
    "dotenv": ("dotenv", (".env",)),
}


def env_reader(context: BuildContext, rel: str) -> str | None:
    """The package that loads the env file ``rel``, declared in the package.json beside it, or None."""
    folder, name = posixpath.split(rel)
    package = read_json(context, posixpath.join(folder, "package.json"))
    if package is None:
        return None
    deps: set[str] = set()
    for key in ("dependencies", "devDependencies"):
        value = package.get(key)
        if isinstance(value, dict):
            deps |= set(value)
    for dep, (tool, files) in ENV_LOADERS.items():
        if dep in deps and name in files:
            return f"{tool} ({dep} in {posixpath.join(folder, 'package.json')})"
    return None


def script_texts(context: BuildContext) -> list[tuple[str, str]]:
    """The package.json scripts, (what, command), whose commands may name the files they read."""
    package = read_json(context, "package.json")
    scripts = package.get("scripts") if package is not None else None
    if not isinstance(scripts, dict):
        return []
    return [(f"the package.json script '{name}'", str(body)) for name, body in scripts.items()]


def read_json(context: BuildContext, rel: str) -> dict[str, object] | None:
    """A JSON object file of the build context; None when it is missing, invalid or not an object."""
    text = context.read_text(rel)
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    except RecursionError:
        raise context.too_deep(rel) from None
    return value if isinstance(value, dict) else None


def _names(value: object) -> tuple[str, ...]:
    return tuple(sorted(value)) if isinstance(value, dict) else ()


def gather_facts(context: BuildContext, package: dict[str, object], image: ImageRef | None, evidence: list[Evidence],
                 ran: str | None = None, starts: tuple[tuple[str, ...], ...] = ()) -> NodeFacts:
    """What package.json and the build context say: scripts, dependencies, manager, kind of app, build output.

    ``ran`` is the package manager the Dockerfile's own install runs (npm, yarn, pnpm, bun), if any; ``starts``
    are the commands its CMD and ENTRYPOINT lines run.
    """
    scripts_value = package.get("scripts")
    scripts = tuple((str(k), str(v)) for k, v in scripts_value.items()) if isinstance(scripts_value, dict) else ()
    deps = _names(package.get("dependencies"))
    dev = _names(package.get("devDependencies"))
    bun = image is not None and image.path == "oven/bun"
    manager, lock = _manager(context, package, bun, evidence, ran)
    every = set(deps) | set(dev)
    kind, framework, out_dir = Kind.SERVER, None, None
    scripts_map = dict(scripts)
    build = next((scripts_map[name] for name in build_scripts(scripts_map)), "")
    if "next" in every:
        kind, framework, out_dir = Kind.NEXT, "Next.js", ".next"
    elif "nuxt" in every or "nuxt3" in every:
        kind, framework, out_dir = Kind.NUXT, "Nuxt", ".output"
    elif not any(f in every for f in SERVER_FRAMEWORKS) and any(t in every for t in STATIC_TOOLS):
        tool = next(t for t in STATIC_TOOLS if t in every)
        framework, out_dir = STATIC_TOOLS[tool]
        kind = Kind.STATIC
        out_dir = _static_out_dir(context, tool, out_dir)
    elif build and _runs_build_output(context, scripts_map, package, build, starts):
        kind = Kind.BUILT_SERVER
        framework = next((f for f in SERVER_FRAMEWORKS if f in every), None)
        out_dir = _built_out_dir(context, scripts_map, build)
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
        install_reads=install_reads(context, package),
        installs_packages=any(_names(package.get(key)) for key in _PACKAGE_FIELDS)
        or bool(package.get("workspaces")),
    )


# The package.json fields that name packages: any of them makes npm, yarn and pnpm write node_modules (a production
# install leaving the development ones out still writes its own lock file there).
_PACKAGE_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


# The project's own scripts npm, yarn, pnpm and bun run when they install it (not with --ignore-scripts).
INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare")
_LOCAL_SPEC = Pattern(r"^(file:|link:|portal:|\.{0,2}/)")


def install_reads(context: BuildContext, package: dict[str, object]) -> tuple[tuple[str, str], ...]:
    """What installing the project reads besides its manifests: (``script`` or ``local``, where it is said)."""
    found: list[tuple[str, str]] = []
    scripts = package.get("scripts")
    if isinstance(scripts, dict):
        found += [("script", f"package.json's {name} script ({scripts[name]})") for name in INSTALL_SCRIPTS
                  if isinstance(scripts.get(name), str)]
    for field in ("dependencies", "devDependencies", "optionalDependencies", "resolutions", "overrides"):
        specs = package.get(field)
        if isinstance(specs, dict):
            found += [("local", f"the local dependency {name} ({spec})") for name, spec in specs.items()
                      if isinstance(spec, str) and (_LOCAL_SPEC.match(spec) or "#./" in spec or spec.startswith("patch:"))]
    # Yarn 2+ runs the release and plugins its settings name from the repository (.yarn/releases, .yarn/plugins).
    yarnrc = context.read_text(".yarnrc.yml") or ""
    found += [("local", f".yarnrc.yml's {m.group(1)} ({m.group(2)})")
              for m in re.finditer(r"^\s*-?\s*(yarnPath|path):\s*['\"]?([^'\"\s]+)", yarnrc, re.M)]
    if package.get("workspaces"):
        found.append(("local", "package.json's workspaces"))
    if context.is_file("pnpm-workspace.yaml"):
        found.append(("local", "pnpm-workspace.yaml's workspaces"))
    return tuple(found)


def _manager(context: BuildContext, package: dict[str, object], bun: bool, evidence: list[Evidence],
             ran: str | None = None) -> tuple[str, str | None]:
    declared = str(package.get("packageManager") or "")
    lock = next((name for name, _ in LOCK_FILES if context.is_file(name)), None)
    by_lock = dict(LOCK_FILES).get(lock or "")
    name = declared.split("@", 1)[0] if declared else (by_lock or ("bun" if bun else "npm"))
    if ran is not None and ran != name:
        # The manager the original runs is the one that installs: a lock file of another manager
        # lying in the repository was not used by the original build, and may not even resolve.
        own = next((n for n, manager in LOCK_FILES if manager == ran and context.is_file(n)), None)
        evidence.append(Evidence(lock or "package.json", f"the Dockerfile runs {ran}; {lock or declared} is not what it installs from"))
        if ran == "npm":
            return ("npm" if own else "npm-nolock"), own
        if ran == "yarn":
            return ("yarn-berry" if context.is_file(".yarnrc.yml") else "yarn"), own
        return ran, own
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


def _static_out_dir(context: BuildContext, tool: str, default: str) -> str:
    if tool == "vite":
        for name in ("vite.config.ts", "vite.config.js", "vite.config.mjs"):
            m = re.search(r"outDir\s*:\s*['\"]([^'\"]+)['\"]", context.read_text(name) or "")
            if m:
                return m.group(1).strip("./") or default
    if tool == "@angular/cli":
        angular = read_json(context, "angular.json") or {}
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


def build_scripts(scripts: dict[str, str]) -> tuple[str, ...]:
    """``build`` first, then the scripts whose body compiles or bundles once (``tsc -b``, ``nest build``), in order."""
    others = [name for name, body in scripts.items()
              if name != "build" and _BUILD_TOOL.search(body) and not _WATCH.search(body)]
    return (*(["build"] if "build" in scripts else []), *others)


def _runs_build_output(context: BuildContext, scripts: dict[str, str], package: dict[str, object], build: str,
                       starts: tuple[tuple[str, ...], ...] = ()) -> bool:
    """The app starts from what its build writes (``node dist/index.js``), not from its sources.

    What starts is the Dockerfile's own CMD/ENTRYPOINT when it has one (``npm run start:prod`` running
    ``node dist/main``, ``node dist/main.js``), else the ``start`` script or ``main``. A ``node FILE.js``
    after a ``tsc`` build starts the build's output when the build context has no such file.
    """
    started = [text for argv in starts for text in (" ".join(argv), *_scripts_run(scripts, argv))]
    texts = started or [scripts.get("start", "") or str(package.get("main") or "")]
    if any(re.search(r"(^|[\s/])(dist|build|out|lib|\.output)/", text) for text in texts):
        return True
    if "tsc" not in build:
        return False
    files = [posixpath.normpath(m.group(1)).lstrip("/")
             for text in (started or [scripts.get("start", "")]) for m in re.finditer(r"\bnode\s+(\S*\.js)\b", text)]
    if not files:
        return False
    # A path in the image (/app/server.js) is the context's file when it ends with one.
    sources = [f for f in context.walk() if f.endswith(".js")]
    return any(not any(f == s or f.endswith("/" + s) for s in sources) for f in files)


def _scripts_run(scripts: dict[str, str], argv: tuple[str, ...]) -> list[str]:
    """The body of the package.json script a command runs (``npm start``, ``npm run start:prod``, ``yarn serve``)."""
    program = argv[0].rsplit("/", 1)[-1] if argv else ""
    name = script_name(program, argv) if program in ("npm", "yarn", "pnpm", "bun") else None
    return [scripts[name]] if name is not None and name in scripts else []


def _built_out_dir(context: BuildContext, scripts: dict[str, str], build: str) -> str | None:
    start = scripts.get("start", "")
    m = re.search(r"\bnode\s+(?:\S+\s+)*?\.?/?([\w@.-]+)/[\w./-]+\.(?:c|m)?js\b", start)
    if m:
        return m.group(1)
    tsconfig = context.read_text("tsconfig.json") or ""
    m = re.search(r"\"outDir\"\s*:\s*\"\.?/?([^\"]+?)/?\"", tsconfig)
    if m:
        return m.group(1)
    return "dist" if context.is_dir("dist") or "tsc" in build else None


def choose_version(
    context: BuildContext, package: dict[str, object], image: ImageRef | None, stage: Stage | None, evidence: list[Evidence]
) -> tuple[str, str]:
    """The Node major version and where it comes from: the base image tag, .nvmrc/.node-version or engines.node."""
    known = catalogue.versions("node")
    releases = catalogue.releases("node")
    engines = package.get("engines")
    wanted = engines.get("node") if isinstance(engines, dict) and isinstance(engines.get("node"), str) else None
    candidates: list[tuple[str, str]] = []
    if image is not None and image.path == "node":
        tag = (image.tag or "").lower()
        head = re.split(r"[-_]", tag)[0]
        where = f"the original base image {image} (line {stage.from_.line if stage else '?'})"
        m = re.match(r"^(\d+)", tag)
        codename = ranges.node_codename_major(head)
        if m:
            candidates.append((m.group(1), where))
        elif codename:
            candidates.append((codename, where))
        else:
            # node, node:latest, node:current, node:alpine gave the newest Node when the original was built,
            # node:lts the newest LTS: the pin is the newest of those that engines.node allows (.nvmrc names
            # a local Node the image did not use).
            lts = head == "lts"
            pool = [(k, r) for k, r in releases if not lts or k in ranges.LTS_MAJORS]
            what = f"the newest {'LTS ' if lts else ''}Node in the catalogue"
            if wanted is None:
                return pool[-1][0], f"{where}, a floating tag: {what}"
            chosen = _newest_allowed(context, wanted, pool)
            return chosen, f"{where}, a floating tag: {what} that satisfies engines.node ({wanted})"
    for name in (".nvmrc", ".node-version"):
        text = (context.read_text(name) or "").strip().split("\n")[0].strip()
        if not text:
            continue
        evidence.append(Evidence(name, f"Node {text}"))
        if not candidates:
            major = _nvm_major(context, name, text, releases)
            if major is not None:
                candidates.append((major, f"{name} ({text})"))
    if wanted is not None and not candidates:
        chosen = _newest_allowed(context, wanted, releases)
        candidates.append((chosen, f"package.json engines.node ({wanted}): the newest Node that satisfies it"))
    if candidates:
        version, source = candidates[0]
    else:
        version, source = known[-1], "no version given anywhere: the newest Node in the catalogue"
    if version not in known:
        nearest = min(known, key=lambda k: abs(int(k) - int(version)) + (0.5 if int(k) < int(version) else 0))
        source += f"; Node {version} has no image in the catalogue, so Node {nearest}"
        version = nearest
    return version, source


def _nvm_major(context: BuildContext, name: str, text: str, releases: list[tuple[str, str]]) -> str | None:
    """The major an .nvmrc or .node-version names: an alias (lts/*, lts/iron, node), an exact version, or a range."""
    alias = ranges.node_alias(text)
    if alias == "lts":
        return [k for k, _ in releases if k in ranges.LTS_MAJORS][-1]
    if alias == "newest":
        return releases[-1][0]
    if alias is not None:
        return alias
    if text.lower() in ("system", "iojs"):
        return None  # whatever Node the machine has: says nothing about a version
    exact = ranges.node_exact_major(text.removeprefix("v").removeprefix("V"))
    if exact is not None:
        return exact  # a local install of that very release: the catalogue's release of its major
    return _newest_allowed(context, text, releases, where=(name, 1, name))


def _newest_allowed(context: BuildContext, wanted: str, releases: list[tuple[str, str]],
                    where: tuple[str, int | None, str] | None = None) -> str:
    """The newest catalogued major whose release satisfies an npm range; StagifyError at the range's line when none does."""
    if where is None:
        text = context.read_text("package.json") or ""
        found = re.search(r'"engines"\s*:\s*\{[^}]*?"node"\s*:', text)
        where = ("package.json", text.count("\n", 0, found.end()) + 1 if found else None, "engines.node")
    rel, line, label = where
    try:
        chosen = ranges.newest(releases, lambda release: ranges.node_allows(wanted, release))
    except ranges.RangeError as exc:
        raise StagifyError(str(context.root / rel), line, f"{label} {wanted!r}: {exc}") from None
    if chosen is None:
        listed = ", ".join(r for _, r in releases)
        raise StagifyError(str(context.root / rel), line, f"{label} {wanted!r}: no Node release in the catalogue satisfies it "
                           f"(catalogued: {listed}); name the version in the FROM line (FROM node:{releases[-1][0]}) or widen the range")
    return chosen
