"""Node examples built from the original and the converted Dockerfile on a real engine.

The Express API must answer the same and shrink by at least 75 % from the full node image;
the single-page app, whose original ran the Vite development server, is served by nginx
after the conversion: the files it publishes and the status of every route must match.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stagify import Status, convert

from .engine import Engine
from .helpers import FIXTURES, copy_context, dockerfile_of
from .test_e2e_go import _report

pytestmark = pytest.mark.e2e

# case, paths whose bodies must match, paths whose status must match, port, env, the largest size ratio
CASES = [
    ("seed-001-node-express", ["/", "/items/42", "/missing"], [], 18090, {}, 0.25),
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
    fixture = FIXTURES / case
    original_ctx = copy_context(fixture, tmp_path / "original")
    converted_ctx = copy_context(fixture, tmp_path / "converted")
    source = dockerfile_of(original_ctx)
    outcome = convert(source.read_bytes(), context=converted_ctx, path=source.name)
    assert outcome.status is Status.CONVERTED, outcome.error
    (converted_ctx / ".dockerignore").write_text(outcome.dockerignore or "")
    original_df = tmp_path / "Dockerfile.original"
    converted_df = tmp_path / "Dockerfile.converted"
    original_df.write_text(source.read_text())
    converted_df.write_text(outcome.dockerfile or "")

    tag = f"stagify-e2e-test/{case}"
    before = engine.build(original_df, original_ctx, f"{tag}:original")
    after = engine.build(converted_df, converted_ctx, f"{tag}:converted")
    paths = same_body + same_status
    answers_before, uid_before = engine.serve(before.tag, f"stagify-test-{case}-orig", port, paths, env)
    answers_after, uid_after = engine.serve(after.tag, f"stagify-test-{case}-conv", port, paths, env)

    for path, a, b in zip(paths, answers_before, answers_after, strict=True):
        assert b.status == a.status, f"{path}: {a.status} before, {b.status} after"
        if path in same_body:
            assert b.body == a.body, f"{path} answers differently"
    assert answers_before[0].status == 200
    assert after.size <= ratio * before.size, f"{after.size} bytes is not {100 - 100 * ratio:.0f} % below {before.size}"
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
