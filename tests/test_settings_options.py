"""--stdin-filename, --config, --isolated and --show-settings: which settings a Dockerfile gets, and from where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import copy_fixture, stagify


@pytest.fixture(autouse=True)
def _read_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STAGIFY_NO_CONFIG", raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository: the Go seed under services/api; the root's settings pick Debian, an override Alpine for legacy/."""
    (tmp_path / ".git").mkdir()
    copy_fixture("seed-001-go-api", tmp_path / "services" / "api")
    copy_fixture("seed-001-go-api", tmp_path / "legacy" / "old")
    (tmp_path / ".stagify.toml").write_text('runtime = "debian"\nuid = 4242\n\n[[overrides]]\npaths = ["legacy/**"]\nruntime = "alpine"\n')
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "stagify.toml").write_text('runtime = "scratch"\n')
    return tmp_path


def runtime_line(dockerfile: str) -> str:
    return next(line for line in dockerfile.splitlines() if line.endswith(" AS runtime"))


def test_stdin_filename_takes_that_files_settings_name_and_context(repo: Path) -> None:
    data = (repo / "services" / "api" / "Dockerfile").read_bytes()
    run = stagify("convert", "--stdout", "--stdin-filename", "legacy/old/Dockerfile", cwd=repo, input=data)
    assert run.code == 0, run.err
    assert runtime_line(run.out).startswith("FROM alpine:")  # the override for legacy/** applies
    assert "USER 4242" in run.out  # and the root's uid
    # The context is legacy/old (where go.mod is), not the working folder, which holds no Go project.
    assert "go build" in run.out


def test_stdin_filename_names_messages(repo: Path) -> None:
    run = stagify("convert", "--stdin-filename", "legacy/old/Dockerfile", cwd=repo, input=b"FROM golang:1.22\nRUN go build \\\n")
    assert run.code == 3 and run.err.startswith("legacy/old/Dockerfile:2:1: STG002 "), run.err
    github = stagify("convert", "--format", "github", "--stdin-filename", "legacy/old/Dockerfile", cwd=repo,
                     input=(repo / "legacy" / "old" / "Dockerfile").read_bytes())
    assert "file=legacy/old/Dockerfile,line=2,title=STG001" in github.out


def test_stdin_filename_takes_no_other_path(repo: Path) -> None:
    run = stagify("convert", "--stdin-filename", "legacy/old/Dockerfile", "services/api", cwd=repo, input=b"FROM golang\n")
    assert run.code == 2 and "--stdin-filename" in run.err


def test_config_reads_that_file_only(repo: Path) -> None:
    run = stagify("convert", "--stdout", "--config", "ci/stagify.toml", "services/api", cwd=repo)
    assert run.code == 0, run.err
    assert runtime_line(run.out).startswith("FROM scratch")
    assert "4242" not in run.out  # the root's .stagify.toml is not read


def test_a_missing_config_is_a_usage_error(repo: Path) -> None:
    run = stagify("convert", "--config", "nope.toml", "services/api", cwd=repo)
    assert run.code == 2 and run.err.startswith("error: nope.toml: --config: no such settings file"), run.err


def test_isolated_reads_no_settings(repo: Path) -> None:
    run = stagify("convert", "--stdout", "--isolated", "services/api", cwd=repo)
    assert run.code == 0, run.err
    assert "distroless" in runtime_line(run.out) and "4242" not in run.out
    assert stagify("convert", "--isolated", "--config", "ci/stagify.toml", ".", cwd=repo).code == 2


def test_show_settings_says_where_each_value_comes_from(repo: Path) -> None:
    run = stagify("convert", "--show-settings", "legacy/old", cwd=repo)
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0] == "legacy/old/Dockerfile:"
    assert f"settings files read (nearest first): {repo / '.stagify.toml'}" in lines[1]
    runtime = next(line for line in lines if line.strip().startswith("runtime"))
    assert '"alpine"' in runtime and '[[overrides]] paths = ["legacy/**"]' in runtime and str(repo / ".stagify.toml") in runtime
    uid = next(line for line in lines if line.strip().startswith("uid"))
    assert "4242" in uid and uid.endswith(f"# {repo / '.stagify.toml'}")
    assert next(line for line in lines if line.strip().startswith("language")).endswith("# default")
    assert not (repo / "legacy" / "old" / "Dockerfile.bak").exists()  # nothing converted


def test_show_settings_as_json(repo: Path) -> None:
    (data,) = json.loads(stagify("convert", "--show-settings", "--format", "json", "services/api", cwd=repo).out)  # a list, always
    assert data["settings"]["runtime"] == {"value": "debian", "source": str(repo / ".stagify.toml")}
    assert data["settings"]["pin"] == {"value": None, "source": None}
    (isolated,) = json.loads(stagify("convert", "--show-settings", "--isolated", "--format", "json", "services/api", cwd=repo).out)
    assert isolated["files"] == [] and isolated["settings"]["runtime"]["value"] is None and isolated["isolated"] is True


def test_migrate_config_and_isolated(repo: Path) -> None:
    default = json.loads(stagify("migrate", "--format", "json", ".", cwd=repo).out)
    config = json.loads(stagify("migrate", "--format", "json", "--config", "ci/stagify.toml", ".", cwd=repo).out)
    isolated = json.loads(stagify("migrate", "--format", "json", "--isolated", ".", cwd=repo).out)

    def runtimes(report: list[dict]) -> list[str]:
        return sorted(f["bases_after"][-1].split(":")[0] for f in report)

    assert runtimes(default) == ["alpine", "debian"]
    assert runtimes(config) == ["scratch", "scratch"]
    assert runtimes(isolated) == ["gcr.io/distroless/static-debian12", "gcr.io/distroless/static-debian12"]
