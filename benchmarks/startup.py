"""How long one `stagify convert --stdout` takes from the command line, start-up included. Run:

    python benchmarks/startup.py [--runs 21]

It prints the median wall time over the runs (after one warm-up run), on the Go seed example.
Python's bytecode cache is allowed (as in any installed package), even where the environment
sets PYTHONDONTWRITEBYTECODE.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def command_times(runs: int, case: str = "seed-001-go-api") -> list[float]:
    exe = Path(sys.executable).parent / "stagify"
    args = [str(exe), "convert", "--stdout", str(REPO / "fixtures" / case)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(args, check=True, capture_output=True, env=env)  # warm-up: bytecode and template caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - started)
    return times


def library_times(runs: int, case: str = "seed-001-go-api") -> list[float]:
    sys.path.insert(0, str(REPO))
    from stagify import convert

    folder = REPO / "fixtures" / case
    data = (folder / "Dockerfile").read_bytes()
    convert(data, context=folder)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        convert(data, context=folder)
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    cli = command_times(args.runs)
    call = library_times(args.runs)
    print(f"stagify convert --stdout (Go seed), {args.runs} runs: median {statistics.median(cli) * 1000:.0f} ms, "
          f"min {min(cli) * 1000:.0f} ms, max {max(cli) * 1000:.0f} ms")
    print(f"convert() library call: median {statistics.median(call) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
