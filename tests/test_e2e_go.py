"""The seed Go examples, built from the original and the converted Dockerfile on a real engine.

Both images must answer the same HTTP responses; the converted one must be at least
90 % smaller and run as a non-root user.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from stagify import Status, convert

from .engine import Engine, debian_twin
from .helpers import FIXTURES, copy_context, dockerfile_of

pytestmark = pytest.mark.e2e

# case, the paths to compare, the port the containers listen on (one at a time)
SEEDS = [
    ("seed-000-go-naive", ["/", "/some/path"], 18080),
    ("seed-001-go-api", ["/", "/healthz", "/missing"], 18081),
    ("seed-003-go-hello", ["/", "/hello"], 18082),
    ("seed-003-go-hello-static", ["/", "/index.html", "/hello", "/nope.txt"], 18083),
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.start()


def _report(case: str, figures: dict[str, object]) -> None:
    """Figures for benchmarks/seed_images.py (and the closing notes) when it asks for them."""
    target = os.environ.get("STAGIFY_E2E_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"case": case, **figures}) + "\n")


@pytest.mark.parametrize(("case", "paths", "port"), SEEDS, ids=[s[0] for s in SEEDS])
def test_converted_seed_builds_answers_the_same_and_is_smaller(
    engine: Engine, tmp_path: Path, case: str, paths: list[str], port: int
) -> None:
    fixture = FIXTURES / case
    original_ctx = copy_context(fixture, tmp_path / "original")
    converted_ctx = copy_context(fixture, tmp_path / "converted")
    source = dockerfile_of(original_ctx)
    outcome = convert(source.read_bytes(), context=converted_ctx, path=source.name)
    assert outcome.status is Status.CONVERTED, outcome.error
    (converted_ctx / ".dockerignore").write_text(outcome.dockerignore or "")

    original_df = tmp_path / "Dockerfile.original"
    converted_df = tmp_path / "Dockerfile.converted"
    original_df.write_text(debian_twin(source.read_text()))
    converted_df.write_text(debian_twin(outcome.dockerfile or ""))

    tag = f"stagify-e2e-test/{case}"
    before = engine.build(original_df, original_ctx, f"{tag}:original")
    after = engine.build(converted_df, converted_ctx, f"{tag}:converted")
    try:
        answers_before, uid_before = engine.serve(before.tag, f"stagify-test-{case}-orig", port, paths)
        answers_after, uid_after = engine.serve(after.tag, f"stagify-test-{case}-conv", port, paths)
    finally:
        pass
    assert answers_after == answers_before
    assert answers_before[0].status == 200

    assert after.size <= 0.10 * before.size, f"{after.size} bytes is not 90 % below {before.size}"
    assert after.user and after.user.split(":")[0] not in ("root", "0")
    assert uid_after != 0, "the converted container's process runs as root"
    _report(
        case,
        {
            "original_bytes": before.size,
            "converted_bytes": after.size,
            "original_build_s": round(before.seconds, 1),
            "converted_build_s": round(after.seconds, 1),
            "original_uid": uid_before,
            "converted_uid": uid_after,
            "converted_user": after.user,
        },
    )
    engine.remove_images(before.tag, after.tag)
