"""Rule codes everywhere, suppressions and Dockerfiles of no supported language (STG005)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stagify.cli.sarif import RULES as SARIF_RULES
from stagify.dockerfile import rules

from .helpers import REPO
from .test_cli import copy_fixture, snapshot, stagify

TOKEN = "ARG GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n"
NGINX = "FROM nginx:1.27-alpine\nCOPY site/ /usr/share/nginx/html/\nEXPOSE 80\n"


def go_with_secret(folder: Path, above: str = "") -> Path:
    """The Go seed with a secret-looking ARG at line 4 (``above`` goes right above it)."""
    copy_fixture("seed-001-go-api", folder)
    text = (folder / "Dockerfile").read_text()
    (folder / "Dockerfile").write_text(text.replace("WORKDIR /app\n", "WORKDIR /app\n" + above + TOKEN, 1))
    return folder


def finding_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if re.match(r"^\S+:\d+(:\d+)?: STG\d{3} ", line)]


# -- codes ------------------------------------------------------------------------------------------------------


def test_a_secret_is_reported_with_its_code_line_and_column(tmp_path: Path) -> None:
    go_with_secret(tmp_path / "proj")
    run = stagify("convert", "--check", "proj", cwd=tmp_path)
    assert run.code == 1
    assert any(line.startswith("proj/Dockerfile:4:1: STG003 ARG GITHUB_TOKEN looks like a secret") for line in finding_lines(run.err)), run.err


def test_every_note_in_text_output_has_a_code(tmp_path: Path) -> None:
    copy_fixture("java-maven-apt-openjdk11", tmp_path / "proj")  # warnings and info notes
    run = stagify("convert", "--check", "proj", cwd=tmp_path)
    notes = [line for line in run.err.splitlines() if line.startswith("proj/")]
    assert {line.split()[1] for line in notes} >= {"STG006", "STG007"}, run.err
    assert notes == finding_lines(run.err), run.err


def test_json_notes_carry_code_and_column(tmp_path: Path) -> None:
    go_with_secret(tmp_path / "proj")
    (doc,) = json.loads(stagify("convert", "--json", "proj", cwd=tmp_path).out)
    secret = next(n for n in doc["notes"] if n["kind"] == "secret")
    assert (secret["code"], secret["line"], secret["column"]) == ("STG003", 4, 1)
    assert all(n["code"] in rules.BY_CODE for n in doc["notes"])


def test_sarif_lists_the_rules_of_the_registry_and_gives_columns(tmp_path: Path) -> None:
    go_with_secret(tmp_path / "proj")
    log = json.loads(stagify("convert", "--format", "sarif", "proj", cwd=tmp_path).out)
    assert SARIF_RULES is rules.RULES
    regions = {r["ruleId"]: r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]}
    assert regions["STG003"] == {"startLine": 4, "startColumn": 1}


def test_rule_explains_one_rule_and_lists_them_all(tmp_path: Path) -> None:
    one = stagify("rule", "stg003", cwd=tmp_path)
    assert one.code == 0 and one.out.startswith("STG003 secret-in-image:") and "--mount=type=secret" in one.out
    listed = stagify("rule", cwd=tmp_path)
    assert [line.split()[0] for line in listed.out.splitlines()] == [r.code for r in rules.RULES]


# -- suppressions -----------------------------------------------------------------------------------------------


def test_an_ignore_pragma_silences_that_rule_on_the_instruction_below(tmp_path: Path) -> None:
    go_with_secret(tmp_path / "proj", above="# stagify: ignore=STG003   (a test token)\n")
    run = stagify("convert", "--check", "--strict", "proj", cwd=tmp_path)
    assert run.code == 1, run.err  # would change, and --strict does not fail on the silenced secret
    assert "STG003" not in run.err


def test_an_ignore_pragma_for_another_rule_silences_nothing(tmp_path: Path) -> None:
    go_with_secret(tmp_path / "proj", above="# stagify: ignore=STG006\n")
    assert "STG003" in stagify("convert", "--check", "proj", cwd=tmp_path).err


@pytest.mark.parametrize(
    ("pragma", "message"),
    [("# stagify: ignore=STG999\n", "unknown rule STG999"), ("# stagify: ignore=STG001\n", "STG001 cannot be ignored"),
     ("# stagify: ignroe\n", "unknown pragma")],
)
def test_a_bad_ignore_pragma_is_an_error_at_its_line(tmp_path: Path, pragma: str, message: str) -> None:
    go_with_secret(tmp_path / "proj", above=pragma)
    run = stagify("convert", "--check", "proj", cwd=tmp_path)
    assert run.code == 3
    assert run.err.startswith("proj/Dockerfile:4:1: STG002 ") and message in run.err, run.err


@pytest.mark.parametrize(("flags", "shown"), [(["--ignore", "STG003"], False), (["--select", "STG006,STG004"], False),
                                              (["--select", "STG003"], True), (["--ignore", "stg007", "--ignore", "STG006"], True)])
def test_select_and_ignore(tmp_path: Path, flags: list[str], shown: bool) -> None:
    go_with_secret(tmp_path / "proj")
    run = stagify("convert", "--check", *flags, "proj", cwd=tmp_path)
    assert ("STG003" in run.err) is shown, run.err


def test_select_and_ignore_settings_and_the_flag_replaces_them(tmp_path: Path) -> None:
    folder = go_with_secret(tmp_path / "proj")
    (folder / ".stagify.toml").write_text('ignore = ["STG003"]\n')
    assert "STG003" not in stagify("convert", "--check", "proj", cwd=tmp_path).err
    assert "STG003" in stagify("convert", "--check", "--ignore", "STG007", "proj", cwd=tmp_path).err
    (folder / ".stagify.toml").write_text('ignore = ["STG002"]\n')
    bad = stagify("convert", "--check", "proj", cwd=tmp_path)
    assert bad.code == 2 and "STG002 cannot be ignored" in bad.err


def test_the_readme_pragma_example_converts_as_written(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("### Pragmas in the Dockerfile"):]
    example = re.search(r"```dockerfile\n(.*?)```", section, re.S)
    assert example is not None
    (tmp_path / "testdata").mkdir()
    (tmp_path / "testdata" / "a.txt").write_text("x\n")
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    (tmp_path / "Dockerfile").write_text(example.group(1))

    run = stagify("convert", "--explain", ".", cwd=tmp_path)

    assert run.code == 0, run.err
    assert "STG003" not in run.err and "pragma" not in run.err
    assert "forced by `# stagify: runtime`" in run.out and "forced by `# stagify: builder`" in run.out
    (tmp_path / "Dockerfile").write_text(example.group(1).replace("# stagify: ignore=STG003", "#"))
    assert "STG003" in stagify("convert", "--check", ".", cwd=tmp_path).err


def test_ignore_with_words_after_it_leaves_the_file_alone(tmp_path: Path) -> None:
    folder = go_with_secret(tmp_path / "proj", above="# stagify: ignore      (kept single-stage on purpose)\n")
    run = stagify("convert", "--check", "proj", cwd=tmp_path)
    assert run.code == 0 and "nothing to do: `# stagify: ignore` at line 4" in run.err
    assert (folder / ".dockerignore").exists() is False


# -- no supported language (STG005) ------------------------------------------------------------------------------


def nginx(folder: Path, text: str = NGINX) -> Path:
    (folder / "site").mkdir(parents=True)
    (folder / "site" / "index.html").write_text("<p>hi</p>\n")
    (folder / "Dockerfile").write_text(text)
    return folder


RUST = "FROM rust:1.80\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\nCMD [\"./target/release/app\"]\n"
REDIS = "FROM redis:7\nCOPY redis.conf /usr/local/etc/redis/redis.conf\nCMD [\"redis-server\", \"/usr/local/etc/redis/redis.conf\"]\n"


@pytest.mark.parametrize("text", [NGINX, RUST, REDIS], ids=["nginx", "rust", "redis"])
def test_a_dockerfile_of_no_supported_language_is_left_alone_with_exit_0(tmp_path: Path, text: str) -> None:
    folder = nginx(tmp_path / "web", text)
    (folder / "redis.conf").write_text("port 6379\n")
    before = snapshot(tmp_path)

    quiet = stagify("convert", "--check", "web", cwd=tmp_path)
    verbose = stagify("convert", "--check", "-v", "web", cwd=tmp_path)

    assert quiet.code == verbose.code == 0
    assert quiet.out == "" and "web/Dockerfile" not in quiet.err
    assert "web/Dockerfile: skipped: no supported language" in verbose.err.splitlines()
    assert snapshot(tmp_path) == before


def test_strict_makes_no_supported_language_an_error(tmp_path: Path) -> None:
    nginx(tmp_path / "web")
    run = stagify("convert", "--check", "--strict", "web", cwd=tmp_path)
    assert run.code == 3
    assert run.err.startswith("web/Dockerfile:1:1: STG005 no supported language detected")


def test_the_strict_setting_does_too_and_ignoring_stg005_lets_it_pass(tmp_path: Path) -> None:
    folder = nginx(tmp_path / "web")
    (folder / ".stagify.toml").write_text("strict = true\n")
    assert stagify("convert", "--check", "web", cwd=tmp_path).code == 3
    assert stagify("convert", "--check", "--ignore", "STG005", "web", cwd=tmp_path).code == 0
    (folder / "Dockerfile").write_text("# stagify: ignore=STG005   (a static site)\n" + NGINX)
    assert stagify("convert", "--check", "web", cwd=tmp_path).code == 0


def test_a_forced_language_that_is_not_there_stays_an_error(tmp_path: Path) -> None:
    nginx(tmp_path / "web")
    run = stagify("convert", "--check", "--lang", "go", "web", cwd=tmp_path)
    assert run.code == 3 and "--lang go: no go project found" in run.err


def test_real_errors_in_a_dockerfile_of_no_supported_language_stay_errors(tmp_path: Path) -> None:
    nginx(tmp_path / "web", "FROM nginx:1.27\nCOPPY site/ /usr/share/nginx/html/\n")
    run = stagify("convert", "--check", "web", cwd=tmp_path)
    assert run.code == 3 and run.err.startswith('web/Dockerfile:2:1: STG002 unknown instruction "COPPY"')


def test_migrate_check_passes_a_tree_with_nginx_once_the_go_service_is_converted(tmp_path: Path) -> None:
    copy_fixture("seed-001-go-api", tmp_path / "api")
    nginx(tmp_path / "web")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)

    assert stagify("migrate", "--check", ".", cwd=tmp_path).code == 1
    assert stagify("convert", "--write", "api", cwd=tmp_path).code == 0
    run = stagify("migrate", "--check", ".", cwd=tmp_path)
    assert run.code == 0, run.err
    assert "skipped: no supported language" not in run.err
    assert "web/Dockerfile: skipped: no supported language" in stagify("migrate", "--check", "-v", ".", cwd=tmp_path).err
    assert stagify("migrate", "--check", "--strict", ".", cwd=tmp_path).code == 3


def test_migrate_counts_findings_by_their_rules_level(tmp_path: Path) -> None:
    copy_fixture("java-maven-apt-openjdk11", tmp_path / "m" / "j")  # one STG006 warning, two STG007 notes
    for extra in (tmp_path / "m" / "j").glob("expected*"):
        extra.unlink()
    run = subprocess.run([sys.executable, "-m", "stagify", "migrate", "m"], cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "160"})
    assert "1 warning, 2 info" in run.stdout, run.stdout
    assert [line.split()[1] for line in finding_lines(run.stderr)] == ["STG007", "STG006", "STG007"]
