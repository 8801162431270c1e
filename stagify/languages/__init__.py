"""The language registry, in priority order: the first language wins a tie in detection.

The registry holds each language's detector (name, traits, detection); the planning hooks
of a language load when it is the one a conversion plans for (``by_name``), so a Go
conversion never imports the Java, Node.js and Python planners.
"""

from __future__ import annotations

import importlib
from typing import cast

from .base import Detector, Language
from .go.detector import GoDetector
from .java.detector import JavaDetector
from .node.detector import NodeDetector
from .python.detector import PythonDetector

LANGUAGES: tuple[Detector, ...] = (GoDetector(), NodeDetector(), PythonDetector(), JavaDetector())


def detector(name: str) -> Detector:
    """A language's detector by name; KeyError, naming the known ones, for any other name."""
    for lang in LANGUAGES:
        if lang.name == name:
            return lang
    known = ", ".join(lang.name for lang in LANGUAGES)
    raise KeyError(f"unknown language {name!r} (known: {known})")


def by_name(name: str) -> Language:
    """A language with its planning hooks (``stagify.languages.<name>.language.LANGUAGE``), loaded on first use."""
    found = detector(name)
    module = importlib.import_module(f"{__name__}.{found.name}.language")
    return cast(Language, module.LANGUAGE)


def names() -> tuple[str, ...]:
    return tuple(lang.name for lang in LANGUAGES)
