"""Python detection: the evidence a build context and a Dockerfile give of a Python program, read into :class:`~stagify.languages.python.facts.PyFacts`.

Only what detection needs is imported here; the planning hooks (language.py) load when Python is the language chosen."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...context.buildcontext import BuildContext
from ...dockerfile import shell
from ...dockerfile.model import Dockerfile, Keyword
from ...dockerfile.walk import BaseDefaults
from ...images.reference import ImageRef
from ..base import Traits
from ..detection import (
    SCORE_BUILD_COMMAND,
    Detection,
    Evidence,
    files_evidence,
    image_evidence,
)
from .commands import (
    project_install,
)

if TYPE_CHECKING:
    from .facts import PyFacts

# The files that say a build context holds a Python project (requirements*.txt are matched apart).
MANIFESTS = frozenset(
    {"requirements.txt", "requirements.in", "pyproject.toml", "poetry.lock", "uv.lock", "Pipfile", "Pipfile.lock",
     "setup.py", "setup.cfg", "pdm.lock", "constraints.txt", ".python-version", "runtime.txt", "MANIFEST.in"}
)

_PYTHON_PATH = "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"


class PythonDetector:
    name = "python"
    display = "Python"
    template = "python.Dockerfile.j2"
    looked_for = "requirements*.txt, pyproject.toml, setup.py, Pipfile, FROM python, pip/poetry/pipenv/uv install"
    traits = Traits(
        images=("python", "pypy"),
        distro_packages=r"python3?(\.\d+)?|python3?-(pip|venv|dev)|py3-pip",
        tools=("pip", "pip3", "pipenv", "poetry", "uv", "pipx"),
        interpreter="python3",
        sources=(".py",),
        comment="#",
    )

    # -- detection ----------------------------------------------------------------------------------

    def detect(self, context: BuildContext, dockerfile: Dockerfile | None) -> Detection | None:
        path, stage, image, evidence, score = image_evidence(dockerfile, lambda image: image.path == "python")
        if stage is not None:
            for ins in stage.instructions:
                if ins.keyword is Keyword.RUN:
                    for command in shell.commands(ins.args):
                        manager = project_install(command.argv)
                        if manager:
                            evidence.append(Evidence(f"{path}:{ins.line}", f"{manager}: {command.text[:60]}"))
                            score = max(score, SCORE_BUILD_COMMAND)
        manifests = [name for name in sorted(MANIFESTS) if context.is_file(name)]
        manifests += [f for f in context.entries() if re.fullmatch(r"requirements.*\.txt", f) and f not in manifests]
        score = files_evidence(context, manifests, "Python manifest", (".py",), "Python sources", score, evidence)
        if score == 0:
            return None
        # The project readers (libcst among them) load only here: every conversion runs this detector.
        from .facts import choose_version, gather_facts

        facts = gather_facts(context, evidence)
        version, source = choose_version(context, facts, image, stage)
        return Detection(
            language=self.name,
            display=self.display,
            score=score,
            version=version,
            version_source=source,
            tool=facts.manager,
            entrypoint=self._entry_description(facts),
            evidence=tuple(evidence),
            facts=facts,
        )

    @staticmethod
    def _entry_description(facts: PyFacts) -> str | None:
        if facts.app_objects:
            module, variable, framework = facts.app_objects[0]
            return f"{module}:{variable} ({framework})"
        if facts.django_wsgi:
            return f"{facts.django_wsgi}:application (django)"
        if facts.console_scripts:
            return f"{facts.console_scripts[0][0]} = {facts.console_scripts[0][1]}"
        return None

    def base_defaults(self, image: ImageRef | None) -> BaseDefaults:
        return BaseDefaults(workdir="/", env=(("PATH", _PYTHON_PATH), ("HOME", "/root")))

    def env_reader(self, context: BuildContext, rel: str) -> str | None:
        from .facts import env_reader

        return env_reader(context, rel)

    def script_texts(self, context: BuildContext) -> list[tuple[str, str]]:
        return []
