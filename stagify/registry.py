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
import hashlib
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .imageref import ImageRef, is_sha256_digest

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
_LOOPBACK = re.compile(r"^(localhost|127(?:\.\d+){3}|\[::1\])(:\d+)?$")


class RegistryError(Exception):
    """A reference that cannot be resolved; the message names the image and why."""


def parse_mirrors(values: list[str]) -> dict[str, str]:
    """``URL`` (Docker Hub's mirror) or ``REGISTRY=URL`` -> {registry: base URL}; ValueError when malformed."""
    mirrors: dict[str, str] = {}
    for value in values:
        registry, sep, url = value.partition("=")
        if not sep:
            registry, url = HUB, value
        if not re.match(r"^https?://[^/\s]+", url):
            raise ValueError(f"--registry-mirror {value}: expected URL or REGISTRY=URL, with http:// or https://")
        mirrors[registry.strip() or HUB] = url.rstrip("/")
    return mirrors


def docker_credentials() -> dict[str, tuple[str, str]]:
    """registry -> (user, password) from the Docker config's ``auths`` (credential helpers are not run)."""
    folder = Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")
    try:
        auths = json.loads((folder / "config.json").read_text()).get("auths", {})
    except (OSError, ValueError, AttributeError):
        return {}
    found: dict[str, tuple[str, str]] = {}
    for key, entry in auths.items() if isinstance(auths, dict) else ():
        encoded = entry.get("auth") if isinstance(entry, dict) else None
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
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # registry addresses only
                return dict(reply.headers.items()), reply.read() if method == "GET" else b""
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
        with urllib.request.urlopen(request, timeout=self.timeout) as reply:
            data = json.loads(reply.read() or b"{}")
        token = data.get("token") or data.get("access_token")
        if not token:
            raise urllib.error.URLError("the token service gave no token")
        return f"Bearer {token}"
