"""Build inputs: what the original copies or reads must be in the build context, and .dockerignore must not hide it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stagify import Level, Outcome, Status, convert
from stagify.report import outcome_findings

NODE_PACKAGE = json.dumps({"name": "web", "version": "1.0.0", "scripts": {"start": "node server.js"}})


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
    dockerfile = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
    outcome = run(tmp_path, dockerfile, {"app.py": "print(1)\n", "pyproject.toml": "[project]\nname = 'x'\n"})
    assert outcome.status is Status.FAILED and outcome.error is not None
    assert outcome.error.line == 3
    assert str(outcome.error).startswith("Dockerfile:3: COPY requirements.txt: the build context has no such path")
    assert str(outcome.error).endswith("[STG004]")
    assert [f.rule for f in outcome_findings(outcome, strict=False)] == ["STG004"]


def test_a_copy_of_a_file_the_dockerignore_leaves_out_fails(tmp_path: Path) -> None:
    files = {"app.py": "print(1)\n", "requirements.txt": "flask\n", ".dockerignore": "*.txt\n"}
    dockerfile = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
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
    dockerfile = "FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
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
    ],
    ids=["whole context", "absolute path", "made by an earlier step", "named by an ARG"],
)
def test_requirements_the_image_has_are_fine(tmp_path: Path, steps: str) -> None:
    dockerfile = f"FROM python:3.12-slim\nWORKDIR /app\n{steps}\nCMD [\"python\", \"app.py\"]\n"
    files = {"app.py": "print(1)\n", "requirements.txt": "flask\n", "pyproject.toml": "[tool.poetry]\nname = 'x'\n"}
    outcome = run(tmp_path, dockerfile, files)
    assert outcome.status is Status.CONVERTED, outcome.error


def test_without_a_build_context_nothing_is_checked() -> None:
    outcome = convert("FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCMD [\"python\"]\n")
    assert outcome.status is Status.CONVERTED, outcome.error
