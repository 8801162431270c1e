"""``stagify verify`` without an engine: settings, the smoke defaults, the report, and the errors that need none.

What needs a real engine (both images built, run and compared; a broken conversion
caught) is in tests/test_e2e_verify.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stagify.cli.report import verify_json, verify_rows
from stagify.config import for_folder
from stagify.errors import StagifyError
from stagify.fleet.docker import Docker, ImageInfo, Response
from stagify.fleet.verify import Report, Side, Smoke, exposed_port, pick_source, smoke_from, verify

REPO = Path(__file__).resolve().parents[1]


def stagify(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stagify", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def project(tmp_path: Path) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM python:3.12\nCOPY app.py .\nEXPOSE 5000\nCMD [\"python\", \"app.py\"]\n")
    (folder / "app.py").write_text("print('hi')\n")
    return folder


def test_the_first_exposed_port_is_the_default() -> None:
    assert exposed_port("FROM x\nEXPOSE 8080/tcp 9090\nexpose 1\n") == 8080
    assert exposed_port("FROM x\nEXPOSE $PORT\n") is None


def test_the_changed_source_is_an_application_file(tmp_path: Path) -> None:
    for rel in ("cmd/server/main.go", "main_test.go", "vendor/x/y.go", "internal/a.go", "main.go", "README.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("package main\n")
    assert pick_source(tmp_path, "go") == "main.go"
    (tmp_path / ".dockerignore").write_text("main.go\n")
    assert pick_source(tmp_path, "go") == "internal/a.go"  # never a file the build does not see
    assert pick_source(tmp_path, "python") is None


def test_settings_from_stagify_toml_and_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.stagify.verify]\nhttp = ["/health"]\nport = 9000\n')
    found = for_folder(tmp_path)
    settings, source = found.verify, found.verify_source
    assert settings == {"http": ["/health"], "port": 9000} and source.endswith("pyproject.toml")
    (tmp_path / ".stagify.toml").write_text('[verify]\nhttp = ["/", "/api"]\nenv = { MODE = "test" }\nsmoke_cmd = "app --version"\n')
    found = for_folder(tmp_path)
    settings, source = found.verify, found.verify_source
    assert source.endswith(".stagify.toml")  # .stagify.toml is read first and wins key by key
    assert settings["port"] == 9000 and settings["http"] == ["/", "/api"]  # pyproject's port still counts
    smoke = smoke_from(settings, source, paths=[], port=None, env=["DEBUG=1"], command=None, timeout=None)
    assert smoke.paths == ("/", "/api")
    assert smoke.env == (("MODE", "test"), ("DEBUG", "1"))
    assert smoke.command == ("app", "--version")
    assert smoke_from(settings, source, paths=["/x"], port=81, env=[], command=None, timeout=5).paths == ("/x",)
    assert smoke_from({"http_status": ["/app"]}, source, paths=[], port=None, env=[], command=None, timeout=None).status_paths == ("/app",)


@pytest.mark.parametrize(
    ("settings", "env", "message"),
    [({"port": 70000}, [], "port must be"), ({"http": ["health"]}, [], "must start with /"), ({}, ["NOVALUE"], "NAME=VALUE")],
)
def test_bad_settings_are_clear_errors(settings: dict, env: list[str], message: str) -> None:
    with pytest.raises(StagifyError, match=message):
        smoke_from(settings, ".stagify.toml", paths=[], port=None, env=env, command=None, timeout=None)


def test_unreadable_settings_name_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / ".stagify.toml").write_text("[verify]\nport = \n")
    with pytest.raises(StagifyError) as caught:
        for_folder(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / '.stagify.toml'}:2: not valid TOML")


def test_the_report_table_and_json() -> None:
    before = Side("t:o", True, 10.0, 900_000_000, 12, "", 0, 9.0, (Response("GET /", 200, "hello"),))
    after = Side("t:c", True, 12.0, 9_000_000, 4, "65532:65532", 65532, 1.5, (Response("GET /", 200, "hello"),))
    report = Report(before, after, ("GET /",), "main.go")
    assert report.ok and report.same_behaviour and round(report.smaller_by or 0, 2) == 0.99
    rows = verify_rows(report)
    assert ("image size", "900.0 MB", "9.0 MB", "99.0 % smaller") in rows
    assert ("rebuild after a one-line change", "9.0 s", "1.5 s", "main.go") in rows
    assert ("GET /", "200 hello", "200 hello", "same") in rows
    data = json.loads(json.dumps(verify_json(report)))
    assert data["verified"] is True and data["converted"]["uid"] == 65532


def test_no_docker_client_is_a_clear_error(tmp_path: Path) -> None:
    folder = project(tmp_path)
    run = stagify("verify", "proj", "--no-rebuild", cwd=tmp_path, env={**os.environ, "DOCKER": str(tmp_path / "no-such-docker")})
    assert run.returncode == 6, run.stderr
    assert run.stderr.strip() == f"error: proj/Dockerfile: cannot verify: no docker client: {str(tmp_path / 'no-such-docker')!r} cannot be run (install Docker, or set DOCKER to its client)"
    assert "Traceback" not in run.stderr and sorted(p.name for p in folder.iterdir()) == ["Dockerfile", "app.py"]


def test_no_engine_is_a_clear_error(tmp_path: Path) -> None:
    project(tmp_path)
    fake = tmp_path / "docker"
    fake.write_text("#!/bin/sh\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    run = stagify("verify", "proj", cwd=tmp_path, env={**os.environ, "DOCKER": str(fake)})
    assert run.returncode == 6
    assert "cannot verify: no Docker engine answers (Cannot connect to the Docker daemon" in run.stderr


def test_sigterm_during_a_build_removes_the_throwaway_images(tmp_path: Path) -> None:
    # A CI job that is cancelled sends SIGTERM: verify stops as on Ctrl-C, removes what it tagged, exits 143.
    project(tmp_path)
    log = tmp_path / "calls.log"
    fake = tmp_path / "docker"
    fake.write_text(f"""#!/bin/sh
echo "$*" >> {log}
case "$1" in
  version) echo 20.10.24 ;;
  build) exec sleep 60 ;;
  *) exit 1 ;;
esac
""")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    command = [sys.executable, "-m", "stagify", "verify", "proj", "--no-rebuild"]
    with subprocess.Popen(command, cwd=tmp_path, env={**os.environ, "DOCKER": str(fake)}, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as process:
        deadline = time.monotonic() + 60
        # the build itself, not `docker buildx version`, which runs first
        while not (log.exists() and any(line.startswith("build ") for line in log.read_text().splitlines())) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert "Traceback" not in stderr
    tagged = re.search(r" -t (\S+)", log.read_text())
    assert tagged, log.read_text()
    removed = [line for line in log.read_text().splitlines() if line.startswith("rmi ")]
    assert removed and tagged.group(1) in removed[0].split(), log.read_text()


def test_verify_of_what_cannot_be_converted_says_where(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "Dockerfile").write_text("RUN echo\n")
    run = stagify("verify", "proj", cwd=tmp_path, env=dict(os.environ))
    assert run.returncode == 3
    assert run.stderr.startswith("proj/Dockerfile:1:1: STG002 ")


class _SizedEngine(Docker):
    """An engine that builds nothing: each tag has the size given, and every run answers the same."""

    def __init__(self, sizes: dict[str, int]) -> None:
        super().__init__("docker")
        self.sizes = sizes

    def check(self) -> str:
        return "fake"

    def build(self, dockerfile: Path, context: Path, tag: str, no_cache: bool = False) -> float:
        return 0.1

    def inspect(self, tag: str) -> ImageInfo:
        return ImageInfo(size=self.sizes["original" if ":original-" in tag else "converted"], layers=3, user="10001")

    def run_command(self, tag: str, command: tuple[str, ...], env: tuple[tuple[str, str], ...], timeout: float = 120,
                    stdin: str | None = None) -> Response:
        return Response("run", 0, "hi")

    def remove_images(self, *tags: str) -> None:
        pass


@pytest.mark.parametrize(("converted", "fails"), [(90_000_000, False), (100_000_001, True)])
def test_verify_fails_when_the_conversion_is_bigger(tmp_path: Path, converted: int, fails: bool) -> None:
    engine = _SizedEngine({"original": 100_000_000, "converted": converted})
    report = verify("FROM a\n", "FROM b\n", tmp_path, converted_ignore=None, smoke=Smoke(run_image=True), docker=engine,
                    rebuild=False, check_files=False)
    bigger = [p for p in report.problems if "bigger than the original" in p]
    assert bool(bigger) is fails and report.ok is not fails, report.problems
    if fails:
        assert bigger == ["the converted image is bigger than the original: 100.0 MB against 100.0 MB (+0.0 MB)"]
        assert "BIGGER" in verify_rows(report)[0][3]


@pytest.mark.parametrize(
    ("output", "image"),
    [
        # BuildKit 0.8 (docker 20.10) on a machine without a registry: the DNS server is no image
        ('#2 [internal] load metadata for docker.io/library/debian:bookworm-slim\n'
         '#3 [internal] load metadata for docker.io/library/golang:1.21\n#3 ERROR: failed to do request: Head '
         '"https://registry-1.docker.io/v2/library/golang/manifests/1.21": dial tcp: lookup registry-1.docker.io on '
         '10.255.255.53:53: no such host\n------\n > [internal] load metadata for docker.io/library/golang:1.21:\n',
         "golang:1.21"),
        ("ERROR: failed to solve: gcr.io/distroless/static-debian12:nonroot: failed to resolve source metadata for "
         "gcr.io/distroless/static-debian12:nonroot: i/o timeout", "gcr.io/distroless/static-debian12:nonroot"),
        ("pull access denied for acme/private-base, repository does not exist", "acme/private-base"),
        ("ERROR: no such host", "a base image"),
    ],
    ids=["dns server in the error", "resolve source metadata", "pull access denied", "no image named"],
)
def test_a_build_that_cannot_pull_names_the_image_not_a_host(output: str, image: str) -> None:
    from stagify.fleet.docker import unpullable_image

    assert unpullable_image(output) == image
