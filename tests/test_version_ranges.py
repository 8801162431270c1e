"""Version ranges read by the projects' own rules: requires-python through packaging, engines.node and
.nvmrc through npm's semver; a floating FROM follows them; a range nothing satisfies fails at its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stagify import Outcome, Status, convert
from stagify.images.ranges import RangeError, node_alias, node_allows, python_allows

NODE_SERVER = "require('http').createServer((q, s) => s.end('ok')).listen(3000)\n"
PY_APP = "import http.server\nhttp.server.HTTPServer(('', 8000), http.server.SimpleHTTPRequestHandler).serve_forever()\n"


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).write_text(text)


def node(tmp_path: Path, image: str, engines: str | None = None, extra: dict[str, str] | None = None) -> Outcome:
    package: dict[str, object] = {"name": "app", "version": "1.0.0", "main": "server.js", "scripts": {"start": "node server.js"}}
    if engines is not None:
        package["engines"] = {"node": engines}
    _write(tmp_path, {"package.json": json.dumps(package, indent=2), "package-lock.json": "{}", "server.js": NODE_SERVER, **(extra or {})})
    dockerfile = f"FROM {image}\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n"
    return convert(dockerfile, context=tmp_path, path=str(tmp_path / "Dockerfile"))


def python(tmp_path: Path, image: str, requires: str | None, poetry: bool = False) -> Outcome:
    if poetry:
        pyproject = f"[tool.poetry]\nname = 'app'\n\n[tool.poetry.dependencies]\npython = '{requires}'\n"
    else:
        pyproject = "[project]\nname = 'app'\nversion = '1.0'\n" + (f"requires-python = '{requires}'\n" if requires else "")
    _write(tmp_path, {"pyproject.toml": pyproject, "app.py": PY_APP, "requirements.txt": "requests\n"})
    dockerfile = f"FROM {image}\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
    return convert(dockerfile, context=tmp_path, path=str(tmp_path / "Dockerfile"))


def version_of(outcome: Outcome) -> str:
    assert outcome.detection is not None, outcome.error
    return outcome.detection.version or ""


# -- Python: PEP 440 through packaging ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("requires", "expected"),
    [
        ("~=3.10.0", "3.10"),  # ==3.10.*: the hand-written reader took it for >=3.10
        ("!=3.14.*", "3.13"),  # an exclusion counts
        (">=3.10,!=3.14.*", "3.13"),
        ("<=3.11", "3.10"),  # <=3.11 is <=3.11.0: the catalogue's 3.11.13 does not satisfy it, as pip would refuse it
        (">=3.9, <3.12", "3.11"),
        (">= 3.8", "3.14"),
        ("==3.12.*", "3.12"),
    ],
)
def test_a_floating_python_tag_pins_the_newest_python_requires_python_allows(tmp_path: Path, requires: str, expected: str) -> None:
    assert version_of(python(tmp_path, "python:3", requires)) == expected


@pytest.mark.parametrize(("constraint", "expected"), [("^3.10", "3.14"), ("~3.11", "3.11"), ("3.12", "3.12"), (">=3.9,<3.11 || ^3.12", "3.14")])
def test_poetry_constraints_are_read_as_poetry_writes_them(tmp_path: Path, constraint: str, expected: str) -> None:
    assert version_of(python(tmp_path, "python", constraint, poetry=True)) == expected


def test_requires_python_decides_without_a_python_image(tmp_path: Path) -> None:
    outcome = python(tmp_path, "debian:12", "~=3.11.0")
    assert outcome.detection is None or version_of(outcome) == "3.11"


def test_a_versioned_python_tag_wins_over_requires_python(tmp_path: Path) -> None:
    assert version_of(python(tmp_path, "python:3.9-slim", ">=4")) == "3.9"  # the range is not read: the image decides


@pytest.mark.parametrize(("requires", "message"), [(">=4.0", "no Python in the catalogue satisfies it"),
                                                    (">=3.x", "not a PEP 440 version specifier")])
def test_a_requires_python_nothing_satisfies_fails_at_its_line(tmp_path: Path, requires: str, message: str) -> None:
    outcome = python(tmp_path, "python:3-slim", requires)
    assert outcome.status is Status.FAILED and outcome.error is not None
    assert outcome.error.path == str(tmp_path / "pyproject.toml") and outcome.error.line == 4
    assert message in outcome.error.message and requires in outcome.error.message
    assert str(outcome.error).startswith(f"{tmp_path / 'pyproject.toml'}:4: ")


# -- Node: npm semver through node-semver -------------------------------------------------------------


@pytest.mark.parametrize("image", ["node", "node:latest", "node:lts", "node:current", "node:alpine", "node:lts-slim"])
@pytest.mark.parametrize(("engines", "expected"), [("^20.0.0", "20"), (">=18 <21", "20"), ("20.x", "20"), ("^18 || ^22", "22"),
                                                   ("18 - 20", "20"), ("~24.12", "24")])
def test_a_floating_or_alias_node_tag_follows_engines_node(tmp_path: Path, image: str, engines: str, expected: str) -> None:
    assert version_of(node(tmp_path, image, engines)) == expected


def test_an_alias_node_tag_without_engines_is_the_newest(tmp_path: Path) -> None:
    assert version_of(node(tmp_path, "node:lts")) == "26"
    assert "the newest LTS Node" in (node(tmp_path, "node:lts").detection.version_source or "")  # type: ignore[union-attr]


@pytest.mark.parametrize(("nvmrc", "expected"), [("lts/*", "26"), ("lts/iron", "20"), ("lts/Hydrogen", "18"), ("jod", "22"),
                                                 ("v20.11.1", "20"), ("22", "22"), ("^18", "18"), (">=16 <19", "18"), ("node", "26")])
def test_nvmrc_aliases_versions_and_ranges(tmp_path: Path, nvmrc: str, expected: str) -> None:
    assert version_of(node(tmp_path, "debian:12", None, {".nvmrc": nvmrc + "\n"})) == expected


def test_a_versioned_node_tag_wins_over_engines_nothing_satisfies(tmp_path: Path) -> None:
    assert version_of(node(tmp_path, "node:22-slim", "^30")) == "22"


@pytest.mark.parametrize(("engines", "message"), [("^30", "no Node release in the catalogue satisfies it"),
                                                  ("~20.1", "no Node release in the catalogue satisfies it"),
                                                  ("not a range", "not an npm version range")])
def test_engines_node_nothing_satisfies_fails_at_its_line(tmp_path: Path, engines: str, message: str) -> None:
    outcome = node(tmp_path, "node", engines)
    assert outcome.status is Status.FAILED and outcome.error is not None
    text = (tmp_path / "package.json").read_text().splitlines()
    assert outcome.error.path == str(tmp_path / "package.json")
    assert outcome.error.line is not None and '"node"' in text[outcome.error.line - 1]
    assert message in outcome.error.message and engines in outcome.error.message
    if "satisfies" in message:
        assert "FROM node:26" in outcome.error.message and "20.19.6" in outcome.error.message  # what to do, what there is


def test_an_nvmrc_range_nothing_satisfies_fails_at_the_nvmrc(tmp_path: Path) -> None:
    outcome = node(tmp_path, "debian:12", None, {".nvmrc": ">=40\n"})
    assert outcome.status is Status.FAILED and outcome.error is not None
    assert (outcome.error.path, outcome.error.line) == (str(tmp_path / ".nvmrc"), 1)


# -- the readers themselves ---------------------------------------------------------------------------


def test_python_ranges_are_checked_against_exact_releases() -> None:
    assert python_allows("~=3.10.0", "3.10.18") and not python_allows("~=3.10.0", "3.11.13")
    assert not python_allows("!=3.14.*", "3.14.0")
    with pytest.raises(RangeError):
        python_allows("three", "3.10.18")


def test_node_ranges_are_checked_against_exact_releases() -> None:
    assert node_allows("^20.0.0", "20.19.6") and not node_allows("^20.0.0", "22.23.2")
    assert node_allows(">=18 <21", "18.20.8") and not node_allows(">=18 <21", "22.23.2")
    with pytest.raises(RangeError):
        node_allows("lts/*", "20.19.6")  # an alias, not a range: nvm's, read by node_alias


def test_node_aliases() -> None:
    assert (node_alias("lts/*"), node_alias("lts/iron"), node_alias("Krypton"), node_alias("current"), node_alias("20")) == \
        ("lts", "20", "24", "newest", None)
