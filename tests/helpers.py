"""Shared test helpers: fixture contexts, hadolint, the shared corpus."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stagify import Options, RuntimeChoice

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
EXPECTED = ("expected.Dockerfile", "expected.skip", "expected.error")
NOT_CONTEXT = (*EXPECTED, "expected.dockerignore", "stagify.args")
# Lint-clean: hadolint at warning level, ignoring only the package-version pinning rules.
HADOLINT_IGNORED = ("DL3008", "DL3013", "DL3016", "DL3018")
# What tests/test_readme.py checked, per document: (how, snippet) pairs, for the run's closing summary.
SNIPPET_TALLY = pytest.StashKey[dict[str, list[tuple[str, str]]]]()


def shared_dir() -> Path | None:
    """The workplace's shared folder (seeds, corpus, e2e), found beside the repository."""
    for candidate in (os.environ.get("STAGIFY_SHARED"), REPO.parent / "shared", Path("/work/shared")):
        if candidate and Path(candidate, "e2e").is_dir():
            return Path(candidate)
    return None


def fixture_cases() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def dockerfile_of(folder: Path) -> Path:
    for name in ("Dockerfile", "dockerfile"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"no Dockerfile in {folder}")


def copy_context(case: Path, dest: Path) -> Path:
    """The fixture folder as a build context, without the golden files beside it."""
    shutil.copytree(case, dest, ignore=lambda _d, names: [n for n in names if n in NOT_CONTEXT])
    return dest


def fixture_options(case: Path) -> Options:
    args = (case / "stagify.args").read_text().split() if (case / "stagify.args").is_file() else []
    runtime = None
    lang = None
    for flag, value in zip(args[::2], args[1::2], strict=False):
        if flag == "--runtime":
            runtime = RuntimeChoice(value)
        elif flag == "--lang":
            lang = value
    return Options(runtime=runtime, language=lang)


def hadolint_bin() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    return found


def lint(text: str) -> subprocess.CompletedProcess[str]:
    cmd = [hadolint_bin(), "--no-color", "--failure-threshold", "warning"]
    for rule in HADOLINT_IGNORED:
        cmd += ["--ignore", rule]
    return subprocess.run([*cmd, "-"], input=text, capture_output=True, text=True)


def last_user(text: str) -> str | None:
    user = None
    for line in text.replace("\r\n", "\n").splitlines():
        if line.upper().startswith("USER "):
            user = line.split(None, 1)[1].strip()
    return user


def materialize_corpus_case(case: Path, dest: Path) -> Path:
    """A build context from a corpus case: its manifests, and empty stand-ins for what listing.txt names."""
    dest.mkdir(parents=True, exist_ok=True)
    for entry in (case / "listing.txt").read_text().splitlines():
        entry = entry.strip()
        if not entry:
            continue
        target = dest / entry.rstrip("/")
        if entry.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()
    for item in case.iterdir():
        if item.is_file() and item.name not in ("listing.txt", "SOURCE"):
            shutil.copyfile(item, dest / item.name)
    _stand_ins_for_copied_paths(case, dest)
    return dest


def _stand_ins_for_copied_paths(case: Path, dest: Path) -> None:
    """The corpus lists folders without their content: a file the Dockerfile copies from inside one gets a stand-in."""
    dockerfile = next((p for p in case.iterdir() if p.is_file() and p.name.lower() == "dockerfile"), None)
    if dockerfile is None:
        return
    for line in dockerfile.read_text(errors="replace").splitlines():
        words = line.split()
        if len(words) < 3 or words[0].upper() not in ("COPY", "ADD") or any(w.startswith("--from") for w in words):
            continue
        for source in (w for w in words[1:-1] if not w.startswith("--")):
            rel = source.lstrip("./")
            folder = dest / rel.split("/", 1)[0]
            if "/" in rel and folder.is_dir() and not any(ch in rel for ch in "*?[$") and not (dest / rel).exists():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                (dest / rel).touch()
