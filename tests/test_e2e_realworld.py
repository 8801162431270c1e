"""Real public projects, converted and proven on the engine: same answers, non-root, no file the app needs lost.

Each case in the shared ``realworld`` folder is a project's full sources at a fixed commit with
its own single-stage Dockerfile and a ``smoke.json`` saying how to tell it works. The cases are
read in place (their folders are read-only); the conversion happens in memory and both images
are built from the project's own folder, the conversion with its generated .dockerignore.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stagify import Status, convert
from stagify.fleet.verify import Smoke, verify

from .engine import Engine, record
from .helpers import shared_dir

pytestmark = pytest.mark.e2e

_SHARED = shared_dir()
CASES = sorted(p for p in (_SHARED / "realworld").iterdir() if (p / "smoke.json").is_file()) if _SHARED else []


def smoke_of(case: Path) -> Smoke:
    """The case's smoke.json as stagify verify's smoke test."""
    spec = json.loads((case / "smoke.json").read_text())
    env = tuple((str(k), str(v)) for k, v in (spec.get("env") or {}).items())
    if spec.get("cmd"):
        return Smoke(run_image=True, stdin=spec.get("stdin"), env=env, timeout=120)
    return Smoke(paths=tuple(spec.get("paths") or ("/",)), port=int(spec["port"]), env=env, timeout=120)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.start()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_real_project_behaves_the_same_after_conversion(case: Path, engine: Engine, tmp_path: Path) -> None:
    dockerfile = case / "Dockerfile"
    outcome = convert(dockerfile.read_bytes(), context=case, path=str(dockerfile))
    if outcome.status is Status.SKIPPED:
        # Left as it is, said why: a conversion would not be smaller (the benefit gate), so nothing changes.
        assert (outcome.reason or "").startswith("not worth converting: "), outcome.reason
        assert not outcome.changed
        return
    assert outcome.status is Status.CONVERTED, outcome.error or outcome.reason
    original = engine.provided(dockerfile.read_text(), tmp_path, "Dockerfile.original")
    converted = engine.provided(outcome.dockerfile or "", tmp_path, "Dockerfile.converted")
    smoke = smoke_of(case)
    report = verify(original, converted, case, converted_ignore=outcome.dockerignore, smoke=smoke,
                    docker=engine.docker_client(), language=outcome.language, rebuild=False, name=case.name,
                    left_behind=outcome.left_behind)
    spec = json.loads((case / "smoke.json").read_text())
    if "expect" in spec:
        assert spec["expect"] in report.original.answers[0].body, report.original.answers
    record(case.name, report)
    assert report.checks, report.remarks
    assert report.ok, "\n".join(report.problems) + "\n\n" + (outcome.dockerfile or "")
    if not smoke.run_image:
        assert report.converted.uid not in (None, 0), report.converted  # the served process (verify also checks USER)
    assert report.converted.size is not None and report.original.size is not None
    assert report.converted.size < report.original.size
