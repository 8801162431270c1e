"""Golden fixtures: each fixtures/<case>/ is a build context, a Dockerfile and its expected outcome.

Regenerate after an intended change with ``pytest tests/test_golden.py --update-goldens``
and review the result as a diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stagify import Status, convert

from .helpers import EXPECTED, copy_context, dockerfile_of, fixture_cases, fixture_options, last_user, lint

CASES = fixture_cases()


def _outcome(case: Path, tmp_path: Path):
    ctx = copy_context(case, tmp_path / "ctx")
    df = dockerfile_of(ctx)
    return convert(df.read_bytes(), context=ctx, options=fixture_options(case), path=df.name)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fixture_matches_its_golden(case: Path, tmp_path: Path, update_goldens: bool) -> None:
    outcome = _outcome(case, tmp_path)
    if update_goldens:
        for name in (*EXPECTED, "expected.dockerignore"):
            (case / name).unlink(missing_ok=True)
        if outcome.status is Status.CONVERTED:
            (case / "expected.Dockerfile").write_bytes((outcome.dockerfile or "").encode())
            (case / "expected.dockerignore").write_bytes((outcome.dockerignore or "").encode())
        elif outcome.status is Status.SKIPPED:
            (case / "expected.skip").write_text(f"{outcome.reason}\n")
        else:
            (case / "expected.error").write_text(f"{outcome.error}\n")
        return
    present = [name for name in EXPECTED if (case / name).is_file()]
    assert len(present) == 1, f"{case.name} needs exactly one of {EXPECTED}, has {present}"
    kind = present[0]
    if kind == "expected.Dockerfile":
        assert outcome.status is Status.CONVERTED, outcome.error
        assert outcome.dockerfile == (case / kind).read_bytes().decode()
        assert outcome.dockerignore == (case / "expected.dockerignore").read_bytes().decode()
    elif kind == "expected.skip":
        assert outcome.status is Status.SKIPPED
        assert f"{outcome.reason}\n" == (case / kind).read_text()
    else:
        assert outcome.status is Status.FAILED
        assert f"{outcome.error}\n" == (case / kind).read_text()


GOLDENS = [case for case in CASES if (case / "expected.Dockerfile").is_file()]


@pytest.mark.parametrize("case", GOLDENS, ids=lambda p: p.name)
def test_golden_is_lint_clean(case: Path) -> None:
    result = lint((case / "expected.Dockerfile").read_text())
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("case", GOLDENS, ids=lambda p: p.name)
def test_golden_runs_as_non_root(case: Path) -> None:
    user = last_user((case / "expected.Dockerfile").read_text())
    assert user is not None and user.split(":")[0] not in ("root", "0")


@pytest.mark.parametrize("case", GOLDENS, ids=lambda p: p.name)
def test_converting_a_golden_again_changes_nothing(case: Path, tmp_path: Path) -> None:
    ctx = copy_context(case, tmp_path / "ctx")
    text = (case / "expected.Dockerfile").read_bytes()
    again = convert(text, context=ctx, path="Dockerfile")
    assert again.status is Status.SKIPPED
    assert not again.changed
    assert again.reason and again.reason.startswith("already multi-stage")
