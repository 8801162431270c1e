"""Every snippet of README.md and CONTRIBUTING.md is checked, so the documents cannot drift from the program.

Each fenced block is found by its language and checked by the checker of that language:

- ``sh``: the block passes ``bash -n`` and runs with ``bash -euo pipefail`` in a temporary folder holding
  copies of the fixtures it names, with ``stagify`` and ``python`` from this test's virtualenv; the
  commands in ``CHECKED_ONLY`` (installs from the network, the test suite itself) are not run but must
  name files and extras that exist, and are replaced by ``:`` so the rest of the block still runs;
- ``console``: each ``$ command`` runs the same way and must print what the block shows after it (paths
  of the temporary folder normalised; a line ``...`` stands for any number of lines);
- ``toml``: parses and is accepted by stagify's settings loader (``stagify/config.py``);
- ``yaml``: parses; a pre-commit config names hooks of ``.pre-commit-hooks.yaml``; the ``run:`` steps of a
  CI job run in a copy of the example, and the files they hand on (``sarif_file``) are JSON;
- ``dockerfile``: parses with stagify's parser; ``python``: runs in a copy of the example; ``json`` parses;
- a block without a language is either a command synopsis (every ``stagify`` command it names answers
  ``--help``) or a layout (the paths it names exist).

Blocks of one ``##`` section run in order and share a working folder, so a ``cd`` in one (the tour's)
holds for the next. A block that cannot be run says so just above its fence, ``<!-- not run: reason -->``;
it is still syntax-checked, counted and reported. A block of any other language, with no marker, fails:
whoever adds a new kind of snippet adds its checker here.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from stagify.config import for_dockerfile
from stagify.dockerfile.parse import parse

from .helpers import FIXTURES, NOT_CONTEXT, REPO, SNIPPET_TALLY

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the project's dependency on Python 3.10
    import tomli as tomllib

DOCUMENTS = ("README.md", "CONTRIBUTING.md")
BIN = Path(sys.executable).parent
# The folder blocks without a fixture of their own work in: the README's example.
EXAMPLE = "seed-001-go-api"
TIMEOUT = 120

# Commands that are only checked (their syntax, and the files, extras and markers they name), and why.
# They either reach the network (installs from PyPI), take minutes (the suite itself, the benchmarks, which
# also need a Docker engine), or inspect this clone's own state. What they promise is proven elsewhere:
# .ci/run runs the README's two commands, tests/test_package.py (slow) installs the package with pip.
CHECKED_ONLY: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^python3? -m venv \S+$"), "makes the virtualenv the installs below fill"),
    (re.compile(r"^(\S*/)?(pip|pipx|uv tool|uv pip) install\b"), "installs from PyPI (.ci/run, tests/test_package.py)"),
    (re.compile(r"^(\w+=\S* )*(\S*/)?python3? -m pytest\b"), "runs the test suite itself (minutes; CI runs it)"),
    (re.compile(r"^(\S*/)?python3? benchmarks/"), "a benchmark (minutes, some need a Docker engine)"),
    (re.compile(r"^(\S*/)?(ruff|mypy)\b"), "lints and type-checks this clone (.ci/run runs it)"),
    (re.compile(r"^git (diff|status|log)\b"), "reads this clone's history"),
)
_NOT_RUN = re.compile(r"<!--\s*not run:\s*(.+?)\s*-->")
_FENCE = re.compile(r"^( *)```(\S*)\s*$")
_VENV_TOOL = re.compile(r"(?<![\w/])\.?[\w.-]*/bin/(stagify|python3?|pip)\b")


@dataclass(frozen=True)
class Snippet:
    document: str
    line: int
    language: str
    body: str
    section: str
    not_run: str | None

    def __str__(self) -> str:
        return f"{self.document}:{self.line}"


def snippets(document: str, text: str | None = None) -> list[Snippet]:
    """The fenced blocks of a Markdown document, with their section and a ``not run`` marker if any."""
    lines = (text if text is not None else (REPO / document).read_text()).split("\n")
    found: list[Snippet] = []
    section = "(top)"
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            section = line[3:].strip()
        opening = _FENCE.match(line)
        if opening is None:
            index += 1
            continue
        indent, language = opening.groups()
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        body = "\n".join(part[len(indent):] if part.startswith(indent) else part for part in lines[index + 1:end])
        before = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = _NOT_RUN.search(before)
        found.append(Snippet(document, index + 1, language.lower(), body + "\n", section,
                             marker.group(1) if marker else None))
        index = end + 1
    return found


def sections(document: str) -> dict[str, list[Snippet]]:
    grouped: dict[str, list[Snippet]] = {}
    for snippet in snippets(document):
        grouped.setdefault(snippet.section, []).append(snippet)
    return grouped


# --- the working folder ------------------------------------------------------------------------------


class Workspace:
    """A temporary folder standing in for the clone: copies of the fixtures a block names, and its cwd."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.clone = root / "clone"
        self.clone.mkdir(parents=True)
        (root / "tmp").mkdir()
        self.cwd = self.clone

    def provide(self, text: str) -> None:
        for name in set(re.findall(r"fixtures/([\w.-]+)", text)):
            source, target = FIXTURES / name, self.clone / "fixtures" / name
            if source.is_dir() and not target.exists():
                shutil.copytree(source, target)

    def example(self) -> Path:
        """A fresh copy of the example as a build context (without its golden files)."""
        target = self.root / "example"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(FIXTURES / EXAMPLE, target, ignore=lambda _d, names: [n for n in names if n in NOT_CONTEXT])
        return target

    def repository(self) -> Path:
        """A repository for CI snippets: the example at its top and again as ``services/api``."""
        top = self.example()
        shutil.copytree(top, top / "services" / "api", ignore=lambda d, _names: ["services"] if d == str(top) else [])
        return top

    def env(self) -> dict[str, str]:
        return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "TMPDIR": str(self.root / "tmp"),
                "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "COLUMNS": "200"}

    def bash(self, script: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """Runs a script; the folder it ends in becomes the workspace's cwd (a ``cd`` holds for the next block)."""
        state = self.root / "cwd"
        wrapped = f"set -euo pipefail\ntrap 'pwd > {shlex.quote(str(state))}' EXIT\n{script}"
        result = subprocess.run(["bash", "-c", wrapped], cwd=cwd or self.cwd, env=self.env(), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
        if cwd is None and state.is_file():
            self.cwd = Path(state.read_text().strip())
        return result

    def normalise(self, output: str) -> str:
        text = output.replace(str(self.root.resolve()), "<tmp>").replace(str(self.root), "<tmp>")
        return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


# --- commands ----------------------------------------------------------------------------------------


def logical_lines(script: str) -> list[str]:
    """Lines with their backslash continuations joined; comments and blank lines left out."""
    joined = re.sub(r"\\\n\s*", " ", script)
    return [line for line in joined.split("\n") if line.strip() and not line.lstrip().startswith("#")]


def _commands(line: str) -> list[str]:
    return [part.strip() for part in re.split(r"\s&&\s", line)]


def checked_only(command: str) -> str | None:
    """Why this command is only checked, or None when it runs."""
    bare = re.sub(r"\s+#.*$", "", command).strip()
    return next((why for pattern, why in CHECKED_ONLY if pattern.search(bare)), None)


def check_names(command: str) -> None:
    """The files, extras and pytest markers a command that is not run names exist."""
    words = shlex.split(command, comments=True)
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    markers = {entry.split(":")[0] for entry in project["tool"]["pytest"]["ini_options"]["markers"]}
    after_pytest = words.index("pytest") + 1 if "pytest" in words else len(words)
    for index, word in enumerate(words):
        if index > after_pytest and words[index - 1] == "-m":
            unknown = set(re.findall(r"[\w-]+", word)) - {"not", "and", "or"} - markers
            assert not unknown, f"{command}: no such pytest marker {sorted(unknown)}"
        elif extras := re.fullmatch(r"\.\[([\w,-]+)\]", word):
            declared = project["project"]["optional-dependencies"]
            assert all(name in declared for name in extras.group(1).split(",")), f"{command}: no extra {word}"
        elif word == "." or ("/" in word and not word.startswith(("-", "http", "git@")) and "=" not in word):
            if re.match(r"\.?[\w.-]*venv[\w.-]*/", word):  # made by the command before it
                continue
            assert (REPO / word).exists(), f"{command}: {word} does not exist in the repository"


def prepare_script(script: str) -> tuple[str, list[str]]:
    """The script to run: commands that are only checked become ``:``; a virtualenv's tools are the test's."""
    checked: list[str] = []
    out: list[str] = []
    for line in logical_lines(script):
        parts = []
        for command in _commands(line):
            if checked_only(command):
                check_names(command)
                checked.append(command)
                parts.append(":")
            else:
                parts.append(_VENV_TOOL.sub(r"\1", command))
        out.append(" && ".join(parts))
    return "\n".join(out) + "\n", checked


def assert_syntax(snippet: Snippet) -> None:
    result = subprocess.run(["bash", "-n"], input=snippet.body, capture_output=True, text=True)
    assert result.returncode == 0, f"{snippet}: not valid shell: {result.stderr}"


# --- expected output ----------------------------------------------------------------------------------


def matches(expected: str, actual: str) -> bool:
    """Line for line; a line ``...`` in the expected text stands for any number of lines."""
    pattern = "".join(r"(?:[^\n]*\n)*?" if line == "..." else re.escape(line) + r"\n" for line in expected.split("\n"))
    return re.fullmatch(pattern, actual + "\n") is not None


def console_steps(body: str) -> Iterator[tuple[str, str]]:
    """(command, expected output) pairs of a console block."""
    command: str | None = None
    expected: list[str] = []
    for line in body.rstrip("\n").split("\n"):
        if line.startswith("$ "):
            if command is not None:
                yield command, "\n".join(expected)
            command, expected = line[2:], []
        else:
            assert command is not None, f"output before the first $ command: {line!r}"
            expected.append(line.rstrip())
    if command is not None:
        yield command, "\n".join(expected)


# --- checkers -----------------------------------------------------------------------------------------


def check_sh(snippet: Snippet, work: Workspace) -> str:
    assert_syntax(snippet)
    script, checked = prepare_script(snippet.body)
    work.provide(snippet.body)
    runs = any(not re.fullmatch(r"[:&\s]*", line) for line in script.splitlines())
    if runs:
        result = work.bash(script)
        assert result.returncode == 0, f"{snippet}: exit {result.returncode}\n{script}\n{result.stdout[-3000:]}"
    return "run" if runs or not checked else "checked only"


def check_console(snippet: Snippet, work: Workspace) -> str:
    steps = list(console_steps(snippet.body))
    assert steps, f"{snippet}: a console block without a $ command"
    for command, expected in steps:
        assert not checked_only(command), f"{snippet}: {command} cannot be shown with its output here"
        work.provide(command)
        result = work.bash(_VENV_TOOL.sub(r"\1", command))
        actual = work.normalise(result.stdout)
        assert result.returncode == 0, f"{snippet}: $ {command}: exit {result.returncode}\n{actual}"
        assert matches(expected, actual), f"{snippet}: $ {command} printed:\n{actual}\n\nthe document shows:\n{expected}"
    return "run"


def check_toml(snippet: Snippet, work: Workspace) -> str:
    tomllib.loads(snippet.body)
    project = work.root / "settings"
    project.mkdir(exist_ok=True)
    (project / ".git").mkdir(exist_ok=True)  # the search for settings files stops at a repository's root
    name = "pyproject.toml" if re.search(r"^\s*\[tool\.stagify", snippet.body, re.M) else ".stagify.toml"
    (project / name).write_text(snippet.body)
    (project / "Dockerfile").write_text("FROM golang:1.22\n")
    settings = for_dockerfile(project / "Dockerfile")  # raises StagifyError (exit 2) on any unknown key or value
    settings.options()
    (project / name).unlink()
    return "run"


def check_yaml(snippet: Snippet, work: Workspace) -> str:
    data = yaml.safe_load(snippet.body)
    if isinstance(data, dict) and "repos" in data:
        offered = {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
        for repo in data["repos"]:
            for hook in repo["hooks"]:
                assert hook["id"] in offered, f"{snippet}: no hook {hook['id']!r} in .pre-commit-hooks.yaml"
    elif isinstance(data, list):  # GitHub Actions steps
        context = work.repository()
        for step in data:
            if "run" in step:
                ci_step(snippet, work, step["run"], context)
            handed = (step.get("with") or {}).get("sarif_file")
            if handed:
                json.loads((context / handed).read_text())
    elif isinstance(data, dict) and data and all(isinstance(job, dict) and "script" in job for job in data.values()):
        context = work.repository()  # GitLab CI jobs
        for job in data.values():
            for command in [job["script"]] if isinstance(job["script"], str) else job["script"]:
                ci_step(snippet, work, command, context)
            for report in ((job.get("artifacts") or {}).get("reports") or {}).values():
                json.loads((context / report).read_text())
    else:
        raise AssertionError(f"{snippet}: a YAML snippet of no known kind (a pre-commit config, CI steps or jobs)")
    return "run"


def ci_step(snippet: Snippet, work: Workspace, command: str, context: Path) -> None:
    """A CI step runs; exit 1 is ``--check``'s "would change", the finding a CI step is there to report."""
    result = work.bash(_VENV_TOOL.sub(r"\1", command), cwd=context)
    assert result.returncode in (0, 1), f"{snippet}: {command}: exit {result.returncode}\n{result.stdout[-3000:]}"


def check_dockerfile(snippet: Snippet, work: Workspace) -> str:
    # A fragment (instructions without a FROM, as in the pragma example) is parsed below one.
    whole = re.search(r"^\s*FROM\s", snippet.body, re.M | re.I) is not None
    parse(snippet.body if whole else "FROM scratch\n" + snippet.body, f"{snippet}")
    return "run"


def check_python(snippet: Snippet, work: Workspace) -> str:
    context = work.example()
    script = work.root / "snippet.py"
    script.write_text(snippet.body)
    result = subprocess.run([sys.executable, str(script)], cwd=context, env=work.env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
    assert result.returncode == 0, f"{snippet}: exit {result.returncode}\n{result.stdout[-3000:]}"
    return "run"


def check_json(snippet: Snippet, work: Workspace) -> str:
    json.loads(snippet.body)
    return "run"


def check_plain(snippet: Snippet, work: Workspace) -> str:
    """A synopsis (each command answers --help) or a layout (each path exists)."""
    rows = [line for line in snippet.body.split("\n") if line.strip()]
    if rows and all(row.startswith("stagify ") for row in rows):
        result = subprocess.run([str(BIN / "stagify"), "--help"], capture_output=True, text=True, env=work.env(),
                                timeout=TIMEOUT)
        assert result.returncode == 0, result.stdout + result.stderr
        offered = set(re.findall(r"^\W*(\w[\w-]*)\s", result.stdout, re.M))
        for row in rows:
            word = row.split()[1]
            if word.startswith("-"):  # an option of stagify itself: `stagify -V, --version`
                options = [w.rstrip(",") for w in row.split()[1:] if w.startswith("-")]
                assert all(option in result.stdout for option in options), f"{snippet}: stagify --help lacks {options}"
            else:
                assert word in offered, f"{snippet}: stagify --help lists no command {word!r}"
        return "run"
    paths = [row.split()[0] for row in rows]
    if rows and all("/" in path or "." in path for path in paths):
        for path in paths:
            assert (REPO / path).exists(), f"{snippet}: {path} does not exist in the repository"
        return "run"
    raise AssertionError(f"{snippet}: a block without a language that is neither a synopsis nor a layout")


CHECKERS: dict[str, Callable[[Snippet, Workspace], str]] = {
    "sh": check_sh, "bash": check_sh, "shell": check_sh, "console": check_console, "toml": check_toml,
    "yaml": check_yaml, "yml": check_yaml, "dockerfile": check_dockerfile, "python": check_python,
    "json": check_json, "": check_plain,
}


def check(snippet: Snippet, work: Workspace) -> str:
    """Checks one snippet; returns how: ``run``, ``checked only`` or ``not run``."""
    if snippet.not_run is not None:
        if snippet.language in ("sh", "bash", "shell"):
            assert_syntax(snippet)
        return "not run"
    checker = CHECKERS.get(snippet.language)
    assert checker is not None, (f"{snippet}: no checker for ```{snippet.language} blocks: add one to "
                                 f"tests/test_readme.py, or put <!-- not run: reason --> above the fence")
    return checker(snippet, work)


# --- the tests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "section"),
    [(document, section) for document in DOCUMENTS for section in sections(document)],
    ids=[f"{document}: {section}" for document in DOCUMENTS for section in sections(document)],
)
def test_every_snippet_of_the_section_runs_as_shown(
    document: str, section: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    work = Workspace(tmp_path)
    tally = request.config.stash.setdefault(SNIPPET_TALLY, {}).setdefault(document, [])
    for snippet in sections(document)[section]:
        how = check(snippet, work)
        tally.append((how, f"{snippet} ({snippet.language or 'plain'}){': ' + snippet.not_run if snippet.not_run else ''}"))


def test_the_readme_opens_with_what_stagify_does_then_the_install_and_test_commands() -> None:
    readme = (REPO / "README.md").read_text()
    first = snippets("README.md")[0]
    assert first.section == "(top)" and first.language == "sh"
    intro = readme[: readme.index("```sh")]
    assert all(language in intro for language in ("Go", "Node.js", "Python", "Java"))
    commands = first.body.strip().splitlines()
    assert len(commands) == 2
    assert "pip install" in commands[0] and "stagify convert" in commands[0]
    assert "pip install" in commands[1] and "pytest" in commands[1]
    headings = re.findall(r"^## (.+)$", readme, re.M)
    assert headings[:2] == ["Install", "A 30-second tour"], headings


def test_the_ci_script_runs_the_readme_commands_and_nothing_else_of_stagify() -> None:
    script = (REPO / ".ci" / "run").read_text()
    steps = [line.strip() for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    first = snippets("README.md")[0]
    promised = [part for line in logical_lines(first.body) for part in _commands(line)]
    for part in promised:
        assert part in steps, f".ci/run does not run {part!r}"
    # in the README's order: each command after the one before it
    positions = [steps.index(part) for part in promised]
    assert positions == sorted(positions), positions
    # what it runs besides (lint, types, the registry the pin tests start) names no other stagify command
    assert [s for s in steps if "stagify " in s and s not in promised] == []


def test_the_before_and_after_example_is_the_bundled_fixture_and_its_golden() -> None:
    blocks = [s for s in snippets("README.md") if s.section == "Before and after" and s.language == "dockerfile"]
    assert blocks[0].body == (FIXTURES / EXAMPLE / "Dockerfile").read_text()
    assert blocks[1].body == (FIXTURES / EXAMPLE / "expected.Dockerfile").read_text()


def test_the_tour_leaves_the_repository_as_it_was() -> None:
    """Following the tour literally must not change a tracked file (it works on a copy)."""
    tour = [s for s in snippets("README.md") if s.section == "A 30-second tour"]
    assert tour and tour[0].language == "sh" and "mktemp -d" in tour[0].body and "cd " in tour[0].body
    later = "".join(s.body for s in tour[1:])
    assert "fixtures/" not in later, "a tour command after the copy names the repository's fixtures"


def test_the_user_facing_part_of_the_readme_says_nothing_of_the_test_machines() -> None:
    readme = (REPO / "README.md").read_text()
    for word in ("stand-in", "shared/e2e", "engine-up", r"(?<!go-)offline", "these machines", "test machines"):
        found = re.search(word, readme)
        assert found is None, f"README.md mentions {found.group(0)!r}: that belongs in CONTRIBUTING.md"


# --- the checkers can fail ----------------------------------------------------------------------------


def _one(language: str, body: str, section: str = "s") -> Snippet:
    return Snippet("DOC.md", 1, language, body, section, None)


@pytest.mark.parametrize(
    ("language", "body", "message"),
    [
        ("console", "$ stagify --version\nstagify 9.9.9\n", "printed"),
        ("console", "$ stagify convert --check nowhere\n...\n", "exit"),
        ("sh", "stagify convert --diff fixtures/no-such-case\n", "exit"),
        ("sh", "pip install -e '.[no-such-extra]'\n", "no extra"),
        ("sh", "python -m pytest -m 'not e2e and not nightly'\n", "no such pytest marker"),
        ("sh", "for x in; do\n", "not valid shell"),
        ("toml", 'runtim = "distroless"\n', "unknown key"),
        ("toml", 'runtime = "windows"\n', "runtime"),
        ("yaml", "repos:\n  - repo: x\n    rev: v1\n    hooks:\n      - id: stagify-lint\n", "no hook"),
        ("yaml", "- run: stagify convert --check --runtime windows .\n", "exit"),
        ("yaml", "job:\n  script: stagify convert --format gitlab . > q.json\n  artifacts: {reports: {codequality: r.json}}\n",
         "r.json"),
        ("python", "from stagify import convert, Options, RuntimeChoice\nOptions(runtime=RuntimeChoice.WINDOWS)\n", "exit"),
        ("", "stagify/no-such-module.py   the module\n", "does not exist"),
        ("", "stagify frobnicate [PATH]   a command\n", "frobnicate"),
        ("", "stagify --frobnicate        an option\n", "frobnicate"),
        ("ini", "[x]\n", "no checker"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_a_broken_snippet_fails(language: str, body: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(Exception, match=message):  # an assertion, a parse or a settings error alike
        check(_one(language, body), Workspace(tmp_path))


def test_a_block_marked_not_run_is_counted_and_still_syntax_checked(tmp_path: Path) -> None:
    text = "## S\n\n<!-- not run: clones repositories that do not exist -->\n```sh\ngit clone x\n```\n"
    (found,) = snippets("DOC.md", text)
    assert found.not_run == "clones repositories that do not exist"
    assert check(found, Workspace(tmp_path / "a")) == "not run"
    broken = snippets("DOC.md", text.replace("git clone x", "if then"))[0]
    with pytest.raises(AssertionError, match="not valid shell"):
        check(broken, Workspace(tmp_path / "b"))


def test_a_cd_in_one_block_holds_for_the_next_block_of_its_section(tmp_path: Path) -> None:
    work = Workspace(tmp_path)
    check(_one("sh", "mkdir -p there && cd there\n"), work)
    assert check(_one("console", "$ basename \"$PWD\"\nthere\n"), work) == "run"


def test_expected_output_may_skip_lines_with_an_ellipsis() -> None:
    assert matches("a\n...\nd", "a\nb\nc\nd")
    assert matches("a\n...\nd", "a\nd")
    assert not matches("a\n...\nd", "a\nb\nc")
    assert not matches("a\nb", "a\nb\nc")
