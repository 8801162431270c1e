"""A real Docker engine for tests, and the base images its builds need.

The base images come one of two ways (``STAGIFY_E2E_IMAGES``, CONTRIBUTING.md "Real-engine tests"):
``registry``, the developer's own engine pulling the real images, or ``stand-ins``, the shared e2e
scripts (engine-up, stand-ins, provide) that build local stand-ins of the official images for machines
that reach no registry; ``auto`` (the default) asks the engine whether Docker Hub answers.

Comparisons go through ``stagify.fleet.verify``, the library behind ``stagify verify``; this
module only starts the engine and provides the base images. Builds and
containers use ``--network host`` and servers are reached on 127.0.0.1 only.
Where no engine can be had the tests skip and say why, except under ``CI=true``, where
they fail instead: CI must run them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path

import pytest

from stagify import Options
from stagify.dockerfile.model import Keyword
from stagify.dockerfile.parse import parse
from stagify.fleet.docker import Docker, Response
from stagify.fleet.verify import Report, Side, Smoke, verify

from .helpers import shared_dir

IN_CI = os.environ.get("CI") == "true"


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but the real-engine tests cannot run: {reason}")
    pytest.skip(reason)


class Images(str, Enum):
    """Where the e2e builds get their base images (``STAGIFY_E2E_IMAGES``)."""

    REGISTRY = "registry"    # the engine pulls the real images
    STAND_INS = "stand-ins"  # the shared e2e scripts tag local stand-ins; nothing is pulled
    AUTO = "auto"            # registry when the engine reaches Docker Hub, else stand-ins


IMAGES_VARIABLE = "STAGIFY_E2E_IMAGES"


def images_setting(environ: Mapping[str, str] = os.environ) -> Images:
    """The setting, ``auto`` when unset; a value of no known kind is a usage error, not a silent default."""
    value = environ.get(IMAGES_VARIABLE, "").strip().lower() or Images.AUTO.value
    try:
        return Images(value)
    except ValueError:
        known = ", ".join(choice.value for choice in Images)
        raise pytest.UsageError(f"{IMAGES_VARIABLE}={value!r}: expected one of {known}") from None


@dataclass(frozen=True)
class Choice:
    """The way the base images come (registry or stand-ins), and why; ``images`` None: none can be had."""

    images: Images | None
    reason: str


def choose_images(setting: Images, has_stand_ins: bool, registry_answers: Callable[[], bool]) -> Choice:
    """Registry or stand-ins, from the setting, the shared e2e folder and, for ``auto`` only, a registry ping."""
    if setting is Images.REGISTRY:
        return Choice(Images.REGISTRY, f"{IMAGES_VARIABLE}=registry: the engine pulls the real base images")
    if setting is Images.STAND_INS:
        if not has_stand_ins:
            return Choice(None, f"{IMAGES_VARIABLE}=stand-ins, but no shared e2e folder beside this checkout "
                                "(set STAGIFY_SHARED)")
        return Choice(Images.STAND_INS, f"{IMAGES_VARIABLE}=stand-ins: local stand-ins of the official images")
    if registry_answers():
        return Choice(Images.REGISTRY, "auto: the engine reaches Docker Hub, so it pulls the real base images")
    if has_stand_ins:
        return Choice(Images.STAND_INS, "auto: no registry answers through the engine; local stand-ins of the "
                                        "official images")
    return Choice(None, "auto: no registry answers through the engine and no shared e2e folder beside this "
                        "checkout for the stand-ins (set STAGIFY_SHARED)")


def registry_answers(docker: str, env: Mapping[str, str], timeout: float = 20) -> bool:
    """Whether the engine reaches Docker Hub: ``docker search`` goes through the engine and pulls nothing."""
    try:
        probe = subprocess.run([docker, "search", "--limit", "1", "hello-world"], capture_output=True, text=True,
                               env=dict(env), timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


class Engine:
    def __init__(self, e2e: Path | None, env: dict[str, str], images: Images = Images.STAND_INS) -> None:
        self.e2e = e2e
        self.env = env
        self.docker = env["DOCKER"]
        self.images = images

    @classmethod
    def start(cls) -> Engine:
        """The engine, its client and the base images, decided once per session (the probes take seconds)."""
        engine = _started(images_setting())
        if isinstance(engine, str):
            unavailable(engine)
        assert isinstance(engine, Engine)
        return engine

    @staticmethod
    def _engine_up(e2e: Path) -> dict[str, str] | str:
        """The shared scripts' engine (started if need be) and client, or why there is none."""
        up = subprocess.run([str(e2e / "engine-up")], capture_output=True, text=True, timeout=900)
        if up.returncode != 0:
            last = (up.stderr.strip().splitlines() or ["?"])[-1]
            return f"no Docker engine: {last}"
        env = dict(os.environ, DOCKER_BUILDKIT="1")
        for line in up.stdout.splitlines():
            if "=" in line:
                key, value = line.split(";")[0].split("=", 1)
                env[key.strip()] = value.strip()
        if "DOCKER" not in env:
            return "engine-up printed no DOCKER client"
        return env

    @staticmethod
    def _own_client() -> dict[str, str] | str:
        """The developer's engine: ``$DOCKER``, else ``docker`` on PATH, answering ``docker info``."""
        docker = os.environ.get("DOCKER") or shutil.which("docker")
        if not docker:
            return "no docker client ($DOCKER, or docker on PATH)"
        env = dict(os.environ, DOCKER_BUILDKIT="1", DOCKER=docker)
        info = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True,
                              env=env, timeout=60)
        if info.returncode != 0:
            return f"no Docker engine answers {docker}: {(info.stderr.strip().splitlines() or ['?'])[-1]}"
        return env

    def docker_client(self) -> Docker:
        """stagify's own Docker client (what ``stagify verify`` uses), on this engine."""
        return Docker(self.docker, self.env)

    def provide(self, dockerfile: Path) -> Path:
        """The path to build with, its bases present; skips the case when a base cannot be had offline (exit 3)."""
        if self.images is Images.REGISTRY:
            for image in base_images(dockerfile.read_text()):
                pulled = subprocess.run([self.docker, "pull", "-q", image], capture_output=True, text=True, env=self.env,
                                        timeout=900)
                assert pulled.returncode == 0, f"{dockerfile}: cannot pull {image}: {pulled.stderr.strip()[-500:]}"
            return dockerfile
        assert self.e2e is not None
        result = subprocess.run(
            [str(self.e2e / "provide"), "-q", str(dockerfile)], capture_output=True, text=True, env=self.env, timeout=300
        )
        if result.returncode == 3:
            pytest.skip(result.stderr.strip())
        assert result.returncode == 0, result.stderr
        return Path(result.stdout.strip())

    def provided(self, text: str, work: Path, name: str) -> str:
        """The Dockerfile text after its bases were made available (provide may rewrite it, e.g. drop a digest)."""
        path = work / name
        path.write_text(text)
        return self.provide(path).read_text()


@cache
def _started(setting: Images) -> Engine | str:
    """The engine for this session, or why there is none (cached: every e2e module asks)."""
    shared = shared_dir()
    e2e = shared / "e2e" if shared is not None else None
    # The shared scripts start an engine where none runs; a registry-only run uses the developer's own.
    env = Engine._engine_up(e2e) if e2e is not None and setting is not Images.REGISTRY else Engine._own_client()
    if isinstance(env, str):
        return env
    choice = choose_images(setting, e2e is not None, lambda: registry_answers(env["DOCKER"], env))
    if choice.images is None:
        return choice.reason
    if choice.images is Images.STAND_INS:
        assert e2e is not None
        stand_ins = subprocess.run([str(e2e / "stand-ins")], capture_output=True, text=True, env=env, timeout=1800)
        if stand_ins.returncode != 0:
            return f"stand-ins failed: {stand_ins.stderr.strip()[-500:]}"
    return Engine(e2e, env, choice.images)


def base_images(text: str) -> list[str]:
    """The images a Dockerfile builds from (FROM, ``COPY --from``), less its stages and ``scratch``."""
    dockerfile = parse(text)
    stages = {stage.alias.lower() for stage in dockerfile.stages if stage.alias}
    stages |= {str(stage.index) for stage in dockerfile.stages} | {"scratch"}
    images = [stage.image.resolved for stage in dockerfile.stages]
    images += [value for instruction in dockerfile.instructions
               if instruction.keyword is Keyword.COPY and (value := instruction.flag("from"))]
    return list(dict.fromkeys(image for image in images if image.lower() not in stages))


def debian_twin(text: str) -> str:
    """Alpine golang tags -> their Debian twin: no Alpine package can be had offline.

    Applied to the original and the converted Dockerfile alike, so both are built
    on the same stand-in; the Dockerfile stagify produced is otherwise unchanged.
    """
    text = re.sub(r"\b(golang:[\w.]+?)-alpine[\w.]*", r"\1-bookworm", text)
    return re.sub(r"\bgolang:alpine[\w.]*", "golang:bookworm", text)


@dataclass(frozen=True)
class Comparison:
    """An example built from its original and its converted Dockerfile, both run and queried, by stagify verify."""

    report: Report
    paths: list[str]

    @property
    def before(self) -> Side:
        return self.report.original

    @property
    def after(self) -> Side:
        return self.report.converted

    @property
    def answers_before(self) -> list[Response]:
        return list(self.report.original.answers)

    @property
    def answers_after(self) -> list[Response]:
        return list(self.report.converted.answers)

    def figures(self) -> dict[str, object]:
        before, after = self.report.original, self.report.converted
        return {
            "original_bytes": before.size,
            "converted_bytes": after.size,
            "original_build_s": round(before.build_seconds or 0, 1),
            "converted_build_s": round(after.build_seconds or 0, 1),
            "original_rebuild_s": before.rebuild_seconds and round(before.rebuild_seconds, 1),
            "converted_rebuild_s": after.rebuild_seconds and round(after.rebuild_seconds, 1),
            "original_uid": before.uid,
            "converted_uid": after.uid,
            "converted_user": after.user,
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
    rebuild: bool = False,
    status_paths: tuple[str, ...] = (),
) -> Comparison:
    """Convert a fixture and prove it with ``stagify.fleet.verify``: both Dockerfiles built, run and queried on ``paths``.

    ``rewrite`` is applied to both Dockerfiles alike (e.g. :func:`debian_twin`) before the
    stand-ins are provided for them. The converted build reads the converted .dockerignore;
    ``rebuild`` also measures both rebuilds after a one-line source change. The images are
    removed afterwards.
    """
    from stagify import Status, convert

    from .helpers import copy_context, dockerfile_of

    context = copy_context(fixture, work / "context")
    source = dockerfile_of(context)
    outcome = convert(source.read_bytes(), context=context, options=options, path=source.name)
    assert outcome.status is Status.CONVERTED, outcome.error
    original = engine.provided(rewrite(source.read_text()), work, "Dockerfile.original")
    converted = engine.provided(rewrite(outcome.dockerfile or ""), work, "Dockerfile.converted")
    name = fixture.name + (f"-{variant}" if variant else "")
    pairs = {"ADDR": f"127.0.0.1:{port}", "PORT": str(port), "HOST": "127.0.0.1", **(env or {})}
    # status_paths: answers that differ by nature (a timestamp in an error page) compare by status only.
    smoke = Smoke(paths=tuple(paths), status_paths=status_paths, port=port, env=tuple(pairs.items()))
    # STAGIFY_E2E_NO_CACHE=1: the benchmark times cold builds; the tests reuse the build cache.
    cold = os.environ.get("STAGIFY_E2E_NO_CACHE") == "1"
    report = verify(original, converted, context, converted_ignore=outcome.dockerignore, smoke=smoke,
                    docker=engine.docker_client(), language=outcome.language, rebuild=rebuild, name=name, no_cache=cold,
                    left_behind=outcome.left_behind)
    assert report.converted.built, report.problems
    result = Comparison(report, paths)
    _report(name, result.figures())
    return result


def assert_smaller_and_non_root(result: Comparison, ratio: float) -> None:
    before, after = result.before, result.after
    assert before.size and after.size
    assert after.size <= ratio * before.size, f"{after.size} bytes is not {100 - 100 * ratio:.0f} % below {before.size}"
    assert after.user and after.user.split(":")[0] not in ("root", "0"), after.user
    assert after.uid not in (None, 0), f"the converted container's process runs as uid {after.uid}"


def record(case: str, report: Report) -> None:
    """A verify report's sizes and users for benchmarks/seed_images.py and the closing figures, when asked for."""
    _report(case, Comparison(report, []).figures())


def _report(case: str, figures: dict[str, object]) -> None:
    """Figures for benchmarks/seed_images.py (and the closing notes) when it asks for them."""
    target = os.environ.get("STAGIFY_E2E_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"case": case, **figures}) + "\n")
