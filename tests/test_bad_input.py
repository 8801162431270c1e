"""The catalogue of bad and unusual inputs, through the command line: a clear message, the right exit, nothing touched.

Each case is a Dockerfile (text or bytes) in its own folder, converted with ``--write``:
an error must print one ``PATH[:LINE]: message`` line, exit non-zero, leave every file as
it was and print no traceback; an unusual but valid input must convert (or be left alone)
the way the case says.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GO_APP = {"go.mod": "module example.com/app\n\ngo 1.22\n", "main.go": "package main\n\nfunc main() {}\n"}


def stagify(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stagify", *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200"}, stdin=subprocess.DEVNULL)


def project(tmp_path: Path, dockerfile: str | bytes, files: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir(parents=True)
    for rel, text in (files or {}).items():
        (folder / rel).write_text(text)
    data = dockerfile.encode() if isinstance(dockerfile, str) else dockerfile
    (folder / "Dockerfile").write_bytes(data)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


ERRORS = [
    ("empty file", b"", "proj/Dockerfile: STG002 the file is empty: no instructions to convert"),
    ("whitespace only", b"  \n\t\n   \n", "proj/Dockerfile: STG002 the file is empty: no instructions to convert"),
    ("no FROM", b"RUN echo hi\n", "proj/Dockerfile:1:1: STG002 RUN before the first FROM (only ARG may come first)"),
    ("only comments", b"# a note\n# another\n", "proj/Dockerfile: STG002 no instructions, only comments: nothing to build"),
    ("unknown instruction", b"FROM golang:1.22\nFOO bar\n", 'proj/Dockerfile:2:1: STG002 unknown instruction "FOO"'),
    ("binary data", b"\x7fELF\x02\x01\x01\x00\x00\x00", "proj/Dockerfile:1: STG002 binary data (a NUL byte): not a Dockerfile"),
    ("invalid UTF-8", b"FROM golang:1.22\nRUN echo \xff\xfe\n", "proj/Dockerfile:2: STG002 not valid UTF-8 text: not a Dockerfile"),
    ("unterminated continuation", b"FROM golang:1.22\nRUN go build \\\n", "proj/Dockerfile:2:1: STG002 unterminated line continuation"),
    ("unterminated heredoc", b"FROM golang:1.22\nRUN <<EOF\ngo build\n", "proj/Dockerfile:2:1: STG002 unterminated heredoc: no line 'EOF' closes <<EOF"),
    ("Windows base image", b"FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo\n",
     "proj/Dockerfile:1:1: STG002 mcr.microsoft.com/windows/servercore:ltsc2022: Windows base images are not supported"),
]


@pytest.mark.parametrize(("dockerfile", "message"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors_are_one_line_with_a_position_and_touch_nothing(tmp_path: Path, dockerfile: bytes, message: str) -> None:
    folder = project(tmp_path, dockerfile, GO_APP)
    before = snapshot(folder)
    run = stagify("convert", "--write", "proj", cwd=tmp_path)
    assert run.returncode == 3
    assert run.stderr.startswith(message), run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
    assert snapshot(folder) == before


def test_a_path_that_does_not_exist(tmp_path: Path) -> None:
    run = stagify("convert", "--write", "nowhere/Dockerfile", cwd=tmp_path)
    assert (run.returncode, run.stderr.strip()) == (3, "error: nowhere/Dockerfile: no such file or folder")


def test_a_read_only_file_is_not_written(tmp_path: Path) -> None:
    folder = project(tmp_path, "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\nCMD [\"/app/server\"]\n", GO_APP)
    (folder / "Dockerfile").chmod(0o444)
    before = snapshot(folder)
    run = stagify("convert", "--write", "proj", cwd=tmp_path)
    assert run.returncode == 4
    assert run.stderr.strip().endswith("proj/Dockerfile: cannot write: the file is read-only; nothing was written")
    assert snapshot(folder) == before and (folder / "Dockerfile").stat().st_mode & 0o777 == 0o444


def test_a_symlinked_dockerfile_is_written_through_inside_its_folder_only(tmp_path: Path) -> None:
    text = "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\nCMD [\"/app/server\"]\n"
    folder = project(tmp_path, text, GO_APP)
    (folder / "docker").mkdir()
    (folder / "Dockerfile").rename(folder / "docker" / "Dockerfile.real")
    (folder / "Dockerfile").symlink_to("docker/Dockerfile.real")
    assert stagify("convert", "--write", "--no-backup", "proj", cwd=tmp_path).returncode == 0
    assert (folder / "Dockerfile").is_symlink() and "AS runtime" in (folder / "docker" / "Dockerfile.real").read_text()
    outside = tmp_path / "outside.Dockerfile"
    outside.write_text(text)
    other = project(tmp_path / "o", text, GO_APP)
    (other / "Dockerfile").unlink()
    (other / "Dockerfile").symlink_to(outside)
    run = stagify("convert", "--write", "proj", cwd=tmp_path / "o")
    assert run.returncode == 4 and "outside its folder; not written" in run.stderr
    assert outside.read_text() == text


@pytest.mark.parametrize(
    ("name", "dockerfile", "expect"),
    [
        ("CRLF", "FROM golang:1.22\r\nWORKDIR /app\r\nCOPY . .\r\nRUN go build -o /app/server .\r\nCMD [\"/app/server\"]\r\n", "\r\n"),
        ("BOM", "\ufeffFROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\nCMD [\"/app/server\"]\n", "AS runtime"),
        ("escape backtick", "# escape=`\nFROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build `\n    -o /app/server .\nCMD [\"/app/server\"]\n",
         "# escape=`\n"),
        ("ONBUILD", "FROM golang:1.22\nONBUILD RUN echo child\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\nCMD [\"/app/server\"]\n",
         "ONBUILD RUN echo child"),
    ],
)
def test_unusual_but_valid_files_convert(tmp_path: Path, name: str, dockerfile: str, expect: str) -> None:
    project(tmp_path, dockerfile, GO_APP)
    run = stagify("convert", "--stdout", "proj", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    out = subprocess.run([sys.executable, "-m", "stagify", "convert", "--stdout", "proj"], cwd=tmp_path, capture_output=True).stdout
    assert expect.encode() in out
    if name == "escape backtick":
        assert out.decode().index("# escape=`") == 0  # the directive stays first


def test_from_scratch_with_nothing_to_build(tmp_path: Path) -> None:
    folder = project(tmp_path, "FROM scratch\nCOPY app /app\nCMD [\"/app\"]\n", {"app": "binary"})
    before = snapshot(folder)
    run = stagify("convert", "--write", "proj", cwd=tmp_path)
    assert run.returncode == 0
    assert "nothing to do: FROM scratch" in run.stderr
    assert snapshot(folder) == before


def test_a_5_mb_file(tmp_path: Path) -> None:
    comment = "# " + "x" * 98 + "\n"
    body = comment * (5 * 1024 * 1024 // len(comment))
    text = body + "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\nCMD [\"/app/server\"]\n"
    project(tmp_path, text, GO_APP)
    run = stagify("convert", "--stdout", "proj", cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-500:]
    assert run.stdout.count("# xxxx") == body.count("\n")  # every comment line is kept


def test_a_10000_line_run(tmp_path: Path) -> None:
    steps = "".join(f"    && echo step {i} \\\n" for i in range(10_000))
    text = f"FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN echo start \\\n{steps}    && go build -o /app/server .\nCMD [\"/app/server\"]\n"
    project(tmp_path, text, GO_APP)
    run = stagify("convert", "--stdout", "proj", cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-500:]
    assert "echo step 9999" in run.stdout and "AS runtime" in run.stdout


def test_a_write_killed_midway_leaves_the_old_file_or_the_new_one(tmp_path: Path) -> None:
    """The process is killed while its temporary file is being written: the Dockerfile is whole, old or new."""
    comment = "# " + "y" * 98 + "\n"
    text = comment * 60_000 + "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\nCMD [\"/app/server\"]\n"
    folder = project(tmp_path, text, GO_APP)
    expected = stagify("convert", "--stdout", "proj", cwd=tmp_path).stdout.encode()
    for _attempt in range(10):
        (folder / "Dockerfile").write_text(text)
        proc = subprocess.Popen([sys.executable, "-m", "stagify", "convert", "--write", "--no-backup", "proj"], cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        caught = False
        while proc.poll() is None:
            if any(folder.glob(".stagify-*.tmp")):
                proc.send_signal(signal.SIGKILL)
                caught = True
                break
            time.sleep(0.0005)
        proc.wait()
        assert (folder / "Dockerfile").read_bytes() in (text.encode(), expected)
        if caught and proc.returncode == -signal.SIGKILL:
            break
    else:
        pytest.fail("the kill never landed while the temporary file was being written")
    for leftover in folder.glob(".stagify-*.tmp"):
        leftover.unlink()
