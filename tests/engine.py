"""A real Docker engine for tests, through the shared e2e scripts (engine-up, stand-ins, provide).

Builds and containers use ``--network host`` and servers are reached on 127.0.0.1 only.
Where no engine can be had the tests skip and say why, except under ``CI=true``, where
they fail instead: CI must run them.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from stagify import Options

from .helpers import shared_dir

IN_CI = os.environ.get("CI") == "true"


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but the real-engine tests cannot run: {reason}")
    pytest.skip(reason)


@dataclass(frozen=True)
class Built:
    tag: str
    seconds: float
    size: int
    user: str


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


class Engine:
    def __init__(self, e2e: Path, env: dict[str, str]) -> None:
        self.e2e = e2e
        self.env = env
        self.docker = env["DOCKER"]

    @classmethod
    def start(cls) -> Engine:
        shared = shared_dir()
        if shared is None:
            unavailable("no shared e2e folder beside this checkout (set STAGIFY_SHARED)")
        assert shared is not None
        e2e = shared / "e2e"
        up = subprocess.run([str(e2e / "engine-up")], capture_output=True, text=True, timeout=900)
        if up.returncode != 0:
            last = (up.stderr.strip().splitlines() or ["?"])[-1]
            unavailable(f"no Docker engine: {last}")
        env = dict(os.environ, DOCKER_BUILDKIT="1")
        for line in up.stdout.splitlines():
            if "=" in line:
                key, value = line.split(";")[0].split("=", 1)
                env[key.strip()] = value.strip()
        if "DOCKER" not in env:
            unavailable("engine-up printed no DOCKER client")
        stand_ins = subprocess.run([str(e2e / "stand-ins")], capture_output=True, text=True, env=env, timeout=1800)
        if stand_ins.returncode != 0:
            unavailable(f"stand-ins failed: {stand_ins.stderr.strip()[-500:]}")
        return cls(e2e, env)

    def run(self, *args: str, check: bool = True, timeout: int = 600) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([self.docker, *args], capture_output=True, text=True, env=self.env, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"docker {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def provide(self, dockerfile: Path) -> Path:
        """The path to build with; skips the case when a base cannot be had offline (exit 3)."""
        result = subprocess.run(
            [str(self.e2e / "provide"), "-q", str(dockerfile)], capture_output=True, text=True, env=self.env, timeout=300
        )
        if result.returncode == 3:
            pytest.skip(result.stderr.strip())
        assert result.returncode == 0, result.stderr
        return Path(result.stdout.strip())

    def build(self, dockerfile: Path, context: Path, tag: str) -> Built:
        path = self.provide(dockerfile)
        started = time.monotonic()
        # Benchmarks time cold builds; tests reuse the build cache.
        no_cache = ["--no-cache"] if os.environ.get("STAGIFY_E2E_NO_CACHE") == "1" else []
        result = self.run("build", *no_cache, "--network", "host", "-f", str(path), "-t", tag, str(context), check=False, timeout=1200)
        seconds = time.monotonic() - started
        if result.returncode != 0:
            raise AssertionError(f"build of {dockerfile} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
        info = json.loads(self.run("image", "inspect", tag).stdout)[0]
        return Built(tag=tag, seconds=seconds, size=int(info["Size"]), user=info["Config"].get("User") or "")

    def serve(self, image: str, name: str, port: int, paths: list[str], env: dict[str, str] | None = None) -> tuple[list[Response], int]:
        """Run the image with ``--network host``, GET each path on 127.0.0.1, return the answers and the UID."""
        self.run("rm", "-f", name, check=False)
        args = ["run", "-d", "--name", name, "--network", "host", "-e", f"ADDR=127.0.0.1:{port}", "-e", f"PORT={port}", "-e", "HOST=127.0.0.1"]
        for key, value in (env or {}).items():
            args += ["-e", f"{key}={value}"]
        try:
            self.run(*args, image)
            _wait_for_port(port, lambda: self._logs(name))
            answers = [_get(f"http://127.0.0.1:{port}{path}") for path in paths]
            pid = self.run("inspect", "-f", "{{.State.Pid}}", name).stdout.strip()
            uid = _uid_of(pid)
        finally:
            self.run("rm", "-f", name, check=False)
        return answers, uid

    def _logs(self, name: str) -> str:
        result = self.run("logs", name, check=False)
        return result.stdout + result.stderr

    def remove_images(self, *tags: str) -> None:
        self.run("rmi", "-f", *tags, check=False)


def _wait_for_port(port: int, logs, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout}s; container logs:\n{logs()}")


def _get(url: str) -> Response:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return Response(status=reply.status, body=reply.read())
    except urllib.error.HTTPError as exc:
        return Response(status=exc.code, body=exc.read())


def _uid_of(pid: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^Uid:\s+(\d+)", status, re.M)
    assert match, status
    return int(match.group(1))


def debian_twin(text: str) -> str:
    """Alpine golang tags -> their Debian twin: no Alpine package can be had offline.

    Applied to the original and the converted Dockerfile alike, so both are built
    on the same stand-in; the Dockerfile stagify produced is otherwise unchanged.
    """
    text = re.sub(r"\b(golang:[\w.]+?)-alpine[\w.]*", r"\1-bookworm", text)
    return re.sub(r"\bgolang:alpine[\w.]*", "golang:bookworm", text)


@dataclass(frozen=True)
class Comparison:
    """An example built from its original and its converted Dockerfile, both run and queried."""

    before: Built
    after: Built
    paths: list[str]
    answers_before: list[Response]
    answers_after: list[Response]
    uid_before: int
    uid_after: int

    def figures(self) -> dict[str, object]:
        return {
            "original_bytes": self.before.size,
            "converted_bytes": self.after.size,
            "original_build_s": round(self.before.seconds, 1),
            "converted_build_s": round(self.after.seconds, 1),
            "original_uid": self.uid_before,
            "converted_uid": self.uid_after,
            "converted_user": self.after.user,
        }


def compare_conversion(
    engine: Engine,
    fixture: Path,
    work: Path,
    paths: list[str],
    port: int,
    env: dict[str, str] | None = None,
    rewrite: Callable[[str], str] = lambda text: text,
    options: Options | None = None,
    variant: str = "",
) -> Comparison:
    """Convert a fixture, build both Dockerfiles on the real engine, run both and GET ``paths``.

    ``rewrite`` is applied to both Dockerfiles alike (e.g. :func:`debian_twin`). The
    converted build gets the converted .dockerignore; the images are removed afterwards.
    ``options`` are the conversion's (e.g. ``--runtime``); ``variant`` names that case in reports.
    """
    from stagify import Status, convert

    from .helpers import copy_context, dockerfile_of

    original_ctx = copy_context(fixture, work / "original")
    converted_ctx = copy_context(fixture, work / "converted")
    source = dockerfile_of(original_ctx)
    outcome = convert(source.read_bytes(), context=converted_ctx, options=options, path=source.name)
    assert outcome.status is Status.CONVERTED, outcome.error
    (converted_ctx / ".dockerignore").write_text(outcome.dockerignore or "")
    original_df = work / "Dockerfile.original"
    converted_df = work / "Dockerfile.converted"
    original_df.write_text(rewrite(source.read_text()))
    converted_df.write_text(rewrite(outcome.dockerfile or ""))
    name = fixture.name + (f"-{variant}" if variant else "")
    tag = f"stagify-e2e-test/{name}"
    before = engine.build(original_df, original_ctx, f"{tag}:original")
    after = engine.build(converted_df, converted_ctx, f"{tag}:converted")
    try:
        answers_before, uid_before = engine.serve(before.tag, f"stagify-test-{name}-orig", port, paths, env)
        answers_after, uid_after = engine.serve(after.tag, f"stagify-test-{name}-conv", port, paths, env)
    finally:
        engine.remove_images(before.tag, after.tag)
    result = Comparison(before, after, paths, answers_before, answers_after, uid_before, uid_after)
    _report(name, result.figures())
    return result


def assert_smaller_and_non_root(result: Comparison, ratio: float) -> None:
    before, after = result.before, result.after
    assert after.size <= ratio * before.size, f"{after.size} bytes is not {100 - 100 * ratio:.0f} % below {before.size}"
    assert after.user and after.user.split(":")[0] not in ("root", "0"), after.user
    assert result.uid_after != 0, "the converted container's process runs as root"


def _report(case: str, figures: dict[str, object]) -> None:
    """Figures for benchmarks/seed_images.py (and the closing notes) when it asks for them."""
    target = os.environ.get("STAGIFY_E2E_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"case": case, **figures}) + "\n")
