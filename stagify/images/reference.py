"""Image references: ``[registry[:port]/]path[:tag][@digest]``, read the way Docker reads them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..patterns import Pattern

_DIGEST = Pattern(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
# What stagify writes after ``@``: a registry's answer is used only when it is exactly this.
_SHA256 = Pattern(r"sha256:[0-9a-f]{64}")


def is_sha256_digest(text: str) -> bool:
    """Whether ``text`` is a digest stagify may write into a Dockerfile: ``sha256:`` and 64 lowercase hex digits."""
    return _SHA256.fullmatch(text) is not None
_HUB_ALIASES = ("docker.io", "index.docker.io", "registry-1.docker.io")
# Third-party images that follow the official images' conventions: Debian unless the tag says otherwise.
_DEBIAN_BY_DEFAULT = ("nginxinc/nginx-unprivileged", "oven/bun")
# A path component of the distribution spec: lowercase alphanumerics with ., _, __ or - between.
_COMPONENT = Pattern(r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*")


class Family(str, Enum):
    """What an image is built on: decides libc, shell, package manager and user tools."""

    DEBIAN = "debian"
    ALPINE = "alpine"
    DISTROLESS = "distroless"
    SCRATCH = "scratch"
    WINDOWS = "windows"
    OTHER = "other"


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference. ``name`` drops Docker Hub's implicit ``docker.io/library/``."""

    registry: str | None
    path: str
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        if self.registry is None:
            return self.path
        return f"{self.registry}/{self.path}"

    @property
    def repository(self) -> str:
        """The last path element: ``golang`` for ``docker.io/library/golang:1.22``."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def is_official(self) -> bool:
        """A Docker Hub official image (``golang``, ``library/golang``, ``docker.io/golang``)."""
        return self.registry is None and "/" not in self.path

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    @property
    def family(self) -> Family:
        """The base family implied by the name and tag (the official images' conventions)."""
        if self.path == "scratch" and self.registry is None:
            return Family.SCRATCH
        tag = (self.tag or "").lower()
        if (self.registry == "gcr.io" and self.path.startswith("distroless/")) or "distroless" in tag:
            return Family.DISTROLESS
        if self.repository == "alpine" or "alpine" in tag:
            return Family.ALPINE
        if "windowsservercore" in tag or "nanoserver" in tag or self.repository in ("windows", "nanoserver", "servercore"):
            return Family.WINDOWS
        return Family.DEBIAN if self.is_official or self.path in _DEBIAN_BY_DEFAULT else Family.OTHER


def parse_ref(text: str) -> ImageRef:
    """Split a reference into registry, path, tag and digest; raise ValueError when malformed."""
    ref = text.strip()
    if not ref or any(ch.isspace() for ch in ref):
        raise ValueError(f"not an image reference: {text!r}")
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
        if not _DIGEST.match(digest):
            raise ValueError(f"malformed digest in {text!r}")
    registry = None
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, ref = first, rest
    tag = None
    last_slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > last_slash:
        ref, tag = ref[:colon], ref[colon + 1 :]
        if not tag:
            raise ValueError(f"empty tag in {text!r}")
    if not ref or ref != ref.lower():
        raise ValueError(f"repository names must be lowercase: {text!r}")
    if not all(_COMPONENT.fullmatch(part) for part in ref.split("/")):
        raise ValueError(f"not an image reference: {text!r}")
    if registry in _HUB_ALIASES:
        registry = None
    if registry is None and ref.startswith("library/"):
        ref = ref[len("library/") :]
    return ImageRef(registry=registry, path=ref, tag=tag, digest=digest)
