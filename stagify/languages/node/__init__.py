"""Node.js: package.json, the package manager, what kind of app it is, and how its image splits.

A Node image splits three ways: a ``deps`` stage installs the production
dependencies only, the builder (the original stage) installs everything and runs
the build, and the runtime receives the production node_modules, the build output
and the files the app reads. Static front ends get an nginx runtime instead.

``facts`` holds what detection finds, ``commands`` what the original's install and
script commands do, ``start`` what the container starts, ``language`` the planning
hooks; this module re-exports their public names.
"""

from __future__ import annotations

from ...dockerfile.stageplan import Level, Note
from .facts import (
    ASSET_DIRS,
    BUILD_ENV,
    BUILD_ENV_PREFIXES,
    DEV_SERVERS,
    LOCK_FILES,
    MANAGERS,
    MANIFESTS,
    NATIVE_ADDONS,
    SERVER_FRAMEWORKS,
    STATIC_SERVERS,
    STATIC_TOOLS,
    TS_RUNNERS,
    WATCHERS,
    Kind,
    Manager,
    NodeFacts,
)
from .language import NODE, DepsStage, InstallLayer, NodeLanguage, NodeTemplateData, StaticSite
from .start import Start

__all__ = [
    "ASSET_DIRS",
    "BUILD_ENV",
    "BUILD_ENV_PREFIXES",
    "DEV_SERVERS",
    "LOCK_FILES",
    "MANAGERS",
    "MANIFESTS",
    "NATIVE_ADDONS",
    "NODE",
    "SERVER_FRAMEWORKS",
    "STATIC_SERVERS",
    "STATIC_TOOLS",
    "TS_RUNNERS",
    "WATCHERS",
    "DepsStage",
    "InstallLayer",
    "Kind",
    "Level",
    "Manager",
    "NodeFacts",
    "NodeLanguage",
    "NodeTemplateData",
    "Note",
    "Start",
    "StaticSite",
]
