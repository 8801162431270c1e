"""Small details seen in real conversions, each a class of output that must not come back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stagify import Level, Outcome, Status, convert

from .helpers import lint


def run(tmp_path: Path, dockerfile: str, files: dict[str, str]) -> Outcome:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    outcome = convert(dockerfile, context=tmp_path)
    assert outcome.status is Status.CONVERTED, outcome.error
    result = lint(outcome.dockerfile or "")
    assert result.returncode == 0, result.stdout + (outcome.dockerfile or "")
    return outcome


def runtime(outcome: Outcome) -> str:
    text = outcome.dockerfile or ""
    return text[text.rindex("\nFROM ") + 1 :]


NODE = {"package.json": json.dumps({"name": "a", "version": "1.0.0", "scripts": {"start": "node server.js"},
                                    "dependencies": {"express": "4"}}),
        "package-lock.json": "{}", "server.js": "require('express')().listen(3000)\n"}


def test_copies_from_the_root_folder_write_one_slash_and_state_the_workdir(tmp_path: Path) -> None:
    outcome = run(tmp_path, "FROM node:20\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"server.js\"]\n", NODE)
    text = runtime(outcome)
    assert "//" not in text
    assert "COPY --from=deps /node_modules /node_modules" in text
    assert text.index("WORKDIR /\n") < text.index("COPY . .")  # hadolint DL3045


@pytest.mark.parametrize(
    ("image", "install", "kept"),
    [
        ("python:3.12-slim", "apt-get update && apt-get install -y build-essential ninja-build python3-pip python3-venv libpq-dev", "libpq5"),
        ("python:3.12-alpine", "apk add --no-cache build-base samurai py3-pip postgresql-dev", "libpq"),
    ],
    ids=["debian", "alpine"],
)
def test_build_helpers_stay_in_the_builder(tmp_path: Path, image: str, install: str, kept: str) -> None:
    dockerfile = (f"FROM {image}\nRUN {install}\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
                  "COPY . .\nCMD [\"python\", \"app.py\"]\n")
    text = runtime(run(tmp_path, dockerfile, {"requirements.txt": "psycopg2\n", "app.py": "print(1)\n"}))
    installs = [line for line in text.splitlines() if "install -y" in line or "apk add" in line]
    assert len(installs) == 1 and installs[0].split()[-1] in (kept, "\\")
    for helper in ("ninja", "samurai", "pip", "venv", "build-essential", "build-base"):
        assert helper not in installs[0]


def test_a_quoted_json_array_cmd_is_reported_and_run_as_meant(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD \"[\\\"python\\\",'app.py']\"\n"
    outcome = run(tmp_path, dockerfile, {"requirements.txt": "flask\n", "app.py": "print(1)\n"})
    assert 'CMD ["python", "app.py"]' in runtime(outcome)
    warned = [n for n in outcome.notes if "JSON array inside quotes" in n.message]
    assert [(n.line, n.level) for n in warned] == [(5, Level.WARNING)]


def test_javac_in_the_source_folder_keeps_sources_docs_and_ci_files_out_of_the_runtime(tmp_path: Path) -> None:
    files = {"Main.java": "public class Main { public static void main(String[] a) {} }\n", "README.md": "# app\n",
             "Jenkinsfile": "pipeline {}\n", "conf/app.properties": "port=8080\n"}
    dockerfile = "FROM eclipse-temurin:17-jdk\nCOPY . /usr/src/app\nWORKDIR /usr/src/app\nRUN javac Main.java\nCMD [\"java\", \"Main\"]\n"
    outcome = run(tmp_path, dockerfile, files)
    text = outcome.dockerfile or ""
    builder = text[: text.rindex("\nFROM ")]
    prune = next(line for line in builder.splitlines() if line.startswith("RUN find /usr/src/app"))
    assert builder.index("RUN javac Main.java") < builder.index(prune)
    for pattern in ("'*.java'", "'README*'", "'Jenkinsfile'"):
        assert pattern in prune
    assert "properties" not in prune  # files the program may read stay
    assert "COPY --from=builder /usr/src/app /usr/src/app" in runtime(outcome)


def test_javac_writing_classes_apart_from_the_sources_needs_no_pruning(tmp_path: Path) -> None:
    files = {"src/hello/Main.java": "package hello; public class Main { public static void main(String[] a) {} }\n"}
    dockerfile = "FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY src/ src/\nRUN javac -d out src/hello/Main.java\nCMD [\"java\", \"-cp\", \"out\", \"hello.Main\"]\n"
    assert "RUN find" not in (run(tmp_path, dockerfile, files).dockerfile or "")


@pytest.mark.parametrize(
    ("command", "variable"),
    [("npx next telemetry disable", "NEXT_TELEMETRY_DISABLED"), ("npx nuxi telemetry disable", "NUXT_TELEMETRY_DISABLED")],
)
def test_telemetry_turned_off_in_the_build_stays_off_in_the_runtime(tmp_path: Path, command: str, variable: str) -> None:
    package = json.dumps({"name": "web", "version": "1.0.0", "scripts": {"build": "next build", "start": "next start"},
                          "dependencies": {"next": "15.0.0", "react": "19.0.0"}})
    dockerfile = (f"FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN {command}\n"
                  "RUN npm run build\nCMD [\"npm\", \"start\"]\n")
    outcome = run(tmp_path, dockerfile, {"package.json": package, "package-lock.json": "{}", "app/page.tsx": "export default 1\n"})
    assert f"ENV {variable}=1" in runtime(outcome)


_NODE_APP = {"package.json": '{"name": "x", "version": "1.0.0", "dependencies": {"express": "4"}, "devDependencies": {"jest": "29"}}',
             "server.js": "require('express')().listen(3000)\n"}
_GO_APP = {"go.mod": "module example.com/x\n\ngo 1.22\n", "main.go": "package main\n\nfunc main() {}\n"}


@pytest.mark.parametrize(
    ("dockerfile", "files", "named"),
    [
        ("ARG NODE_VERSION=20\nFROM node:${NODE_VERSION}-slim\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD [\"node\", \"server.js\"]\n",
         _NODE_APP, "NODE_VERSION"),
        ("ARG GO=1.22\nARG FLAVOUR=alpine\nFROM golang:$GO-$FLAVOUR\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n",
         _GO_APP, "GO, FLAVOUR"),
    ],
    ids=["node", "go, two arguments"],
)
def test_a_base_image_chosen_by_a_build_argument_is_reported_as_fixed_from_its_default(
    tmp_path: Path, dockerfile: str, files: dict[str, str], named: str
) -> None:
    """``docker build --build-arg NODE_VERSION=22`` changed the original's base; the converted stages are pinned."""
    outcome = run(tmp_path, dockerfile, files)
    warnings = [n for n in outcome.notes if n.level is Level.WARNING and "reads the build argument" in n.message]
    assert len(warnings) == 1, [n.message for n in outcome.notes]
    assert f"build argument{'s' if ',' in named else ''} {named}:" in warnings[0].message
    assert warnings[0].line == dockerfile.splitlines().index(next(x for x in dockerfile.splitlines() if x.startswith("FROM"))) + 1


def test_a_build_argument_the_from_line_does_not_read_is_not_reported(tmp_path: Path) -> None:
    dockerfile = "ARG PORT=3000\nFROM node:20\nARG NODE_VERSION=20\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD [\"node\", \"server.js\"]\n"
    outcome = run(tmp_path, dockerfile, _NODE_APP)
    assert not any("reads the build argument" in n.message for n in outcome.notes)
