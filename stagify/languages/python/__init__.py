"""Python: requirements, Poetry, Pipenv, uv; a virtualenv builder; slim, Alpine or distroless runtimes."""

from __future__ import annotations

from .commands import VENV, is_tool_install, pip_args, project_install, rewrite_install, unwrap_runner
from .facts import PyFacts, choose_version, gather_facts, requirement_names
from .language import PYTHON, PyTemplateData, PythonLanguage

__all__ = [
    "PYTHON",
    "VENV",
    "PyFacts",
    "PyTemplateData",
    "PythonLanguage",
    "choose_version",
    "gather_facts",
    "is_tool_install",
    "pip_args",
    "project_install",
    "requirement_names",
    "rewrite_install",
    "unwrap_runner",
]
