"""What detection finds, shared by the language modules and the driver (``stagify.languages.detect``) that ranks them.

A language module reads the build context and the Dockerfile and returns a
:class:`Detection` scored with the weights below; ``stagify.languages.detect`` only
compares the scores. Keeping these types here, below both, lets the driver
import the registry and the languages import the types without a circle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..context.buildcontext import BuildContext
from ..dockerfile.model import Dockerfile, Stage
from ..images.reference import ImageRef, parse_ref


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


def image_evidence(dockerfile: Dockerfile | None, brings: Callable[[ImageRef], bool]
                   ) -> tuple[str, Stage | None, ImageRef | None, list[Evidence], int]:
    """Where every language's detection starts: the Dockerfile's path, its stage and base image, and that image as
    evidence (with SCORE_BASE_IMAGE) when ``brings`` says it brings the language."""
    path = dockerfile.path if dockerfile else "Dockerfile"
    stage, image = base_image(dockerfile)
    if stage is not None and image is not None and brings(image):
        return path, stage, image, [Evidence(f"{path}:{stage.from_.line}", f"base image {image}")], SCORE_BASE_IMAGE
    return path, stage, image, [], 0


def files_evidence(context: BuildContext, manifests: list[str], says: str, suffixes: tuple[str, ...], sources: str,
                   score: int, evidence: list[Evidence]) -> int:
    """The score after the build context's files: the first build file as evidence, else (when nothing in the
    Dockerfile spoke for the language) the first source file ending with ``suffixes``; 0 when neither is there."""
    if manifests:
        evidence.append(Evidence(manifests[0], says))
        return max(score, SCORE_MANIFEST)
    if score:
        return score
    found = [f for f in context.entries() if f.endswith(suffixes)]
    if not found:
        return 0
    evidence.append(Evidence(found[0], sources))
    return SCORE_SOURCES
