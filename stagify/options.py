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


@dataclass(frozen=True)
class Options:
    runtime: RuntimeChoice | None = None
    language: str | None = None
