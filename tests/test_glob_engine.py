"""One glob engine: .dockerignore rules and the settings files' [[overrides]] paths match alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagify.config import for_dockerfile
from stagify.context.dockerignore import is_ignored, parse_rules
from stagify.errors import StagifyError
from stagify.options import RuntimeChoice


@pytest.fixture(autouse=True)
def _read_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STAGIFY_NO_CONFIG", raising=False)


def _override_applies(tmp_path: Path, pattern: str, dockerfile: str) -> bool:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / ".stagify.toml").write_text(f'[[overrides]]\npaths = ["{pattern}"]\nruntime = "debian"\n')
    return for_dockerfile(tmp_path / dockerfile).runtime is RuntimeChoice.DEBIAN


# (pattern, path of a Dockerfile's folder, matched): the same answer from both callers.
CASES = [
    ("services/api", "services/api", True),
    ("services/*", "services/api", True),
    ("services/*", "services/api/v2", True),  # a pattern naming a folder covers what is under it
    ("*/api", "services/api", True),
    ("*/api", "a/services/api", False),  # * stays within one folder
    ("**/api", "a/services/api", True),  # ** spans folders
    ("services/**", "services/a/b", True),
    ("services/a?i", "services/api", True),
    ("services/[ab]pi", "services/api", True),
    ("services/[!a]pi", "services/api", False),
    ("/services/api", "services/api", True),  # a leading slash is dropped
    ("./services/api", "services/api", True),
    ("tools", "services/api", False),
    ("serv", "services/api", False),  # whole folder names only
]


@pytest.mark.parametrize(("pattern", "folder", "expected"), CASES)
def test_dockerignore_and_overrides_agree(tmp_path: Path, pattern: str, folder: str, expected: bool) -> None:
    assert is_ignored(parse_rules(pattern), f"{folder}/Dockerfile") is expected
    assert _override_applies(tmp_path, pattern, f"{folder}/Dockerfile") is expected


def test_an_empty_override_pattern_means_every_path(tmp_path: Path) -> None:
    # The one difference the settings file needs: a .dockerignore skips an empty line.
    assert _override_applies(tmp_path, "/", "deep/down/Dockerfile")
    assert not is_ignored(parse_rules("/"), "deep/down/Dockerfile")


def test_a_leading_exclamation_mark_is_literal_in_overrides(tmp_path: Path) -> None:
    assert _override_applies(tmp_path, "!legacy", "!legacy/Dockerfile")
    assert not _override_applies(tmp_path, "!legacy", "other/Dockerfile")


def test_a_malformed_override_pattern_fails_at_its_line(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".stagify.toml").write_text('uid = 2000\n[[overrides]]\npaths = ["a/[z-a]"]\nruntime = "debian"\n')
    with pytest.raises(StagifyError) as raised:
        for_dockerfile(tmp_path / "a" / "Dockerfile")
    assert raised.value.line == 3 and "reversed" in raised.value.message
