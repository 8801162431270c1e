"""The terminal: numbered colored diffs on a TTY, plain diffs in pipes, NO_COLOR, --quiet, completion."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from stagify.cli.terminal import numbered
from tests.test_cli import REPO, copy_fixture, stagify

ANSI = "\x1b["


def on_a_terminal(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run stagify with stdout and stderr on a pseudo-terminal, as a person at a shell would; its output."""
    main, child = pty.openpty()
    full_env = {**os.environ, "COLUMNS": "200", "TERM": "xterm-256color", **(env or {})}
    full_env.pop("NO_COLOR", None) if "NO_COLOR" not in (env or {}) else None
    proc = subprocess.Popen([sys.executable, "-m", "stagify", *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=child,
                            stderr=child, env=full_env)
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def test_numbered_rows_follow_the_hunks() -> None:
    diff = "--- a/x\n+++ b/x\n@@ -3,3 +3,4 @@\n keep\n-old\n+new\n+more\n tail\n"
    rows = numbered(diff)
    assert rows[3] == ("3", "3", " ", "keep")
    assert rows[4] == ("4", "", "-", "old")
    assert rows[5] == ("", "4", "+", "new") and rows[6] == ("", "5", "+", "more")
    assert rows[7] == ("5", "6", " ", "tail")


def test_a_terminal_gets_colors_and_line_numbers(tmp_path: Path) -> None:
    copy_fixture("seed-001-go-api", tmp_path / "api")
    text = on_a_terminal(["convert", "--diff", "api"], tmp_path)
    assert ANSI + "32m" in text or ANSI + "32;" in text  # green additions
    plain = text.replace("\r", "")
    assert any(line.strip().startswith("2 ") and "FROM golang:1.22-alpine" in line for line in _strip(plain).splitlines())
    assert "stagify: 1 file: 1 would be converted" in _strip(plain)


def test_no_color_and_the_flag_turn_colors_off(tmp_path: Path) -> None:
    copy_fixture("seed-001-go-api", tmp_path / "api")
    for args, env in ((["convert", "--diff", "api"], {"NO_COLOR": "1"}), (["convert", "--diff", "--no-color", "api"], {})):
        text = on_a_terminal(args, tmp_path, env)
        assert ANSI not in text, args
        assert "FROM golang:1.22-alpine" in text  # still the numbered diff


def test_a_pipe_gets_a_plain_diff_that_patch_applies(tmp_path: Path) -> None:
    copy_fixture("seed-001-go-api", tmp_path / "api")
    converted = stagify("convert", "--stdout", "api", cwd=tmp_path).out
    run = stagify("convert", "--diff", "api", cwd=tmp_path)
    assert ANSI not in run.out and run.out.startswith("--- a/api/Dockerfile\n+++ b/api/Dockerfile\n")
    applied = subprocess.run(["git", "apply", "-"], input=run.out, text=True, cwd=tmp_path, capture_output=True)
    assert applied.returncode == 0, applied.stderr
    assert (tmp_path / "api" / "Dockerfile").read_text() == converted


def test_quiet_prints_only_warnings_and_errors(tmp_path: Path) -> None:
    copy_fixture("go-useradd-user", tmp_path / "app")
    loud = stagify("convert", "--check", "app", cwd=tmp_path)
    quiet = stagify("convert", "--check", "--quiet", "app", cwd=tmp_path)
    assert loud.code == quiet.code == 1
    assert loud.out and quiet.out == ""
    assert "stagify: 1 file" in loud.err and "stagify: 1 file" not in quiet.err
    assert ": info: " not in quiet.err
    assert [line for line in loud.err.splitlines() if ": warning: " in line] == quiet.err.splitlines()


def test_the_quick_path_knows_quiet_and_format(tmp_path: Path) -> None:
    copy_fixture("seed-001-go-api", tmp_path / "api")
    env = {**os.environ, "STAGIFY_NO_CACHE": "1"}
    done = subprocess.run([str(REPO / ".venv" / "bin" / "stagify") if (REPO / ".venv" / "bin" / "stagify").exists() else "stagify",
                           "convert", "--check", "-q", "--format", "sarif", "api"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert done.returncode == 1 and '"ruleId": "STG001"' in done.stdout and done.stderr == ""


def test_shell_completion(tmp_path: Path) -> None:
    script = subprocess.run([sys.executable, "-m", "stagify", "--show-completion", "bash"], capture_output=True, text=True)
    assert "_stagify_completion" in script.stdout and "complete " in script.stdout, script.stderr
    env = {**os.environ, "_STAGIFY_COMPLETE": "complete_bash", "COMP_WORDS": "stagify convert --ru", "COMP_CWORD": "2"}
    done = subprocess.run([sys.executable, "-c", "import sys; sys.argv[0] = 'stagify'; from stagify.cli.app import main; main()"],
                          env=env, capture_output=True, text=True)
    assert done.stdout.split() == ["--runtime"], done.stderr
    listed = subprocess.run([sys.executable, "-m", "stagify", "--help"], capture_output=True, text=True)
    assert "--install-completion" in listed.stdout


def _strip(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)
