"""Build inputs: what the original copies or reads must be in the build context, and .dockerignore must not hide it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stagify import Level, Outcome, Status, convert
from stagify.cli.report import outcome_findings
from stagify.context import dockerignore

# A dependency to install: npm makes no node_modules for a package.json that names none, and the runtime copies it
NODE_PACKAGE = json.dumps({"name": "web", "version": "1.0.0", "scripts": {"start": "node server.js"}, "dependencies": {"express": "^4.19.0"}})


def make(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def run(tmp_path: Path, dockerfile: str, files: dict[str, str]) -> Outcome:
    return convert(dockerfile, context=make(tmp_path, files))


# -- COPY of a path the build context does not have (STG004) ------------------------------------------


def test_a_copy_of_a_missing_file_fails_at_its_line_with_the_rule_code(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
    outcome = run(tmp_path, dockerfile, {"app.py": "print(1)\n", "pyproject.toml": "[project]\nname = 'x'\n"})
    assert outcome.status is Status.FAILED and outcome.error is not None
    assert outcome.error.line == 3
    assert str(outcome.error).startswith("Dockerfile:3: COPY requirements.txt: the build context has no such path")
    assert str(outcome.error).endswith("[STG004]")
    assert [f.rule for f in outcome_findings(outcome, strict=False)] == ["STG004"]


def test_a_copy_of_a_file_the_dockerignore_leaves_out_fails(tmp_path: Path) -> None:
    files = {"app.py": "print(1)\n", "requirements.txt": "flask\n", ".dockerignore": "*.txt\n"}
    dockerfile = "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
    outcome = run(tmp_path, dockerfile, files)
    assert outcome.status is Status.FAILED and outcome.error is not None
    assert ".dockerignore leaves it out" in outcome.error.message


def test_a_manifest_wildcard_that_matches_nothing_fails(tmp_path: Path) -> None:
    dockerfile = (
        "FROM node:20\nWORKDIR /app\nCOPY frontend/package*.json ./\nRUN npm ci\nCOPY frontend/ ./\nCMD [\"npm\", \"start\"]\n"
    )
    outcome = run(tmp_path, dockerfile, {"package.json": NODE_PACKAGE, "package-lock.json": "{}", "server.js": "1\n"})
    assert outcome.status is Status.FAILED and outcome.error is not None
    assert outcome.error.line == 3
    assert "nothing in the build context matches frontend/package*.json" in outcome.error.message
    assert outcome.error.message.endswith("[STG004]")


def test_an_optional_lock_file_wildcard_beside_a_real_file_is_fine(tmp_path: Path) -> None:
    dockerfile = "FROM node:20\nWORKDIR /app\nCOPY package.json yarn.lock* ./\nRUN npm install\nCOPY . .\nCMD [\"node\", \"server.js\"]\n"
    outcome = run(tmp_path, dockerfile, {"package.json": NODE_PACKAGE, "server.js": "1\n"})
    assert outcome.status is Status.CONVERTED, outcome.error


def test_a_wildcard_over_other_files_that_matches_nothing_is_a_warning(tmp_path: Path) -> None:
    dockerfile = "FROM node:20\nWORKDIR /app\nCOPY . .\nCOPY certs/*.pem /usr/local/share/ca/\nRUN npm install\nCMD [\"node\", \"server.js\"]\n"
    outcome = run(tmp_path, dockerfile, {"package.json": NODE_PACKAGE, "server.js": "1\n"})
    assert outcome.status is Status.CONVERTED, outcome.error
    warned = [n for n in outcome.notes if n.message.endswith("[STG004]")]
    assert [(n.line, n.level) for n in warned] == [(4, Level.WARNING)]


def test_pip_install_of_a_requirements_file_nothing_brings_fails(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.12\nWORKDIR /app\nCOPY app.py .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
    outcome = run(tmp_path, dockerfile, {"app.py": "print(1)\n", "requirements.txt": "flask\n"})
    assert outcome.status is Status.FAILED and outcome.error is not None
    assert outcome.error.line == 4
    assert "requirements.txt is not in the image at /app/requirements.txt" in outcome.error.message


@pytest.mark.parametrize(
    "steps",
    [
        "COPY . .\nRUN pip install -r requirements.txt",
        "COPY requirements.txt /tmp/\nRUN pip install -r /tmp/requirements.txt",
        "COPY app.py .\nRUN pip install poetry && poetry export -o requirements.txt\nRUN pip install -r requirements.txt",
        "ARG REQS=requirements.txt\nCOPY $REQS .\nRUN pip install -r $REQS",
        "COPY . /src\nRUN cd /src && pip install -r requirements.txt",
        "RUN --mount=type=bind,source=requirements.txt,target=/tmp/r.txt pip install -r /tmp/r.txt\nCOPY . .",
        "ARG DIR\nCOPY $DIR/requirements.txt .\nRUN pip install -r requirements.txt",
    ],
    ids=["whole context", "absolute path", "made by an earlier step", "named by an ARG", "cd in the line", "bind mount",
         "an ARG given at build time"],
)
def test_requirements_the_image_has_are_fine(tmp_path: Path, steps: str) -> None:
    dockerfile = f"FROM python:3.12\nWORKDIR /app\n{steps}\nCMD [\"python\", \"app.py\"]\n"
    files = {"app.py": "print(1)\n", "requirements.txt": "flask\n", "pyproject.toml": "[tool.poetry]\nname = 'x'\n"}
    outcome = run(tmp_path, dockerfile, files)
    assert outcome.status is Status.CONVERTED, outcome.error


def test_a_requirements_file_missing_after_other_run_lines_is_still_found(tmp_path: Path) -> None:
    dockerfile = ("FROM python:3.12\nRUN apt-get update && apt-get install -y gcc\nWORKDIR /app\nCOPY app.py .\n"
                  "RUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n")
    outcome = run(tmp_path, dockerfile, {"app.py": "print(1)\n", "requirements.txt": "flask\n"})
    assert outcome.status is Status.FAILED and outcome.error is not None and outcome.error.line == 5


def test_without_a_build_context_nothing_is_checked() -> None:
    outcome = convert("FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCMD [\"python\"]\n")
    assert outcome.status is Status.CONVERTED, outcome.error


# -- .dockerignore: a secret-looking file the build reads stays in the build context -------------------


def ignored(outcome: Outcome, rel: str) -> bool:
    return dockerignore.is_ignored(dockerignore.parse_rules(outcome.dockerignore or ""), rel)


FRONT_END = "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"npm\", \"start\"]\n"


@pytest.mark.parametrize(
    ("dependency", "build"),
    [("next", "next build"), ("vite", "vite build"), ("react-scripts", "react-scripts build")],
)
def test_a_production_env_file_a_front_end_build_loads_is_not_ignored(tmp_path: Path, dependency: str, build: str) -> None:
    package = json.dumps({"name": "web", "version": "1.0.0", "scripts": {"build": build, "start": "node server.js"},
                          "dependencies": {dependency: "1.0.0"}})
    files = {"package.json": package, "package-lock.json": "{}", ".env.production": "API_URL=https://api.example.com\n",
             ".env.development": "API_URL=http://localhost\n", ".env.test": "X=1\n", "server.js": "1\n"}
    outcome = run(tmp_path, FRONT_END, files)
    assert outcome.status is Status.CONVERTED, outcome.error
    assert not ignored(outcome, ".env.production")
    assert ignored(outcome, ".env.development") and ignored(outcome, ".env.test")  # nothing in the build reads them
    warned = [n for n in outcome.notes if ".env.production looks like a secret" in n.message]
    assert len(warned) == 1 and warned[0].level is Level.WARNING and warned[0].line == 5
    assert "--mount=type=secret" in warned[0].message and "--secret id=" in warned[0].message
    # What migrate merges per build context keeps it too: the build reads it, so it is protected like a copied file.
    merged = dockerignore.merge(None, outcome.ignore_lines, outcome.ignore_protected)
    assert not dockerignore.is_ignored(dockerignore.parse_rules(merged), ".env.production")
    assert ".env.production" in outcome.ignore_protected


def test_an_env_file_a_run_line_names_is_a_build_input(tmp_path: Path) -> None:
    dockerfile = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npx dotenv -e .env.staging -- node build.js\nCMD [\"node\", \"server.js\"]\n"
    files = {"package.json": NODE_PACKAGE, "package-lock.json": "{}", ".env.staging": "A=1\n", ".env.local": "B=2\n", "server.js": "1\n"}
    outcome = run(tmp_path, dockerfile, files)
    assert not ignored(outcome, ".env.staging")
    assert ignored(outcome, ".env.local")
    assert any("the RUN on line 4 reads it" in n.message for n in outcome.notes)


def test_a_dotenv_app_keeps_its_env_file(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
    files = {"requirements.txt": "flask\npython-dotenv==1.0.1\n", ".env": "MODE=prod\n", "app.py": "print(1)\n"}
    outcome = run(tmp_path, dockerfile, files)
    assert not ignored(outcome, ".env")


def test_a_secret_nothing_reads_is_still_ignored_without_a_warning(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
    files = {"requirements.txt": "flask\n", ".env": "MODE=prod\n", "server.key": "k\n", "app.py": "print(1)\n"}
    outcome = run(tmp_path, dockerfile, files)
    assert ignored(outcome, ".env") and ignored(outcome, "server.key")
    assert not [n for n in outcome.notes if "looks like a secret, but" in n.message]


def test_a_build_input_the_user_already_ignores_is_left_to_the_user(tmp_path: Path) -> None:
    package = json.dumps({"name": "web", "scripts": {"build": "next build"}, "dependencies": {"next": "15.0.0"}})
    files = {"package.json": package, "package-lock.json": "{}", ".env.production": "A=1\n", ".dockerignore": ".env*\n"}
    outcome = run(tmp_path, FRONT_END, files)
    assert ignored(outcome, ".env.production")
    assert "!.env.production" not in (outcome.dockerignore or "")


# -- one detector: what the language's build reads, and what the original had that something reads ---------


def test_a_nuxt_build_reads_its_production_env_file_though_no_loader_table_lists_it(tmp_path: Path) -> None:
    """The language's build says it (Nuxt inlines .env.production), not a loader beside it: kept for the builder."""
    package = json.dumps({"name": "web", "scripts": {"build": "nuxt build", "start": "node .output/server/index.mjs"},
                          "dependencies": {"nuxt": "3.13.0"}})
    files = {"package.json": package, "package-lock.json": "{}", ".env.production": "NUXT_PUBLIC_API=https://api\n",
             "nuxt.config.ts": "export default {}\n"}
    outcome = run(tmp_path, FRONT_END, files)
    assert outcome.status is Status.CONVERTED, outcome.error
    assert not ignored(outcome, ".env.production")
    warned = [n for n in outcome.notes if n.message.startswith(".env.production looks like a secret, but the Nuxt build reads it")]
    assert [(n.line, n.level) for n in warned] == [(5, Level.WARNING)]  # at the COPY that brought it
    assert ".env.production" in outcome.ignore_protected and "!.env.production" not in outcome.ignore_lines


def test_a_front_end_folder_in_a_python_project_keeps_the_env_file_its_build_loads(tmp_path: Path) -> None:
    """Every language's loaders are asked, whichever was detected: a Python API with a Next.js folder beside it."""
    dockerfile = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
    web = json.dumps({"name": "web", "scripts": {"build": "next build"}, "dependencies": {"next": "15.0.0"}})
    files = {"requirements.txt": "flask\n", "app.py": "print(1)\n", "web/package.json": web,
             "web/.env.production": "NEXT_PUBLIC_API=https://api\n", "web/.env.test": "X=1\n"}
    outcome = run(tmp_path, dockerfile, files)
    assert outcome.status is Status.CONVERTED, outcome.error
    assert not ignored(outcome, "web/.env.production") and ignored(outcome, "web/.env.test")
    warned = [n for n in outcome.notes if "looks like a secret, but" in n.message]
    assert len(warned) == 1 and warned[0].line == 3
    assert warned[0].message.startswith("web/.env.production looks like a secret, but Next.js (next in web/package.json) reads it")
    assert "!web/.env.production" in outcome.ignore_lines


def test_each_secret_input_is_found_once_with_its_reader_and_how_it_is_kept(tmp_path: Path) -> None:
    from stagify.context.buildcontext import BuildContext
    from stagify.dockerfile.parse import parse
    from stagify.dockerfile.stageplan import Keep, SecretInput
    from stagify.dockerfile.walk import BaseDefaults, walk
    from stagify.plan import buildinputs

    dockerfile = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npx dotenv -e .env.staging -- node build.js\nCMD [\"node\", \"s.js\"]\n"
    package = json.dumps({"name": "web", "dependencies": {"next": "15.0.0"}})
    folder = make(tmp_path, {"package.json": package, ".env.production": "A=1\n", ".env.staging": "B=2\n", ".env.test": "C=3\n"})
    context = BuildContext.open(folder)
    walked = tuple(walk(parse(dockerfile).stages[0], BaseDefaults(), context))
    said = [SecretInput(".env.production", "the Next.js build"), SecretInput(".npmrc", "the npm install")]
    found = buildinputs.find(walked, context, ("**/.env.*",), said)
    assert found == (
        SecretInput(".env.production", "the Next.js build", Keep.BUILDER, "/app/.env.production", 3),  # said by both: once
        SecretInput(".npmrc", "the npm install", Keep.BUILDER, None, None),  # the original had none
        SecretInput(".env.staging", "the RUN on line 4", Keep.AS_ORIGINAL, "/app/.env.staging", 3),
    )
    assert buildinputs.builder_paths(found) == [".env.production", ".npmrc"]
    assert buildinputs.ignore_lines(found) == ("!.env.staging",)
    assert [buildinputs.note(f).line for f in found] == [3, None, 3]
