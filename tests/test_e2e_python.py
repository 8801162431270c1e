"""Python examples built from the original and the converted Dockerfile on a real engine.

A Flask app, and one depending on psycopg2 compiled from source (gcc and libpq-dev in
the original): both containers must answer the same, the converted image must be at
least 80 % smaller than the original on the full python image and run as non-root. The
psycopg2 case also proves the runtime got libpq, the run-time half of libpq-dev, and that
the package built from its sdist is installed as in the original (its dist-info, not egg-info).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .engine import Engine, assert_smaller_and_non_root, compare_conversion
from .helpers import FIXTURES

pytestmark = pytest.mark.e2e

CASES = [
    ("python-flask-e2e", ["/", "/items/7", "/items/500"], 18095),
    ("python-psycopg2-e2e", ["/", "/missing"], 18096),
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.start()


@pytest.mark.parametrize(("case", "paths", "port"), CASES, ids=[c[0] for c in CASES])
def test_converted_python_app_builds_answers_the_same_and_is_smaller(
    engine: Engine, tmp_path: Path, case: str, paths: list[str], port: int
) -> None:
    rebuild = case == "python-flask-e2e"  # one case per language also measures a rebuild
    result = compare_conversion(engine, FIXTURES / case, tmp_path, paths, port, rebuild=rebuild)
    assert result.answers_after == result.answers_before
    assert result.answers_before[0].status == 200
    if rebuild:
        assert result.after.rebuild_seconds is not None and result.before.rebuild_seconds is not None
    assert_smaller_and_non_root(result, 0.20)
    # The original's own files are all in the conversion, or left behind with a reason: an installed
    # package's metadata (what importlib.metadata, pip and entry points read) included. psycopg2 is
    # built from its sdist: in a virtualenv without the original Python's wheel, pip < 23.1 (the
    # stand-ins' Debian pip) installed it with `setup.py install` as egg-info instead of a wheel's dist-info.
    assert not result.report.missing, [f"{a.path}: {a.reason}" for a in result.report.missing]
    assert not result.report.problems, result.report.problems
