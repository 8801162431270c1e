"""Secret-looking files the build reads: found once, kept in the build context, reported with what reads them.

stagify's .dockerignore keeps ``.env*``, keys and credentials out of the build context. A secret-looking
file that the build or the application reads is a build input: hiding it changes what the build makes.
What reads such a file is language knowledge, so the languages say it, and this module alone turns it
into findings (``SecretInput``: the file, its reader, how it is kept), their notes and their lines:

- the detected language's build reads it (its ``secret_build_inputs`` hook: the .npmrc whose token the
  install uses, the .env.production a Next.js build inlines). Kept for the builder (``Keep.BUILDER``): the
  generated .dockerignore lets it in like a file the new Dockerfile copies, the runtime's copies leave it out.
- the original copied it into its image and something reads it there: a loader declared beside it
  (``env_reader`` of every registered language: dotenv, Next.js, python-dotenv), or a RUN, CMD or
  ENTRYPOINT line or a project script (``script_texts``) that names it. Kept where the original had it
  (``Keep.AS_ORIGINAL``): a ``!path`` line after the pattern that would hide it.

A file both say is one finding, kept for the builder. Each finding is reported at the COPY that brought it
into the original, with the BuildKit way to pass it as a secret instead.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import replace

from ..context import dockerignore
from ..context.buildcontext import BuildContext
from ..dockerfile.model import Keyword
from ..dockerfile.secrets import SECRET_FILES
from ..dockerfile.stageplan import Keep, Level, Note, SecretInput
from ..dockerfile.walk import Walked, image_path
from ..languages import LANGUAGES


def find(walked: Sequence[Walked], context: BuildContext, ignores: Sequence[str],
         builds: Sequence[SecretInput] = ()) -> tuple[SecretInput, ...]:
    """Every secret-looking context file the build reads, once: ``builds`` (what the language's build reads), then
    the files the original had in its image that ``ignores`` would hide and that something reads."""
    found: dict[str, SecretInput] = {}
    for item in builds:
        if item.path not in found:
            target, line = _where(walked, context, item.path)
            found[item.path] = replace(item, keep=Keep.BUILDER, target=target, line=line)
    if not context.root.is_dir():
        return tuple(found.values())
    rules = dockerignore.parse_rules("\n".join(ignores))
    texts: list[tuple[str, str]] | None = None
    for rel in context.walk():
        if rel in found or not SECRET_FILES.search(rel) or not dockerignore.is_ignored(rules, rel):
            continue
        target, line = _where(walked, context, rel)
        if target is None:
            continue  # the original did not have it either
        if texts is None:
            texts = _named_in(walked, context)
        reader = _reader(rel, context, texts)
        if reader is not None:
            found[rel] = SecretInput(rel, reader, Keep.AS_ORIGINAL, target, line)
    return tuple(found.values())


def builder_paths(found: Sequence[SecretInput]) -> list[str]:
    """The inputs kept for the builder: protected like the files the new Dockerfile copies."""
    return [f.path for f in found if f.keep is Keep.BUILDER]


def ignore_lines(found: Sequence[SecretInput]) -> tuple[str, ...]:
    """The ``!path`` lines that let the inputs kept as the original had them back into the build context."""
    return tuple(f"!{f.path}" for f in found if f.keep is Keep.AS_ORIGINAL)


def note(found: SecretInput) -> Note:
    """The warning for one input: what reads it, how it is kept, and how to pass it as a BuildKit secret instead."""
    rel = found.path
    if found.keep is Keep.BUILDER:
        name = rel.rsplit("/", 1)[-1].lstrip(".").replace(".", "_") or "env"
        return Note(
            f"{rel} looks like a secret, but {found.reader} reads it: it is left out of .dockerignore, so it is in the "
            "build context and the builder's layers (the runtime stage does not get it); to keep it out of every "
            f"layer, pass it as a BuildKit secret: RUN --mount=type=secret,id={name},target={rel} <the build command> "
            f"(docker build --secret id={name},src={rel})",
            found.line,
            Level.WARNING,
        )
    secret_id = re.sub(r"[^A-Za-z0-9]+", "-", posixpath.basename(rel)).strip("-") or "env"
    return Note(
        f"{rel} looks like a secret, but {found.reader} reads it: it is a build input, so the generated .dockerignore "
        f"keeps it (!{rel}) and the build finds it at {found.target}, as the original's did; to keep it out of the "
        f"image, add it to .dockerignore and pass it as a BuildKit secret: RUN --mount=type=secret,id={secret_id},"
        f"target={found.target} ... with docker build --secret id={secret_id},src={rel}",
        found.line,
        Level.WARNING,
    )


def _where(walked: Sequence[Walked], context: BuildContext, rel: str) -> tuple[str | None, int | None]:
    """Where the original image had ``rel``, and the line of the last COPY that put it there."""
    copies = [w.copy for w in walked if w.copy is not None]
    target = image_path(copies, rel, context)
    if target is None:
        return None, None
    line = next((w.instruction.line for w in reversed(walked) if w.copy is not None and image_path([w.copy], rel, context)), None)
    return target, line


def _reader(rel: str, context: BuildContext, texts: list[tuple[str, str]]) -> str | None:
    """What reads ``rel`` (a noun phrase for the note), or None when nothing stagify can see does."""
    for language in LANGUAGES:
        reader = language.env_reader(context, rel)
        if reader is not None:
            return reader
    word = re.compile(rf"(?<![\w.-]){re.escape(posixpath.basename(rel))}(?![\w.-])")
    for where, text in texts:
        if word.search(text):
            return where
    return None


def _named_in(walked: Sequence[Walked], context: BuildContext) -> list[tuple[str, str]]:
    """Texts that name files the build or the start reads: RUN lines, CMD/ENTRYPOINT, the project's scripts."""
    texts: list[tuple[str, str]] = []
    for w in walked:
        ins = w.instruction
        if ins.keyword in (Keyword.RUN, Keyword.CMD, Keyword.ENTRYPOINT):
            body = "\n".join(h.body for h in ins.heredocs) if ins.heredocs else ins.args
            texts.append((f"the {ins.keyword.value} on line {ins.line}", body))
    for language in LANGUAGES:
        texts += language.script_texts(context)
    return texts
