"""Image digests from registries over the OCI distribution API. The only module that talks HTTP to a registry.

``name:tag`` resolves to the digest of what the tag names: the image index (manifest
list) for multi-platform images, else the manifest. Docker Hub's anonymous token flow
and any registry's Bearer or Basic challenge are followed, with credentials from the
Docker config when it has them; loopback registries are spoken to over plain HTTP.
Mirrors replace a registry's address (``--registry-mirror URL`` for Docker Hub,
``--registry-mirror gcr.io=URL`` for another). Results are cached for the resolver's life.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.client
import io
import json
import os
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from ..patterns import Pattern
from .reference import ImageRef, is_sha256_digest

HUB = "docker.io"
HUB_API = "https://registry-1.docker.io"
ACCEPT = ", ".join(
    (
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    )
)
_LOOPBACK = Pattern(r"^(localhost|127(?:\.\d+){3}|\[::1\])(:\d+)?$")
# A manifest, an index or a token reply is a few kilobytes; a reply larger than this is refused.
MAX_REPLY_BYTES = 4 * 1024 * 1024


class RegistryError(Exception):
    """A reference that cannot be resolved; the message names the image and why."""


class _DeadlineReader(io.RawIOBase):
    """A socket's reads, each given only the time left before the request's deadline.

    urllib's ``timeout`` applies to each read, so a server sending one byte every few seconds
    would never trip it; this bounds the whole reply instead.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.raw = sock.makefile("rb", buffering=0)  # holds the socket open, as http.client's own reader does
        self.deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no complete answer before the deadline")
        self.sock.settimeout(left)
        read: int | None = self.raw.readinto(buffer)
        return read or 0

    def close(self) -> None:
        self.raw.close()
        super().close()


class _DeadlineSocket:
    """What http.client.HTTPResponse needs of a socket: ``makefile``, here deadline-bound."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self.sock, self.deadline))


def _deadline_response(deadline: float) -> type[http.client.HTTPResponse]:
    class Response(http.client.HTTPResponse):
        def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
            super().__init__(_DeadlineSocket(sock, deadline), *args, **kwargs)  # type: ignore[arg-type]

    return Response


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, deadline: float) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(_connection, http.client.HTTPConnection, self.deadline)
        return self.do_open(connection, req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, deadline: float) -> None:
        super().__init__(context=ssl.create_default_context())
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(_connection, http.client.HTTPSConnection, self.deadline)
        return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]


def _connection(kind: type[http.client.HTTPConnection], deadline: float, *args: Any, **kwargs: Any) -> http.client.HTTPConnection:
    conn = kind(*args, **kwargs)
    conn.response_class = _deadline_response(deadline)
    return conn


def _open(request: urllib.request.Request, timeout: float) -> tuple[dict[str, str], bytes]:
    """Headers and body (at most MAX_REPLY_BYTES) of one request, all within ``timeout`` seconds.

    Raises urllib.error.HTTPError for an error status, and RegistryError for a reply that is not
    HTTP, too large, or not finished in time.
    """
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(_HTTP(deadline), _HTTPS(deadline))
    try:
        with opener.open(request, timeout=timeout) as reply:
            body = reply.read(MAX_REPLY_BYTES + 1) if request.get_method() != "HEAD" else b""
            headers = dict(reply.headers.items())
    except urllib.error.HTTPError:
        raise
    except http.client.HTTPException as exc:
        detail = " ".join(str(exc).split())[:80]
        raise RegistryError(f"the answer is not HTTP a registry speaks ({type(exc).__name__}: {detail})") from None
    except TimeoutError:
        raise RegistryError(f"no complete answer within {timeout:g} s") from None
    except ValueError as exc:  # a URL http.client refuses
        raise RegistryError(f"not a usable URL ({exc})") from None
    if len(body) > MAX_REPLY_BYTES:
        raise RegistryError(f"the answer is larger than {MAX_REPLY_BYTES:,} bytes")
    return headers, body


def parse_mirrors(values: list[str]) -> dict[str, str]:
    """``URL`` (Docker Hub's mirror) or ``REGISTRY=URL`` -> {registry: base URL}; ValueError when malformed."""
    mirrors: dict[str, str] = {}
    for value in values:
        registry, sep, url = value.partition("=")
        if not sep:
            registry, url = HUB, value
        if not re.match(r"^https?://[^/\s]+", url) or re.search(r"[\s\x00-\x1f\x7f]", url):
            raise ValueError(f"--registry-mirror {value}: expected URL or REGISTRY=URL, with http:// or https://")
        try:
            parts = urllib.parse.urlsplit(url)
            parts.port  # noqa: B018 - a port that is not a number raises here
        except ValueError as exc:
            raise ValueError(f"--registry-mirror {value}: not a valid URL ({exc})") from None
        if not parts.hostname:
            raise ValueError(f"--registry-mirror {value}: the URL names no host")
        mirrors[registry.strip() or HUB] = url.rstrip("/")
    return mirrors


def docker_credentials() -> dict[str, tuple[str, str]]:
    """registry -> (user, password) from the Docker config's ``auths`` (credential helpers are not run).

    An unreadable or invalid config gives none; an ``auth`` that is not a string is a RegistryError.
    """
    folder = Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")
    config = folder / "config.json"
    try:
        from ..errors import StagifyError, read_limited

        auths = json.loads(read_limited(config, limit=MAX_REPLY_BYTES)).get("auths", {})
    except (StagifyError, ValueError, AttributeError, RecursionError):
        return {}
    found: dict[str, tuple[str, str]] = {}
    for key, entry in auths.items() if isinstance(auths, dict) else ():
        encoded = entry.get("auth") if isinstance(entry, dict) else None
        if encoded is not None and not isinstance(encoded, str):
            raise RegistryError(f"{config}: auths.{key}.auth must be a base64 string, not {encoded!r:.40}")
        if not encoded:
            continue
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            continue
        host = urllib.parse.urlparse(key).netloc if "://" in key else key.split("/")[0]
        found[HUB if host in ("index.docker.io", "registry-1.docker.io", "docker.io") else host] = (user, password)
    return found


class Resolver:
    def __init__(self, mirrors: dict[str, str] | None = None, credentials: dict[str, tuple[str, str]] | None = None,
                 timeout: float = 20.0) -> None:
        self.mirrors = mirrors or {}
        self.credentials = docker_credentials() if credentials is None else credentials
        self.timeout = timeout
        self._cache: dict[str, str] = {}
        self._tokens: dict[str, str] = {}

    def digest(self, ref: ImageRef) -> str:
        """The digest ``ref``'s tag names (``sha256:...``); RegistryError when it cannot be had."""
        registry = ref.registry or HUB
        repository = f"library/{ref.path}" if registry == HUB and "/" not in ref.path else ref.path
        tag = ref.tag or "latest"
        key = f"{registry}/{repository}:{tag}"
        if key not in self._cache:
            self._cache[key] = self._resolve(ref, registry, repository, tag)
        return self._cache[key]

    def _base(self, registry: str) -> str:
        if registry in self.mirrors:
            return self.mirrors[registry]
        if registry == HUB:
            return HUB_API
        return f"http://{registry}" if _LOOPBACK.match(registry) else f"https://{registry}"

    def _resolve(self, ref: ImageRef, registry: str, repository: str, tag: str) -> str:
        base = self._base(registry)
        url = f"{base}/v2/{repository}/manifests/{urllib.parse.quote(tag)}"
        where = base.split("://", 1)[1]
        for method in ("HEAD", "GET"):
            try:
                headers, body = self._request(method, url, registry)
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    raise RegistryError(f"{ref}: {where} has no {repository}:{tag}") from None
                if exc.code in (401, 403):
                    raise RegistryError(f"{ref}: {where} refused access ({exc.code}); log in with docker login") from None
                if method == "HEAD" and exc.code in (405, 501):
                    continue
                raise RegistryError(f"{ref}: {where} answered {exc.code} {exc.reason}") from None
            except RegistryError as exc:
                raise RegistryError(f"{ref}: {where}: {exc}") from None
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise RegistryError(f"{ref}: the registry {where} cannot be reached ({reason})") from None
            digest = headers.get("Docker-Content-Digest")
            if digest and not is_sha256_digest(digest.strip()):
                raise RegistryError(f"{ref}: {where} sent a malformed digest {digest[:80]!r} (expected sha256: and 64 hex digits)")
            if digest:
                return digest.strip()
            if method == "GET":
                return "sha256:" + hashlib.sha256(body).hexdigest()
        raise RegistryError(f"{ref}: {where} gave no digest")  # pragma: no cover - GET always returns above

    def _request(self, method: str, url: str, registry: str, retried: bool = False) -> tuple[dict[str, str], bytes]:
        request = urllib.request.Request(url, method=method, headers={"Accept": ACCEPT, "User-Agent": "stagify"})
        token = self._tokens.get(registry)
        if token:
            request.add_header("Authorization", token)
        try:
            return _open(request, self.timeout)  # registry addresses only
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "") if exc.headers else ""
            if exc.code == 401 and challenge and not retried:
                self._tokens[registry] = self._authorize(challenge, registry)
                return self._request(method, url, registry, retried=True)
            raise

    def _authorize(self, challenge: str, registry: str) -> str:
        """The Authorization header a challenge asks for: a Bearer token from its realm, or Basic credentials."""
        scheme, _, params = challenge.partition(" ")
        fields = dict(re.findall(r'(\w+)="([^"]*)"', params))
        creds = self.credentials.get(registry)
        basic = "Basic " + base64.b64encode(f"{creds[0]}:{creds[1]}".encode()).decode() if creds else None
        if scheme.lower() == "basic":
            if basic is None:
                raise urllib.error.HTTPError(registry, 401, "credentials needed", None, None)  # type: ignore[arg-type]
            return basic
        realm = fields.pop("realm", "")
        if not realm.startswith(("https://", "http://")):
            raise urllib.error.URLError(f"unusable auth realm {realm!r}")
        request = urllib.request.Request(f"{realm}?{urllib.parse.urlencode(fields)}", headers={"User-Agent": "stagify"})
        if basic:
            request.add_header("Authorization", basic)
        _, body = _open(request, self.timeout)
        try:
            data = json.loads(body or b"{}")
        except (ValueError, RecursionError):
            raise RegistryError(f"the token service at {realm} answered something that is not JSON") from None
        token = (data.get("token") or data.get("access_token")) if isinstance(data, dict) else None
        if not token:
            raise RegistryError(f"the token service at {realm} gave no token")
        if not isinstance(token, str) or not re.fullmatch(r"[\x21-\x7e]+", token):
            raise RegistryError(f"the token service at {realm} gave a token that is not a printable string")
        return f"Bearer {token}"
