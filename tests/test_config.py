"""Settings files: where they are found, how they merge, what they change, and how bad ones fail."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stagify import convert
from stagify.config import for_dockerfile, for_folder
from stagify.errors import StagifyError
from stagify.options import RuntimeChoice

ROOT = Path(__file__).resolve().parent.parent
GO_API = ROOT / "fixtures" / "seed-001-go-api"


@pytest.fixture(autouse=True)
def _read_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STAGIFY_NO_CONFIG", raising=False)


def repo(tmp_path: Path) -> Path:
    """A repository holding a copy of the Go seed under services/api."""
    (tmp_path / ".git").mkdir(parents=True)
    service = tmp_path / "services" / "api"
    service.mkdir(parents=True)
    for item in GO_API.rglob("*"):
        if item.is_file() and not item.name.startswith("expected"):
            target = service / item.relative_to(GO_API)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.read_bytes())
    return tmp_path


def stagify(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "STAGIFY_NO_CACHE": "1", "HOME": str(cwd or ROOT)}
    return subprocess.run([sys.executable, "-m", "stagify", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=60)


def test_nothing_found_means_defaults(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # a pyproject without [tool.stagify]
    settings = for_folder(tmp_path)
    assert settings.sources == () and settings.runtime is None and settings.pin is None


def test_nearest_file_wins_key_by_key_up_to_the_repository_root(tmp_path: Path) -> None:
    root = repo(tmp_path / "outer" / "repo")
    (tmp_path / "outer" / ".stagify.toml").write_text('runtime = "alpine"\n')  # above the repository: never read
    (root / "pyproject.toml").write_text('[tool.stagify]\npin = "digest"\nruntime = "debian"\ndockerignore = ["*.log"]\n')
    (root / "services" / ".stagify.toml").write_text('runtime = "distroless"\n')
    settings = for_dockerfile(root / "services" / "api" / "Dockerfile")
    assert settings.runtime is RuntimeChoice.DISTROLESS  # the nearer file
    assert settings.pin == "digest" and settings.dockerignore == ("*.log",)  # the root's, where the nearer is silent
    assert settings.sources == (str(root / "services" / ".stagify.toml"), str(root / "pyproject.toml"))


def test_overrides_apply_to_the_paths_they_name(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / ".stagify.toml").write_text(
        'uid = 2000\n\n[[overrides]]\npaths = ["services/api/**"]\nruntime = "debian"\nuser = "svc"\n\n'
        '[[overrides]]\npaths = ["other/*"]\nruntime = "alpine"\n'
    )
    settings = for_dockerfile(root / "services" / "api" / "Dockerfile")
    assert (settings.runtime, settings.user, settings.uid) == (RuntimeChoice.DEBIAN, "svc", 2000)
    assert for_dockerfile(root / "tools" / "Dockerfile").runtime is None


def test_settings_change_the_conversion(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / ".stagify.toml").write_text('runtime = "debian"\nuser = "svc"\nuid = 4242\ndockerignore = ["*.log", "tmp/"]\n')
    service = root / "services" / "api"
    options = for_dockerfile(service / "Dockerfile").options()
    outcome = convert((service / "Dockerfile").read_text(), context=service, options=options)
    text = outcome.dockerfile or ""
    assert "FROM debian:" in text
    assert "useradd --system --uid 4242 --gid svc" in text and "USER 4242:4242" in text
    assert "*.log" in (outcome.dockerignore or "").splitlines() and "tmp/" in (outcome.dockerignore or "").splitlines()


def test_a_user_without_a_shell_runs_by_number() -> None:
    from stagify.options import Options

    text = (GO_API / "Dockerfile").read_text()
    outcome = convert(text, context=GO_API, options=Options(uid=3000, user="svc"))
    assert "USER 3000:3000" in (outcome.dockerfile or "") and "useradd" not in (outcome.dockerfile or "")
    assert any("no shell to create the user svc" in n.message for n in outcome.notes)


def test_flags_win_over_the_file(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / ".stagify.toml").write_text('runtime = "debian"\n')
    service = root / "services" / "api"
    from_file = stagify("convert", "--stdout", str(service))
    assert "FROM debian:" in from_file.stdout, from_file.stderr
    flagged = stagify("convert", "--stdout", "--runtime", "scratch", str(service))
    assert "FROM scratch" in flagged.stdout and "FROM debian:" not in flagged.stdout


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('runtime = "debian"\nruntim = "alpine"\n', 2, "unknown key 'runtim' in .stagify.toml"),
        ('runtime = "fedora"\n', 1, "runtime must be one of scratch, distroless, alpine, debian"),
        ('uid = "10001"\n', 1, "uid must be a whole number"),
        ("uid = 0\n", 1, "uid must be a non-root user id"),
        ('user = "root"\n', 1, "user must be a non-root user name"),
        ('pin = "sha"\n', 1, "pin must be one of tag, digest"),
        ('dockerignore = "*.log"\n', 1, "dockerignore must be a list of strings"),
        ('language = "rust"\n', 1, "unknown language 'rust'"),
        ('[verify]\nport = 80\nhttps = ["/"]\n', 3, "unknown key 'https' in the verify settings"),
        ('[[overrides]]\nruntime = "debian"\n', 1, "each [[overrides]] needs paths"),
        ('[[overrides]]\npaths = ["a/**"]\nrunitme = "debian"\n', 3, "unknown key 'runitme'"),
        ("runtime = \n", 1, "not valid TOML"),
    ],
)
def test_bad_settings_name_the_file_line_and_key(tmp_path: Path, text: str, line: int, message: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".stagify.toml").write_text(text)
    with pytest.raises(StagifyError) as caught:
        for_folder(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / '.stagify.toml'}:{line}: "), str(caught.value)
    assert message in str(caught.value)


def test_unknown_key_in_pyproject_is_named_with_its_table(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.stagify]\nruntime = "debian"\ncolour = "red"\n')
    with pytest.raises(StagifyError, match=r"pyproject.toml:6: unknown key 'colour' in \[tool.stagify\]"):
        for_folder(tmp_path)


def test_a_bad_settings_file_stops_the_command_and_writes_nothing(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / ".stagify.toml").write_text("runtme = 'debian'\n")
    service = root / "services" / "api"
    before = (service / "Dockerfile").read_bytes()
    done = stagify("convert", "--write", str(service))
    assert done.returncode == 2
    assert f"{root / '.stagify.toml'}:1: unknown key 'runtme'" in done.stderr
    assert "Traceback" not in done.stderr
    assert (service / "Dockerfile").read_bytes() == before and not (service / ".dockerignore").exists()


def test_migrate_reads_each_files_settings(tmp_path: Path) -> None:
    root = repo(tmp_path)
    second = root / "services" / "worker"
    second.mkdir()
    for item in (root / "services" / "api").rglob("*"):
        if item.is_file():
            target = second / item.relative_to(root / "services" / "api")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.read_bytes())
    (second / ".stagify.toml").write_text('runtime = "debian"\n')
    done = stagify("migrate", "--json", str(root))
    files = {Path(f["dockerfile"]).parent.name: f for f in json.loads(done.stdout)}
    assert any(b.startswith("debian:") for b in files["worker"]["bases_after"])
    assert not any(b.startswith("debian:") for b in files["api"]["bases_after"])


def test_strict_in_settings_fails_a_secret(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "go.mod").write_text("module example.com/x\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text("package main\nfunc main() {}\n")
    (tmp_path / "Dockerfile").write_text("FROM golang:1.22\nENV API_TOKEN=abc123secretvalue\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n")
    assert stagify("convert", "--stdout", str(tmp_path)).returncode == 0
    (tmp_path / ".stagify.toml").write_text("strict = true\n")
    done = stagify("convert", "--stdout", str(tmp_path))
    assert done.returncode == 3 and ":2:1: STG003 " in done.stderr and "error: " in done.stderr


def test_no_config_reads_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".stagify.toml").write_text("not a key = = broken\n")
    monkeypatch.setenv("STAGIFY_NO_CONFIG", "1")
    assert for_folder(tmp_path).sources == ()


@pytest.mark.parametrize(
    "text",
    ['[tool.stagify]\nruntime = "debian"\n', '[tool]\nstagify = { runtime = "debian" }\n', '[tool]\nstagify.runtime = "debian"\n',
     '[ tool . stagify ]\nruntime = "debian"\n'],
)
def test_every_spelling_of_the_pyproject_table_is_read(tmp_path: Path, text: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n' + text)
    assert for_folder(tmp_path).runtime is RuntimeChoice.DEBIAN
