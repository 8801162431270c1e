"""``stagify verify`` on a real engine, run as the command users run.

A good conversion is verified (exit 0, the table); deliberately broken ones are not:
a runtime that lost the application (exit 5, the differing answer named), a runtime
that runs as root (exit 5), and an original that does not build (exit 6: nothing to
compare). The bases are made present (pulled, or the stand-ins ``provide``d) before verify
runs, as CONTRIBUTING.md describes for machines without a registry.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stagify import convert

from .engine import Engine
from .helpers import FIXTURES, copy_context

pytestmark = pytest.mark.e2e
CASE = "python-flask-e2e"
PORT = 18190


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.start()


def verify_cli(engine: Engine, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**engine.env, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "stagify", "verify", "proj", "--port", str(PORT), "--env", f"PORT={PORT}", "--no-rebuild", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=1200,
    )


def prepared(engine: Engine, tmp_path: Path, change=None) -> tuple[Path, Path]:
    """The fixture as ``proj``, its conversion (changed by ``change``) as ``converted.Dockerfile``, bases provided."""
    context = copy_context(FIXTURES / CASE, tmp_path / "proj")
    outcome = convert((context / "Dockerfile").read_bytes(), context=context)
    text = outcome.dockerfile or ""
    converted = tmp_path / "converted.Dockerfile"
    converted.write_text(change(text) if change else text)
    engine.provide(context / "Dockerfile")
    engine.provide(converted)
    return context, converted


def test_verify_proves_a_good_conversion(engine: Engine, tmp_path: Path) -> None:
    prepared(engine, tmp_path)
    run = verify_cli(engine, tmp_path, "--json", "--http", "/", "--http", "/items/7")
    assert run.returncode == 0, run.stdout + run.stderr
    (report,) = json.loads(run.stdout)  # --format json is always a list
    assert report["verified"] and report["same_behaviour"]
    assert report["converted"]["uid"] not in (0, None)
    assert report["smaller_by"] > 0.5
    assert [a["status"] for a in report["converted"]["answers"]] == [200, 200]


def test_verify_catches_a_runtime_that_lost_the_application(engine: Engine, tmp_path: Path) -> None:
    def lose_app(text: str) -> str:
        assert "COPY --from=builder /app /app\n" in text
        return text.replace("COPY --from=builder /app /app\n", "")

    _, converted = prepared(engine, tmp_path, lose_app)
    run = verify_cli(engine, tmp_path, "--converted", str(converted))
    assert run.returncode == 5, run.stdout + run.stderr
    assert "proj/Dockerfile: not verified: GET /: the original answered 200" in run.stderr
    assert "nothing listened on 127.0.0.1" in run.stderr
    assert "not verified" in run.stdout and "DIFFERENT" in run.stdout


def test_verify_catches_a_runtime_that_runs_as_root(engine: Engine, tmp_path: Path) -> None:
    def as_root(text: str) -> str:
        return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("USER "))

    _, converted = prepared(engine, tmp_path, as_root)
    run = verify_cli(engine, tmp_path, "--converted", str(converted))
    assert run.returncode == 5, run.stdout + run.stderr
    assert "proj/Dockerfile: not verified: the converted image runs as root" in run.stderr


def test_verify_says_so_when_the_original_does_not_build(engine: Engine, tmp_path: Path) -> None:
    context, _ = prepared(engine, tmp_path)
    dockerfile = context / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("RUN pip install", "RUN false && pip install"))
    before = set(verify_images(engine))  # the engine may hold images an interrupted run of something else left behind
    run = verify_cli(engine, tmp_path)
    assert run.returncode == 6, run.stdout + run.stderr
    assert run.stderr.startswith("error: proj/Dockerfile: cannot verify: the original Dockerfile does not build, so there is nothing to compare")
    assert "Traceback" not in run.stderr
    assert set(verify_images(engine)) - before == set()  # throwaway images are removed, also when verification stops early


def verify_images(engine: Engine) -> list[str]:
    listed = subprocess.run([engine.docker, "images", "--format", "{{.Repository}}:{{.Tag}}", "--filter",
                             "reference=stagify-verify/*"], env=engine.env, capture_output=True, text=True, check=True)
    return listed.stdout.split()
