"""Digest pinning against a real registry (Debian's docker-registry on 127.0.0.1), and a pinned conversion built for real.

The registry holds small images pushed over the distribution API; the real-engine test
pushes the stand-ins of a conversion's bases and builds the pinned Dockerfile, which
makes the engine pull each base by its digest.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from stagify import convert
from stagify.errors import StagifyError
from stagify.images.pin import pin
from stagify.images.reference import parse_ref
from stagify.images.registry import Resolver, parse_mirrors
from stagify.plan.summary import bases as from_images

from .engine import Engine, debian_twin
from .helpers import FIXTURES, copy_context, lint
from .registry import LocalRegistry


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRegistry]:
    found = LocalRegistry.start(tmp_path_factory.mktemp("registry"))
    yield found
    found.stop()


@pytest.fixture(scope="module")
def digests(registry: LocalRegistry) -> dict[str, str]:
    return {
        "golang": registry.push_index("library/golang", "1.22.12-bookworm"),
        "static": registry.push_index("distroless/static-debian12", "nonroot"),
        "app": registry.push_index("team/app", "1.0"),
    }


def stagify(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "DOCKER_CONFIG": str(cwd / ".no-docker-config")}
    return subprocess.run([sys.executable, "-m", "stagify", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_mirrors_are_read_from_the_command_line() -> None:
    assert parse_mirrors(["http://127.0.0.1:5000", "gcr.io=https://mirror.example/gcr/"]) == {
        "docker.io": "http://127.0.0.1:5000",
        "gcr.io": "https://mirror.example/gcr",
    }
    with pytest.raises(ValueError, match="expected URL or REGISTRY=URL"):
        parse_mirrors(["127.0.0.1:5000"])


def test_pin_every_image_of_a_dockerfile(registry: LocalRegistry, digests: dict[str, str], tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        f"FROM {registry.host}/team/app:1.0 AS base\n"
        "ARG TAG=1.22.12-bookworm\n"
        "FROM golang:${TAG} AS build\n"
        f"COPY --from={registry.host}/team/app:1.0 /etc/app /etc/app\n"
        "COPY --from=base /x /x\n"
        "FROM scratch\n"
        "COPY --from=build /y /y\n"
    )
    run = stagify("pin", "--write", "--no-backup", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    text = dockerfile.read_text()
    assert f"FROM {registry.host}/team/app:1.0@{digests['app']} AS base\n" in text
    assert f"COPY --from={registry.host}/team/app:1.0@{digests['app']} /etc/app /etc/app\n" in text
    assert "FROM golang:${TAG} AS build\n" in text and "COPY --from=base /x /x\n" in text and "FROM scratch\n" in text
    assert "Dockerfile:3: info: golang:${TAG} not pinned: built from ARGs" in run.stderr
    assert stagify("pin", "--check", cwd=tmp_path).returncode == 0  # nothing left to pin


def test_docker_hub_and_gcr_images_through_mirrors(registry: LocalRegistry, digests: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM golang:1.22.12-bookworm AS builder\nFROM gcr.io/distroless/static-debian12:nonroot\n")
    mirrors = ["--registry-mirror", registry.url, "--registry-mirror", f"gcr.io={registry.url}"]
    check = stagify("pin", "--check", *mirrors, cwd=tmp_path)
    assert check.returncode == 1
    run = stagify("pin", "--stdout", *mirrors, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout == (
        f"FROM golang:1.22.12-bookworm@{digests['golang']} AS builder\n"
        f"FROM gcr.io/distroless/static-debian12:nonroot@{digests['static']}\n"
    )
    assert lint(run.stdout).returncode == 0  # a digest-pinned reference is what hadolint wants


def _image_of(from_line: str) -> str:
    """The image a FROM line names: the first word after FROM that is not a flag (``--platform=$BUILDPLATFORM``)."""
    return next(word for word in from_line.split()[1:] if not word.startswith("--"))


def test_convert_pin_digest(registry: LocalRegistry, digests: dict[str, str], tmp_path: Path) -> None:
    context = copy_context(FIXTURES / "go-runtime-scratch", tmp_path / "proj")
    wanted = [line for line in convert((context / "Dockerfile").read_bytes(), context=context).dockerfile.splitlines() if line.startswith("FROM")]  # type: ignore[union-attr]
    tag = parse_ref(_image_of(wanted[0])).tag
    expected = registry.push_index("library/golang", tag or "")
    run = stagify("convert", "--stdout", "--pin", "digest", "--registry-mirror", registry.url, "--registry-mirror",
                  f"gcr.io={registry.url}", "proj", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert f"{_image_of(wanted[0])}@{expected} AS builder" in run.stdout
    assert f"gcr.io/distroless/static-debian12:nonroot@{digests['static']}" in run.stdout
    assert lint(run.stdout).returncode == 0


def test_migrate_pins_what_the_settings_ask_for(registry: LocalRegistry, digests: dict[str, str], tmp_path: Path) -> None:
    pinned = copy_context(FIXTURES / "go-runtime-scratch", tmp_path / "org" / "pinned")
    copy_context(FIXTURES / "go-runtime-scratch", tmp_path / "org" / "plain")
    wanted = [line for line in convert((pinned / "Dockerfile").read_bytes(), context=pinned).dockerfile.splitlines() if line.startswith("FROM")]  # type: ignore[union-attr]
    expected = registry.push_index("library/golang", parse_ref(_image_of(wanted[0])).tag or "")
    (pinned / ".stagify.toml").write_text(f'pin = "digest"\nregistry_mirrors = ["{registry.url}", "gcr.io={registry.url}"]\n')
    run = stagify("migrate", "--json", "org", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    files = {Path(f["dockerfile"]).parent.name: f for f in json.loads(run.stdout)}
    assert files["pinned"]["bases_after"] == [f"{_image_of(wanted[0])}@{expected}",
                                              f"gcr.io/distroless/static-debian12:nonroot@{digests['static']}"]
    assert not any("@sha256:" in b for b in files["plain"]["bases_after"])


def test_a_missing_tag_names_the_image_and_changes_nothing(registry: LocalRegistry, digests: dict[str, str], tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.20\nFROM golang:0.0.1-nope\n")
    before = dockerfile.read_bytes()
    run = stagify("pin", "--write", "--registry-mirror", registry.url, cwd=tmp_path)
    assert run.returncode == 7
    assert run.stderr.strip().startswith(f"error: Dockerfile:1: alpine:3.20: {registry.host} has no library/alpine:3.20")
    assert dockerfile.read_bytes() == before and not (tmp_path / "Dockerfile.bak").exists()


def test_an_unreachable_registry_is_a_clear_error(tmp_path: Path) -> None:
    from .registry import free_port

    port = free_port()  # nothing listens there
    (tmp_path / "Dockerfile").write_text(f"FROM 127.0.0.1:{port}/team/app:1.0\n")
    run = stagify("pin", "--write", cwd=tmp_path)
    assert run.returncode == 7
    assert f"Dockerfile:1: 127.0.0.1:{port}/team/app:1.0: the registry 127.0.0.1:{port} cannot be reached" in run.stderr
    assert (tmp_path / "Dockerfile").read_text() == f"FROM 127.0.0.1:{port}/team/app:1.0\n"


def test_results_are_cached_for_the_run(registry: LocalRegistry, digests: dict[str, str], tmp_path: Path) -> None:
    resolver = Resolver()
    ref = parse_ref(f"{registry.host}/team/app:1.0")
    first = resolver.digest(ref)
    resolver.mirrors = {"docker.io": "http://127.0.0.1:9"}  # would fail if asked again
    text = f"FROM {ref}\nFROM {ref} AS again\n"
    assert pin(text, "Dockerfile", resolver).text == f"FROM {ref}@{first}\nFROM {ref}@{first} AS again\n"


class _TokenRegistry(http.server.BaseHTTPRequestHandler):
    """A registry that wants a Bearer token from its realm, as Docker Hub does."""

    digest = "sha256:" + "ab" * 32

    def do_GET(self) -> None:
        if self.path.startswith("/token"):
            assert "scope=repository%3Alibrary%2Fgolang%3Apull" in self.path, self.path
            self._answer(200, json.dumps({"token": "t0k"}).encode(), {"Content-Type": "application/json"})
        else:
            self.do_HEAD()

    def do_HEAD(self) -> None:
        if self.headers.get("Authorization") != "Bearer t0k":
            port = self.server.server_address[1]
            challenge = f'Bearer realm="http://127.0.0.1:{port}/token",service="test",scope="repository:library/golang:pull"'
            self._answer(401, b"", {"WWW-Authenticate": challenge})
        else:
            self._answer(200, b"", {"Docker-Content-Digest": self.digest})

    def _answer(self, code: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(code)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_the_token_flow_docker_hub_uses() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TokenRegistry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        resolver = Resolver(mirrors={"docker.io": f"http://127.0.0.1:{server.server_address[1]}"}, credentials={})
        assert resolver.digest(parse_ref("golang:1.22")) == _TokenRegistry.digest
    finally:
        server.shutdown()


def test_pin_errors_carry_the_line() -> None:
    resolver = Resolver(mirrors={"docker.io": "http://127.0.0.1:9"}, credentials={})
    with pytest.raises(StagifyError) as caught:
        pin("FROM scratch AS a\n\nFROM golang:1.22\n", "Dockerfile", resolver)
    assert caught.value.line == 3


@pytest.mark.e2e
def test_a_pinned_conversion_builds_pulling_each_base_by_digest(registry: LocalRegistry, tmp_path: Path) -> None:
    """The stand-ins of the conversion's bases are pushed to the registry; the engine pulls them by digest."""
    engine = Engine.start()
    context = copy_context(FIXTURES / "seed-003-go-hello", tmp_path / "proj")
    (context / "Dockerfile").write_text(debian_twin((context / "Dockerfile").read_text()))
    outcome = convert((context / "Dockerfile").read_bytes(), context=context)
    bases = list(dict.fromkeys(from_images(outcome.dockerfile or "")))  # FROM flags (--platform) are not images
    plain = tmp_path / "plain.Dockerfile"
    plain.write_text(outcome.dockerfile or "")
    engine.provide(plain)  # the stand-ins, tagged under the conversion's references
    docker = [engine.docker]
    for base in bases:
        ref = parse_ref(base)
        target = f"{registry.host}/{'library/' + ref.path if ref.registry is None else ref.path}:{ref.tag}"
        for args in (["tag", base, target], ["push", target]):
            subprocess.run([*docker, *args], env=engine.env, check=True, capture_output=True, timeout=600)
    run = stagify("convert", "--stdout", "--pin", "digest", "--registry-mirror", registry.url, "--registry-mirror",
                  f"gcr.io={registry.url}", "proj", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    pinned = run.stdout
    assert pinned.count("@sha256:") == len(bases)
    # the registry stands in for Docker Hub and gcr.io: the same references, with its address
    local = re.sub(r"^(FROM\s+(?:--\S+\s+)*)golang:", rf"\g<1>{registry.host}/library/golang:", pinned, flags=re.M)
    local = local.replace("gcr.io/", f"{registry.host}/")
    (tmp_path / "pinned.Dockerfile").write_text(local)
    build = subprocess.run([*docker, "build", "--network", "host", "-f", str(tmp_path / "pinned.Dockerfile"), "-t",
                            "stagify-test/pinned:latest", str(context)], env={**engine.env, "DOCKER_BUILDKIT": "1"},
                           capture_output=True, text=True, timeout=1200)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    subprocess.run([*docker, "rmi", "-f", "stagify-test/pinned:latest"], env=engine.env, capture_output=True)
