"""The language registry, in priority order: the first language wins a tie in detection."""

from __future__ import annotations

from .base import Language
from .go import GO
from .java import JAVA
from .node import NODE
from .python import PYTHON

LANGUAGES: tuple[Language, ...] = (GO, NODE, PYTHON, JAVA)


def by_name(name: str) -> Language:
    for lang in LANGUAGES:
        if lang.name == name:
            return lang
    known = ", ".join(lang.name for lang in LANGUAGES)
    raise KeyError(f"unknown language {name!r} (known: {known})")


def names() -> tuple[str, ...]:
    return tuple(lang.name for lang in LANGUAGES)
