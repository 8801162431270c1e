"""The original Python's prefix, ``/usr/local/bin``, named by path in the start command or a start script.

The official Python images install pip's console scripts (gunicorn, uvicorn, celery, flask...) into
``/usr/local/bin``, beside the interpreter. The conversion installs them into the virtualenv instead, so
in the runtime ``/usr/local/bin/gunicorn`` does not exist and ``/usr/local/bin/python`` is the bare
interpreter, which does not see the virtualenv's packages: a start line naming them by path would fail.
What the runtime does about each name found here:

* an interpreter (``python``, ``python3.12``) in CMD or ENTRYPOINT is pointed at the virtualenv's;
* a console script gets a copy of the virtualenv's at the path the original had (its ``#!`` line names
  the virtualenv's python, so it runs from anywhere), and the user's lines stay as written;
* an interpreter inside a script of the build context cannot be repointed without editing the user's
  file: a warning says so.
"""

from __future__ import annotations

import posixpath

from ...dockerfile import shell
from ...dockerfile.lintfix import start_argv
from ...dockerfile.model import Keyword
from ...dockerfile.selfcheck import script_index
from ...dockerfile.walk import origin_of
from ...patterns import Pattern
from ..base import PlanInput
from .commands import VENV, project_install

PREFIX_BIN = "/usr/local/bin"
# `/usr/local/bin/NAME` where a shell word starts (not inside a longer path such as /opt/usr/local/bin).
_NAMED = Pattern(r"(?<![\w/.-])/usr/local/bin/([A-Za-z0-9_.+-]+)")
_INTERPRETER = Pattern(r"python[\d.]*")
# What the runtime's own Python image has in /usr/local/bin: the interpreter and the tools that come with it.
_BASE_OWN = Pattern(r"(python[\d.]*(-config)?|pip[\d.]*|pydoc[\d.]*|idle[\d.]*|2to3(-[\d.]+)?|wheel)")


def is_interpreter(name: str) -> bool:
    return _INTERPRETER.fullmatch(name) is not None


def repoint_interpreters(text: str) -> str:
    """``/usr/local/bin/python3`` -> ``/opt/venv/bin/python3`` wherever a word of ``text`` names it."""
    return _NAMED.sub(lambda m: f"{VENV}/bin/{m.group(1)}" if is_interpreter(m.group(1)) else m.group(0), text)


def _start_lines(inp: PlanInput) -> list[str]:
    """The text of the CMD, ENTRYPOINT and HEALTHCHECK that are in effect."""
    last: dict[Keyword, str] = {}
    for w in inp.walked:
        if w.instruction.keyword in (Keyword.CMD, Keyword.ENTRYPOINT, Keyword.HEALTHCHECK):
            last[w.instruction.keyword] = w.instruction.args
    return list(last.values())


def start_scripts(inp: PlanInput) -> list[tuple[str, str]]:
    """(context path, text) of each script of the build context that the CMD or ENTRYPOINT runs."""
    found: dict[str, str] = {}
    for w in inp.walked:
        ins = w.instruction
        if ins.keyword not in (Keyword.CMD, Keyword.ENTRYPOINT):
            continue
        argv = start_argv(ins, inp.stage.instructions)[0]
        at = script_index(argv)
        words = [c.argv[0] for c in shell.commands(argv[at])] if at is not None and at < len(argv) else list(argv[:2])
        for word in words:
            if not word or "$" in word or word.startswith("-"):
                continue
            rel = origin_of(list(inp.copies), w.state.resolve(word), inp.context)
            if rel is None or not inp.context.is_file(rel):
                continue
            text = inp.context.read_text(rel)
            if text is not None and (rel.endswith((".sh", ".bash")) or text.startswith("#!")):
                found.setdefault(rel, text)
    return list(found.items())


def _written_by_stage(inp: PlanInput, path: str) -> bool:
    """The original put ``path`` there itself (a COPY, or a RUN line other than the install naming it)."""
    if origin_of(list(inp.copies), path, inp.context) is not None:
        return True
    return any(path in c.text and project_install(c.argv) is None for w in inp.walked for c in w.commands)


def console_scripts(inp: PlanInput) -> list[str]:
    """Names of pip's console scripts that the start lines or start scripts run from ``/usr/local/bin``."""
    texts = [*_start_lines(inp), *(text for _, text in start_scripts(inp))]
    names = dict.fromkeys(m.group(1) for text in texts for m in _NAMED.finditer(text))
    return [n for n in names if _BASE_OWN.fullmatch(n) is None and not _written_by_stage(inp, posixpath.join(PREFIX_BIN, n))]


def interpreters_in_scripts(inp: PlanInput) -> list[tuple[str, str]]:
    """(context path, program path) of each start script naming the original's interpreter by path."""
    return [(rel, m.group(0)) for rel, text in start_scripts(inp) for m in _NAMED.finditer(text) if is_interpreter(m.group(1))]
