"""What the container starts: the original's CMD/ENTRYPOINT resolved through package.json scripts.

``npm start`` and friends are followed to the command they run, development
servers and watchers become their production equivalents, and a static front end
hands its start to nginx.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ...dockerfile import shell
from ...dockerfile.lintfix import start_argv
from ...dockerfile.model import Keyword
from ...dockerfile.selfcheck import script_index
from ..base import PlanInput
from .commands import script_name
from .facts import DEV_SERVERS, STATIC_SERVERS, TS_RUNNERS, WATCHERS, Kind, NodeFacts


@dataclass(frozen=True)
class Start:
    """What the container starts, resolved through package.json scripts."""

    argv: tuple[str, ...] | None  # None: the runtime image's own command (nginx)
    reason: str
    needs_dev_dependencies: bool = False
    static: bool = False
    dev_to_prod: bool = False
    keeps_npm: bool = False
    port: str | None = None  # where the development server listened: nginx listens there instead
    as_written: bool = False  # the original's ENTRYPOINT and CMD stay exactly as they are


# Where each development server listens when no --port is given (their documented defaults).
_DEV_PORTS = {"vite": "5173", "vite preview": "4173", "react-scripts": "3000", "vue-cli-service": "8080", "ng": "4200",
              "webpack-dev-server": "8080", "parcel": "1234"}


@lru_cache(maxsize=64)
def start_of(inp: PlanInput, facts: NodeFacts) -> Start:
    """Resolve the original's start command through package.json into what the runtime runs."""
    commands = [w for w in inp.walked if w.instruction.keyword in (Keyword.CMD, Keyword.ENTRYPOINT)]
    entrypoints = [w.instruction for w in commands if w.instruction.keyword is Keyword.ENTRYPOINT]
    if entrypoints:
        # An ENTRYPOINT of the user's own is a contract (`docker run image ARGS` passes ARGS to it): it and the CMD
        # stay as written. What they start is exec-form ENTRYPOINT + CMD, or a shell-form ENTRYPOINT alone.
        entry = entrypoints[-1]
        words = start_argv(entry, inp.stage.instructions)[0]
        cmds = [w.instruction for w in commands if w.instruction.keyword is Keyword.CMD]
        if entry.exec_form is not None and cmds:
            words = (*words, *start_argv(cmds[-1], inp.stage.instructions)[0])
        program = words[0].rsplit("/", 1)[-1] if words else ""
        return Start(argv=words, reason="the original's ENTRYPOINT and CMD, kept as written", as_written=True,
                     keeps_npm=program != "node")
    argv: tuple[str, ...] = ()
    for w in commands:
        ins = w.instruction
        words = start_argv(ins, inp.stage.instructions)[0]  # a line that needs the shell stays ("/bin/sh", "-c", line)
        argv = words if ins.keyword is Keyword.ENTRYPOINT or not argv else argv
        if ins.keyword is Keyword.CMD:
            argv = words
    if not argv:
        script = facts.script("start")
        if facts.kind is Kind.STATIC:
            return Start(argv=None, reason="nginx serves the build output", static=True)
        if script:
            return _resolve_script(facts, script, "start", 0)
        return Start(argv=("node", facts.main or "server.js"), reason="npm's default start: node " + (facts.main or "server.js"))
    return _resolve(facts, argv, 0)


def _resolve(facts: NodeFacts, argv: tuple[str, ...], depth: int) -> Start:
    program = argv[0].rsplit("/", 1)[-1] if argv else ""
    if program in ("npm", "yarn", "pnpm", "bun") and depth < 4:
        name = script_name(program, argv)
        if name is not None:
            script = facts.script(name)
            if script is None:
                if name == "start":
                    return Start(argv=("node", "server.js"), reason=f"{' '.join(argv)} runs npm's default start, node server.js")
                return Start(argv=argv, reason=f"package.json has no {name!r} script", keeps_npm=True)
            hooks = [hook for hook in (f"pre{name}", f"post{name}") if facts.script(hook)]
            if hooks:
                # npm (and yarn 1) run pre<name> and post<name> around the script: running its body alone
                # would skip them (a migration before the server starts, say), so the manager stays.
                said = " and ".join(f"{hook} ({facts.script(hook)})" for hook in hooks)
                return Start(argv=argv, reason=f"{' '.join(argv)} also runs package.json's {said}: it stays as written",
                             keeps_npm=True,
                             needs_dev_dependencies=any(_uses_dev_tool(facts, facts.script(n) or "") for n in (name, *hooks)))
            extra = _script_args(program, argv)
            return _resolve_script(facts, script, name, depth, extra)
    if program == "npx" and len(argv) > 1:
        tool = argv[1]
        if tool in facts.dependencies or tool in facts.dev_dependencies or tool == "next":
            return _resolve(facts, (f"node_modules/.bin/{tool}", *argv[2:]), depth + 1)
    return _resolve_words(facts, argv, f"{' '.join(argv)}")


def _resolve_script(facts: NodeFacts, script: str, name: str, depth: int, extra: tuple[str, ...] = ()) -> Start:
    env: list[str] = []
    text = script.strip()
    words = shell.words(text) or []
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        env.append(words.pop(0))
    rest = " ".join(words)
    if shell.has_shell_features(rest) or not words:
        return Start(
            argv=(_manager_name(facts), "run", name, *extra),
            reason=f"the {name!r} script is a shell line ({script}); npm runs it, as before",
            keeps_npm=True,
            needs_dev_dependencies=_uses_dev_tool(facts, script),
        )
    resolved = _resolve(facts, (*words, *extra), depth + 1)
    if env and resolved.argv is not None:
        return replace(resolved, argv=("env", *env, *resolved.argv), reason=f"{resolved.reason} (from the {name!r} script)")
    return replace(resolved, reason=f"{resolved.reason} (from the {name!r} script: {script})")


def _resolve_words(facts: NodeFacts, argv: tuple[str, ...], said: str) -> Start:
    program = argv[0].rsplit("/", 1)[-1] if argv else ""
    rest = argv[1:]
    at = script_index(argv)
    if at is not None and at == len(argv) - 1:
        return _shell_line(facts, argv, argv[at])
    if program in WATCHERS:
        target = [w for w in rest if not w.startswith("-")]
        entry = target[0] if target else (facts.main or "index.js")
        return Start(argv=("node", entry), reason=f"{said} watches for changes, a development tool: node {entry} instead", dev_to_prod=True)
    if program == "next":
        port = _flag_value(rest, ("-p", "--port"))
        if rest[:1] == ("dev",) or rest[:1] == ("start",) or not rest:
            if facts.next_standalone:
                return Start(argv=("node", "server.js"), reason="the Next.js standalone server", dev_to_prod=rest[:1] == ("dev",))
            args = ("start", *(("-p", port) if port else ()))
            return Start(argv=("node_modules/.bin/next", *args), reason="next start on the production build", dev_to_prod=rest[:1] == ("dev",))
    if program in ("nuxt", "nuxi"):
        return Start(argv=("node", ".output/server/index.mjs"), reason="the Nuxt production server", dev_to_prod=rest[:1] == ("dev",))
    if facts.kind is Kind.STATIC and (program in DEV_SERVERS or (program == "vite" and rest[:1] != ("preview",))):
        port = _flag_value(rest, ("--port", "-p")) or _DEV_PORTS.get(f"{program} {rest[0]}" if rest else program) or _DEV_PORTS.get(program)
        return Start(argv=None, reason=f"{said} is a development server: nginx serves the production build instead, on the same port",
                     static=True, dev_to_prod=True, port=port if port and port.isdigit() else None)
    if program in TS_RUNNERS:
        return Start(argv=(f"node_modules/.bin/{program}", *rest), reason=f"{said} compiles TypeScript at start: kept, with its development dependencies", needs_dev_dependencies=program in facts.dev_dependencies)
    if program in ("node", "bun"):
        return Start(argv=argv, reason=said)
    if program in facts.dependencies or program in facts.dev_dependencies or program in STATIC_SERVERS:
        local = program in facts.dependencies or program in facts.dev_dependencies
        path = f"node_modules/.bin/{program}" if local else program
        return Start(argv=(path, *rest), reason=f"{said} runs a package's command", needs_dev_dependencies=program in facts.dev_dependencies)
    return Start(argv=argv, reason=said)


def _shell_line(facts: NodeFacts, argv: tuple[str, ...], script: str) -> Start:
    """A start line kept as ``sh -c``: run as written, with every dependency when any of it needs a dev tool.

    Its commands are not resolved one by one (the shell joins them), so the runtime gets what they may
    call: the development dependencies too when the line, or a script it runs, names one of their tools.
    """
    texts = [script]
    for command in shell.commands(script):
        program = command.program
        name = script_name(program, command.argv) if program in ("npm", "yarn", "pnpm", "bun") else None
        if name is not None and facts.script(name):
            texts.append(facts.script(name) or "")
    dev = any(_uses_dev_tool(facts, text) for text in texts)
    reason = f"{script} needs a shell: it runs through /bin/sh as before"
    if dev:
        reason += ", with the development dependencies it calls"
    return Start(argv=argv, reason=reason, needs_dev_dependencies=dev)


def _script_args(program: str, argv: tuple[str, ...]) -> tuple[str, ...]:
    if "--" in argv:
        return argv[argv.index("--") + 1 :]
    return ()


def _manager_name(facts: NodeFacts) -> str:
    return "bun" if facts.bun else facts.manager.removesuffix("-nolock").removesuffix("-berry").replace("npm6", "npm")


def _uses_dev_tool(facts: NodeFacts, script: str) -> bool:
    return any(re.search(rf"(^|[\s&|;]){re.escape(tool)}(\s|$)", script) for tool in facts.dev_dependencies)


def _flag_value(args: tuple[str, ...], names: tuple[str, ...]) -> str | None:
    for i, word in enumerate(args):
        if word in names and i + 1 < len(args):
            return args[i + 1]
        for name in names:
            if word.startswith(name + "="):
                return word.split("=", 1)[1]
    return None


def named_by_start(facts: NodeFacts, folder: str) -> bool:
    start = facts.script("start") or ""
    return re.search(rf"(^|[\s/]){re.escape(folder)}/", start) is not None and facts.kind is Kind.SERVER

