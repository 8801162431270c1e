"""Which ports below 1024 the application listens on, and where that is said.

An original that runs as root may bind any port; the converted image runs as a user
that may not bind a port below 1024 where the kernel's unprivileged-port floor applies
(``docker run --network host``, older engines). The planner gives such a program the
capability to bind it, so the conversion behaves the same; this module finds the ports:
EXPOSE, ``*PORT*`` variables, the start command's flags and the listen calls in the
application's sources.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..context.buildcontext import BuildContext
from ..dockerfile.model import Keyword
from ..dockerfile.stageplan import (
    Level,
    Line,
    Note,
    UserSpec,
)
from ..dockerfile.walk import Walked
from ..images.catalogue import BaseImage
from ..images.reference import Family
from ..languages.base import Artifact, Language, PlanInput
from ..patterns import Pattern
from .draft import is_root

_SOURCES = (".go", ".py", ".js", ".mjs", ".cjs", ".ts", ".java", ".kt", ".rb", ".php")
_MAX_FILES = 300
_MAX_BYTES = 512 * 1024
# ListenAndServe(":80"), app.run(port=80), app.listen(80), new InetSocketAddress(80), bind="0.0.0.0:80", PORT = 80
_IN_CODE = Pattern(
    r"(?:ListenAndServe\w*|Listen|listen|\.run|InetSocketAddress|HttpServer\.create|bind|[Pp]ort|PORT|[Aa]ddr)"
    r"\s*(?:\(|=|:)\s*(?:new\s+\w+\s*\(\s*)?[\"']?(?:[\w.\-\[\]]*:)?(\d{2,4})[\"']?\s*[,)\n;]"
)
_FLAG = Pattern(r"^(?:--port|-p|--bind|-b|--listen|--http|--socket)(?:=(.+))?$")
_ADDRESS = Pattern(r"^(?:[\w.\-\[\]]*:)?(\d{1,5})$")


def low_ports(walked: Iterable[Walked], start: tuple[str, ...] | None, context: BuildContext) -> list[tuple[int, str]]:
    """(port, where it is said) for every port below 1024 the application may listen on."""
    found: dict[int, str] = {}
    walked = tuple(walked)

    def add(word: str, where: str) -> None:
        match = _ADDRESS.match(word.strip("\"'"))
        if match:
            number = int(match.group(1))
            if 0 < number < 1024 and number not in found:
                found[number] = where

    for w in walked:
        ins = w.instruction
        if ins.keyword is Keyword.EXPOSE:
            for word in ins.args.split():
                add(word.split("/")[0], f"EXPOSE on line {ins.line}")
    if walked:
        for name, value in walked[-1].state.env_map().items():
            if "PORT" in name.upper():
                add(value, f"{name}={value}")
    words = list(start or ())
    for index, word in enumerate(words):
        flag = _FLAG.match(word)
        if flag:
            value = flag.group(1) or (words[index + 1] if index + 1 < len(words) else "")
            add(value, f"the start command's {word.split('=')[0]}")
    for rel in _source_files(context):
        text = context.read_text(rel)
        if not text or len(text) > _MAX_BYTES:
            continue
        for match in _IN_CODE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            add(match.group(1), f"{rel}:{line}")
    return sorted(found.items())


def _source_files(context: BuildContext) -> list[str]:
    out: list[str] = []
    for rel in context.walk():
        if rel.endswith(_SOURCES) and not re.search(r"(^|/)(node_modules|vendor|test|tests|__tests__|testdata)/|_test\.go$|\.(test|spec)\.", rel):
            out.append(rel)
            if len(out) >= _MAX_FILES:
                break
    return out


@dataclass(frozen=True)
class PortGrant:
    """What a low port asks of the stages: a builder step, a runtime step (as root), and the note that says why."""

    builder: Line | None = None
    runtime: Line | None = None
    note: Note | None = None


def low_port_grant(inp: PlanInput, lang: Language, artifacts: Sequence[Artifact], user: UserSpec,
                   start: tuple[str, ...] | None, runtime: BaseImage, builder: BaseImage) -> PortGrant:
    """A port below 1024 the root original bound: the program gets the capability to bind it, not root."""
    users = [w.instruction.args.strip() for w in inp.walked if w.instruction.keyword is Keyword.USER]
    if users and not is_root(users[-1]):
        return PortGrant()  # the original did not run as root either: it could not bind them, and neither need the conversion
    low = low_ports(inp.walked, start, inp.context)
    if not low or not start:
        return PortGrant()
    said = ", ".join(f"{number} ({where})" for number, where in low)
    line = next((w.instruction.line for w in inp.walked if w.instruction.keyword is Keyword.EXPOSE), None)
    built = {a.dest or a.path for a in artifacts} | {a.path for a in artifacts}
    program = inp.walked[-1].state.resolve(start[0]) if "/" in start[0] else start[0]
    grant = "setcap cap_net_bind_service=+ep"
    if program in built or any(posixpath.basename(p) == start[0] for p in built):
        source = next((a.path for a in artifacts if program in (a.path, a.dest) or posixpath.basename(a.path) == start[0]), program)
        install = ("apk add --no-cache libcap" if builder.family is Family.ALPINE
                   else "(apt-get update && apt-get install -y --no-install-recommends libcap2-bin)")
        return PortGrant(builder=Line(
            text=f"RUN command -v setcap >/dev/null || {install}; {grant} {source}",
            comments=(f"# The application listens on port {said}, below 1024: the program may bind it without root",)),
            note=Note(f"the application listens on port {said}, below 1024, which only root may bind where the unprivileged-port "
                      f"floor applies (docker run --network host): {source} gets the file capability CAP_NET_BIND_SERVICE "
                      f"instead of running as root", line))
    interpreter = lang.traits.interpreter
    if interpreter and runtime.shell and runtime.package_manager in ("apt-get", "apk"):
        if runtime.package_manager == "apk":
            text = (f'RUN apk add --no-cache libcap && {grant} "$(readlink -f "$(command -v {interpreter})")" '
                    "&& apk del libcap")
        else:
            text = ("RUN apt-get update && apt-get install -y --no-install-recommends libcap2-bin \\\n"
                    f'    && {grant} "$(readlink -f "$(command -v {interpreter})")" \\\n'
                    "    && apt-get purge -y --auto-remove libcap2-bin && rm -rf /var/lib/apt/lists/*")
        return PortGrant(runtime=Line(
            text=text, comments=(f"# The application listens on port {said}, below 1024: {interpreter} may bind it without root",)),
            note=Note(f"the application listens on port {said}, below 1024, which only root may bind where the unprivileged-port "
                      f"floor applies (docker run --network host): {interpreter} gets the file capability CAP_NET_BIND_SERVICE "
                      "instead of running as root", line))
    return PortGrant(note=Note(f"the application listens on port {said}, below 1024, and {runtime.reference} cannot give the runtime "
                  f"user the capability to bind it: it runs as {user.instruction} and binds it only where Docker lowers the "
                  "unprivileged-port floor (not with --network host); pass a higher port, or choose a runtime with a shell",
                  line, Level.WARNING))
