"""Start-up: the quick path of ``stagify convert`` prints what the full command line prints, and
commands import only what they use (no typer, rich or pydantic for a plain conversion; libcst only
for Python projects; jinja2 only when something is rendered)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import FIXTURES, copy_context

FULL = "import sys; from stagify.cli.app import main; sys.argv[0] = 'stagify'; main()"


def run(args: list[str], cwd: Path, full: bool) -> tuple[int, str, str]:
    command = [sys.executable, "-c", FULL, *args] if full else [sys.executable, "-m", "stagify", *args]
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["convert", "--stdout", "proj"],
        ["convert", "proj"],
        ["convert", "--diff", "proj"],
        ["convert", "--check", "proj"],
        ["convert", "--json", "proj"],
        ["convert", "--explain", "proj"],
        ["convert", "--stdout", "--runtime", "alpine", "proj"],
        ["convert", "--stdout", "--runtime=debian", "--lang", "go", "--context", "proj", "proj/Dockerfile"],
        ["convert", "missing"],
        ["convert", "--json", "missing"],
        ["convert", "--lang", "cobol", "proj"],
        ["convert", "--stdout", "done"],
        ["convert", "broken"],
    ],
    ids=lambda a: " ".join(a),
)
def test_the_quick_path_prints_what_the_command_line_prints(tmp_path: Path, args: list[str]) -> None:
    copy_context(FIXTURES / "seed-001-go-api", tmp_path / "proj")
    copy_context(FIXTURES / "go-already-multistage", tmp_path / "done")
    copy_context(FIXTURES / "err-no-from", tmp_path / "broken")
    assert run(args, tmp_path, full=False) == run(args, tmp_path, full=True)


def imported_by(code: str, cwd: Path) -> set[str]:
    probe = f"import sys, io, contextlib\nsys.argv = ['stagify', *{code}]\nout = io.StringIO()\n" \
            "from stagify.cli.entry import main\ntry:\n    with contextlib.redirect_stdout(out):\n        main()\n" \
            "except SystemExit:\n    pass\nimport json\nsys.__stdout__.write(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))\n"
    proc = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, check=True)
    return set(json.loads(proc.stdout))


def test_a_go_conversion_imports_no_command_line_library_and_no_libcst(tmp_path: Path) -> None:
    copy_context(FIXTURES / "seed-001-go-api", tmp_path / "proj")
    loaded = imported_by("['convert', '--stdout', 'proj']", tmp_path)
    assert "jinja2" in loaded and "dockerfile_parse" in loaded
    assert not loaded & {"typer", "rich", "pydantic", "click", "libcst", "yaml"}, loaded & {"typer", "rich", "pydantic", "click", "libcst", "yaml"}


def test_libcst_is_loaded_for_python_projects_only(tmp_path: Path) -> None:
    copy_context(FIXTURES / "python-editable-install", tmp_path / "proj")  # setup.py is read with libcst
    assert "libcst" in imported_by("['convert', '--stdout', 'proj']", tmp_path)


def test_detect_renders_nothing_so_it_loads_no_jinja2(tmp_path: Path) -> None:
    copy_context(FIXTURES / "seed-001-go-api", tmp_path / "proj")
    loaded = imported_by("['detect', '--json', 'proj']", tmp_path)
    assert "jinja2" not in loaded and "libcst" not in loaded


def test_json_from_the_quick_path_is_json(tmp_path: Path) -> None:
    copy_context(FIXTURES / "seed-001-go-api", tmp_path / "proj")
    code, out, _ = run(["convert", "--json", "proj"], tmp_path, full=False)
    assert code == 0 and json.loads(out)["status"] == "converted"
