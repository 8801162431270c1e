"""How long one `stagify convert --stdout` takes from the command line, start-up included. Run:

    python benchmarks/startup.py [--runs 21]

It prints the median wall time over the runs (after one warm-up run), on the Go seed example.
Python's bytecode cache is allowed (as in any installed package), even where the environment
sets PYTHONDONTWRITEBYTECODE. With ``--instructions`` (and valgrind installed) it also counts the
instructions one command executes: a figure that does not move with the machine's load, for
comparing two versions of stagify on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
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


def command_instructions(case: str = "seed-001-go-api") -> int | None:
    """The instructions one ``stagify convert --stdout`` executes (valgrind's callgrind), or None without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    exe = Path(sys.executable).parent / "stagify"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    args = [str(exe), "convert", "--stdout", str(REPO / "fixtures" / case)]
    subprocess.run(args, check=True, capture_output=True, env=env)  # bytecode cache first
    run = subprocess.run([valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *args],
                         capture_output=True, text=True, env=env, check=True)
    found = re.search(r"Collected\s*:\s*(\d+)", run.stderr)
    return int(found.group(1)) if found else None


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
    parser.add_argument("--instructions", action="store_true", help="also count one command's instructions (valgrind)")
    args = parser.parse_args()
    cli = command_times(args.runs)
    call = library_times(args.runs)
    print(f"stagify convert --stdout (Go seed), {args.runs} runs: median {statistics.median(cli) * 1000:.0f} ms, "
          f"min {min(cli) * 1000:.0f} ms, max {max(cli) * 1000:.0f} ms")
    print(f"convert() library call: median {statistics.median(call) * 1000:.1f} ms")
    if args.instructions:
        count = command_instructions()
        print("instructions: valgrind is not installed" if count is None
              else f"stagify convert --stdout (Go seed): {count / 1e6:.1f} million instructions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
