"""Secrets: what is reported (with its line and the BuildKit alternative), what is not, and --strict."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stagify import Status, convert
from stagify.dockerfile.parse import parse
from stagify.dockerfile.secrets import looks_secret, scan

from .helpers import FIXTURES, copy_context

GO = "FROM golang:1.22\nWORKDIR /app\nCOPY . .\n{line}\nRUN go build -o /app/server ./cmd/server\nCMD [\"/app/server\"]\n"


def findings(line: str) -> list[str]:
    return [f"{n.line}: {n.message}" for n in scan(parse(GO.format(line=line)))]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ARG NPM_TOKEN", "4: ARG NPM_TOKEN looks like a secret: build arguments stay in the image's history"),
        ("ARG DB_PASSWORD=changeit", "4: ARG DB_PASSWORD looks like a secret"),
        ("ENV API_KEY=abc123def456", "4: ENV API_KEY holds what looks like a secret"),
        ("ENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "4: ENV AWS_ACCESS_KEY_ID holds an AWS access key ID"),
        ("ENV SETTINGS=ghp_0123456789abcdefghijklmnopqrstuvwxyz", "4: ENV SETTINGS holds a GitHub token"),
        ("COPY id_rsa /root/.ssh/id_rsa", "4: copies id_rsa, which looks like a secret"),
        ("COPY .env.production ./", "4: copies .env.production, which looks like a secret"),
        ("RUN pip install --index-url https://user:s3cret@pypi.example.com/simple app", "4: RUN has credentials in a URL"),
        ("RUN curl -u deploy:hunter2 https://example.com/artifact -o a", "4: RUN has credentials on a curl/wget command line"),
        ("RUN echo '//registry.npmjs.org/:_authToken=abcdef1234567890' > .npmrc", "4: RUN has a registry token written into a config file"),
        ("RUN docker login -u bot -p hunter2 registry.example.com", "4: RUN has a docker login password"),
    ],
)
def test_secrets_are_reported_with_their_line(line: str, expected: str) -> None:
    found = findings(line)
    assert any(f.startswith(expected) for f in found), found
    assert all("--mount=type=secret" in f or "run time" in f for f in found)


@pytest.mark.parametrize(
    "line",
    [
        "ARG GO_VERSION=1.22",
        "ARG DB_PASSWORD_FILE=/run/secrets/db_password",
        "ENV TOKEN_TTL=3600",
        "ENV API_KEY=$API_KEY",
        "ENV SECRET_KEY_BASE_PATH=/etc/app",
        "ENV PASSWORD=",
        "RUN curl -fsSL https://example.com/install.sh | sh",
        "RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci",
        "COPY keys.go ./",
        "RUN psql --password-file=/run/secrets/pg",
    ],
)
def test_what_only_looks_near_a_secret_is_not_reported(line: str) -> None:
    assert findings(line) == []


def test_names() -> None:
    assert looks_secret("GITHUB_TOKEN") and looks_secret("db_password") and looks_secret("STRIPE_API_KEY")
    assert not looks_secret("TOKENIZER_MODEL") and not looks_secret("PASSWORD_FILE") and not looks_secret("AUTHOR")


def test_a_secret_file_never_reaches_the_runtime_and_the_dockerignore_lists_them(tmp_path: Path) -> None:
    context = copy_context(FIXTURES / "seed-001-go-api", tmp_path / "proj")
    (context / "deploy.key").write_text("-----BEGIN PRIVATE KEY-----\n")
    text = (context / "Dockerfile").read_text().replace("COPY . .", "COPY deploy.key /etc/deploy.key\nCOPY . .")
    outcome = convert(text, context=context)
    assert outcome.status is Status.CONVERTED
    runtime = (outcome.dockerfile or "").rsplit("\nFROM ", 1)[1]
    assert "deploy.key" not in runtime
    assert any(n.kind == "secret" and n.line == 6 for n in outcome.notes)
    ignored = (outcome.dockerignore or "").splitlines()
    assert {"**/.env", "**/.env.*", "**/*.pem", "**/id_rsa*", "**/*.p12", "**/*.key"} <= set(ignored)
    # deploy.key is copied by name: re-included right after the pattern, so the build still finds it
    assert ignored.index("!deploy.key") == ignored.index("**/*.key") + 1


def stagify(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stagify", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200"})


def test_strict_turns_secrets_into_a_failure_and_writes_nothing(tmp_path: Path) -> None:
    context = copy_context(FIXTURES / "seed-001-go-api", tmp_path / "proj")
    original = (context / "Dockerfile").read_text().replace("COPY . .", "ARG GITHUB_TOKEN\nCOPY . .")
    (context / "Dockerfile").write_text(original)
    assert stagify("convert", "--stdout", "proj", cwd=tmp_path).returncode == 0  # a warning without --strict
    run = stagify("convert", "--write", "--strict", "proj", cwd=tmp_path)
    assert run.returncode == 3
    assert "proj/Dockerfile:6:1: STG003 ARG GITHUB_TOKEN looks like a secret" in run.stderr
    assert run.stderr.strip().endswith("error: proj/Dockerfile: 1 secret(s) in the Dockerfile: --strict stops here; nothing written")
    assert (context / "Dockerfile").read_text() == original and not (context / ".dockerignore").exists()
    migrate = stagify("migrate", ".", "--strict", cwd=tmp_path)
    assert migrate.returncode == 3 and "proj/Dockerfile:6:1: STG003 ARG GITHUB_TOKEN looks like a secret" in migrate.stderr
