"""Node.js detection: the evidence a build context and a Dockerfile give of a Node.js (or Bun) program, read into :class:`~stagify.languages.node.facts.NodeFacts`.

Only what detection needs is imported here; the planning hooks (language.py) load when Node.js is the language chosen."""

from __future__ import annotations

from ...context.buildcontext import BuildContext
from ...dockerfile import shell
from ...dockerfile.model import Dockerfile, Keyword, Stage
from ...dockerfile.walk import BaseDefaults, run_script
from ...images.reference import ImageRef
from ..base import Traits
from ..detection import (
    SCORE_BUILD_COMMAND,
    Detection,
    Evidence,
    files_evidence,
    image_evidence,
)
from .commands import project_install

_NODE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _installer(stage: Stage | None) -> str | None:
    """The package manager the stage's own project install runs (npm, yarn, pnpm, bun), if it has one."""
    if stage is None:
        return None
    for ins in stage.instructions:
        if ins.keyword is Keyword.RUN:
            for command in shell.commands(run_script(ins)):
                if project_install(command.argv):
                    return command.program
    return None


def _starts(stage: Stage | None) -> tuple[tuple[str, ...], ...]:
    """The commands the stage's CMD and ENTRYPOINT lines run, as words (what starts decides what the app needs)."""
    if stage is None:
        return ()
    return tuple(command.argv for ins in stage.instructions if ins.keyword in (Keyword.CMD, Keyword.ENTRYPOINT)
                 for command in shell.commands(ins.args if ins.exec_form is None else shell.join(list(ins.exec_form))))


class NodeDetector:
    name = "node"
    display = "Node.js"
    template = "node.Dockerfile.j2"
    looked_for = "package.json, a lock file, FROM node / oven/bun, npm/yarn/pnpm/bun install"
    traits = Traits(
        images=("node", "oven/bun"),
        distro_packages=r"nodejs|npm|yarnpkg",
        tools=("npm", "npx", "yarn", "pnpm", "bun", "corepack"),
        interpreter="node",
        sources=(".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx"),
        comment="//",
    )

    # -- detection ----------------------------------------------------------------------------------

    def detect(self, context: BuildContext, dockerfile: Dockerfile | None) -> Detection | None:
        path, stage, image, evidence, score = image_evidence(
            dockerfile, lambda image: image.repository in ("node", "bun") and image.path in ("node", "oven/bun"))
        if stage is not None:
            for ins in stage.instructions:
                if ins.keyword is Keyword.RUN:
                    for command in shell.commands(run_script(ins)):
                        if project_install(command.argv):
                            evidence.append(Evidence(f"{path}:{ins.line}", f"{' '.join(command.argv[:2])}"))
                            score = max(score, SCORE_BUILD_COMMAND)
        package = None
        if context.is_file("package.json"):
            # The package.json readers load only where there is one: every conversion runs this detector.
            from .facts import read_json

            package = read_json(context, "package.json")
        score = files_evidence(context, ["package.json"] if package is not None else [],
                               f"name {(package or {}).get('name') or '?'}", (".js", ".mjs", ".ts"), "JavaScript sources", score, evidence)
        if score == 0:
            return None
        from .facts import choose_version, gather_facts

        facts = gather_facts(context, package or {}, image, evidence, _installer(stage), _starts(stage))
        version, source = choose_version(context, package or {}, image, stage, evidence)
        return Detection(
            language=self.name,
            display=self.display,
            score=score,
            version=version,
            version_source=source,
            tool=facts.manager.removesuffix("-nolock").replace("npm6", "npm"),
            entrypoint=facts.script("start") or facts.main,
            evidence=tuple(evidence),
            facts=facts,
        )

    def base_defaults(self, image: ImageRef | None) -> BaseDefaults:
        return BaseDefaults(workdir="/", env=(("PATH", _NODE_PATH), ("HOME", "/root")))

    def env_reader(self, context: BuildContext, rel: str) -> str | None:
        from .facts import env_reader

        return env_reader(context, rel)

    def script_texts(self, context: BuildContext) -> list[tuple[str, str]]:
        from .facts import script_texts

        return script_texts(context)
