"""Secret-looking files the build reads: the generated .dockerignore must not hide them.

stagify's .dockerignore keeps ``.env*``, keys and credentials out of the build context. A
file the original copied into the image and that something reads (Next.js, Vite or Create
React App load ``.env.production`` when they build; dotenv loads ``.env``; a RUN line or a
package.json script names the file) is a build input: hiding it changes what the build makes.
Such a file is kept (a ``!path`` line after the pattern that would hide it) and reported, with
the BuildKit way to pass it as a secret instead.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..context import dockerignore
from ..context.buildcontext import BuildContext
from ..dockerfile.model import Keyword
from ..dockerfile.secrets import SECRET_FILES
from ..dockerfile.stageplan import Level, Note
from ..dockerfile.walk import Walked, image_path
from ..languages.node.facts import read_json

# The env files a front-end build loads for production, by the package that loads them.
_PRODUCTION_ENV = (".env", ".env.local", ".env.production", ".env.production.local")
NODE_ENV_LOADERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "next": ("Next.js", _PRODUCTION_ENV),
    "vite": ("Vite", _PRODUCTION_ENV),
    "react-scripts": ("Create React App", _PRODUCTION_ENV),
    "@vue/cli-service": ("Vue CLI", _PRODUCTION_ENV),
    "gatsby": ("Gatsby", (".env.production",)),
    "nuxt": ("Nuxt", (".env",)),
    "dotenv": ("dotenv", (".env",)),
}
# Python packages that load .env from the working folder.
PYTHON_ENV_LOADERS = ("python-dotenv", "django-environ", "environs", "dotenv")
_PY_MANIFESTS = ("requirements.txt", "pyproject.toml", "Pipfile", "setup.py", "setup.cfg")


@dataclass(frozen=True)
class KeptInputs:
    """The ``!path`` lines that keep build inputs in the context, and a warning for each."""

    lines: tuple[str, ...]
    notes: tuple[Note, ...]


def keep(walked: Sequence[Walked], context: BuildContext, wanted: Sequence[str]) -> KeptInputs:
    """Secret-looking files the original had in its image, that ``wanted`` would hide and something reads."""
    if not context.root.is_dir():
        return KeptInputs((), ())
    rules = dockerignore.parse_rules("\n".join(wanted))
    copies = [w.copy for w in walked if w.copy is not None]
    texts = _named_in(walked, context)
    lines: list[str] = []
    notes: list[Note] = []
    for rel in context.walk():
        if not SECRET_FILES.search(rel) or not dockerignore.is_ignored(rules, rel):
            continue
        target = image_path(copies, rel, context)
        if target is None:
            continue  # the original did not have it either
        reader = _reader(rel, context, texts)
        if reader is None:
            continue
        lines.append(f"!{rel}")
        line = next((w.instruction.line for w in reversed(walked) if w.copy is not None and image_path([w.copy], rel, context)), None)
        secret_id = re.sub(r"[^A-Za-z0-9]+", "-", posixpath.basename(rel)).strip("-") or "env"
        notes.append(Note(
            f"{rel} looks like a secret, but {reader} reads it: it is a build input, so the generated .dockerignore keeps it "
            f"(!{rel}) and the build finds it at {target}, as the original's did; to keep it out of the image, add it to "
            f".dockerignore and pass it as a BuildKit secret: RUN --mount=type=secret,id={secret_id},target={target} ... "
            f"with docker build --secret id={secret_id},src={rel}",
            line,
            Level.WARNING,
        ))
    return KeptInputs(tuple(lines), tuple(notes))


def _reader(rel: str, context: BuildContext, texts: list[tuple[str, str]]) -> str | None:
    """What reads ``rel`` (a noun phrase for the note), or None when nothing stagify can see does."""
    folder, name = posixpath.split(rel)
    package = read_json(context, posixpath.join(folder, "package.json"))
    if package is not None:
        deps: set[str] = set()
        for key in ("dependencies", "devDependencies"):
            value = package.get(key)
            if isinstance(value, dict):
                deps |= set(value)
        for dep, (tool, files) in NODE_ENV_LOADERS.items():
            if dep in deps and name in files:
                return f"{tool} ({dep} in {posixpath.join(folder, 'package.json')})"
    if name == ".env":
        for manifest in _PY_MANIFESTS:
            text = (context.read_text(posixpath.join(folder, manifest)) or "").lower()
            loader = next((p for p in PYTHON_ENV_LOADERS if re.search(rf"(^|[\s\"'\[,]){re.escape(p)}\b", text, re.M)), None)
            if loader is not None:
                return f"{loader} ({posixpath.join(folder, manifest)})"
    word = re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])")
    for where, text in texts:
        if word.search(text):
            return where
    return None


def _named_in(walked: Sequence[Walked], context: BuildContext) -> list[tuple[str, str]]:
    """Texts that name files the build or the start reads: RUN lines, CMD/ENTRYPOINT, package.json scripts."""
    texts: list[tuple[str, str]] = []
    for w in walked:
        ins = w.instruction
        if ins.keyword in (Keyword.RUN, Keyword.CMD, Keyword.ENTRYPOINT):
            body = "\n".join(h.body for h in ins.heredocs) if ins.heredocs else ins.args
            texts.append((f"the {ins.keyword.value} on line {ins.line}", body))
    package = read_json(context, "package.json")
    scripts = package.get("scripts") if package is not None else None
    if isinstance(scripts, dict):
        for name, body in scripts.items():
            texts.append((f"the package.json script '{name}'", str(body)))
    return texts
