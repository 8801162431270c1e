"""Go detection: the evidence a build context and a Dockerfile give of a Go program, read into :class:`~stagify.languages.go.facts.GoFacts`.

Only what detection needs is imported here; the planning hooks (language.py) load when Go is the language chosen."""

from __future__ import annotations

from dataclasses import replace

from ...context.buildcontext import BuildContext
from ...dockerfile import shell
from ...dockerfile.model import Dockerfile, Keyword
from ...dockerfile.walk import BaseDefaults, State, run_script
from ...images.reference import ImageRef
from ..base import Traits
from ..detection import (
    SCORE_BUILD_COMMAND,
    SCORE_MANIFEST,
    SCORE_SOURCES,
    Detection,
    Evidence,
    image_evidence,
)
from .calls import GoCall, parse_call
from .facts import choose_version, find_go_mod, gather_facts, read_go_mod

_GOLANG_PATH = "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class GoDetector:
    name = "go"
    display = "Go"
    template = "go.Dockerfile.j2"
    looked_for = "go.mod, *.go files, FROM golang, go build / go run"
    traits = Traits(
        images=("golang",),
        distro_packages=r"golang(-\d\.\d+)?(-go)?|go",
        tools=("go", "gofmt"),
        interpreter=None,
        sources=(".go",),
        comment="//",
    )

    # -- detection ----------------------------------------------------------------------------------

    def detect(self, context: BuildContext, dockerfile: Dockerfile | None) -> Detection | None:
        path, stage, image, evidence, score = image_evidence(dockerfile, lambda image: image.repository == "golang")
        calls: list[tuple[int, GoCall, State | None]] = []
        if stage is not None:
            for ins in stage.instructions:
                if ins.keyword in (Keyword.RUN, Keyword.CMD, Keyword.ENTRYPOINT):
                    script = run_script(ins) if ins.keyword is Keyword.RUN else " ".join(ins.exec_form or [ins.args])
                    for command in shell.commands(script):
                        call = parse_call(command.argv, command.env)
                        if call is not None and call.verb in ("build", "install", "run", "get"):
                            calls.append((ins.line, call, None))
                            evidence.append(Evidence(f"{path}:{ins.line}", f"go {call.verb} {' '.join(call.targets)}".rstrip()))
                            score = max(score, SCORE_BUILD_COMMAND)
        mod_path = find_go_mod(context, dockerfile)
        go_mod = context.read_text(mod_path) if mod_path else None
        module_path = go_directive = toolchain = None
        requires: list[tuple[str, str]] = []
        if go_mod is not None:
            module_path, go_directive, toolchain, requires = read_go_mod(go_mod)
            evidence.append(Evidence(mod_path or "go.mod", f"module {module_path or '?'}, go {go_directive or '?'}"))
            score = max(score, SCORE_MANIFEST)
        go_files = [f for f in context.walk() if f.endswith(".go")]
        if go_files:
            evidence.append(Evidence(go_files[0], f"{len(go_files)} Go source file(s)"))
            score = max(score, SCORE_SOURCES)
        if score == 0:
            return None
        facts = gather_facts(context, dockerfile, image, calls, go_mod, module_path, go_directive, toolchain, requires, go_files, evidence)
        facts = replace(facts, go_mod=mod_path if go_mod is not None else None)
        version, source = choose_version(image, facts, dockerfile)
        main = facts.main_packages[0] if facts.main_packages else None
        tool = "GOPATH (pre-module)" if facts.gopath else "Go modules" + (" (vendored)" if facts.vendor else "")
        return Detection(
            language=self.name,
            display=self.display,
            score=score,
            version=version,
            version_source=source,
            tool=tool,
            entrypoint=main,
            evidence=tuple(evidence),
            facts=facts,
        )

    def base_defaults(self, image: ImageRef | None) -> BaseDefaults:
        if image is not None and image.repository == "golang":
            return BaseDefaults(workdir="/go", env=(("GOPATH", "/go"), ("PATH", _GOLANG_PATH), ("HOME", "/root")))
        return BaseDefaults(workdir="/", env=(("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), ("HOME", "/root")))

    def env_reader(self, context: BuildContext, rel: str) -> str | None:
        return None

    def script_texts(self, context: BuildContext) -> list[tuple[str, str]]:
        return []
