"""Build inputs the original names but the build context lacks: the original cannot build either.

A COPY of a path that is not in the build context (or that .dockerignore leaves out) fails
under every builder; a ``pip install -r`` of a file nothing put in the image fails when it
runs. Converting such a Dockerfile silently would hand over a result that cannot build, so
stagify stops at the line with rule STG004. A COPY whose every source is a wildcard that
matches nothing copies nothing under BuildKit (the classic builder fails): that is a warning,
since what follows may still work.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

from ..context import dockerignore
from ..context.buildcontext import BuildContext
from ..dockerfile.model import Dockerfile, Instruction, Keyword, substitute
from ..dockerfile.stageplan import Level, Note
from ..dockerfile.walk import CopyRecord, Walked, copy_parts, origin_of, run_script
from ..errors import StagifyError
from ..patterns import Pattern

RULE = "STG004"
_VARIABLE = Pattern(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_REMOTE = ("http://", "https://", "git@", "git://", "ssh://")
# Dependency manifests: a wildcard over them that matches nothing leaves the install after it nothing to install.
_MANIFEST = Pattern(
    r"^(package\S*\.json|\S*lock\S*|go\.(mod|sum|work)\S*|requirements\S*|Pipfile\S*|pyproject\.toml\S*|setup\.(py|cfg)\S*"
    r"|pom\.xml\S*|build\.gradle\S*|settings\.gradle\S*|gradle\.properties\S*)$"
)
# pip options that name a file pip reads before it installs anything.
_PIP_FILE_OPTIONS = ("-r", "--requirement", "-c", "--constraint")


def tagged(message: str) -> str:
    """A message of this rule, carrying its code the way every output shows it."""
    return f"{message} [{RULE}]"


def check(dockerfile: Dockerfile, walked: list[Walked], context: BuildContext) -> list[Note]:
    """Raise for an input the original certainly lacks; return warnings for ones it may not need."""
    if not context.root.is_dir():
        return []  # converted without a build context: nothing to check against
    notes: list[Note] = []
    copies: list[CopyRecord] = []
    unknown_writes = False  # an earlier step put files in the image that stagify cannot list
    scripts: list[str] = []  # what earlier RUN lines ran: one of them may have made the file
    for w in walked:
        ins = w.instruction
        if ins.keyword in (Keyword.COPY, Keyword.ADD):
            if ins.flag("from") is not None or ins.heredocs:
                unknown_writes = True
                continue
            note = _check_copy(dockerfile.path, ins, w.state.env_map(), context)
            if note is not None:
                notes.append(note)
            env = w.state.env_map()
            if w.copy is not None and not any(not env.get(n) for n in _VARIABLE.findall(ins.args)):
                copies.append(w.copy)
            else:
                unknown_writes = True  # a remote source, or one a build argument names
        elif ins.keyword is Keyword.RUN:
            if not unknown_writes and not any(f.name == "mount" for f in ins.flags):
                _check_pip_files(dockerfile.path, w, copies, context, scripts)
            scripts.append(run_script(ins))
    return notes


def _check_copy(path: str, ins: Instruction, env: Mapping[str, str], context: BuildContext) -> Note | None:
    parts = copy_parts(ins)
    if parts is None:
        return None
    empty: list[str] = []
    sources = parts[0]
    for written in sources:
        if any(not env.get(name) for name in _VARIABLE.findall(written)):
            return None  # a build argument without a default names it: the value given at build time decides
        source = substitute(written, env)
        if source.startswith(_REMOTE) or "$" in source:
            return None
        rel = dockerignore.clean(source) or "."
        if rel in (".", ""):
            continue
        if _is_glob(rel):
            if not _glob_matches(context, rel):
                empty.append(written)
            continue
        try:
            absent = not context.exists(rel) and not (context.root / rel).is_symlink()
            hidden = (context.root / rel).exists()
        except OSError:
            continue  # a path stagify may not look at (no permission): the engine decides, not stagify
        if absent:
            why = ".dockerignore leaves it out of the build context" if hidden else "the build context has no such path"
            raise StagifyError(path, ins.line, tagged(
                f"{ins.keyword.value} {written}: {why}, so the original cannot build either; "
                "add the file, fix the path or the .dockerignore, or drop the line"))
    if empty and len(empty) == len(sources):
        manifests = [e for e in empty if _MANIFEST.match(posixpath.basename(e))]
        if manifests:
            raise StagifyError(path, ins.line, tagged(
                f"{ins.keyword.value} {' '.join(empty)}: nothing in the build context matches {manifests[0]}, so the "
                "dependency manifests never reach the image and the install after it has nothing to read: the original "
                "cannot build either; fix the path (the build context is the folder the build is started from)"))
        return Note(tagged(
            f"{ins.keyword.value} {' '.join(empty)}: nothing in the build context matches, so this copies nothing "
            "(BuildKit; the classic builder fails) and later steps do not get these files; the conversion does the same"),
            ins.line, Level.WARNING)
    return None


def _check_pip_files(path: str, w: Walked, copies: list[CopyRecord], context: BuildContext, scripts: list[str]) -> None:
    for index, command in enumerate(w.commands):
        if command.program in ("cd", "pushd"):
            return  # the folder changed inside the line: stagify does not follow it
        before = [*scripts, *(c.text for c in w.commands[:index])]
        for name in _pip_files(command.argv):
            if "$" in name or any(posixpath.basename(name) in text for text in before):
                continue  # named by a variable, or an earlier step may have made it
            target = w.state.resolve(name)
            if origin_of(copies, target, context) is not None:
                continue
            raise StagifyError(path, w.instruction.line, tagged(
                f"{command.text[:80]}: {name} is not in the image at {target}: no COPY before this line brings it from "
                "the build context and no step makes it, so the original cannot build either"))


def _pip_files(argv: tuple[str, ...]) -> list[str]:
    words = list(argv)
    if not words:
        return []
    program = words[0].rsplit("/", 1)[-1]
    if re.fullmatch(r"python[\d.]*", program) and words[1:3] == ["-m", "pip"]:
        words = words[3:]
    elif re.fullmatch(r"pip[\d.]*", program):
        words = words[1:]
    else:
        return []
    if not words or words[0] != "install":
        return []
    found = []
    for i, word in enumerate(words):
        if word in _PIP_FILE_OPTIONS and i + 1 < len(words):
            found.append(words[i + 1])
        elif word.startswith(("--requirement=", "--constraint=")):
            found.append(word.split("=", 1)[1])
        elif word.startswith(("-r", "-c")) and len(word) > 2 and not word.startswith("--"):
            found.append(word[2:])
    return [f for f in found if "://" not in f]


def _is_glob(path: str) -> bool:
    return any(ch in path for ch in "*?[")


def _glob_matches(context: BuildContext, pattern: str) -> bool:
    regex = dockerignore.compile_glob(pattern)
    base = posixpath.dirname(pattern.split("*")[0].split("?")[0].split("[")[0])
    if base and not context.is_dir(base):
        return False
    for rel in context.walk(base, skip=frozenset()):
        parts = rel.split("/")
        if any(regex.match("/".join(parts[:i])) for i in range(1, len(parts) + 1)):
            return True
    # a pattern naming folders only (COPY src/*/ ...)
    return any(regex.match(d.rstrip("/")) for d in _dirs(context, base))


def _dirs(context: BuildContext, base: str) -> list[str]:
    return [f"{base}/{e}" if base else e for e in context.entries(base) if e.endswith("/")]
