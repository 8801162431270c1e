"""stagify's conversions against hand-written expert multi-stage Dockerfiles: image sizes side by side.

For each case the original single-stage Dockerfile, stagify's conversion of it and an expert's own
multi-stage version (benchmarks/expert/<case>/Dockerfile, written on the same offline stand-in bases) are
built on the real engine, run and asked the same HTTP paths (through ``stagify.fleet.verify``), and their sizes
are printed in one table with converted / expert. The goal: at most 1.1 for Python and Node.

    flock /tmp/stagify-engine.lock python benchmarks/expert.py            # every case, ~5 min warm
    python benchmarks/expert.py --case express --case flask              # some of them
    python benchmarks/expert.py --table rows.json                        # print a table of recorded rows

It needs the shared e2e harness (engine-up, stand-ins, provide); it builds images under
``stagify-verify/`` and removes them afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXPERT = REPO / "benchmarks" / "expert"
GOAL = 1.1  # converted / expert, for Python and Node


@dataclass(frozen=True)
class Case:
    name: str  # the folder under benchmarks/expert
    language: str
    context: str  # a fixture folder (fixtures/...) or a real project (realworld/...) of the shared folder
    port: int
    paths: tuple[str, ...]


CASES = (
    Case("flask", "python", "fixtures/python-flask-e2e", 18301, ("/", "/items/7", "/items/500")),
    Case("fastapi-py311", "python", "realworld/py-fastapi-cloudbuild", 18302, ("/", "/health", "/version")),
    Case("django", "python", "realworld/py-django-gunicorn-sqlite", 8000, ("/list_site/", "/static/admin/css/base.css")),
    Case("express", "node", "fixtures/seed-001-node-express", 18304, ("/", "/items/42", "/missing")),
    Case("node-debian-apt", "node", "fixtures/node-debian-apt-nodejs", 18305, ("/",)),
    Case("javac", "java", "fixtures/java-javac-e2e", 18306, ("/", "/items/7", "/items/500")),
)


@dataclass(frozen=True)
class Row:
    case: str
    language: str
    original: int | None  # bytes
    converted: int | None
    expert: int | None
    runtime: str  # the converted Dockerfile's runtime base
    same: bool  # the conversion and the expert version both answered as the original did

    @property
    def ratio(self) -> float | None:
        return self.converted / self.expert if self.converted and self.expert else None


def table(rows: list[Row]) -> str:
    """The figures as a Markdown table: sizes in MB, converted / expert, and whether the goal is met."""
    def mb(size: int | None) -> str:
        return "-" if size is None else f"{size / 1e6:.1f}"

    lines = ["| case | language | original MB | converted MB | expert MB | converted / expert | converted runtime | same answers |",
             "|---|---|---:|---:|---:|---:|---|---|"]
    for r in rows:
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}" + (" (over the goal)" if r.ratio > GOAL and r.language != "java" else "")
        lines.append(f"| {r.case} | {r.language} | {mb(r.original)} | {mb(r.converted)} | {mb(r.expert)} | {ratio} | "
                     f"`{r.runtime}` | {'yes' if r.same else 'NO'} |")
    return "\n".join(lines) + "\n"


def shared() -> Path:
    for candidate in (os.environ.get("STAGIFY_SHARED"), REPO.parent / "shared", Path("/work/shared")):
        if candidate and Path(candidate, "e2e").is_dir():
            return Path(candidate)
    raise SystemExit("expert.py: no shared e2e folder found (set STAGIFY_SHARED)")


def engine_env(e2e: Path) -> dict[str, str]:
    up = subprocess.run([str(e2e / "engine-up")], capture_output=True, text=True, timeout=900)
    if up.returncode != 0:
        raise SystemExit(f"expert.py: no Docker engine: {up.stderr.strip()[-300:]}")
    env = dict(os.environ, DOCKER_BUILDKIT="1")
    for line in up.stdout.splitlines():
        if "=" in line:
            key, value = line.split(";")[0].split("=", 1)
            env[key.removeprefix("export ").strip()] = value.strip()
    subprocess.run([str(e2e / "stand-ins")], capture_output=True, text=True, env=env, timeout=1800, check=True)
    return env


def provided(e2e: Path, env: dict[str, str], text: str, work: Path, name: str) -> str:
    """The Dockerfile text after `provide` tagged its bases' stand-ins (it may rewrite the file)."""
    path = work / name
    path.write_text(text)
    result = subprocess.run([str(e2e / "provide"), "-q", str(path)], capture_output=True, text=True, env=env, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"provide {name}: {result.stderr.strip()}")
    return Path(result.stdout.strip()).read_text()


def measure(case: Case, root: Path, e2e: Path, env: dict[str, str]) -> Row:
    from stagify import Status, convert
    from stagify.fleet.docker import Docker
    from stagify.fleet.verify import Smoke, verify
    from stagify.plan.summary import bases

    context = (REPO if case.context.startswith("fixtures/") else root) / case.context
    dockerfile = context / "Dockerfile"
    outcome = convert(dockerfile.read_bytes(), context=context, path=str(dockerfile))
    if outcome.status is not Status.CONVERTED:
        raise RuntimeError(f"{case.name}: {outcome.status.value}: {outcome.reason or outcome.error}")
    pairs = (("PORT", str(case.port)), ("HOST", "127.0.0.1"), ("ADDR", f"127.0.0.1:{case.port}"))
    smoke = Smoke(paths=case.paths, port=case.port, env=pairs, timeout=120)
    docker = Docker(env["DOCKER"], env)
    with tempfile.TemporaryDirectory(prefix="stagify-expert-") as tmp:
        work = Path(tmp)
        original = provided(e2e, env, dockerfile.read_text(), work, "Dockerfile.original")
        converted = provided(e2e, env, outcome.dockerfile or "", work, "Dockerfile.converted")
        expert_file = EXPERT / case.name / "Dockerfile"
        expert = provided(e2e, env, expert_file.read_text(), work, "Dockerfile.expert")
        ignore = expert_file.with_name("Dockerfile.dockerignore")
        ours = verify(original, converted, context, converted_ignore=outcome.dockerignore, smoke=smoke, docker=docker,
                      rebuild=False, name=f"expert-{case.name}", left_behind=outcome.left_behind)
        theirs = verify(original, expert, context, converted_ignore=ignore.read_text() if ignore.is_file() else None,
                        smoke=smoke, docker=docker, rebuild=False, name=f"expert-{case.name}", check_files=False)
    for side, report in (("conversion", ours), ("expert version", theirs)):
        if not report.ok:
            print(f"{case.name}: the {side} is not proven: " + "; ".join(p.splitlines()[0] for p in report.problems), file=sys.stderr)
    return Row(case=case.name, language=case.language, original=ours.original.size, converted=ours.converted.size,
               expert=theirs.converted.size, runtime=bases(outcome.dockerfile or "")[-1],
               same=bool(ours.same_behaviour) and bool(theirs.same_behaviour))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the originals, stagify's conversions and hand-written expert "
                                                 "Dockerfiles of a few real-engine cases and print their sizes.")
    parser.add_argument("--case", action="append", choices=[c.name for c in CASES], help="only this case (repeatable)")
    parser.add_argument("--json", metavar="FILE", help="also write the rows to FILE as JSON")
    parser.add_argument("--table", metavar="FILE", help="print the table of rows recorded with --json; build nothing")
    args = parser.parse_args(argv)
    if args.table:
        rows = [Row(**row) for row in json.loads(Path(args.table).read_text())]
        print(table(rows), end="")
        return 0
    sys.path.insert(0, str(REPO))
    root = shared()
    e2e = root / "e2e"
    env = engine_env(e2e)
    rows = []
    for case in CASES:
        if args.case and case.name not in args.case:
            continue
        rows.append(measure(case, root, e2e, env))
        print(f"{case.name}: done", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in rows], indent=2))
    print(table(rows), end="")
    failed = [r for r in rows if not r.same]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
