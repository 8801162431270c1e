"""Node examples built from the original and the converted Dockerfile on a real engine.

The Express API must answer the same and shrink by at least 75 % from the full node image;
the single-page app, whose original ran the Vite development server, is served by nginx
after the conversion: the files it publishes and the status of every route must match.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .engine import Engine, assert_smaller_and_non_root, compare_conversion
from .helpers import FIXTURES

pytestmark = pytest.mark.e2e

# case, paths whose bodies must match, paths whose status must match, port, env, the largest size ratio
CASES = [
    ("seed-001-node-express", ["/", "/items/42", "/missing"], [], 18090, {}, 0.25),
    # compiled by `npm run compile` (tsc): the runtime must carry dist/ although the script is not called "build"
    ("node-tsc-named-build-script", ["/", "/x?y=1"], [], 18097, {}, 0.25),
    # started by `npm run start:prod` (node dist/main), while package.json's "start" runs the sources: built by `npm run build`
    ("node-start-prod-script", ["/", "/x?y=1"], [], 18098, {}, 0.25),
    (
        "node-vite-spa-dev-server",
        ["/robots.txt", "/hello.json"],
        ["/", "/some/client/route"],
        5173,
        {"NGINX_LISTEN": "127.0.0.1:5173"},
        0.25,
    ),
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.start()


@pytest.mark.parametrize(("case", "same_body", "same_status", "port", "env", "ratio"), CASES, ids=[c[0] for c in CASES])
def test_converted_node_app_builds_answers_the_same_and_is_smaller(
    engine: Engine,
    tmp_path: Path,
    case: str,
    same_body: list[str],
    same_status: list[str],
    port: int,
    env: dict[str, str],
    ratio: float,
) -> None:
    rebuild = case == "seed-001-node-express"  # one case per language also measures a rebuild
    result = compare_conversion(engine, FIXTURES / case, tmp_path, same_body + same_status, port, env, rebuild=rebuild)
    for path, a, b in zip(result.paths, result.answers_before, result.answers_after, strict=True):
        assert b.status == a.status, f"{path}: {a.status} before, {b.status} after"
        if path in same_body:
            assert b.body == a.body, f"{path} answers differently"
    assert result.answers_before[0].status == 200
    if rebuild:
        assert result.after.rebuild_seconds is not None and result.before.rebuild_seconds is not None
    assert_smaller_and_non_root(result, ratio)


def test_an_exact_node_release_runs_on_that_release_after_conversion(engine: Engine, tmp_path: Path) -> None:
    # node:20.20.2 is the release the offline stand-ins really carry, so both images can answer with it; the
    # conversion's runtime is node:20.20.2-slim (distroless Node.js 20 cannot promise 20.20.2).
    fixture = FIXTURES / "node-exact-release-e2e"
    assert "FROM node:20.20.2-slim AS runtime" in (fixture / "expected.Dockerfile").read_text()
    result = compare_conversion(engine, fixture, tmp_path, ["/"], 18098)
    before, after = result.answers_before[0], result.answers_after[0]
    assert (before.status, before.body) == (200, after.body)
    assert after.body.strip() == "v20.20.2"
