"""On the engine: what a RUN line wrote, the files beside a program and the places an app writes survive conversion.

Each fixture answers 500 (or does not start, or does not build) when its conversion loses what it needs:
a file and a folder a RUN line made, configuration read relative to the working folder, an
SQLite file and a VOLUME the application writes as a non-root user. ``stagify verify`` also
lists the original's own files the conversion lacks; none may be missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .engine import Engine, assert_smaller_and_non_root, compare_conversion
from .helpers import FIXTURES

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.start()


@pytest.mark.parametrize(
    ("case", "port", "paths", "ratio"),
    [
        ("go-run-effects-version-data", 18211, ["/", "/again"], 0.05),
        ("java-javac-conf-properties", 18212, ["/"], 0.9),
        ("python-sqlite-writable", 18213, ["/", "/", "/other"], 0.5),
        # folders the Go program itself makes and writes in at run time, relative to its working folder
        ("go-app-makes-its-folders", 18216, ["/", "/a", "/b"], 0.05),
        ("python-app-makes-its-folders", 18217, ["/", "/", "/b"], 0.5),
        # a language from the distribution's packages: both stages on Debian, the runtime slim with the run-time packages
        ("node-debian-apt-nodejs", 18214, ["/"], 0.8),
        ("python-debian-apt-python3", 18215, ["/"], 0.8),
        # installs that read more than the manifests: the project's postinstall script writing beside node_modules,
        # a dependency from the repository (file:), and `npm rebuild` of a dependency after an --ignore-scripts install
        ("node-postinstall-writes-beside", 18216, ["/"], 0.5),
        ("node-local-file-dependency", 18217, ["/"], 0.5),
        ("node-rebuild-after-install", 18218, ["/"], 0.5),
        # `npm start` runs package.json's prestart first: the start command keeps npm
        ("node-npm-start-prestart", 18221, ["/"], 0.5),
        # requirements in a folder that include each other (-r, -c), and one naming a package folder of the repository
        ("python-requirements-folder-includes", 18219, ["/"], 0.5),
        ("python-requirements-local-package", 18220, ["/"], 0.5),
        # the official image's /usr/local/bin named by path: a console script in a start script, the interpreter in CMD
        ("python-start-script-prefix-gunicorn", 18222, ["/", "/x"], 0.5),
        ("python-cmd-prefix-interpreter", 18223, ["/"], 0.5),
        # a database file outside the app's folder, named as the default of a variable (Docker's getting-started app)
        ("node-sqlite-default-path-outside-app", 18224, ["/", "/a", "/"], 0.5),
        # no production dependency at all: a production install makes no node_modules for the runtime to copy
        ("node-tsc-without-runtime-dependencies", 18225, ["/"], 0.5),
        # a front-end project started by the original's own entrypoint script, which never builds it
        ("node-entrypoint-script-frontend-unbuilt", 18226, ["/", "/about"], 0.8),
    ],
)
def test_what_the_app_reads_and_writes_survives_the_conversion(
    engine: Engine, tmp_path: Path, case: str, port: int, paths: list[str], ratio: float
) -> None:
    result = compare_conversion(engine, FIXTURES / case, tmp_path, paths, port)
    assert result.report.ok, "\n".join(result.report.problems)
    assert all(r.status == 200 for r in result.answers_after), result.answers_after
    assert result.answers_before == result.answers_after
    assert not result.report.missing, result.report.missing
    assert_smaller_and_non_root(result, ratio)


def test_verify_runs_a_command_line_program_with_its_input(engine: Engine, tmp_path: Path) -> None:
    """``stagify verify --smoke-run --smoke-stdin``: a program that reads standard input, answered the same by both images."""
    import os
    import subprocess
    import sys

    from stagify import convert

    from .helpers import shared_dir

    shared = shared_dir()
    assert shared is not None
    case = shared / "realworld" / "java-calc-cli-package"
    outcome = convert((case / "Dockerfile").read_bytes(), context=case)
    engine.provide(case / "Dockerfile")
    engine.provided(outcome.dockerfile or "", tmp_path, "Dockerfile.converted")
    env = {**os.environ, **engine.env}
    run = subprocess.run(
        [sys.executable, "-m", "stagify", "verify", str(case), "--smoke-run", "--smoke-stdin", "alice\n6\n7\n*\n", "--no-rebuild",
         "--format", "json"],
        capture_output=True, text=True, env=env, timeout=900,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    (report,) = json.loads(run.stdout)  # --format json is always a list
    assert report["verified"] and report["same_behaviour"]
    answer = report["converted"]["answers"][0]
    assert answer["status"] == 0 and "The result is: 42" in answer["body"]
    assert not [f for f in report["files_left_behind"] if not f["on_purpose"]]
