"""Every real-world Dockerfile in the shared corpus keeps stagify's promises, or fails clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stagify import Status, convert

from .helpers import last_user, lint, materialize_corpus_case, shared_dir

SHARED = shared_dir()
CORPUS = SHARED / "corpus" if SHARED else None
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir()) if CORPUS and CORPUS.is_dir() else []


def test_corpus_is_present_in_ci() -> None:
    import os

    if os.environ.get("CI") == "true":
        assert CASES, "the shared corpus must be present in CI"
    elif not CASES:
        pytest.skip("no shared corpus beside this checkout")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_corpus_case_converts_or_fails_with_a_line(case: Path, tmp_path: Path) -> None:
    ctx = materialize_corpus_case(case, tmp_path / "ctx")
    name = next(n for n in ("Dockerfile", "dockerfile") if (case / n).is_file())
    outcome = convert((ctx / name).read_bytes(), context=ctx, path=name)
    if outcome.status is Status.FAILED:
        assert outcome.error is not None
        assert re.match(rf"^{name}:\d+: \S", str(outcome.error)), str(outcome.error)
        return
    if outcome.status is Status.SKIPPED:
        # The benefit gate: a file a conversion would not make smaller is left alone, and says why.
        assert (outcome.reason or "").startswith("not worth converting: "), outcome.reason
        return
    assert outcome.status is Status.CONVERTED, outcome.reason
    text = outcome.dockerfile or ""
    result = lint(text)
    assert result.returncode == 0, result.stdout + result.stderr
    user = last_user(text)
    assert user is not None and user.split(":")[0] not in ("root", "0")
    again = convert(text.encode(), context=ctx, path=name)
    assert again.status is Status.SKIPPED and not again.changed
