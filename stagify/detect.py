"""Build context + Dockerfile -> :class:`Detection`: which language, which version, and from where.

Languages are tried in the registry's order (``stagify.languages.LANGUAGES``); the
one with the strongest evidence wins, and the earlier one wins a tie.
"""

from __future__ import annotations

from dataclasses import dataclass

from .context import BuildContext
from .errors import StagifyError
from .imageref import ImageRef, parse_ref
from .model import Dockerfile, Stage


@dataclass(frozen=True)
class Evidence:
    """One fact and the file (or ``Dockerfile:LINE``) it was read from."""

    source: str
    fact: str


@dataclass(frozen=True)
class Detection:
    language: str
    display: str
    score: int
    version: str | None
    version_source: str | None
    tool: str | None
    entrypoint: str | None
    evidence: tuple[Evidence, ...]
    facts: object  # the language's own findings (e.g. GoFacts)


# How much each kind of evidence counts: what the Dockerfile builds with beats what lies around.
SCORE_BASE_IMAGE = 4
SCORE_BUILD_COMMAND = 4
SCORE_MANIFEST = 3
SCORE_SOURCES = 1


def base_image(dockerfile: Dockerfile | None) -> tuple[Stage | None, ImageRef | None]:
    """The stage a language looks at (the last one) and the image its FROM names, when it parses."""
    if dockerfile is None or not dockerfile.stages:
        return None, None
    stage = dockerfile.stages[-1]
    try:
        return stage, parse_ref(stage.image.resolved)
    except ValueError:
        return stage, None


def detect(context: BuildContext, dockerfile: Dockerfile | None, language: str | None = None) -> Detection | None:
    """The best-supported language, or None. ``language`` restricts the search to one."""
    from .languages import LANGUAGES, by_name

    candidates = (by_name(language),) if language else LANGUAGES
    best: Detection | None = None
    for lang in candidates:
        found = lang.detect(context, dockerfile)
        if found is not None and (best is None or found.score > best.score):
            best = found
    return best


def undetected_message() -> str:
    from .languages import LANGUAGES

    looked = "; ".join(f"{lang.display}: {lang.looked_for}" for lang in LANGUAGES)
    return f"no supported language detected (looked for {looked})"


def require(context: BuildContext, dockerfile: Dockerfile, language: str | None, path: str) -> Detection:
    found = detect(context, dockerfile, language)
    if found is None:
        first = dockerfile.stages[0].from_.line if dockerfile.stages else None
        if language:
            raise StagifyError(path, first, f"--lang {language}: no {language} project found in the build context")
        raise StagifyError(path, first, undetected_message())
    return found
