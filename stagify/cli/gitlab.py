"""GitLab code quality reports: a JSON array of issues, shown in merge requests.

The fields GitLab reads (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format):
``description``, ``check_name``, ``fingerprint``, ``severity`` and ``location.path`` with
``location.lines.begin``; ``type`` and ``categories`` complete the Code Climate issue they come from.
GitLab compares fingerprints between the base and the merge request's report to tell new findings
from old ones, so a fingerprint must stay the same across runs: it hashes the rule, the path relative
to the working folder and the message with its line numbers taken out (a line added above a
finding moves it without making it new), plus the finding's rank among equal ones.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..patterns import Pattern
from .sarif import Finding, level_of, relative, rule

_SEVERITY = {"error": "major", "warning": "minor", "note": "info"}
# Code Climate's categories, by rule.
_CATEGORY = {"STG001": "Performance", "STG002": "Compatibility", "STG003": "Security", "STG004": "Bug Risk"}
_LINE_NUMBERS = Pattern(r"\b(line|lines)\s+\d+(?:\s*(?:-|to|and)\s*\d+)?|:\d+\b")


def fingerprint(rule_id: str, path: str, message: str, rank: int) -> str:
    """The stable identity of a finding: the same finding in the next run has the same one."""
    stable = _LINE_NUMBERS.sub(lambda m: m.group(1) or "", message)
    return hashlib.sha256("\0".join((rule_id, path, stable, str(rank))).encode()).hexdigest()


def issues(findings: list[Finding], base: Path | None = None) -> list[dict[str, Any]]:
    """The report's issues, in the findings' order."""
    out = []
    seen: dict[tuple[str, str, str], int] = {}
    for finding in findings:
        path = relative(finding.path, base)
        key = (finding.rule, path, finding.message)
        seen[key] = seen.get(key, -1) + 1
        out.append({
            "type": "issue",
            "check_name": finding.rule,
            "description": f"{finding.message} ({finding.rule} {rule(finding.rule).name})",
            "categories": [_CATEGORY.get(finding.rule, "Bug Risk")],
            "severity": _SEVERITY[level_of(finding)],
            "fingerprint": fingerprint(finding.rule, path, finding.message, seen[key]),
            "location": {"path": path, "lines": {"begin": finding.line or 1}},
        })
    return out


def render(findings: list[Finding], base: Path | None = None) -> str:
    """The report as GitLab reads it: a JSON array (empty when nothing was found)."""
    return json.dumps(issues(findings, base), indent=2) + "\n"
