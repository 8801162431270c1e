"""Hostile input, through the command line: deep nesting, exponential expansion, pathological patterns,
special files, broken registries and settings. Each case ends in one ``PATH[:LINE]: message`` line and
a documented exit code, never a traceback, a crash or a hang.

No assertion here is about time: a subprocess timeout only guards against a hang (speed targets are in
``benchmarks/limits.py``).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

GUARD = 120  # seconds: only a hang reaches it
GO_APP = {"go.mod": "module example.com/app\n\ngo 1.22\n", "main.go": "package main\n\nfunc main() {}\n"}
GO_TAIL = "WORKDIR /app\nCOPY . .\nRUN go build -o /app/server .\nCMD [\"/app/server\"]\n"
GO_DOCKERFILE = "FROM golang:1.22\n" + GO_TAIL
NODE_DOCKERFILE = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n"
PY_DOCKERFILE = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
JAVA_DOCKERFILE = "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD [\"java\", \"-jar\", \"target/d-1.jar\"]\n"


def stagify(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = GUARD) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stagify", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, stdin=subprocess.DEVNULL, errors="replace")


def project(root: Path, dockerfile: str, files: dict[str, str]) -> Path:
    folder = root / "proj"
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    folder.mkdir(exist_ok=True)
    (folder / "Dockerfile").write_text(dockerfile)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line(run: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert lines, run.stdout[-500:]
    return lines[0]


# -- variable expansion ---------------------------------------------------------------------------

DEEP = "${A:-" * 1000 + "x" + "}" * 1000
ARG_CHAIN = "ARG A0=xxxxxxxxxxxxxxxx\n" + "".join(f"ARG A{i}=$A{i - 1}$A{i - 1}\n" for i in range(1, 31)) + GO_DOCKERFILE
ENV_CHAIN = "FROM golang:1.22\nENV A0=xxxxxxxxxxxxxxxx\n" + "".join(f"ENV A{i}=$A{i - 1}$A{i - 1}\n" for i in range(1, 31)) + GO_TAIL

EXPANSIONS = [
    ("WORKDIR nested 1,000 deep", f"FROM golang:1.22\nWORKDIR {DEEP}\n" + GO_TAIL, "proj/Dockerfile:2:1: STG002 variables nested more than 32 deep"),
    ("FROM nested 1,000 deep", f"ARG A\nFROM {DEEP}\n" + GO_TAIL, "proj/Dockerfile:2:1: STG002 variables nested more than 32 deep"),
    ("ARG chain doubling 30 times", ARG_CHAIN, "proj/Dockerfile:18:1: STG002 the value grows past 1,048,576 characters"),
    ("ENV chain doubling 30 times", ENV_CHAIN, "proj/Dockerfile:19:1: STG002 the value grows past 1,048,576 characters"),
    ("a go build output of 2,000 references", "FROM golang:1.22\nENV A=" + "x" * 1000 + "\nWORKDIR /app\nCOPY . .\n"
     "RUN go build -o " + "$A" * 2000 + " ./cmd/x\nCMD [\"/app/server\"]\n", "proj/Dockerfile:5:1: STG002 the value grows past 1,048,576 characters"),
]


@pytest.mark.parametrize(("dockerfile", "message"), [c[1:] for c in EXPANSIONS], ids=[c[0] for c in EXPANSIONS])
def test_expansion_past_its_limits_is_an_error_at_its_line(tmp_path: Path, dockerfile: str, message: str) -> None:
    project(tmp_path, dockerfile, GO_APP)
    run = stagify("convert", "--stdout", "proj", cwd=tmp_path)
    assert run.returncode == 3 and one_line(run).startswith(message), run.stderr[-2000:]


def test_more_instructions_than_the_limit_are_refused_at_the_first_one_past_it(tmp_path: Path) -> None:
    project(tmp_path, "FROM golang:1.22\n" + "EXPOSE 8080\n" * 500_000, GO_APP)
    run = stagify("convert", "--stdout", "proj", cwd=tmp_path)
    assert (run.returncode, one_line(run)) == (3, "proj/Dockerfile:500001:1: STG002 more than 500,000 instructions: stagify converts at most that many")


def test_the_environment_is_shared_between_instructions_not_copied() -> None:
    """Every state of a walk views one history: memory grows with the values set, not with states x names."""
    from stagify.dockerfile.parse import parse
    from stagify.dockerfile.walk import BaseDefaults, Env, walk

    lines = "".join(f"ENV V{i}=value{i}\nRUN echo $V{i}\n" for i in range(2000))
    stage = parse("FROM golang:1.22\n" + lines).stages[0]
    walked = walk(stage, BaseDefaults())
    envs = [w.state.env for w in walked]
    assert all(isinstance(e, Env) for e in envs)
    assert envs[-1].stored_bytes == sum(len(f"value{i}") for i in range(2000))
    assert envs[1]["V0"] == "value0" and "V1" not in envs[1] and envs[-1]["V1999"] == "value1999"
    assert len(envs[-1]) == 2000 and dict(envs[2]) == {"V0": "value0", "V1": "value1"}


def test_a_stage_whose_environment_outgrows_the_limit_is_refused_at_the_line(tmp_path: Path) -> None:
    from stagify.dockerfile.walk import MAX_ENV_BYTES

    per_line = 1_000_000  # each ENV expands to about 1 MB, under the per-value limit
    count = MAX_ENV_BYTES // per_line + 2
    lines = "ENV A=" + "x" * 1000 + "\n" + "".join(f"ENV B{i}=" + "$A" * (per_line // 1000) + "\n" for i in range(count))
    project(tmp_path, "FROM golang:1.22\n" + lines + GO_TAIL, GO_APP)
    run = stagify("convert", "--stdout", "proj", cwd=tmp_path)
    assert run.returncode == 3 and "ENV values add up to more than 67,108,864 bytes" in one_line(run)


# -- nested data in the build context --------------------------------------------------------------


def _requirements_chain(count: int) -> dict[str, str]:
    names = ["requirements.txt", *(f"requirements{i}.txt" for i in range(1, count))]
    return {name: f"-r {names[i + 1]}\nflask\n" if i + 1 < count else "flask\n" for i, name in enumerate(names)}


PROPERTIES = "".join(f"<p{i}>" + f"${{p{i - 1}}}" * 30 + f"</p{i}>" for i in range(1, 8))
EXPONENTIAL_POM = ("<project><artifactId>d</artifactId><version>1</version><properties><p0>xxxxxxxxxxxx</p0>"
                   f"{PROPERTIES}<java.version>${{p7}}</java.version></properties></project>")

CONTEXT_FILES = [
    ("package.json of 100,000 [", NODE_DOCKERFILE, {"package.json": "[" * 100_000, "server.js": ""}, 3,
     "proj/package.json: nested more than 1,000 levels deep"),
    ("pyproject.toml nested 50,000 deep", PY_DOCKERFILE, {"pyproject.toml": "a = " + "[" * 50_000, "app.py": ""}, 3,
     "proj/pyproject.toml: nested more than 1,000 levels deep"),
    ("[tool.stagify] nested 50,000 deep", GO_DOCKERFILE, {**GO_APP, "pyproject.toml": "[tool.stagify]\na = " + "[" * 50_000}, 2,
     "pyproject.toml: not valid TOML: nested more than 1,000 levels deep"),
    (".stagify.toml nested 50,000 deep", GO_DOCKERFILE, {**GO_APP, ".stagify.toml": "a = " + "{b=" * 50_000}, 2,
     ".stagify.toml: not valid TOML: nested more than 1,000 levels deep"),
    ("1,500 requirements files chained by -r", PY_DOCKERFILE, {**_requirements_chain(1500), "app.py": ""}, 3,
     "proj/requirements255.txt:1: STG002 more than 256 requirements files included"),
    (".dockerignore line []", GO_DOCKERFILE, {**GO_APP, ".dockerignore": "*.log\n[]\n"}, 3,
     "proj/.dockerignore:2: STG002 bad pattern '[]': an empty character class"),
    (".dockerignore line [z-a]", GO_DOCKERFILE, {**GO_APP, ".dockerignore": "[z-a]\n"}, 3,
     "proj/.dockerignore:1: STG002 bad pattern '[z-a]': the range z-a is reversed"),
]


@pytest.mark.parametrize(("dockerfile", "files", "code", "message"), [c[1:] for c in CONTEXT_FILES], ids=[c[0] for c in CONTEXT_FILES])
def test_context_files_nested_or_malformed_are_named_in_one_line(tmp_path: Path, dockerfile: str, files: dict[str, str], code: int,
                                                                  message: str) -> None:
    folder = project(tmp_path, dockerfile, files)
    before = snapshot(folder)
    run = stagify("convert", "--write", "proj", cwd=tmp_path)
    assert run.returncode == code and message in one_line(run), run.stderr[-2000:]
    assert snapshot(folder) == before


def test_a_chain_of_requirements_within_the_limit_is_followed(tmp_path: Path) -> None:
    from stagify.context.buildcontext import BuildContext
    from stagify.languages.python.facts import requirement_names

    files = _requirements_chain(250)
    files["requirements249.txt"] = "fastapi\n"
    folder = project(tmp_path, PY_DOCKERFILE, files)
    names = requirement_names(BuildContext.open(folder), "requirements.txt")
    assert names == ["fastapi", *["flask"] * 249]


def test_pom_properties_that_expand_exponentially_end(tmp_path: Path) -> None:
    from stagify.languages.java.facts import read_pom

    pom = read_pom(EXPONENTIAL_POM)
    assert pom is not None and pom.resolve("${p7}") is None  # 30**6 copies (3.6 GB) once took 45 s: now left unresolved
    assert pom.resolve("${p1}") == "xxxxxxxxxxxx" * 30  # within the limit, resolved as before
    project(tmp_path, JAVA_DOCKERFILE, {"pom.xml": EXPONENTIAL_POM})
    run = stagify("convert", "--stdout", "proj", cwd=tmp_path)
    assert run.returncode == 0 and "AS runtime" in run.stdout, run.stderr[-2000:]


PY_HEAD = "from flask import Flask\napp = Flask(__name__)\n"
PY_FILES = [
    ("3,000 nested parentheses", "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n", "too many nested parentheses"),
    ("20,000 nots", "x = " + "not " * 15_000 + "y\n", "not readable by Python's own parser"),
    ("a 480 KB app.py", "x = [1, 2, 3, 4, 5, 6, 7, 8, 9]\n" * 15_000, "480,046 characters, more than the 64,000 stagify reads"),
    ("a list of 5,000 items", "x = [" + "1, " * 5000 + "]\n", "more than 1,000 items"),
]


@pytest.mark.parametrize(("body", "why"), [c[1:] for c in PY_FILES], ids=[c[0] for c in PY_FILES])
def test_python_files_libcst_cannot_afford_are_skipped_and_said(tmp_path: Path, body: str, why: str) -> None:
    project(tmp_path, PY_DOCKERFILE, {"requirements.txt": "flask\n", "app.py": PY_HEAD + body})
    run = stagify("convert", "--stdout", "proj", cwd=tmp_path)
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    assert "proj/Dockerfile: STG006 app.py: " in run.stderr and why in run.stderr and "not scanned" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_python_file_within_the_limits_is_still_scanned(tmp_path: Path) -> None:
    project(tmp_path, PY_DOCKERFILE.replace('CMD ["python", "app.py"]', 'CMD ["gunicorn", "app:app"]'),
            {"requirements.txt": "flask\ngunicorn\n", "app.py": PY_HEAD + "x = " + "(" * 50 + "1" + ")" * 50 + "\n"})
    run = stagify("convert", "--stdout", "proj", cwd=tmp_path)
    assert run.returncode == 0 and "not scanned" not in run.stderr, run.stderr[-2000:]


# -- .dockerignore ---------------------------------------------------------------------------------


def test_a_backtracking_ignore_pattern_is_matched_in_linear_time(tmp_path: Path) -> None:
    name = "a" * 60
    project(tmp_path, GO_DOCKERFILE, {**GO_APP, ".dockerignore": "**a**a**a**a**a**a**a**a**a**a**a**a**b\n", name: "x"})
    run = stagify("convert", "--stdout", "proj", cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]


def test_a_dockerignore_that_is_a_folder_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    folder = project(tmp_path, GO_DOCKERFILE, GO_APP)
    (folder / ".dockerignore").mkdir()
    before = snapshot(folder)
    run = stagify("convert", "--write", "proj", cwd=tmp_path)
    assert run.returncode == 3 and one_line(run) == "error: proj/.dockerignore: not a regular file (a folder): only files are read"
    assert snapshot(folder) == before and not list(folder.glob(".stagify-*"))


# -- special files, names, symlinks, permissions ---------------------------------------------------


def test_a_device_is_refused_not_read(tmp_path: Path) -> None:
    run = stagify("convert", "--stdout", "/dev/zero", cwd=tmp_path)
    assert (run.returncode, one_line(run)) == (3, "error: /dev/zero: not a regular file (a character device): only files are read")


def test_a_fifo_is_refused_not_waited_for(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "Dockerfile")
    run = stagify("convert", "--stdout", "Dockerfile", cwd=tmp_path)
    assert (run.returncode, one_line(run)) == (3, "error: Dockerfile: not a regular file (a FIFO): only files are read")


def test_a_folder_name_that_is_not_utf8_prints(tmp_path: Path) -> None:
    name = os.fsdecode(b"bad\xff")
    folder = tmp_path / name
    folder.mkdir()
    for rel, text in GO_APP.items():
        (folder / rel).write_text(text)
    (folder / "Dockerfile").write_text(GO_DOCKERFILE)
    utf8 = {"LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
    run = stagify("convert", "--diff", name, cwd=tmp_path, env=utf8)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    assert "bad\\xff/Dockerfile" in run.stdout  # the byte that is not UTF-8, escaped
    (folder / "Dockerfile").write_text("FROM golang:1.22\nFOO\n")
    run = stagify("convert", "--diff", name, cwd=tmp_path, env=utf8)
    assert run.returncode == 3 and one_line(run).endswith('Dockerfile:2:1: STG002 unknown instruction "FOO"')


def test_migrate_refuses_a_dockerfile_symlinked_outside_its_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "svc").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "Dockerfile").write_text(GO_DOCKERFILE)
    (repo / "svc" / "Dockerfile").symlink_to(outside / "Dockerfile")
    for rel, text in GO_APP.items():
        (repo / "svc" / rel).write_text(text)
    run = stagify("migrate", "--check", ".", cwd=repo)
    assert run.returncode == 3 and "Traceback" not in run.stderr
    assert f"svc/Dockerfile: a symlink to {outside / 'Dockerfile'}, outside {repo}; not converted" in run.stderr
    assert (outside / "Dockerfile").read_text() == GO_DOCKERFILE


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_an_unreadable_folder_of_the_context_under_check(tmp_path: Path) -> None:
    """A sub-folder without permissions hides what is under it; the conversion goes on."""
    as_nobody: list[str] = []
    if os.geteuid() == 0:  # root reads everything: run as nobody, in a folder nobody can enter
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: no way to lose the permission")
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    root = Path(tempfile.mkdtemp(prefix="stagify-perm-"))
    try:
        root.chmod(0o755)
        folder = project(root, GO_DOCKERFILE.replace("COPY . .", "COPY secret/inner ./inner\nCOPY . ."), GO_APP)
        (folder / "secret" / "inner").mkdir(parents=True)
        (folder / "secret" / "inner" / "x.go").write_text("package main\n")
        for path in (root, *root.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)
        (folder / "secret").chmod(0)
        run = subprocess.run([*as_nobody, sys.executable, "-m", "stagify", "convert", "--check", "proj"], cwd=root,
                             capture_output=True, text=True, timeout=GUARD, stdin=subprocess.DEVNULL)
        assert run.returncode == 1, run.stderr[-2000:]
        assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    finally:
        (root / "proj" / "secret").chmod(0o755)
        shutil.rmtree(root)


# -- verify settings -------------------------------------------------------------------------------

VERIFY = [
    ("timeout = 'abc'", "[verify]\ntimeout = 'abc'\n", ".stagify.toml:2: verify: timeout must be a number of seconds"),
    ("env = 5", "[verify]\nport = 8080\nenv = 5\n", ".stagify.toml:3: verify: env must be a table"),
    ("smoke_cmd = 5", "[verify]\nsmoke_cmd = 5\n", ".stagify.toml:2: verify: smoke_cmd must be a string, not 5"),
    ("smoke_cmd with an open quote", "\n[verify]\nsmoke_cmd = \"echo 'oops\"\n", ".stagify.toml:3: verify: smoke_cmd must be a command with its quotes closed"),
]


@pytest.mark.parametrize(("settings", "message"), [c[1:] for c in VERIFY], ids=[c[0] for c in VERIFY])
def test_verify_settings_of_the_wrong_type_are_usage_errors_at_their_line(tmp_path: Path, settings: str, message: str) -> None:
    project(tmp_path, GO_DOCKERFILE, {**GO_APP, ".stagify.toml": settings})
    run = stagify("verify", "proj", cwd=tmp_path)
    assert run.returncode == 2 and message in one_line(run) and one_line(run).startswith(f"error: {tmp_path}"), run.stderr[-2000:]


def test_a_smoke_command_with_an_open_quote_is_a_usage_error(tmp_path: Path) -> None:
    project(tmp_path, GO_DOCKERFILE, GO_APP)
    run = stagify("verify", "--smoke-cmd", "echo 'oops", "proj", cwd=tmp_path)
    assert (run.returncode, one_line(run)) == (2, "error: --smoke-cmd: smoke_cmd cannot be split into words: No closing quotation")


# -- registries --------------------------------------------------------------------------------------


def serve(handler: Callable[[socket.socket], None]) -> Iterator[int]:
    """A TCP server on 127.0.0.1 answering each connection with ``handler``; yields its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=_answer, args=(handler, conn), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        server.close()


def _answer(handler: Callable[[socket.socket], None], conn: socket.socket) -> None:
    with conn:
        try:
            conn.recv(65536)
            handler(conn)
        except OSError:
            pass


def _not_http(conn: socket.socket) -> None:
    conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n" * 4)


def _huge_header(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 100_000 + b"\r\nContent-Length: 0\r\n\r\n")


def _token_reply(body: bytes) -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        port = conn.getsockname()[1]
        if not hasattr(handler, "challenged"):
            handler.challenged = True  # type: ignore[attr-defined]
            conn.sendall(b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="http://127.0.0.1:%d/token",service="x"\r\n'
                         b"Content-Length: 0\r\nConnection: close\r\n\r\n" % port)
        else:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                         % len(body) + body)

    return handler


def _trickle(conn: socket.socket) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nDocker-Content-Digest: sha256:" + b"a" * 64:
        conn.sendall(bytes([byte]))
        time.sleep(1)


REGISTRY_REPLIES = [
    ("a non-HTTP answer", _not_http, "the answer is not HTTP a registry speaks (BadStatusLine"),
    ("a 100 KB header", _huge_header, "the answer is not HTTP a registry speaks (LineTooLong"),
    ("an HTML token reply", _token_reply(b"<html><body>sign in</body></html>"), "/token answered something that is not JSON"),
    ("a token reply nested 100,000 deep", _token_reply(b"[" * 100_000 + b"]" * 100_000), "/token answered something that is not JSON"),
    ("a token that is a number", _token_reply(b'{"token": 5}'), "/token gave a token that is not a printable string"),
]


@pytest.mark.parametrize(("handler", "message"), [c[1:] for c in REGISTRY_REPLIES], ids=[c[0] for c in REGISTRY_REPLIES])
def test_registry_replies_that_make_no_sense_exit_7(tmp_path: Path, handler: Callable[[socket.socket], None], message: str) -> None:
    for port in serve(handler):
        (tmp_path / "Dockerfile").write_text(f"FROM 127.0.0.1:{port}/team/app:1\nCMD [\"app\"]\n")
        run = stagify("pin", "--check", "Dockerfile", cwd=tmp_path)
        line = one_line(run)
        assert run.returncode == 7 and line.startswith(f"error: Dockerfile:1: 127.0.0.1:{port}/team/app:1: ") and message in line, run.stderr


def test_a_registry_that_trickles_meets_one_deadline_per_request(tmp_path: Path) -> None:
    for port in serve(_trickle):
        code = ("import sys\nfrom stagify.images.registry import Resolver, RegistryError\nfrom stagify.images.reference import parse_ref\n"
                f"try:\n    Resolver(credentials={{}}, timeout=3).digest(parse_ref('127.0.0.1:{port}/team/app:1'))\n"
                "except RegistryError as exc:\n    print(exc)\n    sys.exit(7)\n")
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=GUARD, cwd=tmp_path)
        assert run.returncode == 7 and "no complete answer within 3 s" in run.stdout, run.stderr[-2000:]


@pytest.mark.parametrize("mirror", ["http://[::1", "http://a b", "http://host:port"])
def test_a_malformed_mirror_url_exits_7(tmp_path: Path, mirror: str) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n")
    run = stagify("pin", "--check", "--registry-mirror", mirror, "Dockerfile", cwd=tmp_path)
    assert run.returncode == 7 and one_line(run).startswith(f"error: --registry-mirror {mirror}: "), run.stderr


def test_a_docker_config_auth_that_is_not_a_string_exits_7(tmp_path: Path) -> None:
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "config.json").write_text(json.dumps({"auths": {"127.0.0.1:1": {"auth": 123}}}))
    (tmp_path / "Dockerfile").write_text("FROM 127.0.0.1:1/app:1\n")
    run = stagify("pin", "--check", "Dockerfile", cwd=tmp_path, env={"DOCKER_CONFIG": str(tmp_path / "docker")})
    assert (run.returncode, one_line(run)) == (7, f"error: {tmp_path}/docker/config.json: auths.127.0.0.1:1.auth must be a base64 string, not 123")
    good = base64.b64encode(b"user:pw").decode()
    (tmp_path / "docker" / "config.json").write_text(json.dumps({"auths": {"127.0.0.1:1": {"auth": good}}}))
    run = stagify("pin", "--check", "Dockerfile", cwd=tmp_path, env={"DOCKER_CONFIG": str(tmp_path / "docker")})
    assert run.returncode == 7 and "cannot be reached" in one_line(run)


# -- the last resort ---------------------------------------------------------------------------------

BOOM = ("import sys\nimport stagify.plan.planner\n"
        "def boom(*args, **kwargs):\n    raise KeyError('unexpected')\n"
        "stagify.plan.planner.build_plan = boom\nimport stagify.api\nstagify.api.build_plan = boom\n"
        "from stagify.cli.entry import main\nsys.argv = ['stagify', *sys.argv[1:]]\nmain()\n")


@pytest.mark.parametrize("args", [["convert", "--stdout", "proj"], ["convert", "--write", "proj"]], ids=["quick path", "full command line"])
def test_an_unexpected_exception_is_one_line_and_exit_70(tmp_path: Path, args: list[str]) -> None:
    project(tmp_path, GO_DOCKERFILE, GO_APP)
    run = subprocess.run([sys.executable, "-c", BOOM, *args], cwd=tmp_path, capture_output=True, text=True, timeout=GUARD,
                         env={k: v for k, v in os.environ.items() if k != "STAGIFY_DEBUG"})
    assert run.returncode == 70 and "Traceback" not in run.stderr
    assert run.stderr.strip() == ("error: proj/Dockerfile: internal error: KeyError: 'unexpected' (a bug in stagify; rerun with --debug or "
                                  "STAGIFY_DEBUG=1 for the traceback, and please report it with the input)")
    for debug_args, env in (([*args, "--debug"], {}), (args, {"STAGIFY_DEBUG": "1"})):
        run = subprocess.run([sys.executable, "-c", BOOM, *debug_args], cwd=tmp_path, capture_output=True, text=True, timeout=GUARD,
                             env={**os.environ, **env})
        assert run.returncode == 70 and "Traceback (most recent call last)" in run.stderr and "KeyError: 'unexpected'" in run.stderr
