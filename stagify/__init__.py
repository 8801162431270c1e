"""stagify: rewrite single-stage Dockerfiles into lean, secure multi-stage ones.

The library surface is ``convert(text, context=..., options=...) -> Outcome``; the
command line (``stagify``) is a thin layer over it.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import Outcome, Problem, Status, convert
from .dockerfile.stageplan import Decision, Level, Note, Placement
from .errors import StagifyError
from .options import Options, RuntimeChoice

__all__ = [
    "Decision",
    "Level",
    "Note",
    "Options",
    "Outcome",
    "Placement",
    "Problem",
    "RuntimeChoice",
    "StagifyError",
    "Status",
    "__version__",
    "convert",
]
