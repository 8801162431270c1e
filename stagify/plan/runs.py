"""The original's RUN lines: the language's rewrite of each, and which of them make something.
"""

from __future__ import annotations

import re

from ..dockerfile import packages
from ..dockerfile.model import Keyword
from ..dockerfile.walk import Walked
from .draft import Draft, at_line

_USER_TOOLS = ("useradd", "adduser", "groupadd", "addgroup")


def rewrite_runs(draft: Draft) -> None:
    for w in draft.walked:
        if w.instruction.keyword is not Keyword.RUN:
            continue
        with at_line(w.instruction):
            rewrite = draft.lang.rewrite_run(draft.inp, w)
        draft.rewrites[w.instruction.line] = rewrite
        if rewrite is not None:
            draft.artifacts.extend(rewrite.artifacts)
            draft.acc.notes.extend(rewrite.notes)
            if rewrite.builds and not rewrite.drop:
                draft.build_steps.append(w.instruction.line)
        elif not is_package_install(w) and not is_user_setup(w) and not is_inert(w):
            draft.unknown_builds = True
            draft.build_steps.append(w.instruction.line)
        elif is_inert(w) and writes_files(w):
            draft.build_steps.append(w.instruction.line)  # no build, but the image has what it wrote


def creates_user(w: Walked, name: str) -> bool:
    return any(c.program in ("useradd", "adduser") and name in c.argv for c in w.commands)


def is_user_setup(w: Walked) -> bool:
    return bool(w.commands) and all(
        c.program in _USER_TOOLS or c.program in ("mkdir", "chown", "chmod") for c in w.commands
    ) and any(c.program in _USER_TOOLS for c in w.commands)


def is_package_install(w: Walked) -> bool:
    return bool(packages.installs(list(w.commands)))


def is_inert(w: Walked) -> bool:
    inert = ("ls", "echo", "pwd", "cat", "mkdir", "true", "env", "printenv", "whoami", "id", "find", "tree", "du")
    programs = [c.program for c in w.commands]
    if programs and all(p in inert for p in programs):
        return True
    # ``RUN GOPATH=~/go``: an assignment in a throw-away shell changes nothing.
    return bool(w.commands) and all(not c.argv and c.env for c in w.commands)


def writes_files(w: Walked) -> bool:
    """``mkdir``, or output redirected into a file: a step whose results are files in the image."""
    return any(c.program == "mkdir" or re.search(r">\s*(?!/dev/)[^\s&>]", c.text) for c in w.commands)

