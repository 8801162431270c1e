"""The Docker CLI, for ``stagify verify``: build with BuildKit, inspect, run, remove. The only module that runs docker.

The client is ``$DOCKER`` when set, else ``docker`` on PATH; builds go through
``docker buildx build --load`` where buildx exists, else ``docker build`` with
``DOCKER_BUILDKIT=1`` (the templates use BuildKit cache mounts). The engine is
whichever one the client reaches (``DOCKER_HOST``, a docker context), or the one an
:class:`Endpoint` names; it may run on another machine, so everything it needs is
sent through the client (build contexts, standard input) and nothing is read from
its disk. Builds and containers use the engine host's network, and servers are
reached on that host: 127.0.0.1 for an engine on this machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..patterns import Pattern

# What a build's output says when a base image cannot be had.
_PULL_FAILURES = Pattern(
    r"pull access denied|failed to resolve source metadata|manifest unknown|not found: manifest|repository does not exist"
    r"|failed to do request|no such host|i/o timeout|connection refused|TLS handshake timeout|unauthorized: authentication required"
    r"|failed to authorize|error getting credentials",
    re.I,
)
# Where a build's output names the image it could not pull, most telling first. BuildKit's own step
# ("load metadata for docker.io/library/golang:1.21") comes before the ERROR line, whose text names
# hosts and DNS servers ("lookup registry-1.docker.io on 10.0.0.53:53"), which are not images.
_IMAGE = r"(?:docker\.io/)?(?:library/)?([\w.\-/]+(?::[\w.\-]+)?(?:@sha256:[0-9a-f]+)?)"
_IMAGE_IN_ERROR = (
    Pattern(r"> \[internal\] load metadata for " + _IMAGE),  # the failed step, quoted under the error
    Pattern(r"(?:resolve source metadata for|pull access denied for|manifest for) " + _IMAGE),
    Pattern(r"load metadata for " + _IMAGE),
)


# DOCKER_HOST schemes the docker client speaks; an engine behind the first three runs on this machine.
_LOCAL_SCHEMES = ("unix", "npipe", "fd")
_SCHEMES = (*_LOCAL_SCHEMES, "tcp", "ssh", "http", "https")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class EngineError(Exception):
    """The engine cannot be used: no daemon answers, the client is missing, docker itself failed."""


class EndpointError(ValueError):
    """The engine the user named cannot be used as named (a usage error): a bad URL, a missing buildx."""


@dataclass(frozen=True)
class Endpoint:
    """The engine and builder a user chose; None: what the client's environment and configuration say."""

    host: str | None = None  # --docker-host, as DOCKER_HOST: tcp://H:P, ssh://[user@]H[:P], unix:///path
    context: str | None = None  # --context-name: a docker context
    builder: str | None = None  # --builder: a buildx builder

    def problem(self) -> str | None:
        """Why this choice cannot work, before any engine is asked; None when it can."""
        if self.host is not None and self.context is not None:
            return "--docker-host and --context-name both name an engine: give one (a context already holds its host)"
        if self.host is not None:
            return host_problem(self.host, "--docker-host")
        return None


@dataclass(frozen=True)
class Address:
    """Where the engine runs, seen from here: its URL, the host its containers' ports are on, and whether that is this machine."""

    url: str
    host: str = "127.0.0.1"
    here: bool = True  # the engine is this machine's (a socket): its processes are in this machine's /proc

    @property
    def remote(self) -> bool:
        return not self.here and self.host not in _LOOPBACK

    def http(self, port: int, path: str = "") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{port}{path}"


def host_problem(url: str, label: str = "DOCKER_HOST") -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        return f"{label} {url!r}: expected tcp://HOST:PORT, ssh://[USER@]HOST[:PORT] or unix:///PATH"
    if parts.scheme not in _LOCAL_SCHEMES and not parts.hostname:
        return f"{label} {url!r}: no host name"
    if parts.scheme in _LOCAL_SCHEMES[:1] and not parts.path:
        return f"{label} {url!r}: no socket path"
    return None


def address_of(url: str) -> Address:
    """Where the containers of the engine at ``url`` listen: its host (this machine for a socket)."""
    parts = urlsplit(url)
    if parts.scheme in _LOCAL_SCHEMES or not parts.hostname:
        return Address(url)
    return Address(url, parts.hostname, here=False)


@dataclass(frozen=True)
class BuildFailure(Exception):
    """A build that did not finish: the tail of its output, and the base image it could not pull, if that was why."""

    output: str
    unpullable: str | None = None

    def __str__(self) -> str:
        return self.output


def unpullable_image(output: str) -> str:
    """The image a failed build could not pull, as its output names it; "a base image" when it names none."""
    for pattern in _IMAGE_IN_ERROR:
        found = pattern.search(output)
        if found:
            return found.group(1).rstrip(":")
    return "a base image"


@dataclass(frozen=True)
class ImageInfo:
    size: int
    layers: int
    user: str


@dataclass(frozen=True)
class Response:
    """What one smoke check saw: an HTTP status and body, or a command's exit code and output."""

    check: str
    status: int
    body: str


class Docker:
    last_steps: tuple[BuildStep, ...] = ()

    def __init__(self, client: str | None = None, env: dict[str, str] | None = None, endpoint: Endpoint | None = None) -> None:
        self.client = client or os.environ.get("DOCKER") or shutil.which("docker") or "docker"
        self.env = dict(env if env is not None else os.environ)
        self.env.setdefault("DOCKER_BUILDKIT", "1")
        self.endpoint = endpoint or Endpoint()
        # The client resolves --context over DOCKER_HOST and DOCKER_HOST over DOCKER_CONTEXT: drop the one
        # that would win over the user's choice, so every command (and `docker export`'s pipe) reaches it.
        if self.endpoint.host is not None:
            self.env["DOCKER_HOST"] = self.endpoint.host
            self.env.pop("DOCKER_CONTEXT", None)
        if self.endpoint.context is not None:
            self.env["DOCKER_CONTEXT"] = self.endpoint.context
            self.env.pop("DOCKER_HOST", None)
        self._buildx: bool | None = None
        self._address: Address | None = None

    def _run(self, *args: str, timeout: float = 60, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        try:
            # The engine's client never waits on stagify's own standard input: it gets ``stdin`` or nothing.
            result = subprocess.run([self.client, *args], capture_output=True, text=True, env=self.env, timeout=timeout,
                                    input=stdin if stdin is not None else "")
        except FileNotFoundError:
            raise EngineError(f"no docker client: {self.client!r} cannot be run (install Docker, or set DOCKER to its client)") from None
        except subprocess.TimeoutExpired:
            raise EngineError(f"docker {args[0]} did not answer within {timeout:.0f} s") from None
        if check and result.returncode != 0:
            raise EngineError(f"docker {' '.join(args[:2])} failed: {_last_line(result.stderr or result.stdout)}")
        return result

    def check(self) -> str:
        """The engine's version; EngineError when no engine answers."""
        result = self._run("version", "--format", "{{.Server.Version}}", timeout=30, check=False)
        if result.returncode != 0 or not result.stdout.strip():
            raise EngineError(f"no Docker engine answers ({_last_line(result.stderr) or 'docker version failed'}); "
                              "start one, or set DOCKER to a client that reaches one")
        return result.stdout.strip()

    def has_buildx(self) -> bool:
        if self._buildx is None:
            self._buildx = self._run("buildx", "version", timeout=30, check=False).returncode == 0
        return self._buildx

    def check_builder(self) -> None:
        """EndpointError when a buildx builder was chosen and this client has no buildx to use it with."""
        if self.endpoint.builder is not None and not self.has_buildx():
            raise EndpointError(f"--builder {self.endpoint.builder}: the docker client {self.client} has no buildx "
                                "(builders are a buildx feature); install the buildx plugin, or leave --builder out "
                                "to build on the engine itself")

    def address(self) -> Address:
        """Where the engine runs (asked once): the endpoint of the context in use, DOCKER_HOST included."""
        if self._address is None:
            result = self._run("context", "inspect", "--format", "{{.Endpoints.docker.Host}}", timeout=30, check=False)
            url = result.stdout.strip() if result.returncode == 0 else ""
            self._address = address_of(url or self.env.get("DOCKER_HOST") or "unix:///var/run/docker.sock")
        return self._address

    def build(self, dockerfile: Path, context: Path, tag: str, no_cache: bool = False) -> float:
        """Build with BuildKit and return the seconds it took; BuildFailure when it does not build.

        The client sends the context and the Dockerfile to the engine: neither has to be on its disk.
        The steps of the last build that succeeded, each with whether the build cache served it, are
        in ``last_steps`` afterwards (what a rebuild reused).
        """
        if self.endpoint.builder is not None:
            self.check_builder()
            command = ["buildx", "build", "--builder", self.endpoint.builder, "--load"]
        else:
            command = ["buildx", "build", "--load"] if self.has_buildx() else ["build"]
        args = [*command, "--progress", "plain", "--network", "host", "-f", str(dockerfile), "-t", tag]
        if no_cache:
            args.append("--no-cache")
        started = time.monotonic()
        result = self._run(*args, str(context), timeout=3600, check=False)
        seconds = time.monotonic() - started
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()
            if "buildx component is missing" in output or "requires the buildx component" in output:
                raise EngineError(f"the docker client {self.client} cannot build with BuildKit (buildx is missing); "
                                  "install buildx, or set DOCKER to a client that builds with BuildKit")
            unpullable = None
            if _PULL_FAILURES.search(output):
                unpullable = unpullable_image(output)
            raise BuildFailure(_failure_summary(output), unpullable)
        self.last_steps = build_steps(result.stdout + result.stderr)
        return seconds

    def inspect(self, tag: str) -> ImageInfo:
        info = json.loads(self._run("image", "inspect", tag).stdout)[0]
        layers = len(info.get("RootFS", {}).get("Layers") or [])
        return ImageInfo(size=int(info["Size"]), layers=layers, user=(info.get("Config") or {}).get("User") or "")

    def serve(self, tag: str, name: str, port: int, paths: tuple[str, ...], env: tuple[tuple[str, str], ...],
              timeout: float = 60) -> tuple[list[Response], int | None]:
        """Run the image, GET each path on the engine's host at ``port``, return the answers and the UID its process runs as.

        Containers of this process that want the same port on the same host take turns
        (``migrate --verify`` runs several verifications at once).
        """
        where = self.address()
        with _port_lock(where.host, port):
            self.remove_container(name)
            if _listening(where.host, port):
                # With the host's network, whatever already answers there would be mistaken for the container.
                raise EngineError(f"something already listens on {where.host}:{port}: stop it, or give the application another port")
            args = ["run", "-d", "--name", name, "--network", "host"]
            for key, value in env:
                args += ["-e", f"{key}={value}"]
            try:
                self._run(*args, tag)
                if not self._wait_for_port(name, where.host, port, timeout):
                    logs = self._run("logs", name, check=False)
                    tail = _last_line(logs.stdout + logs.stderr, 3)
                    running = self._run("inspect", "-f", "{{.State.Running}}", name, check=False).stdout.strip() == "true"
                    hint = (f" (the container still runs on the engine at {where.url}: is the port reachable from here? "
                            "If not, compare with --smoke-cmd, which runs inside the container)") if running and where.remote else ""
                    return [Response(f"GET {p}", 0, f"nothing listened on {where.host}:{port}{hint}: {tail}") for p in paths], None
                answers = [_get(where, port, path) for path in paths]
                uid = self._process_uid(name)
            finally:
                self.remove_container(name)
        return answers, uid

    def run_command(self, tag: str, command: tuple[str, ...], env: tuple[tuple[str, str], ...], timeout: float = 120,
                    stdin: str | None = None) -> Response:
        """Run the image with ``command`` in place of its CMD (empty: its own); the exit code and the output."""
        args = ["run", "--rm", "--network", "host"]
        if stdin is not None:
            args.append("-i")
        for key, value in env:
            args += ["-e", f"{key}={value}"]
        result = self._run(*args, tag, *command, timeout=timeout, check=False, stdin=stdin)
        return Response(" ".join(command) or "the image's start command", result.returncode, result.stdout + result.stderr)

    def layer_ids(self, ref: str) -> tuple[str, ...] | None:
        """The diff IDs of an image's layers, oldest first; None when the engine has no such image."""
        result = self._run("image", "inspect", "-f", "{{json .RootFS.Layers}}", ref, check=False)
        if result.returncode != 0:
            return None
        try:
            layers = json.loads(result.stdout or "null")
        except ValueError:
            return None
        return tuple(layers or ())

    def added_files(self, tag: str, keep: int) -> dict[str, tuple[str, int]]:
        """Paths the image's layers after the first ``keep`` add (its own, beyond its base): path -> (type, size).

        Read from ``docker save``: each layer is a tar of the files it adds, with ``.wh.`` entries for
        the ones it removes, applied in order.
        """
        found: dict[str, tuple[str, int]] = {}
        with tempfile.TemporaryDirectory(prefix="stagify-save-") as work:
            archive = Path(work) / "image.tar"
            self._run("save", "-o", str(archive), tag, timeout=900)
            with tarfile.open(archive) as saved:
                manifest = json.loads(saved.extractfile("manifest.json").read())  # type: ignore[union-attr]
                for layer in manifest[0]["Layers"][keep:]:
                    handle = saved.extractfile(layer)
                    if handle is None:
                        continue
                    with tarfile.open(fileobj=handle, mode="r|") as members:
                        for member in members:
                            _apply(found, member)
        return found

    def files(self, tag: str) -> dict[str, tuple[str, int]]:
        """Every path of the image's filesystem (``docker export`` of a container that never starts)."""
        created = self._run("create", tag, "/stagify-never-runs", timeout=120).stdout.strip()
        found: dict[str, tuple[str, int]] = {}
        try:
            with subprocess.Popen([self.client, "export", created], stdout=subprocess.PIPE, env=self.env) as export:
                assert export.stdout is not None
                with tarfile.open(fileobj=export.stdout, mode="r|") as members:
                    for member in members:
                        _apply(found, member)
        finally:
            self.remove_container(created)
        return found

    def remove_container(self, name: str) -> None:
        self._run("rm", "-f", name, check=False)

    def remove_images(self, *tags: str) -> None:
        if tags:
            self._run("rmi", "-f", *tags, check=False)

    def _wait_for_port(self, name: str, host: str, port: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _listening(host, port):
                return True
            state = self._run("inspect", "-f", "{{.State.Running}}", name, check=False).stdout.strip()
            if state != "true":
                return False
            time.sleep(0.3)
        return False

    def _process_uid(self, name: str) -> int | None:
        """The UID of the container's main process: from /proc when it is this machine's, else from docker top.

        The engine reports the PID in its own machine's terms: on another machine (or in a VM)
        the same number is some unrelated local process, so /proc counts only when that
        process's cgroup names the container.
        """
        found_ids = self._run("inspect", "-f", "{{.State.Pid}} {{.Id}}", name, check=False).stdout.split()
        pid, ident = ([*found_ids, "", ""])[:2]
        if pid.isdigit() and pid != "0" and ident:
            try:
                if ident in Path(f"/proc/{pid}/cgroup").read_text():
                    found = re.search(r"^Uid:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M)
                    if found:
                        return int(found.group(1))
            except OSError:
                pass
        top = self._run("top", name, "-o", "uid", check=False).stdout.split()
        return int(top[1]) if len(top) > 1 and top[1].isdigit() else None


@dataclass(frozen=True)
class BuildStep:
    """One Dockerfile step of a BuildKit build: ``[builder 4/7] RUN go mod download``, and whether it came from the cache."""

    name: str
    cached: bool


_STEP = Pattern(r"^#(\d+) (\[[^\]]*\d+/\d+\] .*)$")
_CACHED = Pattern(r"^#(\d+) CACHED$")


def build_steps(log: str) -> tuple[BuildStep, ...]:
    """The Dockerfile steps of a ``--progress plain`` build log, in order (internal steps such as loading the context left out)."""
    names: dict[str, str] = {}
    cached: set[str] = set()
    for line in log.splitlines():
        if step := _STEP.match(line):
            names.setdefault(step.group(1), step.group(2))
        elif hit := _CACHED.match(line):
            cached.add(hit.group(1))
    return tuple(BuildStep(name, number in cached) for number, name in names.items())


def _apply(found: dict[str, tuple[str, int]], member: tarfile.TarInfo) -> None:
    """One tar entry of a layer or an export: a path added, or removed by a whiteout."""
    name = "/" + member.name.lstrip("./").rstrip("/")
    folder, _, base = name.rpartition("/")
    if base == ".wh..wh..opq":
        return
    if base.startswith(".wh."):
        gone = f"{folder}/{base[4:]}"
        for key in [k for k in found if k == gone or k.startswith(gone + "/")]:
            del found[key]
        return
    kind = "dir" if member.isdir() else "link" if (member.issym() or member.islnk()) else "file"
    found[name] = (kind, member.size)


_PORT_LOCKS: dict[tuple[str, int], threading.Lock] = {}
_PORT_LOCKS_GUARD = threading.Lock()


def _port_lock(host: str, port: int) -> threading.Lock:
    with _PORT_LOCKS_GUARD:
        return _PORT_LOCKS.setdefault((host, port), threading.Lock())


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _get(where: Address, port: int, path: str) -> Response:
    import urllib.error
    import urllib.request

    url = where.http(port, path)
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:  # the engine's host: 127.0.0.1 for this machine's engine
            return Response(f"GET {path}", reply.status, reply.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        return Response(f"GET {path}", exc.code, exc.read().decode("utf-8", "replace"))
    except (urllib.error.URLError, OSError) as exc:
        return Response(f"GET {path}", 0, f"no answer: {exc}")


def _failure_summary(output: str) -> str:
    """The first lines that name an error (tools print their usage after it), then the end of the output."""
    lines = output.splitlines()
    errors = [line for line in lines if re.search(r"\berror\b|\bERR!|\bfatal\b", line, re.I)][:8]
    tail = [line for line in lines[-12:] if line not in errors]
    return "\n".join([*errors, *(["..."] if errors and tail else []), *tail])


def _last_line(text: str, count: int = 1) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-count:])
