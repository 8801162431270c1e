"""Which ports below 1024 the application listens on, and where that is said.

An original that runs as root may bind any port; the converted image runs as a user
that may not bind a port below 1024 where the kernel's unprivileged-port floor applies
(``docker run --network host``, older engines). The planner gives such a program the
capability to bind it, so the conversion behaves the same; this module finds the ports:
EXPOSE, ``*PORT*`` variables, the start command's flags and the listen calls in the
application's sources.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..context.buildcontext import BuildContext
from ..dockerfile.model import Keyword
from ..dockerfile.walk import Walked

_SOURCES = (".go", ".py", ".js", ".mjs", ".cjs", ".ts", ".java", ".kt", ".rb", ".php")
_MAX_FILES = 300
_MAX_BYTES = 512 * 1024
# ListenAndServe(":80"), app.run(port=80), app.listen(80), new InetSocketAddress(80), bind="0.0.0.0:80", PORT = 80
_IN_CODE = re.compile(
    r"(?:ListenAndServe\w*|Listen|listen|\.run|InetSocketAddress|HttpServer\.create|bind|[Pp]ort|PORT|[Aa]ddr)"
    r"\s*(?:\(|=|:)\s*(?:new\s+\w+\s*\(\s*)?[\"']?(?:[\w.\-\[\]]*:)?(\d{2,4})[\"']?\s*[,)\n;]"
)
_FLAG = re.compile(r"^(?:--port|-p|--bind|-b|--listen|--http|--socket)(?:=(.+))?$")
_ADDRESS = re.compile(r"^(?:[\w.\-\[\]]*:)?(\d{1,5})$")


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
