"""stagify: rewrite single-stage Dockerfiles into lean, secure multi-stage ones.

The library surface is ``convert(text, context=..., options=...) -> Outcome``; the
command line (``stagify``) is a thin layer over it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import Outcome, Problem, Status, convert
    from .dockerfile.stageplan import Decision, Level, Note, Placement
    from .errors import StagifyError
    from .options import Options, RuntimeChoice

# Each exported name and the module that defines it. They are imported on first use (PEP 562), so
# that `stagify --version`, `--help` and `stagify rule` do not load the converter.
_EXPORTS = {
    "Outcome": "api", "Problem": "api", "Status": "api", "convert": "api",
    "StagifyError": "errors",
    "Options": "options", "RuntimeChoice": "options",
    "Decision": "dockerfile.stageplan", "Level": "dockerfile.stageplan", "Note": "dockerfile.stageplan",
    "Placement": "dockerfile.stageplan",
}

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


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        from importlib import import_module

        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
