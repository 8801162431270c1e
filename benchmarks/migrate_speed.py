"""Throughput of `stagify migrate` on the real-world corpus replicated to 1,000+ Dockerfiles, next to hadolint's
on the same files in the same run. The corpus is read from ../shared/corpus and copied only into a temporary
folder. Run:

    python benchmarks/migrate_speed.py [--copies 18]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stagify.fleet.discover import is_dockerfile_name  # noqa: E402
from tests.helpers import hadolint_bin, materialize_corpus_case, shared_dir  # noqa: E402


def build_tree(corpus: Path, root: Path, copies: int) -> list[Path]:
    """``copies`` replicas of every corpus case; the Dockerfiles the corpus has content for."""
    files = []
    for copy in range(copies):
        for case in sorted(p for p in corpus.iterdir() if p.is_dir()):
            folder = materialize_corpus_case(case, root / f"{copy:03d}" / case.name)
            for path in folder.iterdir():
                if is_dockerfile_name(path.name) and path.is_file():
                    if path.stat().st_size == 0:
                        path.unlink()  # a placeholder from listing.txt, not a Dockerfile
                    else:
                        files.append(path)
    return files


def timed(args: list[str], cwd: Path | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=18, help="replicas of the 56-case corpus (18: 1,008 Dockerfiles)")
    args = parser.parse_args()
    shared = shared_dir()
    if shared is None or not (shared / "corpus").is_dir():
        print("no ../shared/corpus: nothing to measure", file=sys.stderr)
        return 2
    jobs = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="stagify-migrate-bench-"))
    try:
        files = build_tree(shared / "corpus", work / "org", args.copies)
        stagify_s, run = timed([sys.executable, "-m", "stagify", "migrate", str(work / "org"), "--json", "--jobs", str(jobs)])
        report = json.loads(run.stdout)
        outcomes = report["totals"]["outcomes"]
        lint = [hadolint_bin(), "--no-fail", "--no-color"]
        hadolint_s, _ = timed([*lint, *map(str, files)])
        half = (len(files) + 1) // 2
        # hadolint with as many processes as migrate has workers (two halves, run at once)
        started = time.perf_counter()
        procs = [subprocess.Popen([*lint, *map(str, part)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for part in (files[:half], files[half:])]
        for proc in procs:
            proc.wait()
        hadolint_par_s = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n = len(report["files"])
    print(f"{n} Dockerfiles ({args.copies} copies of the corpus), {jobs} cores")
    print(f"stagify migrate (--jobs {jobs}, conversion without writing): {stagify_s:6.2f} s  {n / stagify_s:7.1f} files/s  {outcomes}")
    print(f"hadolint, one process:                          {hadolint_s:6.2f} s  {len(files) / hadolint_s:7.1f} files/s")
    print(f"hadolint, two processes at once:                {hadolint_par_s:6.2f} s  {len(files) / hadolint_par_s:7.1f} files/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
