"""A conversion keeps the exact language release the original's FROM pins; a floating tag gets the catalogue's newest patch."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagify import Options, Outcome, RuntimeChoice, Status, convert
from stagify.images import catalogue
from stagify.images.reference import parse_ref

NODE = {"package.json": '{"name": "app", "version": "1.0.0", "dependencies": {"express": "^4.19.2"}}\n',
        "server.js": "require('express')().listen(3000);\n"}
NODE_DF = "FROM {image}\nWORKDIR /app\nCOPY package.json ./\nRUN npm install --omit=dev\nCOPY . .\nCMD [\"node\", \"server.js\"]\n"
PYTHON = {"requirements.txt": "flask==3.0.3\n", "app.py": "import flask\n"}
PYTHON_DF = ("FROM {image}\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
             "COPY . .\nCMD [\"python\", \"app.py\"]\n")
GO = {"go.mod": "module example.com/app\n\ngo 1.22\n", "main.go": "package main\n\nfunc main() {}\n"}
GO_DF = "FROM {image}\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /usr/local/bin/app .\nCMD [\"app\"]\n"
JAVA = {"src/hello/Main.java": "package hello;\n\npublic class Main {\n    public static void main(String[] a) {}\n}\n"}
JAVA_DF = "FROM {image}\nWORKDIR /app\nCOPY src/ src/\nRUN javac -d out src/hello/Main.java\nCMD [\"java\", \"-cp\", \"out\", \"hello.Main\"]\n"
BUN = {"package.json": '{"name": "app", "scripts": {"start": "bun run src/index.ts"}, "dependencies": {"telegraf": "^4.16.0"}}\n',
       "bun.lock": "{}\n", "src/index.ts": "console.log(Bun.version);\n"}
BUN_DF = "FROM {image}\nWORKDIR /app\nCOPY package.json bun.lock ./\nRUN bun install --frozen-lockfile\nCOPY . .\nCMD [\"bun\", \"run\", \"start\"]\n"
DIGEST = "sha256:" + "ab" * 32


def convert_in(tmp_path: Path, dockerfile: str, files: dict[str, str], runtime: RuntimeChoice | None = None) -> Outcome:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    outcome = convert(dockerfile, context=tmp_path, options=Options(runtime=runtime))
    assert outcome.status is Status.CONVERTED, outcome.error or outcome.reason
    return outcome


def bases(outcome: Outcome) -> list[str]:
    """The image of every FROM line, in order (the platform flag left out)."""
    return [line.split()[-3] for line in (outcome.dockerfile or "").splitlines() if line.startswith("FROM ")]


@pytest.mark.parametrize(("dockerfile", "files", "expected"), [
    (NODE_DF.format(image="node:24.16.0"), NODE, ["node:24.16.0", "node:24.16.0-slim"]),
    (NODE_DF.format(image="node:24.16.0-bullseye"), NODE, ["node:24.16.0-bullseye", "node:24.16.0-bullseye-slim"]),
    (PYTHON_DF.format(image="python:3.11.9"), PYTHON, ["python:3.11.9", "python:3.11.9-slim"]),
    (PYTHON_DF.format(image="python:3.12.4-bookworm"), PYTHON, ["python:3.12.4-bookworm", "python:3.12.4-slim-bookworm"]),
    (GO_DF.format(image="golang:1.22.5"), GO, ["golang:1.22.5", "gcr.io/distroless/static-debian12:nonroot"]),
    (GO_DF.format(image="golang:1.22.5-alpine3.20"), GO, ["golang:1.22.5-alpine3.20", "gcr.io/distroless/static-debian12:nonroot"]),
    (JAVA_DF.format(image="eclipse-temurin:21.0.5_11-jdk"), JAVA, ["eclipse-temurin:21.0.5_11-jdk", "eclipse-temurin:21.0.5_11-jre"]),
    (JAVA_DF.format(image="eclipse-temurin:8u422-b05-jdk-jammy"), JAVA,
     ["eclipse-temurin:8u422-b05-jdk-jammy", "eclipse-temurin:8u422-b05-jre-jammy"]),
], ids=["node", "node named release", "python", "python named release", "go", "go alpine", "temurin",
        "temurin 8 on jammy"])
def test_an_exact_release_in_from_is_kept_by_builder_and_runtime(tmp_path: Path, dockerfile: str, files: dict[str, str],
                                                                 expected: list[str]) -> None:
    assert bases(convert_in(tmp_path, dockerfile, files)) == expected


@pytest.mark.parametrize(("dockerfile", "files", "expected"), [
    (NODE_DF.format(image="node:20"), NODE, ["node:20.19.6-bookworm", "gcr.io/distroless/nodejs20-debian12:nonroot"]),
    (PYTHON_DF.format(image="python:3.12"), PYTHON, ["python:3.12.11-bookworm", "python:3.12.11-slim-bookworm"]),
    (GO_DF.format(image="golang:1.22"), GO, ["golang:1.22.12-bookworm", "gcr.io/distroless/static-debian12:nonroot"]),
    (JAVA_DF.format(image="eclipse-temurin:21-jdk"), JAVA, ["eclipse-temurin:21.0.12.1_1-jdk-noble", "eclipse-temurin:21.0.12.1_1-jre-noble"]),
], ids=["node", "python", "go", "temurin"])
def test_a_floating_tag_gets_the_catalogue_s_newest_patch(tmp_path: Path, dockerfile: str, files: dict[str, str],
                                                         expected: list[str]) -> None:
    assert bases(convert_in(tmp_path, dockerfile, files)) == expected


@pytest.mark.parametrize(("image", "expected"), [
    ("oven/bun:1.3.2", ["oven/bun:1.3.2", "oven/bun:1.3.2-slim"]),
    ("oven/bun:1", ["oven/bun:1.3.14", "oven/bun:1.3.14-slim"]),  # floating: the catalogue's Bun
])
def test_bun_keeps_the_exact_bun_release(tmp_path: Path, image: str, expected: list[str]) -> None:
    assert bases(convert_in(tmp_path, BUN_DF.format(image=image), BUN)) == expected


def test_a_forced_alpine_runtime_runs_the_pinned_release_on_alpine(tmp_path: Path) -> None:
    # The original's Debian release has no Alpine counterpart: the Alpine tag of the same release.
    outcome = convert_in(tmp_path, NODE_DF.format(image="node:24.16.0-bookworm"), NODE, RuntimeChoice.ALPINE)
    assert bases(outcome) == ["node:24.16.0-bookworm", "node:24.16.0-alpine"]


def test_distroless_node_is_not_chosen_for_an_exact_release_and_the_reason_says_why(tmp_path: Path) -> None:
    outcome = convert_in(tmp_path, NODE_DF.format(image="node:20.11.1"), NODE)
    assert bases(outcome)[-1] == "node:20.11.1-slim"
    assert ("not distroless: distroless Node.js 20 carries whichever Node 20 release it was last built with, "
            "not the pinned 20.11.1") in (outcome.dockerfile or "")


@pytest.mark.parametrize(("release", "runtime"), [
    ("3.11.2", "gcr.io/distroless/python3-debian12:nonroot"),  # the very Python distroless carries
    ("3.11.9", "python:3.11.9-slim"),
])
def test_distroless_python_only_when_it_carries_the_pinned_release(tmp_path: Path, release: str, runtime: str) -> None:
    outcome = convert_in(tmp_path, PYTHON_DF.format(image=f"python:{release}"), PYTHON)
    assert bases(outcome) == [f"python:{release}", runtime]
    if release != catalogue.DISTROLESS_PYTHON_RELEASE:
        assert f"not distroless python3: it carries Python 3.11.2, not the pinned {release}" in (outcome.dockerfile or "")


def test_forced_distroless_python_gives_way_to_the_pinned_release(tmp_path: Path) -> None:
    outcome = convert_in(tmp_path, PYTHON_DF.format(image="python:3.11.9"), PYTHON, RuntimeChoice.DISTROLESS)
    assert bases(outcome) == ["python:3.11.9", "python:3.11.9-slim"]


def test_forced_distroless_java_gives_way_to_the_pinned_jre(tmp_path: Path) -> None:
    outcome = convert_in(tmp_path, JAVA_DF.format(image="eclipse-temurin:21.0.5_11-jdk"), JAVA, RuntimeChoice.DISTROLESS)
    assert bases(outcome)[-1] == "eclipse-temurin:21.0.5_11-jre"
    assert "not distroless Java 21, as --runtime asked" in (outcome.dockerfile or "")


def test_a_digest_pinned_original_keeps_its_digest_where_the_builder_is_the_same_image(tmp_path: Path) -> None:
    outcome = convert_in(tmp_path, PYTHON_DF.format(image=f"python:3.11.9@{DIGEST}"), PYTHON)
    # The runtime is another tag: its digest is for `stagify pin` to look up.
    assert bases(outcome) == [f"python:3.11.9@{DIGEST}", "python:3.11.9-slim"]


def test_a_digest_pinned_original_without_a_tag_floats_as_before(tmp_path: Path) -> None:
    outcome = convert_in(tmp_path, GO_DF.format(image=f"golang@{DIGEST}"), GO)
    assert bases(outcome)[0] == "golang:1.27.1-bookworm"


def test_go_mod_newer_than_the_pinned_release_still_raises_the_go_version(tmp_path: Path) -> None:
    # go.mod's go line is a minimum: Go 1.23 is needed, so the pinned 1.22.5 cannot be kept.
    files = {**GO, "go.mod": "module example.com/app\n\ngo 1.23\n"}
    assert bases(convert_in(tmp_path, GO_DF.format(image="golang:1.22.5"), files))[0] == "golang:1.23.12-bookworm"


@pytest.mark.parametrize(("image", "release", "distribution"), [
    ("node:24.16.0", "24.16.0", None),
    ("node:24.16.0-bookworm-slim", "24.16.0", "bookworm"),
    ("python:3.13.0rc2-slim", "3.13.0rc2", None),
    ("golang:1.22.5-alpine3.20", "1.22.5", "alpine3.20"),
    ("eclipse-temurin:21.0.5_11-jre-noble", "21.0.5_11", "noble"),
    ("eclipse-temurin:8u422-b05-jdk", "8u422-b05", None),
    ("node:24", None, None),
    ("python:3.11-slim", None, None),
    ("golang:1.22", None, None),
    ("eclipse-temurin:21-jdk", None, None),
    ("maven:3.9.6-eclipse-temurin-21", None, None),  # Maven's release, not Java's
    ("openjdk:17.0.2-jdk", None, None),
])
def test_which_tags_pin_an_exact_release(image: str, release: str | None, distribution: str | None) -> None:
    exact = catalogue.exact_release(parse_ref(image))
    assert (exact.release if exact else None, exact.distribution if exact else None) == (release, distribution)


def test_rows_of_another_image_or_series_are_not_retagged() -> None:
    exact = catalogue.exact_release(parse_ref("node:24.16.0"))
    for key in ("node-22-slim", "distroless-nodejs24", "bun-slim", "debian"):
        assert catalogue.at_release(catalogue.row(key), exact) is catalogue.row(key)
