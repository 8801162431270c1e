"""Output for CI: SARIF 2.1.0 validated against the official schema, JSON for several files and for migrate."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from tests.sarif_schema import schema
from tests.test_cli import copy_fixture, stagify


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schema())


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Four Dockerfiles: one to convert, one already multi-stage, one broken, one with a secret."""
    copy_fixture("seed-001-go-api", tmp_path / "api")
    copy_fixture("go-already-multistage", tmp_path / "done")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "Dockerfile").write_text("FROM golang:1.22\nRUN go build \\\n")
    copy_fixture("seed-003-go-hello", tmp_path / "secret")
    text = (tmp_path / "secret" / "Dockerfile").read_text()
    (tmp_path / "secret" / "Dockerfile").write_text(text.replace("\nWORKDIR", "\nARG GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyz\nWORKDIR", 1))
    return tmp_path


def results_by_rule(log: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for result in log["runs"][0]["results"]:
        out.setdefault(result["ruleId"], []).append(result)
    return out


def where(result: dict) -> tuple[str, int | None]:
    location = result["locations"][0]["physicalLocation"]
    return location["artifactLocation"]["uri"], location.get("region", {}).get("startLine")


def test_convert_check_sarif_is_valid_and_points_at_lines(tree: Path, validator: jsonschema.Draft7Validator) -> None:
    run = stagify("convert", "--check", "--format", "sarif", "api", "done", "broken", "secret", cwd=tree)
    assert run.code == 3, run.err  # the broken file fails the run
    log = json.loads(run.out)
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, errors[0].message if errors else ""
    by_rule = results_by_rule(log)
    single = {where(r) for r in by_rule["STG001"]}
    assert single == {("api/Dockerfile", 2), ("secret/Dockerfile", 2)}  # the FROM lines; done/ is already multi-stage
    assert [where(r) for r in by_rule["STG002"]] == [("broken/Dockerfile", 2)]
    secret = by_rule["STG003"]
    assert [where(r) for r in secret] == [("secret/Dockerfile", 3)] and secret[0]["level"] == "warning"
    api = next(r for r in by_rule["STG001"] if where(r)[0] == "api/Dockerfile")
    assert "single-stage Go Dockerfile builds and runs in golang:1.22-alpine" in api["message"]["text"]
    fixed = api["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"]
    assert fixed == stagify("convert", "--stdout", "api", cwd=tree).out  # the fix is the conversion itself
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False
    assert (tree / "api" / ".dockerignore").exists() is False  # SARIF writes nothing


def test_sarif_of_a_clean_tree_has_no_results(tree: Path, validator: jsonschema.Draft7Validator) -> None:
    run = stagify("convert", "--check", "--format", "sarif", "done", cwd=tree)
    assert run.code == 0
    log = json.loads(run.out)
    validator.validate(log)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_strict_secrets_are_errors_in_sarif(tree: Path, validator: jsonschema.Draft7Validator) -> None:
    run = stagify("convert", "--check", "--strict", "--format", "sarif", "secret", cwd=tree)
    assert run.code == 3
    log = json.loads(run.out)
    validator.validate(log)
    assert results_by_rule(log)["STG003"][0]["level"] == "error"


def test_migrate_check_sarif(tree: Path, validator: jsonschema.Draft7Validator) -> None:
    run = stagify("migrate", "--check", "--format", "sarif", ".", cwd=tree)
    assert run.code == 3, run.err
    log = json.loads(run.out)
    validator.validate(log)
    by_rule = results_by_rule(log)
    assert {where(r) for r in by_rule["STG001"]} == {("api/Dockerfile", 2), ("secret/Dockerfile", 2)}
    assert [where(r) for r in by_rule["STG002"]] == [("broken/Dockerfile", 2)]
    assert [where(r) for r in by_rule["STG003"]] == [("secret/Dockerfile", 3)]


def test_a_sarif_file_github_can_upload_lists_every_rule(tree: Path) -> None:
    run = stagify("convert", "--format", "sarif", "api", cwd=tree)
    driver = json.loads(run.out)["runs"][0]["tool"]["driver"]
    assert [r["name"] for r in driver["rules"]] == ["single-stage-dockerfile", "cannot-convert", "secret-in-image",
                                                  "missing-build-input", "unsupported-language", "conversion-warning",
                                                  "conversion-note"]
    for result in json.loads(run.out)["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_never_writes(tree: Path) -> None:
    run = stagify("convert", "--write", "--format", "sarif", "api", cwd=tree)
    assert run.code == 2 and "writes nothing" in run.err


def test_json_for_several_files_is_one_list(tree: Path) -> None:
    run = stagify("convert", "--check", "--format", "json", "api", "done", "broken", cwd=tree)
    assert run.code == 3
    outcomes = json.loads(run.out)
    assert [o["status"] for o in outcomes] == ["converted", "skipped", "failed"]
    assert outcomes[2]["error"]["line"] == 2


def test_several_files_in_text_each_get_their_diff_and_one_summary(tree: Path) -> None:
    run = stagify("convert", "--check", "api", "done", "broken", cwd=tree)
    assert run.code == 3
    assert run.out.count("+++ b/api/Dockerfile") == 1
    assert "broken/Dockerfile:2:" in run.err
    last = run.err.strip().splitlines()[-1]
    assert last.startswith("stagify: 3 files: 1 would be converted, 1 left alone, 1 failed (Go: single-stage golang:1.22-alpine build;")
    assert last.endswith("runtime gcr.io/distroless/static-debian12:nonroot)")


def test_migrate_format_json_is_a_list_of_files(tree: Path) -> None:
    run = stagify("migrate", "--format", "json", ".", cwd=tree)
    rows = json.loads(run.out)
    assert sorted(r["outcome"] for r in rows) == ["converted", "converted", "failed", "skipped"]


def test_migrate_refuses_diff_with_a_machine_format(tree: Path) -> None:
    run = stagify("migrate", "--diff", "--format", "sarif", ".", cwd=tree)
    assert run.code == 2 and "--diff" in run.err


def test_verify_has_no_sarif(tree: Path) -> None:
    run = stagify("verify", "--format", "sarif", "api", cwd=tree)
    assert run.code == 2 and "sarif is for convert --check and migrate --check" in run.err


def test_the_schema_rejects_a_broken_log(validator: jsonschema.Draft7Validator) -> None:
    """The validation can fail: a log without its version is not SARIF."""
    assert list(validator.iter_errors({"runs": []}))


def test_git_sees_no_change_from_sarif(tree: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tree, check=True)
    stagify("migrate", "--check", "--format", "sarif", ".", cwd=tree)
    changed = subprocess.run(["git", "diff", "--name-only"], cwd=tree, capture_output=True, text=True, check=True)
    new = subprocess.run(["git", "ls-files", "--others"], cwd=tree, capture_output=True, text=True, check=True)
    assert changed.stdout == "" and new.stdout == ""
