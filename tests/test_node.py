"""Node.js: detection from package.json and the context, and how a Node image is split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stagify import Options, Outcome, Placement, RuntimeChoice, Status, convert
from stagify.context.buildcontext import BuildContext
from stagify.dockerfile.parse import parse
from stagify.languages.detect import detect
from stagify.languages.node.facts import Kind, NodeFacts

from .helpers import last_user, lint


def make(tmp_path: Path, files: dict[str, object]) -> Path:
    for rel, content in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content) if isinstance(content, dict) else str(content))
    return tmp_path


def facts_of(tmp_path: Path, files: dict[str, object]) -> tuple[NodeFacts, str | None, str | None]:
    root = make(tmp_path, files)
    dockerfile = parse(str(files["Dockerfile"])) if "Dockerfile" in files else None
    found = detect(BuildContext.open(root), dockerfile)
    assert found is not None and found.language == "node"
    assert isinstance(found.facts, NodeFacts)
    return found.facts, found.version, found.version_source


def run(tmp_path: Path, dockerfile: str, files: dict[str, object], **options: object) -> Outcome:
    make(tmp_path, files)
    outcome = convert(dockerfile, context=tmp_path, options=Options(**options))  # type: ignore[arg-type]
    assert outcome.status is Status.CONVERTED, outcome.error
    return outcome


def stages(outcome: Outcome) -> dict[str, str]:
    """Each stage's text by its alias."""
    text = outcome.dockerfile or ""
    out: dict[str, str] = {}
    for chunk in text.split("\nFROM ")[1:] if not text.startswith("FROM ") else ("\n" + text).split("\nFROM ")[1:]:
        head = chunk.split("\n", 1)[0]
        out[head.rsplit(" AS ", 1)[-1]] = "FROM " + chunk
    return out


def placed(outcome: Outcome, line: int) -> tuple[Placement, str]:
    for d in outcome.decisions:
        if d.instruction.line == line:
            return d.placement, d.reason
    raise AssertionError(f"no decision for line {line}")


def assert_clean(outcome: Outcome) -> None:
    result = lint(outcome.dockerfile or "")
    assert result.returncode == 0, result.stdout
    user = last_user(outcome.dockerfile or "")
    assert user is not None and user.split(":")[0] not in ("root", "0")


EXPRESS = {"name": "api", "main": "server.js", "scripts": {"start": "node server.js", "dev": "nodemon server.js"},
           "dependencies": {"express": "^4"}, "devDependencies": {"nodemon": "^3"}}
SERVER = 'require("express")().listen(3000);\n'


# -- detection ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "manager"),
    [
        ({"package-lock.json": "{}"}, "npm"),
        ({}, "npm-nolock"),
        ({"yarn.lock": ""}, "yarn"),
        ({"yarn.lock": "", ".yarnrc.yml": "nodeLinker: node-modules\n"}, "yarn-berry"),
        ({"pnpm-lock.yaml": ""}, "pnpm"),
        ({"bun.lock": "{}"}, "bun"),
    ],
    ids=["package-lock", "no lock file", "yarn classic", "yarn berry", "pnpm", "bun"],
)
def test_the_package_manager_comes_from_the_lock_file(tmp_path: Path, files: dict[str, object], manager: str) -> None:
    facts, _, _ = facts_of(tmp_path, {"package.json": EXPRESS, **files})
    assert facts.manager == manager


@pytest.mark.parametrize(
    ("declared", "manager"),
    [("pnpm@8.15.4", "pnpm"), ("yarn@4.5.0", "yarn-berry"), ("yarn@1.22.22", "yarn")],
)
def test_the_package_manager_field_wins(tmp_path: Path, declared: str, manager: str) -> None:
    facts, _, _ = facts_of(tmp_path, {"package.json": {**EXPRESS, "packageManager": declared}, "package-lock.json": "{}"})
    assert facts.manager == manager


@pytest.mark.parametrize(
    ("files", "version", "source"),
    [
        ({"Dockerfile": "FROM node:18-alpine\nCMD [\"node\", \"server.js\"]\n"}, "18", "base image"),
        ({".nvmrc": "v20.11.1\n"}, "20", ".nvmrc"),
        ({".nvmrc": "lts/iron\n"}, "20", ".nvmrc"),
        ({".node-version": "22\n"}, "22", ".node-version"),
        ({"package.json": {**EXPRESS, "engines": {"node": ">=16 <19"}}}, "18", "engines"),
        ({"package.json": {**EXPRESS, "engines": {"node": "^16.14.0"}}}, "16", "engines"),
        ({"Dockerfile": "FROM node:lts\nCMD [\"node\", \"server.js\"]\n"}, "26", "newest"),
    ],
    ids=["image tag", ".nvmrc version", ".nvmrc codename", ".node-version", "engines range", "engines caret", "lts tag"],
)
def test_the_node_version_is_read_from_where_the_project_says_it(
    tmp_path: Path, files: dict[str, object], version: str, source: str
) -> None:
    _, found, why = facts_of(tmp_path, {"package.json": EXPRESS, **files})
    assert found == version
    assert source in (why or "")


@pytest.mark.parametrize(
    ("package", "extra", "kind", "out_dir"),
    [
        (EXPRESS, {}, Kind.SERVER, None),
        ({"scripts": {"build": "tsc", "start": "node dist/index.js"}, "dependencies": {"fastify": "5"}}, {"tsconfig.json": '{"compilerOptions": {"outDir": "./dist"}}'}, Kind.BUILT_SERVER, "dist"),
        ({"scripts": {"build": "vite build", "dev": "vite"}, "devDependencies": {"vite": "5"}}, {}, Kind.STATIC, "dist"),
        ({"scripts": {"build": "vite build"}, "devDependencies": {"vite": "5"}}, {"vite.config.js": "export default { build: { outDir: 'public-out' } }"}, Kind.STATIC, "public-out"),
        ({"scripts": {"start": "react-scripts start", "build": "react-scripts build"}, "dependencies": {"react-scripts": "5"}}, {}, Kind.STATIC, "build"),
        ({"scripts": {"build": "next build"}, "dependencies": {"next": "15"}}, {}, Kind.NEXT, ".next"),
        ({"scripts": {"build": "nuxt build"}, "dependencies": {"nuxt": "3"}}, {}, Kind.NUXT, ".output"),
        ({"scripts": {"build": "vite build", "start": "node server.js"}, "dependencies": {"express": "4", "vite": "5"}}, {}, Kind.SERVER, None),
    ],
    ids=["express", "tsc-built server", "vite", "vite outDir", "create react app", "next", "nuxt", "vite with an express server"],
)
def test_the_kind_of_app_and_its_build_output(
    tmp_path: Path, package: dict[str, object], extra: dict[str, object], kind: Kind, out_dir: str | None
) -> None:
    facts, _, _ = facts_of(tmp_path, {"package.json": package, **extra})
    assert facts.kind is kind
    assert facts.out_dir == out_dir


_NEST_SCRIPTS = {"build": "tsc -p tsconfig.json", "start": "ts-node src/main.ts", "start:prod": "node dist/main"}


@pytest.mark.parametrize(
    ("scripts", "cmd", "kind"),
    [
        (_NEST_SCRIPTS, '["npm", "run", "start:prod"]', Kind.BUILT_SERVER),
        (_NEST_SCRIPTS, '["yarn", "start:prod"]', Kind.BUILT_SERVER),
        (_NEST_SCRIPTS, '["node", "dist/main.js"]', Kind.BUILT_SERVER),
        (_NEST_SCRIPTS, "npm run start:prod", Kind.BUILT_SERVER),
        # the Dockerfile starts the sources, whatever package.json's start script says
        ({"build": "tsc", "start": "node dist/index.js"}, '["node", "server.js"]', Kind.SERVER),
        ({"build": "tsc", "start": "node dist/index.js"}, '["node", "/app/server.js"]', Kind.SERVER),
        ({"build": "tsc", "start": "node dist/index.js"}, '["npm", "start"]', Kind.BUILT_SERVER),
        # tsc without an outDir writes main.js beside main.ts: a file the build context does not have
        ({"build": "tsc"}, '["node", "src/main.js"]', Kind.BUILT_SERVER),
    ],
    ids=["npm run start:prod", "yarn start:prod", "node dist/main.js", "shell form", "node server.js", "absolute path",
         "npm start", "tsc in place"],
)
def test_what_the_dockerfile_starts_decides_whether_the_server_runs_its_build_output(
    tmp_path: Path, scripts: dict[str, str], cmd: str, kind: Kind
) -> None:
    dockerfile = f"FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install && npm run build\nCMD {cmd}\n"
    files = {"package.json": {"scripts": scripts, "dependencies": {"express": "4"}}, "Dockerfile": dockerfile,
             "tsconfig.json": '{"compilerOptions": {"outDir": "dist"}}', "server.js": "", "src/main.ts": ""}
    facts, _, _ = facts_of(tmp_path, files)
    assert facts.kind is kind


@pytest.mark.parametrize(
    ("scripts", "expected"),
    [
        ({"build": "tsc", "start": "node dist/index.js"}, ("build",)),
        ({"build-ts": "tsc -b", "watch-ts": "tsc -w", "start": "node dist/index.js"}, ("build-ts",)),
        ({"compile": "npx tsc -p .", "dev": "tsc --watch", "lint": "eslint src"}, ("compile",)),
        ({"bundle": "rm -rf out && esbuild src/index.ts --bundle --outdir=out", "test": "jest"}, ("bundle",)),
        ({"prebuild": "node scripts/clean.js", "start": "node server.js"}, ()),
    ],
    ids=["build", "build-ts beside a watcher", "npx tsc", "esbuild after rm", "no build"],
)
def test_a_script_that_compiles_once_is_a_build_script_whatever_its_name(
    tmp_path: Path, scripts: dict[str, str], expected: tuple[str, ...]
) -> None:
    facts, _, _ = facts_of(tmp_path, {"package.json": {"scripts": scripts}})
    assert facts.build_scripts == expected


def test_a_tsc_build_script_not_called_build_reaches_the_runtime(tmp_path: Path) -> None:
    """``npm run build-ts`` (``tsc -b``) builds dist/: the runtime copies it instead of refusing (STG002)."""
    package = {"main": "dist/index.js", "scripts": {"build-ts": "tsc -b", "start": "node dist/index.js"},
               "devDependencies": {"typescript": "5"}}
    dockerfile = ("FROM node:20\nWORKDIR /usr/src/app\nCOPY package*.json ./\nRUN npm ci\nADD . /usr/src/app\n"
                  "RUN npm run build-ts\nRUN npm prune --omit=dev\nCMD [\"node\", \"dist/index.js\"]\n")
    outcome = run(tmp_path, dockerfile, {"package.json": package, "package-lock.json": "{}", "src/index.ts": "export {};\n"})
    assert placed(outcome, 6) == (Placement.BUILDER, "builds the application")
    assert "COPY --from=builder /usr/src/app/dist /usr/src/app/dist" in stages(outcome)["runtime"]
    assert "dist" in (outcome.dockerignore or "").splitlines()
    assert_clean(outcome)


def test_next_standalone_output_is_seen(tmp_path: Path) -> None:
    facts, _, _ = facts_of(
        tmp_path, {"package.json": {"dependencies": {"next": "15"}}, "next.config.mjs": "export default { output: 'standalone' }"}
    )
    assert facts.next_standalone


def test_native_addons_are_seen(tmp_path: Path) -> None:
    facts, _, _ = facts_of(tmp_path, {"package.json": {**EXPRESS, "dependencies": {"bcrypt": "5", "express": "4"}}})
    assert facts.native_addons == ("bcrypt",)


def test_a_go_project_with_a_package_json_for_tooling_stays_go(tmp_path: Path) -> None:
    root = make(tmp_path, {"go.mod": "module x\n\ngo 1.22\n", "main.go": "package main\n", "package.json": {"devDependencies": {"prettier": "3"}}})
    dockerfile = parse("FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\nCMD [\"/a\"]\n")
    found = detect(BuildContext.open(root), dockerfile)
    assert found is not None and found.language == "go"


# -- planning -----------------------------------------------------------------------------------------------

NPM_SERVER = """FROM node:20
WORKDIR /app
COPY package*.json ./
RUN npm install
COPY . .
ENV PORT=3000 NEXT_PUBLIC_X=1
EXPOSE 3000
CMD ["npm", "start"]
"""


# The same server built with tsc before it runs: the runtime takes dist/ from the builder, so the builder is written.
BUILT = {"name": "api", "scripts": {"start": "node dist/server.js", "build": "tsc"},
         "dependencies": {"express": "^4"}, "devDependencies": {"typescript": "^5"}}
BUILT_FILES = {"package.json": BUILT, "package-lock.json": "{}", "tsconfig.json": '{"compilerOptions": {"outDir": "dist"}}'}
NPM_BUILT_SERVER = NPM_SERVER.replace("COPY . .\n", "COPY . .\nRUN npm run build\n")


def test_a_deps_stage_installs_production_dependencies_only(tmp_path: Path) -> None:
    outcome = run(tmp_path, NPM_SERVER, {"package.json": EXPRESS, "package-lock.json": "{}", "server.js": SERVER})
    deps = stages(outcome)["deps"]
    assert "COPY package.json package-lock.json ./" in deps
    assert "--mount=type=cache,target=/root/.npm" in deps and "npm ci --omit=dev" in deps
    assert "COPY --from=deps /app/node_modules /app/node_modules" in stages(outcome)["runtime"]
    assert_clean(outcome)


def test_a_plain_server_needs_no_build_stage(tmp_path: Path) -> None:
    outcome = run(tmp_path, NPM_SERVER, {"package.json": EXPRESS, "package-lock.json": "{}", "server.js": SERVER})
    assert set(stages(outcome)) == {"deps", "runtime"}
    placement, reason = placed(outcome, 4)
    assert placement is Placement.DROPPED and "BuildKit would skip it" in reason


def test_the_builder_installs_everything_from_the_frozen_lock_file_with_a_cache(tmp_path: Path) -> None:
    outcome = run(tmp_path, NPM_BUILT_SERVER, BUILT_FILES)
    builder = stages(outcome)["builder"]
    assert "RUN --mount=type=cache,target=/root/.npm \\\n    npm ci\n" in builder
    placement, reason = placed(outcome, 4)
    assert placement is Placement.BUILDER and "lock file frozen" in reason


def test_npm_start_becomes_the_node_command_of_the_start_script(tmp_path: Path) -> None:
    outcome = run(tmp_path, NPM_SERVER, {"package.json": EXPRESS, "package-lock.json": "{}", "server.js": SERVER})
    runtime = stages(outcome)["runtime"]
    assert 'CMD ["node", "server.js"]' in runtime
    # NODE_ENV is the original's: unset there, unset here (an app may read it: secure cookies, error pages, config)
    assert "NODE_ENV" not in (outcome.dockerfile or "") and "USER 65532:65532" in runtime
    # node alone at start, on Node 20: distroless Node.js, with its node (not on its PATH) put on PATH
    assert "FROM gcr.io/distroless/nodejs20-debian12:nonroot AS runtime" in runtime
    assert 'ENV PATH="/nodejs/bin:$PATH"' in runtime and "ENTRYPOINT []" in runtime


@pytest.mark.parametrize(("change", "why"), [
    (("FROM node:20", "FROM node:18"), "distroless publishes Node.js 20, 22, 24, not 18"),
    (('CMD ["npm", "start"]', 'CMD ["npm", "run", "lint"]'), "the start command runs npm (package.json has no 'lint' script)"),
    (('CMD ["npm", "start"]', "CMD node server.js --port $PORT"), "needs a shell"),
    (("EXPOSE 3000", 'EXPOSE 3000\nHEALTHCHECK CMD ["curl", "-f", "http://127.0.0.1:3000/"]'), "HEALTHCHECK"),
    (("EXPOSE 3000", "EXPOSE 3000\nUSER node"), "it runs as the user node"),
    (("ENV PORT=3000", "ENV PORT=80"), "listens below 1024"),
])
def test_node_keeps_the_slim_runtime_where_distroless_cannot_run_it(tmp_path: Path, change: tuple[str, str], why: str) -> None:
    outcome = run(tmp_path, NPM_SERVER.replace(*change), {"package.json": EXPRESS, "package-lock.json": "{}", "server.js": SERVER})
    runtime = stages(outcome)["runtime"]
    assert "distroless" not in runtime and "-slim AS runtime" in runtime, runtime
    said = next(line for line in (outcome.dockerfile or "").splitlines() if line.startswith("# Runtime: "))
    assert "(not distroless: " in said and why in said, said


def test_the_sources_of_an_unbuilt_server_reach_the_runtime_as_the_original_copied_them(tmp_path: Path) -> None:
    outcome = run(tmp_path, NPM_SERVER, {"package.json": EXPRESS, "package-lock.json": "{}", "server.js": SERVER})
    runtime = stages(outcome)["runtime"]
    assert "COPY package*.json ./" in runtime and "COPY . ." in runtime
    assert placed(outcome, 5)[0] is Placement.RUNTIME
    assert "node_modules" in (outcome.dockerignore or "").splitlines()


def test_an_unbuilt_server_has_no_build_stage_since_nothing_would_use_it(tmp_path: Path) -> None:
    outcome = run(tmp_path, NPM_SERVER, {"package.json": EXPRESS, "package-lock.json": "{}", "server.js": SERVER})
    assert sorted(stages(outcome)) == ["deps", "runtime"]  # BuildKit would skip a builder nothing copies from
    placement, reason = placed(outcome, 4)
    assert placement is Placement.DROPPED and "BuildKit would skip it" in reason
    assert any("not kept as a build stage" in n.message for n in outcome.notes)
    assert_clean(outcome)


def test_an_unbuilt_server_keeps_what_a_step_of_the_build_stage_made(tmp_path: Path) -> None:
    # stagify cannot tell what the script writes: the folder it ran in reaches the runtime from the build stage.
    make(tmp_path, {"package.json": EXPRESS, "package-lock.json": "{}", "server.js": SERVER})
    dockerfile = NPM_SERVER.replace("COPY . .\n", "COPY . .\nRUN node scripts/generate-config.js\n")
    outcome = convert(dockerfile, context=tmp_path)
    assert outcome.status is Status.CONVERTED, outcome.error
    assert "COPY --from=builder /app /app" in stages(outcome)["runtime"]
    assert "may write anywhere in /app" in placed(outcome, 6)[1]


def test_front_end_build_variables_stay_in_the_builder(tmp_path: Path) -> None:
    outcome = run(tmp_path, NPM_BUILT_SERVER, BUILT_FILES)
    runtime = stages(outcome)["runtime"]
    assert "ENV PORT=3000" in runtime and "NEXT_PUBLIC_X" not in runtime
    assert "NEXT_PUBLIC_X=1" in stages(outcome)["builder"]


def test_npm_run_dev_with_nodemon_becomes_node_with_a_note(tmp_path: Path) -> None:
    dockerfile = NPM_SERVER.replace('CMD ["npm", "start"]', 'CMD ["npm", "run", "dev"]')
    outcome = run(tmp_path, dockerfile, {"package.json": EXPRESS, "package-lock.json": "{}", "server.js": SERVER})
    assert 'CMD ["node", "server.js"]' in (outcome.dockerfile or "")
    assert any("nodemon" in n.message and "development" in n.message for n in outcome.notes)


def test_a_compound_start_script_keeps_npm_and_says_so(tmp_path: Path) -> None:
    package = {**EXPRESS, "scripts": {"start": "node migrate.js && node server.js"}}
    outcome = run(tmp_path, NPM_SERVER, {"package.json": package, "package-lock.json": "{}", "server.js": SERVER})
    assert 'CMD ["npm", "run", "start"]' in (outcome.dockerfile or "")
    assert any("shell line" in n.message for n in outcome.notes)


def test_an_environment_prefix_in_the_start_script_is_kept_without_a_shell(tmp_path: Path) -> None:
    package = {**EXPRESS, "scripts": {"start": "NODE_OPTIONS=--max-old-space-size=512 node server.js"}}
    outcome = run(tmp_path, NPM_SERVER, {"package.json": package, "package-lock.json": "{}", "server.js": SERVER})
    assert 'CMD ["env", "NODE_OPTIONS=--max-old-space-size=512", "node", "server.js"]' in (outcome.dockerfile or "")


@pytest.mark.parametrize(
    ("files", "install", "prod", "cache"),
    [
        ({"yarn.lock": ""}, "yarn install --frozen-lockfile", "yarn install --frozen-lockfile --production", "/usr/local/share/.cache/yarn"),
        ({"pnpm-lock.yaml": ""}, "pnpm install --frozen-lockfile", "pnpm install --frozen-lockfile --prod", "/root/.local/share/pnpm/store"),
        ({}, "npm install", "npm install --omit=dev", "/root/.npm"),
    ],
    ids=["yarn", "pnpm", "npm without a lock file"],
)
def test_each_package_manager_installs_its_own_way(
    tmp_path: Path, files: dict[str, object], install: str, prod: str, cache: str
) -> None:
    command = {"yarn.lock": "yarn install", "pnpm-lock.yaml": "pnpm install"}.get(next(iter(files), ""), "npm install")
    build = {"yarn.lock": "yarn build", "pnpm-lock.yaml": "pnpm build"}.get(next(iter(files), ""), "npm run build")
    dockerfile = f"FROM node:20\nWORKDIR /app\nCOPY . .\nRUN {command}\nRUN {build}\nCMD [\"node\", \"dist/server.js\"]\n"
    manifests = {name: text for name, text in BUILT_FILES.items() if name != "package-lock.json"}
    outcome = run(tmp_path, dockerfile, {**manifests, **files})
    parts = stages(outcome)
    assert prod in parts["deps"] and f"target={cache}" in parts["deps"]
    assert install in parts["builder"]
    if "pnpm" in install:
        assert "corepack enable" in parts["deps"]
    assert_clean(outcome)


def test_an_install_after_the_sources_moves_before_them(tmp_path: Path) -> None:
    dockerfile = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nRUN npm run build\nCMD [\"node\", \"dist/server.js\"]\n"
    outcome = run(tmp_path, dockerfile, BUILT_FILES)
    builder = stages(outcome)["builder"]
    assert builder.index("COPY package.json package-lock.json ./") < builder.index("npm ci") < builder.index("COPY . .")
    placement, reason = placed(outcome, 4)
    assert placement is Placement.DROPPED and "moved before the sources" in reason


def test_native_addon_build_tools_stay_out_of_the_runtime(tmp_path: Path) -> None:
    dockerfile = (
        "FROM node:18\nWORKDIR /app\nCOPY package*.json ./\n"
        "RUN apt-get update && apt-get install -y python3 make g++ && npm install\nCOPY . .\nCMD [\"node\", \"server.js\"]\n"
    )
    package = {**EXPRESS, "dependencies": {"bcrypt": "5", "express": "4"}}
    outcome = run(tmp_path, dockerfile, {"package.json": package, "package-lock.json": "{}", "server.js": SERVER})
    parts = stages(outcome)
    assert "apt-get install -y python3 make g++ && npm ci --omit=dev" in parts["deps"]
    assert "python3" not in parts["runtime"] and "g++" not in parts["runtime"]
    assert_clean(outcome)


def test_a_static_front_end_gets_nginx_on_the_port_the_original_exposed(tmp_path: Path) -> None:
    package = {"scripts": {"dev": "vite", "build": "vite build"}, "devDependencies": {"vite": "5"}}
    dockerfile = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nEXPOSE 5173\nCMD [\"npm\", \"run\", \"dev\"]\n"
    outcome = run(tmp_path, dockerfile, {"package.json": package, "package-lock.json": "{}", "index.html": "<div/>"})
    parts = stages(outcome)
    assert "nginx-unprivileged" in parts["runtime"].split("\n", 1)[0]
    assert "RUN npm run build" in parts["builder"]
    assert "COPY --from=builder /app/dist /usr/share/nginx/html" in parts["runtime"]
    assert "5173" in parts["builder"] + parts["runtime"]
    assert "CMD" not in parts["runtime"] and "deps" not in parts
    assert placed(outcome, 6)[0] is Placement.DROPPED
    assert_clean(outcome)


def test_a_front_end_served_by_serve_keeps_its_node_server(tmp_path: Path) -> None:
    package = {"scripts": {"build": "react-scripts build"}, "dependencies": {"react-scripts": "5"}}
    dockerfile = "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm install\nRUN npm run build\nRUN npm install -g serve\nCMD [\"serve\", \"-s\", \"build\"]\n"
    outcome = run(tmp_path, dockerfile, {"package.json": package, "package-lock.json": "{}"})
    runtime = stages(outcome)["runtime"]
    assert "npm install -g serve" in runtime and 'CMD ["serve", "-s", "build"]' in runtime
    assert "COPY --from=builder /app/build /app/build" in runtime and "node_modules" not in runtime
    assert placed(outcome, 6)[0] is Placement.BOTH
    assert_clean(outcome)


def test_a_typescript_server_runs_its_build_output(tmp_path: Path) -> None:
    package = {"scripts": {"build": "tsc", "start": "node dist/index.js"}, "dependencies": {"fastify": "5"}, "devDependencies": {"typescript": "5"}}
    dockerfile = "FROM node:22-slim\nWORKDIR /srv\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"start\"]\n"
    outcome = run(tmp_path, dockerfile, {"package.json": package, "package-lock.json": "{}", "tsconfig.json": '{"compilerOptions": {"outDir": "dist"}}'})
    parts = stages(outcome)
    assert "RUN npm run build" in parts["builder"]
    assert "COPY --from=builder /srv/dist /srv/dist" in parts["runtime"] and 'CMD ["node", "dist/index.js"]' in parts["runtime"]
    assert "COPY . ." not in parts["runtime"]


def test_next_standalone_runs_server_js_without_a_deps_stage(tmp_path: Path) -> None:
    package = {"scripts": {"build": "next build", "start": "next start"}, "dependencies": {"next": "15"}}
    dockerfile = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD [\"npm\", \"start\"]\n"
    outcome = run(tmp_path, dockerfile, {"package.json": package, "package-lock.json": "{}", "next.config.js": "module.exports = { output: 'standalone' }", "public/a.txt": "a"})
    parts = stages(outcome)
    assert "deps" not in parts
    assert "COPY --from=builder /app/.next/standalone /app" in parts["runtime"]
    assert 'CMD ["node", "server.js"]' in parts["runtime"] and "ENV HOSTNAME=0.0.0.0" in parts["runtime"]


def test_nuxt_runs_its_output_server(tmp_path: Path) -> None:
    package = {"scripts": {"build": "nuxt build", "dev": "nuxt dev"}, "dependencies": {"nuxt": "3"}}
    dockerfile = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD [\"npm\", \"run\", \"dev\"]\n"
    outcome = run(tmp_path, dockerfile, {"package.json": package, "package-lock.json": "{}"})
    runtime = stages(outcome)["runtime"]
    assert "COPY --from=builder /app/.output /app/.output" in runtime
    assert 'CMD ["node", ".output/server/index.mjs"]' in runtime


def test_alpine_stays_alpine_and_can_be_forced(tmp_path: Path) -> None:
    dockerfile = NPM_SERVER.replace("FROM node:20", "FROM node:20-alpine")
    files = {"package.json": EXPRESS, "package-lock.json": "{}", "server.js": SERVER}
    kept = run(tmp_path / "a", dockerfile, files)
    forced = run(tmp_path / "b", NPM_SERVER, files, runtime=RuntimeChoice.ALPINE)
    assert "-alpine" in stages(kept)["runtime"].split("\n", 1)[0]
    assert "-alpine" in stages(forced)["runtime"].split("\n", 1)[0]


def test_a_users_own_node_user_and_node_env_are_kept(tmp_path: Path) -> None:
    dockerfile = NPM_SERVER.replace("EXPOSE 3000", "ENV NODE_ENV=staging\nUSER node\nEXPOSE 3000")
    outcome = run(tmp_path, dockerfile, {"package.json": EXPRESS, "package-lock.json": "{}", "server.js": SERVER})
    runtime = stages(outcome)["runtime"]
    assert "ENV NODE_ENV=staging" in runtime and "NODE_ENV=production" not in runtime
    assert last_user(outcome.dockerfile or "") == "node"


def test_a_json_copy_of_manifests_that_are_not_there_is_reported_at_its_line(tmp_path: Path) -> None:
    # The original's COPY fails without package.json; the conversion used to write `COPY  ./` instead.
    make(tmp_path, {"index.js": SERVER})
    dockerfile = 'FROM node:20\nWORKDIR /app\nCOPY ["package.json", "package-lock.json*", "./"]\nRUN npm install\nCOPY . .\nCMD ["node", "index.js"]\n'
    outcome = convert(dockerfile, context=tmp_path, options=Options(language="node"))
    assert outcome.status is Status.FAILED and outcome.error is not None
    assert str(outcome.error).startswith("Dockerfile:3: COPY package.json: the build context has no such path")
    assert str(outcome.error).endswith("[STG004]")


def test_a_package_json_from_a_subfolder_is_refused_at_its_line(tmp_path: Path) -> None:
    make(tmp_path, {"web/package.json": EXPRESS, "web/server.js": SERVER})
    dockerfile = "FROM node:20\nWORKDIR /app\nCOPY web/package.json ./\nRUN npm install\nCOPY web .\nCMD [\"node\", \"server.js\"]\n"
    outcome = convert(dockerfile, context=tmp_path, options=Options(language="node"))
    assert outcome.status is Status.FAILED and outcome.error is not None and outcome.error.line == 3
    assert "web/package.json is not at the root of the build context" in outcome.error.message


def test_without_package_json_or_an_install_no_deps_stage_is_invented(tmp_path: Path) -> None:
    # It used to get a deps stage installing from `COPY  ./`; with nothing to install, the runtime takes what was copied.
    make(tmp_path, {"server.js": SERVER, "lib/util.js": "module.exports = 1\n"})
    dockerfile = "FROM node:20\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"server.js\"]\n"
    outcome = convert(dockerfile, context=tmp_path, options=Options(language="node"))
    assert outcome.status is Status.CONVERTED, outcome.error
    assert set(stages(outcome)) == {"builder", "runtime"}
    assert "COPY --from=builder /app /app" in stages(outcome)["runtime"]


@pytest.mark.parametrize(
    ("package", "files", "expected"),
    [
        ({"scripts": {"start": "node s.js", "test": "jest"}, "dependencies": {"express": "^4"}}, {}, []),
        ({"scripts": {"postinstall": "prisma generate"}}, {}, [("script", "package.json's postinstall script (prisma generate)")]),
        ({"scripts": {"prepare": "husky install"}}, {}, [("script", "package.json's prepare script (husky install)")]),
        ({"dependencies": {"lib": "file:../lib", "x": "^1", "y": "link:./y"}}, {},
         [("local", "the local dependency lib (file:../lib)"), ("local", "the local dependency y (link:./y)")]),
        ({"resolutions": {"lodash": "patch:lodash@npm%3A4.17.21#./.yarn/patches/lodash.patch"}}, {},
         [("local", "the local dependency lodash (patch:lodash@npm%3A4.17.21#./.yarn/patches/lodash.patch)")]),
        ({"workspaces": ["packages/*"]}, {}, [("local", "package.json's workspaces")]),
        ({}, {"pnpm-workspace.yaml": "packages:\n  - apps/*\n"}, [("local", "pnpm-workspace.yaml's workspaces")]),
        ({}, {".yarnrc.yml": "yarnPath: .yarn/releases/yarn-4.5.0.cjs\nplugins:\n  - path: .yarn/plugins/x.cjs\n"},
         [("local", ".yarnrc.yml's yarnPath (.yarn/releases/yarn-4.5.0.cjs)"), ("local", ".yarnrc.yml's path (.yarn/plugins/x.cjs)")]),
        ({}, {".yarnrc.yml": "nodeLinker: node-modules\n"}, []),
    ],
    ids=["manifests only", "postinstall", "prepare", "file and link", "yarn patch", "workspaces", "pnpm workspaces",
         "yarn release and plugin", "plain yarnrc"],
)
def test_what_an_install_reads_besides_the_manifests(tmp_path: Path, package: dict[str, object], files: dict[str, str],
                                                     expected: list[tuple[str, str]]) -> None:
    from stagify.languages.node.facts import install_reads

    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert list(install_reads(BuildContext.open(tmp_path), package)) == expected


def test_an_install_that_runs_the_projects_scripts_keeps_the_folder_the_install_left(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"name": "a", "scripts": {"start": "node s.js", "postinstall": "node gen.js"},
                                                       "dependencies": {"ms": "^2"}}))
    dockerfile = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD [\"node\", \"s.js\"]\n"
    text = convert(dockerfile, context=tmp_path).dockerfile or ""
    assert "COPY --from=builder /app /app" in text and "AS deps" not in text
    # --ignore-scripts: the scripts do not run, so the production-only deps stage is safe again
    ignoring = convert(dockerfile.replace("npm install", "npm install --ignore-scripts"), context=tmp_path).dockerfile or ""
    assert "AS deps" in ignoring and "COPY --from=deps /app/node_modules /app/node_modules" in ignoring


def test_a_package_json_naming_no_package_gets_no_node_modules_copy(tmp_path: Path) -> None:
    """npm makes no node_modules when package.json names nothing to install: a copy of it would not build."""
    (tmp_path / "package.json").write_text(json.dumps({"name": "a", "scripts": {"build": "tsc"}}))
    (tmp_path / "tsconfig.json").write_text("{}")
    dockerfile = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nRUN npx -y -p typescript tsc\nCMD [\"node\", \"dist/s.js\"]\n"
    text = convert(dockerfile, context=tmp_path).dockerfile or ""
    assert "COPY --from=builder /app/dist /app/dist" in text and "node_modules" not in text.split("AS runtime")[1]
    with_one = tmp_path / "with-one"
    with_one.mkdir()
    (with_one / "package.json").write_text(json.dumps({"name": "a", "scripts": {"build": "tsc"}, "peerDependencies": {"ms": "^2"}}))
    text = convert(dockerfile, context=with_one).dockerfile or ""
    assert "COPY --from=deps /app/node_modules /app/node_modules" in text


@pytest.mark.parametrize(("hooks", "kept"), [({}, False), ({"prestart": "node migrate.js"}, True), ({"poststart": "echo done"}, True),
                                              ({"prebuild": "rm -rf dist"}, False)])
def test_a_start_script_with_pre_or_post_hooks_keeps_npm(tmp_path: Path, hooks: dict[str, str], kept: bool) -> None:
    scripts = {"start": "node server.js", **hooks}
    (tmp_path / "package.json").write_text(json.dumps({"name": "a", "scripts": scripts, "dependencies": {"ms": "^2"}}))
    (tmp_path / "package-lock.json").write_text("{}")
    text = convert("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"start\"]\n", context=tmp_path).dockerfile or ""
    start = text.strip().splitlines()[-1]
    assert start == ('CMD ["npm", "start"]' if kept else 'CMD ["node", "server.js"]')
