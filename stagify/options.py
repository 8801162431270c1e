"""The choices a user can make about a conversion."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Format(str, Enum):
    """``--format``: how a command reports. JSON is always a list, one object per Dockerfile."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"  # GitHub Actions annotations (stagify.cli.github)
    GITLAB = "gitlab"  # GitLab code quality JSON (stagify.cli.gitlab)
    CHECKSTYLE = "checkstyle"  # checkstyle XML (stagify.cli.checkstyle)


class PinMode(str, Enum):
    """``--pin``: how the converted Dockerfile names its images."""

    TAG = "tag"
    DIGEST = "digest"


class Language(str, Enum):
    """``--lang``: the languages of ``stagify.languages`` (a test keeps the two lists equal), in their order."""

    GO = "go"
    NODE = "node"
    PYTHON = "python"
    JAVA = "java"


class RuntimeChoice(str, Enum):
    """``--runtime``: force the runtime family instead of letting stagify pick."""

    SCRATCH = "scratch"
    DISTROLESS = "distroless"
    ALPINE = "alpine"
    DEBIAN = "debian"
    JLINK = "jlink"  # Java: debian slim (alpine for an Alpine original) with a runtime jlink makes of the modules the app uses


@dataclass(frozen=True)
class Options:
    runtime: RuntimeChoice | None = None
    language: str | None = None
    user: str | None = None  # the runtime's user name; None: the original's, the image's own, or app
    uid: int | None = None  # the runtime's user id; None: the image's, or 10001 (65532 without a shell)
    dockerignore: tuple[str, ...] = ()  # lines added to the generated .dockerignore
    select: tuple[str, ...] | None = None  # the rule codes reported (None: all)
    ignore: tuple[str, ...] = ()  # the rule codes not reported
    strict: bool = False  # a Dockerfile of no supported language fails (STG005) instead of being left alone
