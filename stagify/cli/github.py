"""GitHub Actions workflow commands: one ``::warning file=...,line=...,title=STG001::message`` line per finding.

A job that prints these lines gets each finding as an annotation on the file and line in the
pull request. Paths are relative to the working folder (the checkout, in a workflow); a finding
knows no column, so ``col`` is left out rather than guessed. Escaping follows GitHub's runner
(https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts): the message
escapes ``%``, ``\\r`` and ``\\n``, property values also ``:`` and ``,``.
"""

from __future__ import annotations

from pathlib import Path

from .sarif import Finding, level_of, relative

# SARIF's levels as the runner's commands.
_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """A message, escaped as the runner reads it back."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (file, title), escaped as the runner reads it back."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings: list[Finding], base: Path | None = None) -> str:
    """One workflow command per finding, each on its own line ("" when there is none)."""
    lines = []
    for finding in findings:
        properties = [f"file={escape_property(relative(finding.path, base))}"]
        if finding.line is not None:
            properties.append(f"line={finding.line}")
        properties.append(f"title={escape_property(finding.rule)}")
        lines.append(f"::{_COMMAND[level_of(finding)]} {','.join(properties)}::{escape_data(finding.message)}\n")
    return "".join(lines)
