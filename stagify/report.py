"""Text and JSON renderings of an outcome: --explain, --json and `stagify detect`. Builds strings only."""

from __future__ import annotations

from typing import Any

from .api import Outcome
from .detect import Detection
from .stageplan import Note


def note_line(path: str, note: Note) -> str:
    where = f"{path}:{note.line}" if note.line is not None else path
    return f"{where}: {note.level.value}: {note.message}"


def explain(outcome: Outcome) -> str:
    """Each original instruction with its placement and reason, in file order."""
    rows = []
    for decision in outcome.decisions:
        ins = decision.instruction
        first = ins.raw.split("\n", 1)[0].strip()
        if len(first) > 60:
            first = first[:57] + "..."
        rows.append((f"{outcome.path}:{ins.line}", first, decision.placement.value, decision.reason))
    if not rows:
        return ""
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    return "\n".join(f"{a:<{w0}}  {b:<{w1}}  {c:<{w2}}  {d}" for a, b, c, d in rows) + "\n"


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "path": outcome.path,
        "status": outcome.status.value,
        "language": outcome.language,
        "changed": outcome.changed,
        "reason": outcome.reason,
        "dockerfile": outcome.dockerfile,
        "dockerignore": outcome.dockerignore,
        "notes": [{"line": n.line, "level": n.level.value, "message": n.message} for n in outcome.notes],
        "placements": [
            {
                "line": d.instruction.line,
                "instruction": d.instruction.keyword.value,
                "placement": d.placement.value,
                "reason": d.reason,
            }
            for d in outcome.decisions
        ],
        "error": None
        if outcome.error is None
        else {"line": outcome.error.line, "message": outcome.error.message},
        "detection": detection_json(outcome.detection) if outcome.detection else None,
    }


def detection_json(d: Detection) -> dict[str, Any]:
    return {
        "language": d.language,
        "version": d.version,
        "version_source": d.version_source,
        "tool": d.tool,
        "entrypoint": d.entrypoint,
        "evidence": [{"source": e.source, "fact": e.fact} for e in d.evidence],
        "facts": _facts_json(d.facts),
    }


def _facts_json(facts: object) -> Any:
    from dataclasses import fields, is_dataclass

    if is_dataclass(facts) and not isinstance(facts, type):
        return {f.name: _facts_json(getattr(facts, f.name)) for f in fields(facts)}
    if isinstance(facts, (list, tuple)):
        return [_facts_json(v) for v in facts]
    return facts


def detection_text(d: Detection) -> str:
    lines = [
        f"language:   {d.display}",
        f"version:    {d.version or '?'}" + (f"  (from {d.version_source})" if d.version_source else ""),
        f"build tool: {d.tool or '?'}",
        f"entrypoint: {d.entrypoint or '?'}",
        "evidence:",
    ]
    lines += [f"  {e.source}: {e.fact}" for e in d.evidence]
    facts = _facts_json(d.facts)
    if isinstance(facts, dict):
        shown = {k: v for k, v in facts.items() if v not in (None, "", [], False)}
        if shown:
            lines.append("found:")
            lines += [f"  {key.replace('_', ' ')}: {_fact_text(value)}" for key, value in shown.items()]
    return "\n".join(lines) + "\n"


def _fact_text(value: Any) -> str:
    if isinstance(value, list):
        if value and all(isinstance(v, list) and len(v) == 2 for v in value):
            return "; ".join(f"{a} ({b})" if b else str(a) for a, b in value)
        return "; ".join(_fact_text(v) for v in value) or "-"
    if value is True:
        return "yes"
    return str(value)
