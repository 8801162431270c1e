"""CI report formats: GitHub annotations, GitLab code quality and checkstyle XML, from the same findings as SARIF."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from stagify.cli import checkstyle, github, gitlab
from stagify.cli.sarif import Finding
from tests.test_cli import stagify
from tests.test_formats import tree  # noqa: F401 - the fixture: four Dockerfiles, one broken, one with a secret

# What GitLab reads of a code quality report (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format).
GITLAB_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "pattern": "^STG[0-9]{3}$"},
            "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "type": {"const": "issue"},
            "categories": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "pattern": "^[^/]"},  # relative to the repository
                    "lines": {"type": "object", "required": ["begin"], "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}

_COMMAND = re.compile(r"^::(?P<level>error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def _unescape(text: str, prop: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else []) + [("%25", "%")]
    for code, char in pairs:
        text = text.replace(code, char)
    return text


def annotations(text: str) -> list[dict[str, str]]:
    """The workflow commands, read back the way the runner reads them."""
    out = []
    for line in text.splitlines():
        found = _COMMAND.match(line)
        assert found, f"not a workflow command: {line!r}"
        props = dict(p.split("=", 1) for p in found.group("props").split(","))
        out.append({"level": found.group("level"), "message": _unescape(found.group("message"), False),
                    **{k: _unescape(v, True) for k, v in props.items()}})
    return out


AWKWARD = Finding("STG003", "odd, name:1/Dockerfile", 3, "100% sure:\r\nline two, with a comma: and a colon")


def test_github_escapes_what_the_runner_unescapes(tmp_path: Path) -> None:
    text = github.render([AWKWARD], base=Path("."))
    assert text.count("\n") == 1  # one command, whatever the message holds
    assert "%25" in text and "%0D%0A" in text and "odd%2C name%3A1/Dockerfile" in text
    [found] = annotations(text)
    assert found == {"level": "warning", "message": AWKWARD.message, "file": "odd, name:1/Dockerfile", "line": "3", "title": "STG003"}


def test_github_levels_and_a_finding_without_a_line() -> None:
    text = github.render([Finding("STG002", "a/Dockerfile", None, "cannot read"), Finding("STG001", "b/Dockerfile", 2, "x", level="note")])
    assert [(a["level"], "line" in a) for a in annotations(text)] == [("error", False), ("notice", True)]
    assert github.render([]) == ""


def test_convert_github_annotations(tree: Path) -> None:  # noqa: F811
    run = stagify("convert", "--check", "--format", "github", "api", "done", "broken", "secret", cwd=tree)
    assert run.code == 3, run.err
    found = {(a["title"], a["file"], a.get("line"), a["level"]) for a in annotations(run.out)}
    assert found == {("STG001", "api/Dockerfile", "2", "warning"), ("STG001", "secret/Dockerfile", "2", "warning"),
                     ("STG002", "broken/Dockerfile", "2", "error"), ("STG003", "secret/Dockerfile", "3", "warning")}
    assert "ghp_0123456789" not in run.out


def test_gitlab_report_has_the_fields_gitlab_reads(tree: Path) -> None:  # noqa: F811
    run = stagify("convert", "--check", "--format", "gitlab", "api", "done", "broken", "secret", cwd=tree)
    assert run.code == 3, run.err
    report = json.loads(run.out)
    jsonschema.validate(report, GITLAB_SCHEMA)
    assert {(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"], i["severity"]) for i in report} == {
        ("STG001", "api/Dockerfile", 2, "minor"), ("STG001", "secret/Dockerfile", 2, "minor"),
        ("STG002", "broken/Dockerfile", 2, "major"), ("STG003", "secret/Dockerfile", 3, "minor")}
    assert len({i["fingerprint"] for i in report}) == len(report)  # GitLab keys issues by fingerprint


def test_gitlab_fingerprints_are_stable(tree: Path) -> None:  # noqa: F811
    first = json.loads(stagify("convert", "--format", "gitlab", "secret", cwd=tree).out)
    again = json.loads(stagify("convert", "--format", "gitlab", "secret", cwd=tree).out)
    assert [i["fingerprint"] for i in first] == [i["fingerprint"] for i in again]
    dockerfile = tree / "secret" / "Dockerfile"
    dockerfile.write_text("# a comment moves every line down\n" + dockerfile.read_text())
    moved = json.loads(stagify("convert", "--format", "gitlab", "secret", cwd=tree).out)
    secret = [i for i in moved if i["check_name"] == "STG003"]
    assert secret[0]["location"]["lines"]["begin"] == 4
    assert secret[0]["fingerprint"] == next(i["fingerprint"] for i in first if i["check_name"] == "STG003")


def test_gitlab_equal_findings_get_distinct_fingerprints() -> None:
    same = Finding("STG003", "Dockerfile", 3, "a secret")
    report = gitlab.issues([same, same])
    assert report[0]["fingerprint"] != report[1]["fingerprint"]
    assert gitlab.issues([same])[0]["fingerprint"] == report[0]["fingerprint"]
    assert json.loads(gitlab.render([])) == []


def test_checkstyle_parses_and_lists_every_file(tree: Path) -> None:  # noqa: F811
    run = stagify("convert", "--check", "--format", "checkstyle", "api", "done", "broken", "secret", cwd=tree)
    assert run.code == 3, run.err
    root = ET.fromstring(run.out)
    assert root.tag == "checkstyle"
    files = {f.get("name"): [(e.get("line"), e.get("severity"), e.get("source")) for e in f] for f in root.iter("file")}
    assert files == {
        "api/Dockerfile": [("2", "warning", "stagify.STG001")],
        "done/Dockerfile": [],  # checked, nothing found
        "broken/Dockerfile": [("2", "error", "stagify.STG002")],
        "secret/Dockerfile": [("2", "warning", "stagify.STG001"), ("3", "warning", "stagify.STG003")],
    }


def test_checkstyle_keeps_markup_and_control_characters_well_formed() -> None:
    message = 'a <tag> & "quotes"\x01 and\ttabs'
    text = checkstyle.render([Finding("STG002", "a&b/Dockerfile", None, message)], files=["a&b/Dockerfile"])
    root = ET.fromstring(text)
    [error] = list(root.iter("error"))
    assert error.get("message") == 'a <tag> & "quotes"\\x01 and\ttabs' and error.get("line") is None
    assert [f.get("name") for f in root.iter("file")] == ["a&b/Dockerfile"]


@pytest.mark.parametrize("fmt", ["github", "gitlab", "checkstyle"])
def test_ci_formats_write_nothing(tree: Path, fmt: str) -> None:  # noqa: F811
    run = stagify("convert", "--write", "--format", fmt, "api", cwd=tree)
    assert run.code == 2 and f"--format {fmt} reports and writes nothing" in run.err


def test_verify_refuses_the_ci_formats(tree: Path) -> None:  # noqa: F811
    run = stagify("verify", "--format", "gitlab", "api", cwd=tree)
    assert run.code == 2 and "gitlab is for convert --check and migrate --check" in run.err


@pytest.mark.parametrize("fmt", ["github", "gitlab", "checkstyle"])
def test_migrate_reports_the_same_findings(tree: Path, fmt: str) -> None:  # noqa: F811
    run = stagify("migrate", "--check", "--format", fmt, ".", cwd=tree)
    assert run.code == 3, run.err  # broken/ fails
    if fmt == "github":
        rules = sorted(a["title"] for a in annotations(run.out))
    elif fmt == "gitlab":
        report = json.loads(run.out)
        jsonschema.validate(report, GITLAB_SCHEMA)
        rules = sorted(i["check_name"] for i in report)
    else:
        rules = sorted(str(e.get("source")).removeprefix("stagify.") for e in ET.fromstring(run.out).iter("error"))
    assert rules == ["STG001", "STG001", "STG002", "STG003"]
