"""Go: what a Go build context and Dockerfile say, and how a Go image is split in two.

Knowledge kept here: go.mod and its ``go``/``toolchain`` lines, where the main
package is, vendoring, cgo, the flags of ``go build``, ``go run`` as a start
command, pre-module GOPATH builds, and the files a Go server reads at run time.

``calls`` reads and rewrites ``go`` command lines, ``facts`` holds what detection
finds, ``language`` the planning hooks; this module re-exports their public names.
"""

from __future__ import annotations

from .calls import GoCall, parse_call
from .facts import (
    ASSET_DIRS,
    ASSET_FILES,
    CGO_MODULES,
    MAYBE_ASSET_DIRS,
    NOT_RUNTIME,
    NOT_RUNTIME_DIRS,
    GoFacts,
    read_go_mod,
)
from .language import BUILD_ENV, GO, GoDeps, GoLanguage, GoTemplateData

__all__ = [
    "ASSET_DIRS",
    "ASSET_FILES",
    "BUILD_ENV",
    "CGO_MODULES",
    "GO",
    "MAYBE_ASSET_DIRS",
    "NOT_RUNTIME",
    "NOT_RUNTIME_DIRS",
    "GoCall",
    "GoDeps",
    "GoFacts",
    "GoLanguage",
    "GoTemplateData",
    "parse_call",
    "read_go_mod",
]
