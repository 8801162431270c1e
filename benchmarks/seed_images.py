"""Print the figures of the real-engine examples next to the seed articles': image sizes before and after,
cold build and rebuild times, and how long one `stagify convert` takes. The figures come from `stagify verify`
on a real engine (the e2e tests, run with --no-cache builds); run:

    python benchmarks/seed_images.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# What the seed articles measured for each language: single stage -> multi-stage, in MB.
ARTICLES = {"go": (301, 15.4), "node": (1100, 148), "python": (920, 85), "java": (700, 180)}


def language_of(case: str) -> str:
    for lang in ARTICLES:
        if f"-{lang}-" in f"-{case}-" or case.startswith(f"{lang}-"):
            return lang
    return ""


def convert_timing(runs: int = 10) -> tuple[float, float]:
    """Median wall time of the `stagify convert --stdout` command, and of the library call."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from startup import command_times, library_times

    return statistics.median(command_times(runs)), statistics.median(library_times(runs))


def main() -> int:
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as handle:
        report = handle.name
    env = dict(os.environ, STAGIFY_E2E_REPORT=report, STAGIFY_E2E_NO_CACHE="1")
    e2e = sorted(str(p) for p in (REPO / "tests").glob("test_e2e_*.py"))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", *e2e], cwd=REPO, env=env)
    rows = [json.loads(line) for line in Path(report).read_text().splitlines() if line.strip()]
    print()
    print(f"{'case':<32} {'original':>10} {'converted':>10} {'smaller':>8} {'article':>16} {'build s':>12} {'rebuild s':>10}  user")
    for row in rows:
        before, after = row["original_bytes"], row["converted_bytes"]
        article = ARTICLES.get(language_of(row["case"]))
        seed = f"{article[0]:g}->{article[1]:g} MB" if article else ""
        rebuild = f"{row.get('original_rebuild_s')}/{row.get('converted_rebuild_s')}" if row.get("converted_rebuild_s") else "-"
        print(
            f"{row['case']:<32} {before / 1e6:>8.1f}MB {after / 1e6:>8.1f}MB {100 * (1 - after / before):>7.1f}% {seed:>16} "
            f"{row['original_build_s']:>5}/{row['converted_build_s']:<6} {rebuild:>10}  {row['converted_user']} (uid {row['converted_uid']})"
        )
    cli, call = convert_timing()
    print(f"\nstagify convert (command, median of 10): {cli * 1000:.0f} ms; convert() library call: {call * 1000:.1f} ms")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
