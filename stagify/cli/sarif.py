"""SARIF 2.1.0 logs, for code-scanning dashboards: one result per finding, with file and line.

Findings come from ``convert`` (outcomes) and ``migrate`` (file results) through one
neutral :class:`Finding`, so both commands write the same rules the same way. A
single-stage finding carries the conversion as a SARIF fix (the whole file replaced),
which viewers that apply fixes can offer as a one-click change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..dockerfile.rules import BY_CODE, RULES, Rule, tagged
from ..dockerfile.secrets import redact
from ..patterns import Pattern

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


_BY_ID = BY_CODE


@dataclass(frozen=True)
class Finding:
    """One result: a rule broken at a file's line."""

    rule: str  # a Rule id
    path: str
    line: int | None
    message: str
    level: str | None = None  # None: the rule's default
    fix: tuple[str, str] | None = None  # (original text, converted text) for a whole-file fix
    column: int | None = None  # 1-based, where the instruction starts
    properties: tuple[tuple[str, Any], ...] = ()  # the result's property bag (e.g. the size estimate)


def log(findings: list[Finding], *, ok: bool = True, base: Path | None = None) -> dict[str, Any]:
    """The SARIF log: one run of stagify, every finding a result."""
    base = (base or Path.cwd()).resolve()
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "stagify", "version": __version__, "semanticVersion": __version__,
                                    "rules": [_rule_json(r) for r in RULES]}},
                "originalUriBaseIds": {"SRCROOT": {"uri": base.as_uri() + "/"}},
                "invocations": [{"executionSuccessful": ok}],
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, base) for f in findings],
            }
        ],
    }


def _rule_json(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation},
        "defaultConfiguration": {"level": rule.level},
        "help": {"text": rule.explanation},
    }


def _result(finding: Finding, base: Path) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": _artifact(finding.path, base)}
    if finding.line is not None:
        location["region"] = {"startLine": finding.line}
        if finding.column is not None:
            location["region"]["startColumn"] = finding.column
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": RULES.index(_BY_ID[finding.rule]),
        "level": level_of(finding),
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": location}],
    }
    if finding.properties:
        result["properties"] = dict(finding.properties)
    if finding.fix is not None:
        before, after = finding.fix
        result["fixes"] = [{
            "description": {"text": "Convert to a multi-stage Dockerfile (stagify convert --write)"},
            "artifactChanges": [{
                "artifactLocation": _artifact(finding.path, base),
                "replacements": [{"deletedRegion": {"charOffset": 0, "charLength": len(before)}, "insertedContent": {"text": redact(after)}}],
            }],
        }]
    return result


def _artifact(path: str, base: Path) -> dict[str, Any]:
    """A path relative to the run's folder when it is inside it (what dashboards match), else absolute."""
    if path in ("stdin", "-"):
        return {"uri": "stdin"}
    shown = relative(path, base)
    return {"uri": shown, "uriBaseId": "SRCROOT"} if not Path(shown).is_absolute() else {"uri": Path(shown).as_uri()}


def relative(path: str, base: Path | None = None) -> str:
    """A finding's path as CI tools match it: relative to ``base`` (the working folder) when inside it, else absolute."""
    if path in ("stdin", "-"):
        return "stdin"
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to((base or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def level_of(finding: Finding) -> str:
    """The finding's level: its own, else its rule's default ("error", "warning" or "note")."""
    return finding.level or _BY_ID[finding.rule].level


def rule(rule_id: str) -> Rule:
    """The rule with this id."""
    return _BY_ID[rule_id]


_FROM = Pattern(r"^\s*FROM\s", re.I | re.M)
_NOTE = Pattern(r"^(?P<path>.*?)(?::(?P<line>\d+)(?::(?P<column>\d+))?)?: (?:(?P<code>STG\d{3}) |(?:warning|info|error): )?(?P<message>.*)$", re.S)


def from_line(text: str) -> int | None:
    """The line of the first FROM: where a single-stage finding points."""
    found = _FROM.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else None


rule_of = tagged


def parse_finding(text: str) -> tuple[str, int | None, int | None, str | None, str]:
    """A finding line's path, line, column, code (None for an older ``level:`` line) and message."""
    found = _NOTE.match(text)
    if found is None:  # pragma: no cover - every line stagify writes has this shape
        return "", None, None, None, text
    line, col = found.group("line"), found.group("column")
    return (found.group("path"), int(line) if line else None, int(col) if col else None, found.group("code"),
            found.group("message"))


def display_name(language: str) -> str:
    """How the language module names its language (Go, Node.js, Python, Java)."""
    from ..languages import detector

    return detector(language).display


def single_stage_message(language: str | None, before: tuple[str, ...], after: tuple[str, ...]) -> str:
    what = f"single-stage {display_name(language)} Dockerfile" if language else "single-stage Dockerfile"
    built = f" builds and runs in {before[0]}" if before else ""
    into = f"; stagify converts it to a builder ({after[0]}) and a runtime ({after[-1]})" if len(after) > 1 else ""
    return f"{what}{built}: the image ships the build toolchain{into}"
