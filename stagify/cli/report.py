"""Text and JSON renderings of an outcome: --explain, --json and `stagify detect`. Builds strings only."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api import Outcome, Status
from ..dockerfile.rules import BY_CODE, column, failure, note_code, tagged
from ..dockerfile.secrets import redact
from ..languages.detection import Detection
from ..plan.summary import bases

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..fleet.migrate import Applied, FileResult
    from ..fleet.migraterun import Fleet
    from ..fleet.verify import Report, Side
    from ..images.catalogue import BaseImage
    from .sarif import Finding


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


def failure_line(outcome: Outcome) -> str:
    """A failed conversion as one line: a finding at its line (STG002, STG004, STG005), or stagify's own error."""
    error = outcome.error
    if error is None:  # pragma: no cover - a failed outcome always says why
        return f"error: {outcome.path}: cannot convert"
    return failure(outcome.path, outcome.original, error.path, error.line, error.message, error.internal)


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "path": outcome.path,
        "status": outcome.status.value,
        "language": outcome.language,
        "changed": outcome.changed,
        "reason": outcome.reason,
        "dockerfile": redact(outcome.dockerfile) if outcome.dockerfile is not None else None,
        "dockerignore": outcome.dockerignore,
        "skip": outcome.skip.value if outcome.skip is not None else None,
        "notes": [{"code": note_code(n), "line": n.line, "column": column(outcome.original, n.line), "level": n.level.value,
                   "kind": n.kind, "message": n.message} for n in outcome.notes],
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
        else {"code": None if outcome.error.internal else tagged(outcome.error.message, "STG002"), "line": outcome.error.line,
              "column": column(outcome.original, outcome.error.line) if outcome.error.path == outcome.path else None,
              "message": outcome.error.message},
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
        ("user", _user(before), _user(after) if after.built else "-",
         "root!" if any(p.startswith("the converted image runs as root") for p in report.problems) else ""),
        ("build", _seconds(before.build_seconds), _seconds(after.build_seconds) if after.built else "failed", ""),
    ]
    if report.changed_file:
        rows.append(("rebuild after a one-line change", _seconds(before.rebuild_seconds), _seconds(after.rebuild_seconds),
                     report.changed_file))
        if before.rebuild_steps or after.rebuild_steps:
            rows.append(("steps the rebuild took from the cache", _cached(before), _cached(after), ""))
    for old, new in zip(before.answers, after.answers, strict=False):
        same = (old.status, old.body) == (new.status, new.body)
        rows.append((old.check, _answer(old.status, old.body), _answer(new.status, new.body), "same" if same else "DIFFERENT"))
    return rows


def _cached(side: Side) -> str:
    return f"{sum(step.cached for step in side.rebuild_steps)} of {len(side.rebuild_steps)}" if side.rebuild_steps else "-"


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
            "rebuild_steps": [{"step": step.name, "cached": step.cached} for step in s.rebuild_steps],
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
        "files_left_behind": [{"path": a.path, "on_purpose": a.on_purpose, "reason": a.reason} for a in report.absent],
    }


# -- migrate ----------------------------------------------------------------------------------------


def totals(results: list[FileResult]) -> dict[str, dict[str, int]]:
    """Counts per outcome (converted, skipped, failed) and per detected language."""
    by_status: dict[str, int] = {"converted": 0, "skipped": 0, "failed": 0}
    by_language: dict[str, int] = {}
    for result in results:
        by_status[result.status] = by_status.get(result.status, 0) + 1
        if result.language:
            by_language[result.language] = by_language.get(result.language, 0) + 1
    return {"outcomes": by_status, "languages": dict(sorted(by_language.items()))}


def migrate_files(results: list[FileResult], applied: Applied | None = None, fleet: Fleet | None = None) -> list[dict[str, Any]]:
    """``migrate --format json``: one object per Dockerfile (a list, as every --format json is)."""
    written = {str(p) for p in applied.written} if applied is not None else set()
    rows = []
    for r in results:
        row: dict[str, Any] = {
            "dockerfile": str(r.dockerfile),
            "context": str(r.context),
            "repository": str(r.repo) if r.repo else None,
            "outcome": r.status,
            "changes": r.changes,
            "language": r.language,
            "reason": r.reason,
            "skip": r.skip,
            "error": r.error,
            "bases_before": list(r.bases_before),
            "bases_after": list(r.bases_after),
            "notes": list(r.notes),
            **({"verification": _verification_json(fleet, r)} if fleet is not None and fleet.verifications else {}),
        }
        if applied is not None:
            row["written"] = str(r.dockerfile) in written
        rows.append(row)
    return rows


def migrate_json(results: list[FileResult], applied: Applied | None = None, fleet: Fleet | None = None) -> dict[str, Any]:
    """``migrate --report FILE.json``: every file, the totals, what was written and committed, and verdicts."""
    data: dict[str, Any] = {"files": migrate_files(results, fleet=fleet), "totals": totals(results)}
    if applied is not None:
        data["written"] = [str(p) for p in applied.written]
        data["commits"] = {str(k): v for k, v in applied.commits.items()}
        data["refused"] = {str(k): v for k, v in applied.refused.items()}
        data["write_failures"] = list(applied.failed)
    if fleet is not None:
        if fleet.verifications:
            data["verdicts"] = verdict_counts(fleet)
            data["repositories"] = [{"repository": str(unit), "verdict": verdict, "reason": reason}
                                    for unit, verdict, reason in repository_verdicts(results, fleet)]
            data["not_written_unverified"] = {str(k): v for k, v in fleet.held_back.items()}
        if fleet.ci:
            data["ci"] = {str(k): {"files": [str(p) for p, _ in c.files], "skipped": c.skipped, "remarks": list(c.remarks)}
                          for k, c in fleet.ci.items()}
        if fleet.already_done:
            data["already_done"] = fleet.already_done
    return data


def _verification_json(fleet: Fleet, result: FileResult) -> dict[str, Any] | None:
    found = fleet.verifications.get(result.dockerfile)
    if found is None:
        return None
    return {"verdict": found.verdict.value, "reason": found.reason, "problems": list(found.problems),
            "seconds": round(found.seconds, 1), "original_bytes": found.original_size,
            "converted_bytes": found.converted_size}


def verdict_counts(fleet: Fleet) -> dict[str, int]:
    from ..fleet.migrateverify import Verdict

    counts = {v.value: 0 for v in Verdict}
    for found in fleet.verifications.values():
        counts[found.verdict.value] += 1
    return counts


def repository_verdicts(results: list[FileResult], fleet: Fleet) -> list[tuple[str, str, str]]:
    """Per repository: its worst verdict (the order of ``Verdict``, verified first) and the reason of that file."""
    from ..fleet.migrateverify import Verdict, unit_of

    order = [Verdict.VERIFIED, Verdict.SKIPPED, Verdict.DIFFERENT, Verdict.BUILD_FAILED]
    rows: dict[str, tuple[str, str, str]] = {}
    worst: dict[str, int] = {}
    for result in results:
        found = fleet.verifications.get(result.dockerfile)
        if found is None:
            continue
        unit = str(unit_of(result))
        rank = order.index(found.verdict)
        if unit not in worst or rank > worst[unit]:
            worst[unit] = rank
            reason = found.reason or ""
            if found.verdict is not Verdict.VERIFIED and len([r for r in results if str(unit_of(r)) == unit]) > 1:
                reason = f"{result.dockerfile.name}: {reason}"
            rows[unit] = (unit, found.verdict.value, reason)
    return list(rows.values())


def verdict_rows(results: list[FileResult], fleet: Fleet) -> list[tuple[str, str, str, str, str]]:
    """The terminal table of ``migrate --verify``: Dockerfile, verdict, size before and after, seconds, reason."""
    rows = []
    for result in results:
        found = fleet.verifications.get(result.dockerfile)
        if found is None:
            continue
        sizes = (f"{_megabytes(found.original_size)} -> {_megabytes(found.converted_size)}"
                 if found.original_size and found.converted_size else "")
        rows.append((str(result.dockerfile), found.verdict.value, sizes, _seconds(found.seconds) if found.seconds else "",
                     found.reason or ""))
    return rows


def migrate_state(result: FileResult, applied: Applied | None) -> str:
    """What happened to one Dockerfile, in the words the table and the summary use.

    "converted" only for a file written; a run that writes nothing (--check, a dry run) says
    "would convert", and a file --write could not write (a refused repository) "not written".
    """
    if result.status != "converted":
        return result.status  # skipped | failed
    if not result.changes:
        return "unchanged"
    if applied is None:
        return "would convert"
    written = {p.resolve() for p in applied.written}
    return "converted" if result.dockerfile.resolve() in written else "not written"


def migrate_summary(results: list[FileResult], applied: Applied | None = None) -> str:
    states: dict[str, int] = {}
    for result in results:
        state = migrate_state(result, applied)
        states[state] = states.get(state, 0) + 1
    order = ("would convert", "converted", "not written", "unchanged", "skipped", "failed")
    first = "converted" if applied is not None else "would convert"
    shown = [f"{states.get(k, 0)} {k}" for k in order if states.get(k) or k in (first, "skipped", "failed")]
    languages = ", ".join(f"{k} {n}" for k, n in totals(results)["languages"].items()) or "none"
    return f"{len(results)} Dockerfiles: {', '.join(shown)}; languages: {languages}"


MIGRATE_COLUMNS = ("repository", "Dockerfile", "status", "runtime", "notes")


def migrate_rows(results: list[FileResult], applied: Applied | None = None) -> list[tuple[str, ...]]:
    """migrate's table: one row per Dockerfile, grouped by repository (the group's first row names it).

    No column for the size change: the catalogue records no image sizes, and a guess would not be one.
    """
    from .sarif import parse_finding

    groups: dict[str, list[FileResult]] = {}
    for result in results:
        groups.setdefault(_shown(result.repo, Path.cwd()) if result.repo else "-", []).append(result)
    rows: list[tuple[str, ...]] = []
    for repo, members in groups.items():
        for index, result in enumerate(members):
            state = migrate_state(result, applied)
            if result.status == "failed" and result.error:
                _, line, _, code, message = parse_finding(result.error)
                said = f"{code} {message}" if code else message
                notes = f"line {line}: {said}" if line else said
            elif result.status == "skipped":
                notes = result.reason or ""
            else:
                notes = _note_counts(result)
                if state == "not written" and applied is not None and result.repo in applied.refused:
                    notes = "; ".join(filter(None, [applied.refused[result.repo], notes]))
            runtime = result.bases_after[-1] if result.status == "converted" and result.bases_after else ""
            rows.append((repo if index == 0 else "", _shown(result.dockerfile, result.repo or Path.cwd()), state, runtime, notes))
    return rows


def _shown(path: Path, base: Path) -> str:
    """A path relative to ``base`` when it is under it, else as given."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix() or "."
    except ValueError:
        return str(path)


def _note_counts(result: FileResult) -> str:
    """``2 warnings (1 secret), 1 info``: what the conversion noted, counted by its rules' levels."""
    from .sarif import parse_finding

    codes = [parse_finding(n)[3] for n in result.notes]
    infos = sum(1 for code in codes if code is not None and BY_CODE[code].level == "note")
    warnings = len(codes) - infos
    parts = []
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings > 1 else ''}" + (f" ({len(result.secrets)} secret{'s' if len(result.secrets) > 1 else ''})" if result.secrets else ""))
    if infos:
        parts.append(f"{infos} info")
    return ", ".join(parts)


def migrate_markdown(results: list[FileResult], applied: Applied | None = None, fleet: Fleet | None = None) -> str:
    """The migration report as Markdown: totals, one row per file, verdicts, then the notes and errors."""
    counts = totals(results)
    lines = ["# stagify migrate report", "", migrate_summary(results, applied), "", "| outcome | count |", "|---|---|"]
    lines += [f"| {k} | {n} |" for k, n in counts["outcomes"].items()]
    if counts["languages"]:
        lines += ["", "| language | converted |", "|---|---|"]
        lines += [f"| {k} | {n} |" for k, n in counts["languages"].items()]
    lines += ["", "## Files", "", "| Dockerfile | outcome | language | base before | bases after |", "|---|---|---|---|---|"]
    for r in results:
        detail = r.reason or (r.error.split(": ", 1)[-1] if r.error else "")
        outcome = r.status + (f": {_cell(detail)}" if detail else "")
        lines.append(f"| `{r.dockerfile}` | {outcome} | {r.language or ''} | {_cell(', '.join(r.bases_before))} | {_cell(', '.join(r.bases_after))} |")
    if fleet is not None and fleet.verifications:
        lines += ["", "## Verification", "", ", ".join(f"{n} {k}" for k, n in verdict_counts(fleet).items()), "",
                  "| repository | verdict | reason |", "|---|---|---|"]
        lines += [f"| `{unit}` | {verdict} | {_cell(reason)} |" for unit, verdict, reason in repository_verdicts(results, fleet)]
        lines += ["", "| Dockerfile | verdict | size | seconds | reason |", "|---|---|---|---|---|"]
        lines += [f"| `{a}` | {b} | {c} | {d} | {_cell(e)} |" for a, b, c, d, e in verdict_rows(results, fleet)]
    if fleet is not None and fleet.held_back:
        lines += ["", "## Not written: not verified", ""]
        lines += [f"- `{unit}`: {_cell(why)}" for unit, why in fleet.held_back.items()]
    if fleet is not None and fleet.ci:
        lines += ["", "## CI proof", ""]
        for unit, found in fleet.ci.items():
            added = ", ".join(f"`{p}`" for p, _ in found.files)
            lines.append(f"- `{unit}`: " + (f"not added: {_cell(found.skipped)}" if found.skipped else f"added {added}")
                         + "".join(f"; {_cell(r)}" for r in found.remarks))
    if fleet is not None and fleet.already_done:
        lines += ["", "## Already done by an earlier run (skipped)", ""]
        lines += [f"- `{unit}` (finished {entry.get('finished', '?')})" for unit, entry in fleet.already_done.items()]
    noted = [r for r in results if r.notes or r.error]
    if noted:
        lines += ["", "## Notes and errors", ""]
        for r in noted:
            lines += [f"- {_cell(line)}" for line in ([r.error] if r.error else []) + list(r.notes)]
    if applied is not None:
        lines += ["", "## Applied", "", f"{len(applied.written)} files written."]
        lines += [f"- committed in `{repo}`: {commit[:12]}" for repo, commit in applied.commits.items()]
        lines += [f"- refused `{repo}`: {why}" for repo, why in applied.refused.items()]
        lines += [f"- not written: {why}" for why in applied.failed]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def outcome_findings(outcome: Outcome, strict: bool) -> list[Finding]:
    """The SARIF findings of one conversion: its failure, or its single-stage finding and every note, with their rules."""
    from .sarif import Finding, from_line, single_stage_message

    text = outcome.original
    if outcome.status is Status.FAILED and outcome.error is not None:
        error = outcome.error
        col = column(text, error.line) if error.path == outcome.path else None
        return [Finding(tagged(error.message, "STG002"), error.path, error.line, error.message, column=col)]
    found = [Finding(note_code(n), outcome.path, n.line, n.message, level=_note_level(n.kind, n.level.value, strict),
                     column=column(text, n.line)) for n in outcome.notes]
    if outcome.status is Status.CONVERTED and outcome.dockerfile != outcome.original:
        message = single_stage_message(outcome.language, bases(outcome.original), bases(outcome.dockerfile or ""))
        line = from_line(outcome.original)
        found.insert(0, Finding("STG001", outcome.path, line, message, fix=(outcome.original, outcome.dockerfile or ""),
                                column=column(text, line)))
    return found


def _note_level(kind: str | None, level: str, strict: bool) -> str:
    """A note's SARIF level: a secret is an error with --strict; else a warning stays a warning and info is a note."""
    if kind == "secret":
        return "error" if strict else "warning"
    return "warning" if level == "warning" else "note"


def migrate_findings(results: list[FileResult], strict: bool) -> list[Finding]:
    """The SARIF findings of a migrate run: each file's failure, single-stage finding and notes."""
    from .sarif import Finding, from_line, parse_finding, single_stage_message

    found: list[Finding] = []
    for r in results:
        if r.status == "failed" and r.error:
            path, line, col, code, message = parse_finding(r.error)
            if r.internal or code is None:
                code = tagged(message, "STG002")
            found.append(Finding(code, path or str(r.dockerfile), line, message, column=col))
            continue
        if r.changes:
            line = from_line(r.original)
            found.append(Finding("STG001", str(r.dockerfile), line, single_stage_message(r.language, r.bases_before, r.bases_after),
                                 fix=(r.original, r.converted or ""), column=column(r.original, line)))
        for note in r.notes:
            path, line, col, code, message = parse_finding(note)
            code = code or "STG007"
            level = "error" if code == "STG003" and strict else BY_CODE[code].level if code != "STG004" else "warning"
            found.append(Finding(code, path or str(r.dockerfile), line, message, level=level, column=col))
    return found


# -- catalogue --------------------------------------------------------------------------------------

CATALOGUE_COLUMNS = ("image", "role", "libc", "shell", "user")
_ROLES = {"builder": "build", "runtime": "run", "builder and runtime": "both"}


def catalogue_rows(catalogue: Sequence[BaseImage]) -> list[tuple[str, str, str, str, str]]:
    """`stagify catalogue`'s table, within 80 columns: the image (its tag names the language version), its
    role (build, run or both), libc, its shell's package manager ("no" without a shell), its user and UID."""
    out = []
    for image in catalogue:
        shell = (image.package_manager or "yes") if image.shell else "no"
        user = f"{image.user} {image.uid}" if image.user and image.uid is not None else image.user or "root"
        out.append((image.reference, _ROLES.get(image.role.value, image.role.value), image.libc.value, shell, user))
    return out
