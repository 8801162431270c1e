"""The choices a user can make about a conversion."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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
