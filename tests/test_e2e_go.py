"""The seed Go examples, built from the original and the converted Dockerfile on a real engine.

Both images must answer the same HTTP responses; the converted one must be at least
90 % smaller and run as a non-root user.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .engine import Engine, assert_smaller_and_non_root, compare_conversion, debian_twin
from .helpers import FIXTURES

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


@pytest.mark.parametrize(("case", "paths", "port"), SEEDS, ids=[s[0] for s in SEEDS])
def test_converted_seed_builds_answers_the_same_and_is_smaller(
    engine: Engine, tmp_path: Path, case: str, paths: list[str], port: int
) -> None:
    rebuild = case == "seed-001-go-api"  # one case per language also measures a rebuild
    result = compare_conversion(engine, FIXTURES / case, tmp_path, paths, port, rewrite=debian_twin, rebuild=rebuild)
    assert result.answers_after == result.answers_before
    assert result.answers_before[0].status == 200
    if rebuild:
        assert result.after.rebuild_seconds is not None and result.before.rebuild_seconds is not None
    assert_smaller_and_non_root(result, 0.10)
