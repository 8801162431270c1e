"""Time and peak memory of converting very large and hostile Dockerfiles, each in a fresh process. Run:

    python benchmarks/limits.py [--sizes 16000,32000] [--skip-5mb]

Cases: N mixed instructions (ENV, RUN, WORKDIR, ARG, COPY, USER, LABEL, EXPOSE in turn) for each N
in --sizes; a 5 MB Dockerfile of about 200,000 mixed lines; a 40-character name against the
backtracking-prone .dockerignore pattern ``**a**a**a**a**a**a**a**a**a**a**a**a**b``; a 30-line
doubling ARG chain; and a 49,000-character app.py scanned with libcst. Each line printed gives the
wall time, the peak resident memory of the process (ru_maxrss) and the exit code.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GO_APP = {"go.mod": "module example.com/app\n\ngo 1.22\n", "main.go": "package main\n\nfunc main() {}\n"}
MIXED = ["ENV A{i}=v{i}", "RUN echo {i} && go build ./...", "WORKDIR /app/d{i}", "ARG B{i}=x", "COPY f{i} /app/", "USER u{i}",
         "LABEL l{i}=x", "EXPOSE {i}"]


def mixed(count: int) -> str:
    body = "".join(MIXED[i % len(MIXED)].format(i=i % 60000) + "\n" for i in range(count))
    return "FROM golang:1.22\n" + body + "USER app\nCMD [\"/app/server\"]\n"


def five_mb() -> str:
    lines: list[str] = []
    size = 0
    i = 0
    while size < 5 * 1024 * 1024:
        line = MIXED[i % len(MIXED)].format(i=i % 60000) + "\n"
        lines.append(line)
        size += len(line)
        i += 1
    return "FROM golang:1.22\n" + "".join(lines) + "USER app\nCMD [\"/app/server\"]\n"


def measure(label: str, dockerfile: str, files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="stagify-bench-") as tmp:
        folder = Path(tmp)
        for rel, text in files.items():
            (folder / rel).write_text(text)
        (folder / "Dockerfile").write_text(dockerfile)
        code = ("import resource, sys, time\nfrom stagify import convert\n"
                "data = open(sys.argv[1], 'rb').read()\nstarted = time.perf_counter()\n"
                "outcome = convert(data, context=sys.argv[2])\nseconds = time.perf_counter() - started\n"
                "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
                "print(f'{seconds:.2f} {peak} {outcome.status.value} {outcome.error or \"\"}')\n")
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-c", code, str(folder / "Dockerfile"), str(folder)], capture_output=True, text=True)
        wall = time.perf_counter() - started
        if run.returncode != 0:
            print(f"{label:<44} failed (exit {run.returncode}): {run.stderr.strip().splitlines()[-1:]}")
            return
        seconds, peak_kb, status, *error = run.stdout.split(" ", 3)
        lines = dockerfile.count("\n")
        detail = f" ({' '.join(error).strip()})" if error and error[0].strip() else ""
        print(f"{label:<44} {lines:>8,} lines {len(dockerfile) / 1e6:>6.2f} MB  convert {float(seconds):>6.2f} s"
              f"  process {wall:>6.2f} s  peak {int(peak_kb) / 1024:>7.1f} MiB  {status}{detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="8000,16000,32000", help="instruction counts of the mixed cases")
    parser.add_argument("--skip-5mb", action="store_true", help="leave out the 5 MB case")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; peak = the converting process's maximum resident memory")
    for count in (int(s) for s in args.sizes.split(",") if s):
        measure(f"{count:,} mixed instructions", mixed(count), {**GO_APP, **{f"f{i}": "" for i in range(0, min(count, 2000), 8)}})
    if not args.skip_5mb:
        measure("5 MB Dockerfile, mixed lines", five_mb(), GO_APP)
    measure("pathological .dockerignore, 40-char name", mixed(10),
            {**GO_APP, ".dockerignore": "**a**a**a**a**a**a**a**a**a**a**a**a**b\n", "a" * 40: "x"})
    chain = "ARG A0=xxxxxxxxxxxxxxxx\n" + "".join(f"ARG A{i}=$A{i - 1}$A{i - 1}\n" for i in range(1, 31))
    measure("30-line doubling ARG chain (refused)", chain + mixed(10), GO_APP)
    app = "from flask import Flask\napp = Flask(__name__)\n"
    app += "".join(f"def handler_{i}(request):\n    return {{'id': {i}, 'ok': True}}\n\n" for i in range(800))
    measure(f"app.py of {len(app):,} chars scanned by libcst",  # within the scan limits: parsed, not skipped
            "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
            {"requirements.txt": "flask\n", "app.py": app})


if __name__ == "__main__":
    main()
