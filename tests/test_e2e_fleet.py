"""Remote engines and ``migrate --verify`` on a real engine that is not the default one.

A second dockerd runs for this session on 127.0.0.1:<free port> only (its own data root,
exec root and pidfile in a temporary folder; no bridge, no iptables, no NAT, no unix socket),
loaded with just the stand-in images these tests build from, and stopped and removed at the
end. stagify reaches it through ``--docker-host`` and through a docker context: the build
contexts are sent by the client, and the containers' ports are on the engine's host
(127.0.0.1 here). ``migrate --verify`` runs over three small repositories with one and with
two jobs, and the wall time of each run is printed (and recorded when STAGIFY_E2E_REPORT asks).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stagify import convert
from stagify.plan.summary import bases

from .engine import Engine, unavailable
from .helpers import FIXTURES, copy_context
from .test_migrate import git, make_repo

pytestmark = pytest.mark.e2e
FLASK_PORT = 18321  # the api and the dice app both want it: their containers take turns
HELLO_PORT = 18322
FIXTURE_CASES = ("python-flask-e2e", "java-javac-e2e")


@dataclass(frozen=True)
class SecondEngine:
    url: str
    env: dict[str, str]  # the main engine's environment (DOCKER: the client), without DOCKER_HOST

    def docker(self, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run([self.env["DOCKER"], "-H", self.url, *args], env=self.env, capture_output=True, text=True,
                              timeout=600, **kwargs)  # type: ignore[call-overload,no-any-return]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _main_engine_lock() -> Iterator[None]:
    """STAGIFY_ENGINE_LOCK names a lock file that people sharing the main engine take around its use: only the
    stand-ins and the image transfer use it; the second engine is this session's own."""
    path = os.environ.get("STAGIFY_ENGINE_LOCK")
    if not path:
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def second_engine() -> Iterator[SecondEngine]:
    with _main_engine_lock():
        main = Engine.start()
    dockerd = shutil.which("dockerd")
    if os.geteuid() != 0 or dockerd is None:
        unavailable("a second dockerd needs root and the dockerd program")
    assert dockerd is not None
    work = Path(tempfile.mkdtemp(prefix="stagify-e2e-engine-"))
    url = f"tcp://127.0.0.1:{_free_port()}"
    log = (work / "dockerd.log").open("w")
    daemon = subprocess.Popen(
        [dockerd, "--host", url, "--data-root", str(work / "data"), "--exec-root", str(work / "exec"),
         "--pidfile", str(work / "dockerd.pid"), "--bridge=none", "--iptables=false", "--ip-masq=false",
         "--ip-forward=false", "--tls=false"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    env = {k: v for k, v in main.env.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT")}
    engine = SecondEngine(url, env)
    try:
        deadline = time.monotonic() + 60
        while engine.docker("version", "--format", "{{.Server.Version}}").returncode != 0:
            if daemon.poll() is not None or time.monotonic() > deadline:
                unavailable("a second dockerd did not come up: " + (work / "dockerd.log").read_text()[-500:])
            time.sleep(0.5)
        with _main_engine_lock():
            _load(main, engine)
        yield engine
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(60)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(10)
        log.close()
        _unmount_under(work)  # a stopped dockerd leaves its network namespace mounted under the exec root
        shutil.rmtree(work, ignore_errors=True)


def _unmount_under(folder: Path) -> None:
    mounts = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()]
    for point in sorted((m for m in mounts if m.startswith(f"{folder}/")), key=len, reverse=True):
        subprocess.run(["umount", point], capture_output=True, timeout=30)


def _load(main: Engine, engine: SecondEngine) -> None:
    """The base images of the fixtures' originals and conversions, from the main engine's stand-ins, and nothing else."""
    names: set[str] = set()
    with tempfile.TemporaryDirectory() as scratch:
        for case in FIXTURE_CASES:
            original = (FIXTURES / case / "Dockerfile").read_text()
            converted = convert(original.encode(), context=FIXTURES / case).dockerfile or ""
            for index, text in enumerate((original, converted)):
                main.provided(text, Path(scratch), f"{case}-{index}.Dockerfile")
                names.update(bases(text))
    saved = subprocess.Popen([main.docker, "save", *sorted(names)], stdout=subprocess.PIPE, env=main.env)
    loaded = subprocess.run([main.docker, "-H", engine.url, "load"], stdin=saved.stdout, env=engine.env, capture_output=True,
                            text=True, timeout=900)
    assert saved.wait(900) == 0 and loaded.returncode == 0, loaded.stderr
    listed = engine.docker("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
    assert sorted(listed) == sorted(names)  # just the images the tests need


def stagify(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stagify", *args], cwd=cwd, env={**env, "COLUMNS": "200"},
                          capture_output=True, text=True, timeout=1800)


def test_verify_builds_and_runs_on_a_tcp_engine(second_engine: SecondEngine, tmp_path: Path) -> None:
    slug = f"remote-proof-{os.getpid()}"
    copy_context(FIXTURES / "python-flask-e2e", tmp_path / slug)
    run = stagify("verify", slug, "--docker-host", second_engine.url, "--port", str(FLASK_PORT), "--env", f"PORT={FLASK_PORT}",
                  "--env", "HOST=127.0.0.1", "--http", "/items/7", "--no-rebuild", "--keep-images", "--json",
                  cwd=tmp_path, env=second_engine.env)
    assert run.returncode == 0, run.stdout + run.stderr
    (report,) = json.loads(run.stdout)  # --format json is always a list
    assert report["verified"] and [a["status"] for a in report["converted"]["answers"]] == [200]
    assert report["converted"]["uid"] not in (0, None)
    # built and kept on the second engine, not on the one the client would reach by default
    there = second_engine.docker("images", "-q", f"stagify-verify/{slug}").stdout.split()
    with _main_engine_lock():
        here = subprocess.run([second_engine.env["DOCKER"], "images", "-q", f"stagify-verify/{slug}"], env=second_engine.env,
                              capture_output=True, text=True, check=True).stdout.split()
    assert len(there) == 2 and here == []
    second_engine.docker("rmi", "-f", *there)


def test_verify_through_a_docker_context_with_a_command_inside_the_container(second_engine: SecondEngine, tmp_path: Path) -> None:
    env = {**second_engine.env, "DOCKER_CONFIG": str(tmp_path / "docker-config")}  # the user's own contexts are left alone
    created = subprocess.run([env["DOCKER"], "context", "create", "fleet-e2e", "--docker", f"host={second_engine.url}"],
                             env=env, capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    copy_context(FIXTURES / "python-flask-e2e", tmp_path / "proj")
    run = stagify("verify", "proj", "--context-name", "fleet-e2e", "--smoke-cmd",
                  "python -c 'import flask, importlib.metadata as m; print(m.version(\"flask\"))'", "--no-rebuild", "--json",
                  cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    (report,) = json.loads(run.stdout)  # --format json is always a list
    answers = [(a["status"], a["body"].strip()) for a in report["converted"]["answers"]]
    assert answers == [(a["status"], a["body"].strip()) for a in report["original"]["answers"]]
    assert answers[-1][0] == 0 and answers[-1][1][0].isdigit()  # a version number, printed inside the container


def _org(root: Path) -> Path:
    """Three repositories to prove (one answers at random: never the same twice) and one already multi-stage."""
    org = root / "org"
    settings = '[verify]\nport = {port}\nenv = {{ PORT = "{port}", HOST = "127.0.0.1" }}\n'
    for name, case, port in (("api", "python-flask-e2e", FLASK_PORT), ("hello", "java-javac-e2e", HELLO_PORT),
                             ("dice", "python-flask-e2e", FLASK_PORT)):
        repo = make_repo(org / name, case)
        (repo / ".stagify.toml").write_text(settings.format(port=port))
        if name == "dice":
            app = repo / "app.py"
            app.write_text(app.read_text().replace('return {"service": "flask"', 'import random\n\n    return {"roll": random.random(), "service": "flask"'))
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "verify settings")
    make_repo(org / "done", "go-already-multistage")
    return org


def test_migrate_verify_gives_each_repository_its_verdict(second_engine: SecondEngine, tmp_path: Path) -> None:
    timings: dict[int, float] = {}
    for jobs in (1, 2):
        # Each run starts with the engine's build cache empty (the base images stay): the two times compare.
        second_engine.docker("builder", "prune", "-af")
        org = _org(tmp_path / f"jobs{jobs}")
        started = time.monotonic()
        run = stagify("migrate", "org", "--verify", "--jobs", str(jobs), "--docker-host", second_engine.url, "--write",
                      "--git-branch", "stagify/multi-stage", "--ci", "github", "--report", "report.json",
                      cwd=org.parent, env=second_engine.env)
        timings[jobs] = time.monotonic() - started
        assert run.returncode == 5, run.stdout + run.stderr  # one repository is not verified
        report = json.loads((org.parent / "report.json").read_text())
        verdicts = {Path(r["repository"]).name: (r["verdict"], r["reason"]) for r in report["repositories"]}
        assert verdicts["api"] == ("verified", "") and verdicts["hello"] == ("verified", ""), verdicts
        assert verdicts["dice"][0] == "different" and verdicts["dice"][1].startswith("GET /: the original answered 200")
        assert verdicts["done"][0] == "skipped" and "already multi-stage" in verdicts["done"][1]
        assert report["verdicts"] == {"verified": 2, "different": 1, "build failed": 0, "skipped": 1}
        # the verified repositories are committed with their CI proof; the one that answers differently is not written
        for name in ("api", "hello"):
            committed = git(org / name, "show", "--name-only", "--format=", "HEAD").split()
            assert "Dockerfile" in committed and ".github/workflows/stagify-verify.yml" in committed
        assert git(org / "dice", "branch", "--show-current").strip() == "main"
        assert git(org / "dice", "status", "--porcelain") == ""
        assert str((org / "dice").resolve()) in report["not_written_unverified"]
        # the table on standard output, a line per repository on standard error (not a terminal)
        assert "stagify migrate --verify" in run.stdout and "different" in run.stdout
        assert sum(line.startswith("[") and "/4] " in line for line in run.stderr.splitlines()) == 4
    print(f"\nmigrate --verify over 3 repositories: --jobs 1 {timings[1]:.0f} s, --jobs 2 {timings[2]:.0f} s")
    target = os.environ.get("STAGIFY_E2E_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"case": "migrate-verify", "jobs1_s": round(timings[1], 1), "jobs2_s": round(timings[2], 1)}) + "\n")
