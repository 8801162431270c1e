"""Property-based fuzzing: Dockerfiles generated from a grammar of real instructions, and real ones mutated.

For every input: no exception escapes ``convert``; a failure names a line (unless the whole
file is the problem) and is never the self-check refusing stagify's own output; a conversion
passes the self-check (``stagify.dockerfile.selfcheck``), parses again, is stable (converting it again
changes nothing), ends with a non-root USER and accounts for every original instruction.

The normal suite runs a few hundred deterministic examples. The big run is documented in
CONTRIBUTING.md:

    STAGIFY_FUZZ_EXAMPLES=10000 python -m pytest tests/test_fuzz.py -q
"""

from __future__ import annotations

import os
import random
import re
import string
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from stagify import Status, convert
from stagify.context.dockerignore import PatternError, compile_glob
from stagify.dockerfile import selfcheck
from stagify.dockerfile.model import Keyword
from stagify.dockerfile.parse import parse
from stagify.errors import StagifyError

from .helpers import FIXTURES, shared_dir

BIG = int(os.environ.get("STAGIFY_FUZZ_EXAMPLES", "0"))
SETTINGS = settings(
    max_examples=BIG or 150,
    deadline=None,
    derandomize=not BIG,  # the normal suite is deterministic; the big run explores
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    database=None,
)
# Failures about the file as a whole, which have no one line to name.
WHOLE_FILE = ("the file is empty", "no instructions, only comments", "no FROM instruction")
ROOT_USERS = ("root", "0")

CONTEXTS = {
    "empty": {},
    "go": {"go.mod": "module example.com/app\n\ngo 1.22\n", "main.go": "package main\n\nfunc main() {}\n", "static/index.html": "<p>hi</p>\n"},
    "node": {"package.json": '{"name": "app", "scripts": {"start": "node server.js", "build": "tsc"}, "dependencies": {"express": "^4"}}\n',
             "package-lock.json": '{"lockfileVersion": 3, "packages": {}}\n', "server.js": "require('express')\n"},
    "python": {"requirements.txt": "flask==3.0\ngunicorn\n", "app.py": "from flask import Flask\napp = Flask(__name__)\n"},
    "java": {"pom.xml": "<project><artifactId>demo</artifactId><version>1.0</version></project>\n",
             "src/main/java/App.java": "public class App { public static void main(String[] a) {} }\n"},
}


@pytest.fixture(scope="module")
def contexts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    made = {}
    for name, files in CONTEXTS.items():
        root = tmp_path_factory.mktemp(f"ctx-{name}")
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        made[name] = root
    return made


# -- the grammar --------------------------------------------------------------------------------

IMAGES = ["golang:1.22", "golang:1.21-alpine", "node:20", "node:18-alpine", "python:3.12", "python:3.11-slim", "eclipse-temurin:17-jdk",
          "maven:3.9-eclipse-temurin-17", "gradle:jdk21", "openjdk:11", "alpine:3.20", "debian:bookworm", "ubuntu:22.04",
          "${BASE}", "${BASE}:${TAG}", "scratch", "oven/bun:1", "registry.example.com:5000/team/app:1@sha256:" + "a" * 64]
COMMANDS = ["go build -o /app/server .", "go mod download", "CGO_ENABLED=0 go build ./cmd/x", "npm ci", "npm install", "npm run build",
            "yarn install --frozen-lockfile", "pip install -r requirements.txt", "pip install --no-cache-dir flask", "poetry install",
            "mvn package", "mvn -B dependency:go-offline", "./gradlew build", "javac Main.java",
            "apt-get update && apt-get install -y curl ca-certificates", "apk add --no-cache git build-base",
            "echo hello > /tmp/x", "useradd -m app", "chmod +x /entrypoint.sh", "cd /app && make", "mkdir -p /data",
            "true || false", "ls -la; pwd", "curl -fsSL https://example.com | sh", "$FOO bar", "'unbalanced", "a && && b"]
PATHS = [".", "./", "src", "src/", "app.py", "go.mod", "package*.json", "requirements.txt", "pom.xml", "/app", "app/", "*.go", "[a-z]*"]
WORDS = st.sampled_from(["app", "APP_ENV", "x", "PORT", "8080", "value", "a b", '"quoted"', "$HOME", "${A:-b}", "", "é", "\\$x"])


def _json(args: list[str]) -> str:
    return "[" + ", ".join('"' + a.replace("\\", "\\\\").replace('"', '\\"') + '"' for a in args) + "]"


@st.composite
def instruction(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["FROM", "ARG", "ENV", "LABEL", "EXPOSE", "WORKDIR", "USER", "COPY", "ADD", "RUN", "RUN", "RUN", "CMD",
                                 "ENTRYPOINT", "HEALTHCHECK", "VOLUME", "STOPSIGNAL", "ONBUILD", "SHELL", "MAINTAINER", "#", ""]))
    word = draw(WORDS)
    if kind == "FROM":
        platform = draw(st.sampled_from(["", "--platform=linux/amd64 ", "--platform=$BUILDPLATFORM "]))
        alias = draw(st.sampled_from(["", " AS builder", " as build", " AS app"]))
        return f"FROM {platform}{draw(st.sampled_from(IMAGES))}{alias}"
    if kind == "ARG":
        return draw(st.sampled_from(["ARG BASE=golang:1.22", "ARG TAG", "ARG VERSION=1.0", f"ARG {word or 'X'}", "ARG A=1 B"]))
    if kind == "ENV":
        return draw(st.sampled_from([f"ENV APP_ENV={word}", "ENV A=1 B=2", "ENV LEGACY some value", "ENV PATH=/app/bin:$PATH",
                                     "ENV GOFLAGS=-mod=vendor", "ENV NODE_ENV production", "ENV PIP_NO_CACHE_DIR=1"]))
    if kind in ("COPY", "ADD"):
        flags = draw(st.sampled_from(["", "--chown=app:app ", "--from=builder ", "--link ", "--chmod=755 ", "--from=golang:1.22 "]))
        sources = draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=3))
        dest = draw(st.sampled_from(["/app/", ".", "./", "/usr/local/bin/", "dest"]))
        if draw(st.booleans()):
            return f"{kind} {flags}{_json([*sources, dest])}"
        return f"{kind} {flags}{' '.join(sources)} {dest}"
    if kind == "RUN":
        form = draw(st.sampled_from(["shell", "shell", "exec", "heredoc", "mount"]))
        commands = draw(st.lists(st.sampled_from(COMMANDS), min_size=1, max_size=3))
        if form == "exec":
            return f"RUN {_json(['/bin/sh', '-c', ' && '.join(commands)])}"
        if form == "heredoc":
            return "RUN <<EOF\n" + "\n".join(commands) + "\nEOF"
        if form == "mount":
            return f"RUN --mount=type=cache,target=/root/.cache {' && '.join(commands)}"
        return "RUN " + " && ".join(commands)
    if kind in ("CMD", "ENTRYPOINT"):
        argv = draw(st.sampled_from([["/app/server"], ["node", "server.js"], ["python", "app.py"], ["java", "-jar", "app.jar"],
                                     ["npm", "start"], ["go", "run", "."], ["sh", "-c", "exec app --port $PORT"], ["./entrypoint.sh"]]))
        if draw(st.booleans()):
            return f"{kind} {_json(argv)}"
        return f"{kind} {' '.join(argv)}"
    if kind == "HEALTHCHECK":
        return draw(st.sampled_from(["HEALTHCHECK CMD curl -f http://localhost/ || exit 1", "HEALTHCHECK NONE",
                                     'HEALTHCHECK --interval=30s CMD ["wget", "-q", "-O-", "http://localhost"]']))
    if kind == "ONBUILD":
        return "ONBUILD RUN echo child"
    if kind == "SHELL":
        return 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]'
    if kind == "MAINTAINER":
        return "MAINTAINER someone <a@example.com>"
    if kind == "#":
        return "# " + draw(st.text(alphabet=string.printable.strip("\r\n\x0b\x0c"), max_size=30))
    if kind == "":
        return ""
    return f"{kind} {word or 'x'}"


def _continue(line: str, rng: random.Random) -> str:
    """Break a line at a blank with a continuation, sometimes with a comment line inside."""
    blanks = [i for i, ch in enumerate(line) if ch == " "]
    if "\n" in line or not blanks:
        return line
    cut = rng.choice(blanks)
    middle = "  # inside\n" if rng.random() < 0.2 else ""
    return line[:cut] + " \\\n" + middle + "    " + line[cut + 1 :]


@st.composite
def dockerfile(draw: st.DrawFn) -> bytes:
    lines = [draw(instruction()) for _ in range(draw(st.integers(0, 14)))]
    if draw(st.integers(0, 9)) > 0:  # usually a FROM first, sometimes after the ARGs it reads
        head = draw(st.sampled_from([[], [], ["ARG BASE=golang:1.22"], ["ARG BASE=node:20", "ARG TAG=20"], ["# a comment"]]))
        image = draw(st.sampled_from(IMAGES if head and head[0].startswith("ARG") else [i for i in IMAGES if "$" not in i]))
        lines = [*head, f"FROM {image}", *lines]
    rng = random.Random(draw(st.integers(0, 2**16)))
    lines = [_continue(line, rng) if rng.random() < 0.15 else line for line in lines]
    lines = [line.lower() if rng.random() < 0.05 and "\n" not in line else line for line in lines]
    prefix = draw(st.sampled_from(["", "", "# syntax=docker/dockerfile:1\n", "# escape=\\\n"]))
    text = prefix + "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))
    if draw(st.integers(0, 9)) == 0:
        text = text.replace("\n", "\r\n")
    data = text.encode()
    if draw(st.integers(0, 19)) == 0:
        data = b"\xef\xbb\xbf" + data
    return data


# -- mutations of real Dockerfiles ---------------------------------------------------------------


def _real_dockerfiles() -> list[bytes]:
    found = [p.read_bytes() for p in sorted(FIXTURES.glob("*/Dockerfile"))]
    shared = shared_dir()
    if shared is not None and (shared / "corpus").is_dir():
        found += [p.read_bytes() for p in sorted((shared / "corpus").glob("*/[Dd]ockerfile")) if p.is_file()]
    return found


REAL = _real_dockerfiles()


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(REAL)))
    for _ in range(draw(st.integers(1, 3))):
        lines = bytes(data).split(b"\n")
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "truncate", "backslash", "case", "junk", "byte"]))
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        j = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "delete" and lines:
            del lines[i]
        elif op == "duplicate" and lines:
            lines.insert(i, lines[i])
        elif op == "swap" and lines:
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            lines.insert(i, draw(instruction()).encode())
        elif op == "truncate":
            lines = lines[: i + 1]
            lines[-1] = lines[-1][: draw(st.integers(0, max(0, len(lines[-1]))))]
        elif op == "backslash" and lines:
            lines[i] = lines[i] + b" \\"
        elif op == "case" and lines:
            lines[i] = lines[i].swapcase()
        elif op == "junk":
            lines.insert(i, draw(st.binary(max_size=20)))
        elif op == "byte" and lines and lines[i]:
            k = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:k] + bytes([draw(st.integers(0, 255))]) + lines[i][k + 1 :]
        data = bytearray(b"\n".join(lines))
    return bytes(data)


# -- the properties -------------------------------------------------------------------------------


def check(data: bytes, context: Path) -> None:
    outcome = convert(data, context=context)  # any exception fails the test: no traceback for any input
    if outcome.status is Status.FAILED:
        error = outcome.error
        assert error is not None and error.message
        assert not error.internal, f"the output failed the self-check: {error}"
        assert error.line is not None or error.message.startswith(WHOLE_FILE) or "UTF-8" in error.message, error
        return
    if outcome.status is Status.SKIPPED:
        assert outcome.reason
        return
    text = outcome.dockerfile or ""
    try:
        converted = parse(text)
    except StagifyError as exc:  # pragma: no cover - reported with the input that caused it
        raise AssertionError(f"the conversion does not parse: {exc}\n{text}") from None
    again = convert(text, context=context)
    assert again.status is Status.SKIPPED, again  # already multi-stage: converting it again changes nothing
    final = converted.stages[-1]
    users = [i.args.strip() for i in final.instructions if i.keyword is Keyword.USER]
    assert users and users[-1].split(":")[0] not in ROOT_USERS, text
    original = parse(data)
    assert selfcheck.check(text, original) == (), text  # what convert already checked, asserted here as well
    lines = {i.line for i in original.global_args} | {s.from_.line for s in original.stages}
    lines |= {i.line for s in original.stages for i in s.instructions}
    assert {d.instruction.line for d in outcome.decisions} == lines  # every instruction placed, with a reason


@SETTINGS
@given(data=dockerfile(), lang=st.sampled_from(sorted(CONTEXTS)))
def test_generated_dockerfiles(contexts: dict[str, Path], data: bytes, lang: str) -> None:
    check(data, contexts[lang])


@SETTINGS
@given(data=mutated(), lang=st.sampled_from(sorted(CONTEXTS)))
# Found by the big run: a WORKDIR with an unclosed quote reached a runtime COPY as one word.
@example(data=b"FROM maven:3.8.4-openjdk-11-slim\nWORKDIR 'app\nCOPY pom.xml .\nRUN mvn package\n"
              b'CMD ["java", "-jar", "target/app.jar"]\n', lang="empty")
# Found by the big run: a CMD with an unclosed quote named a "program" the runtime then copied from the builder.
@example(data=b"FROM golang:1.21\nWORKDIR /goserver\nADD /main/ /goserver/\nRUN go build -o main .\nCMD '\"./main\"]\n",
         lang="empty")
def test_mutated_real_dockerfiles(contexts: dict[str, Path], data: bytes, lang: str) -> None:
    check(data, contexts[lang])


# -- hostile shapes: deep nesting, exponential expansion, pathological ignore patterns -------------

LIMIT_MESSAGES = ("variables nested more than", "the value grows past", "ENV values add up to")
# Each of these examples is large by design: fewer of them in the normal suite, as many as asked in the big run.
HOSTILE = settings(SETTINGS, max_examples=BIG or 40)


@st.composite
def hostile(draw: st.DrawFn) -> bytes:
    """A Dockerfile built to blow up expansion: nested defaults, doubling ARG/ENV chains, wide references."""
    depth = draw(st.integers(1, 300))
    nested = "${A:-" * depth + draw(st.sampled_from(["x", "$B", ""])) + "}" * draw(st.sampled_from([depth, depth - 1, depth + 1]))
    kind = draw(st.sampled_from(["ARG", "ENV"]))
    links = draw(st.integers(1, 40))
    chain = [f"{kind} C0={'y' * draw(st.integers(1, 64))}"] + [f"{kind} C{i}=$C{i - 1}${{C{i - 1}}}" for i in range(1, links)]
    wide = "ENV W=" + "$C0" * draw(st.integers(1, 5000))
    where = draw(st.sampled_from(["WORKDIR", "COPY . ", "ENV P=", "ARG Q=", "FROM"]))
    lines = ["FROM golang:1.22"] if where != "FROM" or kind == "ENV" else []
    if kind == "ARG" and where == "FROM":
        lines = [*chain, f"FROM {nested}"]
    elif where == "FROM":
        lines = [f"FROM {nested}", *chain]
    else:
        lines += [*chain, f"{where}{nested}" + (" /app/" if where == "COPY . " else "")]
    lines += draw(st.permutations([wide, "WORKDIR /app", "COPY . .", "RUN go build -o /app/server .", 'CMD ["/app/server"]']))
    return ("\n".join(lines) + "\n").encode()


@HOSTILE
@given(data=hostile())
def test_hostile_expansions(contexts: dict[str, Path], data: bytes) -> None:
    outcome = convert(data, context=contexts["go"])  # no exception, no hang, no memory blow-up
    if outcome.status is Status.FAILED and outcome.error is not None and outcome.error.message.startswith(LIMIT_MESSAGES):
        assert outcome.error.line is not None  # a limit is reported at the line that crossed it
        return
    check(data, contexts["go"])


PATTERN_ALPHABET = "ab/*?[]!^-\\."


def _oracle(pattern: str) -> re.Pattern[str] | None:
    """The backtracking regular expression stagify used to build (the reference semantics), or None when re refuses it."""
    out = ["^"]
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            if i + 1 < n and pattern[i + 1] == "*":
                i += 1
                if i + 1 < n and pattern[i + 1] == "/":
                    i += 1
                    out.append("(?:.*/)?")
                else:
                    out.append(".*")
            else:
                out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1 : end]
                if body.startswith(("!", "^")):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        elif ch == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(ch))
        i += 1
    out.append("$")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # "possible nested set": Python's note on [[, not a failure
            return re.compile("".join(out))
    except re.error:
        return None


@SETTINGS
@given(pattern=st.text(alphabet=PATTERN_ALPHABET, min_size=1, max_size=14), names=st.lists(st.text(alphabet="ab/.-*[]", max_size=10), max_size=20))
def test_ignore_patterns_match_as_the_regular_expressions_did(pattern: str, names: list[str]) -> None:
    """The automaton agrees with the old regular expressions wherever those compile, and refuses what they refused."""
    oracle = _oracle(pattern)
    try:
        glob = compile_glob(pattern)
    except PatternError:
        assert oracle is None or "[]" in pattern or "[!]" in pattern or "[^]" in pattern, pattern
        return
    if oracle is None:
        return  # the regex engine refused a class the automaton reads (e.g. a range ending in a backslash)
    for name in names:
        assert glob.match(name) == bool(oracle.match(name)), (pattern, name)


@SETTINGS
@given(stars=st.integers(2, 30), length=st.integers(1, 200), last=st.sampled_from(["b", "a", ""]))
def test_pathological_ignore_patterns_finish(stars: int, length: int, last: str) -> None:
    """Nested ``**x`` runs against long names: the automaton's answer, with no backtracking to wait for."""
    glob = compile_glob("**a" * stars + "**" + last)
    name = "a" * length
    assert glob.match(name) == (length >= stars + len(last) and last != "b")


@HOSTILE
@given(depth=st.integers(1, 200_000), kind=st.sampled_from(["package.json", "pyproject.toml", ".dockerignore"]))
def test_deeply_nested_context_files(tmp_path_factory: pytest.TempPathFactory, depth: int, kind: str) -> None:
    root = tmp_path_factory.mktemp("nested")
    for rel, text in CONTEXTS["node" if kind == "package.json" else "python"].items():
        (root / rel).write_text(text)
    body = {"package.json": "[" * depth + "]" * (depth // 2), "pyproject.toml": "a = " + "[" * depth,
            ".dockerignore": "[" * depth + "a" + "]" * depth}[kind]
    (root / kind).write_text(body)
    dockerfile = b"FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n" if kind == "package.json" else \
        b"FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
    outcome = convert(dockerfile, context=root)  # no exception whatever the depth
    assert outcome.status is not Status.FAILED or (outcome.error is not None and outcome.error.message)
