"""The command line, run as a real subprocess on copies of the fixtures.

Every test works in ``tmp_path``: a fixture is copied to ``tmp_path / "proj"`` and stagify runs with
``cwd=tmp_path`` on the relative path ``proj``, so messages read ``proj/Dockerfile:LINE: ...``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
# Golden files beside each fixture's Dockerfile: not part of the build context.
NOT_CONTEXT = ("expected.Dockerfile", "expected.dockerignore", "expected.skip", "expected.error", "stagify.args")
PLACEMENTS = ("builder", "runtime", "both", "dropped")
STAGIFY_IGNORE_HEADER = "# Added by stagify"

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_non_root = pytest.mark.skipif(IS_ROOT, reason="root reads and writes regardless of file modes")


@dataclass
class Run:
    code: int
    out: str
    err: str


def stagify(*args: str, cwd: Path, input: bytes | None = None, timeout: float = 120) -> Run:
    """``python -m stagify ARGS`` in ``cwd``; stdin is ``input`` or /dev/null (never a TTY)."""
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["COLUMNS"] = "200"
    proc = subprocess.run(
        [sys.executable, "-m", "stagify", *args],
        cwd=cwd,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
        env=env,
    )
    return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


def copy_fixture(name: str, dest: Path) -> Path:
    """A fixture folder as a build context (without its golden files)."""
    shutil.copytree(FIXTURES / name, dest, ignore=lambda _d, names: [n for n in names if n in NOT_CONTEXT])
    return dest


def snapshot(folder: Path) -> dict[str, tuple[str, bytes | None, int, int]]:
    """Every entry under ``folder``: kind, bytes, mtime and mode. Equal snapshots: nothing was written."""
    found: dict[str, tuple[str, bytes | None, int, int]] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            st = path.lstat()
            rel = str(path.relative_to(folder))
            if path.is_file() and not path.is_symlink():
                found[rel] = ("file", path.read_bytes(), st.st_mtime_ns, st.st_mode)
            else:
                found[rel] = ("other", None, st.st_mtime_ns, st.st_mode)
    return found


def usage_error(text: str, command: str) -> str:
    """The message of a usage error, checked to be in the one style: ``error: ...`` and where help is."""
    lines = text.strip("\n").split("\n")
    assert len(lines) == 2 and lines[0].startswith("error: "), f"expected a usage error, got {text!r}"
    assert lines[1] == f"Try 'stagify {command} -h' for help.", lines
    assert "Value error" not in text and "Input should" not in text and "╭" not in text
    return lines[0].removeprefix("error: ")


def one_line(text: str) -> str:
    """The single line of ``text``; fails when there are more (or none)."""
    lines = text.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0], f"expected one line, got {text!r}"
    return lines[0]


def runtime_from(dockerfile: str) -> str:
    lines = [line for line in dockerfile.splitlines() if line.startswith("FROM ") and line.endswith(" AS runtime")]
    assert len(lines) == 1, dockerfile
    return lines[0]


def instruction_lines(dockerfile: bytes) -> list[int]:
    """Line numbers of the instructions of a simple Dockerfile (no continuations or heredocs)."""
    text = dockerfile.decode()
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.lstrip().startswith("#")]


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    """The seed Go API (a Dockerfile with a comment on line 1, go.mod, go.sum, cmd/server)."""
    return copy_fixture("seed-001-go-api", tmp_path / "proj")


# --- convert: the default, a diff and nothing written -------------------------------------------


def test_default_prints_a_unified_diff_and_writes_nothing(tmp_path: Path, proj: Path) -> None:
    before = snapshot(proj)

    run = stagify("convert", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    out = run.out.splitlines()
    assert "--- a/proj/Dockerfile" in out
    assert "+++ b/proj/Dockerfile" in out
    assert "--- a/proj/.dockerignore" in out
    assert "+++ b/proj/.dockerignore" in out
    assert any(line.startswith("@@ ") for line in out)
    assert "-FROM golang:1.22-alpine" in out
    assert any(re.fullmatch(r"\+FROM (--platform=\S+ )?\S+ AS builder", line) for line in out)
    assert any(re.fullmatch(r"\+FROM \S+ AS runtime", line) for line in out)
    assert f"+{STAGIFY_IGNORE_HEADER}" in run.out
    assert "\x1b[" not in run.out, "no colour codes when stdout is not a terminal"
    assert "nothing written" in run.err
    assert snapshot(proj) == before
    assert not list(proj.glob("*.bak"))


def test_path_may_name_the_dockerfile_itself(tmp_path: Path, proj: Path) -> None:
    before = snapshot(proj)

    run = stagify("convert", "proj/Dockerfile", cwd=tmp_path)

    assert run.code == 0, run.err
    assert "--- a/proj/Dockerfile" in run.out.splitlines()
    assert "+++ b/proj/.dockerignore" in run.out.splitlines()
    assert snapshot(proj) == before


def test_path_may_be_a_folder_holding_a_dockerfile(tmp_path: Path) -> None:
    copy_fixture("seed-000-go-naive", tmp_path / "proj")

    run = stagify("convert", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    assert "--- a/proj/Dockerfile" in run.out.splitlines()
    assert "+FROM gcr.io/distroless/static-debian12:nonroot AS runtime" in run.out.splitlines()


def test_path_may_be_a_folder_holding_a_lowercase_dockerfile(tmp_path: Path) -> None:
    folder = copy_fixture("go-gorun-crlf-lowercase", tmp_path / "proj")
    assert not (folder / "Dockerfile").exists() or (folder / "Dockerfile").samefile(folder / "dockerfile")
    before = snapshot(folder)

    run = stagify("convert", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    assert "--- a/proj/dockerfile" in run.out.splitlines()
    assert "+++ b/proj/dockerfile" in run.out.splitlines()
    assert snapshot(folder) == before


def test_dash_reads_standard_input_with_the_current_folder_as_context(tmp_path: Path) -> None:
    # The existing .dockerignore of the context shows up as unchanged lines of the .dockerignore diff.
    folder = copy_fixture("go-existing-dockerignore", tmp_path / "proj")
    before = snapshot(folder)

    run = stagify("convert", "-", cwd=folder, input=(folder / "Dockerfile").read_bytes())

    assert run.code == 0, run.err
    out = run.out.splitlines()
    assert "--- a/stdin" in out and "+++ b/stdin" in out
    assert any(re.fullmatch(r"\+FROM \S+ AS runtime", line) for line in out)
    assert " /.idea" in out, "the .dockerignore of the current folder was merged"
    assert snapshot(folder) == before


def test_dash_takes_the_build_context_from_the_context_option(tmp_path: Path) -> None:
    folder = copy_fixture("go-existing-dockerignore", tmp_path / "proj")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    run = stagify("convert", "-", "--context", str(folder), cwd=elsewhere, input=(folder / "Dockerfile").read_bytes())
    without = stagify("convert", "-", cwd=elsewhere, input=(folder / "Dockerfile").read_bytes())

    assert run.code == 0, run.err
    assert " /.idea" in run.out.splitlines(), "the .dockerignore of --context was merged"
    assert " /.idea" not in without.out.splitlines(), "control: the current folder has no .dockerignore"
    assert list(elsewhere.iterdir()) == []


def test_dash_with_stdout_prints_the_same_conversion_as_the_file(tmp_path: Path, proj: Path) -> None:
    from_file = stagify("convert", "--stdout", "proj", cwd=tmp_path)
    from_stdin = stagify("convert", "--stdout", "-", cwd=proj, input=(proj / "Dockerfile").read_bytes())

    assert from_file.code == 0 and from_stdin.code == 0, from_stdin.err
    assert "AS runtime" in from_stdin.out
    assert from_stdin.out == from_file.out


# --- convert --write ---------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--write", "-w"])
def test_write_replaces_the_dockerfile_and_keeps_no_backup(tmp_path: Path, proj: Path, flag: str) -> None:
    expected = stagify("convert", "--stdout", "proj", cwd=tmp_path).out

    run = stagify("convert", flag, "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    assert not (proj / "Dockerfile.bak").exists(), "no backup unless asked: git keeps the history"
    assert (proj / "Dockerfile").read_text() == expected
    assert "AS builder" in expected and "AS runtime" in expected
    ignore = (proj / ".dockerignore").read_text()
    assert ignore.startswith(STAGIFY_IGNORE_HEADER)
    assert not (proj / ".dockerignore.bak").exists(), "there was no .dockerignore to back up"
    assert "wrote proj/Dockerfile" in run.err


def test_backup_keeps_the_original_dockerfile(tmp_path: Path, proj: Path) -> None:
    original = (proj / "Dockerfile").read_bytes()

    run = stagify("convert", "--write", "--backup", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    assert (proj / "Dockerfile.bak").read_bytes() == original
    assert "original kept as proj/Dockerfile.bak" in run.err


def test_the_backup_setting_asks_for_backups_and_the_flag_wins(tmp_path: Path, proj: Path) -> None:
    original = (proj / "Dockerfile").read_bytes()
    (proj / ".stagify.toml").write_text("backup = true\n")

    stagify("convert", "--write", "--no-backup", "proj", cwd=tmp_path)
    assert not (proj / "Dockerfile.bak").exists()
    (proj / "Dockerfile").write_bytes(original)
    run = stagify("convert", "--write", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    assert (proj / "Dockerfile.bak").read_bytes() == original


def test_write_backs_up_an_existing_dockerignore(tmp_path: Path) -> None:
    folder = copy_fixture("go-existing-dockerignore", tmp_path / "proj")
    old_ignore = (folder / ".dockerignore").read_bytes()

    run = stagify("convert", "--write", "--backup", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    assert (folder / ".dockerignore.bak").read_bytes() == old_ignore
    new_ignore = (folder / ".dockerignore").read_bytes()
    assert new_ignore != old_ignore
    assert new_ignore.startswith(old_ignore), "the user's rules come first, stagify's are appended"
    assert STAGIFY_IGNORE_HEADER.encode() in new_ignore


def test_write_keeps_the_file_mode_of_the_dockerfile(tmp_path: Path, proj: Path) -> None:
    (proj / "Dockerfile").chmod(0o640)

    run = stagify("convert", "--write", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    assert (proj / "Dockerfile").stat().st_mode & 0o7777 == 0o640
    assert "AS runtime" in (proj / "Dockerfile").read_text()


def test_write_leaves_no_temporary_files_behind(tmp_path: Path, proj: Path) -> None:
    names_before = {p.name for p in proj.iterdir()}

    run = stagify("convert", "--write", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    assert {p.name for p in proj.iterdir()} == names_before | {".dockerignore"}


def test_no_backup_writes_no_bak_files(tmp_path: Path) -> None:
    folder = copy_fixture("go-existing-dockerignore", tmp_path / "proj")
    names_before = {p.name for p in folder.iterdir()}

    run = stagify("convert", "--write", "--no-backup", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    assert "AS runtime" in (folder / "Dockerfile").read_text()
    assert STAGIFY_IGNORE_HEADER in (folder / ".dockerignore").read_text()
    assert {p.name for p in folder.iterdir()} == names_before
    assert "original kept" not in run.err


def test_writing_a_second_time_has_nothing_to_do_and_changes_nothing(tmp_path: Path, proj: Path) -> None:
    first = stagify("convert", "--write", "proj", cwd=tmp_path)
    assert first.code == 0, first.err
    after_first = snapshot(proj)

    second = stagify("convert", "--write", "proj", cwd=tmp_path)

    assert second.code == 0, second.err
    assert "nothing to do" in second.err
    assert "already multi-stage" in second.err
    assert snapshot(proj) == after_first


# --- convert --check, --stdout, --diff --------------------------------------------------------


def test_check_exits_1_when_the_file_would_change_and_writes_nothing(tmp_path: Path, proj: Path) -> None:
    before = snapshot(proj)

    run = stagify("convert", "--check", "proj", cwd=tmp_path)

    assert run.code == 1, run.err
    assert "--- a/proj/Dockerfile" in run.out.splitlines()
    assert snapshot(proj) == before


def test_check_exits_0_on_an_already_multistage_file(tmp_path: Path) -> None:
    folder = copy_fixture("go-already-multistage", tmp_path / "proj")
    before = snapshot(folder)

    run = stagify("convert", "--check", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    assert snapshot(folder) == before


def test_stdout_prints_only_the_converted_dockerfile(tmp_path: Path, proj: Path) -> None:
    before = snapshot(proj)

    run = stagify("convert", "--stdout", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    assert run.out.startswith(("#", "FROM ")), run.out[:80]
    assert re.search(r"^FROM (--platform=\S+ )?\S+ AS builder$", run.out, re.M)
    assert re.search(r"^FROM \S+ AS runtime$", run.out, re.M)
    for line in run.out.splitlines():
        assert not line.startswith(("--- a/", "+++ b/", "@@ ")), line
    assert STAGIFY_IGNORE_HEADER not in run.out, "the .dockerignore is not part of --stdout"
    assert snapshot(proj) == before


@pytest.mark.parametrize("extra", [[], ["--write"]], ids=["diff", "diff-and-write"])
def test_diff_prints_the_diff_and_never_writes(tmp_path: Path, proj: Path, extra: list[str]) -> None:
    before = snapshot(proj)

    run = stagify("convert", "--diff", *extra, "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    assert "--- a/proj/Dockerfile" in run.out.splitlines()
    assert "+++ b/proj/.dockerignore" in run.out.splitlines()
    assert snapshot(proj) == before


# --- convert --explain and --json ----------------------------------------------------------------


def _explain_rows(out: str, label: str) -> list[tuple[int, str, str]]:
    rows = []
    pattern = re.compile(rf"^{re.escape(label)}:(\d+)\s+.*?\s\s(builder|runtime|both|dropped)\s\s+(\S.*)$")
    for line in out.splitlines():
        match = pattern.match(line)
        assert match, f"not an explain row: {line!r}"
        rows.append((int(match.group(1)), match.group(2), match.group(3)))
    return rows


def test_explain_gives_one_row_per_original_instruction(tmp_path: Path, proj: Path) -> None:
    before = snapshot(proj)

    run = stagify("convert", "--explain", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    rows = _explain_rows(run.out, "proj/Dockerfile")
    # Line 1 is a comment: the rows are the instructions on lines 2..9, in file order.
    assert [line for line, _, _ in rows] == instruction_lines((proj / "Dockerfile").read_bytes()) == list(range(2, 10))
    placements = dict((line, placement) for line, placement, _ in rows)
    assert placements[2] == "builder"  # FROM golang
    assert placements[8] == "runtime"  # EXPOSE
    assert placements[9] == "runtime"  # ENTRYPOINT
    assert all(reason.strip() for _, _, reason in rows)
    assert "--- a/" not in run.out
    assert snapshot(proj) == before


def test_explain_shows_instructions_dropped_from_the_result(tmp_path: Path) -> None:
    folder = copy_fixture("go-useradd-user", tmp_path / "proj")

    run = stagify("convert", "--explain", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    rows = _explain_rows(run.out, "proj/Dockerfile")
    assert [line for line, _, _ in rows] == instruction_lines((folder / "Dockerfile").read_bytes())
    user_row = [row for row in rows if row[0] == 7]  # USER goserveruser
    assert user_row and user_row[0][1] == "dropped"
    assert "65532" in user_row[0][2]


REQUIRED_JSON_KEYS = {"path", "status", "language", "dockerfile", "dockerignore", "notes", "placements", "error"}


def test_json_describes_a_conversion(tmp_path: Path, proj: Path) -> None:
    before = snapshot(proj)

    run = stagify("convert", "--json", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    (doc,) = json.loads(run.out)  # the whole of stdout is one JSON list, even for one file
    assert isinstance(doc, dict)
    assert doc.keys() >= REQUIRED_JSON_KEYS
    assert doc["path"] == "proj/Dockerfile"
    assert doc["status"] == "converted"
    assert doc["language"] == "go"
    assert "AS builder" in doc["dockerfile"] and "AS runtime" in doc["dockerfile"]
    assert doc["dockerignore"].startswith(STAGIFY_IGNORE_HEADER)
    assert isinstance(doc["notes"], list)
    assert doc["error"] is None
    assert [p["line"] for p in doc["placements"]] == list(range(2, 10))
    for placement in doc["placements"]:
        assert {"line", "instruction", "placement", "reason"} <= placement.keys()
        assert placement["placement"] in PLACEMENTS
        assert placement["reason"]
    assert doc["placements"][0]["instruction"] == "FROM"
    assert doc["placements"][-1]["instruction"] == "ENTRYPOINT"
    assert snapshot(proj) == before


def test_json_reports_an_already_multistage_file_as_skipped(tmp_path: Path) -> None:
    copy_fixture("go-already-multistage", tmp_path / "proj")

    run = stagify("convert", "--json", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    (doc,) = json.loads(run.out)
    assert doc["status"] == "skipped" and doc["skip"] == "multi-stage"
    assert doc["dockerfile"] is None
    assert doc["error"] is None
    assert doc["placements"] == []


def test_json_reports_a_failure_with_its_line_and_exit_3(tmp_path: Path) -> None:
    folder = copy_fixture("err-unknown-instruction", tmp_path / "proj")
    before = snapshot(folder)

    run = stagify("convert", "--json", "proj", cwd=tmp_path)

    assert run.code == 3
    (doc,) = json.loads(run.out)
    assert doc.keys() >= REQUIRED_JSON_KEYS
    assert doc["status"] == "failed"
    assert doc["dockerfile"] is None
    assert (doc["error"]["code"], doc["error"]["line"], doc["error"]["column"]) == ("STG002", 3, 1)
    assert "COPPY" in doc["error"]["message"]
    assert "Traceback" not in run.err
    assert snapshot(folder) == before


def test_json_reports_a_missing_path_as_a_json_failure(tmp_path: Path) -> None:
    run = stagify("convert", "--json", "missing", cwd=tmp_path)

    assert run.code == 3
    (doc,) = json.loads(run.out)
    assert doc["status"] == "failed"
    assert doc["error"]["message"]


# --- convert --runtime and --lang ------------------------------------------------------------------

# Each choice is tried on a fixture whose default runtime is a different family, so a no-op fails.
RUNTIME_CASES = [
    ("scratch", "seed-001-go-api", r"FROM scratch AS runtime"),
    ("distroless", "python-flask-e2e", r"FROM gcr\.io/distroless/\S+ AS runtime"),
    ("alpine", "seed-001-go-api", r"FROM alpine:\S+ AS runtime"),
    ("debian", "seed-001-go-api", r"FROM debian:\S+ AS runtime"),
]


@pytest.mark.parametrize(("choice", "fixture", "expected"), RUNTIME_CASES, ids=[c[0] for c in RUNTIME_CASES])
def test_runtime_option_changes_the_runtime_base_image(tmp_path: Path, choice: str, fixture: str, expected: str) -> None:
    copy_fixture(fixture, tmp_path / "proj")
    default = stagify("convert", "--stdout", "proj", cwd=tmp_path)
    assert default.code == 0, default.err
    assert not re.fullmatch(expected, runtime_from(default.out)), "the fixture must not already use this family"

    run = stagify("convert", "--stdout", "--runtime", choice, "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    assert re.fullmatch(expected, runtime_from(run.out)), runtime_from(run.out)


def test_an_unknown_runtime_is_a_usage_error(tmp_path: Path, proj: Path) -> None:
    before = snapshot(proj)

    run = stagify("convert", "--runtime", "gentoo", "proj", cwd=tmp_path)

    assert run.code == 2
    assert "--runtime" in run.err
    assert "Traceback" not in run.err
    assert run.out == ""
    assert snapshot(proj) == before


def test_lang_go_is_accepted(tmp_path: Path, proj: Path) -> None:
    run = stagify("convert", "--stdout", "--lang", "go", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    assert "AS runtime" in run.out


def test_an_unknown_lang_is_a_usage_error(tmp_path: Path, proj: Path) -> None:
    before = snapshot(proj)

    run = stagify("convert", "--lang", "cobol", "proj", cwd=tmp_path)

    assert run.code == 2
    assert "cobol" in usage_error(run.err, "convert")
    assert "Traceback" not in run.err
    assert snapshot(proj) == before


# --- convert: refusals and nothing to do --------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--write", "-w"])
def test_write_refuses_standard_input(tmp_path: Path, proj: Path, flag: str) -> None:
    before = snapshot(proj)

    run = stagify("convert", flag, "-", cwd=proj, input=(proj / "Dockerfile").read_bytes())

    assert run.code == 2
    assert "standard input" in usage_error(run.err, "convert")
    assert "Traceback" not in run.err
    assert snapshot(proj) == before


@pytest.mark.parametrize("extra", [[], ["--write"]], ids=["default", "write"])
def test_an_already_multistage_file_has_nothing_to_do(tmp_path: Path, extra: list[str]) -> None:
    folder = copy_fixture("go-already-multistage", tmp_path / "proj")
    before = snapshot(folder)

    run = stagify("convert", *extra, "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    message, summary = run.err.splitlines()
    assert "nothing to do" in message and summary == "stagify: 1 file: 1 left alone"
    assert run.err.startswith("proj/Dockerfile: ")
    assert run.out == ""
    assert snapshot(folder) == before


def test_the_nothing_to_do_message_says_it_once(tmp_path: Path) -> None:
    copy_fixture("go-already-multistage", tmp_path / "proj")

    run = stagify("convert", "proj", cwd=tmp_path)

    assert run.code == 0
    assert run.err.count("nothing to do") == 1, run.err


# --- version and help ----------------------------------------------------------------------------------


def test_version_prints_name_and_version(tmp_path: Path) -> None:
    run = stagify("--version", cwd=tmp_path)

    assert run.code == 0
    assert run.out.strip() == "stagify 0.1.0"


@pytest.mark.parametrize("args", [["--help"], ["convert", "--help"], ["detect", "--help"]], ids=" ".join)
def test_help_exits_0(tmp_path: Path, args: list[str]) -> None:
    run = stagify(*args, cwd=tmp_path)

    assert run.code == 0, run.err
    assert "Usage" in run.out
    if args[0] == "convert":
        for option in ("--write", "--check", "--diff", "--stdout", "--explain", "--json", "--runtime", "--lang", "--context"):
            assert option in run.out, option


# --- convert: bad input -------------------------------------------------------------------------------


def _write_dockerfile(content: bytes):
    def make(proj: Path) -> None:
        proj.mkdir()
        (proj / "Dockerfile").write_bytes(content)
        (proj / "README.md").write_text("a file that must survive\n")

    return make


def _fixture(name: str):
    def make(proj: Path) -> None:
        copy_fixture(name, proj)

    return make


def _empty_folder(proj: Path) -> None:
    proj.mkdir()
    (proj / "README.md").write_text("no Dockerfile here\n")


# (id, how to build tmp_path/proj, the PATH argument, a regex for the whole stderr line)
BAD_INPUT = [
    ("empty-dockerfile", _write_dockerfile(b""), "proj", r"proj/Dockerfile: .*empty.*"),
    ("no-from", _fixture("err-no-from"), "proj", r"proj/Dockerfile:2:1: STG002 no FROM instruction.*"),
    ("unknown-instruction", _fixture("err-unknown-instruction"), "proj", r'proj/Dockerfile:3:1: STG002 unknown instruction "COPPY"'),
    ("binary-file", _write_dockerfile(b"FROM golang:1.22\n\x00\x01\x02\xff\n"), "proj", r"proj/Dockerfile(:\d+(:\d+)?)?: STG002 .*binary.*"),
    ("invalid-utf8", _write_dockerfile(b"FROM golang:1.22\nRUN echo \xff\xfe\n"), "proj", r"proj/Dockerfile:2(:\d+)?: STG002 .*UTF-8.*"),
    ("folder-without-dockerfile", _empty_folder, "proj", r"error: proj: no Dockerfile in this folder.*"),
    ("path-does-not-exist", _empty_folder, "proj/missing", r"error: proj/missing: no such file or folder"),
    (
        "language-not-detected-with-strict",
        _write_dockerfile(b"FROM debian:12\nRUN echo hi\n"),
        "proj",
        r"proj/Dockerfile:1:1: STG005 no supported language detected \(looked for Go: .*go\.mod.*\); --strict",
    ),
    ("unterminated-continuation", _fixture("err-unterminated-continuation"), "proj", r"proj/Dockerfile:2:1: STG002 unterminated.*"),
]


@pytest.mark.parametrize("mode", [[], ["--write"]], ids=["default", "write"])
@pytest.mark.parametrize(("make", "path", "expected"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_gives_one_line_with_its_position_and_exit_3(
    tmp_path: Path, make, path: str, expected: str, mode: list[str]
) -> None:
    proj = tmp_path / "proj"
    make(proj)
    before = snapshot(tmp_path)

    run = stagify("convert", *mode, "--strict", path, cwd=tmp_path)

    assert run.code == 3, (run.code, run.err)
    assert "Traceback" not in run.err
    assert re.fullmatch(expected, one_line(run.err)), run.err
    assert run.out == ""
    assert snapshot(tmp_path) == before


def test_bad_input_on_standard_input_is_reported_as_stdin(tmp_path: Path) -> None:
    run = stagify("convert", "-", cwd=tmp_path, input=b"FROM golang:1.22\nWORKDIR /app\nCOPPY . .\n")

    assert run.code == 3
    assert one_line(run.err) == 'stdin:3:1: STG002 unknown instruction "COPPY"'
    assert "Traceback" not in run.err
    assert list(tmp_path.iterdir()) == []


def test_a_missing_build_context_is_bad_input(tmp_path: Path, proj: Path) -> None:
    before = snapshot(tmp_path)

    run = stagify("convert", "--context", "nowhere", "proj", cwd=tmp_path)

    assert run.code == 3
    assert one_line(run.err) == "error: nowhere: build context not found"
    assert "Traceback" not in run.err
    assert snapshot(tmp_path) == before


@needs_non_root
def test_an_unreadable_build_context_is_bad_input(tmp_path: Path, proj: Path) -> None:
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "go.mod").write_text("module example.com/x\n\ngo 1.22\n")
    context.chmod(0)
    try:
        before = snapshot(proj)
        run = stagify("convert", "--write", "--context", "ctx", "proj", cwd=tmp_path)
        after = snapshot(proj)
    finally:
        context.chmod(0o755)

    assert "Traceback" not in run.err
    assert after == before
    assert run.code == 3, run.err
    assert re.fullmatch(r"(error: )?ctx: .*", one_line(run.err)), run.err


# --- convert --write: when writing fails --------------------------------------------------------------


@needs_non_root
def test_write_into_a_read_only_folder_fails_with_exit_4_and_keeps_the_original(tmp_path: Path, proj: Path) -> None:
    original = (proj / "Dockerfile").read_bytes()
    names_before = {p.name for p in proj.iterdir()}
    proj.chmod(0o555)
    try:
        run = stagify("convert", "--write", "proj", cwd=tmp_path)
        names_after = {p.name for p in proj.iterdir()}
    finally:
        proj.chmod(0o755)

    assert run.code == 4, run.err
    assert "Traceback" not in run.err
    assert "cannot write" in one_line(run.err)
    assert (proj / "Dockerfile").read_bytes() == original
    assert names_after == names_before


@needs_non_root
def test_a_failed_write_names_the_file_that_could_not_be_written(tmp_path: Path, proj: Path) -> None:
    proj.chmod(0o555)
    try:
        run = stagify("convert", "--write", "proj", cwd=tmp_path)
    finally:
        proj.chmod(0o755)

    assert run.code == 4, run.err
    assert ".stagify" not in run.err
    assert re.fullmatch(r"proj/(Dockerfile|\.dockerignore): cannot write: .*", one_line(run.err)), run.err


@needs_non_root
def test_a_failed_write_leaves_the_dockerignore_of_another_context_untouched(tmp_path: Path) -> None:
    context = copy_fixture("seed-000-go-naive", tmp_path / "ctx")
    locked = tmp_path / "locked"
    locked.mkdir()
    shutil.copy2(context / "Dockerfile", locked / "Dockerfile")
    before = snapshot(context)
    locked.chmod(0o555)
    try:
        run = stagify("convert", "--write", "--context", "ctx", "locked/Dockerfile", cwd=tmp_path)
    finally:
        locked.chmod(0o755)

    assert run.code == 4, run.err
    assert snapshot(context) == before


def test_a_failed_write_of_the_dockerfile_writes_no_dockerignore_either(tmp_path: Path) -> None:
    folder = copy_fixture("seed-000-go-naive", tmp_path / "proj")
    long_name = "D" * 250  # a valid file name; ".<name>.XXXXXXXX.stagify" is not
    (folder / "Dockerfile").rename(folder / long_name)
    before = snapshot(folder)

    run = stagify("convert", "--write", f"proj/{long_name}", cwd=tmp_path)

    assert "Traceback" not in run.err
    if run.code == 0:  # writing succeeded: the conversion must then be there
        assert "AS runtime" in (folder / long_name).read_text()
    else:
        assert run.code == 4, run.err
        assert snapshot(folder) == before, "a failed --write must change no file"


# --- detect -------------------------------------------------------------------------------------------


def test_detect_names_the_language_and_the_go_mod_evidence(tmp_path: Path, proj: Path) -> None:
    run = stagify("detect", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert "language:   Go" in lines
    assert "evidence:" in lines
    assert any(re.fullmatch(r"\s+go\.mod: module example\.com/api.*", line) for line in lines), run.out


def test_detect_json_lists_the_language_and_its_evidence(tmp_path: Path, proj: Path) -> None:
    run = stagify("detect", "--json", "proj", cwd=tmp_path)

    assert run.code == 0, run.err
    doc = json.loads(run.out)
    assert doc["language"] == "go"
    assert isinstance(doc["evidence"], list) and doc["evidence"]
    for item in doc["evidence"]:
        assert {"source", "fact"} <= item.keys()
    assert "go.mod" in [item["source"] for item in doc["evidence"]]


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_detect_on_a_folder_without_go_fails_cleanly(tmp_path: Path, as_json: bool) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "index.html").write_text("<p>hello</p>\n")
    (folder / "Dockerfile").write_text("FROM nginx:1.27\nCOPY index.html /usr/share/nginx/html/\n")
    before = snapshot(folder)

    run = stagify("detect", *(["--json"] if as_json else []), "site", cwd=tmp_path)

    assert run.code != 0
    assert "Traceback" not in run.err
    assert "no supported language detected" in one_line(run.err)
    assert snapshot(folder) == before
