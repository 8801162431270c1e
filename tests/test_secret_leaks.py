"""Secret-looking files never reach the runtime stage, and machine-readable outputs never carry a secret value.

What reaches the runtime is worked out from the conversion itself: the generated .dockerignore
decides what is in the build context, each COPY of the builder and the runtime is followed
(``--exclude``, ``COPY --from=builder``, the builder's ``RUN rm``), and every file that ends
up in the runtime stage is checked by name and content.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from stagify import Level, Outcome, Status, convert
from stagify.context.dockerignore import is_ignored, parse_rules
from stagify.dockerfile.model import Keyword
from stagify.dockerfile.parse import parse
from stagify.dockerfile.secrets import is_secret_file, redact

from .helpers import FIXTURES, copy_context

SECRET_PATHS = ("config/.env", "prod.env", "certs/server.key", "certs/tls.pem", ".ssh/id_rsa", "sub/deeper/id_ed25519",
                "id_ecdsa", ".aws/credentials", ".git-credentials", "credentials.json", "secrets.yaml", ".env", "id_rsa")
NPMRC = "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789\n"
REGISTRY_CONFIG = '{"auths": {"registry.example.com": {"auth": "Ym90Omh1bnRlcjI="}}}\n'
EXPLICIT = "COPY .env .\nCOPY id_rsa /root/.ssh/id_rsa\nCOPY certs/server.key certs/\n"


def with_secrets(case: str, dest: Path, explicit: bool) -> Path:
    folder = copy_context(FIXTURES / case, dest)
    for rel in SECRET_PATHS:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text("SECRET=hunter2\n")
    (folder / ".npmrc").write_text(NPMRC)
    (folder / "config.json").write_text(REGISTRY_CONFIG)
    if explicit:
        text = (folder / "Dockerfile").read_text()
        (folder / "Dockerfile").write_text(text.replace("COPY . .\n", EXPLICIT + "COPY . .\n", 1))
    return folder


def context_files(folder: Path, ignore: str) -> list[str]:
    rules = parse_rules(ignore)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and not is_ignored(rules, p.relative_to(folder).as_posix()))


def runtime_files(outcome: Outcome, folder: Path) -> dict[str, str]:
    """Image path -> context path of every context file the runtime stage ends up with."""
    context = context_files(folder, outcome.dockerignore or "")
    df = parse(outcome.dockerfile or "")
    stages: dict[str, dict[str, str]] = {}
    for stage in df.stages:
        files: dict[str, str] = {}
        workdir = "/"
        for ins in stage.instructions:
            if ins.keyword is Keyword.WORKDIR:
                workdir = posixpath.join(workdir, ins.args.strip())
            elif ins.keyword is Keyword.RUN and ins.args.startswith("rm -rf -- "):
                for gone in shlex.split(ins.args)[3:]:
                    files = {k: v for k, v in files.items() if k != gone and not k.startswith(gone.rstrip("/") + "/")}
            elif ins.keyword is Keyword.COPY:
                words = shlex.split(ins.args)
                sources, dest = words[:-1], posixpath.join(workdir, words[-1])
                origin = ins.flag("from")
                excluded = [f.value for f in ins.flags if f.name == "exclude"]
                if origin is not None:
                    pool = stages.get(origin.lower(), {})
                    for source in sources:
                        for path, rel in pool.items():
                            if path == source or path.startswith(source.rstrip("/") + "/"):
                                files[dest.rstrip("/") + path[len(source.rstrip("/")):]] = rel
                    continue
                for source in sources:
                    prefix = "" if source in (".", "./") else source.rstrip("/")
                    for rel in context:
                        if prefix and rel != prefix and not rel.startswith(prefix + "/"):
                            continue
                        inner = rel[len(prefix):].lstrip("/") if prefix else rel
                        if inner in excluded:
                            continue
                        if rel == prefix:  # a file copied by name
                            target = posixpath.join(dest, posixpath.basename(rel)) if words[-1].endswith(("/", ".")) else dest
                        else:
                            target = posixpath.join(dest, inner)
                        files[posixpath.normpath(target)] = rel
        stages[(stage.alias or str(len(stages))).lower()] = files
    return stages[(df.stages[-1].alias or str(len(df.stages) - 1)).lower()]


def leaked(outcome: Outcome, folder: Path) -> list[str]:
    found = runtime_files(outcome, folder)
    return sorted(rel for rel in found.values() if is_secret_file(rel, (folder / rel).read_text(errors="replace")))


@pytest.mark.parametrize("explicit", [False, True], ids=["copied with the context", "also copied by name"])
@pytest.mark.parametrize("case", ["python-flask-e2e", "seed-001-node-express", "seed-001-go-api"])
def test_secret_files_never_reach_the_runtime_stage(tmp_path: Path, case: str, explicit: bool) -> None:
    folder = with_secrets(case, tmp_path / "proj", explicit)
    outcome = convert((folder / "Dockerfile").read_bytes(), context=folder)
    assert outcome.status is Status.CONVERTED, outcome.error
    if case != "seed-001-go-api":  # Go's runtime holds the binary alone
        assert runtime_files(outcome, folder), "the simulation follows the runtime's copies"
    assert leaked(outcome, folder) == []
    for note in outcome.notes:
        if "copies" in note.message and "looks like a secret" in note.message:
            assert "the runtime stage does not get it" in note.message


def test_a_secret_named_beside_other_files_is_left_out_of_the_runtime_copy(tmp_path: Path) -> None:
    folder = with_secrets("seed-001-node-express", tmp_path / "proj", explicit=False)
    text = (folder / "Dockerfile").read_text()
    (folder / "Dockerfile").write_text(text.replace("COPY . .\n", "COPY .env package.json ./\nCOPY . .\n", 1))
    outcome = convert((folder / "Dockerfile").read_bytes(), context=folder)
    runtime = (outcome.dockerfile or "").rsplit("\nFROM ", 1)[1]
    assert "COPY package.json ./" in runtime and "COPY .env" not in runtime
    assert leaked(outcome, folder) == []


def test_the_dockerignore_leaves_secrets_out_at_any_depth(tmp_path: Path) -> None:
    folder = with_secrets("seed-001-go-api", tmp_path / "proj", explicit=False)
    outcome = convert((folder / "Dockerfile").read_bytes(), context=folder)
    rules = parse_rules(outcome.dockerignore or "")
    kept = [rel for rel in (*SECRET_PATHS, ".npmrc", "config.json") if not is_ignored(rules, rel)]
    assert kept == []
    assert not is_ignored(rules, "main.go") and not is_ignored(rules, "go.mod")


def test_a_secret_looking_file_the_front_end_build_reads_is_kept_with_a_warning(tmp_path: Path) -> None:
    folder = copy_context(FIXTURES / "node-next-standalone", tmp_path / "proj")
    (folder / ".env.production").write_text("NEXT_PUBLIC_API=https://api.example.com\n")
    (folder / "config").mkdir(exist_ok=True)
    (folder / "config" / ".env").write_text("DB_PASSWORD=hunter2\n")
    outcome = convert((folder / "Dockerfile").read_bytes(), context=folder)
    assert outcome.status is Status.CONVERTED
    rules = parse_rules(outcome.dockerignore or "")
    assert not is_ignored(rules, ".env.production")  # the build reads it: hiding it would change the build
    assert is_ignored(rules, "config/.env")
    warning = next(n for n in outcome.notes if n.level is Level.WARNING and n.message.startswith(".env.production"))
    assert "Next.js" in warning.message and "reads it" in warning.message
    assert re.search(r"--mount=type=secret,id=env[-_]production,target=\S*\.env\.production", warning.message)
    assert re.search(r"--secret id=env[-_]production,src=\.env\.production", warning.message)
    assert ".env.production" not in runtime_files(outcome, folder).values()


def test_an_npmrc_with_a_token_the_install_reads_is_kept_for_the_builder_only(tmp_path: Path) -> None:
    folder = copy_context(FIXTURES / "seed-001-node-express", tmp_path / "proj")
    (folder / ".npmrc").write_text(NPMRC)
    outcome = convert((folder / "Dockerfile").read_bytes(), context=folder)
    assert not is_ignored(parse_rules(outcome.dockerignore or ""), ".npmrc")  # npm ci needs it in the deps stage
    warning = next(n for n in outcome.notes if n.message.startswith(".npmrc looks like a secret, but the npm install reads it"))
    assert "RUN --mount=type=secret,id=npmrc,target=.npmrc" in warning.message
    assert "COPY --exclude=.npmrc . ." in (outcome.dockerfile or "")
    assert (outcome.dockerfile or "").startswith("# syntax=docker/dockerfile:1.19\n")
    assert leaked(outcome, folder) == []


def test_go_assets_holding_credentials_are_not_copied_into_the_runtime(tmp_path: Path) -> None:
    folder = copy_context(FIXTURES / "seed-001-go-api", tmp_path / "proj")
    (folder / "secrets.yaml").write_text("db_password: hunter2\n")
    (folder / "config.json").write_text(REGISTRY_CONFIG)
    (folder / "settings.json").write_text('{"port": 8080}\n')
    outcome = convert((folder / "Dockerfile").read_bytes(), context=folder)
    runtime = (outcome.dockerfile or "").rsplit("\nFROM ", 1)[1]
    assert "secrets.yaml" not in runtime and "config.json" not in runtime
    assert any(n.message.startswith("secrets.yaml looks like a secret: not copied into the runtime") for n in outcome.notes)
    assert any(n.message.startswith("config.json looks like a secret: not copied into the runtime") for n in outcome.notes)


SECRET_LINES = ("ENV API_KEY=abc123def456 AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
                "ARG GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyz\n"
                "ENV DB_PASSWORD s3cr3t-value\n"
                "RUN curl -u deploy:hunter2 https://example.com/a -o /tmp/a\n"
                "RUN pip download --index-url https://bot:pa55word@pypi.example.com/simple x || true\n")
VALUES = ("abc123def456", "AKIAIOSFODNN7EXAMPLE", "ghp_0123456789abcdefghijklmnopqrstuvwxyz", "s3cr3t-value", "hunter2", "pa55word")


@pytest.mark.parametrize("args", [("convert", "--json"), ("convert", "--format", "sarif"), ("migrate", "--format", "sarif"),
                                  ("migrate", "--json")])
def test_machine_readable_outputs_never_carry_a_secret_value(tmp_path: Path, args: tuple[str, ...]) -> None:
    folder = copy_context(FIXTURES / "seed-003-go-hello", tmp_path / "proj")
    text = (folder / "Dockerfile").read_text()
    (folder / "Dockerfile").write_text(text.replace("RUN go build", SECRET_LINES + "RUN go build", 1))
    run = subprocess.run([sys.executable, "-m", "stagify", *args, "proj"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert run.stdout.strip().startswith(("{", "[")), run.stderr
    json.loads(run.stdout)
    assert [v for v in VALUES if v in run.stdout] == []
    if args == ("convert", "--json"):
        converted = json.loads(run.stdout)[0]["dockerfile"]
        assert "ENV API_KEY=*** AWS_ACCESS_KEY_ID=***" in converted and "curl -u deploy:***" in converted


def test_redaction_keeps_what_is_not_a_secret() -> None:
    text = ("ENV TOKEN_TTL=3600 API_KEY=$API_KEY PATH=/usr/bin\nRUN curl -fsSL https://example.com/x | sh\n"
            "ARG DB_PASSWORD_FILE=/run/secrets/db\nENV PORT 8080\n")
    assert redact(text) == text
    assert redact("ENV SECRET_KEY=\"a b c\"\n") == "ENV SECRET_KEY=***\n"
