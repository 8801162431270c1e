"""The command line's conventions, as ruff's and hadolint's users expect them: one usage-error style,
results on standard output and everything else on standard error, JSON always a list, `-q` never
asks, Ctrl-C exits 130, `--check --write` refused the same way everywhere, `-V`, choices that
complete, help that fits 80 columns."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stagify.languages import names
from stagify.options import Language, RuntimeChoice

from .test_cli import copy_fixture, snapshot, stagify, usage_error

COMMANDS = ["convert", "migrate", "verify", "pin", "rule", "detect", "catalogue"]


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    return copy_fixture("seed-001-go-api", tmp_path / "proj")


# -- usage errors: one style -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "command", "words"),
    [
        (["convert", "--runtime", "gentoo", "proj"], "convert", "'gentoo' is not one of"),
        (["convert", "--format", "xml", "proj"], "convert", "'xml' is not one of"),
        (["convert", "--lang", "cobol", "proj"], "convert", "'cobol' is not one of"),
        (["convert", "--bogus", "proj"], "convert", "No such option: --bogus"),
        (["convert", "--check", "--write", "proj"], "convert", "--check writes nothing and --write writes"),
        (["migrate", "--check", "--write", "proj"], "migrate", "--check writes nothing and --write writes"),
        (["pin", "--check", "--write", "proj"], "pin", "--check writes nothing and --write writes"),
        (["migrate", "-j", "0", "proj"], "migrate", "--jobs"),
        (["verify", "--port", "abc", "proj"], "verify", "'abc' is not a valid int"),
        (["convert", "--ignore", "STG999", "proj"], "convert", "unknown rule 'STG999'"),
        (["convert", "--ignore", "STG002", "proj"], "convert", "STG002 cannot be ignored"),
        (["migrate", "--select", "nope", "proj"], "migrate", "unknown rule 'NOPE'"),
        (["rule", "STG999"], "rule", "unknown rule 'STG999'"),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, list) else None,
)
def test_usage_errors_have_one_style_and_exit_2(tmp_path: Path, proj: Path, args: list[str], command: str, words: str) -> None:
    before = snapshot(tmp_path)

    run = stagify(*args, cwd=tmp_path)

    assert run.code == 2, run.err
    assert words in usage_error(run.err, command)
    assert run.out == ""
    assert snapshot(tmp_path) == before


def test_check_and_write_mean_the_same_in_convert_and_migrate(tmp_path: Path, proj: Path) -> None:
    convert = stagify("convert", "--check", "--write", "proj", cwd=tmp_path)
    migrate = stagify("migrate", "--check", "--write", "proj", cwd=tmp_path)
    assert convert.code == migrate.code == 2
    assert usage_error(convert.err, "convert") == usage_error(migrate.err, "migrate")


# -- standard output and standard error -----------------------------------------------------------------


def test_convert_prints_the_diff_on_stdout_and_the_summary_on_stderr(tmp_path: Path, proj: Path) -> None:
    run = stagify("convert", "--diff", "proj", cwd=tmp_path)
    assert run.code == 0
    assert run.out.startswith("--- a/proj/Dockerfile") and "stagify: 1 file" not in run.out
    assert run.err.strip().splitlines()[-1].startswith("stagify: 1 file: 1 would be converted")


def test_migrate_prints_its_table_on_stdout_and_its_summary_on_stderr(tmp_path: Path, proj: Path) -> None:
    run = stagify("migrate", "proj", cwd=tmp_path)
    assert run.code == 0, run.err
    assert "would convert" in run.out and "1 Dockerfiles" not in run.out
    assert run.err.strip().splitlines()[-1].startswith("1 Dockerfiles: 1 would convert")


def test_findings_carry_their_code_and_column_on_stderr(tmp_path: Path) -> None:
    folder = copy_fixture("seed-001-go-api", tmp_path / "proj")
    text = (folder / "Dockerfile").read_text().replace("WORKDIR /app\n", "WORKDIR /app\n  ARG GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n")
    (folder / "Dockerfile").write_text(text)

    run = stagify("convert", "--check", "proj", cwd=tmp_path)

    assert run.code == 1
    assert "proj/Dockerfile:4:3: STG003 ARG GITHUB_TOKEN" in run.err
    assert "STG003" not in run.out


@pytest.mark.parametrize("command", [["convert"], ["migrate"]])
def test_format_json_is_always_a_list(tmp_path: Path, proj: Path, command: list[str]) -> None:
    run = stagify(*command, "--format", "json", "proj", cwd=tmp_path)
    data = json.loads(run.out)
    assert isinstance(data, list) and len(data) == 1
    assert run.code == 0, run.err


# -- -V, help, choices -------------------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(tmp_path: Path, flag: str) -> None:
    run = stagify(flag, cwd=tmp_path)
    assert run.code == 0 and run.out.strip().startswith("stagify ")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_fits_80_columns(tmp_path: Path, command: str) -> None:
    env_run = subprocess.run([sys.executable, "-m", "stagify", command, "-h"], cwd=tmp_path, capture_output=True, text=True,
                             env={**os.environ, "COLUMNS": "80"})
    assert env_run.returncode == 0
    long = [line for line in env_run.stdout.splitlines() if len(line) > 80]
    assert not long, long


def test_help_lists_the_choices_of_lang_and_runtime(tmp_path: Path) -> None:
    text = stagify("convert", "-h", cwd=tmp_path).out
    runtimes = "|".join(c.value for c in RuntimeChoice)
    assert "<go|node|python|java>" in text and f"<{runtimes}>" in " ".join(text.split()), text


def test_the_lang_choices_are_the_registered_languages() -> None:
    assert tuple(lang.value for lang in Language) == names()


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [("stagify convert --lang ", 3, ["go", "node", "python", "java"]), ("stagify migrate --runtime d", 3, ["distroless", "debian"]),
     ("stagify rule STG00", 2, ["STG001", "STG002", "STG003", "STG004", "STG005", "STG006", "STG007"])],
)
def test_choices_complete(tmp_path: Path, words: str, cword: int, expected: list[str]) -> None:
    env = {**os.environ, "_STAGIFY_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    done = subprocess.run([sys.executable, "-c", "import sys; sys.argv[0] = 'stagify'; from stagify.cli.entry import main; main()"],
                          cwd=tmp_path, capture_output=True, text=True, env=env)
    assert done.stdout.split() == expected, done.stderr


# -- a terminal: -q never asks, Ctrl-C is 130 ----------------------------------------------------------------


def on_terminal(args: list[str], cwd: Path, interrupt_after: str | None = None, timeout: float = 60) -> tuple[int, str]:
    """Run stagify with a pseudo-terminal as stdin and stdout; send SIGINT once ``interrupt_after`` was printed."""
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "stagify", *args], cwd=cwd, stdin=child, stdout=child, stderr=child,
                            env={**os.environ, "NO_COLOR": "1"}, start_new_session=True)
    os.close(child)
    seen = b""
    deadline = time.monotonic() + timeout
    sent = False
    asked_at: float | None = None
    while proc.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                seen += os.read(main, 65536)
            except OSError:
                break
        if interrupt_after is not None and not sent and interrupt_after.encode() in seen:
            if asked_at is None:
                asked_at = time.monotonic()
            elif time.monotonic() - asked_at > 0.5:  # the user presses Ctrl-C while the question waits for an answer
                proc.send_signal(signal.SIGINT)
                sent = True
    try:
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"stagify did not finish on a terminal: {seen.decode(errors='replace')[-400:]}")
    os.close(main)
    return code, seen.decode(errors="replace")


def test_quiet_never_asks_on_a_terminal(tmp_path: Path, proj: Path) -> None:
    before = snapshot(proj)
    code, seen = on_terminal(["convert", "-q", "proj"], tmp_path)
    assert code == 0, seen
    assert "Write" not in seen
    assert snapshot(proj) == before


def test_ctrl_c_at_the_question_exits_130_and_writes_nothing(tmp_path: Path, proj: Path) -> None:
    before = snapshot(proj)
    code, seen = on_terminal(["convert", "proj"], tmp_path, interrupt_after="Write proj/Dockerfile")
    assert code == 130, seen
    assert "Aborted" not in seen and "Traceback" not in seen
    assert snapshot(proj) == before
