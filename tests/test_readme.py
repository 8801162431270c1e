"""The README's promises: its example is the real output, and its first two lines are commands."""

from __future__ import annotations

import re

from .helpers import FIXTURES, REPO

README = (REPO / "README.md").read_text()


def test_the_readme_example_is_the_bundled_fixture_and_its_golden() -> None:
    blocks = re.findall(r"```dockerfile\n(.*?)```", README, re.S)
    assert blocks[0] == (FIXTURES / "seed-001-go-api" / "Dockerfile").read_text()
    assert blocks[1] == (FIXTURES / "seed-001-go-api" / "expected.Dockerfile").read_text()


def test_the_readme_opens_with_the_install_and_test_commands() -> None:
    first = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first is not None and README.index(first.group(0)) < README.index("\n## ")
    commands = first.group(1).strip().splitlines()
    assert len(commands) == 2
    assert "pip install" in commands[0] and "stagify convert" in commands[0]
    assert "pip install" in commands[1] and "pytest" in commands[1]


def test_the_ci_script_runs_the_readme_commands() -> None:
    script = (REPO / ".ci" / "run").read_text()
    first = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first is not None
    for command in first.group(1).strip().splitlines():
        for part in command.split(" && "):
            assert part.strip() in script, part
