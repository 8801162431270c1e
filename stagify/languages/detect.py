"""Build context + Dockerfile -> :class:`Detection`: which language, which version, and from where.

Languages are tried in the registry's order (``stagify.languages.LANGUAGES``); the
one with the strongest evidence wins, and the earlier one wins a tie. The types a
language returns live in ``stagify.languages.detection``.
"""

from __future__ import annotations

from ..context.buildcontext import BuildContext
from ..dockerfile.model import Dockerfile
from ..errors import StagifyError
from . import LANGUAGES, detector
from .detection import Detection


def detect(context: BuildContext, dockerfile: Dockerfile | None, language: str | None = None) -> Detection | None:
    """The best-supported language, or None. ``language`` restricts the search to one."""
    candidates = (detector(language),) if language else LANGUAGES
    best: Detection | None = None
    for lang in candidates:
        found = lang.detect(context, dockerfile)
        if found is not None and (best is None or found.score > best.score):
            best = found
    return best


def undetected_message() -> str:
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
