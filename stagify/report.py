"""Text and JSON renderings of an outcome: --explain, --json and `stagify detect`. Builds strings only."""

from __future__ import annotations

from typing import Any

from .api import Outcome
from .detect import Detection
from .stageplan import Note
from .verify import Report, Side


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


def _megabytes(size: int | None) -> str:
    return f"{size / 1e6:.1f} MB" if size is not None else "-"


def _seconds(value: float | None) -> str:
    return f"{value:.1f} s" if value is not None else "-"


def _user(side: Side) -> str:
    user = side.user or "root"
    return f"{user} (uid {side.uid})" if side.uid is not None else user


def verify_rows(report: Report) -> list[tuple[str, str, str, str]]:
    """The verify table: (measure, original, converted, comment) rows."""
    before, after = report.original, report.converted
    saved = report.smaller_by
    rows = [
        ("image size", _megabytes(before.size), _megabytes(after.size), f"{saved * 100:.1f} % smaller" if saved is not None else ""),
        ("layers", str(before.layers or "-"), str(after.layers or "-"), ""),
        ("user", _user(before), _user(after), "root!" if any(p.startswith("the converted image runs as root") for p in report.problems) else ""),
        ("build", _seconds(before.build_seconds), _seconds(after.build_seconds) if after.built else "failed", ""),
    ]
    if report.changed_file:
        rows.append(("rebuild after a one-line change", _seconds(before.rebuild_seconds), _seconds(after.rebuild_seconds),
                     report.changed_file))
    for old, new in zip(before.answers, after.answers, strict=False):
        same = (old.status, old.body) == (new.status, new.body)
        rows.append((old.check, _answer(old.status, old.body), _answer(new.status, new.body), "same" if same else "DIFFERENT"))
    return rows


def _answer(status: int, body: str) -> str:
    text = " ".join(body.split())
    return f"{status} {text[:40]}{'...' if len(text) > 40 else ''}"


def verify_json(report: Report) -> dict[str, Any]:
    def side(s: Side) -> dict[str, Any]:
        return {
            "tag": s.tag,
            "built": s.built,
            "build_seconds": s.build_seconds,
            "rebuild_seconds": s.rebuild_seconds,
            "size_bytes": s.size,
            "layers": s.layers,
            "user": s.user,
            "uid": s.uid,
            "answers": [{"check": a.check, "status": a.status, "body": a.body} for a in s.answers],
            "error": s.error,
        }

    return {
        "verified": report.ok,
        "same_behaviour": report.same_behaviour,
        "smaller_by": report.smaller_by,
        "changed_file": report.changed_file,
        "original": side(report.original),
        "converted": side(report.converted),
        "problems": list(report.problems),
        "remarks": list(report.remarks),
    }
