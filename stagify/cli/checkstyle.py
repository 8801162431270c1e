"""Checkstyle XML, the report format Jenkins, reviewdog, Bitbucket and many CI tools read.

One ``<file>`` per Dockerfile checked (an empty one when nothing was found in it, as checkstyle
itself writes) and one ``<error>`` per finding, its ``source`` the rule (``stagify.STG001``).
Built with xml.etree, so quoting is the library's; characters XML 1.0 cannot hold (control
characters from a hostile file name or message) are written as ``\\xNN`` instead.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

from ..patterns import Pattern
from .sarif import Finding, level_of, relative

_SEVERITY = {"error": "error", "warning": "warning", "note": "info"}
# What XML 1.0 cannot carry even escaped: C0 controls but tab, newline and carriage return, lone surrogates, U+FFFE/F.
_NOT_XML = Pattern("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", value)


def render(findings: list[Finding], files: Iterable[str] = (), base: Path | None = None) -> str:
    """The report: every file in ``files`` (and every file a finding names), in that order."""
    root = ET.Element("checkstyle", version="4.3")
    by_file: dict[str, ET.Element] = {}
    for path in [*files, *(f.path for f in findings)]:
        shown = relative(path, base)
        if shown not in by_file:
            by_file[shown] = ET.SubElement(root, "file", name=_text(shown))
    for finding in findings:
        error = ET.SubElement(by_file[relative(finding.path, base)], "error")
        if finding.line is not None:
            error.set("line", str(finding.line))
        error.set("severity", _SEVERITY[level_of(finding)])
        error.set("message", _text(finding.message))
        error.set("source", f"stagify.{finding.rule}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
