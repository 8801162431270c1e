"""ConversionPlan -> Dockerfile text, through the Jinja templates in ``templates/``. The only jinja2 user."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2

from .stageplan import ConversionPlan


def templates_dir() -> Path:
    """The templates folder: inside the installed package, else the source tree's ``templates/``."""
    try:
        packaged = Path(str(resources.files("stagify.templates")))
        if (packaged / "_base.Dockerfile.j2").is_file():
            return packaged
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        # A missing value in a template is a bug in the plan: fail instead of printing nothing.
        undefined=jinja2.StrictUndefined,
        # Dockerfiles end with a newline; Jinja would drop it.
        keep_trailing_newline=True,
        # Block tags on their own lines leave no blank lines behind.
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render(plan: ConversionPlan) -> str:
    """The converted Dockerfile with ``\\n`` line endings (the caller restores the file's own)."""
    text = environment().get_template(plan.template).render(plan=plan)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"
