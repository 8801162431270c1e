"""Digest pinning: every image a Dockerfile names, written ``name:tag@sha256:...`` (the tag kept for people).

FROM lines and ``COPY --from=IMAGE`` are pinned; stage names, ``scratch``, references
built from ARGs and references already pinned are left as they are, with the reason.
A reference that cannot be resolved is a ``PATH:LINE`` error and nothing is changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..dockerfile.model import Keyword
from ..dockerfile.parse import parse
from ..errors import StagifyError
from .reference import is_sha256_digest, parse_ref
from .registry import RegistryError, Resolver


class PinError(StagifyError):
    """An image that cannot be resolved: the registry cannot be reached, refuses, or lacks the tag."""


@dataclass(frozen=True)
class Pin:
    line: int
    written: str
    pinned: str | None  # None: left as it was
    why: str = ""


@dataclass(frozen=True)
class Pinned:
    text: str
    pins: tuple[Pin, ...]

    @property
    def changed(self) -> tuple[Pin, ...]:
        return tuple(p for p in self.pins if p.pinned)


def pin(text: str, path: str, resolver: Resolver) -> Pinned:
    """``text`` with every pinnable image reference pinned; StagifyError (with the line) when one cannot be resolved."""
    dockerfile = parse(text, path)
    names = {s.alias.lower() for s in dockerfile.stages if s.alias} | {str(i) for i in range(len(dockerfile.stages))}
    lines = text.splitlines(keepends=True)
    pins: list[Pin] = []
    for stage in dockerfile.stages:
        written = stage.image.written
        pins.append(_pin_one(stage.from_.line, stage.from_.end_line, written, names, lines, resolver, path, prefix=r"FROM\s+(?:--\S+\s+)*"))
        for ins in stage.instructions:
            if ins.keyword in (Keyword.COPY, Keyword.ADD):
                source = ins.flag("from")
                if source and source.lower() not in names:
                    pins.append(_pin_one(ins.line, ins.end_line, source, names, lines, resolver, path, prefix=r"--from="))
    return Pinned(text="".join(lines), pins=tuple(pins))


def _pin_one(line: int, end_line: int, written: str, names: set[str], lines: list[str], resolver: Resolver, path: str,
             prefix: str) -> Pin:
    if written.lower() in names:
        return Pin(line, written, None, "a stage of this Dockerfile")
    if "$" in written:
        return Pin(line, written, None, "built from ARGs: pin the ARG's value instead")
    try:
        ref = parse_ref(written)
    except ValueError:
        return Pin(line, written, None, "not an image reference")
    if ref.path == "scratch" and ref.registry is None:
        return Pin(line, written, None, "scratch is no image")
    if ref.digest:
        return Pin(line, written, None, "already pinned")
    try:
        digest = resolver.digest(ref)
    except RegistryError as exc:
        raise PinError(path, line, str(exc)) from None
    if not is_sha256_digest(digest):  # whatever the resolver, nothing but a digest is written after @
        raise PinError(path, line, f"{ref}: the registry's digest {digest[:80]!r} is malformed (expected sha256: and 64 hex digits)")
    pinned = f"{written}@{digest}"
    pattern = re.compile(rf"({prefix}){re.escape(written)}(?=\s|$)", re.I)
    for index in range(line - 1, min(end_line, len(lines))):
        new, count = pattern.subn(lambda m: m.group(1) + pinned, lines[index], count=1)
        if count:
            lines[index] = new
            return Pin(line, written, pinned)
    return Pin(line, written, None, "not found on its line")  # pragma: no cover - the parser read it from there
