"""Start-up: one command line (typer), and each command imports only what it uses: no rich or
pydantic for a conversion, no converter for --version, --help and `stagify rule`; libcst only
for Python projects; jinja2 only when something is rendered."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import FIXTURES, REPO, copy_context


def imported_by(code: str, cwd: Path) -> set[str]:
    probe = f"import sys, io, contextlib\nsys.argv = ['stagify', *{code}]\nout = io.StringIO()\n" \
            "from stagify.cli.entry import main\ntry:\n    with contextlib.redirect_stdout(out):\n        main()\n" \
            "except SystemExit:\n    pass\nimport json\nsys.__stdout__.write(json.dumps(sorted(m for m in sys.modules)))\n"
    proc = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, check=True)
    return set(json.loads(proc.stdout))


def tops(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_a_go_conversion_loads_typer_but_no_rich_pydantic_or_libcst(tmp_path: Path) -> None:
    copy_context(FIXTURES / "seed-001-go-api", tmp_path / "proj")
    loaded = tops(imported_by("['convert', '--stdout', 'proj']", tmp_path))
    assert "jinja2" in loaded and "dockerfile_parse" in loaded and "typer" in loaded
    assert not loaded & {"rich", "pydantic", "click", "libcst", "yaml"}, loaded & {"rich", "pydantic", "click", "libcst", "yaml"}


@pytest.mark.parametrize("args", [["--version"], ["convert", "--help"], ["rule", "STG003"], ["rule"]], ids=" ".join)
def test_version_help_and_rule_load_no_converter(tmp_path: Path, args: list[str]) -> None:
    loaded = imported_by(repr(args), tmp_path)
    assert not {"stagify.api", "stagify.plan", "stagify.parse", "dockerfile_parse", "jinja2"} & loaded
    assert "typer" in tops(loaded)


def test_libcst_is_loaded_for_python_projects_only(tmp_path: Path) -> None:
    copy_context(FIXTURES / "python-editable-install", tmp_path / "proj")  # setup.py is read with libcst
    assert "libcst" in tops(imported_by("['convert', '--stdout', 'proj']", tmp_path))


def test_detect_renders_nothing_so_it_loads_no_jinja2(tmp_path: Path) -> None:
    copy_context(FIXTURES / "seed-001-go-api", tmp_path / "proj")
    loaded = tops(imported_by("['detect', '--json', 'proj']", tmp_path))
    assert "jinja2" not in loaded and "libcst" not in loaded


def test_there_is_one_argument_parser() -> None:
    """The entry point hands every command line to typer: no second, hand-written parser of the options."""
    entry = (REPO / "stagify" / "cli" / "entry.py").read_text()
    assert "from .app import main" in entry
    assert '"convert"' not in entry and '"--stdout"' not in entry and "ConvertArgs" not in entry


def test_json_from_the_command_line_is_a_list(tmp_path: Path) -> None:
    copy_context(FIXTURES / "seed-001-go-api", tmp_path / "proj")
    proc = subprocess.run([sys.executable, "-m", "stagify", "convert", "--json", "proj"], cwd=tmp_path, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0 and [d["status"] for d in json.loads(proc.stdout)] == ["converted"]


def built_commands(args: list[str], cwd: Path) -> list[str]:
    """The commands typer turned into click objects while ``stagify ARGS`` ran."""
    probe = ("import sys, io, contextlib, typer.main\nbuilt = []\nreal = typer.main.get_command_from_info\n"
             "def counting(info, **kw):\n    built.append(info.name)\n    return real(info, **kw)\n"
             "typer.main.get_command_from_info = counting\n"
             f"sys.argv = ['stagify', *{args!r}]\nfrom stagify.cli.entry import main\n"
             "try:\n    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
             "        main()\nexcept SystemExit:\n    pass\nprint(' '.join(built))\n")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, check=True)
    return proc.stdout.split()


def test_a_command_line_builds_only_the_command_it_runs(tmp_path: Path) -> None:
    copy_context(FIXTURES / "seed-001-go-api", tmp_path / "proj")
    assert built_commands(["convert", "--stdout", "proj"], tmp_path) == ["convert"]
    assert built_commands(["rule", "STG003"], tmp_path) == ["rule"]
    listed = built_commands(["--help"], tmp_path)  # the group's help lists every command with its summary
    assert {"convert", "verify", "migrate", "rule"} <= set(listed)


def test_a_conversion_loads_the_planner_of_its_own_language_only(tmp_path: Path) -> None:
    # Every language detects; only the chosen one plans (its hooks, start and runtime modules stay unloaded otherwise).
    copy_context(FIXTURES / "seed-001-go-api", tmp_path / "proj")
    loaded = imported_by("['convert', '--stdout', 'proj']", tmp_path)
    assert {"stagify.languages.go.language", "stagify.languages.java.detector", "stagify.languages.node.detector"} <= loaded
    planners = {m for m in loaded if m.startswith("stagify.languages.") and m.endswith((".language", ".start", ".jlink"))}
    assert planners == {"stagify.languages.go.language"}


def test_a_conversion_reads_the_project_with_its_own_language_s_readers_only(tmp_path: Path) -> None:
    # Every detector runs, but a language's project readers (facts, command lines) load once its evidence says yes.
    copy_context(FIXTURES / "seed-001-go-api", tmp_path / "proj")
    loaded = imported_by("['convert', '--stdout', 'proj']", tmp_path)
    assert "stagify.languages.go.facts" in loaded
    readers = {f"stagify.languages.{lang}.{part}" for lang in ("java", "node", "python") for part in ("facts", "commands")}
    assert not readers - {"stagify.languages.node.commands", "stagify.languages.python.commands"} & loaded, readers & loaded


def test_module_level_patterns_are_compiled_on_first_use() -> None:
    """No module of the package compiles a regular expression when it is imported (patterns.Pattern does it on use)."""
    import ast

    found = []
    for path in sorted((REPO / "stagify").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for statement in tree.body:  # module level: not inside a function or a class
            for node in ast.walk(statement):
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    break
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "compile"
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"):
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert found == []


def test_a_lazy_pattern_answers_like_a_compiled_one() -> None:
    import re

    from stagify.patterns import Pattern

    lazy, compiled = Pattern(r"(?P<word>[a-z]+)(\d)?", re.I), re.compile(r"(?P<word>[a-z]+)(\d)?", re.I)
    assert lazy._compiled is None  # nothing compiled until it is used
    text = "Ab1 cd ef2"
    for name in ("search", "match", "fullmatch"):
        a, b = getattr(lazy, name)(text), getattr(compiled, name)(text)
        assert (a and a.groups()) == (b and b.groups())
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert lazy.findall(text) == compiled.findall(text) and lazy.split(text) == compiled.split(text)
    assert lazy.sub("x", text, 1) == compiled.sub("x", text, 1) and lazy.subn(r"<\g<word>>", text) == compiled.subn(r"<\g<word>>", text)
    assert lazy.search(text, 3) is not None and lazy.search(text, 3).span() == compiled.search(text, 3).span()  # type: ignore[union-attr]
    assert lazy.pattern == compiled.pattern and lazy.flags == re.I


def test_the_command_line_tunes_the_collector_and_the_library_does_not(tmp_path: Path) -> None:
    probe = ("import gc, sys, io, contextlib\ndefault = gc.get_threshold()\nfrom stagify import convert\n"
             "convert('FROM golang:1.22\\nCOPY . .\\nRUN go build -o /app .\\nCMD [\"/app\"]\\n')\n"
             "library = gc.get_threshold()\nsys.argv = ['stagify', '--version']\nfrom stagify.cli.entry import main\n"
             "try:\n    with contextlib.redirect_stdout(io.StringIO()):\n        main()\nexcept SystemExit:\n    pass\n"
             "print(default == library, gc.get_threshold()[0])\n")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    unchanged, first = proc.stdout.split()
    assert unchanged == "True" and int(first) >= 10_000
