"""ConversionPlan -> Dockerfile text, through the Jinja templates in ``templates/``. The only jinja2 user."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import jinja2

from ..dockerfile.stageplan import ConversionPlan


def templates_dir() -> Path:
    """The templates folder: ``stagify/templates`` in an installed wheel, else the source tree's ``templates/``.

    The wheel maps the top-level ``templates/`` into the package (see pyproject.toml),
    so a plain install finds it beside this module.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "templates", here.parent.parent / "templates"):
        if (candidate / "_base.Dockerfile.j2").is_file():
            return candidate
    raise FileNotFoundError(f"stagify's templates are missing (looked in {here / 'templates'} and {here.parent / 'templates'})")


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (in the user's cache folder), when there is one to write to.

    Compiling the templates is most of a first conversion's time; the cache is keyed by each
    template's source, so an edited template is compiled again.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "stagify", "templates")
    try:
        os.makedirs(folder, exist_ok=True)
        probe = os.path.join(folder, ".writable")
        with open(probe, "w", encoding="utf-8"):
            pass
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(folder)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        bytecode_cache=None if os.environ.get("STAGIFY_NO_CACHE") else _bytecode_cache(),
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
