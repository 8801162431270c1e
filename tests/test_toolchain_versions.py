"""The builder's toolchain is never older than the original's: project files name minimums, floating tags the newest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stagify import Outcome, Status, convert

GO_MAIN = 'package main\n\nimport "net/http"\n\nfunc main() { _ = http.ListenAndServe(":8080", nil) }\n'


def run(tmp_path: Path, dockerfile: str, files: dict[str, str]) -> Outcome:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    outcome = convert(dockerfile, context=tmp_path)
    assert outcome.status is Status.CONVERTED, outcome.error
    return outcome


def builder_from(outcome: Outcome) -> str:
    return next(line for line in (outcome.dockerfile or "").splitlines() if line.startswith("FROM "))


def go(tmp_path: Path, image: str, go_line: str) -> str:
    dockerfile = f"FROM {image}\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\nCMD [\"/app/server\"]\n"
    files = {"go.mod": f"module example.com/app\n\ngo {go_line}\n", "main.go": GO_MAIN}
    # The version is what these tests look at; the build platform has its own tests (test_deps_platform.py).
    return builder_from(run(tmp_path, dockerfile, files)).replace("--platform=$BUILDPLATFORM ", "")


@pytest.mark.parametrize("image", ["golang", "golang:latest", "golang:rc", "golang:buster", "golang:1", "golang:alpine"])
def test_a_floating_golang_tag_pins_the_newest_go_not_go_mod_s_minimum(tmp_path: Path, image: str) -> None:
    newest = "1.27.1"
    assert go(tmp_path, image, "1.15").startswith(f"FROM golang:{newest}-")


def test_a_floating_golang_tag_keeps_its_family(tmp_path: Path) -> None:
    assert go(tmp_path, "golang:alpine", "1.15").startswith("FROM golang:1.27.1-alpine")


def test_a_versioned_golang_tag_is_kept_above_go_mod_s_minimum(tmp_path: Path) -> None:
    assert go(tmp_path, "golang:1.22", "1.15").startswith("FROM golang:1.22.12-")


def test_go_mod_newer_than_the_tag_raises_the_go_version(tmp_path: Path) -> None:
    assert go(tmp_path, "golang:1.20", "1.22").startswith("FROM golang:1.22.12-")


NODE_SERVER = "require('http').createServer((q, s) => s.end('ok')).listen(3000)\n"


def node(tmp_path: Path, image: str, engines: str | None) -> str:
    package: dict[str, object] = {"name": "app", "version": "1.0.0", "main": "server.js", "scripts": {"start": "node server.js"}}
    if engines:
        package["engines"] = {"node": engines}
    files = {"package.json": json.dumps(package), "package-lock.json": "{}", "server.js": NODE_SERVER}
    dockerfile = f"FROM {image}\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n"
    return builder_from(run(tmp_path, dockerfile, files))


def test_a_floating_node_tag_pins_the_newest_node_that_engines_allows(tmp_path: Path) -> None:
    assert node(tmp_path, "node", "^20").startswith("FROM node:20.")


def test_a_floating_node_tag_without_engines_pins_the_newest_node(tmp_path: Path) -> None:
    assert node(tmp_path, "node:alpine", None).startswith("FROM node:26.")


def test_a_node_codename_tag_is_its_major(tmp_path: Path) -> None:
    assert node(tmp_path, "node:hydrogen-slim", ">=16").startswith("FROM node:18.")


def test_a_versioned_node_tag_wins_over_engines(tmp_path: Path) -> None:
    assert node(tmp_path, "node:20", ">=18").startswith("FROM node:20.")


def python(tmp_path: Path, image: str, files: dict[str, str]) -> str:
    # A compiler in the build: something stays behind, so the benefit gate converts even a slim or Alpine original.
    dockerfile = f"FROM {image}\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y gcc && pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
    return builder_from(run(tmp_path, dockerfile, {"requirements.txt": "flask\n", "app.py": "print(1)\n", **files}))


@pytest.mark.parametrize("image", ["python", "python:3", "python:slim", "python:latest", "python:3-alpine"])
def test_a_floating_python_tag_ignores_a_local_python_version_file(tmp_path: Path, image: str) -> None:
    assert python(tmp_path, image, {".python-version": "3.8.10\n"}).startswith("FROM python:3.14.")


def test_a_floating_python_tag_pins_the_newest_python_requires_python_allows(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "app"\nversion = "1"\nrequires-python = ">=3.9,<3.12"\n'
    assert python(tmp_path, "python", {"pyproject.toml": pyproject}).startswith("FROM python:3.11.")


def test_a_versioned_python_tag_is_kept(tmp_path: Path) -> None:
    assert python(tmp_path, "python:3.9-slim", {".python-version": "3.12\n"}).startswith("FROM python:3.9.")


POM = """<project><modelVersion>4.0.0</modelVersion><groupId>a</groupId><artifactId>app</artifactId><version>1</version>
<properties><maven.compiler.release>{release}</maven.compiler.release></properties></project>
"""


def java(tmp_path: Path, image: str, release: str) -> str:
    dockerfile = f"FROM {image}\nWORKDIR /app\nCOPY . .\nRUN mvn -B package\nCMD [\"java\", \"-jar\", \"target/app-1.jar\"]\n"
    return builder_from(run(tmp_path, dockerfile, {"pom.xml": POM.format(release=release)}))


@pytest.mark.parametrize("image", ["maven", "maven:latest", "maven:eclipse-temurin"])
def test_a_maven_tag_naming_no_java_builds_on_the_newest_lts_not_the_pom_s_release(tmp_path: Path, image: str) -> None:
    assert java(tmp_path, image, "11") == "FROM maven:3.9.16-eclipse-temurin-25 AS builder"


def test_a_maven_tag_naming_its_java_is_kept(tmp_path: Path) -> None:
    assert java(tmp_path, "maven:3.9-eclipse-temurin-17", "11") == "FROM maven:3.9.16-eclipse-temurin-17 AS builder"
