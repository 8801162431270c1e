"""benchmarks/expert.py without an engine: its command line, its cases and the table it prints.

The benchmark itself builds images on the real engine; it is a script, not a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from stagify.dockerfile.parse import parse

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "expert.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def test_help_names_the_options() -> None:
    result = run("--help")
    assert result.returncode == 0, result.stderr
    assert "--case" in result.stdout and "--table" in result.stdout


def test_every_case_has_an_expert_multi_stage_dockerfile() -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    import expert

    assert len(expert.CASES) >= 4
    for case in expert.CASES:
        text = (expert.EXPERT / case.name / "Dockerfile").read_text()
        assert len(parse(text, case.name).stages) == 2, case.name  # a builder and a runtime
        if case.context.startswith("fixtures/"):
            assert (REPO / case.context / "Dockerfile").is_file(), case.context


def test_the_table_prints_sizes_and_ratios_and_flags_a_miss(tmp_path: Path) -> None:
    rows = [
        {"case": "flask", "language": "python", "original": 1_029_200_000, "converted": 205_100_000, "expert": 200_000_000,
         "runtime": "python:3.12.11-slim-bookworm", "same": True},
        {"case": "express", "language": "node", "original": 1_115_900_000, "converted": 150_000_000, "expert": 125_000_000,
         "runtime": "gcr.io/distroless/nodejs20-debian12:nonroot", "same": False},
    ]
    recorded = tmp_path / "rows.json"
    recorded.write_text(json.dumps(rows))
    result = run("--table", str(recorded))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| case | language | original MB | converted MB | expert MB | converted / expert")
    assert "| flask | python | 1029.2 | 205.1 | 200.0 | 1.03 | `python:3.12.11-slim-bookworm` | yes |" in lines
    assert "| express | node | 1115.9 | 150.0 | 125.0 | 1.20 (over the goal) |" in lines[3] and lines[3].endswith("| NO |")
