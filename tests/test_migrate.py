"""``stagify migrate`` over temporary trees of git repositories built from the fixtures (and the corpus).

Each test builds its own tree in ``tmp_path``: repositories with commits, a dirty one,
a plain folder, vendored and git-ignored Dockerfiles, a compose file with another build
context, two Dockerfiles sharing one context. The command runs as a subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stagify import Status, convert
from stagify.fleet.discover import find, is_dockerfile_name

from .helpers import FIXTURES, copy_context, materialize_corpus_case, shared_dir

GIT_ENV = {"GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env={**os.environ, **GIT_ENV}, check=True)
    return result.stdout


def make_repo(path: Path, fixture: str) -> Path:
    copy_context(FIXTURES / fixture, path)
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-qm", "initial")
    return path


def migrate(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "stagify", "migrate", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """An organisation's checkout: four repositories, one of them dirty, and a plain folder."""
    org = tmp_path / "org"
    make_repo(org / "api", "seed-001-go-api")
    web = make_repo(org / "web", "node-npm-ci-server")
    # vendored and git-ignored Dockerfiles are not the repository's own
    (web / "node_modules" / "pkg").mkdir(parents=True)
    (web / "node_modules" / "pkg" / "Dockerfile").write_text("FROM node:20\nRUN npm i\n")
    (web / "tmp").mkdir()
    (web / "tmp" / "Dockerfile").write_text("FROM golang:1.22\nRUN go build\n")
    (web / ".gitignore").write_text("tmp/\nnode_modules/\n")
    git(web, "add", ".gitignore")
    git(web, "commit", "-qm", "ignore")
    shop = make_repo(org / "shop", "java-maven-e2e")
    (shop / "src" / "main" / "java" / "com" / "example" / "shop" / "ShopServer.java").write_text("// work in progress\n")
    make_repo(org / "done", "go-already-multistage")
    copy_context(FIXTURES / "python-flask-e2e", org / "scripts" / "flask")  # not a git repository
    return org


def test_dockerfile_names() -> None:
    for name in ("Dockerfile", "dockerfile", "Containerfile", "Dockerfile.dev", "api.Dockerfile", "prod.dockerfile"):
        assert is_dockerfile_name(name), name
    for name in ("Dockerfile.bak", "Dockerfile.dockerignore", "Dockerfile.md", "notes.txt", "Dockerfile.j2"):
        assert not is_dockerfile_name(name), name


def test_discovery_skips_vendored_and_ignored_and_reads_compose_contexts(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "svc", "seed-001-go-api")
    (repo / "deploy").mkdir()
    shutil.move(repo / "Dockerfile", repo / "deploy" / "api.Dockerfile")
    (repo / "compose.yaml").write_text("services:\n  api:\n    build:\n      context: .\n      dockerfile: deploy/api.Dockerfile\n")
    (repo / "vendor" / "x").mkdir(parents=True)
    (repo / "vendor" / "x" / "Dockerfile").write_text("FROM alpine\n")
    found = find([tmp_path])
    assert [t.dockerfile.relative_to(tmp_path).as_posix() for t in found] == ["svc/deploy/api.Dockerfile"]
    assert found[0].context == repo.resolve()  # the compose file's build context, not the Dockerfile's folder
    assert found[0].repo == repo.resolve()


def test_summary_report_and_no_writes_without_write(tree: Path, tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file() and ".git" not in p.parts}
    report = tmp_path / "report.json"
    run = migrate(".", "--report", str(report), cwd=tree)
    assert run.returncode == 0, run.stderr
    assert "stagify migrate" in run.stdout  # the table is the result; the summary goes to standard error, last
    assert run.stderr.strip().splitlines()[-1] == "5 Dockerfiles: 4 would convert, 1 skipped, 0 failed; languages: go 1, java 1, node 1, python 1"
    assert {p: p.read_bytes() for p in tree.rglob("*") if p.is_file() and ".git" not in p.parts} == before
    data = json.loads(report.read_text())
    by_file = {f["dockerfile"]: f for f in data["files"]}
    assert set(by_file) == {"api/Dockerfile", "web/Dockerfile", "shop/Dockerfile", "done/Dockerfile", "scripts/flask/Dockerfile"}
    assert by_file["done/Dockerfile"]["outcome"] == "skipped"
    assert by_file["api/Dockerfile"]["bases_before"] == ["golang:1.22-alpine"]
    assert by_file["api/Dockerfile"]["bases_after"][-1] == "gcr.io/distroless/static-debian12:nonroot"
    assert data["totals"]["outcomes"] == {"converted": 4, "skipped": 1, "failed": 0}


def test_markdown_report(tree: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    assert migrate(".", "--report", str(report), cwd=tree).returncode == 0
    text = report.read_text()
    assert text.startswith("# stagify migrate report\n")
    assert "| `api/Dockerfile` | converted | go | golang:1.22-alpine | golang:1.22.12-alpine3.21, gcr.io/distroless/static-debian12:nonroot |" in text
    assert "| `done/Dockerfile` | skipped: already multi-stage (2 stages) |" in text


def test_check_and_diff(tree: Path) -> None:
    run = migrate(".", "--check", "--diff", cwd=tree)
    assert run.returncode == 1
    assert "+++ b/api/Dockerfile" in run.stdout and "+++ b/api/.dockerignore" in run.stdout


def test_write_on_a_branch_per_repository_refusing_dirty_ones(tree: Path) -> None:
    run = migrate(".", "--write", "--git-branch", "stagify/multi-stage", cwd=tree)
    assert run.returncode == 4, run.stdout + run.stderr  # one repository refused
    assert "shop: not migrated: uncommitted changes (src/main/java/com/example/shop/ShopServer.java)" in run.stderr
    for name in ("api", "web"):
        repo = tree / name
        assert git(repo, "branch", "--show-current").strip() == "stagify/multi-stage"
        assert git(repo, "status", "--porcelain").strip() == ""  # everything written is committed
        changed = git(repo, "show", "--name-only", "--format=%s", "HEAD").split()
        assert changed[:6] == ["Build", "this", "Dockerfile", "in", "stages", "(stagify)"]
        assert sorted(changed[6:]) == [".dockerignore", "Dockerfile"]
        assert not list(repo.glob("*.bak"))  # git keeps the history: no backups on a branch
    shop = tree / "shop"
    assert git(shop, "branch", "--show-current").strip() == "main"
    assert "AS builder" not in (shop / "Dockerfile").read_text()
    assert "AS builder" in (tree / "scripts" / "flask" / "Dockerfile").read_text()  # plain folder: written, no backup unless asked
    assert not (tree / "scripts" / "flask" / "Dockerfile.bak").exists()
    run = migrate("shop", "--write", "--git-branch", "stagify/multi-stage", "--allow-dirty", cwd=tree)
    assert run.returncode == 0, run.stderr
    assert git(shop, "branch", "--show-current").strip() == "stagify/multi-stage"


def test_a_second_run_converts_nothing(tree: Path) -> None:
    assert migrate(".", "--write", "--allow-dirty", cwd=tree).returncode == 0
    run = migrate(".", "--check", cwd=tree)
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("5 Dockerfiles: 0 would convert, 5 skipped, 0 failed;")


def test_dockerfiles_sharing_a_context_share_one_dockerignore(tmp_path: Path) -> None:
    folder = copy_context(FIXTURES / "seed-001-node-express", tmp_path / "svc")
    shutil.copy(folder / "Dockerfile", folder / "Dockerfile.dev")
    assert migrate(".", "--write", "--no-backup", cwd=tmp_path).returncode == 0
    alone = convert((FIXTURES / "seed-001-node-express" / "Dockerfile").read_bytes(), context=FIXTURES / "seed-001-node-express")
    assert (folder / ".dockerignore").read_text() == alone.dockerignore
    assert "AS runtime" in (folder / "Dockerfile.dev").read_text()


def test_failures_are_reported_and_do_not_stop_the_run(tmp_path: Path) -> None:
    copy_context(FIXTURES / "err-no-from", tmp_path / "broken")
    copy_context(FIXTURES / "seed-003-go-hello", tmp_path / "hello")
    run = migrate(".", "--write", cwd=tmp_path)
    assert run.returncode == 3
    assert "broken/Dockerfile:" in run.stderr
    assert "AS runtime" in (tmp_path / "hello" / "Dockerfile").read_text()


def test_a_missing_root_is_a_clear_error(tmp_path: Path) -> None:
    run = migrate("nowhere", cwd=tmp_path)
    assert run.returncode == 3 and run.stderr.strip() == "error: nowhere: no such file or folder"


@pytest.mark.skipif(shared_dir() is None or not (shared_dir() / "corpus").is_dir(), reason="no ../shared/corpus")  # type: ignore[operator]
def test_the_corpus_as_repositories(tmp_path: Path) -> None:
    corpus = shared_dir() / "corpus"  # type: ignore[operator]
    cases = sorted(p for p in corpus.iterdir() if p.is_dir())
    for case in cases:
        repo = materialize_corpus_case(case, tmp_path / "org" / case.name)
        git(repo, "init", "-q", "-b", "main")
    # listing.txt names other Dockerfiles whose content the corpus does not have: empty stand-ins
    placeholders = {p.relative_to(tmp_path / "org").as_posix() for p in (tmp_path / "org").rglob("*")
                    if p.is_file() and is_dockerfile_name(p.name) and p.stat().st_size == 0}
    run = migrate(".", "--json", "--jobs", "2", cwd=tmp_path / "org", timeout=600)
    data = json.loads(run.stdout)
    failed = {f["dockerfile"]: f["error"] for f in data if f["outcome"] == "failed"}
    # python-valorant-bot-alpine copies a requirements.txt its repository does not have (it moved to uv): upstream cannot build
    assert set(failed) == {"go-nats-useradd/Dockerfile", "python-valorant-bot-alpine/Dockerfile", *placeholders}, failed
    assert failed["go-nats-useradd/Dockerfile"].startswith("go-nats-useradd/Dockerfile:2:1: STG002 ")  # the unpinnable GOPATH `go get`
    assert failed["python-valorant-bot-alpine/Dockerfile"].startswith("python-valorant-bot-alpine/Dockerfile:3:1: STG004 COPY requirements.txt")
    # `bun pm trust` after the install reworks node_modules: the deps stage runs it too, so the file converts
    assert any(f["dockerfile"] == "node-bun-downloader/Dockerfile" and f["outcome"] == "converted" for f in data)
    assert all(failed[p] == f"{p}: STG002 the file is empty: no instructions to convert" for p in placeholders)
    # The rest convert, except the ones the benefit gate leaves alone (a slim Python image that only pip-installs).
    skipped = {f["dockerfile"]: f.get("reason", "") for f in data if f["outcome"] == "skipped"}
    assert all("not worth converting" in why for why in skipped.values()), skipped
    assert sum(f["outcome"] == "converted" for f in data) == len(cases) - 2 - len(skipped)
    assert len(skipped) <= 3


def test_a_killed_run_leaves_no_half_written_file_and_a_rerun_finishes(tmp_path: Path) -> None:
    sources = ["seed-001-go-api", "node-npm-ci-server", "python-flask-e2e", "java-maven-e2e", "seed-001-node-express"]
    expected: dict[Path, str] = {}
    originals: dict[Path, bytes] = {}
    for i in range(60):
        name = sources[i % len(sources)]
        folder = copy_context(FIXTURES / name, tmp_path / "org" / f"{i:03d}-{name}")
        outcome = convert((folder / "Dockerfile").read_bytes(), context=folder)
        assert outcome.status is Status.CONVERTED
        expected[folder / "Dockerfile"] = outcome.dockerfile or ""
        originals[folder / "Dockerfile"] = (folder / "Dockerfile").read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "stagify", "migrate", ".", "--write", "--no-backup", "--jobs", "2"],
                            cwd=tmp_path / "org", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if any(path.read_bytes() != originals[path] for path in expected):
            break  # the writes have started
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL  # killed while writing, not after it finished
    half = [p for p in expected if p.read_bytes() not in (originals[p], expected[p].encode())]
    assert half == []
    assert migrate(".", "--write", "--no-backup", cwd=tmp_path / "org").returncode == 0
    assert all(p.read_text() == expected[p] for p in expected)
    assert not list((tmp_path / "org").rglob(".stagify-*.tmp"))  # temporaries of the killed run are cleaned up
